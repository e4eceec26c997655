"""ffprobe edge: every ffprobe run clipkit makes, and the one model of a video stream.

:func:`probe` reads a file's duration, streams and chapters once (:class:`MediaInfo`, its
video stream a :class:`VideoStream` whose frame rate is parsed here and nowhere else);
:func:`read_packets`, :func:`keyframe_at_or_before`, :func:`stream_durations_ms` and
:func:`counted_streams` are the closer looks a cut and its checks need.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from clipkit.errors import FFmpegError, MediaError, MissingToolError
from clipkit.media.runner import run_capture

__all__ = [
    "CountedStream",
    "MediaError",
    "MediaInfo",
    "Packet",
    "VideoStream",
    "counted_streams",
    "ffprobe_command",
    "keyframe_at_or_before",
    "parse_probe",
    "probe",
    "probe_command",
    "read_packets",
    "stream_durations_ms",
    "video_stream_of",
]

FFPROBE = "ffprobe"
MP4_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"


@dataclass(frozen=True, slots=True)
class VideoStream:
    """A video stream as ffprobe describes it: what a cut must know and match."""

    codec: str = ""
    profile: str = ""
    level: int = 0
    pix_fmt: str = ""
    width: int = 0
    height: int = 0
    time_base: Fraction = Fraction(0)
    frame_rate: Fraction = Fraction(0)  # 0 when unknown
    reorder_depth: int = 0  # frames of decoding delay (ffprobe's has_b_frames)
    field_order: str = "progressive"
    sample_aspect_ratio: str = ""
    color_range: str = ""
    color_space: str = ""
    color_transfer: str = ""
    color_primaries: str = ""
    start_time: Fraction = Fraction(0)  # of the container
    container: str = MP4_FAMILY  # ffprobe's format_name

    def seconds_of(self, pts: int) -> Fraction:
        """Presentation time ``pts`` (in the stream's time base) in seconds from the start."""
        return pts * self.time_base - self.start_time


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What a media file holds: its length, its (first) video stream, sound and chapters."""

    path: str
    duration_ms: int
    video: VideoStream | None
    has_audio: bool
    audio_codec: str = ""
    sample_rate: int = 0
    channels: int = 0
    chapters: tuple[tuple[int, int, str], ...] = ()

    @property
    def has_video(self) -> bool:
        """Whether the file has a video stream (not a cover picture)."""
        return self.video is not None

    @property
    def width(self) -> int:
        """The picture's width in pixels (0 without video)."""
        return self.video.width if self.video else 0

    @property
    def height(self) -> int:
        """The picture's height in pixels (0 without video)."""
        return self.video.height if self.video else 0

    @property
    def frame_rate(self) -> Fraction:
        """The video's exact frame rate (0 when there is no video or it is unknown)."""
        return self.video.frame_rate if self.video else Fraction(0)

    @property
    def video_codec(self) -> str:
        """The video's codec name (``h264``, ...; empty without video)."""
        return self.video.codec if self.video else ""

    @property
    def fps(self) -> float:
        """The frame rate as a float (for display and caption styles)."""
        return float(self.frame_rate)

    def frame_index(self, ms: int) -> int:
        """The frame shown at ``ms`` (rounded to the nearest frame boundary)."""
        return round(Fraction(ms, 1000) * self.frame_rate)

    def frame_time_ms(self, index: int) -> int:
        """When frame ``index`` starts, to the nearest millisecond."""
        return round(Fraction(index * 1000) / self.frame_rate)

    def require_av(self) -> None:
        """Raise :class:`MediaError` unless the file has both pictures and sound."""
        if not self.has_video:
            raise MediaError(self.path, "has no video stream")
        if not self.has_audio:
            raise MediaError(self.path, "has no audio stream")


@dataclass(frozen=True, slots=True)
class Packet:
    """One video packet: its times in the stream's time base, and whether it is a keyframe."""

    pts: int
    dts: int
    keyframe: bool
    size: int = 0


@dataclass(frozen=True, slots=True)
class CountedStream:
    """A stream of a finished file, its packets counted by demuxing it."""

    kind: str  # "video", "audio", ...
    codec: str
    packets: int
    duration_s: float
    video: VideoStream | None = None


def ffprobe_command(path: str | Path, *options: str) -> list[str]:
    """ffprobe printing JSON about ``path``: the one way clipkit's ffprobe runs start."""
    return [FFPROBE, "-v", "error", "-print_format", "json", *options, str(path)]


def _ffprobe_json(path: str | Path, *options: str) -> dict[str, Any]:
    data = json.loads(run_capture(ffprobe_command(path, *options), "ffprobe") or "{}")
    return data if isinstance(data, dict) else {}


def probe_command(path: str | Path) -> list[str]:
    """The ffprobe run of :func:`probe`."""
    return ffprobe_command(path, "-show_format", "-show_streams", "-show_chapters")


def probe(path: str | Path) -> MediaInfo:
    """Duration, streams and chapters of ``path`` (:class:`MediaError` if unreadable)."""
    path = Path(path)
    if not path.is_file():
        raise MediaError(path, "no such file")
    try:
        output = run_capture(probe_command(path), "ffprobe")
    except MissingToolError:
        raise  # a missing ffprobe says nothing of the file
    except FFmpegError as exc:
        detail = exc.stderr_tail.strip().splitlines()[-1:] or ["unreadable"]
        raise MediaError(path, f"not a media file ffmpeg can read ({detail[0]})") from exc
    return parse_probe(str(path), json.loads(output or "{}"))


def parse_probe(path: str, data: dict[str, Any]) -> MediaInfo:
    """A :class:`MediaInfo` from ffprobe's ``-show_format -show_streams`` JSON."""
    streams: list[dict[str, Any]] = data.get("streams", [])
    fmt: dict[str, Any] = data.get("format", {})
    video = next(
        (
            s
            for s in streams
            if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
        ),
        None,
    )
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None and audio is None:
        raise MediaError(path, "not a video file (no audio or video stream)")
    duration = number_or_none(fmt.get("duration")) or max(
        (number_or_none(s.get("duration")) or 0.0 for s in streams), default=0.0
    )
    if duration <= 0:
        raise MediaError(path, "has no known duration")
    chapters = tuple(
        (
            round(float(c.get("start_time", 0)) * 1000),
            round(float(c.get("end_time", 0)) * 1000),
            str(c.get("tags", {}).get("title", "")),
        )
        for c in data.get("chapters", [])
    )
    container = str(fmt.get("format_name", MP4_FAMILY))
    return MediaInfo(
        path=path,
        duration_ms=round(duration * 1000),
        video=video_stream_of(video, fmt.get("start_time", "0"), container) if video else None,
        has_audio=audio is not None,
        audio_codec=str(audio.get("codec_name", "")) if audio else "",
        sample_rate=int(audio.get("sample_rate", 0) or 0) if audio else 0,
        channels=int(audio.get("channels", 0) or 0) if audio else 0,
        chapters=chapters,
    )


def video_stream_of(
    stream: dict[str, Any], start: object = "0", container: str = MP4_FAMILY
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
    data = _ffprobe_json(
        path,
        *("-select_streams", "v:0"),
        *("-read_intervals", f"{max(0.0, from_s):.3f}%{to_s:.3f}"),
        *("-show_entries", "packet=pts,dts,flags,size"),
    )
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


def counted_streams(path: str | Path) -> list[CountedStream]:
    """Every stream of ``path`` with its packets counted (what a finished cut is checked by)."""
    data = _ffprobe_json(path, "-count_packets", "-show_entries", "stream")
    return [
        CountedStream(
            kind=str(s.get("codec_type", "")),
            codec=str(s.get("codec_name", "")),
            packets=int(s.get("nb_read_packets", 0) or 0),
            duration_s=number_or_none(s.get("duration")) or 0.0,
            video=video_stream_of(s) if s.get("codec_type") == "video" else None,
        )
        for s in data.get("streams", [])
    ]


def stream_durations_ms(path: str | Path) -> dict[str, int]:
    """Duration of the first video and first audio stream, by decoding their packets' times."""
    data = _ffprobe_json(path, "-show_entries", "stream=codec_type,duration")
    found: dict[str, int] = {}
    for stream in data.get("streams", []):
        kind = str(stream.get("codec_type"))
        seconds = number_or_none(stream.get("duration"))
        if kind not in found and seconds is not None:
            found[kind] = round(seconds * 1000)
    return found


def keyframe_at_or_before(path: str | Path, ms: int) -> int:
    """The time of the last video keyframe at or before ``ms`` (what a stream copy starts on)."""
    start = max(0.0, ms / 1000 - 30)
    data = _ffprobe_json(
        path,
        *("-select_streams", "v:0", "-skip_frame", "nokey"),
        *("-read_intervals", f"{start:.3f}%{ms / 1000 + 0.001:.3f}"),
        *("-show_entries", "frame=pts_time,best_effort_timestamp_time"),
    )
    best = 0
    for frame in data.get("frames", []):
        seconds = number_or_none(frame.get("pts_time")) or number_or_none(
            frame.get("best_effort_timestamp_time")
        )
        if seconds is None:
            continue
        at = round(seconds * 1000)
        if at <= ms:
            best = max(best, at)
    return best


def number_or_none(value: object) -> float | None:
    """An ffprobe number (they come as text, or "N/A"), or None."""
    try:
        return float(str(value))
    except (TypeError, ValueError):
        return None


def fraction_or_zero(value: object) -> Fraction:
    """An ffprobe ratio such as "30000/1001" ("0/0" and "N/A" give 0)."""
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return Fraction(0)


def _known(value: object) -> str:
    text = str(value or "")
    return "" if text in ("unknown", "None") else text
