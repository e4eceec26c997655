"""The talk a clip is cut from: the video, probed once, and its captions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from clipkit.errors import ClipkitError
from clipkit.media.probe import MediaInfo, probe
from clipkit.model import Cue, Transcript
from clipkit.readers import load
from clipkit.segment import build_cues
from clipkit.style import CaptionStyle


@dataclass(frozen=True, slots=True)
class Source:
    """The video and, when given, its transcript and the caption cues built from it."""

    video: Path
    info: MediaInfo
    transcript: Transcript | None = None
    cues: tuple[Cue, ...] = ()
    captions: Path | None = None  # the file the transcript was read from
    style: CaptionStyle | None = None  # what the cues were built under (None: the defaults)

    @property
    def caption_style(self) -> CaptionStyle:
        """The caption policy of the clips' captions: at the video's frame rate by default."""
        return self.style or CaptionStyle(fps=self.info.fps or CaptionStyle().fps)

    @property
    def authored(self) -> bool:
        """Whether the cues are an author's, kept as written: clips shift and cut them at
        their edges but never lay them out again."""
        return (
            self.transcript is not None
            and self.transcript.authored
            and not self.caption_style.resegment
        )


def open_source(
    video: str | Path,
    captions: str | Path | None = None,
    style: CaptionStyle | None = None,
    fps: float | None = None,
) -> Source:
    """Probe the video (it needs both pictures and sound) and read its captions.

    The captions are built under ``style`` at the video's own frame rate, so that every
    cue starts and ends on one of its frames; ``fps`` overrides that rate (``style.fps``
    is not used).  Raises :class:`~clipkit.errors.MediaError` for a file that is not a
    video with sound, and the readers' errors for captions clipkit cannot read.
    """
    video = Path(video)
    info = probe(video)
    info.require_av()
    if info.frame_rate <= 0:
        raise ClipkitError(f"{video}: unknown frame rate")
    style = replace(style or CaptionStyle(), fps=fps or info.fps)
    if captions is None:
        return Source(video, info, style=style)
    transcript = load(captions)
    return Source(
        video, info, transcript, tuple(build_cues(transcript, style)), Path(captions), style
    )
