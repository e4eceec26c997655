"""Smart cut: frame-accurate H.264 clips that re-encode only the frames they must.

A clip of the frames ``[first, end)`` of an H.264 stream with closed groups of
pictures is made of three pieces::

    head    first .. k1    re-encoded   (k1: the first keyframe at or after ``first``)
    middle  k1 .. stop     stream copy  (bit-identical to the source)
    tail    stop .. end    re-encoded

``stop`` is the last safe stopping point before ``end``: a keyframe, or a point inside
the last group of pictures before which every frame has been shown (with B-frames,
after an anchor frame's B-frames), so the tail is usually a few frames.

The head and tail are encoded to match the source stream (size, pixel format,
profile and level, frame rate and time base, colour signalling, decoding delay) at a
quality capped by the source's own bitrate.  The pieces are joined by ffmpeg's concat
demuxer, which puts each piece's parameter sets in-band before its first keyframe,
with the audio of the whole span re-encoded (with the usual edge fades) beside them.

:func:`smart_cut` then checks the result cheaply: a decode of the frames at both ends
and around both joins compared with the source's decode (copied frames must be
identical, re-encoded ones close by PSNR, no decoding error), then packet count, one
video stream like the source's, and audio and video of the same length.  Anything this
module cannot do raises :class:`SmartCutUnavailable` with the reason; callers fall back
to a full re-encode.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg

from clipkit.errors import ClipkitError
from clipkit.media.cut import EncodeSettings, compile_command, edge_fades, with_metadata_input
from clipkit.media.probe import fraction_or_zero, number_or_none
from clipkit.media.progress import ProgressCallback
from clipkit.media.runner import run_capture, run_capture_both, run_ffmpeg

FFPROBE = "ffprobe"

# Profiles x264 can write for 8-bit 4:2:0 (the only kind a smart cut re-encodes).
X264_PROFILES = {
    "constrained baseline": "baseline",
    "baseline": "baseline",
    "main": "main",
    "high": "high",
}
PIXEL_FORMATS = ("yuv420p", "yuvj420p")
# Every piece must delay decoding as much as the source does (see piece_command), and
# x264 reorders at most two frames (B-pyramid).
MAX_REORDER_DEPTH = 2
# The source's bitrate over the replaced groups of pictures sets the encoder's cap.
BITRATE_HEADROOM = 1.5
SMART_CRF = 17
MIN_EDGE_PSNR_DB = 30.0
JOIN_MARGIN_FRAMES = 2
PAD_READ_S = 2.0
# ffmpeg runs at once: x264 and the decoders use every core already, but a short piece
# leaves cores idle while it starts and ends.
SIDE_BY_SIDE = max(2, os.cpu_count() or 2)


class SmartCutUnavailable(ClipkitError):
    """A smart cut cannot be made (or did not verify); the reason is the message."""


@dataclass(frozen=True, slots=True)
class VideoStream:
    """What a re-encoded piece must match to join the copied middle seamlessly."""

    codec: str
    profile: str
    level: int
    pix_fmt: str
    width: int
    height: int
    time_base: Fraction
    frame_rate: Fraction
    reorder_depth: int
    field_order: str = "progressive"
    sample_aspect_ratio: str = ""
    color_range: str = ""
    color_space: str = ""
    color_transfer: str = ""
    color_primaries: str = ""
    start_time: Fraction = Fraction(0)
    container: str = "mov,mp4,m4a,3gp,3g2,mj2"

    def seconds_of(self, pts: int) -> Fraction:
        return pts * self.time_base - self.start_time

    def picture(self) -> tuple[object, ...]:
        """What a player sees of the stream: must be the same in the clip as in the source."""
        return (
            self.width,
            self.height,
            self.pix_fmt,
            self.sample_aspect_ratio if self.sample_aspect_ratio not in ("", "0:1") else "1:1",
            X264_PROFILES.get(self.profile.lower(), self.profile),
            self.frame_rate,
        )

    def mismatch(self) -> str | None:
        """Why x264 cannot write pieces that join this stream, or None if it can."""
        if self.codec != "h264":
            return f"the video is {self.codec or 'of an unknown codec'}, not H.264"
        if self.profile.lower() not in X264_PROFILES:
            return f"H.264 profile {self.profile or '(unknown)'} is not 8-bit 4:2:0"
        if self.pix_fmt not in PIXEL_FORMATS:
            return f"pixel format {self.pix_fmt} cannot be matched"
        if self.field_order not in ("progressive", "unknown", ""):
            return f"interlaced video ({self.field_order})"
        if self.reorder_depth > MAX_REORDER_DEPTH:
            return f"the source reorders {self.reorder_depth} frames; x264 at most 2"
        if self.time_base.numerator != 1 or self.frame_rate <= 0:
            return f"time base {self.time_base} / frame rate {self.frame_rate} cannot be matched"
        if (1 / self.frame_rate / self.time_base).denominator != 1:
            return f"time base {self.time_base} cannot hold {self.frame_rate} fps exactly"
        if "mp4" not in self.container.split(","):
            # Stream copy starts exactly on a keyframe only where the container has an
            # index of them; MPEG-TS seeks by bisection and Matroska rounds times to ms.
            return f"the container is {self.container}, not MP4/MOV"
        return None


@dataclass(frozen=True, slots=True)
class Packet:
    pts: int  # in the stream's time base
    dts: int
    keyframe: bool
    size: int = 0


@dataclass(frozen=True, slots=True)
class Piece:
    """``frames`` frames of the source starting at presentation time ``start_pts``."""

    start_pts: int
    frames: int
    copy: bool


@dataclass(frozen=True, slots=True)
class SmartPlan:
    stream: VideoStream
    first_pts: int
    frames: int
    head: Piece | None
    middle: Piece
    tail: Piece | None
    bitrate: int  # bits per second of the source over the groups that are re-encoded

    @property
    def pieces(self) -> list[Piece]:
        return [p for p in (self.head, self.middle, self.tail) if p is not None]

    @property
    def duration(self) -> Fraction:
        return self.frames / self.stream.frame_rate

    def summary(self) -> dict[str, int]:
        return {
            "head_frames": self.head.frames if self.head else 0,
            "copied_frames": self.middle.frames,
            "tail_frames": self.tail.frames if self.tail else 0,
        }


# ---------------------------------------------------------------- probing


def probe_video_stream(path: str | Path) -> VideoStream:
    command = [
        FFPROBE,
        *("-v", "error", "-select_streams", "v:0", "-print_format", "json"),
        *("-show_entries", "stream:format=start_time,format_name", str(path)),
    ]
    data = json.loads(run_capture(command, "ffprobe") or "{}")
    streams = data.get("streams") or [{}]
    container = data.get("format", {})
    return video_stream_of(
        streams[0], container.get("start_time", "0"), str(container.get("format_name", ""))
    )


def video_stream_of(
    stream: dict[str, Any], start: object = "0", container: str = "mov,mp4,m4a,3gp,3g2,mj2"
) -> VideoStream:
    """A :class:`VideoStream` from one of ffprobe's ``streams`` entries."""
    return VideoStream(
        codec=str(stream.get("codec_name", "")),
        profile=str(stream.get("profile", "")),
        level=int(stream.get("level", 0) or 0),
        pix_fmt=str(stream.get("pix_fmt", "")),
        width=int(stream.get("width", 0) or 0),
        height=int(stream.get("height", 0) or 0),
        time_base=fraction_or_zero(stream.get("time_base")),
        frame_rate=fraction_or_zero(stream.get("avg_frame_rate"))
        or fraction_or_zero(stream.get("r_frame_rate")),
        reorder_depth=int(stream.get("has_b_frames", 0) or 0),
        field_order=str(stream.get("field_order", "progressive")),
        sample_aspect_ratio=_known(stream.get("sample_aspect_ratio")),
        color_range=_known(stream.get("color_range")),
        color_space=_known(stream.get("color_space")),
        color_transfer=_known(stream.get("color_transfer")),
        color_primaries=_known(stream.get("color_primaries")),
        start_time=Fraction(str(start)) if number_or_none(start) is not None else Fraction(0),
        container=container,
    )


