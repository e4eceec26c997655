"""What goes on a timeline: selections of a source video, frame-exact (no OpenTimelineIO here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from clipkit.errors import ClipkitError
from clipkit.model import Cue
from clipkit.style import CaptionStyle

__all__ = ["QUOTE_CHARS", "Selection", "TimelineError"]

#: the longest quote a clip's marker carries (what is said in it, shortened)
QUOTE_CHARS = 200


class TimelineError(ClipkitError):
    """A timeline that cannot be written: no selections, mixed frame rates, a missing part."""


@dataclass(frozen=True, slots=True)
class Selection:
    """One highlight: frames ``start_frame`` up to (not including) ``end_frame`` of ``source``.

    ``fps`` is the source's frame rate (23.976, 29.97 and 59.94 mean 24000/1001, ... exactly,
    as everywhere in clipkit).  ``cues`` are captions in the source's time (ms): those within
    the selection go on the timeline, cut at its edges.
    """

    source: Path
    fps: float
    start_frame: int
    end_frame: int
    title: str = ""
    quote: str = ""
    cues: tuple[Cue, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", Path(self.source))
        CaptionStyle(fps=self.fps)  # the same frame rate check as everywhere
        if self.start_frame < 0 or self.end_frame <= self.start_frame:
            raise TimelineError(
                f"{self.source}: a selection needs 0 <= start < end frame "
                f"(got {self.start_frame}..{self.end_frame})"
            )

    @classmethod
    def from_ms(
        cls,
        source: str | Path,
        fps: float,
        start_ms: int,
        end_ms: int,
        title: str = "",
        quote: str = "",
        cues: tuple[Cue, ...] = (),
    ) -> Selection:
        """The selection of the frames nearest a cut given in milliseconds."""
        grid = CaptionStyle(fps=fps)
        return cls(
            Path(source), fps, grid.frame_index(start_ms), grid.frame_index(end_ms),
            title, quote, cues,
        )  # fmt: skip

    @classmethod
    def from_clip(
        cls,
        source: str | Path,
        fps: float,
        start_ms: int,
        end_ms: int,
        title: str,
        clip_cues: tuple[Cue, ...] = (),
    ) -> Selection:
        """A cut clip's selection: its cut in the source (ms), its captions in clip time
        (as a clip's SRT holds them); the quote is what is said in it, shortened."""
        said = " ".join(line for cue in clip_cues for line in cue.lines)
        quote = said if len(said) <= QUOTE_CHARS else said[: QUOTE_CHARS - 3].rstrip() + "..."
        cues = tuple(cue.shifted(start_ms) for cue in clip_cues)
        return cls.from_ms(source, fps, start_ms, end_ms, title, quote, cues)

    @property
    def frame_rate(self) -> Fraction:
        """The exact frame rate (24000/1001 for 23.976)."""
        return CaptionStyle(fps=self.fps).frame_rate

    @property
    def frames(self) -> int:
        return self.end_frame - self.start_frame

    def cue_frames(self) -> list[tuple[int, int, str]]:
        """The captions within the selection as (first frame, end frame, text), in frames
        from the selection's start; cut at its edges."""
        grid = CaptionStyle(fps=self.fps)
        placed: list[tuple[int, int, str]] = []
        for cue in self.cues:
            start = max(grid.frame_index(cue.start_ms), self.start_frame)
            end = min(grid.frame_index(cue.end_ms), self.end_frame)
            if end > start:
                placed.append((start - self.start_frame, end - self.start_frame, cue.text))
        return placed
