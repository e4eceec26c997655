"""Chapter lists in YouTube's description format (``00:00 Title``): written, read back, checked
against YouTube's rules; a fetched video's chapters written as one."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipkit.chapters import (
    ChapterMark,
    chapters_from_info,
    chapters_text,
    parse_chapters,
    youtube_problems,
)
from clipkit.errors import HighlightError
from clipkit.fetch.steps import CHAPTERS_NAME, CHAPTERS_TEXT_NAME, FetchedVideo, WriteChapters
from clipkit.timefmt import format_chapter_time

DESCRIPTION = """\
Greg Brockman at AI Engineer. Slides: https://example.org/slides (10:00 in the talk)

Chapters
(00:00) Intro
05:49 - The Wells Fargo story
7:11 | Rolling captions: why
1:02:03 Questions: the audience asks
#ai #talk
"""


def test_a_description_reads_as_its_chapters() -> None:
    chapters = parse_chapters(DESCRIPTION, "description.txt")
    assert [(c.start_ms, c.title) for c in chapters] == [
        (0, "Intro"),
        (349_000, "The Wells Fargo story"),
        (431_000, "Rolling captions: why"),
        (3_723_000, "Questions: the audience asks"),
    ]
    assert youtube_problems(chapters) == []


def test_written_as_youtube_lists_them() -> None:
    chapters = [ChapterMark(0, "Intro"), ChapterMark(349_960, " The  Wells\nFargo story ")]
    chapters.append(ChapterMark(3_723_500, "Questions"))
    assert chapters_text(chapters) == (
        "00:00 Intro\n05:49 The Wells Fargo story\n1:02:03 Questions\n"
    )  # whole seconds, never rounded up; a title on one line


@given(
    st.lists(st.integers(min_value=1, max_value=20_000), min_size=1, max_size=12),
    st.data(),
)
def test_round_trip(gaps: list[int], data: st.DataObject) -> None:
    starts = [sum(gaps[:i]) * 1000 for i in range(len(gaps))]
    title = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")))
    titles = [" ".join(data.draw(title).split()) or "Chapter" for _ in starts]
    chapters = [ChapterMark(start, text) for start, text in zip(starts, titles)]
    again = parse_chapters(chapters_text(chapters))
    assert [(c.start_ms, c.title) for c in again] == [(c.start_ms, c.title) for c in chapters]


def test_a_time_out_of_order_names_its_line() -> None:
    with pytest.raises(HighlightError) as caught:
        parse_chapters("00:00 Intro\n05:00 Middle\n04:59 Back\n", "talk.chapters.txt")
    assert str(caught.value) == "talk.chapters.txt:3: chapter at 04:59 does not come after 05:00"


@pytest.mark.parametrize(
    ("chapters", "problem"),
    [
        ([(0, "a"), (20_000, "b")], "YouTube needs at least 3 chapters (got 2)"),
        ([(5_000, "a"), (20_000, "b"), (40_000, "c")], "YouTube needs the first chapter at 00:00"),
        (
            [(0, "a"), (9_000, "b"), (40_000, "c")],
            "YouTube needs chapters of 10 s or more (00:00 a is shorter)",
        ),
    ],
)
def test_youtube_rules(chapters: list[tuple[int, str]], problem: str) -> None:
    marks = [ChapterMark(start, title) for start, title in chapters]
    assert youtube_problems(marks) == [problem]


def test_the_last_chapter_is_checked_against_the_video() -> None:
    marks = [ChapterMark(0, "a"), ChapterMark(20_000, "b"), ChapterMark(40_000, "c")]
    assert youtube_problems(marks, duration_ms=60_000) == []
    assert youtube_problems(marks, duration_ms=45_000) == [
        "YouTube needs chapters of 10 s or more (00:40 c is shorter)"
    ]


def test_chapter_times() -> None:
    assert [format_chapter_time(ms) for ms in (0, 59_999, 600_000, 3_600_000, 36_005_000)] == [
        "00:00",
        "00:59",
        "10:00",
        "1:00:00",
        "10:00:05",
    ]


def test_a_fetched_videos_chapters_are_written_as_youtube_lists_them(tmp_path: Path) -> None:
    info = {
        "chapters": [
            {"start_time": 0.0, "end_time": 349.0, "title": "Intro"},
            {"start_time": 349.0, "end_time": 431.0, "title": "The Wells Fargo story"},
            {"start_time": 431.0, "end_time": 2460.0, "title": ""},
        ]
    }
    video = FetchedVideo(
        "https://example.org/v", "v", "A talk", tmp_path, "v", "en", (), None, info
    )
    made = WriteChapters().run(video)
    assert made == {
        "highlights": tmp_path / CHAPTERS_NAME,
        "chapters": tmp_path / CHAPTERS_TEXT_NAME,
    }
    text = (tmp_path / CHAPTERS_TEXT_NAME).read_text(encoding="utf-8")
    assert text == "00:00 Intro\n05:49 The Wells Fargo story\n07:11 Chapter 3\n"
    assert parse_chapters(text) == chapters_from_info(info["chapters"])
    no_chapters = FetchedVideo("u", "v", "t", tmp_path / "none", "v", "en", (), None, {})
    assert WriteChapters().run(no_chapters) == {"highlights": None, "chapters": None}
