"""The ffmpeg commands of smart cuts: each piece, the audio, the join, the mux.

Built once, as data (:class:`SmartCommands`), by the run and by a dry run alike; every
file they read or write is in the work folder handed in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg

from clipkit.media.cut import (
    METADATA_INPUT,
    EncodeSettings,
    compile_command,
    edge_fades,
    metadata_input,
)
from clipkit.media.probe import VideoStream
from clipkit.media.smartcut.plan import X264_PROFILES, Piece, SmartPlan

# The source's bitrate over the replaced groups of pictures sets the encoder's cap.
BITRATE_HEADROOM = 1.5
SMART_CRF = 17


def seek_before(time_s: Fraction) -> str:
    """``-ss`` text for a decoded seek that keeps the frame at ``time_s``."""
    return f"{math.floor(time_s * 1_000_000) / 1e6:.6f}"


def seek_onto(time_s: Fraction) -> str:
    """``-ss`` text for a stream-copy seek that starts on the keyframe at ``time_s``."""
    return f"{math.ceil(time_s * 1_000_000) / 1e6:.6f}"


def x264_options(plan: SmartPlan, settings: EncodeSettings, reorder_depth: int) -> dict[str, Any]:
    """x264 options that make a re-encoded piece join the source's stream seamlessly."""
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
    video = ffmpeg.input(str(video_file)).video
    sound = ffmpeg.input(str(audio_file)).audio
    options: dict[str, Any] = {"map_metadata": 1, "map_chapters": -1}  # the audio file's
    streams = [video, sound]
    if chapters_file is not None:
        streams.insert(0, metadata_input(chapters_file))
        options = {"map_metadata": METADATA_INPUT, "map_chapters": METADATA_INPUT}
    out = ffmpeg.output(
        *streams,
        str(output),
        c="copy",
        movflags="+faststart",
        video_track_timescale=stream.time_base.denominator,
        **options,
    )
    return compile_command(out)


@dataclass(frozen=True, slots=True)
class SmartCommands:
    """The ffmpeg runs of smart cuts joined into one file, writing their pieces in ``folder``
    (which must exist, with :attr:`files` written in it, before they run)."""

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
        """The runs of ``plans`` joined into ``output``, their pieces in ``folder``."""
        stream = plans[0].stream
        named = [
            (plan, piece, f"piece-{cut}-{n}.mp4")
            for cut, plan in enumerate(plans)
            for n, piece in enumerate(plan.pieces)
        ]
        # the edge encodes first (the critical path), then the copies
        ordered = sorted(named, key=lambda item: item[1].copy)
        encodes = [
            tuple(piece_command(source, plan, piece, folder / name, settings))
            for plan, piece, name in ordered
        ]
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
        """Every run, in an order that works one after another."""
        return [*self.pieces, self.audio, self.join, self.mux]

    @property
    def files(self) -> dict[Path, str]:
        """The files clipkit writes itself before the runs (the concat list), and their text."""
        return {self.list_file: self.list_text}
