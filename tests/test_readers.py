"""Readers: every shape of rolling captions gives back each spoken word once, in order, timed."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pytest
from factory import (
    Line,
    converted_srt,
    converted_vtt,
    rolling_json3,
    rolling_markdown,
    rolling_vtt,
    script,
    spoken,
)

from clipkit.errors import CaptionParseError, UnknownFormatError
from clipkit.model import Transcript, Word
from clipkit.readers import READERS, decode, detect_format, read_bytes, read_text

TALK = script(
    "Well, hello. Hello. Is the mic working | for you? Check. Check. One, two, "
    "| three. All right. ~1500 First hard technology | problem of the day down. "
    "| >> Yeah. Yeah. Well, the Wi-Fi | is the other one. ~3000 || [Applause] "
    "| So let's get started with | the first question of the day. | >> Sure. ~800 "
    "| >> Thank you.",
    start_ms=17_000,
    step_ms=280,
)


@dataclass(frozen=True)
class Shape:
    name: str
    build: Callable[[Sequence[Line]], str]
    format_id: str
    exact: bool  # every word's start is stated in the file


SHAPES = [
    Shape("vtt", rolling_vtt, "youtube-vtt", True),
    Shape("vtt-old", lambda ls: rolling_vtt(ls, old_style=True), "youtube-vtt", True),
    Shape("vtt-trailing", lambda ls: rolling_vtt(ls, trailing_space=True), "youtube-vtt", True),
    Shape("json3", rolling_json3, "json3", True),
    Shape("json3-compact", lambda ls: rolling_json3(ls, indent=None), "json3", True),
    Shape("markdown", rolling_markdown, "markdown", False),
    Shape("srt", converted_srt, "srt", False),
    Shape("srt-crlf", lambda ls: converted_srt(ls, crlf=True), "srt", False),
    # leftover <ts><c> tags: the word times are still there, and used
    Shape("srt-leftovers", lambda ls: converted_srt(ls, leftovers=True), "youtube-vtt", True),
    Shape("vtt-converted", converted_vtt, "vtt", False),
]
SHAPE_IDS = [shape.name for shape in SHAPES]


def texts(words: Sequence[Word]) -> list[str]:
    return [w.text for w in words]


def read(shape: Shape, lines: Sequence[Line]) -> Transcript:
    return read_text(shape.build(lines), f"talk.{shape.name}")


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_every_word_once_in_order(shape: Shape) -> None:
    transcript = read(shape, TALK)
    assert texts(transcript.words) == [w.text for w in spoken(TALK)]
    assert transcript.source_format == shape.format_id


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_speaker_changes_and_line_starts(shape: Shape) -> None:
    words = read(shape, TALK).words
    assert [w.speaker_change for w in words] == [w.speaker_change for w in spoken(TALK)]
    line_starts = [k == 0 for line in TALK for k in range(len(line.words))]
    assert [w.line_start for w in words] == line_starts


@pytest.mark.parametrize("shape", [s for s in SHAPES if s.exact], ids=lambda s: s.name)
def test_exact_word_times_are_kept(shape: Shape) -> None:
    transcript = read(shape, TALK)
    assert [w.start_ms for w in transcript.words] == [w.start_ms for w in spoken(TALK)]
    assert transcript.exact_word_times


@pytest.mark.parametrize("shape", [s for s in SHAPES if not s.exact], ids=lambda s: s.name)
def test_estimated_word_times_stay_near_the_truth(shape: Shape) -> None:
    transcript = read(shape, TALK)
    assert not transcript.exact_word_times
    starts = [w.start_ms for w in transcript.words]
    assert starts == sorted(starts)
    # markdown knows whole seconds only; converted SRT/VTT know every line's start exactly
    tolerance = 1000 if shape.format_id == "markdown" else 0
    line_firsts = [(line.start_ms, line.words[0].text) for line in TALK]
    got_firsts = [(w.start_ms, w.text) for w in transcript.words if w.line_start]
    for (true_ms, text), (got_ms, got_text) in zip(line_firsts, got_firsts, strict=True):
        assert got_text == text
        assert abs(got_ms - true_ms) <= tolerance, text
    # the other words are spread over their line: within its span (a second's slack)
    spans = [
        (
            line.start_ms,
            TALK[k + 1].start_ms if k + 1 < len(TALK) else line.words[-1].start_ms + 1000,
        )
        for k, line in enumerate(TALK)
        for _ in line.words
    ]
    for word, (line_start, next_start) in zip(transcript.words, spans, strict=True):
        assert line_start - tolerance <= word.start_ms <= next_start + tolerance, word.text
        assert word.end_ms >= word.start_ms


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_sound_tags_are_one_word_each(shape: Shape) -> None:
    lines = script(
        "[Music] | welcome back everyone | [  music] | [musique] ~500 | [Applause] "
        "| and [rires] then more | [clears throat] ok",
        start_ms=500,
    )
    words = read(shape, lines).words
    tags = [w.text for w in words if w.is_sound_tag]
    # converted files and markdown squeeze the spaces inside a tag; the tag stays one word
    assert [" ".join(t.split()) for t in tags] == [
        "[Music]",
        "[ music]",
        "[musique]",
        "[Applause]",
        "[rires]",
        "[clears throat]",
    ]
    assert len(words) == len(spoken(lines))


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_crlf_input_reads_the_same(shape: Shape) -> None:
    text = shape.build(TALK).replace("\r\n", "\n")
    lf = read_text(text, "lf")
    crlf = read_text(text.replace("\n", "\r\n"), "crlf")
    assert crlf.words == lf.words


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_exactly_one_reader_claims_each_shape(shape: Shape) -> None:
    text = shape.build(TALK)
    claims = [spec.format_id for spec in READERS.values() if spec.sniff(text)]
    assert claims == [shape.format_id]
    assert detect_format(text) == shape.format_id


def test_json3_speaker_change_flag_alone_is_enough() -> None:
    data = json.loads(rolling_json3(TALK))
    for event in data["events"]:
        for seg in event.get("segs", []):
            seg["utf8"] = seg["utf8"].replace(">> ", "")
    words = read_text(json.dumps(data)).words
    assert texts(words) == [w.text for w in spoken(TALK)]
    assert [w.speaker_change for w in words] == [w.speaker_change for w in spoken(TALK)]


def test_json3_event_ends_at_the_next_event_not_its_stated_duration() -> None:
    lines = script("one two three | four five ~4000 | six", start_ms=0, step_ms=400)
    words = read_text(rolling_json3(lines)).words
    three = words[2]
    assert three.text == "three"
    # the stated duration of the first event runs past "four"; the word may not
    assert three.end_ms <= words[3].start_ms


def test_vtt_header_language_is_kept() -> None:
    assert read_text(rolling_vtt(TALK, language="fr")).language == "fr"


def test_speaker_marks_mid_line() -> None:
    lines = script("ok then >> bye now | >> see you", start_ms=0)
    for shape in SHAPES:
        words = read(shape, lines).words
        assert texts(words) == ["ok", "then", "bye", "now", "see", "you"], shape.name
        assert [w.speaker_change for w in words] == [False, False, True, False, True, False]


# ---------- markdown: cleared screens ----------


def test_markdown_cleared_screens() -> None:
    lines = script(
        "[Applause] | [Music] || Well, hello. Hello. Is the mic | working for you? "
        "~4000 || Next part begins | right here and now",
        start_ms=17_000,
    )
    words = read_text(rolling_markdown(lines)).words
    assert texts(words) == [w.text for w in spoken(lines)]
    # a cleared screen starts a line of its own; its first word is near its true start
    well = next(w for w in words if w.text == "Well,")
    assert well.line_start
    assert 17_000 + 2 * 2000 - 1000 <= well.start_ms <= 17_000 + 2 * 2000 + 1000


def test_markdown_cleared_screen_repeating_the_last_line() -> None:
    # after a clear, the new line begins with the words of the line before it
    lines = script("so thank you || so thank you all | for coming today", start_ms=3000)
    words = read_text(rolling_markdown(lines)).words
    assert texts(words) == [
        "so",
        "thank",
        "you",
        "so",
        "thank",
        "you",
        "all",
        "for",
        "coming",
        "today",
    ]


def test_markdown_hour_timestamps() -> None:
    lines = script("late in the talk | we say goodbye", start_ms=3_600_000 + 59_000)
    text = rolling_markdown(lines)
    assert "**[1:00:59]**" in text
    words = read_text(text).words
    assert texts(words) == ["late", "in", "the", "talk", "we", "say", "goodbye"]
    assert 3_659_000 <= words[0].start_ms < 3_660_000


# ---------- repeated one-word lines ----------

REPEATED_LINES = script("[Music] | [Music] | so welcome | Check. | Check. | Check. one two", 1000)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_repeated_short_lines_are_kept(shape: Shape) -> None:
    assert texts(read(shape, REPEATED_LINES).words) == [w.text for w in spoken(REPEATED_LINES)]


# ---------- irregular spacing: a line compared with its repeat must still match ----------

SPACED_TALK = script(
    "h then we went on | AT&T and | the R&D team | sat down | [Music] "
    "| >> Right. So | that was | it.",
    start_ms=5_000,
    step_ms=300,
)


def irregularly_spaced(lines: Sequence[Line]) -> list[Line]:
    """Every second word of a line typed after two spaces, as some real files have it
    (``h  <00:18:12.423><c>then</c>``)."""
    return [
        Line(
            tuple(replace(w, space_before="  ") if k == 1 else w for k, w in enumerate(line.words)),
            line.cleared,
        )
        for line in lines
    ]


SPACED_SHAPES = [
    *SHAPES,
    # the finished line alone for longer than a transition: a cue of its own, repeating it
    Shape("vtt-held", lambda ls: rolling_vtt(ls, transition_ms=200), "youtube-vtt", True),
    Shape(
        "vtt-held-trailing",
        lambda ls: rolling_vtt(ls, transition_ms=200, trailing_space=True),
        "youtube-vtt",
        True,
    ),
    Shape("srt-held", lambda ls: converted_srt(ls, tail_ms=800), "srt", False),
]


@pytest.mark.parametrize("shape", SPACED_SHAPES, ids=[s.name for s in SPACED_SHAPES])
def test_a_double_spaced_line_repeated_is_not_read_again(shape: Shape) -> None:
    lines = irregularly_spaced(SPACED_TALK)
    source = shape.build(lines)
    if shape.name.startswith("vtt") and not shape.name.endswith("old"):
        assert "h  <" in source or "h  then" in source  # the shape under test
    transcript = read_text(source, f"talk.{shape.name}")
    assert texts(transcript.words) == [w.text for w in spoken(lines)]
    assert transcript.source_format == shape.format_id


# ---------- ordinary SRT ----------

ORDINARY_SRT = """1
00:00:01,000 --> 00:00:04,000
So this is how we

