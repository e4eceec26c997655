"""``clipkit clip`` and ``clipkit reel``: highlights out of a talk."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tqdm import tqdm

from clipkit.cli import COMMAND_HELP
from clipkit.cli.caption_options import (
    add_file_arguments,
    add_policy_arguments,
    style_from_args,
    write_options_from_args,
)
from clipkit.cli.grammar import (
    add_hidden_alias,
    add_out_dir,
    add_output_file,
    add_quiet_options,
    folder_text,
    outline_width,
    report_done,
    seconds_up_to_an_hour,
    shows_progress,
)
from clipkit.clips import (
    CUT_MODES,
    VERTICAL_MAX_CHARS,
    ClipOptions,
    ClipPlan,
    Source,
    cut_clips,
    make_reel,
    open_source,
    plan_clips,
    plan_reel,
    reel_commands,
    reel_method,
)
from clipkit.convert import how_taken
from clipkit.errors import ClipkitError
from clipkit.highlights import load_highlights
from clipkit.media.burn import VERTICAL_BURN_STYLE, BurnStyle, VerticalCrop
from clipkit.media.cut import EncodeSettings
from clipkit.media.runner import format_command
from clipkit.model import Transcript
from clipkit.snapping import SnapSettings
from clipkit.timefmt import format_time

HIGHLIGHT_FILE = """\
the highlight file (YAML; TOML with a .toml extension):
  highlights:
    - title: The Wells Fargo integration in 24 hours     # names the clip's files
      from: "one one one day we realized"   # a quote where it starts, or start: "05:44",
                                            # 344 (seconds) or "00:05:44.000"
      to: "how other organizations would work"           # or end: ...
      pad: 0.25                             # seconds added before and after (0 to 60)
  A quote is matched ignoring case and punctuation (small recognition slips tolerated) and
  must be said exactly once; `clipkit find CAPTIONS PHRASE -o h.yaml` writes a first file.
