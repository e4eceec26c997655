"""New word times for the whole transcript: aligned ones from the audio, the rest estimated.

Every run of words that could not be aligned keeps its estimated times, moved only as far
as the aligned words around it require, so that all times stay in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from clipkit.align.checks import drop_disordered
from clipkit.align.report import AlignmentReport, AlignmentResult
from clipkit.align.stretch import SECOND, Outcome
from clipkit.model import Transcript

EXACT_SHARE = 0.9  # aligned this much, a transcript's word times count as exact


def assemble(
    transcript: Transcript, first: int, stop: int, spoken: Sequence[bool], outcome: Outcome
) -> AlignmentResult:
    """New word times: aligned ones from the audio, the others estimated, all in order."""
    words = transcript.words
    drop_disordered(outcome)
    aligned = [i in outcome.spans for i in range(len(words))]
    starts = [w.start_ms for w in words]
    ends = [w.end_ms for w in words]
    for i, span in outcome.spans.items():
        starts[i], ends[i] = span.start_ms, span.end_ms
    fit_between_anchors(starts, ends, aligned, first, stop)
    new_words = tuple(
        replace(w, start_ms=s, end_ms=max(s, e)) for w, s, e in zip(words, starts, ends)
    )
    to_align = [i for i in range(first, stop) if spoken[i]]
    kept = merge_spans(
        (words[i].start_ms, max(words[i].end_ms, words[i].start_ms + 1))
        for i in to_align
        if not aligned[i]
    )
    report = AlignmentReport(len(to_align), sum(1 for i in to_align if aligned[i]), tuple(kept))
    # Timed from the speech, the words no longer need cues to start at source lines (the
    # segmenter's preference for estimated times); a mostly estimated transcript still does.
    exact = transcript.exact_word_times or report.share >= EXACT_SHARE
    aligned_transcript = replace(transcript, words=new_words, exact_word_times=exact)
    return AlignmentResult(aligned_transcript, tuple(aligned), report)


def fit_between_anchors(
    starts: list[int], ends: list[int], aligned: Sequence[bool], first: int = 0, stop: int = -1
) -> None:
    """Every run of unaligned words keeps its estimated times, moved only as far as the
    aligned words around it require: it begins no earlier than the aligned word before it
    ends and finishes no later than the aligned word after it starts (shifted when it fits
    there, squeezed into the gap when it does not).  Words outside ``first..stop - 1`` (the
    window aligned) move only where they would overlap the aligned words next to them."""
    count = len(starts)
    stop = count if stop < 0 else stop
    for i in range(first - 1, -1, -1):  # before the window: end before what follows starts
        limit = starts[i + 1]
        starts[i] = min(starts[i], limit)
        ends[i] = max(starts[i], min(ends[i], limit))
    for i in range(stop, count):  # after it: start after what comes before
        starts[i] = max(starts[i], ends[i - 1] if aligned[i - 1] else starts[i - 1])
        ends[i] = max(ends[i], starts[i])
    index = first
    while index < stop:
        if aligned[index]:
            index += 1
            continue
        run_end = index
        while run_end < stop and not aligned[run_end]:
            run_end += 1
        low = ends[index - 1] if index > 0 else 0
        high = starts[run_end] if run_end < count else None
        _fit_run(starts, ends, index, run_end, low, high)
        index = run_end


def _fit_run(
    starts: list[int], ends: list[int], first: int, stop: int, low: int, high: int | None
) -> None:
    begin = starts[first]
    finish = max(ends[stop - 1], starts[stop - 1])
    if high is not None and high < low:
        low = high  # the anchors themselves overlap: the run sits at the later one's start
    shift = 0
    if begin < low:
        shift = low - begin
    elif high is not None and finish > high:
        shift = max(low - begin, high - finish)
    new_begin, new_finish = begin + shift, finish + shift
    if high is not None and new_finish > high:
        new_finish = high
    if shift == 0 and new_finish == finish:
        return
    span = finish - begin
    scale = (new_finish - new_begin) / span if span > 0 else 0.0
    for i in range(first, stop):
        starts[i] = new_begin + round((starts[i] - begin) * scale)
        ends[i] = max(starts[i], new_begin + round((ends[i] - begin) * scale))


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + SECOND:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
