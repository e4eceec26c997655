"""Every entry point holds (issue 11), the parts that need no media: overflowing highlight
times, one top-level error handling, a missing or broken ffprobe, Ctrl-C during start-up,
inputs never overwritten by ``find --write``, ffmetadata that cannot be injected into.

The cases that cut real media are in ``test_entry_points_media.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from factory import rolling_json3, script

from clipkit.cli import main
from clipkit.errors import FFmpegError, HighlightError, MissingToolError
from clipkit.highlights import parse_toml, parse_yaml
from clipkit.media.concat import Chapter, ffmetadata
from clipkit.media.probe import probe
from clipkit.timefmt import MAX_TIME_MS, parse_time

BIG = "9" * 5000


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


# ---------------------------------------------------------------- highlight times and pads


@pytest.mark.parametrize(
    ("entry", "line", "message"),
    [
        ("start: 1.0e+400\n    end: 5", 2, "start: 1.0E+400 is beyond 99:59:59.999"),
        ("start: 1\n    end: 1.0e+400", 3, "end: 1.0E+400 is beyond 99:59:59.999"),
        ("start: 1\n    end: 5\n    pad: 1e400", 4, "pad must be between 0 and 60 seconds"),
        ("start: 1\n    end: 5\n    pad: nan", 4, "pad: expected seconds, got 'nan'"),
        ("start: 1\n    end: 5\n    pad: .nan", 4, "pad: expected seconds, got '.nan'"),
        (f"start: {BIG}\n    end: 5", 2, "start: 999999999999999999999999... (5000 characters)"),
        (f"start: '{BIG}'\n    end: 5", 2, "is beyond 99:59:59.999"),
        (f"start: '{BIG}:00:00'\n    end: 5", 2, "is beyond 99:59:59.999"),
        ("start: '100:00:00'\n    end: 5", 2, "'100:00:00' is beyond 99:59:59.999"),
        ("start: .nan\n    end: 5", 2, "start: not a time: '.nan'"),
    ],
)
def test_yaml_times_that_overflow_are_one_line_with_the_line(
    entry: str, line: int, message: str
) -> None:
    # Before: OverflowError ("cannot convert float infinity to integer") or ValueError
    # ("Exceeds the limit (4300 digits) for integer string conversion").
    with pytest.raises(HighlightError) as caught:
        parse_yaml(f"highlights:\n  - {entry}\n", "h.yaml")
    text = str(caught.value)
    assert text.startswith(f"h.yaml:{line}: "), text
    assert message in text
    assert "\n" not in text and len(text) < 200


@pytest.mark.parametrize(
    ("entry", "line", "message"),
    [
        ("start = inf\nend = 5", 2, "start: inf is beyond 99:59:59.999"),
        ("start = 1\nend = inf", 3, "end: inf is beyond 99:59:59.999"),
        ("start = nan\nend = 5", 2, "start: not a time: nan"),
        ("start = 1\nend = 1e308", 3, "end: 1e+308 is beyond 99:59:59.999"),
        ("start = 1\nend = 5\npad = inf", 4, "pad: expected seconds, got inf"),
        ("start = 1\nend = 5\npad = nan", 4, "pad: expected seconds, got nan"),
        (f"start = 1\nend = {BIG}", 3, "not valid TOML: a number with thousands of digits"),
    ],
)
def test_toml_times_that_overflow_are_one_line_with_the_line(
    entry: str, line: int, message: str
) -> None:
    with pytest.raises(HighlightError) as caught:
        parse_toml(f"[[highlights]]\n{entry}\n", "h.toml")
    assert str(caught.value).startswith(f"h.toml:{line}: {message}"), str(caught.value)


def test_the_longest_time_is_accepted_and_one_more_millisecond_is_not() -> None:
    assert parse_time("99:59:59.999") == MAX_TIME_MS
    assert parse_time(MAX_TIME_MS / 1000) == MAX_TIME_MS
    with pytest.raises(ValueError, match="beyond"):
        parse_time(360_000)  # seconds: 100 hours
    with pytest.raises(ValueError, match="not a time: nan"):
        parse_time(float("nan"))


@pytest.mark.parametrize(
    "args",
    [
        ["reel", "talk.mp4", "--highlights", "h.yaml", "--titles", "1e400"],
        ["reel", "talk.mp4", "--highlights", "h.yaml", "--xfade", "nan"],
        ["clip", "talk.mp4", "--highlights", "h.yaml", "--snap-tolerance", "inf"],
        ["clip", "talk.mp4", "--highlights", "h.yaml", "--outline", "1e400"],
        ["find", "talk.srt", "x", "--threshold", "nan"],
        ["convert", "talk.srt", "--shift", "1e400"],
        ["convert", "talk.srt", "--min-duration", "inf"],
    ],
)
def test_numbers_on_the_command_line_that_overflow_are_usage_errors(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: a traceback (OverflowError) for --titles/--shift 1e400.
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"argument {args[-2]}" in err.splitlines()[-1]


@pytest.mark.parametrize("flag", ["--fps", "--max-cps"])
@pytest.mark.parametrize("value", ["nan", "inf", "1e400"])
def test_a_caption_style_that_is_not_a_number_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, value: str
) -> None:
    # Before: --fps nan was "internal error (ValueError ...)", --fps 1e400 exit 0.
    captions = tmp_path / "talk.json3"
    captions.write_text(rolling_json3(script("so we looked at it | and it worked")))
    assert main(["convert", str(captions), "-o", str(tmp_path / "t.srt"), flag, value]) != 0
    assert "must be a positive number" in one_line(capsys.readouterr().err)
    assert not (tmp_path / "t.srt").exists()


# ---------------------------------------------------------------- find --write


def test_find_never_writes_over_its_captions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: `find talk.srt PHRASE --write talk.srt` replaced the captions with YAML.
    captions = tmp_path / "talk.json3"
    captions.write_text(rolling_json3(script("so we looked at wells fargo | and it worked")))
    before = captions.read_bytes()
    (tmp_path / "link.yaml").symlink_to(captions)
    for target in (captions, tmp_path / "link.yaml", tmp_path / "." / "talk.json3"):
        assert main(["find", str(captions), "wells fargo", "--write", str(target)]) == 1
        line = one_line(capsys.readouterr().err)
        assert line == f"clipkit: {target}: refusing to overwrite the input {captions}"
        assert captions.read_bytes() == before
    assert main(["find", str(captions), "wells fargo", "--write", str(tmp_path / "h.yaml")]) == 0
    assert "wells fargo" in (tmp_path / "h.yaml").read_text()


# ---------------------------------------------------------------- one top-level handling


@pytest.mark.parametrize(
    "content",
    [
        '{"events": ' + "[" * 100_000 + "]" * 100_000 + "}",  # RecursionError in json
        '{"events": [{"tStartMs": Infinity, "segs": [{"utf8": "hi"}]}]}',  # OverflowError
    ],
    ids=["nested", "infinity"],
)
def test_find_on_a_hostile_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    # Before: a traceback.  (The readers' own checks are issue 11's parsing side; whichever
    # of them catches it, the command says it in one line.)
    captions = tmp_path / "talk.json3"
    captions.write_text(content)
    assert main(["find", str(captions), "hello"]) == 1
    one_line(capsys.readouterr().err)


@pytest.mark.parametrize("command", ["find", "clip", "reel"])
def test_a_bug_is_an_internal_error_line_and_a_traceback_on_request(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    from clipkit.cli import clip_common, find_cmd

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("a bug\nover two lines")

    # the first library call each command makes
    if command == "find":
        monkeypatch.setattr(find_cmd, "find", broken)
    else:
        monkeypatch.setattr(clip_common, "load_highlights", broken)
    if command == "find":
        monkeypatch.setattr("clipkit.readers.load", lambda _path: None)
    args = [command, "talk.srt", "x"] if command == "find" else [command, "v.mp4"]
    args += [] if command == "find" else ["--highlights", str(tmp_path / "h.yaml")]
    assert main(args) == 1
    line = one_line(capsys.readouterr().err)
    assert line == (
        f"clipkit {command}: internal error (ZeroDivisionError: a bug over two lines); "
        "please report it (CLIPKIT_TRACEBACK=1 shows where)"
    )
    monkeypatch.setenv("CLIPKIT_TRACEBACK", "1")
    with pytest.raises(ZeroDivisionError):
        main(args)


def test_an_unexpected_os_error_names_its_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from clipkit.cli import clip_common

    def unreadable(path: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(clip_common, "load_highlights", unreadable)
    assert main(["clip", "v.mp4", "--highlights", "h.yaml"]) == 1
    assert one_line(capsys.readouterr().err) == "clipkit: h.yaml: Permission denied"


# ---------------------------------------------------------------- ffprobe and ffmpeg


def _path_with(tmp_path: Path, name: str, content: bytes, mode: int) -> str:
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(content)
    (folder / name).chmod(mode)
    return str(folder)


def test_a_missing_ffprobe_is_not_called_a_bad_media_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: "talk.mp4: not a media file ffmpeg can read (unreadable)".
    video = tmp_path / "talk.mp4"
    video.write_bytes(b"\x00" * 100)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(MissingToolError) as caught:
        probe(video)
    assert str(caught.value) == (
        "ffprobe is not installed (or not on PATH): install it with `sudo apt-get install ffmpeg`"
    )


@pytest.mark.parametrize(
    ("content", "mode", "reason"),
    [
        (b"#!/bin/sh\necho hi\n", 0o644, "not executable"),
        (b"\x7fELF garbage", 0o755, "Exec format error"),
    ],
)
def test_an_ffprobe_on_path_that_cannot_run_is_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    mode: int,
    reason: str,
) -> None:
    # Before: a PermissionError / OSError traceback.
    video = tmp_path / "talk.mp4"
    video.write_bytes(b"\x00" * 100)
    highlights = tmp_path / "h.yaml"
    highlights.write_text("highlights:\n  - start: 1\n    end: 2\n")
    folder = _path_with(tmp_path, "ffprobe", content, mode)
    monkeypatch.setenv("PATH", folder)
    assert main(["clip", str(video), "--highlights", str(highlights), "--dry-run"]) == 1
    line = one_line(capsys.readouterr().err)
    assert line == f"clipkit: ffprobe cannot be run ({folder}/ffprobe: {reason})"


def test_ffmpeg_errors_show_the_cause_not_the_summary() -> None:
    # Before: a full disk during `clip` showed only "Conversion failed!".
    tail = "\n".join(
        [
            "[mp4 @ 0x5] av_interleaved_write_frame(): No space left on device",
            "Error writing trailer of out/x.mp4: No space left on device",
            "[libx264 @ 0x6] kb/s:2274.96",
            "Conversion failed!",
        ]
    )
    error = FFmpegError("ffmpeg (x) failed (exit 1)", ["ffmpeg"], tail)
    assert str(error) == (
        "ffmpeg (x) failed (exit 1): [mp4 @ 0x5] av_interleaved_write_frame(): "
        "No space left on device"
    )
    assert error.out_of_space
    other = FFmpegError(
        "ffmpeg failed (exit 1)", ["ffmpeg"], "Unknown encoder 'x'\nConversion failed!"
    )
    assert str(other) == "ffmpeg failed (exit 1): Unknown encoder 'x'"
    assert not other.out_of_space


# ---------------------------------------------------------------- ffmetadata


def test_a_title_cannot_inject_chapters_into_the_metadata() -> None:
    # Before: "\r" was not escaped; ffmpeg's reader ends a line at CR, so the title
    # "A\r[CHAPTER]\rTIMEBASE=1/1000\rSTART=0\rEND=9\rtitle=evil" added a chapter.
    evil = "A\r[CHAPTER]\rTIMEBASE=1/1000\rSTART=0\rEND=9\rtitle=evil\n;x\x00#"
    text = ffmetadata([Chapter(0, 1500, evil), Chapter(1500, 3000, "B\u2028C")], title=evil)
    lines = text.replace("\r", "\n").split("\n")
    assert lines.count("[CHAPTER]") == 2
    assert [line for line in lines if line.startswith("title=")] == [
        "title=A [CHAPTER] TIMEBASE\\=1/1000 START\\=0 END\\=9 title\\=evil \\;x \\#",
        "title=A [CHAPTER] TIMEBASE\\=1/1000 START\\=0 END\\=9 title\\=evil \\;x \\#",
        "title=B C",
    ]


# ---------------------------------------------------------------- Ctrl-C during start-up

# Raises KeyboardInterrupt, as Ctrl-C would, when the command first imports one module.
SITECUSTOMIZE = """
import importlib.abc, os, sys

