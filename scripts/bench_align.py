#!/usr/bin/env python3
"""Speed of aligning a whole-second transcript to its audio (goal: at most 0.15x real time).

Speaks a fixture VTT with espeak-ng into an MP4 (tests/speech_factory.py; the first
``--minutes``, default all of ambiso's 14.7), then times ``clipkit.align.align_transcript``
on its markdown with 1 worker and with 2, and prints each as a ratio of the audio's length
(the real-time factor), beside ffmpeg merely decoding the same audio (the floor), measured
in the same run.  Wall-clock times: on a machine others are using, they vary.

    python scripts/bench_align.py [--fixture PATH] [--minutes 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from speech_factory import make_spoken_talk  # noqa: E402  (test data: tests/)

from clipkit.align import align_transcript  # noqa: E402
from clipkit.media.audio import read_pcm  # noqa: E402
from clipkit.readers import load  # noqa: E402

DEFAULT = REPO.parent / "shared" / "fixtures" / "vtt" / "ambiso__tldw__subs.en.vtt"
GOAL = 0.15


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--fixture", type=Path, default=DEFAULT)
    parser.add_argument("--minutes", type=float, help="speak only the first minutes")
    args = parser.parse_args(argv)
    if not args.fixture.is_file():
        print(f"{args.fixture}: no such fixture", file=sys.stderr)
        return 1
    until = None if args.minutes is None else int(args.minutes * 60_000)
    with tempfile.TemporaryDirectory() as tmp:
        began = time.monotonic()
        talk = make_spoken_talk(args.fixture, Path(tmp), until)
        audio_s = talk.duration_ms / 1000
        print(
            f"{args.fixture.name}: {audio_s / 60:.1f} min of speech made in "
            f"{time.monotonic() - began:.0f} s"
        )
        transcript = load(talk.markdown)
        began = time.monotonic()
        read_pcm(talk.video)
        decode = time.monotonic() - began
        print(f"  ffmpeg decoding the audio alone: {decode:6.1f} s  {decode / audio_s:.3f}x")
        for jobs in (1, 2):
            began = time.monotonic()
            result = align_transcript(transcript, talk.video, jobs=jobs)
            took = time.monotonic() - began
            verdict = "meets" if took / audio_s <= GOAL else "misses"
            print(
                f"  aligning with {jobs} worker{'s' if jobs > 1 else ' '}:     {took:6.1f} s  "
                f"{took / audio_s:.3f}x real time ({verdict} the {GOAL}x goal; "
                f"{result.report.summary()[:60]})"
            )
            if jobs == 1:
                single = took
        print(
            f"  2 workers vs 1: {single / took:.2f}x faster; a 41-minute talk at this rate: "
            f"{41 * 60 * took / audio_s / 60:.1f} min"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