def read_packets(path: str | Path, from_s: float, to_s: float) -> list[Packet]:
    """The video packets around ``[from_s, to_s]``, in presentation order (demuxing only)."""
    command = [
        FFPROBE,
        *("-v", "error", "-select_streams", "v:0", "-print_format", "json"),
        *("-read_intervals", f"{max(0.0, from_s):.3f}%{to_s:.3f}"),
        *("-show_entries", "packet=pts,dts,flags,size", str(path)),
    ]
    data = json.loads(run_capture(command, "ffprobe") or "{}")
    packets = [
        Packet(
            int(p["pts"]),
            int(p["dts"]) if number_or_none(p.get("dts")) is not None else int(p["pts"]),
            "K" in str(p.get("flags", "")),
            int(p.get("size", 0) or 0),
        )
        for p in data.get("packets", [])
        if number_or_none(p.get("pts")) is not None
    ]
    packets.sort(key=lambda p: p.pts)
    return packets


# ---------------------------------------------------------------- planning


def plan_smart_cut(
    stream: VideoStream, packets: Sequence[Packet], start_ms: int, end_ms: int
) -> SmartPlan:
    """Split the frames shown in ``[start_ms, end_ms)`` into head, middle and tail.

    Raises :class:`SmartCutUnavailable` when the stream cannot be matched, the frames
    around the cut are not evenly spaced, or no keyframe lies far enough inside it.
    """
    reason = stream.mismatch()
    if reason:
        raise SmartCutUnavailable(reason)
    half_frame = 1 / (2 * stream.frame_rate)
    first_s = Fraction(start_ms, 1000) - half_frame
    end_s = Fraction(end_ms, 1000) - half_frame
    times = [stream.seconds_of(p.pts) for p in packets]
    first = next((i for i, t in enumerate(times) if t >= first_s), None)
    end = next((i for i, t in enumerate(times) if t >= end_s), len(packets))
    wanted = round(Fraction(end_ms, 1000) * stream.frame_rate) - round(
        Fraction(start_ms, 1000) * stream.frame_rate
    )
    if first is None or end - first != wanted:
        raise SmartCutUnavailable(
            f"the source has {0 if first is None else end - first} frames where "
            f"{wanted} were expected at {float(stream.frame_rate):g} fps (variable frame rate?)"
        )
    keyframes = [i for i in range(first, end) if packets[i].keyframe]
    if not keyframes:
        raise SmartCutUnavailable("the clip lies within one group of pictures")
    depth = stream.reorder_depth

    def encodable(frames: int) -> bool:
        # x264 writes a piece of `depth` frames or fewer without its decoding delay,
        # which would break the run of decoding times at the join.
        return frames == 0 or frames > depth

    k1 = next((k for k in keyframes if encodable(k - first)), end)
    copy_ends = [
        stop
        for keyframe in keyframes
        if keyframe >= k1
        for stop in _safe_stops(packets, keyframe, end)
        if stop > k1 and encodable(end - stop)
    ]
    if not copy_ends:
        raise SmartCutUnavailable("no keyframe far enough inside the clip to copy from")
    copy_end = max(copy_ends)
    reach = [*_group_span(packets, first, k1), *_group_span(packets, copy_end, end)]
    bits = 8 * sum(packets[i].size for i in reach)
    bitrate = round(bits * stream.frame_rate / max(1, len(reach))) if reach else 0
    return SmartPlan(
        stream=stream,
        first_pts=packets[first].pts,
        frames=end - first,
        head=Piece(packets[first].pts, k1 - first, False) if k1 > first else None,
        middle=Piece(packets[k1].pts, copy_end - k1, True),
        tail=Piece(packets[copy_end].pts, end - copy_end, False) if end > copy_end else None,
        bitrate=bitrate,
    )


