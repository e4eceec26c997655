"""The stand-in generator (scripts/make_standin.py) on a short stretch of the sample."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from clipkit.media.probe import probe

REPO = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.media,
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg"),
]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_standin", REPO / "scripts/make_standin.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _frame(video: Path, at_s: float) -> bytes:
    return subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-ss", str(at_s), "-i", str(video)),
            *("-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"),
        ],
        check=True,
        capture_output=True,
    ).stdout


def test_standin_has_the_length_size_a_running_clock_and_sound(tmp_path: Path) -> None:
    out = tmp_path / "standin.mp4"
    args = ["--captions", str(REPO / "media/avWhreBUYF0.md"), "-o", str(out)]
    assert _script().main([*args, "--duration", "0:34", "--size", "320x180"]) == 0
    info = probe(out)
    assert (info.width, info.height) == (320, 180)
    assert info.duration_ms == pytest.approx(34_000, abs=100)
    assert info.has_audio
    # the timecode and frame number change from one second to the next
    assert _frame(out, 1.0) != _frame(out, 2.0)
    # sound under the captions ("Well, hello..." from 00:29), silence before the first one
    assert _max_volume_db(out, 2, 10) < -60
    assert _max_volume_db(out, 29.5, 4) > -30
    assert not list(tmp_path.glob("*.tmp*"))


def _max_volume_db(video: Path, start_s: float, length_s: float) -> float:
    report = subprocess.run(
        [
            *("ffmpeg", "-v", "info", "-ss", str(start_s), "-t", str(length_s)),
            *("-i", str(video), "-vn", "-af", "volumedetect", "-f", "null", "-"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    line = next(line for line in report.splitlines() if "max_volume:" in line)
    return float(line.split("max_volume:")[1].split()[0])
