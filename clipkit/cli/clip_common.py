"""What ``clipkit clip`` and ``clipkit reel`` share: their arguments, the options made of
them, the plan and commands printed, the progress bar."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tqdm import tqdm

from clipkit.cli.caption_options import (
    add_file_arguments,
    add_policy_arguments,
    style_from_args,
    write_options_from_args,
)
from clipkit.cli.grammar import add_quiet_options, outline_width, seconds_up_to_an_hour
from clipkit.clips import (
    VERTICAL_MAX_CHARS,
    ClipOptions,
    ClipPlan,
    CutJob,
    CutMethod,
    Source,
    open_source,
    plan_clips,
)
from clipkit.convert import how_taken
from clipkit.errors import ClipkitError, OptionError
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


def add_clip_arguments(parser: argparse.ArgumentParser) -> None:
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


def clip_options(args: argparse.Namespace, out_dir: Path = Path("clips")) -> ClipOptions:
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
        if mode not in (None, CutMethod.COPY.value):
            raise ClipkitError(f"--copy contradicts --mode {mode}")
        mode = CutMethod.COPY.value
    try:
        return _clip_options(args, out_dir, mode, vertical, style)
    except OptionError as exc:
        raise _named_by_flag(exc, "--copy" if mode == CutMethod.COPY.value else "--mode") from exc


def _named_by_flag(error: OptionError, mode_flag: str = "--mode") -> ClipkitError:
    """A library error about an options field, named by the command's flag for it."""
    flags = {"mode": mode_flag, "burn": "--burn"}
    hint = " (give them with --captions FILE)" if error.option == "burn" else ""
    return ClipkitError(f"{flags.get(error.option, error.option)}: {error.message}{hint}")


def _clip_options(
    args: argparse.Namespace,
    out_dir: Path,
    mode: str | None,
    vertical: bool,
    style: BurnStyle | None,
) -> ClipOptions:
    return ClipOptions(
        out_dir=out_dir,
        mode=CutMethod(mode or CutMethod.SMART.value),
        snap=not args.no_snap,
        snap_settings=SnapSettings(pause_ms=round(args.snap_tolerance * 1000)),
        burn=args.burn,
        burn_style=style,
        vertical=VerticalCrop(getattr(args, "crop_x", None)) if vertical else None,
        encode=EncodeSettings(crf=args.crf, preset=args.preset),
        write=write_options_from_args(args),
        vertical_max_chars=args.max_chars or VERTICAL_MAX_CHARS,
    )


def prepare(args: argparse.Namespace, options: ClipOptions) -> tuple[Source, list[ClipPlan]]:
    specs = load_highlights(args.highlights)
    style = style_from_args(args, caption_mode=False)
    source = open_source(args.video, args.captions, style, args.fps)
    if source.transcript is not None:
        _print_warnings(source.transcript)
    try:
        return source, plan_clips(source, specs, options)
    except OptionError as exc:
        raise _named_by_flag(exc) from exc


def _print_warnings(transcript: Transcript) -> None:
    """What reading the captions worked around (another encoding on a line, ...)."""
    for warning in transcript.warnings:
        print(warning, file=sys.stderr)


def print_captions(source: Source, captions: Path | None, out: Any = None) -> None:
    """Which way the captions were taken (authored cues kept, or rebuilt), at which rate."""
    if source.transcript is None:
        return
    style = source.caption_style
    print(
        f"captions: {captions}: {how_taken(source.transcript, style)}, "
        f"on the frames of {style.fps:.6g} fps",
        file=out or sys.stdout,
    )


def print_plan(plans: Sequence[ClipPlan], out: Any = None) -> None:
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


def print_job(job: CutJob) -> None:
    """A cut as shell commands that run as they are: the work folder and the files clipkit
    writes into it (byte for byte), then the ffmpeg runs."""
    if job.uses_work:
        print(format_command(["mkdir", "-p", str(job.work)]))
    for path, data in job.files.items():
        print(
            f"{format_command(['printf', '%s', data.decode('utf-8')])} > {shlex.quote(str(path))}"
        )
    for command in job.commands:
        print(format_command(command))
    if job.uses_work:
        print(format_command(["rm", "-r", str(job.work)]))


@contextmanager
def progress(total_ms: int, label: str, quiet: bool) -> Iterator[Callable[[int], None]]:
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
