"""``clipkit clip``: highlight clips out of a talk, each with its own captions."""

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
from clipkit.cli.grammar import (
    add_hidden_alias,
    add_out_dir,
    folder_text,
    report_done,
    shows_progress,
)
from clipkit.clips import ClipPlan, CutMethod, clip_job, cut_clips

CLIP_EXAMPLES = f"""\
examples:
  clipkit clip talk.mp4 --captions talk.md --highlights media/highlights.yaml
  clipkit clip talk.mp4 --captions talk.md --highlights h.yaml -d shorts/ --vertical --burn
  clipkit clip talk.mp4 --captions talk.md --highlights h.yaml --dry-run
  clipkit clip talk.mp4 --captions subs.srt --highlights h.yaml --shift 3600 --crlf --bom

{HIGHLIGHT_FILE}
Each highlight gives NAME.mp4, NAME.srt and NAME.vtt in --out-dir, plus manifest.json with
the requested, snapped and cut times.  Cuts snap to the nearest sentence or caption boundary,
then into the nearest pause in the audio, moving at most --snap-tolerance (--no-snap:
exactly as written); a cut made by a from:/to: quote never moves past a quoted word (the
plan and manifest.json name any snap refused for that).

Captions: built at the video's own frame rate (--fps overrides it), with the caption
options of `clipkit convert` (--max-chars, --shift, --crlf, --bom, ...).  Authored captions
(an ordinary SRT/VTT someone wrote) keep their cues, shifted and cut at the clip's edges;
--resegment lays them out again (as --vertical needs: 24 characters a line).

Cut modes (--mode):
  smart     the default: frame-accurate, and fast on H.264 sources.  Only the frames
            from the cut-in to the next keyframe and after the last safe point before the
            cut-out are re-encoded; the rest is stream-copied, then checked against the
            source.  Falls back to reencode by itself (manifest.json says why), and
            always with --burn/--vertical, which change the picture.
  reencode  frame-accurate, every frame re-encoded.
  copy      stream copy: instant, but starts on the keyframe at or before the start,
            which can be a few seconds early; not with --burn/--vertical.

--dry-run prints each clip's commands runnable as they are: the work folder, the files
clipkit writes into it, the ffmpeg runs.
"""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    clip = subparsers.add_parser(
        "clip",
        help="cut highlight clips, each with its own captions",
        description="Cut the highlights listed in a YAML/TOML file out of a video.",
        epilog=CLIP_EXAMPLES,
    )
    add_clip_arguments(clip)
    add_out_dir(clip, "the clips go in here (default: clips/)", Path("clips"))
    add_hidden_alias(clip, "--out", "--out-dir", "out_dir", type=Path, metavar="DIR")
    clip.add_argument(
        "--mode",
        choices=[m.value for m in CutMethod],
        help="how to cut (default: smart, which re-encodes with --burn/--vertical; copy)",
    )
    clip.add_argument("--copy", action="store_true", help="the same as --mode copy")
    clip.add_argument(
        "--vertical", action="store_true", help="9:16 crop for shorts (captions placed for it)"
    )
    clip.add_argument(
        "--crop-x",
        type=int,
        metavar="PIXELS",
        help="left edge of the 9:16 crop, in source pixels (default: centred)",
    )
    clip.set_defaults(func=run_clip)


def _method_text(plan: ClipPlan) -> str:
    if plan.method is CutMethod.SMART and plan.smart is not None:
        parts = plan.smart.summary()
        return (
            f"smart cut: {parts['head_frames']} + {parts['tail_frames']} frames re-encoded, "
            f"{parts['copied_frames']} copied, then verified against the source"
        )
    text = {CutMethod.REENCODE: "every frame re-encoded", CutMethod.COPY: "stream copy"}
    method = text.get(plan.method, plan.method.value)
    return f"{method} ({plan.fallback})" if plan.fallback else method


def run_clip(args: argparse.Namespace) -> int:
    options = clip_options(args, args.out_dir)
    source, plans = prepare(args, options)
    if args.dry_run:
        print_captions(source, args.captions)
        print_plan(plans)
        for plan in plans:
            print(f"{plan.name}: {_method_text(plan)}")
            print_job(clip_job(source, plan, options))
        return 0
    if not args.quiet:
        print_captions(source, args.captions, sys.stderr)
        print_plan(plans, sys.stderr)
    total = sum(plan.duration_ms for plan in plans)
    done: list[ClipPlan] = []
    with progress(total, "cutting", not shows_progress(args)) as update:
        manifest = cut_clips(source, plans, options, update, args.captions, done.append)
    for plan in done if not args.quiet else ():
        print(f"{plan.name}: {_method_text(plan)}", file=sys.stderr)
    for plan in plans:
        print(options.out_dir / f"{plan.name}.mp4")
    print(manifest)
    clips = "clip" if len(plans) == 1 else "clips"
    report_done(args, f"wrote {len(plans)} {clips} to {folder_text(options.out_dir)}")
    return 0
