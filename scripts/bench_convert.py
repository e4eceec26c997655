"""How fast `clipkit convert` is, against baselines measured in the same run.

(p) A 4-hour rolling VTT (1.1 MB, 21 k words: the longest fixture and two more, shifted into
    one 4-hour stream with breaks; :func:`four_hour_vtt`) converted to SRT by the `clipkit`
    command as a process, against `python -c "import webvtt; webvtt.read(f)"` as a process:
    the median of alternating runs.  Goal: at least 1.0x (as fast as merely reading it).
    Then the same conversion in-process, by stage (import, load, build_cues, render), against
    webvtt.read in-process.  Goal beyond issue 12: 3x.
(a) The largest caption fixture converted end to end in-process (read + build_cues + render
    SRT) against webvtt-py merely reading the same file.  Goal: clipkit at least 3x faster.
(b) A batch of transcripts made from the bundled sample, converted by the CLI's main() with
    --jobs 2 against --jobs 1.  Goal: at least 1.85x faster (needs 2 free CPU cores); the
    cost a file at --jobs 1 is printed too.
(c) Adversarial inputs (a run of newlines then "x", a cue of 1 MB of "<", unclosed tags and
    override blocks, deep JSON, a long cue repeated in reverse, ...) against real files:
    parse time (read_bytes) per MB.  Goal: no 1 MB adversarial file parses slower than the
    slowest real file (the sample and the fixtures), and each grows linearly (its time per
    MB at 4 MB within 1.5x of that at 1 MB).  An input packing more words a MB than any
    real file (dense text) may instead match the slowest real file's time a word.

Each in-process figure is the best of several repeats.  Run from anywhere:

    python scripts/bench_convert.py [--repeats N] [--runs N] [--batch N] [--full] [--parts pabc]
    python scripts/bench_convert.py --write-4h talk.vtt    # only write the 4-hour VTT
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import NamedTuple

import webvtt

from clipkit.cli import main as clipkit_main
from clipkit.errors import ClipkitError
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
JOBS_GOAL = 1.85
PROCESS_GOAL = 1.0
FIXTURES = REPO.parent / "shared/fixtures/vtt"
# (fixture, where it starts in the 4-hour stream, in ms): 95 min of podcast, a break, 15 min
# of a video review, a long break, a 3-minute song ending the stream at 3:59:45
FOUR_HOURS = (
    ("ConcessaObvius__Concessa-s-Repository__transcript.en.vtt", 0),
    ("ambiso__tldw__subs.en.vtt", 9_000_000),
    ("qkeluna__Downlodr__video.en.vtt", 14_220_000),
)
_STAMP = re.compile(r"(\d{2}):(\d{2}):(\d{2})\.(\d{3})")


def best_of(repeats: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def best_with_cpu(repeats: int, action: Callable[[], object]) -> tuple[float, float]:
    """The best wall time of ``repeats`` runs, and the CPU time (user + system, of this
    process and of the children it waited for) of that run."""
    runs = []
    for _ in range(repeats):
        before = _cpu_seconds()
        start = time.perf_counter()
        action()
        runs.append((time.perf_counter() - start, _cpu_seconds() - before))
    return min(runs)


def _cpu_seconds() -> float:
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
    )


def verdict(ratio: float, goal: float) -> str:
    return f"{ratio:.2f}x (goal >= {goal:g}x): {'PASS' if ratio >= goal else 'FAIL'}"


def four_hour_vtt() -> str | None:
    """One 4-hour rolling VTT made of real files (see FOUR_HOURS), or None without them."""
    paths = [FIXTURES / name for name, _ in FOUR_HOURS]
    if not all(path.exists() for path in paths):
        return None
    pieces: list[str] = []
    for index, (path, (_, offset)) in enumerate(zip(paths, FOUR_HOURS)):
        head, body = path.read_text(encoding="utf-8").split("\n\n", 1)

        def shifted(match: re.Match[str], offset: int = offset) -> str:
            hours, minutes, seconds, ms = (int(group) for group in match.groups())
            total = ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms + offset
            hours, total = divmod(total, 3_600_000)
            minutes, total = divmod(total, 60_000)
            return f"{hours:02d}:{minutes:02d}:{total // 1000:02d}.{total % 1000:03d}"

        body = _STAMP.sub(shifted, body).rstrip("\n") + "\n\n"
        pieces.append(head + "\n\n" + body if index == 0 else body)
    return "".join(pieces)


def process_seconds(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """The wall time and the CPU time (user + system) of one run of a command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def bench_process(runs: int, repeats: int) -> None:
    print(f"(p) a 4-hour rolling VTT, as processes: the median of {runs} alternating runs")
    text = four_hour_vtt()
    if text is None:
        print(f"    skipped: the fixtures in {FIXTURES} are absent")
        return
    clipkit = Path(sys.executable).with_name("clipkit")
    with tempfile.TemporaryDirectory(prefix="clipkit-bench-") as temp:
        path = Path(temp, "stream.vtt")
        path.write_text(text, encoding="utf-8")
        output = Path(temp, "stream.srt")
        words = len(read_bytes(path.read_bytes(), str(path)).words)
        print(f"    {path.stat().st_size / 1e6:.1f} MB, {words} words, 4 hours -> SRT")
        ours = [str(clipkit), "convert", str(path), "-o", str(output), "-q"]
        theirs = [sys.executable, "-c", "import sys, webvtt; webvtt.read(sys.argv[1])", str(path)]
        # As installed (pip compiles every module's bytecode, webvtt-py's and clipkit's), in
        # a cache of its own; then as this environment runs them, which may keep Python from
        # caching bytecode (PYTHONDONTWRITEBYTECODE: an editable clipkit is compiled from
        # source at every start, while webvtt-py's bytecode came with its install).
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = str(Path(temp, "bytecode"))
        settings = [("bytecode cached, as installed", cached)]
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            settings.append(("as here: PYTHONDONTWRITEBYTECODE set", dict(os.environ)))
        for name, env in settings:
            process_seconds(ours, env), process_seconds(theirs, env)  # (caches warmed)
            mine_runs, peer_runs = [], []
            for _ in range(runs):
                mine_runs.append(process_seconds(ours, env))
                peer_runs.append(process_seconds(theirs, env))
            mine, mine_cpu = (statistics.median(run) for run in zip(*mine_runs))
            peer, peer_cpu = (statistics.median(run) for run in zip(*peer_runs))
            print(f"    {name}:")
            for command, wall, cpu in (
                ("clipkit convert", mine, mine_cpu),
                ("python -c 'webvtt.read'", peer, peer_cpu),
            ):
                print(f"      {command:25s} {wall * 1000:6.0f} ms ({cpu * 1000:.0f} ms CPU)")
            load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
            cpu_ratio = f"CPU time: {peer_cpu / mine_cpu:.2f}x{load}"
            print(f"      clipkit is {verdict(peer / mine, PROCESS_GOAL)} ({cpu_ratio})")
        print_stages(path, repeats, cached)