2
00:00:03,500 --> 00:00:06,000
build a rocket.

3
00:00:06,000 --> 00:00:08,500
<i>It flies</i> &amp; lands.
"""


def test_ordinary_srt_with_overlapping_cues() -> None:
    transcript = read_text(ORDINARY_SRT)
    assert transcript.source_format == "srt"
    expected = "So this is how we build a rocket. It flies & lands."
    assert texts(transcript.words) == expected.split(" ")
    firsts = [w.start_ms for w in transcript.words if w.line_start]
    assert firsts == [1000, 3500, 6000]


# ---------- --from override ----------


def test_format_override_reads_rolling_vtt_as_plain_vtt() -> None:
    text = rolling_vtt(TALK)
    transcript = read_text(text, "talk.vtt", format_id="vtt")
    assert transcript.source_format == "vtt"
    assert texts(transcript.words) == [w.text for w in spoken(TALK)]


def test_format_override_with_the_wrong_reader_is_a_parse_error() -> None:
    with pytest.raises(CaptionParseError, match=r"^talk\.md"):
        read_text(rolling_markdown(TALK), "talk.md", format_id="json3")


def test_unknown_format_override() -> None:
    with pytest.raises(UnknownFormatError, match="unknown input format 'ass'"):
        read_text(rolling_vtt(TALK), "x", format_id="ass")


def test_ambiguous_input_names_the_claimants() -> None:
    text = rolling_markdown(TALK) + "\n1\n00:00:01,000 --> 00:00:02,000\nhello\n"
    with pytest.raises(UnknownFormatError, match="ambiguous format: claimed by markdown, srt"):
        detect_format(text, "both.md")


# ---------- encodings ----------


@pytest.mark.parametrize(
    "encoding,bom",
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("cp1252", b""),
    ],
)
@pytest.mark.parametrize(
    "shape", [SHAPES[0], SHAPES[3], SHAPES[5], SHAPES[6]], ids=lambda s: s.name
)
def test_encodings(shape: Shape, encoding: str, bom: bytes) -> None:
    lines = script("Café – naïve “quotes” ’n’ déjà vu | €5 coûte trop", start_ms=2000)
    text = shape.build(lines)
    data = bom + text.encode(encoding)
    transcript = read_bytes(data, "talk")
    assert texts(transcript.words) == [w.text for w in spoken(lines)]
    assert decode(data) == text


def test_cp1252_bytes_that_are_not_utf8() -> None:
    data = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nna\u00efve caf\u00e9 \u2019quoted\u2019\n\n"
    raw = data.encode("cp1252")
    assert b"\x92" in raw  # a right single quote in cp1252, invalid as UTF-8
    assert texts(read_bytes(raw).words) == ["naïve", "café", "’quoted’"]
