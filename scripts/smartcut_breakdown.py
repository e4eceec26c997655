#!/usr/bin/env python3
"""Where a smart cut's wall time goes, by stage, at several keyframe intervals (measuring only).

The source and clip are bench_clip.py's: 3 minutes of 1080p30 testsrc2 + a sine, H.264 with
B-frames at 4 Mb/s and a keyframe every ``--gop`` seconds; a 75 s clip starting at 61.5 s,
cut by ``clipkit.media.smartcut`` exactly as ``clipkit clip`` does.  Nothing in clipkit is
changed: the script wraps the functions the smartcut package calls (``run_ffmpeg``,
``run_capture_both``, ``counted_streams``, ``probe``, ``read_packets``) to note when each
ffmpeg or ffprobe run started and ended, then prints every stage's span on the cut's clock:

* plan: probing the stream and reading the packets around the span;
* head / tail: the edge re-encodes (side by side), copy: the middle's stream copy;
* audio: the audio re-encode (in the background from the start);
* join: the pieces joined by stream copy;
* verify: the decodes comparing the joins and edges with the source (two a core);
* mux: video and audio put together; check: the ffprobe of the result.

Then the irreducible part: the head and tail encodes run again alone (side by side, as the
cut runs them), and ``--mode reencode`` of the same span for the ratio (``--reencode``).

    python scripts/smartcut_breakdown.py [--gop 2 5 10] [--keep DIR] [--reencode]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clipkit.media import smartcut
from clipkit.media.cut import EncodeSettings, accurate_cut_command
from clipkit.media.probe import probe
from clipkit.media.runner import run_ffmpeg
from clipkit.media.smartcut import plan as smart_plan
from clipkit.media.smartcut import run as smart_run
from clipkit.media.smartcut import verify as smart_verify

SOURCE_SECONDS = 180
CLIP_START_MS = 61_500
CLIP_MS = 75_000
FPS = 30


class Run(NamedTuple):
    stage: str
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


class Recorder:
    """The runs of the wrapped functions, on one clock."""

    def __init__(self) -> None:
        self.runs: list[Run] = []
        self.origin = time.perf_counter()
        self._lock = threading.Lock()

    def wrap(self, module: Any, name: str, stage_of: Callable[..., str]) -> Callable[[], None]:
        """Time ``module.name``; returns what puts the original back."""
        original = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                ended = time.perf_counter()
                with self._lock:
                    self.runs.append(
                        Run(stage_of(*args, **kwargs), began - self.origin, ended - self.origin)
                    )

        setattr(module, name, timed)
        return lambda: setattr(module, name, original)

    def span(self, stage: str) -> tuple[float, float, float, int] | None:
        """First start, last end, summed run time and count of a stage's runs."""
        runs = [run for run in self.runs if run.stage == stage]
        if not runs:
            return None
        return (
            min(r.start for r in runs),
            max(r.end for r in runs),
            sum(r.seconds for r in runs),
            len(runs),
        )


def ffmpeg_stage(argv: Sequence[str], *args: Any, **kwargs: Any) -> str:
    what = str(kwargs.get("what", args[2] if len(args) > 2 else ""))
    if "audio" in what:
        return "audio"
    if "join" in what:
        return "join"
    if "mux" in what:
        return "mux"
    if "piece" in what:
        if "copy" in argv:
            return "copy"
        output = next(Path(a).stem for a in argv if Path(a).name.startswith("piece-"))
        return "head" if output.endswith("-0") else "tail"  # piece-<cut>-<n>
    return what or "ffmpeg"


def make_source(folder: Path, gop_s: float, bitrate: str) -> Path:
    gop = round(gop_s * FPS)
    source = folder / f"source-gop{gop}-{bitrate}.mp4"
    if not source.exists():
        print(f"generating the 1080p30 source, a keyframe every {gop_s:g} s...", file=sys.stderr)
        subprocess.run(
            [
                *("ffmpeg", "-v", "error", "-y"),
                *("-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r={FPS}:d={SOURCE_SECONDS}"),
                *("-f", "lavfi", "-i", f"sine=f=440:d={SOURCE_SECONDS}:sample_rate=48000"),
                *("-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", str(gop)),
                *("-b:v", bitrate, "-maxrate", bitrate, "-bufsize", "8M"),
                *("-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac"),
                str(source),
            ],
            check=True,
        )
    return source


