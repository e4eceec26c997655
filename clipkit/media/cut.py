"""Cut one span out of a video: frame-accurate re-encode (default) or stream copy.

Accurate mode seeks on the input (``-ss`` before ``-i``), which makes ffmpeg decode
from the previous keyframe and drop frames until the requested one, then encodes
H.264/AAC with ``+faststart`` and a short audio fade at each edge so the cut does not
click.  Copy mode cannot start between keyframes: callers pass the keyframe time.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg

VideoTransform = Callable[[Any], Any]
"""Takes and returns an ffmpeg-python video stream (e.g. crop, burn captions)."""


@dataclass(frozen=True, slots=True)
class EncodeSettings:
    """How re-encoded video and audio are encoded (x264 quality and preset, AAC, edge fades)."""

    crf: int = 20
    preset: str = "veryfast"
    audio_bitrate: str = "160k"
    fade_ms: int = 20
    threads: int = 0  # 0: ffmpeg decides

    def output_options(self) -> dict[str, Any]:
        """ffmpeg output options for H.264/AAC MP4 that starts playing at once."""
        options: dict[str, Any] = {
            "vcodec": "libx264",
            "crf": self.crf,
            "preset": self.preset,
            "pix_fmt": "yuv420p",
            "acodec": "aac",
            "audio_bitrate": self.audio_bitrate,
            "movflags": "+faststart",
        }
        if self.threads:
            options["threads"] = self.threads
        return options


def seconds(ms: int) -> str:
    """``ms`` as ffmpeg's seconds text, to the millisecond."""
    return f"{ms / 1000:.3f}"


@dataclass(frozen=True, slots=True)
class Span:
    """Where to seek (``-ss``) and how long to keep (``-t``), as ffmpeg argument text.

    With a frame rate, both are derived from whole frame numbers: ``-ss`` is rounded
    down to the microsecond so the requested frame is never dropped, and ``-t`` is
    exactly the frame count times the frame duration.
    """

    seek: str
    length: str
    duration_ms: int

    @classmethod
    def of(cls, start_ms: int, end_ms: int, frame_rate: Fraction | None = None) -> Span:
        """The span of ``[start_ms, end_ms)``, on the frames of ``frame_rate`` when given."""
        if end_ms <= start_ms:
            raise ValueError(f"empty span {start_ms}..{end_ms} ms")
        if not frame_rate:
            return cls(seconds(start_ms), seconds(end_ms - start_ms), end_ms - start_ms)
        first = round(Fraction(start_ms, 1000) * frame_rate)
        last = max(first + 1, round(Fraction(end_ms, 1000) * frame_rate))
        seek_us = math.floor(Fraction(first * 1_000_000) / frame_rate)
        length_us = round(Fraction((last - first) * 1_000_000) / frame_rate)
        return cls(f"{seek_us / 1e6:.6f}", f"{length_us / 1e6:.6f}", round(length_us / 1000))


def accurate_cut_command(
    source: str | Path,
    start_ms: int,
    end_ms: int,
    output: str | Path,
    settings: EncodeSettings | None = None,
    transform: VideoTransform | None = None,
    frame_rate: Fraction | None = None,
) -> list[str]:
    """Frame-accurate cut of ``[start_ms, end_ms)`` into ``output``, every frame re-encoded
    (``transform`` on the picture: a crop, burned captions)."""
    settings = settings or EncodeSettings()
    span = Span.of(start_ms, end_ms, frame_rate)
    duration_ms = span.duration_ms
    source_stream = ffmpeg.input(str(source), ss=span.seek)
    video = source_stream.video
    if transform is not None:
        video = transform(video)
    audio = edge_fades(source_stream.audio, duration_ms, settings.fade_ms)
    out = ffmpeg.output(
        video,
        audio,
        str(output),
        t=span.length,
        map_chapters=-1,
        **settings.output_options(),
    )
    return compile_command(out)


def copy_cut_command(
    source: str | Path, start_ms: int, end_ms: int, output: str | Path
) -> list[str]:
    """Stream copy from ``start_ms`` (which should be a keyframe) to ``end_ms``."""
    if end_ms <= start_ms:
        raise ValueError(f"empty span {start_ms}..{end_ms} ms")
    source_stream = ffmpeg.input(str(source), ss=seconds(start_ms))
    out = ffmpeg.output(
        source_stream.video,
        source_stream.audio,
        str(output),
        t=seconds(end_ms - start_ms),
        c="copy",
        avoid_negative_ts="make_zero",
        movflags="+faststart",
        map_chapters=-1,
    )
    return compile_command(out)


def edge_fades(audio: Any, duration_ms: int, fade_ms: int) -> Any:
    """A short fade in and out, so that a cut does not click."""
    fade = min(fade_ms, duration_ms // 2)
    if fade <= 0:
        return audio
    return audio.filter("afade", t="in", st=0, d=seconds(fade)).filter(
        "afade", t="out", st=seconds(duration_ms - fade), d=seconds(fade)
    )


# The ffmetadata input is the first: ffmpeg-python numbers inputs in the order the
# output's streams reach them, and this one's optional data map reaches it first.
METADATA_INPUT = 0


def metadata_input(metadata_file: str | Path) -> Any:
    """An ffmetadata file (the output's metadata and chapters) as the command's input
    :data:`METADATA_INPUT`; pass it first to ``ffmpeg.output`` with
    ``map_metadata=METADATA_INPUT, map_chapters=METADATA_INPUT``.  It has no streams: its
    map is optional (``?``) and maps none."""
    return ffmpeg.input(str(metadata_file), f="ffmetadata")["d?"]


def compile_command(out: Any) -> list[str]:
    """The argv of an ffmpeg-python output: overwrite, no banner, never read stdin."""
    argv = list(ffmpeg.compile(out.overwrite_output(), cmd="ffmpeg"))
    return [argv[0], "-hide_banner", "-nostdin", *argv[1:]]
