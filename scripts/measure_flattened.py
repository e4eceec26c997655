"""How well timing is rebuilt from whole-second input: capcheck's figures on flattened fixtures.

Every rolling .vtt in ../shared/fixtures/vtt (but glut23's) is flattened to the markdown
transcript style (whole seconds) with ../shared/tools/flatten_md.py, converted with this
checkout's clipkit, and scored by ../shared/tools/capcheck.py against the original .vtt,
whose word times are exact.  The last two columns are the floor under the start errors:
how far clipkit's estimate of each source line's start (its first word) is from the truth.
A cue starting inside a line is timed no better than the line start.  Run from anywhere:

    python scripts/measure_flattened.py [--shared PATH]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from clipkit.convert import convert_file
from clipkit.readers import read_bytes

REPO = Path(__file__).resolve().parents[1]
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
    scored = subprocess.run(
        [sys.executable, str(tools / "capcheck.py"), str(vtt), str(out), "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(scored.stdout)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args(argv)
    fixtures = sorted((args.shared / "fixtures" / "vtt").glob("*.vtt"))
    fixtures = [f for f in fixtures if not f.name.startswith(SKIPPED)]
    if not fixtures:
        print(f"no fixtures under {args.shared}", file=sys.stderr)
        return 1
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
