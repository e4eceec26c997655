#!/usr/bin/env python3
"""What a Dask cluster costs a batch (goal: within 20 % of the local pool), and what a talk
costs, to say what 1000 talks take on N workers.

1. ``--count`` (200) transcripts, each a copy of the bundled 41-minute sample, converted
   by the ``clipkit`` command four ways, each into a fresh folder: ``clipkit batch`` (a job
   file of caption-only talks, SRT) with ``--jobs 2`` and with ``--scheduler`` on a
   ``LocalCluster`` of 2 single-thread worker processes on 127.0.0.1, and ``clipkit
   convert`` the same two ways.  The cluster's overhead is its time over the local pool's,
   measured in the same run, in wall-clock time and in CPU time (the command's and its
   workers', which a busy machine changes less); the cluster's own start-up is printed
   apart (a cluster is started once and serves many batches).  The runs alternate,
   ``--repeat`` times, and the best of each is kept: other work on the machine slows both.
2. One worker's cost of each step of a talk, measured here: converting the sample (per
   minute of talk), aligning speech to its transcript with ``clipkit.align.align_transcript``
   (espeak-ng speaking ``--align-minutes`` of a fixture; per minute), and smart-cutting a
   60 s clip out of a generated 720p30 H.264 talk.  From them, what 1000 talks of 45
   minutes with 5 one-minute clips and a reel each take on N workers (fetch aside: that is
   the network's).

Wall-clock times on a machine others may be using: they vary from run to run.

    python scripts/bench_batch.py [--count 200] [--repeat 2] [--align-minutes 2] [--no-costs]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from clipkit.convert import convert_file  # noqa: E402
from clipkit.jobs.clipping import Cut, cut_talk_clips  # noqa: E402
from clipkit.jobs.model import ClipSettings  # noqa: E402
from clipkit.style import CaptionStyle  # noqa: E402
from clipkit.writers import WriteOptions  # noqa: E402

SAMPLE = REPO / "media" / "avWhreBUYF0.md"
SAMPLE_MINUTES = 41.0
FIXTURE = REPO.parent / "shared" / "fixtures" / "vtt" / "ambiso__tldw__subs.en.vtt"
CLIPKIT = str(Path(sys.executable).with_name("clipkit"))
GOAL = 0.20
TALK_MINUTES, CLIPS, CLIP_S = 45, 5, 60


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=200, help="transcripts (default: 200)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, best kept (2)")
    parser.add_argument("--align-minutes", type=float, default=2.0, help="speech to align")
    parser.add_argument("--no-costs", action="store_true", help="only part 1")
    args = parser.parse_args(argv)
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder = Path(tmp)
        inputs = folder / "in"
        inputs.mkdir()
        for n in range(args.count):
            shutil.copy(SAMPLE, inputs / f"t{n:04d}.md")
        entries = "".join(f"  - captions: in/t{n:04d}.md\n" for n in range(args.count))
        job = folder / "jobs.yaml"
        job.write_text("defaults:\n  formats: [srt]\ntalks:\n" + entries, encoding="utf-8")
        print(f"{args.count} transcripts of {SAMPLE_MINUTES:g} min ({SAMPLE.name}), 2 workers")

        began = time.monotonic()
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        )
        print(f"  LocalCluster start-up (once): {time.monotonic() - began:.1f} s")
        try:
            address = cluster.scheduler_address
            runs = {
                "batch": (
                    ["batch", str(job), "-q", "-d"],
                    ["--jobs", "2"],
                    ["--scheduler", address],
                ),
                "convert": (
                    ["convert", str(inputs), "-q", "-d"],
                    ["--jobs", "2"],
                    ["--scheduler", address],
                ),
            }
            worst = 0.0
            workers_cpu = _WorkersCpu(cluster)
            workers_cpu.start()
            time.sleep(10)
            upkeep = workers_cpu.since() / 10
            print(
                f"  the idle workers' own upkeep (heartbeats, profiler): {upkeep * 1000:.0f} ms "
                "CPU per second of wall-clock time"
            )
            for name, (command, local, remote) in runs.items():
                local_runs, remote_runs = [], []
                for _ in range(args.repeat):  # interleaved: both see the same load
                    local_out, remote_out = folder / f"{name}-local", folder / f"{name}-dask"
                    for out in (local_out, remote_out):
                        shutil.rmtree(out, ignore_errors=True)
                    local_runs.append(_timed([*command, str(local_out), *local]))
                    workers_cpu.start()
                    wall, cpu = _timed([*command, str(remote_out), *remote])
                    remote_runs.append((wall, cpu + workers_cpu.since()))
                    _same(local_out, remote_out)
                local_s, local_cpu = (min(run[i] for run in local_runs) for i in (0, 1))
                remote_s, remote_cpu = (min(run[i] for run in remote_runs) for i in (0, 1))
                overhead = remote_s / local_s - 1
                cpu_overhead = remote_cpu / local_cpu - 1
                worst = max(worst, overhead, cpu_overhead)
                print(
                    f"  clipkit {name:7}  --jobs 2: {local_s:6.1f} s ({local_cpu:6.1f} s CPU)   "
                    f"--scheduler: {remote_s:6.1f} s ({remote_cpu:6.1f} s CPU)   overhead "
                    f"{overhead:+.1%} wall, {cpu_overhead:+.1%} CPU "
                    f"({'within' if max(overhead, cpu_overhead) <= GOAL else 'over'} the "
                    f"{GOAL:.0%} goal; best of {args.repeat})"
                )
                net = (remote_cpu - upkeep * remote_s) / local_cpu - 1
                print(f"    CPU overhead less the workers' upkeep over the run: {net:+.1%}")
            rerun = _timed(
                ["batch", str(job), "-q", "-d", str(folder / "batch-dask"), "--scheduler", address]
            )
            print(f"  clipkit batch rerun on the cluster (every step complete): {rerun[0]:.1f} s")
        finally:
            if "workers_cpu" in locals():
                workers_cpu.close()
            cluster.close()
        if not args.no_costs:
            _costs(folder, args.align_minutes, max(worst, 0.0))
    return 0


def _timed(arguments: list[str]) -> tuple[float, float]:
    """The command's wall-clock time and the CPU time of it and its worker processes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    subprocess.run([CLIPKIT, *arguments], check=True)
    wall = time.monotonic() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


