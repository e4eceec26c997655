"""Pauses in the audio, found with ffmpeg's ``silencedetect`` filter.

Only short windows around the cut points are analysed, so snapping the cuts of a
40-minute talk reads a few seconds of audio per cut instead of the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from clipkit.media.runner import run_ffmpeg

_START = re.compile(r"silence_start:\s*(-?[\d.]+)")
_END = re.compile(r"silence_end:\s*(-?[\d.]+)")


@dataclass(frozen=True, slots=True)
class Silence:
    """A pause in the audio: from ``start_ms`` to ``end_ms``."""

    start_ms: int
    end_ms: int

    @property
    def duration_ms(self) -> int:
        """The pause's length in ms."""
        return self.end_ms - self.start_ms


def silencedetect_command(
    path: str | Path,
    start_ms: int,
    duration_ms: int,
    noise_db: float = -35.0,
    min_silence_ms: int = 200,
) -> list[str]:
    """The ffmpeg run that finds the pauses in ``windows`` of the audio."""
    stream = ffmpeg.input(str(path), ss=f"{start_ms / 1000:.3f}", t=f"{duration_ms / 1000:.3f}")
    audio = stream.audio.filter(
        "silencedetect", n=f"{noise_db:g}dB", d=f"{min_silence_ms / 1000:g}"
    )
    out = ffmpeg.output(audio, "-", f="null").global_args("-hide_banner", "-nostdin")
    return list(ffmpeg.compile(out, cmd="ffmpeg"))


def parse_silencedetect(
    stderr: str, offset_ms: int = 0, window_end_ms: int | None = None
) -> list[Silence]:
    """Silences reported in ``stderr``; times are shifted by ``offset_ms``.

    A silence still open when the input ends is closed at ``window_end_ms``.
    """
    found: list[Silence] = []
    open_at: int | None = None
    for line in stderr.splitlines():
        if match := _START.search(line):
            open_at = max(0, round(float(match.group(1)) * 1000)) + offset_ms
        elif (match := _END.search(line)) and open_at is not None:
            end = round(float(match.group(1)) * 1000) + offset_ms
            if end > open_at:
                found.append(Silence(open_at, end))
            open_at = None
    if open_at is not None and window_end_ms is not None and window_end_ms > open_at:
        found.append(Silence(open_at, window_end_ms))
    return found


def detect_silences(
    path: str | Path,
    windows: Iterable[tuple[int, int]],
    noise_db: float = -35.0,
    min_silence_ms: int = 200,
) -> list[Silence]:
    """Silences inside the given ``(start_ms, end_ms)`` windows, sorted and merged."""
    found: list[Silence] = []
    for start, end in _merge(windows):
        command = silencedetect_command(path, start, end - start, noise_db, min_silence_ms)
        stderr = run_ffmpeg(command, what="ffmpeg silencedetect")
        found.extend(parse_silencedetect(stderr, start, end))
    return sorted(set(found), key=lambda s: (s.start_ms, s.end_ms))


def _merge(windows: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted((max(0, s), e) for s, e in windows if e > max(0, s)):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