def print_stages(path: Path, repeats: int, env: dict[str, str]) -> None:
    """The same conversion in-process, by stage; the import in a fresh interpreter."""
    code = (
        "import time; start = time.perf_counter(); "
        "import clipkit.cli as c, clipkit.convert\n"
        "try: c.build_parser(['convert'])\n"
        "except TypeError: c.build_parser()  # (before issue 12: every command's modules)\n"
        "print(time.perf_counter() - start)"
    )
    imports = min(
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
            ).stdout
        )
        for _ in range(repeats)
    )
    data, source, style = path.read_bytes(), str(path), CaptionStyle()
    transcript = read_bytes(data, source)
    cues = build_cues(transcript, style)
    load = best_of(repeats, lambda: read_bytes(data, source))
    build = best_of(repeats, lambda: build_cues(transcript, style))
    write = best_of(repeats, lambda: render(cues, transcript, "srt", WriteOptions(), grid=style))
    theirs = best_of(repeats, lambda: webvtt.read(source))
    total = load + build + write
    print(
        f"    in-process, best of {repeats}: import {imports * 1000:.0f} ms (cached), load "
        f"{load * 1000:.0f}, build_cues {build * 1000:.0f}, render {write * 1000:.0f} "
        f"(together {total * 1000:.0f}) vs webvtt.read {theirs * 1000:.0f}"
    )
    print(f"    in-process, clipkit is {verdict(theirs / total, FIXTURE_GOAL)}")


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

        one, one_cpu = best_with_cpu(repeats, convert(1))
        two, two_cpu = best_with_cpu(repeats, convert(2))
    print(f"    --jobs 1: {one:7.2f} s   ({one / count * 1000:.0f} ms a file)")
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    print(f"    --jobs 2: {two:7.2f} s   ({cores} CPU cores here{load})")
    print(f"    --jobs 2 is {verdict(one / two, JOBS_GOAL)}")
    print(
        f"    CPU time (this process and its workers): --jobs 1 {one_cpu:.2f} s, --jobs 2 "
        f"{two_cpu:.2f} s: the pool costs {(two_cpu / one_cpu - 1) * 100:+.1f} %, so on 2 "
        f"free cores --jobs 2 could be {2 * one_cpu / two_cpu:.2f}x at best"
    )


