"""Move cut points so a clip never starts or ends in the middle of a word.

First to the nearest sentence or caption-cue boundary, then to the nearest pause in
the audio within a tolerance.  Pure: the pauses are passed in.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from clipkit.highlights import format_time, sentences
from clipkit.media.silence import Silence
from clipkit.model import Cue, Word


@dataclass(frozen=True, slots=True)
class SnapSettings:
    boundary_ms: int = 4000  # how far a cut may move to reach a sentence/cue boundary
    pause_ms: int = 700  # how far it may then move to reach a pause in the audio
    breath_ms: int = 150  # stay this far (at most half the pause) from the speech


@dataclass(frozen=True, slots=True)
class Snap:
    requested_ms: int
    snapped_ms: int
    rule: str  # what decided it, for the manifest


@dataclass(frozen=True, slots=True)
class Boundaries:
    starts: tuple[tuple[int, str], ...]  # (time, "cue start" | "sentence start"), sorted
    ends: tuple[tuple[int, str], ...]
    words: tuple[Word, ...] = ()


def boundaries(words: Sequence[Word], cues: Sequence[Cue]) -> Boundaries:
    starts: dict[int, str] = {}
    ends: dict[int, str] = {}
    for sentence in sentences(words):
        starts[sentence.start_ms] = "sentence start"
        ends[sentence.end_ms] = "sentence end"
    for cue in cues:
        starts.setdefault(cue.start_ms, "cue start")
        ends.setdefault(cue.end_ms, "cue end")
    return Boundaries(tuple(sorted(starts.items())), tuple(sorted(ends.items())), tuple(words))


def _nearest(
    points: Sequence[tuple[int, str]], at: int, reach: int, limit: int | None, after: bool
) -> tuple[int, str] | None:
    """The point nearest ``at`` within ``reach``; ``limit`` bounds it (not after / not before)."""
    best: tuple[int, str] | None = None
    times = [t for t, _ in points]
    low = bisect.bisect_left(times, at - reach)
    high = bisect.bisect_right(times, at + reach)
    for time, rule in points[low:high]:
        if limit is not None and ((not after and time > limit) or (after and time < limit)):
            continue
        # ties go outwards: an earlier start or a later end keeps more of the speech
        key = (abs(time - at), time if not after else -time)
        if best is None or key < (abs(best[0] - at), best[0] if not after else -best[0]):
            best = (time, rule)
    return best


def _outside_words(words: Sequence[Word], at: int, is_end: bool) -> int:
    """``at`` moved out of any word it falls inside (to its start, or to its end for ends)."""
    for word in words:
        if word.start_ms < at < word.end_ms:
            return word.end_ms if is_end else word.start_ms
        if word.start_ms >= at:
            break
    return at


def _to_pause(
    at: int, silences: Sequence[Silence], settings: SnapSettings, is_end: bool
) -> tuple[int, Silence] | None:
    best: tuple[int, Silence] | None = None
    for silence in silences:
        distance = max(silence.start_ms - at, at - silence.end_ms, 0)
        if distance > settings.pause_ms:
            continue
        breath = min(settings.breath_ms, silence.duration_ms // 2)
        # a start cut goes just before the speech resumes, an end cut just after it stops
        point = silence.start_ms + breath if is_end else silence.end_ms - breath
        if best is None or distance < max(best[1].start_ms - at, at - best[1].end_ms, 0):
            best = (point, silence)
    return best


def snap_cut(
    requested: int,
    marks: Boundaries,
    silences: Sequence[Silence],
    settings: SnapSettings,
    is_end: bool,
    keep: int | None = None,
) -> Snap:
    """Snap one cut. ``keep`` is a time the clip must still contain (a quoted word)."""
    points = marks.ends if is_end else marks.starts
    found = _nearest(points, requested, settings.boundary_ms, keep, after=is_end)
    if found is not None:
        at, rule = found
    else:
        at = _outside_words(marks.words, requested, is_end)
        rule = "word boundary" if at != requested else "as requested"
    paused = _to_pause(at, silences, settings, is_end)
    if paused is not None:
        point, silence = paused
        rule += f", pause {format_time(silence.start_ms)}-{format_time(silence.end_ms)}"
        at = point
    return Snap(requested, at, rule)
