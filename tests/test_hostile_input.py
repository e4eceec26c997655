"""Issue 11, the reading side: what an attacker or a careless user feeds clipkit.

Errors (one line, ``path:line: what``) are in tests/data/bad and test_bad_input.py; here
are the inputs that must read right, with or without a warning, and the limits: the input
size cap, the latest time, markup that must not reach the captions, adversarial files
that once took minutes (now linear: their speed is in scripts/bench_convert.py).
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from factory import (
    Line,
    converted_srt,
    converted_vtt,
    rolling_json3,
    rolling_markdown,
    rolling_vtt,
    script,
)

import clipkit.readers
from clipkit import CaptionStyle, WriteOptions, build_cues, load, read_bytes, render
from clipkit.cli import main
from clipkit.errors import CaptionParseError, ClipkitError, OutputError
from clipkit.model import MAX_TIME_MS, Cue, Transcript, Word
from clipkit.readers import MAX_INPUT_BYTES, decode

FORMATS = ["srt", "vtt", "json", "txt"]


def words_of(data: bytes) -> list[str]:
    return [word.text for word in read_bytes(data, "in").words]


def json3(*events: dict[str, object]) -> bytes:
    return json.dumps({"events": list(events)}, indent=2).encode()


def render_all(transcript: Transcript) -> None:
    for mode in ("cues", "lines", "words"):
        cues = build_cues(transcript, CaptionStyle(mode=mode))
        for to in FORMATS:
            render(cues, transcript, to)


# ---------------------------------------------------------------- broken characters


def test_a_lone_surrogate_in_json3_is_replaced_with_a_warning() -> None:
    data = json3(
        {"tStartMs": 0, "dDurationMs": 900, "segs": [{"utf8": "fine"}]},
        {"tStartMs": 1000, "dDurationMs": 900, "segs": [{"utf8": "broken \ud800 here"}]},
    )
    assert b"\\ud800" in data
    transcript = read_bytes(data, "talk.json3")
    assert [w.text for w in transcript.words] == ["fine", "broken", "\ufffd", "here"]
    (warning,) = transcript.warnings
    assert str(warning) == (
        "talk.json3:12: warning: event 2: a broken character (a lone UTF-16 surrogate) "
        "replaced by U+FFFD"
    )
    render_all(transcript)  # was UnicodeEncodeError in render


def test_paired_surrogate_escapes_are_one_character_and_no_warning() -> None:
    data = json3({"tStartMs": 0, "segs": [{"utf8": "smile \U0001f600"}]})
    assert b"\\ud83d\\ude00" in data  # how json.dumps (and YouTube) writes it
    transcript = read_bytes(data, "in")
    assert [w.text for w in transcript.words] == ["smile", "\U0001f600"]
    assert transcript.warnings == ()


def test_render_refuses_text_utf8_cannot_hold() -> None:
    cue = Cue(0, 1000, ("a \ud800 b",))
    with pytest.raises(OutputError, match="broken character"):
        render([cue], Transcript(()), "srt")


# ---------------------------------------------------------------- the latest time


def test_the_latest_time_is_read_and_one_more_millisecond_is_not() -> None:
    latest = b"1\n99:59:58,000 --> 99:59:59,999\nLast words.\n\n"
    assert words_of(latest) == ["Last", "words."]
    with pytest.raises(CaptionParseError, match=r"^in:2: time past 99:59:59\.999"):
        read_bytes(latest.replace(b"99:59:59,999", b"100:00:00,000"), "in")
    assert words_of(json3({"tStartMs": MAX_TIME_MS, "segs": [{"utf8": "x"}]})) == ["x"]
    with pytest.raises(CaptionParseError, match="event 1: bad tStartMs 360000000: past"):
        read_bytes(json3({"tStartMs": MAX_TIME_MS + 1, "segs": [{"utf8": "x"}]}), "in")


def test_word_times_past_the_latest_are_refused_where_they_are() -> None:
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n \nhello<00:00:02.000><c> there</c>\n\n"
        "00:00:03.000 --> 00:00:05.000\n \nand<100:00:00.000><c> later</c>\n"
    )
    with pytest.raises(CaptionParseError, match=r"^in:9: time past .*'100:00:00\.000'"):
        read_bytes(vtt.encode(), "in")
    offset = json3(
        {"tStartMs": MAX_TIME_MS - 10, "segs": [{"utf8": "a"}, {"utf8": " b", "tOffsetMs": 11}]}
    )
    with pytest.raises(CaptionParseError, match="event 1: bad tOffsetMs 11: past"):
        read_bytes(offset, "in")


def test_cues_past_the_latest_time_end_there_or_are_refused() -> None:
    late = (Word(MAX_TIME_MS - 100, MAX_TIME_MS, "late"),)
    cue = Cue(MAX_TIME_MS - 100, MAX_TIME_MS + 900, ("late",), late)  # a minimum duration
    assert render([cue], Transcript(late), "srt").endswith(b"99:59:59,999\nlate\n\n")
    too_late = Cue(MAX_TIME_MS, MAX_TIME_MS + 900, ("later",))
    with pytest.raises(
        OutputError, match=r"^cue 1 starts at 99:59:59\.999: too late \(the latest time"
    ):
        render([too_late], Transcript(()), "vtt")


def test_a_shift_past_the_latest_time_is_one_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "talk.srt"
    source.write_text("1\n00:00:01,000 --> 00:00:02,000\nHello.\n\n", encoding="utf-8")
    out = tmp_path / "out.srt"
    assert main(["convert", str(source), "-o", str(out), "--shift", "360000"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"{source}: cue 1 starts at 100:00:01.000: too late "
        "(the latest time clipkit writes is 99:59:59.999)"
    )
    assert not out.exists()


def test_text_holding_a_timing_arrow_is_still_valid_webvtt() -> None:
    import webvtt

    data = b"**[00:05]** Well, hell00:00:02,000 --> 00:00:03,500 -->x\n"  # found by the fuzzer
    transcript = read_bytes(data, "in")
    for mode in ("cues", "words"):
        cues = build_cues(transcript, CaptionStyle(mode=mode))
        text = render(cues, transcript, "vtt", WriteOptions(words_vtt=mode == "words"))
        assert text.count(b"-->") == len(cues)  # the timing lines only
        (caption,) = webvtt.from_string(text.decode()).captions
        assert "--&gt; 00:00:03,500 --&gt;x" in caption.text.replace("\n", " ")


# ---------------------------------------------------------------- json3: one schema


def test_json3_times_follow_one_rule_for_every_field() -> None:
    # a fraction of a millisecond is rounded in tStartMs and tOffsetMs alike
    data = json3(
        {
            "tStartMs": 1000.4,
            "dDurationMs": 2000.0,
            "segs": [{"utf8": "a"}, {"utf8": " b", "tOffsetMs": 500.6}],
        }
    )
    assert [(w.start_ms, w.text) for w in read_bytes(data).words] == [(1000, "a"), (1501, "b")]
    for key in ("tStartMs", "dDurationMs"):
        for value, why in [(True, "true: not a number"), ("5", '"5": not a number'),
                           (-1, "-1: negative"), (None, "null: not a number")]:  # fmt: skip
            event = {"tStartMs": 0, "segs": [{"utf8": "x"}], key: value}
            with pytest.raises(CaptionParseError, match=f"event 1: bad {key} {why}"):
                read_bytes(json3(event), "in")
    bad_offset = {"tStartMs": 0, "segs": [{"utf8": "x", "tOffsetMs": True}]}
    with pytest.raises(CaptionParseError, match="event 1: bad tOffsetMs true: not a number"):
        read_bytes(json3(bad_offset), "in")


@pytest.mark.parametrize(
    "event,message",
    [
        ({"tStartMs": 0, "segs": {"utf8": "x"}}, "event 1: 'segs' is not a list"),
        ({"tStartMs": 0, "segs": ["x"]}, "event 1: seg 1 is not an object"),
        ({"tStartMs": 0, "segs": [{"tOffsetMs": 0}]}, "event 1: seg 1 has no 'utf8'"),
        ({"tStartMs": 0, "segs": [{"utf8": 5}]}, "event 1: seg 1 'utf8' 5 is not text"),
        ({"tStartMs": 0, "dDurationMs": MAX_TIME_MS + 1, "segs": [{"utf8": "x"}]}, "past"),
    ],
)
def test_json3_schema_errors_name_the_event_and_its_line(
    event: dict[str, object], message: str
) -> None:
    data = json3({"tStartMs": 0, "dDurationMs": 5}, event)
    with pytest.raises(CaptionParseError) as caught:
        read_bytes(data, "in")
    assert caught.value.line == 7  # the line the second event starts on
    assert message.replace("event 1", "event 2") in str(caught.value)


# ---------------------------------------------------------------- encodings


def test_utf8_with_one_cp1252_line_is_read_per_line_with_a_warning() -> None:
    data = (
        "1\n00:00:01,000 --> 00:00:02,000\nUn café, s’il vous plaît.\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\n"
    ).encode() + "Déjà vu.\n\n".encode("cp1252")
    transcript = read_bytes(data, "talk.srt")
    assert [w.text for w in transcript.words] == [
        "Un",
        "café,",
        "s’il",
        "vous",
        "plaît.",
        "Déjà",
        "vu.",
    ]
    (warning,) = transcript.warnings
    assert (
        str(warning) == "talk.srt:7: warning: not UTF-8 like the rest of the file: read as cp1252"
    )


def test_cp1252_with_one_utf8_line_names_that_line() -> None:
    data = b"1\n00:00:01,000 --> 00:00:02,000\n" + "Café “one”.\n\n".encode("cp1252")
    data += "2\n00:00:03,000 --> 00:00:04,000\nÀ bientôt.\n\n".encode()
    data += b"3\n00:00:05,000 --> 00:00:06,000\n" + "Très ‘bien’.\n\n".encode("cp1252")
    transcript = read_bytes(data, "in")
    assert "bientôt." in [w.text for w in transcript.words]
    assert "“one”." in [w.text for w in transcript.words]
    (warning,) = transcript.warnings
    assert warning.line == 7 and "not cp1252 like the rest of the file: read as UTF-8" in str(
        warning
    )


def test_plain_cp1252_and_utf8_files_have_no_warning() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nCafé “one”.\n\n"
    for encoding in ("utf-8", "cp1252", "utf-16"):
        assert read_bytes(text.encode(encoding)).warnings == ()


def test_a_byte_cp1252_does_not_have_names_its_line() -> None:
    data = "1\n00:00:01,000 --> 00:00:02,000\nCafé\n".encode("cp1252") + b"x\x81y\n\n"
    with pytest.raises(CaptionParseError, match=r"^in:4: not UTF-8, UTF-16 or cp1252 text"):
        read_bytes(data, "in")


def test_the_cli_prints_warnings_and_still_converts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "talk.srt"
    first = b"1\n00:00:01,000 --> 00:00:02,000\ncaf\xc3\xa9\n\n"
    source.write_bytes(first + b"2\n00:00:03,000 --> 00:00:04,000\ncaf\xe9\n\n")
    out = tmp_path / "talk.txt"
    assert main(["convert", str(source), "-o", str(out)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"{source}:7: warning: not UTF-8 like the rest of the file: read as cp1252",
        f"converted {source} to {out}",
    ]
    assert out.read_text(encoding="utf-8") == "[00:00:01] café café\n"
    assert main(["find", str(source), "cafe"]) == 0
    assert f"{source}:7: warning:" in capsys.readouterr().err


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_read(encoding: str) -> None:
    lines = script("Grüße aus Köln | 東京 ĀĒĪ ok", start_ms=1000)
    for text in (converted_srt(lines), rolling_vtt(lines), rolling_json3(lines)):
        data = text.encode(encoding)
        assert not data.startswith((b"\xff\xfe", b"\xfe\xff"))
        assert decode(data) == text
        assert words_of(data) == ["Grüße", "aus", "Köln", "東京", "ĀĒĪ", "ok"]


def test_a_control_character_in_text_names_its_line() -> None:
    data = "1\n00:00:01,000 --> 00:00:02,000\nCafé\x0c\n\n".encode("cp1252")
    with pytest.raises(CaptionParseError, match=r"^in:3: binary data.*\(control character 0x0c\)"):
        read_bytes(data, "in")


def test_binary_with_zero_bytes_is_still_binary() -> None:
    for junk in (bytes(range(256)) * 4, b"\x00\x01" * 100, b"\x00" * 64 + b"WEBVTT"):
        with pytest.raises(CaptionParseError, match=r"binary data|invalid UTF-16"):
            read_bytes(junk, "in")


# ---------------------------------------------------------------- markup


# Markup inside words (the factory writes a word at a time, escaping "<" where the format
# escapes it); json3 also gets a tag running over several segs.
MARKED = script("{\\an8}Up <b>here</b> and <i>there</i> | now {\\i1}ok{\\i0}")
SPANNING = script('Up <font color="red">here</font> and')


@pytest.mark.parametrize(
    "build",
    [rolling_vtt, rolling_json3, rolling_markdown, converted_srt, converted_vtt],
    ids=lambda build: build.__name__,
)
def test_markup_never_reaches_the_captions(build: Callable[[list[Line]], str]) -> None:
    talks = (
        {"marked": MARKED, "spanning": SPANNING} if build is rolling_json3 else {"marked": MARKED}
    )
    for name, lines in talks.items():
        transcript = read_bytes(build(lines).encode(), "in")
        texts = [w.text for w in transcript.words]
        expected = (
            ["Up", "here", "and", "there", "now", "ok"]
            if name == "marked"
            else ["Up", "here", "and"]
        )
        assert texts == expected, texts
        for cue in build_cues(transcript, CaptionStyle()):  # what --burn gives libass
            assert "{" not in cue.text and "<" not in cue.text


def test_markup_in_ordinary_srt_and_vtt_is_removed() -> None:
    srt = b'1\n00:00:01,000 --> 00:00:03,000\n{\\an8}<font color="#ff0">Top</font> line\n\n'
    vtt = b"WEBVTT\n\n00:01.000 --> 00:03.000\n<v Ann><b>Bold</b> {\\pos(10,10)}move</v>\n"
    assert words_of(srt) == ["Top", "line"]
    assert words_of(vtt) == ["Bold", "move"]


def test_text_that_only_looks_like_markup_stays_in_json3_and_markdown() -> None:
    data = json3({"tStartMs": 0, "segs": [{"utf8": "3 < 4 > 2 {not \\ markup}"}]})
    assert words_of(data) == ["3", "<", "4", ">", "2", "{not", "\\", "markup}"]
    assert words_of(b"**[00:01]** 3 < 4 > 2\n") == ["3", "<", "4", ">", "2"]


# ---------------------------------------------------------------- cut-off and broken lines


def test_a_last_line_without_its_line_break_is_fine() -> None:
    assert words_of(b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nthe end") == ["the", "end"]
    assert words_of(b"1\n00:00:01,000 --> 00:00:02,000\nx < y") == ["x", "<", "y"]


def test_a_negative_vtt_time_names_its_line() -> None:
    data = b"WEBVTT\n\n00:00:00.500 --> 00:00:01.000\nhi\n\n-00:00:01.000 --> 00:00:02.000\nho\n"
    with pytest.raises(CaptionParseError, match=r"^in:6: negative time"):
        read_bytes(data, "in")


# ---------------------------------------------------------------- input size


def test_a_file_over_the_size_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    sparse = tmp_path / "huge.vtt"
    with sparse.open("wb") as file:
        file.truncate(MAX_INPUT_BYTES + 1)  # no disk used
    with pytest.raises(CaptionParseError, match=rf"^{sparse}: larger than 200 MB, the most"):
        load(sparse)
    assert MAX_INPUT_BYTES == 200_000_000  # the limit the README states


def test_an_endless_stream_is_cut_at_the_limit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(clipkit.readers, "MAX_INPUT_BYTES", 100_000)
    with pytest.raises(CaptionParseError, match=r"^/dev/zero: larger than 0\.1 MB"):
        load("/dev/zero")
    with pytest.raises(CaptionParseError, match=r"larger than 0\.1 MB"):
        read_bytes(b"x" * 100_001, "in")
    with open("/dev/zero", "rb") as zeros:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(zeros))
        assert main(["convert", "-", "--to", "srt"]) == 1
    captured = capsys.readouterr()
    assert (
        captured.err
        == "<stdin>: larger than 0.1 MB, the most clipkit reads (not a caption file?)\n"
    )
    assert captured.out == ""


# ---------------------------------------------------------------- once quadratic


def test_a_run_of_newlines_is_rejected_at_once() -> None:
    # 100 KB took 121 s (the SRT sniffing regex); bench_convert.py times 1 MB
    with pytest.raises(CaptionParseError, match=r"^in:1: not a caption file"):
        read_bytes(b"\n" * 100_000 + b"x", "in")


@pytest.mark.parametrize("junk", [b"<" * 100_000, b"<c" * 50_000, b"{\\" * 50_000])
def test_a_cue_of_unclosed_markup_is_read_at_once(junk: bytes) -> None:
    # 100 000 "<" took 39 s (the tag regex); it is text, not markup
    data = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n" + junk + b"\n"
    (word,) = read_bytes(data).words
    assert word.text == junk.decode()
    render_all(read_bytes(data))


def test_every_error_from_the_issue_is_ours() -> None:
    reproducers = [
        b'{"events":' + b"[" * 100_000,
        b'{"events": [{"tStartMs": Infinity, "segs": [{"utf8": "a"}]}]}',
        b'{"events": [{"tStartMs": ' + b"9" * 5000 + b', "segs": [{"utf8": "a"}]}]}',
        b"1\n10000000000:00:00,000 --> 10000000000:00:01,000\nhello\n\n",
        b"2:23.0-->2:24.6\n<99999999999:12:23.519><c>e",
        b'{"events": [{"tStartMs": 1.5e300, "segs": [{"utf8": "a"}]}]}',
    ]
    assert len(reproducers[4]) == 43
    for data in reproducers:
        with pytest.raises(ClipkitError) as caught:
            render_all(read_bytes(data, "in"))
        assert str(caught.value).startswith("in:")
