"""``clipkit reel``: the highlights of a talk joined into one MP4 with chapters and captions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from clipkit.cli.clip_common import (
    HIGHLIGHT_FILE,
    add_clip_arguments,
    clip_options,
    prepare,
    print_captions,
    print_job,
    print_plan,
    progress,
)
from clipkit.cli.grammar import add_output_file, report_done, seconds_up_to_an_hour, shows_progress
from clipkit.clips import CutMethod, MethodChoice, make_reel, plan_reel, reel_job
from clipkit.timefmt import format_time

REEL_EXAMPLES = f"""\
examples:
  clipkit reel talk.mp4 --captions talk.srt --highlights h.yaml -o reel.mp4
  clipkit reel talk.mp4 --captions talk.srt --highlights h.yaml --titles 2 --xfade 0.5

{HIGHLIGHT_FILE}
A reel of plain cuts (no --titles, --xfade or --burn) of an H.264 MP4 is smart-cut: each
highlight cut as `clipkit clip` does, the pieces joined by stream copy, then checked against
the source.  Any other reel is re-encoded in one ffmpeg run.  The last line on stderr says
which; --dry-run prints it with the ffmpeg commands.
"""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    reel = subparsers.add_parser(
        "reel",
        help="join highlights into one MP4 with chapters and captions",
        description="Join the highlights of a YAML/TOML file into one MP4: one chapter per "
        "highlight, optional title cards and cross-fades, joined captions beside it.",
        epilog=REEL_EXAMPLES,
    )
    add_clip_arguments(reel)
    add_output_file(
        reel,
        "the reel; its captions go beside it as .srt and .vtt (default: reel.mp4)",
        Path("reel.mp4"),
        Path,
    )
    reel.add_argument(
        "--titles",
        type=seconds_up_to_an_hour,
        default=0.0,
        metavar="SECONDS",
        help="a title card of this many seconds before each highlight (default: 0, none)",
    )
    reel.add_argument(
        "--xfade",
        type=seconds_up_to_an_hour,
        default=0.0,
        metavar="SECONDS",
        help="cross-fade between pieces, in seconds (default: 0, a cut)",
    )
    reel.set_defaults(func=run_reel)


def run_reel(args: argparse.Namespace) -> int:
    options = clip_options(args)
    source, plans = prepare(args, options)
    reel = plan_reel(source, plans, round(args.titles * 1000), round(args.xfade * 1000), options)
    output: Path = args.output
    if args.dry_run:
        print_captions(source, args.captions)
        print_plan(plans)
        for chapter in reel.chapters:
            print(f"chapter {format_time(chapter.start_ms)} {chapter.title}")
        print(f"total {format_time(reel.total_ms)}")
        print(f"reel: {_reel_method_text(MethodChoice(reel.method, reel.fallback))}")
        print_job(reel_job(source, reel, output))
        return 0
    if not args.quiet:
        print_captions(source, args.captions, sys.stderr)
        print_plan(plans, sys.stderr)
    with progress(reel.total_ms, "reel", not shows_progress(args)) as update:
        choice = make_reel(source, reel, output, update)
    if not args.quiet:
        print(f"reel: {_reel_method_text(choice)}", file=sys.stderr)
    print(output)
    pieces = "highlight" if len(plans) == 1 else "highlights"
    report_done(
        args,
        f"wrote {output} ({len(plans)} {pieces}, {format_time(reel.total_ms)}) with "
        f"{output.with_suffix('.srt').name} and {output.with_suffix('.vtt').name}",
    )
    return 0


def _reel_method_text(choice: MethodChoice) -> str:
    if choice.method is CutMethod.SMART:
        return "every highlight smart-cut and joined, then verified against the source"
    return f"re-encoded ({choice.fallback})" if choice.fallback else "re-encoded"
