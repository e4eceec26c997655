"""What aligning a transcript achieved: how many of its words were timed from the speech.

:class:`AlignmentReport` says it for people (``summary()``, for stderr) and for programs
(``as_json()``, for ``--to json`` and manifests); :class:`AlignmentResult` carries it with
the retimed transcript.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from clipkit.model import Transcript
from clipkit.timefmt import format_whole_clock

__all__ = ["AlignmentReport", "AlignmentResult"]


@dataclass(frozen=True, slots=True)
class AlignmentReport:
    """How much of the transcript was aligned, and where estimated times were kept."""

    words: int  # spoken words that were to be aligned (sound tags and punctuation excluded)
    aligned: int
    kept: tuple[tuple[int, int], ...] = ()  # (start_ms, end_ms) of stretches kept as estimated
    reason: str = ""  # why nothing was aligned at all (no model for the language, ...)

    @property
    def share(self) -> float:
        return self.aligned / self.words if self.words else 1.0

    def summary(self) -> str:
        """``aligned 97 % of words; 3 stretches kept their estimated times: 12:03-12:41``."""
        if self.reason:
            return f"aligned no words: {self.reason}"
        text = f"aligned {math.floor(100 * self.share)} % of words"
        if self.kept:
            plural = "stretch" if len(self.kept) == 1 else "stretches"
            spans = ", ".join(
                f"{format_whole_clock(a)}-{format_whole_clock(b)}" for a, b in self.kept
            )
            text += f"; {len(self.kept)} {plural} kept their estimated times: {spans}"
        return text

    def as_json(self) -> dict[str, object]:
        return {
            "words": self.words,
            "aligned": self.aligned,
            "share": round(self.share, 4),
            "kept_estimated": [{"start_ms": a, "end_ms": b} for a, b in self.kept],
            "reason": self.reason or None,
        }


@dataclass(frozen=True, slots=True)
class AlignmentResult:
    """The transcript with aligned times (same words, same order) and the report."""

    transcript: Transcript
    aligned: tuple[bool, ...]  # per word: timed from the audio (False: estimate kept)
    report: AlignmentReport
