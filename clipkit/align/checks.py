"""Alignments that cannot be trusted, found after every stretch is aligned on its own.

Each check drops spans (the words then keep their estimated times): lines whose words fit
the sound far worse than the talk's others (music, noise), words whose stretches' alignments
overlap, and the seams where two neighbouring stretches clash (aligned again as one).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from clipkit.align.plan import MARGIN_MS, Stretch, line_starts, window
from clipkit.align.sphinx import Span
from clipkit.align.stretch import Outcome
from clipkit.model import Word

# A line whose words fit their phones this many (robust) standard deviations worse than
# the talk's typical line is not this speech: music, noise or other words forced onto it.
MISFIT_SPREADS = 4.0


def drop_misfits(
    words: Sequence[Word], spans: dict[int, Span], first: int, stop: int, scored: Sequence[bool]
) -> None:
    """Drop the alignment of lines that fit the sound far worse than the talk's others.

    The scores are relative to the best-fitting sound unit of each frame, so they hold for
    any recording: the talk's own median line is the yardstick.  Only dictionary words
    count (``scored``): the pronunciations made up for names and numbers fit worse.
    """
    bounds = [first, *(i for i in line_starts(words) if first < i < stop)]
    lines = zip(bounds, [*bounds[1:], stop])
    fits: list[tuple[float, range]] = []
    for a, b in lines:
        found = [spans[i] for i in range(a, b) if i in spans and scored[i]]
        frames = sum(span.frames for span in found)
        if frames:
            fits.append((sum(span.score * span.frames for span in found) / frames, range(a, b)))
    if len(fits) < 2:
        return
    scores = sorted(score for score, _ in fits)
    typical = scores[len(scores) // 2]
    deviations = sorted(abs(score - typical) for score in scores)
    spread = max(1.4826 * deviations[len(deviations) // 2], 3.0)  # MAD as a std. deviation
    for score, indices in fits:
        if score < typical - MISFIT_SPREADS * spread:
            for i in indices:
                spans.pop(i, None)


SEAM_OVERLAP_MS = 100


def clashing_seams(
    words: Sequence[Word], spans: dict[int, Span], first: int, stop: int, media_end_ms: int
) -> list[Stretch]:
    """Stretches across the seams where two neighbouring stretches' alignments clash.

    Each stretch was aligned on its own, and a word at the edge of its window is the one
    most easily misplaced (onto its neighbour's sound).  Where one stretch's last word and
    the next one's first overlap, both are suspect: the two lines either side of the seam
    are aligned again as one stretch, in which the seam's words are inside.
    """
    order = sorted(spans)
    clashes = [
        (a, b)
        for a, b in pairwise(order)
        if spans[b].start_ms < min(spans[a].start_ms + 1, spans[a].end_ms - SEAM_OVERLAP_MS)
    ]
    if not clashes:
        return []
    starts = [i for i in line_starts(words) if first <= i < stop]
    seams: list[Stretch] = []
    for a, b in clashes:
        before = [i for i in starts if i <= a]
        after = [i for i in starts if i > b]
        low = before[-2] if len(before) >= 2 else first
        high = after[1] if len(after) >= 2 else stop
        if seams and low < seams[-1].stop:
            low = seams[-1].first  # overlapping seams are one
            seams.pop()
        seams.append(window(words, low, high, MARGIN_MS, media_end_ms))
    return seams


def drop_disordered(outcome: Outcome) -> None:
    """Where two stretches' alignments overlap (one placed its edge word in the other's
    audio), neither can be trusted there: the words on both sides keep their estimates."""
    while True:
        order = sorted(outcome.spans)
        clash = next(
            (
                (a, b)
                for a, b in pairwise(order)
                if outcome.spans[b].start_ms < outcome.spans[a].start_ms
            ),
            None,
        )
        if clash is None:
            return
        for index in clash:
            del outcome.spans[index]