def _safe_stops(packets: Sequence[Packet], keyframe: int, end: int) -> list[int]:
    """Where a copy starting at ``keyframe``'s group may stop, before ``end``.

    Copying stops between two packets in decoding order; every frame before the stop
    must be shown before every frame after it.  With B-frames that holds only at some
    points of a group of pictures (after each anchor frame's B-frames).  Returns the
    index of the first frame not copied for each such point, the keyframe included.
    """
    group_end = keyframe + 1
    while group_end < len(packets) and not packets[group_end].keyframe:
        group_end += 1
    decoding_order = sorted(range(keyframe, group_end), key=lambda i: packets[i].dts)
    stops, latest = [keyframe], -1
    for count, index in enumerate(decoding_order, 1):
        latest = max(latest, index)
        if latest >= end:
            break
        if latest == keyframe + count - 1:
            stops.append(keyframe + count)
    return stops


def _group_span(packets: Sequence[Packet], start: int, end: int) -> range:
    """The whole groups of pictures that hold the packets ``[start, end)``."""
    if end <= start:
        return range(0)
    low = start
    while low > 0 and not packets[low].keyframe:
        low -= 1
    high = end
    while high < len(packets) and not packets[high].keyframe:
        high += 1
    return range(low, high)


# ---------------------------------------------------------------- commands


