"""What is made from a fetched video once it is in its folder: the post-steps.

A fetch runs the steps it is handed, in order, after the captions, the video and the
metadata are in the folder, the way yt-dlp chains its post-processors.  Each step makes
files under names of its own (``manifest.json`` lists them under ``files``), and a folder
is complete only when the manifest lists what each step always makes.  The default steps
(:func:`default_steps`) rebuild the captions with :mod:`clipkit.convert` and write the
chapters as a highlight file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from clipkit.chapters import chapters_from_info, chapters_text
from clipkit.convert import convert_file
from clipkit.errors import ClipkitError, DownloadError
from clipkit.fetch.folder import write_file
from clipkit.highlights import HighlightSpec, highlight_file_text
from clipkit.style import CaptionStyle

__all__ = [
    "CHAPTERS_NAME",
    "CHAPTERS_TEXT_NAME",
    "FetchedVideo",
    "PostStep",
    "RebuildCaptions",
    "WriteChapters",
    "chapter_highlights",
    "chapters_file_text",
    "default_steps",
]

#: The highlight file of a video's chapters.
CHAPTERS_NAME = "chapters.highlights.yaml"
#: The same chapters as YouTube's description lists them (``00:00 Title`` lines).
CHAPTERS_TEXT_NAME = "chapters.txt"


@dataclass(frozen=True, slots=True)
class FetchedVideo:
    """A video in its folder, as the post-steps get it."""

    url: str
    video_id: str
    title: str
    folder: Path
    stem: str  # the files' common stem, the folder's name
    lang: str  # the language asked for
    captions: tuple[Path, ...]  # the captions as served, preferred format first
    video: Path | None  # None with captions_only
    info: Mapping[str, Any] = field(default_factory=dict)  # yt-dlp's metadata


class PostStep(Protocol):
    """One step run on every fetched video."""

    @property
    def outputs(self) -> tuple[str, ...]:
        """The names of the files it makes, as ``manifest.json`` lists them."""
        ...

    @property
    def required(self) -> tuple[str, ...]:
        """Those of :attr:`outputs` a complete folder always has (chapters it may not)."""
        ...

    def run(self, video: FetchedVideo) -> dict[str, Path | None]:
        """Make the files; each of :attr:`outputs` -> its path, or None if there is none to
        make (a video without chapters).  Failures are a ClipkitError."""
        ...


@dataclass(frozen=True, slots=True)
class RebuildCaptions:
    """The served captions rebuilt as ``<id>.<lang>.srt`` and ``.vtt`` (clipkit convert)."""

    style: CaptionStyle = field(default_factory=CaptionStyle)
    outputs: tuple[str, ...] = ("srt", "vtt")
    required: tuple[str, ...] = ("srt", "vtt")

    def run(self, video: FetchedVideo) -> dict[str, Path | None]:
        """Convert the preferred caption format to each output format."""
        made: dict[str, Path | None] = {}
        for to in self.outputs:
            target = video.folder / f"{video.stem}.{video.lang}.{to}"
            try:
                made[to] = convert_file(video.captions[0], target, to=to, style=self.style)
            except ClipkitError as exc:
                raise DownloadError(video.url, f"captions fetched but not rebuilt: {exc}") from exc
        return made


@dataclass(frozen=True, slots=True)
class WriteChapters:
    """The video's chapters (when it has any) as a highlight file, one highlight each, and
    as YouTube's ``00:00 Title`` lines."""

    outputs: tuple[str, ...] = ("highlights", "chapters")
    required: tuple[str, ...] = ()

    def run(self, video: FetchedVideo) -> dict[str, Path | None]:
        """Write :data:`CHAPTERS_NAME` and :data:`CHAPTERS_TEXT_NAME`, or nothing for a
        video without chapters."""
        chapters = video.info.get("chapters") or []
        if not chapters:
            return {"highlights": None, "chapters": None}
        path = video.folder / CHAPTERS_NAME
        write_file(video.url, path, chapters_file_text(chapters).encode("utf-8"))
        listed = video.folder / CHAPTERS_TEXT_NAME
        write_file(video.url, listed, chapters_text(chapters_from_info(chapters)).encode("utf-8"))
        return {"highlights": path, "chapters": listed}


def default_steps(style: CaptionStyle | None = None) -> tuple[PostStep, ...]:
    """What ``clipkit fetch`` makes of every video: rebuilt captions (under ``style``),
    then the chapters as a highlight file."""
    return (RebuildCaptions(style or CaptionStyle()), WriteChapters())


def chapter_highlights(chapters: Sequence[Mapping[str, Any]]) -> list[HighlightSpec]:
    """yt-dlp's chapters as highlights; a chapter without a span is left out, one without a
    title is called ``Chapter N``.  Chapter boundaries are exact: no pad."""
    highlights: list[HighlightSpec] = []
    for number, chapter in enumerate(chapters, 1):
        start, end = chapter.get("start_time"), chapter.get("end_time")
        if not isinstance(start, int | float) or not isinstance(end, int | float) or end <= start:
            continue
        title = str(chapter.get("title") or "").strip() or f"Chapter {number}"
        highlights.append(
            HighlightSpec(
                len(highlights),
                title,
                start_ms=round(start * 1000),
                end_ms=round(end * 1000),
                source=CHAPTERS_NAME,
            )
        )
    return highlights


def chapters_file_text(chapters: Sequence[Mapping[str, Any]]) -> str:
    """The highlight file of yt-dlp's ``chapters`` (what ``clipkit clip`` reads)."""
    header = "The video's chapters, one highlight each (written by clipkit fetch)."
    return highlight_file_text(chapter_highlights(chapters), header)
