"""Chapter lists in YouTube's description format: one ``00:00 Title`` line a chapter.

    >>> text = chapters_text([ChapterMark(0, "Intro"), ChapterMark(349_500, "Wells Fargo")])
    >>> text
    '00:00 Intro\\n05:49 Wells Fargo\\n'
    >>> [(c.start_ms, c.title) for c in parse_chapters(text)]
    [(0, 'Intro'), (349000, 'Wells Fargo')]

Pasted into a video's description, the list becomes its chapters when YouTube's rules hold
(:func:`youtube_problems` says which do not).  Reading takes the lines that start with a time
(``0:00``, ``(05:49)``, ``[1:02:03]``, then ``-``, ``:`` or ``|`` and the title) and leaves the
rest of a description alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from clipkit.errors import HighlightError
from clipkit.timefmt import CHAPTER_TIME, format_chapter_time, parse_time

__all__ = [
    "MIN_CHAPTERS",
    "MIN_CHAPTER_MS",
    "ChapterMark",
    "chapters_from_info",
    "chapters_text",
    "parse_chapters",
    "youtube_problems",
]

#: YouTube's rules for chapters in a description: at least three, the first at 00:00,
#: in order, each at least 10 seconds long.
MIN_CHAPTERS = 3
MIN_CHAPTER_MS = 10_000

_SEPARATOR = "[-–—:|]"  # between a time and its title: "05:49 - Title", "05:49 | Title"
_LINE = re.compile(
    rf"^\s*[\[(]?(?P<time>{CHAPTER_TIME})[\])]?(?:\s*{_SEPARATOR}\s+|\s+)(?P<title>\S.*?)\s*$"
)


class Timed(Protocol):
    """Anything with a start and a title (a reel's chapter, a :class:`ChapterMark`)."""

    @property
    def start_ms(self) -> int: ...

    @property
    def title(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ChapterMark:
    """A chapter as a description lists it: where it starts, and its title."""

    start_ms: int
    title: str


def chapters_text(chapters: Iterable[Timed]) -> str:
    """The ``00:00 Title`` lines of ``chapters`` (times to the second they fall in)."""
    lines = []
    for chapter in chapters:
        title = " ".join(str(chapter.title).split()) or "Chapter"
        # a title that starts like a separator ("- x") gets one, so it reads back whole
        between = " - " if re.match(rf"{_SEPARATOR}\s", title) else " "
        lines.append(f"{format_chapter_time(chapter.start_ms)}{between}{title}")
    return "".join(f"{line}\n" for line in lines)


def parse_chapters(text: str, source: str = "<chapters>") -> list[ChapterMark]:
    """The chapters a description (or a chapters file) lists, in order.

    A time out of order is a :class:`~clipkit.errors.HighlightError` naming its line.
    """
    chapters: list[ChapterMark] = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _LINE.match(line)
        if not match:
            continue
        start = parse_time(match["time"])
        if chapters and start <= chapters[-1].start_ms:
            raise HighlightError(
                f"chapter at {match['time']} does not come after "
                f"{format_chapter_time(chapters[-1].start_ms)}",
                source,
                number,
            )
        chapters.append(ChapterMark(start, match["title"]))
    return chapters


def youtube_problems(chapters: Sequence[Timed], duration_ms: int | None = None) -> list[str]:
    """Why YouTube would not take ``chapters`` as the video's chapters (empty: it would)."""
    problems: list[str] = []
    if len(chapters) < MIN_CHAPTERS:
        problems.append(f"YouTube needs at least {MIN_CHAPTERS} chapters (got {len(chapters)})")
    if chapters and chapters[0].start_ms >= 1000:
        problems.append("YouTube needs the first chapter at 00:00")
    ends = [c.start_ms for c in chapters[1:]] + ([duration_ms] if duration_ms else [])
    for chapter, end in zip(chapters, ends):
        if end // 1000 - chapter.start_ms // 1000 < MIN_CHAPTER_MS // 1000:
            problems.append(
                f"YouTube needs chapters of {MIN_CHAPTER_MS // 1000} s or more "
                f"({format_chapter_time(chapter.start_ms)} {chapter.title} is shorter)"
            )
    return problems


def chapters_from_info(chapters: Sequence[Mapping[str, Any]]) -> list[ChapterMark]:
    """yt-dlp's ``chapters`` (``start_time`` in seconds, ``title``) as chapter marks."""
    marks: list[ChapterMark] = []
    for number, chapter in enumerate(chapters, 1):
        start = chapter.get("start_time")
        if not isinstance(start, int | float) or isinstance(start, bool) or start < 0:
            continue
        title = str(chapter.get("title") or "").strip() or f"Chapter {number}"
        marks.append(ChapterMark(round(start * 1000), title))
    return marks
