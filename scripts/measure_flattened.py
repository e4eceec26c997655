"""How well timing is rebuilt from whole-second input: capcheck's figures on flattened fixtures.

Every rolling .vtt in ../shared/fixtures/vtt (but glut23's) is flattened to the markdown
transcript style (whole seconds) with ../shared/tools/flatten_md.py, converted with this
checkout's clipkit, and scored by ../shared/tools/capcheck.py against the original .vtt,
whose word times are exact.  Run from anywhere:

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

REPO = Path(__file__).resolve().parents[1]
SKIPPED = ("glut23",)  # not a rolling track with typed lines
COLUMNS = ("start_err_med", "start_err_p95", "in_sync", "weak_breaks", "recall", "extra_words")


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
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args(argv)
    fixtures = sorted((args.shared / "fixtures" / "vtt").glob("*.vtt"))
    fixtures = [f for f in fixtures if not f.name.startswith(SKIPPED)]
    if not fixtures:
        print(f"no fixtures under {args.shared}", file=sys.stderr)
        return 1
    print(f"{'fixture':16} " + " ".join(f"{c:>13}" for c in COLUMNS) + "  structure")
    with tempfile.TemporaryDirectory() as tmp:
        for vtt in fixtures:
            figures = measure(vtt, args.shared / "tools", Path(tmp))
            structure = {
                k: figures[k]
                for k in ("overlaps", "disorder", "lines_over_42", "dur_under_0833", "dur_over_7")
                if figures[k]
            }
            row = " ".join(f"{figures[c]:>13}" for c in COLUMNS)
            print(f"{vtt.name.split('__')[0]:16} {row}  {structure or 'ok'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
