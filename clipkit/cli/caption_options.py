"""The caption options ``convert``, ``clip`` and ``reel`` share: defined once, here.

:func:`add_policy_arguments` adds the caption policy (``--max-chars``, ``--fps``,
``--resegment``, ...), :func:`add_file_arguments` how the caption files are written
(``--bom``, ``--crlf``, ``--shift``); :func:`style_from_args` and
:func:`write_options_from_args` turn what was given into a
:class:`~clipkit.style.CaptionStyle` and :class:`~clipkit.writers.WriteOptions`.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import fields
from typing import Any

from clipkit.style import SPEAKER_MARKERS as MARKERS
from clipkit.style import CaptionStyle
from clipkit.writers import WriteOptions


def _authored_note(caption_mode: bool) -> str:
    # shown as written: the commands use RawDescriptionHelpFormatter
    applying = "--mode words, " if caption_mode else ""
    return (
        "Authored captions (an ordinary SRT/VTT someone wrote) keep their cues as written:\n"
        f"of these options only {applying}--fps, --min-gap-frames, --min-duration and\n"
        "--no-sound-tags apply to them, unless --resegment."
    )


# 100 hours: more than any caption file clipkit reads (and far from float overflow)
MAX_SECONDS_ARGUMENT = 360_000


def seconds_to_ms(text: str) -> int:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and abs(seconds) <= MAX_SECONDS_ARGUMENT):
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    return round(seconds * 1000)


def add_policy_arguments(
    parser: argparse.ArgumentParser,
    *,
    caption_mode: bool = True,
    fps_default: str | None = None,
) -> None:
    """The "caption policy" group.  ``caption_mode=False`` leaves out ``--mode`` (``clip``
    has a ``--mode`` of its own); ``fps_default`` words the default frame rate."""
    default = CaptionStyle()
    policy = parser.add_argument_group("caption policy", _authored_note(caption_mode))
    if caption_mode:
        policy.add_argument(
            "--mode",
            choices=["cues", "lines", "words"],
            help=f"cues: pop-on captions under the policy below; lines: one cue per "
            f"spoken line; words: WebVTT with a timestamp per word "
            f"(default: {default.mode})",
        )
    policy.add_argument(
        "--resegment",
        action="store_true",
        default=None,
        help="rebuild authored captions under the whole policy too, as automatic ones are",
    )
    policy.add_argument(
        "--max-chars",
        type=int,
        metavar="N",
        help=f"characters a line (default: {default.max_chars})",
    )
    policy.add_argument(
        "--max-lines", type=int, metavar="N", help=f"lines a cue (default: {default.max_lines})"
    )
    policy.add_argument(
        "--min-duration",
        type=seconds_to_ms,
        metavar="SECONDS",
        dest="min_duration_ms",
        help=f"shortest cue, in seconds (default: {default.min_duration_ms / 1000:g} s)",
    )
    policy.add_argument(
        "--max-duration",
        type=seconds_to_ms,
        metavar="SECONDS",
        dest="max_duration_ms",
        help=f"longest cue, in seconds (default: {default.max_duration_ms / 1000:g} s)",
    )
    policy.add_argument(
        "--fps",
        type=float,
        help="video frame rate: every cue starts and ends on one of its frames, the gap "
        "between cues counted in them (23.976, 29.97, 59.94 mean 24000/1001, ...; "
        f"default: {fps_default or f'{default.fps:g}'})",
    )
    policy.add_argument(
        "--min-gap-frames",
        type=int,
        metavar="N",
        help=f"frames between cues (default: {default.min_gap_frames})",
    )
    policy.add_argument(
        "--close-gap",
        type=seconds_to_ms,
        metavar="SECONDS",
        dest="close_gap_ms",
        help=f"gaps up to this many seconds are closed to the minimum gap "
        f"(default: {default.close_gap_ms / 1000:g} s)",
    )
    policy.add_argument(
        "--linger",
        type=seconds_to_ms,
        metavar="SECONDS",
        dest="linger_ms",
        help=f"how long a cue may stay up after its last word, in seconds "
        f"(default: {default.linger_ms / 1000:g} s)",
    )
    policy.add_argument(
        "--max-cps",
        type=float,
        metavar="CPS",
        help=f"reading speed, characters a second (default: {default.max_cps:g})",
    )
    policy.add_argument(
        "--speaker-marker",
        choices=list(MARKERS),
        help="how a new speaker is shown: dash (a leading '-') or chevrons (a leading "
        "'>>'; default: dash)",
    )
    policy.add_argument(
        "--no-sound-tags",
        dest="sound_tags",
        action="store_false",
        default=None,
        help="drop [Music], [Applause] and other sound tags",
    )


def add_file_arguments(parser: argparse.ArgumentParser, title: str = "output file") -> None:
    """How caption files are written: byte order mark, line endings, a time shift."""
    output = parser.add_argument_group(title)
    output.add_argument("--bom", action="store_true", help="start with a UTF-8 byte order mark")
    output.add_argument("--crlf", action="store_true", help="Windows line endings (CR LF)")
    output.add_argument(
        "--shift",
        type=seconds_to_ms,
        default=0,
        metavar="SECONDS",
        dest="shift_ms",
        help="add SECONDS to every time, in whole frames (negative: earlier; what falls "
        "before zero is cut; default: 0)",
    )


def style_from_args(
    args: argparse.Namespace, *, caption_mode: bool = True, **base: Any
) -> CaptionStyle:
    """A CaptionStyle with the defaults (or ``base``), changed where a flag was given.

    ``caption_mode=False``: the command's ``--mode`` is not the caption mode (``clip``).
    """
    given: dict[str, Any] = dict(base)
    for field in fields(CaptionStyle):
        if field.name == "mode" and not caption_mode:
            continue
        value = getattr(args, field.name, None)
        if value is not None:
            given[field.name] = MARKERS[value] if field.name == "speaker_marker" else value
    return CaptionStyle(**given)


def write_options_from_args(args: argparse.Namespace) -> WriteOptions:
    return WriteOptions(bom=args.bom, crlf=args.crlf, shift_ms=args.shift_ms)
