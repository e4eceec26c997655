"""Join spans of one source into a reel: optional title cards, cross-fades, chapters.

Everything happens in one ffmpeg run: every span is its own seeked input of the
source (frame-accurate, no intermediate files), each piece is normalised to the same
size, frame rate and audio layout, then the pieces are joined with ``concat`` or,
with a cross-fade, a chain of ``xfade``/``acrossfade``.  Chapters come from an
ffmetadata file given as one more input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg

from clipkit.media.cut import (
    METADATA_INPUT,
    EncodeSettings,
    Span,
    VideoTransform,
    compile_command,
    edge_fades,
    metadata_input,
    seconds,
)

SAMPLE_RATE = 48_000


@dataclass(frozen=True, slots=True)
class ReelPart:
    """One highlight of the reel: a span of the source and its title."""

    start_ms: int
    end_ms: int
    title: str = ""


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one part lands in the reel."""

    part: ReelPart
    chapter_start_ms: int  # where its title card (or its clip) begins
    clip_start_ms: int  # where its footage begins
    clip_duration_ms: int
    chapter_end_ms: int = 0


@dataclass(frozen=True, slots=True)
class Chapter:
    """One chapter of a reel: where it starts and ends (ms) and its title."""

    start_ms: int
    end_ms: int
    title: str


def layout(
    parts: Sequence[ReelPart],
    frame_rate: Fraction | None,
    title_ms: int = 0,
    xfade_ms: int = 0,
) -> tuple[list[Placement], int]:
    """The reel's timeline: where each part goes, and the total length in ms."""
    items: list[tuple[int, int | None]] = []  # (duration, index of the part whose clip it is)
    for index, part in enumerate(parts):
        if title_ms:
            items.append((title_ms, None))
        items.append((Span.of(part.start_ms, part.end_ms, frame_rate).duration_ms, index))
    for duration, _ in items:
        if duration <= xfade_ms:
            raise ValueError(
                f"a {duration / 1000:g} s piece is too short for a {xfade_ms / 1000:g} s cross-fade"
            )
    placements: list[Placement] = []
    at = 0
    chapter_start = 0
    for position, (duration, part_index) in enumerate(items):
        if position:
            at -= xfade_ms
        if part_index is None or not title_ms:
            chapter_start = at
        if part_index is not None:
            placements.append(Placement(parts[part_index], chapter_start, at, duration))
        at += duration
    total = at
    ends = [p.chapter_start_ms for p in placements[1:]] + [total]
    return [
        Placement(p.part, p.chapter_start_ms, p.clip_start_ms, p.clip_duration_ms, end)
        for p, end in zip(placements, ends, strict=True)
    ], total


def chapters_of(placements: Sequence[Placement]) -> list[Chapter]:
    """One chapter per placed part, titled by it (``Highlight N`` when untitled)."""
    return [
        Chapter(p.chapter_start_ms, p.chapter_end_ms, p.part.title or f"Highlight {n}")
        for n, p in enumerate(placements, 1)
    ]


def ffmetadata(chapters: Sequence[Chapter], title: str = "") -> str:
    """An ffmetadata document with one ``[CHAPTER]`` per chapter (times in ms)."""
    lines = [";FFMETADATA1"]
    if title:
        lines.append(f"title={_escape_metadata(title)}")
    for chapter in chapters:
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={chapter.start_ms}",
            f"END={chapter.end_ms}",
            f"title={_escape_metadata(chapter.title)}",
        ]
    return "\n".join(lines) + "\n"


# ffmpeg's ffmetadata reader ends a line at CR, LF or NUL: any of them in a title would
# start a line of its own ("[CHAPTER]", "END=..."), so every control character becomes a space.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def _escape_metadata(text: str) -> str:
    """One ffmetadata value: control characters as spaces, ``\\ = ; #`` escaped."""
    text = _CONTROL.sub(" ", text)
    for char in "\\=;#":
        text = text.replace(char, "\\" + char)
    return text


