"""Planning a smart cut: which frames are re-encoded and which copied (no ffmpeg runs
but the ffprobe look at the packets around the cut)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from clipkit.errors import ClipkitError
from clipkit.media.probe import Packet, VideoStream, probe, read_packets

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
PAD_READ_S = 2.0


class SmartCutUnavailable(ClipkitError):
    """A smart cut cannot be made (or did not verify); the reason is the message."""


def mismatch(stream: VideoStream) -> str | None:
    """Why x264 cannot write pieces that join this stream, or None if it can."""
    if stream.codec != "h264":
        return f"the video is {stream.codec or 'of an unknown codec'}, not H.264"
    if stream.profile.lower() not in X264_PROFILES:
        return f"H.264 profile {stream.profile or '(unknown)'} is not 8-bit 4:2:0"
    if stream.pix_fmt not in PIXEL_FORMATS:
        return f"pixel format {stream.pix_fmt} cannot be matched"
    if stream.field_order not in ("progressive", "unknown", ""):
        return f"interlaced video ({stream.field_order})"
    if stream.reorder_depth > MAX_REORDER_DEPTH:
        return f"the source reorders {stream.reorder_depth} frames; x264 at most 2"
    if stream.time_base.numerator != 1 or stream.frame_rate <= 0:
        return f"time base {stream.time_base} / frame rate {stream.frame_rate} cannot be matched"
    if (1 / stream.frame_rate / stream.time_base).denominator != 1:
        return f"time base {stream.time_base} cannot hold {stream.frame_rate} fps exactly"
    if "mp4" not in stream.container.split(","):
        # Stream copy starts exactly on a keyframe only where the container has an
        # index of them; MPEG-TS seeks by bisection and Matroska rounds times to ms.
        return f"the container is {stream.container}, not MP4/MOV"
    return None


def picture(stream: VideoStream) -> tuple[object, ...]:
    """What a player sees of the stream: must be the same in the clip as in the source."""
    aspect = stream.sample_aspect_ratio
    return (
        stream.width,
        stream.height,
        stream.pix_fmt,
        aspect if aspect not in ("", "0:1") else "1:1",
        X264_PROFILES.get(stream.profile.lower(), stream.profile),
        stream.frame_rate,
    )


@dataclass(frozen=True, slots=True)
class Piece:
    """``frames`` frames of the source starting at presentation time ``start_pts``."""

    start_pts: int
    frames: int
    copy: bool


@dataclass(frozen=True, slots=True)
class SmartPlan:
    """One smart cut: its frames as a re-encoded head, a copied middle and a re-encoded tail."""

    stream: VideoStream
    first_pts: int
    frames: int
    head: Piece | None
    middle: Piece
    tail: Piece | None
    bitrate: int  # bits per second of the source over the groups that are re-encoded

    @property
    def pieces(self) -> list[Piece]:
        """The head, middle and tail that exist, in order."""
        return [p for p in (self.head, self.middle, self.tail) if p is not None]

    @property
    def duration(self) -> Fraction:
        """The cut's length in seconds, exactly."""
        return self.frames / self.stream.frame_rate

    def summary(self) -> dict[str, int]:
        """Frames re-encoded at each end and copied between (for the manifest and the plan)."""
        return {
            "head_frames": self.head.frames if self.head else 0,
            "copied_frames": self.middle.frames,
            "tail_frames": self.tail.frames if self.tail else 0,
        }


def plan_for(
    source: str | Path, start_ms: int, end_ms: int, stream: VideoStream | None = None
) -> SmartPlan:
    """Probe the source around the span and plan its smart cut."""
    if stream is None:
        stream = probe(source).video or VideoStream()
    reason = mismatch(stream)
    if reason:
        raise SmartCutUnavailable(reason)
    packets = read_packets(source, start_ms / 1000 - PAD_READ_S, end_ms / 1000 + PAD_READ_S)
    return plan_smart_cut(stream, packets, start_ms, end_ms)


def plan_smart_cut(
    stream: VideoStream, packets: Sequence[Packet], start_ms: int, end_ms: int
) -> SmartPlan:
    """Split the frames shown in ``[start_ms, end_ms)`` into head, middle and tail.

    Raises :class:`SmartCutUnavailable` when the stream cannot be matched, the frames
    around the cut are not evenly spaced, or no keyframe lies far enough inside it.
    """
    reason = mismatch(stream)
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
