"""capcheck's figures for every real fixture and the bundled sample, one row each.

Every rolling .vtt and .json3 in ../shared/fixtures, the sample, the repaired SRT (scored
against its VTT) and YouTube's own auto SRT (scored against itself) are converted with this
checkout's clipkit and scored by ../shared/tools/capcheck.py; the last column says whether
every cue time is on the frame grid (CaptionStyle.frame_grid_problems).  Run from anywhere:

    python scripts/measure_fixtures.py [--to srt|vtt] [--fps 30] [--shared PATH]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import srt
import webvtt

from clipkit.convert import convert_file
from clipkit.style import CaptionStyle

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "media" / "avWhreBUYF0.md"
COLUMNS = {
    "recall": "recall",
    "extra_words": "extra",
    "pause_in_cue": "pause",
    "dangling_starts": "dangling",
    "weak_breaks": "weak",
    "in_sync": "in_sync",
    "start_err_p95": "start_p95",
    "cues": "cues",
    "dur_under_0833": "<0.833s",
    "dur_over_7": ">7s",
    "cps_p95": "cps_p95",
}


def sources(shared: Path) -> list[tuple[str, Path, Path]]:
    """(name, input, capcheck reference) of every file measured."""
    fixtures = shared / "fixtures"
    rolling = sorted((fixtures / "vtt").glob("*.vtt")) + sorted((fixtures / "json3").glob("*"))
    found = [(path.name.split("__")[0], path, path) for path in rolling]
    found.append((SAMPLE.stem, SAMPLE, SAMPLE))
    ethan = "EthanSK__Youtuber-Speech-Word-Detection-Bot__subtitlesAutoGen"
    repaired = fixtures / "variants" / f"{ethan}.srt"
    if repaired.exists():
        found.append(("EthanSK.srt", repaired, fixtures / "vtt" / f"{ethan}.en.vtt"))
    for ordinary in sorted((fixtures / "variants").glob("*_AUTO.srt")):
        found.append((ordinary.name.split("__")[0] + ".srt", ordinary, ordinary))
    return found


def spans_of(output: Path) -> list[tuple[int, int]]:
    text = output.read_text(encoding="utf-8")
    if output.suffix == ".vtt":
        return [
            (c.start_time.in_milliseconds(), c.end_time.in_milliseconds())
            for c in webvtt.from_string(text).captions
        ]
    return [
        (round(s.start.total_seconds() * 1000), round(s.end.total_seconds() * 1000))
        for s in srt.parse(text)
    ]


def measure(
    source: Path, reference: Path, out: Path, style: CaptionStyle, tools: Path
) -> dict[str, Any]:
    convert_file(source, out, style=style)
    scored = subprocess.run(
        [sys.executable, str(tools / "capcheck.py"), str(reference), str(out), "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(scored.stdout)
    figures["grid"] = "ok" if not style.frame_grid_problems(spans_of(out)) else "OFF"
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--to", choices=["srt", "vtt"], default="srt")
    parser.add_argument("--fps", type=float, default=CaptionStyle().fps)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args(argv)
    found = sources(args.shared)
    if len(found) == 1:
        print(f"no fixtures under {args.shared}", file=sys.stderr)
    style = CaptionStyle(fps=args.fps)
    print(f"{'file':22}" + "".join(f"{c:>10}" for c in COLUMNS.values()) + "  grid  other")
    with tempfile.TemporaryDirectory() as tmp:
        for name, source, reference in found:
            out = Path(tmp) / f"{source.name}.{args.to}"
            figures = measure(source, reference, out, style, args.shared / "tools")
            other = {
                key: figures[key]
                for key in ("overlaps", "disorder", "nonpositive", "lines_over_42", "problems")
                if figures[key]
            }
            row = "".join(f"{figures[key]!s:>10}" for key in COLUMNS)
            print(f"{name:22}{row}  {figures['grid']:>4}  {other or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