# ---------------------------------------------------------------- (c) adversarial inputs

MB = 1_000_000
ADVERSARIAL_GOAL = 1.0  # times the slowest real file's parse time a MB (or a word)
REAL_MIN_BYTES = 100_000  # the real files the goal is measured against
LINEAR_GOAL = 1.5  # time a MB at 4 MB over that at 1 MB (quadratic: 4x)


def _srt_cue(body: bytes) -> bytes:
    return b"1\n00:00:01,000 --> 00:00:02,000\n" + body + b"\n\n"


def _reversed_repeats(size: int) -> bytes:
    """A long cue, its 10 ms transition, then its lines in reverse under a new one."""
    count = size // 36
    lines = [b"line%d" % n for n in range(count)]
    body = b"\n".join(lines)
    return (
        b"1\n00:00:01,000 --> 00:00:02,000\nfirst\n" + body + b"\n\n"
        b"2\n00:00:02,000 --> 00:00:02,010\n" + body + b"\n\n"
        b"3\n00:00:02,010 --> 00:00:03,000\n" + b"\n".join(reversed(lines)) + b"\nnew\n\n"
    )


def _json_events(segs: list[dict[str, object]]) -> bytes:
    return json.dumps({"events": [{"tStartMs": 0, "dDurationMs": 5000, "segs": segs}]}).encode()


