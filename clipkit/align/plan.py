"""Where to look for each stretch of a transcript in its audio (pure: no audio, no decoder).

A transcript read from whole-second frames knows where each source line starts only to the
second, and its word times inside a line are spread by length.  The aligner therefore never
searches the whole talk: it cuts the words into *stretches* of whole lines (a few seconds of
speech each), and looks for each stretch in a window of audio around its estimated place,
wide enough for the estimate's error.  The window is bounded by the neighbouring lines, so
a few of their words (the *context*) are given to the decoder too: the audio window starts
and ends somewhere inside them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from clipkit.model import Word

STRETCH_MS = 8_000  # target length of a stretch of speech (whole lines)
MARGIN_MS = 1_000  # audio either side of a stretch's estimated bounds
CONTEXT_WORDS = 3  # words of the neighbouring lines given as optional context
MAX_STRETCH_WORDS = 60  # a stretch is cut here even inside a line (very long lines)


@dataclass(frozen=True, slots=True)
class Stretch:
    """Words ``first`` to ``stop - 1`` of the transcript, looked for in ``start_ms..end_ms``."""

    first: int
    stop: int
    start_ms: int
    end_ms: int

    @property
    def size(self) -> int:
        return self.stop - self.first


def line_starts(words: Sequence[Word]) -> list[int]:
    """Indices of the words that start a source line (always including the first)."""
    starts = [i for i, word in enumerate(words) if word.line_start or i == 0]
    return starts or [0]


def plan_stretches(
    words: Sequence[Word],
    first: int = 0,
    stop: int | None = None,
    stretch_ms: int = STRETCH_MS,
    margin_ms: int = MARGIN_MS,
    media_end_ms: int | None = None,
) -> list[Stretch]:
    """Stretches of whole lines covering words ``first..stop-1``, each about ``stretch_ms``."""
    stop = len(words) if stop is None else stop
    if stop <= first:
        return []
    bounds = [i for i in line_starts(words) if first < i < stop]
    cuts = [first]
    for index in [*bounds, stop]:
        # close the stretch before the line at ``index`` once it holds speech enough
        if index == stop or words[index - 1].end_ms - words[cuts[-1]].start_ms >= stretch_ms:
            while index - cuts[-1] > MAX_STRETCH_WORDS:
                cuts.append(cuts[-1] + MAX_STRETCH_WORDS)
            cuts.append(index)
    # a short remainder joins the stretch before it (a lone line aligns worst)
    if len(cuts) > 2 and cuts[-1] - cuts[-3] <= MAX_STRETCH_WORDS:
        tail_ms = words[cuts[-1] - 1].end_ms - words[cuts[-2]].start_ms
        if tail_ms < stretch_ms // 2:
            del cuts[-2]
    return [window(words, a, b, margin_ms, media_end_ms) for a, b in pairwise(cuts) if b > a]


def window(
    words: Sequence[Word],
    first: int,
    stop: int,
    margin_ms: int = MARGIN_MS,
    media_end_ms: int | None = None,
) -> Stretch:
    """The stretch of words ``first..stop-1`` with its audio window.

    From ``margin_ms`` before its first word's estimated start to ``margin_ms`` after the
    estimated start of the word that follows it (or its last word's end).
    """
    start = max(0, words[first].start_ms - margin_ms)
    after = words[stop].start_ms if stop < len(words) else words[stop - 1].end_ms
    end = after + margin_ms
    if media_end_ms is not None:
        end = min(end, media_end_ms)
    return Stretch(first, stop, start, max(end, start + 1))


def split(stretch: Stretch, words: Sequence[Word], margin_ms: int) -> list[Stretch]:
    """Two halves of a stretch (at the line start nearest its middle, else mid-line)."""
    if stretch.size < 2:
        return []
    middle = (stretch.first + stretch.stop) // 2
    inside = [i for i in line_starts(words) if stretch.first < i < stretch.stop]
    cut = min(inside, key=lambda i: abs(i - middle)) if inside else middle
    return [
        window(words, stretch.first, cut, margin_ms),
        window(words, cut, stretch.stop, margin_ms),
    ]
