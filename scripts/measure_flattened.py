"""How well timing is rebuilt from whole-second input: capcheck's figures on flattened fixtures.

Every rolling .vtt in ../shared/fixtures/vtt (but glut23's) is flattened to the markdown
transcript style (whole seconds) with ../shared/tools/flatten_md.py, converted with this
checkout's clipkit, and scored by ../shared/tools/capcheck.py against the original .vtt,
whose word times are exact.  The last two columns are the floor under the start errors:
how far clipkit's estimate of each source line's start (its first word) is from the truth.
A cue starting inside a line is timed no better than the line start.  Run from anywhere:

    python scripts/measure_flattened.py [--shared PATH]

With ``--audio`` the same transcripts are aligned to speech: espeak-ng speaks every word of
each fixture (English ones and the French one) at its VTT time into an MP4
(``tests/speech_factory.py``), clipkit aligns the markdown to it (``clipkit.align``), and
capcheck scores the cues built from the aligned words, beside the same figures without the
audio; ``aligned`` is the share of words timed from the speech and ``rtf`` the alignment's
time as a share of the talk's length (``--minutes 4`` speaks only the first minutes).
``--speech-dir DIR`` keeps the generated speech there and reuses it on the next run (whole
files take minutes to speak).

    python scripts/measure_flattened.py --audio --speech-dir /tmp/speech [--only t2o2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from clipkit.align import align_transcript
from clipkit.convert import convert_file
from clipkit.readers import load, read_bytes
from clipkit.segment import build_cues
from clipkit.writers import render

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from speech_factory import SpokenTalk, make_spoken_talk  # noqa: E402  (test data: tests/)

SKIPPED = ("glut23",)  # not a rolling track with typed lines
COLUMNS = ("start_err_med", "start_err_p95", "in_sync", "weak_breaks", "recall", "extra_words")
FLOOR_COLUMNS = ("line_start_med", "line_start_p95")


def measure(vtt: Path, tools: Path, folder: Path) -> dict[str, Any]:
    name = vtt.name.split("__")[0]
    flat = folder / f"{name}.md"
    flattened = subprocess.run(
        [sys.executable, str(tools / "flatten_md.py"), str(vtt)],
        check=True,
        capture_output=True,
        text=True,
    )
    flat.write_text(flattened.stdout, encoding="utf-8")
    out = convert_file(flat, folder / f"{name}.srt")
    figures = capcheck(tools, vtt, out)
    figures.update(line_start_errors(vtt, flat))
    return figures


def line_start_errors(vtt: Path, flat: Path) -> dict[str, float]:
    """Median and p95 (s) of |estimated - true| start of every source line's first word."""
    exact = read_bytes(vtt.read_bytes(), str(vtt)).words
    estimated = read_bytes(flat.read_bytes(), str(flat)).words
    if [w.text for w in exact] != [w.text for w in estimated]:
        raise SystemExit(f"{flat}: words differ from {vtt}'s; cannot pair line starts")
    errors = sorted(
        abs(truth.start_ms - guess.start_ms) / 1000
        for truth, guess in zip(exact, estimated)
        if guess.line_start
    )
    return {
        "line_start_med": errors[len(errors) // 2],
        "line_start_p95": errors[int(0.95 * (len(errors) - 1))],
    }


AUDIO_COLUMNS = ("aligned", "start_err_med", "start_err_p95", "in_sync", "recall", "extra_words")


def capcheck(tools: Path, vtt: Path, output: Path) -> dict[str, Any]:
    scored = subprocess.run(
        [sys.executable, str(tools / "capcheck.py"), str(vtt), str(output), "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(scored.stdout)
    return figures


def spoken_talk(vtt: Path, folder: Path, until_ms: int | None, reuse: bool) -> SpokenTalk:
    """The fixture spoken into ``folder`` (made again unless ``reuse`` finds it there)."""
    minutes = "all" if until_ms is None else f"{until_ms // 1000}s"
    place = folder / f"{vtt.name.split('__')[0]}.{minutes}"
    talk = place / "talk.json"
    if reuse and talk.is_file():
        saved = json.loads(talk.read_text(encoding="utf-8"))
        words = load(Path(saved["vtt"])).words
        return SpokenTalk(
            Path(saved["video"]),
            Path(saved["vtt"]),
            Path(saved["markdown"]),
            words,
            int(saved["duration_ms"]),
        )
    made = make_spoken_talk(vtt, place, until_ms)
    paths = {"video": str(made.video), "vtt": str(made.vtt), "markdown": str(made.markdown)}
    talk.write_text(json.dumps({**paths, "duration_ms": made.duration_ms}), encoding="utf-8")
    return made


def measure_with_audio(
    vtt: Path, tools: Path, folder: Path, until_ms: int | None, reuse: bool = False
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """capcheck's figures for the markdown aligned to spoken audio, and without it."""
    talk = spoken_talk(vtt, folder, until_ms, reuse)
    transcript = load(talk.markdown)
    without = folder / f"{talk.markdown.stem}.text-only.srt"
    without.write_bytes(render(build_cues(transcript), transcript, "srt"))
    began = time.monotonic()
    result = align_transcript(transcript, talk.video)
    seconds = time.monotonic() - began
    aligned = folder / f"{talk.markdown.stem}.aligned.srt"
    aligned.write_bytes(render(build_cues(result.transcript), result.transcript, "srt"))
    figures = capcheck(tools, talk.vtt, aligned)
    figures["aligned"] = round(result.report.share, 4)
    figures["rtf"] = round(seconds / (talk.duration_ms / 1000), 3)
    return figures, capcheck(tools, talk.vtt, without), result.report.summary()


def main_audio(
    fixtures: list[Path], tools: Path, minutes: float | None, speech_dir: Path | None
) -> int:
    until_ms = None if minutes is None else int(minutes * 60_000)
    print(
        f"{'fixture':16} "
        + " ".join(f"{c:>13}" for c in AUDIO_COLUMNS)
        + f" {'pause_in_cue':>12} {'rtf':>6} | without audio: med  p95  in_sync"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = speech_dir or Path(tmp)
        for vtt in fixtures:
            figures, text_only, summary = measure_with_audio(
                vtt, tools, folder, until_ms, reuse=speech_dir is not None
            )
            row = " ".join(f"{figures[c]:>13}" for c in AUDIO_COLUMNS)
            print(
                f"{vtt.name.split('__')[0]:16} {row} {figures['pause_in_cue']!s:>12}"
                f" {figures['rtf']:>6} | {text_only['start_err_med']} {text_only['start_err_p95']}"
                f" {text_only['in_sync']}",
                flush=True,
            )
            print(f"{'':16} {summary[:150]}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--audio", action="store_true", help="align to generated speech")
    parser.add_argument("--minutes", type=float, help="with --audio: only the first minutes")
    parser.add_argument("--only", help="fixtures whose name starts with this")
    parser.add_argument(
        "--speech-dir", type=Path, help="with --audio: keep the speech here and reuse it"
    )
    args = parser.parse_args(argv)
    fixtures = sorted((args.shared / "fixtures" / "vtt").glob("*.vtt"))
    fixtures = [f for f in fixtures if not f.name.startswith(SKIPPED)]
    if args.only:
        fixtures = [f for f in fixtures if f.name.startswith(args.only)]
    if not fixtures:
        print(f"no fixtures under {args.shared}", file=sys.stderr)
        return 1
    if args.audio:
        return main_audio(fixtures, args.shared / "tools", args.minutes, args.speech_dir)
    columns = COLUMNS + FLOOR_COLUMNS
    print(f"{'fixture':16} " + " ".join(f"{c:>14}" for c in columns) + "  structure")
    with tempfile.TemporaryDirectory() as tmp:
        for vtt in fixtures:
            figures = measure(vtt, args.shared / "tools", Path(tmp))
            structure = {
                k: figures[k]
                for k in ("overlaps", "disorder", "lines_over_42", "dur_under_0833", "dur_over_7")
                if figures[k]
            }
            row = " ".join(f"{figures[c]:>14}" for c in columns)
            print(f"{vtt.name.split('__')[0]:16} {row}  {structure or 'ok'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