# name -> (what it attacks, the input of about ``size`` bytes)
ADVERSARIAL: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "newlines then x": ("SRT sniffing (was 121 s for 100 KB)", lambda n: b"\n" * n + b"x"),
    "cue of '<'": ("tag stripping (was 39 s for 100 KB)", lambda n: _srt_cue(b"<" * n)),
    "unclosed <c tags": (
        "YouTube VTT tag stripping",
        lambda n: (
            b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\na<00:00:01.500><c> b</c>"
            + b"<c" * (n // 2)
            + b"\n"
        ),
    ),
    "unclosed {\\ blocks": ("override stripping", lambda n: _srt_cue(b"{\\" * (n // 2))),
    "line of digits": ("timing-line matching", lambda n: _srt_cue(b"x") + b"0" * n + b"\n"),
    "line of blanks": ("cue payload scanning", lambda n: _srt_cue(b" \t" * (n // 2) + b"x")),
    "line of -->": ("unreadable-timing search", lambda n: _srt_cue(b"x") + b"-->" * (n // 3)),
    "glued word stamps": (
        "inline word times without spaces",
        lambda n: (
            b"WEBVTT\n\n00:00:01.000 --> 00:00:09.000\na"
            + b"<00:00:01.500><c>a</c>" * (n // 22)
            + b"\n"
        ),
    ),
    "deep JSON": ("JSON nesting (was RecursionError)", lambda n: b'{"events":' + b"[" * n),
    "4300-digit runs": (
        "finding the too-long number (was ValueError)",
        lambda n: (
            b'{"events": ['
            + b", ".join([b'{"x": "' + b"1" * 4300 + b'"}'] * (n // 4310))
            + b', {"tStartMs": '
            + b"9" * 5000
            + b"}]}"
        ),
    ),
    "json3 text of '<a'": (
        "json3 markup stripping",
        lambda n: _json_events([{"utf8": "<a" * (n // 2)}]),
    ),
    "markdown of '<a'": ("markdown markup stripping", lambda n: b"**[00:01]** " + b"<a" * (n // 2)),
    "reversed long cue": ("rolling SRT repair (was quadratic)", _reversed_repeats),
    "broken surrogates": (
        "json3 lone surrogates, one in every event",
        lambda n: json.dumps(
            {"events": [{"tStartMs": i, "segs": [{"utf8": "\ud800 x"}]} for i in range(n // 50)]}
        ).encode(),
    ),
}


# Real-looking text with more words (or lines) a MB than any real file: it attacks nothing,
# its time is its words' (the goal takes the time a word for such inputs).
DENSE: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "cp1252 lines": (
        "per-line decoding",
        lambda n: _srt_cue(b"caf\xc3\xa9 one\ncaf\xe9 two\n" * (n // 22)),
    ),
    "dense json3": ("a word every 14 bytes", lambda n: _json_events([{"utf8": " a"}] * (n // 14))),
    "dense markdown": (
        "an entry every 18 bytes, all in one second",
        lambda n: b"".join(b"**[00:01]** w%d x\n" % i for i in range(n // 18)),
    ),
}


def parse_or_fail(data: bytes) -> int:
    """The number of words read (0 when the input is rejected, quickly: also measured)."""
    try:
        return len(read_bytes(data, "bench").words)
    except ClipkitError:
        return 0


def bench_adversarial(repeats: int) -> None:
    print(f"(c) adversarial vs real files: parse time (read_bytes), best of {repeats}")
    real = [SAMPLE, *sorted(p for p in (REPO.parent / "shared/fixtures").glob("*/*.*"))]
    # (a file of a few KB is all start-up cost: its time a word says nothing)
    real = [p for p in real if p.name != "README.md" and p.stat().st_size >= REAL_MIN_BYTES]
    by_mb: list[tuple[float, str]] = []
    by_word: list[tuple[float, str]] = []
    for path in real:
        data = path.read_bytes()
        seconds = best_of(repeats + 2, partial(parse_or_fail, data))
        by_mb.append((seconds / (len(data) / MB), path.name))
        by_word.append((seconds / parse_or_fail(data), path.name))
    slowest_mb, slowest_word = max(by_mb), max(by_word)
    print(
        f"    the slowest of {len(real)} real files of {REAL_MIN_BYTES // 1000} KB or more: "
        f"{slowest_mb[0] * 1000:.0f} ms a MB ({slowest_mb[1]}), "
        f"{slowest_word[0] * 1e6:.1f} us a word ({slowest_word[1]})"
    )
    print(f"    {'input':22s} {'1 MB':>8s} {'4 MB':>8s} growth  us/word  vs real a MB / a word")
    failed: list[str] = []
    for name, (attacks, make) in {**ADVERSARIAL, **DENSE}.items():
        measured = measure(make, repeats)
        by_size = measured.one_mb / slowest_mb[0]
        per_word = measured.one_mb / measured.words_per_mb
        by_words = per_word / slowest_word[0]
        ok = min(by_size, by_words) <= ADVERSARIAL_GOAL and measured.growth <= LINEAR_GOAL
        failed += [] if ok else [name]
        # (a time a word only means something for inputs of many words)
        words = measured.words_per_mb >= 1000
        print(
            f"    {name:22s} {measured.one_mb * 1000:5.0f} ms {measured.four_mb * 1000:5.0f} ms "
            f"{measured.growth:5.2f}x {f'{per_word * 1e6:7.1f}' if words else '      -'}  "
            f"{by_size:5.2f}x / {f'{by_words:5.2f}x' if words else '    -'}  "
            f"{'ok  ' if ok else 'FAIL'} {attacks}"
        )
    goal = (
        f"each no slower than the slowest real file a MB, or a word where it packs more words "
        f"(<= {ADVERSARIAL_GOAL:g}x), and growing <= {LINEAR_GOAL:g}x from 1 to 4 MB"
    )
    print(f"    {goal}: {'PASS' if not failed else 'FAIL (' + ', '.join(failed) + ')'}")


class Measured(NamedTuple):
    one_mb: float  # parse seconds a MB of the input made at 1 MB
    four_mb: float  # ... at 4 MB
    words_per_mb: int

    @property
    def growth(self) -> float:
        return self.four_mb / self.one_mb


def measure(make: Callable[[int], bytes], repeats: int) -> Measured:
    small, large = make(MB), make(4 * MB)
    seconds = [best_of(repeats, partial(parse_or_fail, data)) for data in (small, large)]
    return Measured(
        seconds[0] / (len(small) / MB),
        seconds[1] / (len(large) / MB),
        max(1, round(parse_or_fail(small) / (len(small) / MB))),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=5, help="repeats for (a) (default 5)")
    parser.add_argument("--batch-repeats", type=int, default=3, help="repeats for (b) (default 3)")
    parser.add_argument("--batch", type=int, default=200, help="transcripts in (b) (default 200)")
    parser.add_argument("--full", action="store_true", help="(b) with whole 41-minute copies")
    parser.add_argument(
        "--adversarial-repeats", type=int, default=3, help="repeats for (c) (default 3)"
    )
    parser.add_argument("--runs", type=int, default=11, help="process runs for (p) (default 11)")
    parser.add_argument("--parts", default="pabc", help="which parts to run (default pabc)")
    parser.add_argument("--write-4h", type=Path, metavar="FILE", help="write (p)'s input, only")
    args = parser.parse_args()
    if args.write_4h:
        text = four_hour_vtt()
        if text is None:
            raise SystemExit(f"the fixtures in {FIXTURES} are absent")
        args.write_4h.write_text(text, encoding="utf-8")
        return 0
    if "p" in args.parts:
        bench_process(args.runs, args.repeats)
    if "a" in args.parts:
        bench_fixture(args.repeats)
    if "b" in args.parts:
        bench_jobs(args.batch_repeats, args.batch, args.full)
    if "c" in args.parts:
        bench_adversarial(args.adversarial_repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