class _CtrlC(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == os.environ["CLIPKIT_TEST_CTRL_C_AT"]:
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, _CtrlC())
"""


@pytest.mark.parametrize(
    ("command", "module"),
    [
        (["convert", "x.srt"], "clipkit.cli.convert_cmd"),  # building the parser
        (["convert", "x.srt"], "yt_dlp"),  # the slowest import
        (["clip", "v.mp4", "--highlights", "h.yaml"], "clipkit.clips"),
        (["find", "x.srt", "y"], "clipkit.readers"),  # imported by the command itself
        (["convert", "x.srt"], "clipkit.errors"),  # the first thing main() imports
    ],
)
def test_ctrl_c_during_start_up_is_interrupted_not_a_traceback(
    tmp_path: Path, command: list[str], module: str
) -> None:
    # Before: a KeyboardInterrupt traceback from the imports, which ran outside main's try.
    (tmp_path / "sitecustomize.py").write_text(textwrap.dedent(SITECUSTOMIZE))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "CLIPKIT_TEST_CTRL_C_AT": module}
    clipkit = Path(sys.executable).with_name("clipkit")
    done = subprocess.run(
        [str(clipkit), *command], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert (done.returncode, done.stderr) == (130, "clipkit: interrupted\n")


def test_the_command_imports_nothing_heavy_before_main() -> None:
    # What `from clipkit.cli import main` (the console script's first line) imports is
    # outside any handler: it must stay tiny.
    code = (
        "import sys; before = set(sys.modules); from clipkit.cli import main; "
        "print(' '.join(sorted(m for m in set(sys.modules) - before)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported = done.stdout.split()
    assert [name for name in imported if name.startswith("clipkit")] == ["clipkit", "clipkit.cli"]
    # besides, only small parts of the standard library (contextlib, importlib, ...)
    others = {name.split(".")[0].lstrip("_") for name in imported if not name.startswith("clipkit")}
    assert others <= {n.lstrip("_") for n in sys.stdlib_module_names}, others
    assert not others & {"typing", "argparse", "dataclasses", "pathlib", "re"}, others


def test_the_api_is_still_importable_from_the_package() -> None:
    import clipkit

    assert {"load", "build_cues", "render", "CaptionStyle"} <= set(dir(clipkit))
    assert clipkit.load.__module__ == "clipkit.readers"
    with pytest.raises(AttributeError):
        _ = clipkit.no_such_name
