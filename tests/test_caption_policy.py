"""The segmenter's rules on shapes a viewer notices, built with the factory: long pauses,
sentence ends left dangling, names split across lines, times on the frame grid."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import pysrt
import pytest
from factory import Line, rolling_json3, rolling_vtt, script

from clipkit.convert import convert_bytes
from clipkit.model import Cue, Transcript
from clipkit.readers import read_text
from clipkit.segment import build_cues
from clipkit.style import CaptionStyle
from clipkit.writers import WriteOptions

EXACT_SHAPES: dict[str, Callable[[Sequence[Line]], str]] = {
    "vtt": rolling_vtt,
    "json3": rolling_json3,
}


def cues_of(
    lines: Sequence[Line], shape: str = "vtt", style: CaptionStyle | None = None
) -> list[Cue]:
    transcript = read_text(EXACT_SHAPES[shape](lines), f"talk.{shape}")
    return build_cues(transcript, style or CaptionStyle())


def shown(cues: Sequence[Cue]) -> list[str]:
    return [" / ".join(cue.lines) for cue in cues]


# ---------- a pause of 2 s or more ends a cue ----------

# The stream: "Yeah. Yeah. Yeah. Oh, draw. Sleepy." up for 7 s with 4 s of silence
# inside, and "Yeah, at least this week." shown 4 s before "at" is said.
PAUSES = script(
    "So that was the plan. Yeah. Yeah. | Yeah. ~4000 Oh, draw. Sleepy. | ~2500 Yeah, "
    "~4000 at least this week. | We can | talk ~2000 about it | later on today.",
    start_ms=3_000,
    step_ms=300,
)


@pytest.mark.parametrize("shape", EXACT_SHAPES)
def test_no_cue_holds_words_on_both_sides_of_a_long_pause(shape: str) -> None:
    style = CaptionStyle()
    cues = cues_of(PAUSES, shape, style)
    for cue in cues:
        for before, after in itertools.pairwise(cue.words):
            assert after.start_ms - before.start_ms < style.pause_break_ms, shown([cue])
    assert "Yeah, at least this week." not in shown(cues)
    # the cue before a pause still gets its minimum duration, and ends before the words after
    for cue, following in itertools.pairwise(cues):
        assert cue.duration_ms >= style.min_duration_ms
        assert cue.end_ms < following.words[0].start_ms


def test_a_shorter_pause_is_only_a_preferred_break() -> None:
    lines = script("We can talk ~1500 about it later on.", start_ms=1_000)  # 1.8 s
    assert shown(cues_of(lines)) == ["We can talk about it later on."]


def test_pause_break_is_a_style_setting() -> None:
    lines = script("We can talk ~2500 about it later on.", start_ms=1_000)
    assert len(cues_of(lines)) == 2
    relaxed = cues_of(lines, style=CaptionStyle(pause_break_ms=3000))
    assert shown(relaxed) == ["We can talk about it later on."]


# ---------- sentence ends are not left dangling at the top of the next cue ----------

# From the sample: "... when I grew | up. Yeah." and "... when they're properly scaffolded /
# and everything can do way more than most | people think."
DANGLING = script(
    "Well the funny thing is I thought I was going to be a mathematician when I grew up. "
    "Yeah. You know I'd read about people like Galois and Gauss. | And I think when they're "
    "properly scaffolded and everything can do way more than most people think. And that's "
    "basically what this grand experiment is, | right? One thing I found recently that "
    "Hacker News maybe doesn't know is that you were there from four to 250 people as the "
    "first CTO eventually. Um one thing I found recently is this.",
    start_ms=10_000,
    step_ms=250,
)


def dangling_starts(cues: Sequence[Cue]) -> list[str]:
    """Cues opening with a sentence's last one or two words after a cue ending mid-clause
    (capcheck's ``dangling_starts``)."""
    found = []
    for before, cue in itertools.pairwise(cues):
        tokens = " ".join(cue.lines).split()
        if (
            len(tokens) > 2
            and any(token[-1] in ".?!" for token in tokens[:2])
            and " ".join(before.lines).rstrip()[-1] not in ".?!:;,"
        ):
            found.append(f"{' / '.join(before.lines)} | {' / '.join(cue.lines)}")
    return found


@pytest.mark.parametrize("shape", EXACT_SHAPES)
@pytest.mark.parametrize("max_chars", [42, 37, 32])
def test_sentence_ends_are_not_left_dangling(shape: str, max_chars: int) -> None:
    cues = cues_of(DANGLING, shape, CaptionStyle(max_chars=max_chars))
    assert dangling_starts(cues) == []
    # still every word once, in order
    assert [w.text for c in cues for w in c.words] == [w.text for ln in DANGLING for w in ln.words]


# ---------- a name (or a term the talk keeps using) stays on one line ----------

NAMES = script(
    "So, you know, you you know, I did some deep research on you. | Uh you started with "
    "deep research with with deep research. ~500 | Uh we absolutely needed to be on Wells "
    "Fargo and we got sort of the deal done | but now we need to do a technical integration. "
    "~500 | I think deep research changed | how people work.",
    start_ms=5_000,
    step_ms=260,
)


@pytest.mark.parametrize("shape", EXACT_SHAPES)
def test_names_and_repeated_terms_are_not_split_across_lines(shape: str) -> None:
    cues = cues_of(NAMES, shape)
    lines = [line for cue in cues for line in cue.lines]
    assert not [line for line in lines if line.endswith(("Wells", " deep", "Deep"))], lines
    text = " ".join(lines)
    assert "Wells Fargo" in text
    assert text.count("deep research") == 4


def test_a_name_is_split_when_nothing_else_fits() -> None:
    lines = script("Supercalifragilistic Wellsfargobankingcorp", start_ms=0)
    cues = cues_of(lines, style=CaptionStyle(max_chars=25))
    assert cues[0].lines == ("Supercalifragilistic", "Wellsfargobankingcorp")


# ---------- every cue time on the frame grid, gaps of at least min_gap_frames ----------

GRID_TALK = script(
    "Well, hello. Hello. Is the mic working | for you? Check. Check. One, two, "
    "| three. ~120 All right. >> Yes. ~900 | >> First hard technology | problem of the day. "
    "~3100 [Applause] | >> So let's get started with | the first question. | >> Sure. ~40 "
    "| >> Thank you. ~700 Quick one. | Two. | Three.",
    start_ms=17_013,
    step_ms=237,
)


@pytest.mark.parametrize("fps", [23.976, 25.0, 30.0])
@pytest.mark.parametrize("shape", EXACT_SHAPES)
def test_every_cue_time_is_on_the_frame_grid(shape: str, fps: float) -> None:
    style = CaptionStyle(fps=fps)
    cues = cues_of(GRID_TALK, shape, style)
    assert style.frame_grid_problems((c.start_ms, c.end_ms) for c in cues) == []
    # and what is written is exactly that: the SRT reads back with the same times
    data = convert_bytes(EXACT_SHAPES[shape](GRID_TALK).encode(), f"talk.{shape}", "srt", style)
    items = pysrt.from_string(data.decode("utf-8"))
    assert [(i.start.ordinal, i.end.ordinal) for i in items] == [
        (c.start_ms, c.end_ms) for c in cues
    ]


@pytest.mark.parametrize("fps", [23.976, 25.0, 30.0])
@pytest.mark.parametrize("min_gap_frames", [1, 2, 3])
def test_gaps_are_counted_in_frames(fps: float, min_gap_frames: int) -> None:
    style = CaptionStyle(fps=fps, min_gap_frames=min_gap_frames)
    cues = cues_of(GRID_TALK, style=style)
    gaps = [
        style.frame_index(after.start_ms) - style.frame_index(before.end_ms)
        for before, after in itertools.pairwise(cues)
    ]
    assert min(gaps) == min_gap_frames  # short gaps are closed to exactly the minimum
    assert style.frame_grid_problems((c.start_ms, c.end_ms) for c in cues) == []


@pytest.mark.parametrize("fps", [23.976, 25.0, 30.0])
@pytest.mark.parametrize("shift_ms", [3_600_000, 1_234, -20_000])
def test_a_shift_keeps_the_cues_on_the_grid(fps: float, shift_ms: int) -> None:
    style = CaptionStyle(fps=fps)
    source = rolling_vtt(GRID_TALK).encode()
    plain = pysrt.from_string(convert_bytes(source, "talk.vtt", "srt", style).decode())
    data = convert_bytes(source, "talk.vtt", "srt", style, WriteOptions(shift_ms=shift_ms))
    items = pysrt.from_string(data.decode("utf-8"))
    spans = [(i.start.ordinal, i.end.ordinal) for i in items]
    assert style.frame_grid_problems(spans) == []
    frames = style.frame_index(shift_ms)
    kept = [i for i in plain if i.end.ordinal + shift_ms > 0]
    assert len(items) == len(kept)
    for moved, original in zip(items, kept, strict=True):
        if original.start.ordinal + shift_ms >= 0:
            assert style.frame_index(moved.start.ordinal) == (
                style.frame_index(original.start.ordinal) + frames
            )
        assert style.frame_index(moved.end.ordinal) == (
            style.frame_index(original.end.ordinal) + frames
        )


def test_words_keep_their_own_times() -> None:
    """Only cues are put on frames; the words in them (JSON, --mode words) stay exact."""
    transcript: Transcript = read_text(rolling_vtt(GRID_TALK), "talk.vtt")
    cues = build_cues(transcript, CaptionStyle(fps=23.976))
    assert [w for c in cues for w in c.words] == list(transcript.words)