def breakdown(source: Path, folder: Path, settings: EncodeSettings, reencode: bool) -> None:
    end = CLIP_START_MS + CLIP_MS
    recorder = Recorder()
    restore = [
        recorder.wrap(smart_run, "run_ffmpeg", ffmpeg_stage),
        recorder.wrap(smart_verify, "run_capture_both", lambda *a, **k: "verify"),
        recorder.wrap(smart_verify, "counted_streams", lambda *a, **k: "check"),
        recorder.wrap(smart_plan, "probe", lambda *a, **k: "plan: probe stream"),
        recorder.wrap(smart_plan, "read_packets", lambda *a, **k: "plan: read packets"),
    ]
    output = folder / "smart.mp4"
    try:
        began = time.perf_counter()
        plan = smartcut.plan_for(source, CLIP_START_MS, end)
        planned = time.perf_counter()
        smartcut.smart_cut(source, plan, output, settings)
        total = time.perf_counter() - began
    finally:
        for undo in restore:
            undo()
    parts = plan.summary()
    print(
        f"  plan: {parts['head_frames']} head + {parts['tail_frames']} tail frames re-encoded, "
        f"{parts['copied_frames']} copied; smart cut {total:.2f} s (plan "
        f"{planned - began:.2f} s)"
    )
    print(f"  {'stage':20s} {'from':>6s} {'to':>6s} {'span':>6s} {'run time':>8s} runs")
    stages = [
        "plan: probe stream",
        "plan: read packets",
        "head",
        "tail",
        "copy",
        "audio",
        "join",
        "verify",
        "mux",
        "check",
    ]
    for stage in stages:
        found = recorder.span(stage)
        if found is None:
            continue
        first, last, summed, count = found
        print(
            f"  {stage:20s} {first:6.2f} {last:6.2f} {last - first:6.2f} {summed:8.2f} {count:4d}"
        )
    critical = _critical_path(recorder)
    print(f"  critical path: {critical}")
    edges = [
        smartcut.piece_command(source, plan, piece, folder / f"alone-{n}.mp4", settings)
        for n, piece in enumerate(plan.pieces)
        if not piece.copy
    ]
    alone = _time(lambda: _side_by_side(edges))
    print(
        f"  irreducible: the {len(edges)} edge encodes alone, side by side: {alone:.2f} s "
        f"({alone / total * 100:.0f} % of the cut; the overhead above it {total - alone:.2f} s)"
    )
    if reencode:
        command = accurate_cut_command(
            source,
            CLIP_START_MS,
            end,
            folder / "reencode.mp4",
            settings,
            None,
            probe(source).frame_rate,
        )
        seconds = _time(lambda: run_ffmpeg(command))
        print(f"  --mode reencode {seconds:.2f} s: smart is {seconds / total:.1f}x faster")


def _critical_path(recorder: Recorder) -> str:
    """The stages in the order they held the cut up (the audio runs beside them)."""
    shown = []
    for stage in (
        "plan: probe stream",
        "plan: read packets",
        "head",
        "tail",
        "copy",
        "join",
        "verify",
        "mux",
        "check",
    ):
        found = recorder.span(stage)
        if found is not None:
            shown.append(f"{stage} {found[1] - found[0]:.2f}")
    audio = recorder.span("audio")
    if audio is not None:
        shown.append(f"(audio {audio[1] - audio[0]:.2f}, ends at {audio[1]:.2f})")
    return ", ".join(shown)


def _side_by_side(commands: Sequence[Sequence[str]]) -> None:
    with ThreadPoolExecutor(max_workers=max(1, len(commands))) as pool:
        for future in [pool.submit(run_ffmpeg, argv) for argv in commands]:
            future.result()


def _time(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--gop",
        type=float,
        nargs="+",
        default=[2.0, 5.0, 10.0],
        help="source keyframe intervals in seconds (default 2 5 10)",
    )
    parser.add_argument("--keep", type=Path, help="keep the sources and outputs here")
    parser.add_argument("--preset", default="veryfast", help="x264 preset for every encode")
    parser.add_argument("--bitrate", default="4M", help="source video bitrate (4M)")
    parser.add_argument("--reencode", action="store_true", help="time --mode reencode too")
    args = parser.parse_args()
    settings = EncodeSettings(preset=args.preset)
    with tempfile.TemporaryDirectory(prefix="smartcut-breakdown-") as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        for gop in args.gop:
            source = make_source(folder, gop, args.bitrate)
            print(
                f"keyframe every {gop:g} s: 75 s clip at 61.5 s of 1080p30 (preset {args.preset})"
            )
            breakdown(source, folder, settings, args.reencode)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
