"""What a job file says: the talks of a batch and what to make of each (read and checked by
:mod:`clipkit.jobs.files`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from clipkit.clips.method import CutMethod
from clipkit.style import CaptionStyle
from clipkit.writers import WriteOptions

__all__ = ["CUT_MODES", "ClipSettings", "JobFile", "ReelSettings", "TalkJob"]

#: How clips are cut (the modes of ``clipkit clip --mode``).
CUT_MODES = tuple(method.value for method in CutMethod)


@dataclass(frozen=True, slots=True)
class ClipSettings:
    """How a talk's clips are cut (``clip``'s options)."""

    mode: str = "smart"
    vertical: bool = False
    burn: bool = False
    snap: bool = True


@dataclass(frozen=True, slots=True)
class ReelSettings:
    """How a talk's reel is joined: title cards and cross-fades, in ms."""

    titles_ms: int = 0
    xfade_ms: int = 0


@dataclass(frozen=True, slots=True)
class TalkJob:
    """One talk of a job file and what to make of it; paths resolved against the file."""

    name: str
    line: int
    url: str | None = None
    video: Path | None = None
    captions: Path | None = None
    highlights: Path | None = None
    find: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("srt", "vtt")
    style: CaptionStyle = field(default_factory=CaptionStyle)
    write: WriteOptions = field(default_factory=WriteOptions)
    clips: ClipSettings | None = None
    shorts: ClipSettings | None = None  # clips for a phone: 9:16, captions burned in
    reel: ReelSettings | None = None
    lang: str = "en"
    max_height: int = 1080
    fps: float | None = None  # the clips' caption frame rate; None: the video's

    @property
    def has_highlights(self) -> bool:
        return self.highlights is not None or bool(self.find)


@dataclass(frozen=True, slots=True)
class JobFile:
    """A job file: where the talks' folders go, and the talks."""

    source: str
    out_dir: Path
    talks: tuple[TalkJob, ...]
