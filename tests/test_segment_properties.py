"""Hypothesis properties of the segmenter (build_cues) and of the readers on any input."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence

import pytest
from factory import (
    Line,
    converted_srt,
    lines_from_words,
    rolling_json3,
    rolling_markdown,
    rolling_vtt,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from clipkit.errors import CaptionParseError
from clipkit.model import Cue, Transcript, Word
from clipkit.readers import read_bytes, read_text
from clipkit.segment import _midline_uncertainty, build_cues
from clipkit.style import CaptionStyle
from clipkit.writers import WriteOptions, render

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

COMMON = [
    "the", "a", "an", "and", "of", "to", "in", "I", "you", "it's", "we're", "so",
    "hello", "world", "rocket", "launch", "because", "which", "Yeah.", "Yeah,", "okay.",
    "right?", "wow!", "well,", "um", "Wi-Fi", "$10", "100%", "(laughs)", "“quoted”",
    "naïve", "café", "déjà", "vu…", "—", "end.", "supercalifragilisticexpialidocious-extra-long",
]  # fmt: skip
SOUND_TAGS = ["[Music]", "[Applause]", "[  music]", "[musique]", "[clears throat]"]
PUNCT = ["", "", "", ",", ".", "?", "!", ";", ":"]

word_text = st.one_of(
    st.sampled_from(COMMON),
    st.builds(
        lambda core, tail: core + tail,
        st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=14),
        st.sampled_from(PUNCT),
    ),
)


@st.composite
def transcripts(draw: st.DrawFn, max_words: int = 120, unique: bool = False) -> Transcript:
    """Words with random gaps (some long pauses), punctuation, sound tags, speaker changes.

    ``unique`` numbers every word (``7hello,``, ``[Music 7]``), so no two lines are alike.
    """
    count = draw(st.integers(1, max_words))
    at = draw(st.integers(0, 5_000))
    words: list[Word] = []
    for _ in range(count):
        is_tag = draw(st.integers(0, 14)) == 0
        text = draw(st.sampled_from(SOUND_TAGS)) if is_tag else draw(word_text)
        if unique:
            text = f"{text[:-1]} {len(words)}]" if is_tag else f"{len(words)}{text}"
        speaker = bool(words) and draw(st.integers(0, 9)) == 0
        length = draw(st.integers(0, 9_000 if is_tag else 900))
        words.append(Word(at, at + length, text, speaker_change=speaker, line_start=False))
        gap = draw(st.one_of(st.integers(0, 700), st.integers(0, 12_000)))
        at += max(gap, 0) if not is_tag else length + gap
    # words end at the latest where the next starts (speech does not overlap itself)
    fixed = [
        Word(w.start_ms, min(w.end_ms, nxt.start_ms), w.text, w.speaker_change, k % 7 == 0)
        for k, (w, nxt) in enumerate(itertools.pairwise(words))
    ]
    fixed.append(words[-1])
    exact = draw(st.booleans())
    return Transcript(tuple(fixed), "test", exact_word_times=exact)


styles = st.builds(
    CaptionStyle,
    max_chars=st.integers(10, 60),
    max_lines=st.integers(1, 3),
    min_duration_ms=st.integers(300, 1500),
    max_duration_ms=st.integers(1500, 10_000),
    fps=st.sampled_from([23.976, 24.0, 25.0, 30.0, 60.0]),
    min_gap_frames=st.integers(0, 3),
    close_gap_ms=st.integers(0, 1000),
    linger_ms=st.integers(0, 1000),
    max_cps=st.floats(5, 30),
    speaker_marker=st.sampled_from(["- ", ">> "]),
    sound_tags=st.booleans(),
    mode=st.just("cues"),
)
any_style = st.one_of(st.just(CaptionStyle()), styles)


def kept_words(transcript: Transcript, style: CaptionStyle) -> list[Word]:
    if style.sound_tags:
        return list(transcript.words)
    return [w for w in transcript.words if not w.is_sound_tag]


def unmarked(line: str, style: CaptionStyle) -> str:
    return line.removeprefix(style.speaker_marker)


def check_cues(cues: Sequence[Cue], transcript: Transcript, style: CaptionStyle) -> None:
    words = kept_words(transcript, style)
    # every word exactly once, in order
    assert [(w.text, w.start_ms) for c in cues for w in c.words] == [
        (w.text, w.start_ms) for w in words
    ]
    # texts only: with sound tags dropped, a speaker change moves to the next word
    for cue in cues:
        assert cue.lines and all(line.strip() for line in cue.lines)
        # the text on screen, markers removed, is the cue's words
        shown = " ".join(unmarked(line, style) for line in cue.lines)
        assert shown == " ".join(w.text for w in cue.words)
        # a speaker change always starts a marked line
        line_firsts = []
        position = 0
        for line in cue.lines:
            line_firsts.append(position)
            position += len(unmarked(line, style).split(" "))
        tokens_before = 0
        for word in cue.words:
            if word.speaker_change:
                index = line_firsts.index(tokens_before)
                assert cue.lines[index].startswith(style.speaker_marker)
            tokens_before += len(word.text.split(" "))
        # layout
        assert len(cue.lines) <= style.max_lines
        for line in cue.lines:
            if len(line) > style.max_chars:
                assert " " not in unmarked(line, style).strip() or (
                    unmarked(line, style).startswith("[") and unmarked(line, style).endswith("]")
                ), line
        # timing: whole frames, at least the minimum and at most the maximum duration (the
        # maximum wins when less than a frame lies between them)
        longest = style.frame_floor(cue.start_ms + style.max_duration_ms)
        shortest = min(style.frame_ceil(cue.start_ms + style.min_duration_ms), longest)
        assert shortest <= cue.end_ms <= longest, cue
        # a pause between two words' starts always ends a cue (where times are exact)
        if transcript.exact_word_times:
            for before, after in itertools.pairwise(cue.words):
                assert after.start_ms - before.start_ms < style.pause_break_ms, cue
    # every time on a frame, min_gap_frames between cues (counted in frames)
    assert style.frame_grid_problems((c.start_ms, c.end_ms) for c in cues) == []
    frame_index, frame_ms = style.frame_index, style.frame_ms
    for earlier, later in itertools.pairwise(cues):
        assert earlier.start_ms < later.start_ms
        gap = frame_index(later.start_ms) - frame_index(earlier.end_ms)
        # short gaps are closed to the minimum gap (unless the cue is at its longest)
        room = frame_ms(frame_index(later.start_ms) - style.min_gap_frames) - earlier.end_ms
        assert (
            gap == style.min_gap_frames
            or room > style.close_gap_ms
            or earlier.end_ms == style.frame_floor(earlier.start_ms + style.max_duration_ms)
        ), (earlier, later)
    for cue in cues:
        # up at most linger_ms after the last word (to the nearest frame), or for the minimum
        # duration, then extended only to close a short gap before the next cue
        latest = (
            max(
                style.snap_to_frame(cue.words[-1].end_ms + style.linger_ms),
                style.frame_ceil(cue.start_ms + style.min_duration_ms),
            )
            + style.close_gap_ms
        )
        assert cue.end_ms <= latest, cue
    # a cue starts on the frame nearest its first word, unless the cue before it had to be
    # held for its minimum duration: then it starts min_gap_frames after that cue ends
    for index, cue in enumerate(cues):
        first = frame_index(cue.words[0].start_ms)
        if index == 0:
            assert cue.start_ms == frame_ms(first)
        else:
            after_previous = frame_index(cues[index - 1].end_ms) + style.min_gap_frames
            assert cue.start_ms == frame_ms(max(first, after_previous))


@SETTINGS
@given(transcripts(), any_style)
def test_cues_keep_every_word_and_the_policy(transcript: Transcript, style: CaptionStyle) -> None:
    check_cues(build_cues(transcript, style), transcript, style)


@SETTINGS
@given(transcripts(), st.sampled_from(["- ", ">> "]))
def test_default_style_also_holds_for_lines_mode(transcript: Transcript, marker: str) -> None:
    style = CaptionStyle(mode="lines", speaker_marker=marker)  # type: ignore[arg-type]
    cues = build_cues(transcript, style)
    assert [w for c in cues for w in c.words] == list(transcript.words)
    assert style.frame_grid_problems((c.start_ms, c.end_ms) for c in cues) == []


def screen_words(cues: Sequence[Cue], marker: str) -> list[str]:
    words: list[str] = []
    for cue in cues:
        for line in cue.lines:
            words += line.removeprefix(marker).split()
    return words


@SETTINGS
@given(transcripts(max_words=80, unique=True))
def test_rereading_our_srt_gives_the_same_text(transcript: Transcript) -> None:
    style = CaptionStyle(speaker_marker=">> ")
    cues = build_cues(transcript, style)
    data = render(cues, transcript, "srt", WriteOptions())
    again = read_bytes(data, "ours.srt")
    cues_again = build_cues(again, style)
    assert screen_words(cues_again, ">> ") == screen_words(cues, ">> ")
    # and once more (the cue layout may differ: re-read word times are estimates)
    data_again = render(cues_again, again, "srt", WriteOptions())
    third = build_cues(read_bytes(data_again, "ours2.srt"), style)
    assert screen_words(third, ">> ") == screen_words(cues, ">> ")


@SETTINGS
@given(transcripts(max_words=60, unique=True))
def test_rereading_our_vtt_gives_the_same_text(transcript: Transcript) -> None:
    style = CaptionStyle(speaker_marker=">> ")
    cues = build_cues(transcript, style)
    data = render(cues, transcript, "vtt", WriteOptions())
    again = read_bytes(data, "ours.vtt")
    assert screen_words(build_cues(again, style), ">> ") == screen_words(cues, ">> ")


# ---------- readers on arbitrary input ----------


def read_or_our_error(data: bytes) -> None:
    try:
        transcript = read_bytes(data, "fuzz")
    except CaptionParseError as error:
        assert "\n" not in str(error)
        assert str(error).startswith("fuzz")
        return
    build_cues(transcript)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash_the_parser(data: bytes) -> None:
    read_or_our_error(data)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes_the_parser(text: str) -> None:
    read_or_our_error(text.encode("utf-8"))


# caption-like text: fragments that each reader's sniffing recognises
FRAGMENTS = [
    "WEBVTT\n",
    "Kind: captions\n",
    "\n",
    " \n",
    "00:00:01.000 --> 00:00:02.000 align:start position:0%\n",
    "00:00:02.000 --> 00:00:01.500\n",
    "00:00:01,000 --> 00:00:03,000\n",
    "1\n",
    "hello<00:00:01.500><c> world</c>\n",
    "<00:00:00.000><c>",
    "&gt;&gt; ",
    "[Music]\n",
    "**[00:01]** hello there\n",
    "**[1:00:01]** ",
    "### [00:00 - 01:00]\n",
    '{"events": [',
    '{"tStartMs": 5, "segs": [{"utf8": "hi", "tOffsetMs": 3}]}',
    '{"tStartMs": 1, "aAppend": 1, "segs": [{"utf8": "\\n"}]}',
    ", ",
    "]}",
    "-->",
    "word ",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=30))
def test_caption_like_text_never_crashes_the_parser(pieces: list[str]) -> None:
    read_or_our_error("".join(pieces).encode("utf-8"))


rolling_builders: dict[str, Callable[[Sequence[Line]], str]] = {
    "vtt": rolling_vtt,
    "json3": rolling_json3,
    "markdown": rolling_markdown,
    "srt": converted_srt,
}


@st.composite
def damaged_rolling_files(draw: st.DrawFn) -> str:
    """A real-shaped rolling file with lines deleted, repeated, swapped or cut."""
    count = draw(st.integers(2, 25))
    at = 1000
    pairs: list[tuple[str, int]] = []
    for _ in range(count):
        pairs.append((draw(st.sampled_from(COMMON + SOUND_TAGS)), at))
        at += draw(st.integers(50, 3000))
    lines = lines_from_words(pairs, per_line=draw(st.integers(1, 8)))
    builder = rolling_builders[draw(st.sampled_from(sorted(rolling_builders)))]
    try:
        text = builder(lines)
    except ValueError:
        assume(False)
        raise
    rows = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        if not rows:
            break
        k = draw(st.integers(0, len(rows) - 1))
        action = draw(st.sampled_from(["delete", "repeat", "swap", "cut", "garble"]))
        if action == "delete":
            del rows[k]
        elif action == "repeat":
            rows.insert(k, rows[k])
        elif action == "swap" and k + 1 < len(rows):
            rows[k], rows[k + 1] = rows[k + 1], rows[k]
        elif action == "cut":
            rows = rows[:k]
        elif action == "garble":
            cut = draw(st.integers(0, len(rows[k])))
            rows[k] = rows[k][:cut] + draw(st.text(max_size=3)) + rows[k][cut:]
    return "\n".join(rows)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(damaged_rolling_files())
def test_damaged_rolling_files_never_crash_the_parser(text: str) -> None:
    read_or_our_error(text.encode("utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        '{"events": [{"tStartMs": 0, "segs": [{"utf8": "hi"}]}, 7]}',
        '{"events": [{"tStartMs": null, "segs": [{"utf8": "hi"}]}]}',
        json.dumps({"events": [{"tStartMs": 0, "segs": "hello"}]}),
    ],
)
def test_odd_json3_is_our_error(text: str) -> None:
    with pytest.raises(CaptionParseError):
        read_text(text, "odd.json3")


def test_our_srt_with_repeated_lines_reads_back_whole() -> None:
    two_speakers = [
        Word(0, 300, "No.", speaker_change=True),
        Word(400, 700, "No.", speaker_change=True),
        Word(2000, 2300, "No.", speaker_change=True),
        Word(2400, 2700, "No.", speaker_change=True),
    ]
    transcript = Transcript(tuple(two_speakers))
    cues = build_cues(transcript, CaptionStyle(speaker_marker=">> "))
    assert [c.lines for c in cues] == [(">> No.", ">> No."), (">> No.", ">> No.")]
    data = render(cues, transcript, "srt", WriteOptions())
    assert [w.text for w in read_bytes(data, "ours.srt").words] == ["No."] * 4


def test_one_line_style_and_dialogue() -> None:
    words = (
        Word(0, 300, "Ready?"),
        Word(400, 700, "Yes.", speaker_change=True),
        Word(5000, 5500, "Go.", speaker_change=True),
    )
    cues = build_cues(Transcript(words), CaptionStyle(max_lines=1))
    assert all(len(cue.lines) == 1 for cue in cues), [c.lines for c in cues]


def test_midline_uncertainty_grows_inside_long_lines() -> None:
    """A word spread into the middle of a 4 s line is 1 s uncertain: 0.5 s past a line start's."""
    words = [
        Word(0, 200, "first", line_start=True),
        Word(200, 2000, "near"),
        Word(2000, 4000, "middle"),
        Word(4000, 4500, "next", line_start=True),
        Word(4500, 9000, "unbounded"),
    ]
    uncertain = _midline_uncertainty(words)
    assert uncertain[0] == uncertain[1] == uncertain[3] == uncertain[4] == 0.0
    assert uncertain[2] == pytest.approx(0.5)
