"""Move cut points so a clip never starts or ends in the middle of a word.

First to the nearest sentence or caption-cue boundary, then into the nearest pause in
the audio, moving at most a tolerance.  A cut made by a quote never moves past the
quoted word: a boundary or a pause that would cut it off is not used, and the snap says
so (:attr:`Snap.refused`).  Pure: the pauses are passed in.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from clipkit.media.silence import Silence
from clipkit.model import Cue, Word
from clipkit.text import sentences
from clipkit.timefmt import format_time


@dataclass(frozen=True, slots=True)
class SnapSettings:
    boundary_ms: int = 4000  # how far a cut may move to reach a sentence/cue boundary
    pause_ms: int = 700  # how far it may then move, into a pause in the audio
    breath_ms: int = 150  # stay this far (at most half the pause) from the speech


@dataclass(frozen=True, slots=True)
class Snap:
    requested_ms: int
    snapped_ms: int
    rule: str  # what decided it, for the manifest
    refused: str | None = None  # a snap not made because it would cut off a quoted word


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
    at: int,
    silences: Sequence[Silence],
    settings: SnapSettings,
    is_end: bool,
    keep: int | None,
) -> tuple[tuple[int, Silence] | None, Silence | None]:
    """The point in the nearest pause to cut at, and the nearest pause refused (if nearer).

    A start cut goes just before the speech resumes, an end cut just after it stops, but
    never more than ``pause_ms`` from ``at`` and never past ``keep`` (a start at or before
    it, an end at or after it); a pause with no such point is refused.
    """
    best: tuple[int, Silence] | None = None
    best_distance = settings.pause_ms + 1
    refused: Silence | None = None
    refused_distance = settings.pause_ms + 1
    for silence in silences:
        distance = max(silence.start_ms - at, at - silence.end_ms, 0)
        if distance > settings.pause_ms:
            continue
        low = max(silence.start_ms, at - settings.pause_ms)
        high = min(silence.end_ms, at + settings.pause_ms)
        if keep is not None:
            low, high = (max(low, keep), high) if is_end else (low, min(high, keep))
        if low > high:
            if distance < refused_distance:
                refused, refused_distance = silence, distance
            continue
        breath = min(settings.breath_ms, silence.duration_ms // 2)
        ideal = silence.start_ms + breath if is_end else silence.end_ms - breath
        if distance < best_distance:
            best, best_distance = (min(max(ideal, low), high), silence), distance
    return best, (refused if refused_distance < best_distance else None)


def snap_cut(
    requested: int,
    marks: Boundaries,
    silences: Sequence[Silence],
    settings: SnapSettings,
    is_end: bool,
    keep: int | None = None,
    kept: str = "",
) -> Snap:
    """Snap one cut. ``keep`` is a time the clip must still contain: the start of the
    first quoted word for a start, the end of the last for an end (``kept``, its text,
    names it in :attr:`Snap.refused`)."""
    points = marks.ends if is_end else marks.starts
    found = _nearest(points, requested, settings.boundary_ms, keep, after=is_end)
    refusals: list[str] = []
    word = f"the quoted {kept!r}" if kept else "the quoted word"
    if keep is not None:
        unlimited = _nearest(points, requested, settings.boundary_ms, None, after=is_end)
        if unlimited is not None and unlimited != found:
            refusals.append(
                f"{unlimited[1]} {format_time(unlimited[0])} not used: it would cut off {word}"
            )
    if found is not None:
        at, rule = found
    else:
        at = _outside_words(marks.words, requested, is_end)
        rule = "word boundary" if at != requested else "as requested"
    paused, refused = _to_pause(at, silences, settings, is_end, keep)
    if refused is not None:
        refusals.append(
            f"pause {format_time(refused.start_ms)}-{format_time(refused.end_ms)} not used: "
            f"it would cut off {word} at {format_time(keep or 0)}"
        )
    if paused is not None:
        point, silence = paused
        rule += f", pause {format_time(silence.start_ms)}-{format_time(silence.end_ms)}"
        at = point
    return Snap(requested, at, rule, "; ".join(refusals) or None)
