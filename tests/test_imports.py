"""Start-up: each command imports what it uses, and no more.

Checked in a fresh interpreter (``sys.modules`` of this one holds whatever other tests
imported): ``clipkit convert`` and ``clipkit --help`` load none of yt-dlp, ffmpeg-python,
rapidfuzz or PyYAML, which together were most of a conversion's start-up.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from factory import rolling_vtt, script

HEAVY = ("yt_dlp", "ffmpeg", "rapidfuzz", "yaml")
# what a command run in a child process loaded, of HEAVY, and its exit code
PROBE = """
import contextlib, io, json, sys
from clipkit.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(json.loads(sys.argv[1]))
print(json.dumps([code, sorted(m for m in json.loads(sys.argv[2]) if m in sys.modules)]))
"""


def loaded(argv: list[str]) -> tuple[int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    code, modules = json.loads(done.stdout)
    return code, modules


@pytest.fixture
def talk(tmp_path: Path) -> Path:
    path = tmp_path / "talk.vtt"
    path.write_text(rolling_vtt(script("So today we look at captions. They roll.")), "utf-8")
    return path


def test_convert_loads_none_of_the_heavy_modules(talk: Path, tmp_path: Path) -> None:
    for to in ("srt", "vtt", "json", "txt"):
        code, modules = loaded(["convert", str(talk), "-o", str(tmp_path / f"out.{to}")])
        assert code == 0
        assert (tmp_path / f"out.{to}").stat().st_size > 0
        assert modules == [], to


def test_help_and_convert_help_load_none_of_them() -> None:
    for argv in (["--help"], [], ["convert", "--help"], ["--version"], ["conver"]):
        _, modules = loaded(argv)
        assert modules == [], argv


def test_each_command_loads_what_it_uses(talk: Path) -> None:
    # (the probe sees what a command imported, so it must see the heavy ones where used)
    code, modules = loaded(["find", str(talk), "captions"])
    assert code == 0
    assert "rapidfuzz" in modules
    assert "yt_dlp" not in modules and "ffmpeg" not in modules
    _, modules = loaded(["clip", "--help"])
    assert "ffmpeg" in modules and "yt_dlp" not in modules
    _, modules = loaded(["fetch", "--help"])
    assert "yt_dlp" in modules and "ffmpeg" not in modules


def test_help_lists_every_command_as_the_full_parser_does() -> None:
    from clipkit.cli import COMMANDS, build_parser

    lazy, full = build_parser(["--help"]), build_parser()
    assert lazy.format_help() == full.format_help()
    assert list(lazy.command_parsers()) == list(COMMANDS) == list(full.command_parsers())
