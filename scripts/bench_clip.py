#!/usr/bin/env python3
"""Benchmark clip cutting on a generated 1080p30 H.264 source, in one run.

The source: 3 minutes of testsrc2 + a sine, 1920x1080 at 30 fps, a keyframe every 3 s
and B-frames.  A 75 s clip is cut three ways and compared with the baseline, a full
libx264 re-encode of the same span (decoding from the start of the file, the way a
plain ``ffmpeg -i src -ss ... -t ...`` does):

* clipkit's accurate cut (seek on the input, re-encode only the span, same x264 preset);
* clipkit's ``--copy`` (stream copy from the keyframe at or before the start).

    python scripts/bench_clip.py [--keep DIR] [--preset veryfast]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clipkit.media.cut import EncodeSettings, accurate_cut_command, copy_cut_command
from clipkit.media.probe import keyframe_at_or_before, probe
from clipkit.media.runner import run_ffmpeg

SOURCE_SECONDS = 180
CLIP_START_MS = 61_500
CLIP_MS = 75_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="keep the source and outputs here")
    parser.add_argument("--preset", default="veryfast", help="x264 preset for every encode")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-clip-") as tmp_name:
        folder = args.keep or Path(tmp_name)
        folder.mkdir(parents=True, exist_ok=True)
        source = folder / "source.mp4"
        if not source.exists():
            print("generating the 1080p30 source (3 min)...", file=sys.stderr)
            subprocess.run(
                [
                    *("ffmpeg", "-v", "error", "-y"),
                    *("-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r=30:d={SOURCE_SECONDS}"),
                    *("-f", "lavfi", "-i", f"sine=f=440:d={SOURCE_SECONDS}:sample_rate=48000"),
                    *("-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", "90"),
                    *("-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac"),
                    str(source),
                ],
                check=True,
            )
        info = probe(source)
        end = CLIP_START_MS + CLIP_MS
        settings = EncodeSettings(preset=args.preset)
        baseline = [
            *("ffmpeg", "-hide_banner", "-nostdin", "-y", "-i", str(source)),
            *("-ss", f"{CLIP_START_MS / 1000:.3f}", "-t", f"{CLIP_MS / 1000:.3f}"),
            *("-c:v", "libx264", "-preset", args.preset, "-crf", str(settings.crf)),
            *("-c:a", "aac", "-movflags", "+faststart", str(folder / "baseline.mp4")),
        ]
        accurate = accurate_cut_command(
            source, CLIP_START_MS, end, folder / "accurate.mp4", settings, None, info.frame_rate
        )
        keyframe = keyframe_at_or_before(source, CLIP_START_MS)
        copy = copy_cut_command(source, keyframe, end, folder / "copy.mp4")

        timings = {
            "full re-encode (baseline)": _time(lambda: run_ffmpeg(baseline)),
            "accurate cut": _time(lambda: run_ffmpeg(accurate)),
            "--copy": _time(lambda: run_ffmpeg(copy)),
        }
        base = timings["full re-encode (baseline)"]
        print(
            f"75 s clip at {CLIP_START_MS / 1000:g} s of a {SOURCE_SECONDS} s 1080p30 H.264 "
            f"source ({Fraction(info.frame_rate)} fps, x264 preset {args.preset}):"
        )
        for name, seconds in timings.items():
            print(f"  {name:28s} {seconds:7.2f} s   {base / seconds:6.1f}x faster than baseline")
        print(f"  --copy started on the keyframe at {keyframe / 1000:.3f} s")
    return 0


def _time(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


if __name__ == "__main__":
    raise SystemExit(main())
