"""The caption policy: every layout and timing rule in one object.

Defaults follow common broadcast/streaming guidelines (Netflix timed-text style,
BBC subtitle guidelines): 42 characters a line, 2 lines, 5/6 s to 7 s a cue,
2 frames between cues, 20 characters a second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from clipkit.errors import StyleError

Mode = Literal["cues", "lines", "words"]
SpeakerMarker = Literal["- ", ">> "]


@dataclass(frozen=True, slots=True)
class CaptionStyle:
    max_chars: int = 42
    max_lines: int = 2
    min_duration_ms: int = 834  # 5/6 s (20 frames at 24 fps), rounded up to whole ms
    max_duration_ms: int = 7000
    fps: float = 30.0
    min_gap_frames: int = 2
    close_gap_ms: int = 500  # gaps up to this are closed to min_gap
    linger_ms: int = 500  # a cue may stay up this long after its last word
    max_cps: float = 20.0
    speaker_marker: SpeakerMarker = "- "
    sound_tags: bool = True
    mode: Mode = "cues"

    def __post_init__(self) -> None:
        if self.max_chars < 10:
            raise StyleError(f"max_chars must be at least 10 (got {self.max_chars})")
        if self.max_lines < 1:
            raise StyleError(f"max_lines must be at least 1 (got {self.max_lines})")
        if not (math.isfinite(self.fps) and self.fps > 0):
            raise StyleError(f"fps must be a positive number (got {self.fps})")
        if self.min_duration_ms <= 0 or self.max_duration_ms < self.min_duration_ms:
            raise StyleError(
                f"need 0 < min_duration <= max_duration "
                f"(got {self.min_duration_ms} ms and {self.max_duration_ms} ms)"
            )
        if not (math.isfinite(self.max_cps) and self.max_cps > 0):
            raise StyleError(f"max_cps must be a positive number (got {self.max_cps})")
        if self.mode not in ("cues", "lines", "words"):
            raise StyleError(f"mode must be cues, lines or words (got {self.mode!r})")

    @property
    def min_gap_ms(self) -> int:
        """The smallest gap between two cues: ``min_gap_frames`` frames, rounded up."""
        return math.ceil(self.min_gap_frames * 1000 / self.fps)
