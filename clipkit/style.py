"""The caption policy: every layout and timing rule in one object.

Defaults follow common broadcast/streaming guidelines (Netflix timed-text style,
BBC subtitle guidelines): 42 characters a line, 2 lines, 5/6 s to 7 s a cue,
2 frames between cues, 20 characters a second.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Literal

from clipkit.errors import StyleError

Mode = Literal["cues", "lines", "words"]
SpeakerMarker = Literal["- ", ">> "]
#: the speaker-change markers by the names the command line and job files give them
SPEAKER_MARKERS: dict[str, SpeakerMarker] = {"dash": "- ", "chevrons": ">> "}


@dataclass(frozen=True, slots=True)
class CaptionStyle:
    max_chars: int = 42
    max_lines: int = 2
    min_duration_ms: int = 834  # 5/6 s (20 frames at 24 fps), rounded up to whole ms
    max_duration_ms: int = 7000
    fps: float = 30.0
    min_gap_frames: int = 2
    close_gap_ms: int = 500  # gaps up to this are closed to min_gap
    linger_ms: int = 500  # a cue may stay up this long after its last word
    # A pause this long from one word's start to the next's always ends a cue: text kept up
    # through a silence shows the words after it long before they are said.
    pause_break_ms: int = 2000
    max_cps: float = 20.0
    speaker_marker: SpeakerMarker = "- "
    sound_tags: bool = True
    mode: Mode = "cues"
    # Authored captions (an ordinary SRT/VTT someone wrote) keep their cues as written,
    # only repaired (clipkit.authored); True rebuilds them under this whole policy too.
    resegment: bool = False

    def __post_init__(self) -> None:
        if self.max_chars < 10:
            raise StyleError(f"max_chars must be at least 10 (got {self.max_chars})")
        if self.max_lines < 1:
            raise StyleError(f"max_lines must be at least 1 (got {self.max_lines})")
        if not (0 < self.fps <= MAX_FPS):  # also refuses NaN
            raise StyleError(f"fps must be a positive number, at most {MAX_FPS:g} (got {self.fps})")
        if self.min_duration_ms <= 0 or self.max_duration_ms < self.min_duration_ms:
            raise StyleError(
                f"need 0 < min_duration <= max_duration "
                f"(got {self.min_duration_ms} ms and {self.max_duration_ms} ms)"
            )
        if self.pause_break_ms <= 0:
            raise StyleError(f"pause_break_ms must be positive (got {self.pause_break_ms})")
        if not (math.isfinite(self.max_cps) and self.max_cps > 0):
            raise StyleError(f"max_cps must be a positive number (got {self.max_cps})")
        if self.mode not in ("cues", "lines", "words"):
            raise StyleError(f"mode must be cues, lines or words (got {self.mode!r})")

    @property
    def min_gap_ms(self) -> int:
        """``min_gap_frames`` frames in ms, rounded up: for planning cues; the gap between
        written cues is counted in frames (two frames at 30 fps are 66 or 67 ms)."""
        return math.ceil(self.min_gap_frames * 1000 / self.fps)

    # ---------- the frame grid: the one definition every caption time is held to ----------
    #
    # Frame k of a video at frame rate r starts at exactly k * 1000 / r ms (k = 0, 1, 2, ...;
    # time 0 is a frame boundary).  A caption time, in whole milliseconds, is ON THE GRID when
    # it is the integer nearest one of those boundaries, halves rounded up:
    #
    #     frame_ms(k) = floor(k * 1000 / r + 1/2)
    #
    # At 25 fps that is every 40 ms; at 30 fps 0, 33, 67, 100, 133, 167, ...; at 23.976 fps
    # (exactly 24000/1001: see frame_rate) 0, 42, 83, 125, 167, 209, 250, 292, 334, ...  So at
    # a frame length that is not a whole number of ms, consecutive on-grid times are 1 ms
    # apart in alternation (33 or 34, 41 or 42 ms) and a gap of two frames can be 66 or 67
    # ms: count frames with frame_index(), never by dividing milliseconds.  Any reader that
    # turns a time into a frame by rounding (editors, ffmpeg) lands on frame k exactly.

    @property
    def frame_rate(self) -> Fraction:
        """The exact frame rate the grid is built on.

        ``fps`` itself, except that the NTSC rates, which people and tools write rounded
        (23.976 or 23.98, 29.97, 47.952, 59.94, 119.88; ffprobe's 23.976023976...), mean
        what an editor's timeline runs at: n * 1000/1001 exactly (24000/1001, 30000/1001,
        ...).  Rounded, they would drift off the real frames by 3.6 ms an hour.
        """
        numerator, denominator = _exact_rate(self.fps)
        return Fraction(numerator, denominator)

    def frame_ms(self, index: int) -> int:
        """The on-grid time (ms) of frame boundary ``index`` (negative before time 0)."""
        numerator, denominator = _exact_rate(self.fps)
        # floor(index * 1000 * denominator / numerator + 1/2) in integers
        return (2000 * index * denominator + numerator) // (2 * numerator)

    def frame_index(self, ms: int) -> int:
        """The frame boundary nearest ``ms`` (halves up); for an on-grid time, its frame."""
        numerator, denominator = _exact_rate(self.fps)
        return (2 * ms * numerator + 1000 * denominator) // (2000 * denominator)

    def snap_to_frame(self, ms: int) -> int:
        """The on-grid time nearest ``ms``: the integer ms of the nearest frame boundary."""
        return self.frame_ms(self.frame_index(ms))

    def frame_floor(self, ms: int) -> int:
        """The latest on-grid time at or before ``ms``."""
        index = self.frame_index(ms)
        snapped = self.frame_ms(index)
        return snapped if snapped <= ms else self.frame_ms(index - 1)

    def frame_ceil(self, ms: int) -> int:
        """The earliest on-grid time at or after ``ms``."""
        index = self.frame_index(ms)
        snapped = self.frame_ms(index)
        return snapped if snapped >= ms else self.frame_ms(index + 1)

    def is_on_frame(self, ms: int) -> bool:
        """Whether ``ms`` is on the grid (see the comment above ``frame_rate``)."""
        return self.snap_to_frame(ms) == ms

    def frame_grid_problems(self, spans: Iterable[tuple[int, int]]) -> list[str]:
        """What breaks the frame rules in cues given as (start_ms, end_ms), in order: every
        time off the grid, and every gap under ``min_gap_frames`` frames (counted in
        frames).  Empty when all is well; the check tests hold every output to."""
        problems: list[str] = []
        previous_end: int | None = None
        for number, (start, end) in enumerate(spans, 1):
            for what, ms in (("start", start), ("end", end)):
                if not self.is_on_frame(ms):
                    problems.append(
                        f"cue {number}: {what} {ms} ms is off the {self.fps:g} fps grid "
                        f"(nearest frame {self.snap_to_frame(ms)} ms)"
                    )
            if previous_end is not None:
                gap = self.frame_index(start) - self.frame_index(previous_end)
                if gap < self.min_gap_frames:
                    problems.append(
                        f"cue {number}: {gap} frame(s) after the cue before "
                        f"(at least {self.min_gap_frames})"
                    )
            previous_end = end
        return problems


# Frames shorter than a millisecond would share their on-grid times.
MAX_FPS = 1000.0
# How far a written NTSC rate may be from n * 1000/1001 (23.98 is 0.004 off 24000/1001;
# the nearest whole rate, n itself, is at least 0.023 away).
_NTSC_TOLERANCE = 0.005


@lru_cache(maxsize=64)
def _exact_rate(fps: float) -> tuple[int, int]:
    """``fps`` as a fraction (numerator, denominator): see CaptionStyle.frame_rate."""
    whole = round(fps * 1.001)
    if whole >= 1 and fps != whole and abs(fps - whole * 1000 / 1001) <= _NTSC_TOLERANCE:
        rate = Fraction(whole * 1000, 1001)
    else:
        rate = Fraction(repr(fps))  # the decimal the user wrote (12.5, 14.99), not its binary
    return rate.numerator, rate.denominator
