"""One stretch of a transcript forced onto its window of audio, with retries.

A stretch (:mod:`clipkit.align.plan`) is tried as planned, then in a wider window, then in
halves down to single lines.  An alignment is kept only if it is plausible: every source
line must start within a second (and a little) of the second its frame shows.  What still
fails keeps the times estimated from the text (:mod:`clipkit.align.assemble`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clipkit.align.plan import CONTEXT_WORDS, MARGIN_MS, Stretch, split, window
from clipkit.align.sphinx import Span, SphinxAligner
from clipkit.media.audio import Pcm
from clipkit.model import Word

SECOND = 1000
# How far outside the second its frame shows an aligned line start may fall: the frame's
# second is the floor of the true start, so this covers only the aligner's own error.
LINE_START_SLACK_MS = 300
WIDE_MARGIN_MS = 2_500  # the window of the second try
MIN_SPLIT_WORDS = 4  # stretches shorter than this are not split further


@dataclass(frozen=True, slots=True)
class StretchJob:
    """One stretch and everything a worker needs to align it (picklable).

    ``words`` is a slice of the transcript (the stretch, its context and room to widen);
    ``stretch`` indexes into it, and ``offset`` is the transcript index of its first word.
    """

    stretch: Stretch
    words: tuple[Word, ...]  # estimated times
    entries: tuple[str | None, ...]  # dictionary word of each (None: covered by a filler)
    spoken: tuple[bool, ...]  # whether each is said at all (not a sound tag, not punctuation)
    pcm: Pcm  # audio wide enough for every retry
    offset: int


@dataclass(slots=True)
class Outcome:
    spans: dict[int, Span] = field(default_factory=dict)  # word index -> media ms
    failed: list[tuple[int, int]] = field(default_factory=list)  # (first, stop) not aligned


def align_stretch(aligner: SphinxAligner, job: StretchJob) -> Outcome:
    """Align one planned stretch: as planned, then in a wider window, then in halves."""
    outcome = Outcome()
    words = job.words
    pending = [job.stretch]
    while pending:
        stretch = pending.pop(0)
        spans = _try(aligner, job, stretch)
        if spans is None:
            spans = _try(aligner, job, window(words, stretch.first, stretch.stop, WIDE_MARGIN_MS))
        if spans is not None:
            outcome.spans.update((i + job.offset, span) for i, span in spans.items())
            continue
        halves = split(stretch, words, MARGIN_MS) if stretch.size >= MIN_SPLIT_WORDS else []
        if halves:
            pending[:0] = halves
            continue
        outcome.failed.append((stretch.first + job.offset, stretch.stop + job.offset))
    return outcome


def _try(aligner: SphinxAligner, job: StretchJob, stretch: Stretch) -> dict[int, Span] | None:
    """Spans (media ms) of the stretch's spoken words in its window, if plausible."""
    core = [i for i in range(stretch.first, stretch.stop) if job.spoken[i]]
    if not core:
        return {}
    lead = _context(job, range(max(0, stretch.first - CONTEXT_WORDS), stretch.first))
    trail = _context(job, range(stretch.stop, min(len(job.words), stretch.stop + CONTEXT_WORDS)))
    start_ms = max(stretch.start_ms, job.pcm.start_ms)
    found = aligner.align(
        job.pcm.window(start_ms, stretch.end_ms), [job.entries[i] for i in core], lead, trail
    )
    if found is None:
        return None
    spans = {
        i: Span(span.start_ms + start_ms, span.end_ms + start_ms, span.score)
        for i, span in zip(core, found)
        if span is not None
    }
    for i, span in spans.items():
        word = job.words[i]
        if word.line_start and not _within_its_second(span.start_ms, word.start_ms):
            return None
    return spans


def _context(job: StretchJob, indices: range) -> list[str]:
    return [e for i in indices if job.spoken[i] and (e := job.entries[i]) is not None]


def _within_its_second(aligned_ms: int, estimated_ms: int) -> bool:
    """Whether an aligned line start lies in the second its estimate (its frame) shows."""
    second = estimated_ms // SECOND * SECOND
    return second - LINE_START_SLACK_MS <= aligned_ms < second + SECOND + LINE_START_SLACK_MS