def seek_before(time_s: Fraction) -> str:
    """``-ss`` text for a decoded seek that keeps the frame at ``time_s``."""
    return f"{math.floor(time_s * 1_000_000) / 1e6:.6f}"


def seek_onto(time_s: Fraction) -> str:
    """``-ss`` text for a stream-copy seek that starts on the keyframe at ``time_s``."""
    return f"{math.ceil(time_s * 1_000_000) / 1e6:.6f}"


def x264_options(plan: SmartPlan, settings: EncodeSettings, reorder_depth: int) -> dict[str, Any]:
    stream = plan.stream
    params = ["bframes=0"]
    if reorder_depth >= 1:
        pyramid = "normal" if reorder_depth >= 2 else "none"
        params = ["bframes=3", f"b-pyramid={pyramid}"]
    options: dict[str, Any] = {
        "vcodec": "libx264",
        "preset": settings.preset,
        "crf": max(1, min(settings.crf, SMART_CRF)),  # x264 is lossless only in High 4:4:4
        "profile:v": X264_PROFILES[stream.profile.lower()],
        "pix_fmt": stream.pix_fmt,
        "x264-params": ":".join(params),
        "fps_mode": "passthrough",
        "video_track_timescale": stream.time_base.denominator,
    }
    if stream.level > 0:
        options["level"] = stream.level
    if plan.bitrate > 0:
        cap = round(plan.bitrate * BITRATE_HEADROOM)
        options.update(maxrate=cap, bufsize=2 * cap)
    for option, value in (
        ("color_range", stream.color_range),
        ("colorspace", stream.color_space),
        ("color_trc", stream.color_transfer),
        ("color_primaries", stream.color_primaries),
    ):
        if value:
            options[option] = value
    if settings.threads:
        options["threads"] = settings.threads
    return options


def piece_command(
    source: str | Path,
    plan: SmartPlan,
    piece: Piece,
    output: str | Path,
    settings: EncodeSettings,
) -> list[str]:
    """Encode (head, tail) or copy (middle) one piece as a video-only MP4."""
    start = plan.stream.seconds_of(piece.start_pts)
    if piece.copy:
        stream = ffmpeg.input(str(source), ss=seek_onto(start))
        out = ffmpeg.output(
            stream.video,
            str(output),
            vcodec="copy",
            **{"frames:v": piece.frames},
            map_metadata=-1,
            map_chapters=-1,
        )
    else:
        # Every piece reorders as deeply as the source, so that decoding times run on
        # one frame at a time across the joins (a shallower head would make them run
        # backwards; a shallower tail would leave a gap).
        depth = plan.stream.reorder_depth
        stream = ffmpeg.input(str(source), ss=seek_before(start))
        out = ffmpeg.output(
            stream.video,
            str(output),
            **{"frames:v": piece.frames},
            map_metadata=-1,
            map_chapters=-1,
            **x264_options(plan, settings, depth),
        )
    return compile_command(out)


def concat_list(frame_rate: Fraction, pieces: Sequence[tuple[Piece, str]]) -> str:
    """The concat demuxer's list: each piece (file name) with its exact duration."""
    lines = ["ffconcat version 1.0"]
    for piece, name in pieces:
        lines += [f"file {name}", f"duration {float(piece.frames / frame_rate):.6f}"]
    return "\n".join(lines) + "\n"