"""

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
            source.  Falls back to reencode by itself (manifest.json says why).
  reencode  frame-accurate, every frame re-encoded (used with --burn/--vertical).
  copy      stream copy: instant, but starts on the keyframe at or before the start,
            which can be a few seconds early.
"""


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
    clip = subparsers.add_parser(
        "clip",
        help=COMMAND_HELP["clip"],
        description="Cut the highlights listed in a YAML/TOML file out of a video.",
        epilog=CLIP_EXAMPLES,
    )
    _common(clip)
    add_out_dir(clip, "the clips go in here (default: clips/)", Path("clips"))
    add_hidden_alias(clip, "--out", "--out-dir", "out_dir", type=Path, metavar="DIR")
    clip.add_argument(
        "--mode",
        choices=CUT_MODES,
        help="how to cut (default: smart; reencode with --burn/--vertical; copy)",
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

    reel = subparsers.add_parser(
        "reel",
        help=COMMAND_HELP["reel"],
        description="Join the highlights of a YAML/TOML file into one MP4: one chapter per "
        "highlight, optional title cards and cross-fades, joined captions beside it.",
        epilog=REEL_EXAMPLES,
    )
    _common(reel)
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


def _common(parser: argparse.ArgumentParser) -> None:
    burn, vertical = BurnStyle(), VERTICAL_BURN_STYLE
    parser.add_argument("video", type=Path, help="the talk (any file ffmpeg reads)")
    parser.add_argument(
        "--captions",
        type=Path,
        metavar="FILE",
        help="its captions, any format clipkit reads (needed for quotes, snapping and "
        "captions; default: none)",
    )
    parser.add_argument(
        "--highlights",
        type=Path,
        required=True,
        metavar="FILE",
        help="the highlights: a YAML or TOML file (format below)",
    )
    parser.add_argument("--no-snap", action="store_true", help="cut exactly at the given times")
    parser.add_argument(
        "--snap-tolerance",
        type=seconds_up_to_an_hour,
        default=0.7,
        metavar="SECONDS",
        help="how far a cut may move into a pause in the audio (default: 0.7 s)",
    )
    parser.add_argument("--burn", action="store_true", help="burn the captions into the picture")
    parser.add_argument(
        "--font-size",
        type=int,
        metavar="UNITS",
        help="burned caption size, libass units of a 288-unit-high frame "
        f"(default: {burn.font_size}; {vertical.font_size} with --vertical)",
    )
    parser.add_argument(
        "--margin",
        type=int,
        metavar="UNITS",
        help=f"burned caption bottom margin, libass units (default: {burn.margin_v}; "
        f"{vertical.margin_v} with --vertical)",
    )
    parser.add_argument(
        "--outline",
        type=outline_width,
        metavar="UNITS",
        help=f"burned caption outline width, libass units (default: {burn.outline:g}; "
        f"{vertical.outline:g} with --vertical)",
    )
    parser.add_argument(
        "--crf",
        type=int,
        default=20,
        metavar="N",
        help="x264 quality, 0 lossless to 51 (default: 20); smart-cut edges use at most 17",
    )
    parser.add_argument(
        "--preset", default="veryfast", metavar="NAME", help="x264 preset (default: veryfast)"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the plan (how the captions were taken, every cut and why) and commands",
    )
    add_quiet_options(parser)
    add_policy_arguments(parser, caption_mode=False, fps_default="the video's frame rate")
    add_file_arguments(parser, "caption files")


def _options(args: argparse.Namespace, out_dir: Path = Path("clips")) -> ClipOptions:
    vertical = getattr(args, "vertical", False) or getattr(args, "crop_x", None) is not None
    style: BurnStyle | None = None
    if args.font_size or args.margin is not None or args.outline is not None:
        base = VERTICAL_BURN_STYLE if vertical else BurnStyle()
        style = BurnStyle(
            font=base.font,
            font_size=args.font_size or base.font_size,
            margin_v=base.margin_v if args.margin is None else args.margin,
            outline=base.outline if args.outline is None else args.outline,
        )
    mode = getattr(args, "mode", None)
    if getattr(args, "copy", False):
        if mode not in (None, "copy"):
            raise ClipkitError(f"--copy contradicts --mode {mode}")
        mode = "copy"
    if mode == "smart" and (args.burn or vertical):
        raise ClipkitError(
            "--mode smart copies the source picture: drop --burn/--vertical or use --mode reencode"
        )
    return ClipOptions(
        out_dir=out_dir,
        mode=mode or "smart",
        snap=not args.no_snap,
        snap_settings=SnapSettings(pause_ms=round(args.snap_tolerance * 1000)),
        burn=args.burn,
        burn_style=style,
        vertical=VerticalCrop(getattr(args, "crop_x", None)) if vertical else None,
        encode=EncodeSettings(crf=args.crf, preset=args.preset),
        write=write_options_from_args(args),
        vertical_max_chars=args.max_chars or VERTICAL_MAX_CHARS,
    )


def _prepare(args: argparse.Namespace, options: ClipOptions) -> tuple[Source, list[ClipPlan]]:
    if args.burn and args.captions is None:
        raise ClipkitError("--burn needs --captions")
    specs = load_highlights(args.highlights)
    style = style_from_args(args, caption_mode=False)
    source = open_source(args.video, args.captions, style, args.fps)
    if source.transcript is not None:
        _print_warnings(source.transcript)
    return source, plan_clips(source, specs, options)


def _print_warnings(transcript: Transcript) -> None:
    """What reading the captions worked around (another encoding on a line, ...)."""
    for warning in transcript.warnings:
        print(warning, file=sys.stderr)


def _print_captions(source: Source, captions: Path | None, out: Any = None) -> None:
    """Which way the captions were taken (authored cues kept, or rebuilt), at which rate."""
    if source.transcript is None:
        return
    style = source.caption_style
    print(
        f"captions: {captions}: {how_taken(source.transcript, style)}, "
        f"on the frames of {style.fps:.6g} fps",
        file=out or sys.stdout,
    )


def _print_plan(plans: Sequence[ClipPlan], out: Any = None) -> None:
    out = out or sys.stdout
    for plan in plans:
        print(
            f"{plan.name}: {format_time(plan.start_ms)}-{format_time(plan.end_ms)} "
            f"({plan.duration_ms / 1000:.2f} s, {len(plan.cues)} captions) {plan.title!r}",
            file=out,
        )
        print(
            f"  requested {format_time(plan.requested_start_ms)}-"
            f"{format_time(plan.requested_end_ms)}; start: {plan.start_snap.rule}; "
            f"end: {plan.end_snap.rule}",
            file=out,
        )
        for note in plan.notes:
            print(f"  note: {note}", file=out)


def _method_text(plan: ClipPlan) -> str:
    if plan.method == "smart" and plan.smart is not None:
        parts = plan.smart.summary()
        return (
            f"smart cut: {parts['head_frames']} + {parts['tail_frames']} frames re-encoded, "
            f"{parts['copied_frames']} copied, then verified against the source"
        )
    text = {"reencode": "every frame re-encoded", "copy": "stream copy"}[plan.method]
    return f"{text} ({plan.fallback})" if plan.fallback else text


@contextmanager
def _progress(total_ms: int, label: str, quiet: bool) -> Iterator[Callable[[int], None]]:
    if quiet:
        yield lambda _ms: None
        return
    with tqdm(
        total=round(total_ms / 1000, 1),
        unit="s",
        desc=label,
        file=sys.stderr,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:.1f} s "
        "[{elapsed}<{remaining}]",
    ) as bar:

        def update(done_ms: int) -> None:
            bar.n = round(min(done_ms, total_ms) / 1000, 1)
            bar.refresh()

        yield update