class _WorkersCpu:
    """The CPU time the cluster's worker processes spend (they are not our children)."""

    def __init__(self, cluster: Any) -> None:
        import distributed

        client: Any = distributed.Client
        self._client: Any = client(cluster.scheduler_address, set_as_default=False)
        self._start = 0.0

    def _now(self) -> float:
        return float(sum(self._client.run(time.process_time).values()))

    def close(self) -> None:
        self._client.close()

    def start(self) -> None:
        self._start = self._now()

    def since(self) -> float:
        return self._now() - self._start


def _same(a: Path, b: Path) -> None:
    """The cluster's outputs are the local pool's, byte for byte (run records aside)."""

    def files(root: Path) -> dict[Path, bytes]:
        return {
            p.relative_to(root): p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and p.name != "batch.json" and "steps" not in p.parts
        }

    if files(a) != files(b):
        raise SystemExit(f"{b}: not the same bytes as {a}")


def _costs(folder: Path, align_minutes: float, overhead: float) -> None:
    print("one worker's cost of each step of a talk:")
    times = []
    for n in range(3):
        began = time.monotonic()
        convert_file(SAMPLE, folder / f"cost-{n}.srt")
        times.append(time.monotonic() - began)
    convert_per_min = statistics.median(times) / SAMPLE_MINUTES
    print(
        f"  convert: {convert_per_min * SAMPLE_MINUTES:.2f} s for the {SAMPLE_MINUTES:g}-min "
        f"sample ({convert_per_min * 1000:.1f} ms per minute of talk)"
    )

    from speech_factory import make_spoken_talk  # test data: tests/

    from clipkit.align import align_transcript
    from clipkit.readers import load

    align_per_min = None
    if FIXTURE.is_file():
        talk = make_spoken_talk(FIXTURE, folder / "speech", int(align_minutes * 60_000))
        began = time.monotonic()
        result = align_transcript(load(talk.markdown), talk.video, jobs=1)
        took = time.monotonic() - began
        minutes = talk.duration_ms / 60_000
        align_per_min = took / minutes
        print(
            f"  align: {took:.1f} s for {minutes:.1f} min of speech, 1 worker "
            f"({align_per_min:.1f} s per minute; {result.report.summary()[:40]})"
        )
    else:
        print(f"  align: {FIXTURE} missing: not measured")

    video = _talk_720p(folder)
    highlights = folder / "h.yaml"
    highlights.write_text(
        "highlights:\n  - title: One minute\n    start: 31.3\n    end: 91.3\n", encoding="utf-8"
    )
    cut = Cut(video, None, highlights, CaptionStyle(), WriteOptions())
    began = time.monotonic()
    cut_talk_clips(cut, ClipSettings(), folder / "clips")
    smart_s = time.monotonic() - began
    print(f"  smart cut: {smart_s:.1f} s for a {CLIP_S} s clip of a 720p30 H.264 talk")

    per_talk = convert_per_min * TALK_MINUTES + (CLIPS * 2) * smart_s  # clips, and a reel
    with_align = per_talk + (align_per_min or 0) * TALK_MINUTES
    print(
        f"a {TALK_MINUTES}-min talk, {CLIPS} one-minute clips and a reel of them "
        f"(cut again), on one worker: {per_talk:.0f} s; with alignment {with_align:.0f} s"
    )
    print(f"1000 such talks, the cluster's measured overhead ({overhead:+.0%}) included:")
    for workers in (2, 8, 32, 128):
        hours = 1000 * per_talk * (1 + overhead) / workers / 3600
        aligned = 1000 * with_align * (1 + overhead) / workers / 3600
        print(f"  {workers:4} workers: {hours:6.1f} h   with alignment: {aligned:6.1f} h")


def _talk_720p(folder: Path) -> Path:
    """150 s of 1280x720 testsrc2 at 30 fps with a tone: H.264 with a keyframe every 2 s."""
    video = folder / "talk720.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=1280x720:r=30:d=150",
            "-f",
            "lavfi",
            "-i",
            "sine=f=440:d=150:sample_rate=48000",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-g",
            "60",
            "-bf",
            "2",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            str(video),
        ],
        check=True,
    )
    return video


if __name__ == "__main__":
    sys.exit(main())
