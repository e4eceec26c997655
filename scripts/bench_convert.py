"""How fast `clipkit convert` is, against baselines measured in the same run.

(a) The largest caption fixture converted end to end in-process (read + build_cues + render
    SRT) against webvtt-py merely reading the same file.  Goal: clipkit at least 3x faster.
(b) A batch of transcripts made from the bundled sample, converted by the CLI's main() with
    --jobs 2 against --jobs 1.  Goal: at least 1.7x faster (needs 2 free CPU cores).

Each figure is the best of several repeats.  Run from anywhere:

    python scripts/bench_convert.py [--repeats N] [--batch N] [--full]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import webvtt

from clipkit.cli import main as clipkit_main
from clipkit.model import Word
from clipkit.readers import read_bytes
from clipkit.segment import build_cues
from clipkit.style import CaptionStyle
from clipkit.writers import WriteOptions, render

REPO = Path(__file__).resolve().parents[1]
FIXTURE = (
    REPO.parent / "shared/fixtures/vtt/ConcessaObvius__Concessa-s-Repository__transcript.en.vtt"
)
SAMPLE = REPO / "media" / "avWhreBUYF0.md"
FIXTURE_GOAL = 3.0
JOBS_GOAL = 1.7


def best_of(repeats: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def verdict(ratio: float, goal: float) -> str:
    return f"{ratio:.2f}x (goal >= {goal:g}x): {'PASS' if ratio >= goal else 'FAIL'}"


def bench_fixture(repeats: int) -> None:
    print(f"(a) largest fixture, end to end in-process vs webvtt.read, best of {repeats}")
    if not FIXTURE.exists():
        print(f"    skipped: {FIXTURE} is absent")
        return
    path = str(FIXTURE)
    style = CaptionStyle()

    def convert() -> bytes:
        transcript = read_bytes(FIXTURE.read_bytes(), path)
        return render(build_cues(transcript, style), transcript, "srt", WriteOptions())

    cues = convert().count(b" --> ")
    ours = best_of(repeats, convert)
    theirs = best_of(repeats, lambda: webvtt.read(path))
    print(f"    {FIXTURE.name} ({FIXTURE.stat().st_size / 1e6:.1f} MB -> {cues} cues)")
    print(f"    clipkit read+build_cues+render srt: {ours * 1000:8.1f} ms")
    print(f"    webvtt-py webvtt.read only:         {theirs * 1000:8.1f} ms")
    print(f"    clipkit is {verdict(theirs / ours, FIXTURE_GOAL)}")
    print_budget(FIXTURE.read_bytes(), path, style, theirs, repeats)


def print_budget(
    data: bytes, path: str, style: CaptionStyle, baseline: float, repeats: int
) -> None:
    """Where clipkit's time goes, against the time the goal leaves it."""
    transcript = read_bytes(data, path)
    cues = build_cues(transcript, style)
    read = best_of(repeats, lambda: read_bytes(data, path))
    build = best_of(repeats, lambda: build_cues(transcript, style))
    write = best_of(repeats, lambda: render(cues, transcript, "srt", WriteOptions()))
    fields = [(w.start_ms, w.end_ms, w.text) for w in transcript.words]
    models = best_of(repeats, lambda: [Word(*f) for f in fields])
    budget = baseline / FIXTURE_GOAL
    left = budget - write - models
    count = len(fields)
    print(
        f"    stages: read {read * 1000:.1f} ms (of which {count} Word objects "
        f"{models * 1000:.1f}), build_cues {build * 1000:.1f}, pysrt render {write * 1000:.1f}"
    )
    print(
        f"    the goal leaves {budget * 1000:.1f} ms: after the Word objects and pysrt, "
        f"{left * 1000:.1f} ms to parse and segment {count} words "
        f"({left / count * 1e6:.2f} us a word; now {(read + build - models) / count * 1e6:.2f})"
    )


def make_batch(folder: Path, count: int, full: bool) -> None:
    """``count`` transcripts: whole copies of the sample, or (default) 8-12 minute windows
    of it starting at different minutes, so every file differs and the batch stays quick."""
    text = SAMPLE.read_text(encoding="utf-8")
    head, *sections = text.split("\n### ")
    for n in range(count):
        if full:
            body = sections
        else:
            length = 8 + n % 5
            first = (n * 7) % max(len(sections) - length, 1)
            body = sections[first : first + length]
        title = f"# Variant {n}\n" + head.split("\n", 1)[1]
        (folder / f"talk{n:03d}.md").write_text("\n### ".join([title, *body]), encoding="utf-8")


def bench_jobs(repeats: int, count: int, full: bool) -> None:
    cores = os.cpu_count() or 1
    kind = "whole copies" if full else "8-12 min windows"
    print(f"(b) {count} transcripts ({kind} of {SAMPLE.name}), --jobs 2 vs 1, best of {repeats}")
    with tempfile.TemporaryDirectory(prefix="clipkit-bench-") as temp:
        inputs, outputs = Path(temp, "in"), Path(temp, "out")
        inputs.mkdir()
        make_batch(inputs, count, full)

        def convert(jobs: int) -> Callable[[], None]:
            def run() -> None:
                shutil.rmtree(outputs, ignore_errors=True)
                args = ["convert", str(inputs), "--out-dir", str(outputs), "-q", "-j", str(jobs)]
                if clipkit_main(args) != 0:
                    raise SystemExit(f"clipkit convert --jobs {jobs} failed")

            return run

        one = best_of(repeats, convert(1))
        two = best_of(repeats, convert(2))
    print(f"    --jobs 1: {one:7.2f} s   ({one / count * 1000:.0f} ms a file)")
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    print(f"    --jobs 2: {two:7.2f} s   ({cores} CPU cores here{load})")
    print(f"    --jobs 2 is {verdict(one / two, JOBS_GOAL)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=5, help="repeats for (a) (default 5)")
    parser.add_argument("--batch-repeats", type=int, default=3, help="repeats for (b) (default 3)")
    parser.add_argument("--batch", type=int, default=200, help="transcripts in (b) (default 200)")
    parser.add_argument("--full", action="store_true", help="(b) with whole 41-minute copies")
    args = parser.parse_args()
    bench_fixture(args.repeats)
    bench_jobs(args.batch_repeats, args.batch, args.full)
    return 0


if __name__ == "__main__":
    sys.exit(main())
