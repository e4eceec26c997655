"""Writers: what they write must read back the same with pysrt, webvtt-py, srt and ffmpeg."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pysrt
import pysubs2
import pytest
import srt
import webvtt
from factory import rolling_vtt, script
from hypothesis import given
from hypothesis import strategies as st

from clipkit.errors import OutputError
from clipkit.model import Cue, Transcript, Word
from clipkit.readers import read_text
from clipkit.segment import build_cues
from clipkit.style import CaptionStyle
from clipkit.timefmt import format_timestamp
from clipkit.writers import WRITERS, WriteOptions, render
from clipkit.writers.txt import paragraphs_of

BOM = b"\xef\xbb\xbf"


def make_cues(*spans: tuple[int, int, str]) -> tuple[list[Cue], Transcript]:
    """Cues from (start_ms, end_ms, "line one|line two"); words spread evenly over each cue."""
    cues: list[Cue] = []
    for start, end, text in spans:
        lines = tuple(text.split("|"))
        tokens = " ".join(line.removeprefix("- ") for line in lines).split()
        step = (end - start) // (len(tokens) + 1)
        words = tuple(
            Word(start + i * step, start + (i + 1) * step, token, speaker_change=False)
            for i, token in enumerate(tokens)
        )
        cues.append(Cue(start, end, lines, words))
    return cues, Transcript(tuple(w for cue in cues for w in cue.words))


SAMPLE = make_cues(
    (1_000, 2_500, "Well, hello. Hello."),
    (2_567, 5_000, "Is the mic working|for you? Check."),
    (5_067, 9_000, "- AT&T <sponsored> this|- a > b"),
    (3_725_000, 3_727_000, "[Music]"),
)


def text_of(data: bytes) -> str:
    return data.decode("utf-8")


def test_registry_has_the_four_formats() -> None:
    assert set(WRITERS) == {"srt", "vtt", "json", "txt"}


def test_unknown_format_is_an_output_error() -> None:
    with pytest.raises(OutputError, match="unknown output format"):
        render(*SAMPLE, "ass", WriteOptions())


def test_srt_layout() -> None:
    data = render(*SAMPLE, "srt", WriteOptions())
    assert not data.startswith(BOM)
    assert b"\r" not in data
    text = text_of(data)
    blocks = text.strip("\n").split("\n\n")
    assert [block.split("\n")[0] for block in blocks] == ["1", "2", "3", "4"]
    assert blocks[0].split("\n")[1] == "00:00:01,000 --> 00:00:02,500"
    assert blocks[3].split("\n")[1] == "01:02:05,000 --> 01:02:07,000"
    assert blocks[1].split("\n")[2:] == ["Is the mic working", "for you? Check."]


def test_srt_reads_back_with_pysrt_and_strict_srt() -> None:
    cues, _ = SAMPLE
    text = text_of(render(*SAMPLE, "srt", WriteOptions()))
    items = pysrt.from_string(text)
    assert [(i.start.ordinal, i.end.ordinal, i.text) for i in items] == [
        (c.start_ms, c.end_ms, c.text) for c in cues
    ]
    parsed = list(srt.parse(text, ignore_errors=False))
    assert [(s.index, s.start.total_seconds(), s.content) for s in parsed] == [
        (n, c.start_ms / 1000, c.text) for n, c in enumerate(cues, 1)
    ]


def test_vtt_reads_back_with_webvtt_py() -> None:
    cues, _ = SAMPLE
    text = text_of(render(*SAMPLE, "vtt", WriteOptions()))
    assert text.startswith("WEBVTT\n\n")
    assert "AT&amp;T &lt;sponsored> this" in text
    captions = webvtt.from_buffer(io.StringIO(text)).captions
    assert [
        (c.start_time.in_milliseconds(), c.end_time.in_milliseconds(), html.unescape(c.text))
        for c in captions
    ] == [(c.start_ms, c.end_ms, c.text) for c in cues]


def test_speaker_chevrons_in_vtt_read_back_plainly_with_pysubs2_and_webvtt_py() -> None:
    # ">" needs no escape in WebVTT, and these libraries (like GStreamer) show "&gt;" as is
    lines = script(">> Who is it? | >> Me. AT&T <3 | a > b? ~2000 | >> Right.", start_ms=1000)
    transcript = read_text(rolling_vtt(lines), "talk.en.vtt")
    style = CaptionStyle(speaker_marker=">> ")
    text = text_of(render(build_cues(transcript, style), transcript, "vtt", WriteOptions()))
    assert "&gt;" not in text
    assert "AT&amp;T &lt;3" in text  # & and < are still escaped, as WebVTT requires
    # a reply too quick for a cue of its own shares a dialogue cue
    expected = [">> Who is it?\n>> Me. AT&amp;T &lt;3 a > b?", ">> Right."]
    subs = pysubs2.SSAFile.from_string(text, format_="vtt")
    assert [event.plaintext for event in subs] == expected
    captions = webvtt.from_buffer(io.StringIO(text)).captions
    assert [caption.text for caption in captions] == expected
    again = read_text(text, "ours.vtt").words
    assert [(w.text, w.speaker_change) for w in again] == [
        (w.text, w.speaker_change) for w in transcript.words
    ]


def test_words_vtt_has_increasing_tags_inside_each_cue() -> None:
    cues, transcript = SAMPLE
    text = text_of(render(cues, transcript, "vtt", WriteOptions(words_vtt=True)))
    captions = webvtt.from_buffer(io.StringIO(text)).captions
    for caption, cue in zip(captions, cues, strict=True):
        tags = [
            webvtt.models.Timestamp.from_string(t).in_milliseconds()
            for t in re.findall(r"<(\d\d:\d\d:\d\d\.\d{3})>", caption.raw_text)
        ]
        assert tags == sorted(tags)
        assert all(cue.start_ms < t < cue.end_ms for t in tags)
        assert len(tags) == len(cue.words) - 1  # every word but the first, which starts the cue
        # one line: the caption's lines joined (videogrep takes one tagged line a cue)
        assert html.unescape(caption.text) == " ".join(cue.lines)
        # each tag right after a word: when the next one starts
        spoken = re.findall(r"(\S+)<(\d\d:\d\d:\d\d\.\d{3})>", html.unescape(caption.raw_text))
        assert [word for word, _ in spoken] == [w.text for w in cue.words[:-1]]
        assert [stamp for _, stamp in spoken] == [
            format_timestamp(w.start_ms) for w in cue.words[1:]
        ]
    assert "<00:00:06.750> - a" in text  # a tag goes before the speaker marker, not after it


def test_words_vtt_leaves_lines_untagged_when_words_do_not_match() -> None:
    cue = Cue(0, 1000, ("hello world",), (Word(0, 400, "hello"), Word(500, 900, "there")))
    text = text_of(render([cue], Transcript(cue.words), "vtt", WriteOptions(words_vtt=True)))
    assert "\nhello world\n" in text


@pytest.mark.parametrize("format_id", ["srt", "vtt"])
def test_ffmpeg_converts_the_output_to_ass(tmp_path: Path, format_id: str) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    source = tmp_path / f"out.{format_id}"
    source.write_bytes(render(*SAMPLE, format_id, WriteOptions()))
    target = tmp_path / "out.ass"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(source), str(target)],
        check=True,
        capture_output=True,
    )
    ass = target.read_text(encoding="utf-8")
    assert "Dialogue: 0,0:00:01.00,0:00:02.50" in ass
    assert "1:02:05.00" in ass


@pytest.mark.parametrize("format_id", ["srt", "vtt", "json", "txt"])
def test_bom_and_crlf(format_id: str) -> None:
    plain = render(*SAMPLE, format_id, WriteOptions())
    data = render(*SAMPLE, format_id, WriteOptions(bom=True, crlf=True))
    assert data.startswith(BOM)
    body = data[len(BOM) :]
    assert b"\n" in body
    assert body.count(b"\n") == body.count(b"\r\n")
    assert body.replace(b"\r\n", b"\n") == plain


def test_srt_with_bom_and_crlf_still_reads_back() -> None:
    data = render(*SAMPLE, "srt", WriteOptions(bom=True, crlf=True))
    text = data.decode("utf-8-sig")
    assert len(list(srt.parse(text, ignore_errors=False))) == 4
    assert len(pysrt.from_string(text)) == 4


def test_positive_shift_moves_every_time() -> None:
    cues, _ = SAMPLE
    items = pysrt.from_string(text_of(render(*SAMPLE, "srt", WriteOptions(shift_ms=1500))))
    assert [(i.start.ordinal, i.end.ordinal) for i in items] == [
        (c.start_ms + 1500, c.end_ms + 1500) for c in cues
    ]


def test_negative_shift_drops_and_clips_what_falls_before_zero() -> None:
    items = pysrt.from_string(text_of(render(*SAMPLE, "srt", WriteOptions(shift_ms=-3000))))
    # the first cue (1.0-2.5 s) is gone, the second (2.567-5.0 s) starts at zero
    assert [(i.index, i.start.ordinal, i.end.ordinal) for i in items][:2] == [
        (1, 0, 2000),
        (2, 2067, 6000),
    ]
    assert len(items) == 3
    data = json.loads(render(*SAMPLE, "json", WriteOptions(shift_ms=-3000)))
    assert all(word["start"] >= 0 for word in data["words"])
    assert data["cues"][0]["start"] == 0


def test_json_layout() -> None:
    cues, _ = SAMPLE
    data = json.loads(render(*SAMPLE, "json", WriteOptions()))
    assert set(data) == {"words", "cues"}
    assert data["cues"][0] == {"start": 1.0, "end": 2.5, "lines": ["Well, hello. Hello."]}
    assert data["cues"][2]["lines"] == ["- AT&T <sponsored> this", "- a > b"]
    first = data["words"][0]
    assert set(first) == {"start", "end", "text", "speaker_change"}
    assert first["text"] == "Well,"
    assert len(data["words"]) == sum(len(c.words) for c in cues)
    for word in data["words"]:
        assert round(word["start"], 3) == word["start"]


def test_json_of_nothing_is_valid() -> None:
    assert json.loads(render([], Transcript(()), "json", WriteOptions())) == {
        "words": [],
        "cues": [],
    }


def words_at(*spec: tuple[int, str]) -> list[Word]:
    words = []
    for start, text in spec:
        change = text.startswith(">>")
        words.append(Word(start, start + 300, text.removeprefix(">>"), speaker_change=change))
    return words


def test_txt_paragraphs_break_at_speakers_pauses_and_sentences() -> None:
    words = words_at(
        (0, "One."), (400, "Two."), (5_000, "After"), (5_400, "a"), (5_800, "pause."),
        (6_200, ">>New"), (6_600, "speaker."), (3_600_000, "Hour."),
    )  # fmt: skip
    assert [[w.text for w in p] for p in paragraphs_of(words)] == [
        ["One.", "Two."],
        ["After", "a", "pause."],
        ["New", "speaker."],
        ["Hour."],
    ]
    text = text_of(render([], Transcript(tuple(words)), "txt", WriteOptions()))
    assert text == (
        "[00:00:00] One. Two.\n\n[00:00:05] After a pause.\n\n"
        "[00:00:06] New speaker.\n\n[01:00:00] Hour.\n"
    )


def test_txt_paragraphs_hold_about_six_sentences() -> None:
    words = words_at(*((i * 500, f"S{i}.") for i in range(14)))
    assert [len(p) for p in paragraphs_of(words)] == [6, 6, 2]


timed_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\x85"
    ),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s and s and "-->" not in s)


@st.composite
def cue_lists(draw: st.DrawFn) -> list[Cue]:
    cues: list[Cue] = []
    time = draw(st.integers(0, 10_000))
    for _ in range(draw(st.integers(0, 8))):
        length = draw(st.integers(1, 8_000))
        lines = tuple(draw(st.lists(timed_text, min_size=1, max_size=2)))
        cues.append(Cue(time, time + length, lines))
        time += length + draw(st.integers(0, 5_000))
    return cues


@given(cue_lists())
def test_srt_round_trip(cues: list[Cue]) -> None:
    text = text_of(render(cues, Transcript(()), "srt", WriteOptions()))
    parsed = list(srt.parse(text, ignore_errors=False)) if cues else []
    assert [(round(s.start.total_seconds() * 1000), s.content) for s in parsed] == [
        (c.start_ms, c.text.strip()) for c in cues
    ]


@given(cue_lists())
def test_vtt_round_trip(cues: list[Cue]) -> None:
    text = text_of(render(cues, Transcript(()), "vtt", WriteOptions()))
    captions = webvtt.from_buffer(io.StringIO(text)).captions
    assert [
        (c.start_time.in_milliseconds(), c.end_time.in_milliseconds(), html.unescape(c.raw_text))
        for c in captions
    ] == [(c.start_ms, c.end_ms, c.text) for c in cues]
