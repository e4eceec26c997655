"""Fuzz clipkit's readers by hand: only ClipkitError may escape load -> build_cues -> render.

The mutation fuzzer of tests/fuzzing.py (the suite runs a few hundred of its inputs) for as
many inputs as you like, on several cores; every input that lets another exception out is
saved to ``--save`` with what escaped.  ``--atheris`` runs coverage-guided fuzzing with
atheris (libFuzzer) instead, from the same seeds (``pip install -e '.[fuzz]'``).

    python scripts/fuzz.py --count 50000 --jobs 2
    python scripts/fuzz.py --atheris --count 200000
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))

from fuzzing import Escape, all_seeds, check, fuzz  # noqa: E402

CHUNK = 500  # inputs a worker checks at a time (each chunk has its own seed)


def run_chunk(chunk: tuple[int, int]) -> tuple[int, list[Escape]]:
    seed, size = chunk
    return size, fuzz(size, seed=seed)


def mutation_fuzz(count: int, seed: int, jobs: int) -> list[Escape]:
    sizes = [CHUNK] * (count // CHUNK) + ([count % CHUNK] if count % CHUNK else [])
    chunks = [(seed * 1_000_003 + number, size) for number, size in enumerate(sizes)]
    escapes: list[Escape] = []
    started = time.perf_counter()
    done = 0
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for size, found in pool.map(run_chunk, chunks):
            escapes += found
            done += size
            rate = done / (time.perf_counter() - started)
            print(
                f"\r{done} of {count} inputs, {len(escapes)} escapes ({rate:.0f} inputs/s)",
                end="",
                file=sys.stderr,
                flush=True,
            )
    print(file=sys.stderr)
    return escapes


def atheris_fuzz(count: int) -> int:
    import atheris

    atheris.instrument_all()  # clipkit is imported already (by fuzzing): its coverage guides

    def one_input(data: bytes) -> None:
        escape = check(data)
        if escape is not None:
            raise AssertionError(str(escape))

    corpus = Path("/tmp") / "clipkit-fuzz-corpus"
    corpus.mkdir(exist_ok=True)
    for number, seed in enumerate(all_seeds()):
        (corpus / f"seed{number:03d}").write_bytes(seed)
    args = [sys.argv[0], f"-runs={count}", "-max_len=40000", str(corpus)]
    atheris.Setup(args, one_input)
    atheris.Fuzz()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=50_000, help="inputs (default 50000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--save", type=Path, default=Path("fuzz-escapes"), help="folder for escaping inputs"
    )
    parser.add_argument("--atheris", action="store_true", help="coverage-guided, with atheris")
    args = parser.parse_args()
    if args.atheris:
        return atheris_fuzz(args.count)
    started = time.perf_counter()
    escapes = mutation_fuzz(args.count, args.seed, args.jobs)
    elapsed = time.perf_counter() - started
    print(f"{args.count} inputs in {elapsed:.0f} s: {len(escapes)} let something else escape")
    if escapes:
        args.save.mkdir(parents=True, exist_ok=True)
        kinds: dict[str, int] = {}
        for number, escape in enumerate(escapes):
            (args.save / f"escape{number:04d}.bin").write_bytes(escape.data)
            kind = escape.error.rsplit("|", 1)[-1].strip()[:100]
            kinds[kind] = kinds.get(kind, 0) + 1
        for kind, times in sorted(kinds.items(), key=lambda item: -item[1]):
            print(f"  {times:5d}  {kind}")
        print(f"inputs saved in {args.save}/")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