def run_clip(args: argparse.Namespace) -> int:
    options = _options(args, args.out_dir)
    source, plans = _prepare(args, options)
    if args.dry_run:
        _print_captions(source, args.captions)
        _print_plan(plans)
        for plan in plans:
            print(f"{plan.name}: {_method_text(plan)}")
            for command in plan.commands:
                print(format_command(command))
        return 0
    if not args.quiet:
        _print_captions(source, args.captions, sys.stderr)
        _print_plan(plans, sys.stderr)
    total = sum(plan.duration_ms for plan in plans)
    done: list[ClipPlan] = []
    with _progress(total, "cutting", not shows_progress(args)) as update:
        manifest = cut_clips(source, plans, options, update, args.captions, done.append)
    for plan in done if not args.quiet else ():
        print(f"{plan.name}: {_method_text(plan)}", file=sys.stderr)
    for plan in plans:
        print(options.out_dir / f"{plan.name}.mp4")
    print(manifest)
    clips = "clip" if len(plans) == 1 else "clips"
    report_done(args, f"wrote {len(plans)} {clips} to {folder_text(options.out_dir)}")
    return 0


def run_reel(args: argparse.Namespace) -> int:
    options = _options(args)
    source, plans = _prepare(args, options)
    reel = plan_reel(source, plans, round(args.titles * 1000), round(args.xfade * 1000))
    output: Path = args.output
    if args.dry_run:
        _print_captions(source, args.captions)
        _print_plan(plans)
        for chapter in reel.chapters:
            print(f"chapter {format_time(chapter.start_ms)} {chapter.title}")
        print(f"total {format_time(reel.total_ms)}")
        method, why = reel_method(reel, args.burn)
        print(f"reel: {_reel_method_text(method, why)}")
        for command in reel_commands(
            source, reel, output, options.encode, args.burn, options.burn_style
        ):
            print(format_command(command))
        return 0
    if not args.quiet:
        _print_captions(source, args.captions, sys.stderr)
        _print_plan(plans, sys.stderr)
    with _progress(reel.total_ms, "reel", not shows_progress(args)) as update:
        method, why = make_reel(
            source,
            reel,
            output,
            options.encode,
            args.burn,
            options.burn_style,
            update,
            options.write,
        )
    if not args.quiet:
        print(f"reel: {_reel_method_text(method, why)}", file=sys.stderr)
    print(output)
    pieces = "highlight" if len(plans) == 1 else "highlights"
    report_done(
        args,
        f"wrote {output} ({len(plans)} {pieces}, {format_time(reel.total_ms)}) with "
        f"{output.with_suffix('.srt').name} and {output.with_suffix('.vtt').name}",
    )
    return 0


def _reel_method_text(method: str, why: str | None) -> str:
    if method == "smart":
        return "every highlight smart-cut and joined, then verified against the source"
    return f"re-encoded ({why})" if why else "re-encoded"
