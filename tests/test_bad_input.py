"""Malformed input: one small hand-written file per case in tests/data/bad/.

Each must give a CaptionParseError whose ``str()`` is one line ``path:line: message``
(``path: message`` where no line applies), and through the CLI: exit 1, one line on
stderr, no traceback, no output file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clipkit.cli import main
from clipkit.convert import convert_bytes, convert_file
from clipkit.errors import CaptionParseError, ClipkitError
from clipkit.readers import load, read_bytes

BAD = Path(__file__).resolve().parent / "data" / "bad"

# file name -> (line the error names or None, words the message must contain)
CASES: dict[str, tuple[int | None, str]] = {
    "empty.vtt": (None, "empty file"),
    "blank.srt": (None, "empty file"),
    "junk.vtt": (None, "binary data"),
    "odd_utf16.srt": (2, "invalid UTF-16 text (cut off"),
    "truncated.vtt": (13, "truncated cue"),
    "truncated.srt": (6, "truncated cue"),
    "backwards.vtt": (9, "time goes backwards"),
    "backwards.srt": (10, "time goes backwards"),
    "backwards.md": (11, "time goes backwards"),
    "backwards.json3": (4, "event 3: time goes backwards"),
    "ends_before_start.srt": (6, "cue ends before it starts"),
    "bad_timing.vtt": (6, "unreadable timing line"),
    "bad_timing.srt": (6, "unreadable timing line"),
    "bad_entry.md": (7, "unreadable transcript entry"),
    "not_captions.py": (1, "not a caption file"),
    "not_captions.csv": (1, "not a caption file"),
    "invalid.json3": (10, "invalid JSON"),
    "bad_offset.json3": (7, "event 2: bad tOffsetMs -40"),  # pretty-printed, as YouTube sends it
    # issue 11: what used to escape as another exception, or read wrong without a word
    "nested.json3": (3, "invalid JSON: nested too deeply"),  # was RecursionError
    "infinity.json3": (5, "event 2: bad tStartMs Infinity: not a finite number"),  # OverflowError
    "long_number.json3": (3, "invalid JSON: a number of more than 4300 digits"),  # ValueError
    "huge_hours.srt": (6, "time past 99:59:59.999"),  # MalformedCaptionError in render
    "fuzz_reproducer.vtt": (2, "time past 99:59:59.999"),  # the fuzzer's 43 bytes: the same
    "past_latest.srt": (6, "time past 99:59:59.999"),  # read as a 100-hour time
    "past_latest.json3": (6, "event 2: bad tStartMs 1.5e+300: past 99:59:59.999"),
    "past_latest.md": (7, "time past 99:59:59.999"),
    "null_text.json3": (6, "event 2: seg 1 'utf8' null is not text"),  # was the caption "None"
    "list_text.json3": (2, 'event 1: seg 2 \'utf8\' ["a", "b"] is not text'),  # "['a', 'b']"
    "cut_off.vtt": (7, "truncated file: it ends inside a tag"),  # kept "<00:07:39.47"
    "negative.srt": (2, "negative time"),  # was "line 1: not a caption file"
}


def test_every_bad_file_has_a_case() -> None:
    assert sorted(p.name for p in BAD.iterdir()) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_load_raises_one_line_error_naming_file_and_line(name: str) -> None:
    path = BAD / name
    line, message = CASES[name]
    with pytest.raises(CaptionParseError) as caught:
        load(path)
    error = caught.value
    assert isinstance(error, ClipkitError)
    text = str(error)
    assert "\n" not in text and "\r" not in text
    where = f"{path}:{line}: " if line is not None else f"{path}: "
    assert text.startswith(where), text
    assert message in text
    assert error.source == str(path)
    assert error.line == line


@pytest.mark.parametrize("name", sorted(CASES))
def test_convert_file_raises_and_writes_nothing(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out.srt"
    with pytest.raises(CaptionParseError, match=rf"^{BAD / name}"):
        convert_file(BAD / name, out)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_convert_bytes_names_the_source(name: str) -> None:
    with pytest.raises(CaptionParseError, match=r"^upload\.bin\b"):
        convert_bytes((BAD / name).read_bytes(), "upload.bin")


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("to", ["srt", "vtt"])
def test_cli_reports_one_line_and_writes_nothing(
    name: str, to: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = BAD / name
    line, message = CASES[name]
    out = tmp_path / f"out.{to}"
    assert main(["convert", str(path), "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    where = f"{path}:{line}: " if line is not None else f"{path}: "
    assert where in lines[0] and message in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_cli_batch_goes_on_after_a_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.srt"
    good.write_text("1\n00:00:01,000 --> 00:00:03,000\nHello there.\n\n", encoding="utf-8")
    out_dir = tmp_path / "out"
    bad = [BAD / "backwards.srt", BAD / "junk.vtt"]
    code = main(["convert", str(bad[0]), str(good), str(bad[1]), "--out-dir", str(out_dir)])
    assert code == 1
    errors = [e for e in capsys.readouterr().err.splitlines() if str(BAD) in e]
    assert len(errors) == 2
    assert sorted(p.name for p in out_dir.iterdir()) == ["good.srt"]


@pytest.mark.parametrize(
    "data",
    [
        b"\x00" * 64,
        bytes(range(256)),
        b"\xff\xfe\x00\xd8",  # UTF-16 with a lone surrogate
        b"{}",
        b'{"events": 3}',
        b'{"events": [{"tStartMs": "soon", "segs": [{"utf8": "x"}]}]}',
        b'{"events": [{"tStartMs": 5, "segs": [{"utf8": "x", "tOffsetMs": -1}]}]}',
        b"[1, 2, 3]",
        b"WEBVTT\n\nNOTE nothing but a note\n\n",
        b"1\n00:00:01,000 --> 00:00:02,000\n\n\n",
        b"**[00:61]** hello\n",
    ],
)
def test_more_bad_bytes_raise_our_error(data: bytes) -> None:
    with pytest.raises(CaptionParseError, match=r"^in\.x"):
        read_bytes(data, "in.x")
