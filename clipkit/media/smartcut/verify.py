"""Checking a smart cut cheaply: a decode of the frames at both ends and around both joins
compared with the source's (copied frames identical, re-encoded ones close by PSNR, no
decoding error), then the packet count, one video stream like the source's, and audio and
video of the same length."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from clipkit.media.cut import compile_command
from clipkit.media.probe import counted_streams
from clipkit.media.runner import run_capture_both
from clipkit.media.smartcut.commands import seek_before
from clipkit.media.smartcut.plan import SmartPlan, picture

MIN_EDGE_PSNR_DB = 30.0
JOIN_MARGIN_FRAMES = 2
# ffmpeg runs at once: x264 and the decoders use every core already, but a short piece
# leaves cores idle while it starts and ends.
SIDE_BY_SIDE = max(2, os.cpu_count() or 2)


@dataclass(frozen=True, slots=True)
class Window:
    """Frames ``[start, start + frames)`` of one cut, compared with the source's.

    The cut begins at frame ``offset`` of the file that holds it (0 but in a reel).
    A window that is not ``compared`` is only decoded, for decoding errors.
    """

    start: int
    frames: int
    offset: int = 0
    compared: bool = True


def verify_windows(plan: SmartPlan, offset: int = 0) -> list[Window]:
    """What to decode of one cut: its first frame, the head and the first join, and the
    second join to the last frame.

    Comparing the head with the source would mean decoding the source from the
    keyframe before the cut all the way through it: the head is only decoded, its first
    frame compared, and the frames after the join (a keyframe in both files) compared.
    """
    head = plan.head.frames if plan.head else 0
    tail = plan.tail.frames if plan.tail else 0
    windows = [Window(0, 1, offset)]
    if head:
        joined = min(JOIN_MARGIN_FRAMES, plan.middle.frames)
        windows += [
            Window(0, head + joined, offset, compared=False),
            Window(head, joined, offset),
        ]
    closing_start = max(0, plan.frames - tail - JOIN_MARGIN_FRAMES)
    windows.append(Window(closing_start, plan.frames - closing_start, offset))
    return windows


def compare_command(
    source: str | Path, plan: SmartPlan, clip: str | Path, window: Window
) -> list[str]:
    """Decode a window of the clip and, when it is compared, the same frames of the
    source, printing the PSNR of each frame."""
    frame = 1 / plan.stream.frame_rate
    clip_start = (window.offset + window.start) * frame
    if not window.compared:
        decoded = ffmpeg.input(str(clip), ss=seek_before(clip_start)).video
        out = ffmpeg.output(decoded, "-", f="null", **{"frames:v": window.frames})
    else:
        source_start = plan.stream.seconds_of(plan.first_pts) + window.start * frame
        streams = [
            ffmpeg.input(str(path), ss=seek_before(start))
            .video.filter("trim", end_frame=window.frames)
            .filter("setpts", "PTS-STARTPTS")
            for path, start in ((clip, clip_start), (source, source_start))
        ]
        compared = ffmpeg.filter(streams, "psnr", stats_file="-", shortest=1)
        out = ffmpeg.output(compared, "-", f="null")
    argv = compile_command(out)
    return [argv[0], "-v", "error", *argv[1:]]


PSNR_LINE = re.compile(r"^n:\s*(\d+)\b.*?psnr_avg:\s*(inf|[-\d.]+)", re.MULTILINE)


def parse_psnr(stats: str) -> list[float]:
    """The per-frame PSNR of the ``psnr`` filter's stats (``inf``: identical)."""
    return [math.inf if value == "inf" else float(value) for _n, value in PSNR_LINE.findall(stats)]


def window_problems(
    plan: SmartPlan, window: Window, psnr: Sequence[float], errors: str
) -> list[str]:
    """What is wrong with one compared window (empty when it matches)."""
    problems: list[str] = []
    if errors.strip():
        problems.append(
            f"decoding frames {window.start}+ reported: {errors.strip().splitlines()[0]}"
        )
    if not window.compared:
        return problems
    if len(psnr) != window.frames:
        problems.append(
            f"frames {window.start}..{window.start + window.frames - 1}: "
            f"{len(psnr)} decoded, {window.frames} expected"
        )
    head = plan.head.frames if plan.head else 0
    copied_end = head + plan.middle.frames
    for offset, value in enumerate(psnr):
        index = window.start + offset
        copied = head <= index < copied_end
        if copied and value != math.inf:
            problems.append(f"copied frame {index} differs from the source ({value:.1f} dB)")
        elif not copied and value < MIN_EDGE_PSNR_DB:
            problems.append(f"re-encoded frame {index} is {value:.1f} dB from the source")
    return problems


def structure_problems(plans: Sequence[SmartPlan], clip: str | Path) -> list[str]:
    """Packet count, stream layout and audio/video length of the joined clip."""
    wanted = picture(plans[0].stream)
    frames = sum(plan.frames for plan in plans)
    streams = counted_streams(clip)
    video = [s for s in streams if s.kind == "video"]
    audio = [s for s in streams if s.kind == "audio"]
    problems: list[str] = []
    if len(video) != 1 or video[0].codec != "h264" or video[0].video is None:
        return [f"expected one H.264 video stream, found {len(video)} video streams"]
    found = picture(video[0].video)
    if found != wanted:
        problems.append(f"the clip's video is {found}, the source's {wanted}")
    if video[0].packets != frames:
        problems.append(f"{video[0].packets} video frames where {frames} were asked for")
    if audio:
        video_s, audio_s = video[0].duration_s, audio[0].duration_s
        if abs(video_s - audio_s) > 0.05:
            problems.append(f"audio lasts {audio_s:.3f} s, video {video_s:.3f} s")
    return problems


def compare_windows(
    source: str | Path, plans: Sequence[SmartPlan], joined: str | Path
) -> list[str]:
    """Decode every cut's ends and joins beside the source's frames, two at a time."""
    checks: list[tuple[SmartPlan, Window]] = []
    offset = 0
    for plan in plans:
        checks += [(plan, window) for window in verify_windows(plan, offset)]
        offset += plan.frames
    commands = [compare_command(source, plan, joined, window) for plan, window in checks]
    # Short decodes: each spends much of its time starting up, so run more than one a core.
    with ThreadPoolExecutor(max_workers=2 * SIDE_BY_SIDE) as pool:
        results = list(pool.map(_run_compare, commands))
    problems: list[str] = []
    for (plan, window), (stats, errors) in zip(checks, results, strict=True):
        problems += window_problems(plan, window, parse_psnr(stats), errors)
    return problems


def _run_compare(argv: Sequence[str]) -> tuple[str, str]:
    return run_capture_both(argv, "ffmpeg (verify)")