def audio_command(
    source: str | Path, plans: Sequence[SmartPlan], output: str | Path, settings: EncodeSettings
) -> list[str]:
    """Re-encode the spans' audio, each with a short fade at its edges, one after another
    (keeps the source's metadata)."""
    faded = []
    for plan in plans:
        sound = ffmpeg.input(
            str(source),
            ss=seek_before(plan.stream.seconds_of(plan.first_pts)),
            t=f"{float(plan.duration):.6f}",
        )
        faded.append(edge_fades(sound.audio, round(plan.duration * 1000), settings.fade_ms))
    audio = faded[0] if len(faded) == 1 else ffmpeg.concat(*faded, v=0, a=1)
    out = ffmpeg.output(
        audio,
        str(output),
        acodec="aac",
        audio_bitrate=settings.audio_bitrate,
        map_chapters=-1,
    )
    return compile_command(out)


def join_command(stream: VideoStream, list_file: str | Path, output: str | Path) -> list[str]:
    """Join the video pieces into one video-only MP4 by stream copy."""
    pieces = ffmpeg.input(str(list_file), f="concat", safe=0)
    out = ffmpeg.output(
        pieces.video,
        str(output),
        c="copy",
        video_track_timescale=stream.time_base.denominator,
        map_chapters=-1,
    )
    return compile_command(out)


def mux_command(
    stream: VideoStream,
    video_file: str | Path,
    audio_file: str | Path,
    output: str | Path,
    chapters_file: str | Path | None = None,
) -> list[str]:
    """The joined video and the audio into the clip, by stream copy, index first.

    The metadata comes from the audio file (the source's), or with ``chapters_file``
    from that ffmetadata file, chapters included.
    """
    video = ffmpeg.input(str(video_file))
    sound = ffmpeg.input(str(audio_file))
    out = ffmpeg.output(
        video.video,
        sound.audio,
        str(output),
        c="copy",
        movflags="+faststart",
        video_track_timescale=stream.time_base.denominator,
        map_metadata=1,
        map_chapters=-1,
    )
    argv = compile_command(out)
    return argv if chapters_file is None else with_metadata_input(argv, output, chapters_file)


# ---------------------------------------------------------------- verification


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
    wanted = plans[0].stream.picture()
    frames = sum(plan.frames for plan in plans)
    command = [
        FFPROBE,
        *("-v", "error", "-count_packets", "-print_format", "json"),
        *("-show_entries", "stream", str(clip)),
    ]
    data = json.loads(run_capture(command, "ffprobe") or "{}")
    streams: list[dict[str, Any]] = data.get("streams", [])
    video = [s for s in streams if s.get("codec_type") == "video"]
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    problems: list[str] = []
    if len(video) != 1 or video[0].get("codec_name") != "h264":
        return [f"expected one H.264 video stream, found {len(video)} video streams"]
    picture = video_stream_of(video[0]).picture()
    if picture != wanted:
        problems.append(f"the clip's video is {picture}, the source's {wanted}")
    count = int(video[0].get("nb_read_packets", 0) or 0)
    if count != frames:
        problems.append(f"{count} video frames where {frames} were asked for")
    if audio:
        video_s = float(video[0].get("duration", 0) or 0)
        audio_s = float(audio[0].get("duration", 0) or 0)
        if abs(video_s - audio_s) > 0.05:
            problems.append(f"audio lasts {audio_s:.3f} s, video {video_s:.3f} s")
    return problems


# ---------------------------------------------------------------- running


def plan_for(
    source: str | Path, start_ms: int, end_ms: int, stream: VideoStream | None = None
) -> SmartPlan:
    """Probe the source around the span and plan its smart cut."""
    stream = stream or probe_video_stream(source)
    reason = stream.mismatch()
    if reason:
        raise SmartCutUnavailable(reason)
    packets = read_packets(source, start_ms / 1000 - PAD_READ_S, end_ms / 1000 + PAD_READ_S)
    return plan_smart_cut(stream, packets, start_ms, end_ms)


