#!/usr/bin/env python3
"""Benchmark clip cutting on a generated 1080p30 H.264 source, in one run.

The source: 3 minutes of testsrc2 + a sine, 1920x1080 at 30 fps, B-frames, a keyframe
every 3 s (``--gop``) and 4 Mb/s (``--bitrate``: the order of YouTube's 1080p H.264
streams).  A 75 s clip starting mid-group is cut four ways and compared with the
baseline, a full libx264 re-encode of the same span that decodes from the start of the
file (what a plain ``ffmpeg -i src -ss ... -t ...`` does):

* the re-encode with the seek on the input (clipkit's ``--mode reencode``);
* clipkit's smart cut (``--mode smart``, the default): edges re-encoded, the middle
  stream-copied, then verified against the source;
* clipkit's ``--copy`` (stream copy from the keyframe at or before the start).

Every encode uses the same x264 preset.  For each frame-accurate cut it also prints
the frame count and how close its first and last frames are to the source's (PSNR;
"identical" means bit-identical).

    python scripts/bench_clip.py [--keep DIR] [--preset veryfast] [--gop 3] [--bitrate 4M]
"""

from __future__ import annotations

import argparse
import math
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clipkit.media import smartcut
from clipkit.media.cut import EncodeSettings, accurate_cut_command, copy_cut_command
from clipkit.media.probe import counted_streams, keyframe_at_or_before, probe
from clipkit.media.runner import run_ffmpeg

SOURCE_SECONDS = 180
CLIP_START_MS = 61_500
CLIP_MS = 75_000
FPS = 30
SMART_GOAL = 10.0
SAME_FRAME_DB = 35.0  # a re-encode of the same frame; a neighbouring frame scores far lower


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="keep the source and outputs here")
    parser.add_argument("--preset", default="veryfast", help="x264 preset for every encode")
    parser.add_argument("--gop", type=float, default=3.0, help="source keyframe interval (s)")
    parser.add_argument("--bitrate", default="4M", help="source video bitrate (4M)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-clip-") as tmp_name:
        folder = args.keep or Path(tmp_name)
        folder.mkdir(parents=True, exist_ok=True)
        gop = round(args.gop * FPS)
        source = folder / f"source-gop{gop}-{args.bitrate}.mp4"
        if not source.exists():
            print("generating the 1080p30 source (3 min)...", file=sys.stderr)
            subprocess.run(
                [
                    *("ffmpeg", "-v", "error", "-y"),
                    *("-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r={FPS}:d={SOURCE_SECONDS}"),
                    *("-f", "lavfi", "-i", f"sine=f=440:d={SOURCE_SECONDS}:sample_rate=48000"),
                    *("-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", str(gop)),
                    *("-b:v", args.bitrate, "-maxrate", args.bitrate, "-bufsize", "8M"),
                    *("-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac"),
                    str(source),
                ],
                check=True,
            )
        info = probe(source)
        end = CLIP_START_MS + CLIP_MS
        settings = EncodeSettings(preset=args.preset)
        outputs = {
            name: folder / f"{name}.mp4" for name in ("baseline", "reencode", "smart", "copy")
        }
        baseline = [
            *("ffmpeg", "-hide_banner", "-nostdin", "-y", "-i", str(source)),
            *("-ss", f"{CLIP_START_MS / 1000:.3f}", "-t", f"{CLIP_MS / 1000:.3f}"),
            *("-c:v", "libx264", "-preset", args.preset, "-crf", str(settings.crf)),
            *("-c:a", "aac", "-movflags", "+faststart", str(outputs["baseline"])),
        ]
        reencode = accurate_cut_command(
            source, CLIP_START_MS, end, outputs["reencode"], settings, None, info.frame_rate
        )
        keyframe = keyframe_at_or_before(source, CLIP_START_MS)
        copy = copy_cut_command(source, keyframe, end, outputs["copy"])

        def smart() -> None:
            plan = smartcut.plan_for(source, CLIP_START_MS, end)
            smartcut.smart_cut(source, plan, outputs["smart"], settings)

        timings = {
            "full re-encode (baseline)": _time(lambda: run_ffmpeg(baseline)),
            "--mode reencode": _time(lambda: run_ffmpeg(reencode)),
            "--mode smart (verified)": _time(smart),
            "--copy": _time(lambda: run_ffmpeg(copy)),
        }
        plan = smartcut.plan_for(source, CLIP_START_MS, end)
        base = timings["full re-encode (baseline)"]
        print(
            f"75 s clip at {CLIP_START_MS / 1000:g} s of a {SOURCE_SECONDS} s 1080p30 H.264 "
            f"source ({Fraction(info.frame_rate)} fps, keyframe every {gop / FPS:g} s, "
            f"{args.bitrate}b/s, x264 preset {args.preset}):"
        )
        for name, seconds in timings.items():
            print(f"  {name:28s} {seconds:7.2f} s   {base / seconds:6.1f}x faster than baseline")
        smart_s = timings["--mode smart (verified)"]
        print(f"  smart vs --mode reencode: {timings['--mode reencode'] / smart_s:.1f}x faster")
        parts = plan.summary()
        print(
            f"  smart cut: {parts['head_frames']} + {parts['tail_frames']} frames re-encoded, "
            f"{parts['copied_frames']} copied"
        )
        print(f"  --copy started on the keyframe at {keyframe / 1000:.3f} s")
        first = CLIP_START_MS * FPS // 1000
        frames = CLIP_MS * FPS // 1000
        print("  first/last frame against the source's frames at the cut points (PSNR, dB):")
        same = True
        for name in ("baseline", "reencode", "smart"):
            count, edges = _edges(outputs[name], source, first, frames)
            print(
                f"    {name:9s} {count} frames (want {frames}); first {edges[0]}, last {edges[1]}"
            )
            same = same and count == frames and all(_matches(edge) for edge in edges)
        ratio = base / smart_s
        verdict = "PASS" if ratio >= SMART_GOAL and same else "FAIL"
        print(
            f"  smart cut is {ratio:.1f}x the baseline (goal >= {SMART_GOAL:g}x), "
            f"{'same' if same else 'DIFFERENT'} first and last frames: {verdict}"
        )
    return 0


def _matches(edge: str) -> bool:
    return edge == "identical" or (edge != "-" and float(edge) >= SAME_FRAME_DB)


def _edges(clip: Path, source: Path, first: int, frames: int) -> tuple[int, list[str]]:
    """The clip's frame count and the PSNR of its first and last frames against the source."""
    graph = (
        f"[0:v]setpts=PTS-STARTPTS[clip];[1:v]trim=end_frame={frames},setpts=PTS-STARTPTS[src];"
        "[clip][src]psnr=stats_file=-:shortest=1"
    )
    seek = f"{math.floor(first * 1_000_000 / FPS) / 1e6:.6f}"
    out = subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-i", str(clip), "-ss", seek, "-i", str(source)),
            *("-lavfi", graph, "-f", "null", "-"),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    values = re.findall(r"psnr_avg:(inf|[\d.]+)", out.stdout)
    shown = ["identical" if v == "inf" else v for v in values]
    video = next(s for s in counted_streams(clip) if s.kind == "video")
    return video.packets, [shown[0], shown[-1]] if shown else ["-", "-"]


def _time(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


if __name__ == "__main__":
    raise SystemExit(main())