def reel_command(
    source: str | Path,
    width: int,
    height: int,
    frame_rate: Fraction,
    parts: Sequence[ReelPart],
    output: str | Path,
    metadata_file: str | Path,
    title_files: Sequence[Path] = (),
    title_ms: int = 0,
    xfade_ms: int = 0,
    settings: EncodeSettings | None = None,
    transform: VideoTransform | None = None,
) -> list[str]:
    """One ffmpeg command for the whole reel.

    ``title_files`` holds one text file per part (the card's text) when ``title_ms`` > 0.
    ``transform`` runs on the joined picture (e.g. burning the reel's captions).
    """
    settings = settings or EncodeSettings()
    if title_ms and len(title_files) != len(parts):
        raise ValueError("one title file per part is needed for title cards")
    pieces: list[tuple[Any, Any, int]] = []
    for index, part in enumerate(parts):
        if title_ms:
            pieces.append(
                _title_card(index, title_files[index], width, height, frame_rate, title_ms)
            )
        span = Span.of(part.start_ms, part.end_ms, frame_rate)
        clip = ffmpeg.input(str(source), ss=span.seek, t=span.length)
        audio = edge_fades(_normalise_audio(clip.audio), span.duration_ms, settings.fade_ms)
        video = _normalise_video(clip.video, width, height, frame_rate)
        pieces.append((video, audio, span.duration_ms))

    if xfade_ms:
        video, audio, offset = pieces[0]
        for next_video, next_audio, duration in pieces[1:]:
            offset -= xfade_ms
            video = ffmpeg.filter(
                [video, next_video],
                "xfade",
                transition="fade",
                duration=seconds(xfade_ms),
                offset=seconds(offset),
            )
            audio = ffmpeg.filter([audio, next_audio], "acrossfade", d=seconds(xfade_ms))
            offset += duration
    else:
        joined = ffmpeg.concat(*[s for v, a, _ in pieces for s in (v, a)], v=1, a=1).node
        video, audio = joined[0], joined[1]
    if transform is not None:
        video = transform(video)
    total_ms = sum(duration for _, _, duration in pieces) - xfade_ms * (len(pieces) - 1)

    out = ffmpeg.output(
        metadata_input(metadata_file),
        video,
        audio,
        str(output),
        t=seconds(total_ms),
        map_metadata=METADATA_INPUT,
        map_chapters=METADATA_INPUT,
        **settings.output_options(),
    )
    return compile_command(out)


def _normalise_video(video: Any, width: int, height: int, frame_rate: Fraction) -> Any:
    return (
        video.filter("scale", width, height)
        .filter("setsar", 1)
        .filter("fps", str(frame_rate))
        .filter("format", "yuv420p")
        .filter("setpts", "PTS-STARTPTS")
        .filter("settb", "AVTB")
    )


def _normalise_audio(audio: Any) -> Any:
    return (
        audio.filter("aresample", SAMPLE_RATE)
        .filter("aformat", sample_fmts="fltp", channel_layouts="stereo")
        .filter("asetpts", "PTS-STARTPTS")
    )


def _title_card(
    index: int, text_file: Path, width: int, height: int, frame_rate: Fraction, duration_ms: int
) -> tuple[Any, Any, int]:
    card = ffmpeg.input(
        f"color@card{index}=c=0x101418:s={width}x{height}:r={frame_rate}:d={seconds(duration_ms)}",
        f="lavfi",
    )
    video = card.video.filter(
        "drawtext",
        textfile=str(text_file),
        expansion="none",
        fontcolor="white",
        fontsize=max(12, height // 14),
        line_spacing=max(4, height // 60),
        x="(w-text_w)/2",
        y="(h-text_h)/2",
    )
    silence = ffmpeg.input(
        f"anullsrc@card{index}=r={SAMPLE_RATE}:cl=stereo", f="lavfi", t=seconds(duration_ms)
    )
    return (
        _normalise_video(video, width, height, frame_rate),
        _normalise_audio(silence.audio),
        duration_ms,
    )