@dataclass(frozen=True, slots=True)
class SmartCommands:
    """The ffmpeg runs of smart cuts joined into one file, writing their pieces in ``folder``."""

    pieces: tuple[tuple[str, ...], ...]  # the edge encodes first, then the copies
    audio: tuple[str, ...]
    list_file: Path
    list_text: str
    joined_video: Path
    join: tuple[str, ...]
    mux: tuple[str, ...]

    @classmethod
    def build(
        cls,
        source: str | Path,
        plans: Sequence[SmartPlan],
        output: str | Path,
        settings: EncodeSettings,
        folder: Path,
        chapters_file: str | Path | None = None,
    ) -> SmartCommands:
        stream = plans[0].stream
        named = [
            (plan, piece, f"piece-{cut}-{n}.mp4")
            for cut, plan in enumerate(plans)
            for n, piece in enumerate(plan.pieces)
        ]
        encodes = [
            tuple(piece_command(source, plan, piece, folder / name, settings))
            for plan, piece, name in named
        ]
        encodes.sort(key=lambda argv: "copy" in argv)
        audio_file = folder / "audio.m4a"
        joined_video = folder / "video.mp4"
        list_file = folder / "pieces.txt"
        return cls(
            pieces=tuple(encodes),
            audio=tuple(audio_command(source, plans, audio_file, settings)),
            list_file=list_file,
            list_text=concat_list(stream.frame_rate, [(piece, name) for _, piece, name in named]),
            joined_video=joined_video,
            join=tuple(join_command(stream, list_file, joined_video)),
            mux=tuple(mux_command(stream, joined_video, audio_file, output, chapters_file)),
        )

    @property
    def all(self) -> list[tuple[str, ...]]:
        return [*self.pieces, self.audio, self.join, self.mux]


def smart_cut(
    source: str | Path,
    plan: SmartPlan,
    output: str | Path,
    settings: EncodeSettings | None = None,
    on_progress: ProgressCallback | None = None,
) -> None:
    """Cut ``plan`` out of ``source`` into ``output`` and verify it (see :func:`smart_join`)."""
    smart_join(source, [plan], output, settings, on_progress)


def smart_join(
    source: str | Path,
    plans: Sequence[SmartPlan],
    output: str | Path,
    settings: EncodeSettings | None = None,
    on_progress: ProgressCallback | None = None,
    chapters_file: str | Path | None = None,
) -> None:
    """Smart-cut every plan out of ``source`` and join them, in order, into ``output``.

    The audio is encoded all along beside the video work: the pieces side by side,
    then their join, then the verifying decodes of the joined video side by side.
    The verified video and the audio are then put together (with the chapters of
    ``chapters_file``, an ffmetadata file), and the result's packets, streams and
    lengths checked.  Raises :class:`SmartCutUnavailable` when anything does not
    verify (``output`` is then left for the caller to discard).
    """
    settings = settings or EncodeSettings()
    total_ms = round(sum(plan.duration for plan in plans) * 1000)

    def report(fraction: float) -> None:
        if on_progress is not None:
            on_progress(round(total_ms * fraction))

    with (
        tempfile.TemporaryDirectory(prefix="clipkit-smart-") as tmp_name,
        ThreadPoolExecutor(max_workers=1) as audio_worker,
    ):
        commands = SmartCommands.build(
            source, plans, output, settings, Path(tmp_name), chapters_file
        )
        # The audio waits for spare CPU: the edge encodes are the critical path.
        audio = audio_worker.submit(run_ffmpeg, commands.audio, None, None, "ffmpeg (audio)", True)
        _run_side_by_side(commands.pieces, "ffmpeg (smart cut piece)")
        report(0.6)
        commands.list_file.write_text(commands.list_text, encoding="utf-8")
        run_ffmpeg(commands.join, what="ffmpeg (smart cut join)")
        problems = compare_windows(source, plans, commands.joined_video)
        report(0.8)
        audio.result()
        if not problems:
            run_ffmpeg(commands.mux, what="ffmpeg (smart cut mux)")
            problems = structure_problems(plans, output)
    if problems:
        raise SmartCutUnavailable("verification failed: " + "; ".join(problems[:3]))
    report(1.0)


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


def _run_side_by_side(commands: Sequence[Sequence[str]], what: str) -> None:
    if not commands:
        return
    with ThreadPoolExecutor(max_workers=min(len(commands), SIDE_BY_SIDE + 1)) as pool:
        for future in [pool.submit(run_ffmpeg, argv, None, None, what) for argv in commands]:
            future.result()


# ---------------------------------------------------------------- helpers


def _known(value: object) -> str:
    text = str(value or "")
    return "" if text in ("unknown", "None") else text
