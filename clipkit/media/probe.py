"""ffprobe edge: what a media file holds (duration, streams, frame rate, keyframes)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from clipkit.errors import FFmpegError, MediaError, MissingToolError
from clipkit.media.runner import run_capture

__all__ = [
    "MediaError",
    "MediaInfo",
    "keyframe_at_or_before",
    "parse_probe",
    "probe",
    "probe_command",
]

FFPROBE = "ffprobe"


@dataclass(frozen=True, slots=True)
class MediaInfo:
    path: str
    duration_ms: int
    has_video: bool
    has_audio: bool
    width: int = 0
    height: int = 0
    frame_rate: Fraction = Fraction(0)
    video_codec: str = ""
    audio_codec: str = ""
    sample_rate: int = 0
    channels: int = 0
    chapters: tuple[tuple[int, int, str], ...] = ()

    @property
    def fps(self) -> float:
        return float(self.frame_rate)

    def frame_index(self, ms: int) -> int:
        """The frame shown at ``ms`` (rounded to the nearest frame boundary)."""
        return round(Fraction(ms, 1000) * self.frame_rate)

    def frame_time_ms(self, index: int) -> int:
        """When frame ``index`` starts, to the nearest millisecond."""
        return round(Fraction(index * 1000) / self.frame_rate)

    def require_av(self) -> None:
        if not self.has_video:
            raise MediaError(self.path, "has no video stream")
        if not self.has_audio:
            raise MediaError(self.path, "has no audio stream")


def probe_command(path: str | Path) -> list[str]:
    return [
        FFPROBE,
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        "-show_chapters",
        str(path),
    ]


def probe(path: str | Path) -> MediaInfo:
    path = Path(path)
    if not path.is_file():
        raise MediaError(path, "no such file")
    command = probe_command(path)
    try:
        output = run_capture(command, "ffprobe")
    except MissingToolError:
        raise  # a missing ffprobe says nothing of the file
    except FFmpegError as exc:
        detail = exc.stderr_tail.strip().splitlines()[-1:] or ["unreadable"]
        raise MediaError(path, f"not a media file ffmpeg can read ({detail[0]})") from exc
    return parse_probe(str(path), json.loads(output or "{}"))


def parse_probe(path: str, data: dict[str, Any]) -> MediaInfo:
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
    rate = Fraction(0)
    if video is not None:
        for key in ("avg_frame_rate", "r_frame_rate"):
            rate = fraction_or_zero(video.get(key, "0/0"))
            if rate > 0:
                break
    chapters = tuple(
        (
            round(float(c.get("start_time", 0)) * 1000),
            round(float(c.get("end_time", 0)) * 1000),
            str(c.get("tags", {}).get("title", "")),
        )
        for c in data.get("chapters", [])
    )
    return MediaInfo(
        path=path,
        duration_ms=round(duration * 1000),
        has_video=video is not None,
        has_audio=audio is not None,
        width=int(video.get("width", 0)) if video else 0,
        height=int(video.get("height", 0)) if video else 0,
        frame_rate=rate,
        video_codec=str(video.get("codec_name", "")) if video else "",
        audio_codec=str(audio.get("codec_name", "")) if audio else "",
        sample_rate=int(audio.get("sample_rate", 0) or 0) if audio else 0,
        channels=int(audio.get("channels", 0) or 0) if audio else 0,
        chapters=chapters,
    )


def stream_durations_ms(path: str | Path) -> dict[str, int]:
    """Duration of the first video and first audio stream, by decoding their packets' times."""
    command = [
        FFPROBE,
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_entries",
        "stream=codec_type,duration",
        str(path),
    ]
    data = json.loads(run_capture(command, "ffprobe") or "{}")
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
    command = [
        FFPROBE,
        "-v",
        "error",
        "-select_streams",
        "v:0",
        "-skip_frame",
        "nokey",
        "-read_intervals",
        f"{start:.3f}%{ms / 1000 + 0.001:.3f}",
        "-show_entries",
        "frame=pts_time,best_effort_timestamp_time",
        "-print_format",
        "json",
        str(path),
    ]
    data = json.loads(run_capture(command, "ffprobe") or "{}")
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
