"""Transcript words aligned to the speech of a media file, stretch by stretch.

    >>> from clipkit.align import align_transcript
    >>> result = align_transcript(load("talk.md"), "talk.mp4")  # doctest: +SKIP
    >>> result.report.summary()  # doctest: +SKIP
    'aligned 97 % of words; 3 stretches kept their estimated times: 12:03-12:41, ...'

How: the words are cut into stretches of whole lines (:mod:`clipkit.align.plan`); each is
forced onto its window of audio by PocketSphinx (:mod:`clipkit.align.sphinx`) with
pronunciations for the words its dictionary lacks (:mod:`clipkit.align.pronounce`).  An
alignment is kept only if it is plausible: every source line must start within a second
(and a little) of the second its frame shows.  A stretch that cannot be matched, or whose
match is implausible, is tried again in a wider window, then in halves down to single
lines; what still fails (music, crosstalk, another language, a stretch the transcript has
wrong) keeps the times estimated from the text.  Stretches are aligned on every core.

Library code: nothing here prints; progress goes to the callback.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import pairwise
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

from clipkit.align.plan import MARGIN_MS, Stretch, line_starts, plan_stretches, split, window
from clipkit.align.pronounce import Lexicon, looks_english
from clipkit.align.sphinx import Span, SphinxAligner
from clipkit.errors import MediaError
from clipkit.media.audio import Pcm, read_pcm
from clipkit.media.probe import probe
from clipkit.model import Transcript, Word

AlignProgress = Callable[[str, int, int], None]
"""Called with the stage ("reading audio", "aligning"), the ms done and the ms in all."""

SECOND = 1000
# How far outside the second its frame shows an aligned line start may fall: the frame's
# second is the floor of the true start, so this covers only the aligner's own error.
LINE_START_SLACK_MS = 300
WIDE_MARGIN_MS = 2_500  # the window of the second try
CONTEXT_WORDS = 3
MIN_SPLIT_WORDS = 4  # stretches shorter than this are not split further
PARALLEL_MIN_MS = 60_000  # less speech than this is aligned in this process
EXACT_SHARE = 0.9  # aligned this much, a transcript's word times count as exact


@dataclass(frozen=True, slots=True)
class AlignmentReport:
    """How much of the transcript was aligned, and where estimated times were kept."""

    words: int  # spoken words that were to be aligned (sound tags and punctuation excluded)
    aligned: int
    kept: tuple[tuple[int, int], ...] = ()  # (start_ms, end_ms) of stretches kept as estimated
    reason: str = ""  # why nothing was aligned at all (no model for the language, ...)

    @property
    def share(self) -> float:
        return self.aligned / self.words if self.words else 1.0

    def summary(self) -> str:
        """``aligned 97 % of words; 3 stretches kept their estimated times: 12:03-12:41``."""
        if self.reason:
            return f"aligned no words: {self.reason}"
        text = f"aligned {math.floor(100 * self.share)} % of words"
        if self.kept:
            plural = "stretch" if len(self.kept) == 1 else "stretches"
            spans = ", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in self.kept)
            text += f"; {len(self.kept)} {plural} kept their estimated times: {spans}"
        return text

    def as_json(self) -> dict[str, object]:
        return {
            "words": self.words,
            "aligned": self.aligned,
            "share": round(self.share, 4),
            "kept_estimated": [{"start_ms": a, "end_ms": b} for a, b in self.kept],
            "reason": self.reason or None,
        }


@dataclass(frozen=True, slots=True)
class AlignmentResult:
    """The transcript with aligned times (same words, same order) and the report."""

    transcript: Transcript
    aligned: tuple[bool, ...]  # per word: timed from the audio (False: estimate kept)
    report: AlignmentReport


@dataclass(frozen=True, slots=True)
class _Job:
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
class _Outcome:
    spans: dict[int, Span] = field(default_factory=dict)  # word index -> media ms
    failed: list[tuple[int, int]] = field(default_factory=list)  # (first, stop) not aligned


def align_transcript(
    transcript: Transcript,
    media: str | Path,
    window_ms: tuple[int, int] | None = None,
    on_progress: AlignProgress | None = None,
    jobs: int = 0,
    language: str | None = None,
) -> AlignmentResult:
    """Align ``transcript``'s words to the speech in ``media`` (any file ffmpeg reads).

    ``window_ms`` (start, end) limits the work to the words spoken in it (a clip's span);
    the others keep their times.  ``jobs``: worker processes (0: one a core, at most 2 on
    talks, 1 for less than a minute of speech).  ``language`` overrides the transcript's
    own (English is the only one with an acoustic model; others keep their estimates).
    Raises :class:`~clipkit.errors.MediaError` when ``media`` has no sound and
    :class:`~clipkit.errors.FFmpegError` when ffmpeg cannot read it.
    """
    words = transcript.words
    first, stop = _words_in(words, window_ms)
    spoken_count = sum(1 for w in words[first:stop] if _is_spoken(w))
    untouched = AlignmentResult(transcript, (False,) * len(words), AlignmentReport(0, 0))
    if stop <= first or spoken_count == 0:
        return untouched
    language = (language or transcript.language or "").lower()
    texts = [w.text for w in words[first:stop]]
    english = language.startswith("en") if language else looks_english(texts)
    if not english:
        named = language or "not English"
        reason = f"no acoustic model for this language ({named}): estimated times kept"
        return replace(untouched, report=AlignmentReport(spoken_count, 0, (), reason))

    info = probe(media)
    if not info.has_audio:
        raise MediaError(media, "has no audio stream")
    aligner = SphinxAligner()
    lexicon = Lexicon(aligner.lookup)
    lexicon.pronounce(w.text for w in words[first:stop] if not w.is_sound_tag)
    extra = {p.entry: p.phones for p in lexicon.known.values() if p.entry and p.phones}
    entries = tuple(
        None if w.is_sound_tag else lexicon.of(w.text).entry if i in range(first, stop) else None
        for i, w in enumerate(words)
    )
    spoken = tuple(
        _is_spoken(w) and (i < first or i >= stop or _said(lexicon, w)) for i, w in enumerate(words)
    )

    stretches = plan_stretches(words, first, stop, media_end_ms=info.duration_ms)
    audio_start = max(0, stretches[0].start_ms - WIDE_MARGIN_MS)
    audio_end = min(info.duration_ms, stretches[-1].end_ms + WIDE_MARGIN_MS)
    total = max(1, audio_end - audio_start)

    def reading(done_ms: int) -> None:
        if on_progress is not None:
            on_progress("reading audio", done_ms, total)

    pcm = read_pcm(media, audio_start, total, on_progress=reading)
    jobs_list = [_job(s, words, entries, spoken, pcm) for s in stretches]
    speech_ms = sum(s.end_ms - s.start_ms for s in stretches)
    outcome = _Outcome()
    done = 0
    if on_progress is not None:
        on_progress("aligning", 0, speech_ms)
    for stretch, result in _run(jobs_list, extra, _worker_count(jobs, speech_ms)):
        outcome.spans.update(result.spans)
        done += stretch.end_ms - stretch.start_ms
        if on_progress is not None:
            on_progress("aligning", done, speech_ms)
    aligner.add_words(extra)
    for seam in _seams(words, outcome.spans, first, stop, info.duration_ms):
        for i in range(seam.first, seam.stop):
            outcome.spans.pop(i, None)
        outcome.spans.update(align_stretch(aligner, _job(seam, words, entries, spoken, pcm)).spans)
    scored = [entry is not None and not entry.startswith("_") for entry in entries]
    _drop_misfits(words, outcome.spans, first, stop, scored)
    return _assemble(transcript, first, stop, spoken, outcome)


# A line whose words fit their phones this many (robust) standard deviations worse than
# the talk's typical line is not this speech: music, noise or other words forced onto it.
MISFIT_SPREADS = 4.0


def _drop_misfits(
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


def _seams(
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


def _words_in(words: Sequence[Word], window_ms: tuple[int, int] | None) -> tuple[int, int]:
    if window_ms is None:
        return 0, len(words)
    start, end = window_ms
    inside = [i for i, w in enumerate(words) if w.end_ms > start and w.start_ms < end]
    return (inside[0], inside[-1] + 1) if inside else (0, 0)


def _is_spoken(word: Word) -> bool:
    return not word.is_sound_tag and any(ch.isalnum() for ch in word.text)


def _said(lexicon: Lexicon, word: Word) -> bool:
    return lexicon.of(word.text).spoken


def _job(
    stretch: Stretch,
    words: Sequence[Word],
    entries: Sequence[str | None],
    spoken: Sequence[bool],
    pcm: Pcm,
) -> _Job:
    """The stretch with its words, its context words and audio enough for every retry."""
    low = max(0, stretch.first - CONTEXT_WORDS)
    high = min(len(words), stretch.stop + CONTEXT_WORDS + 1)
    start = max(pcm.start_ms, stretch.start_ms - WIDE_MARGIN_MS)
    end = stretch.end_ms + WIDE_MARGIN_MS
    local = replace(stretch, first=stretch.first - low, stop=stretch.stop - low)
    audio = Pcm(pcm.window(start, end), start, pcm.rate)
    return _Job(
        local, tuple(words[low:high]), tuple(entries[low:high]), tuple(spoken[low:high]), audio, low
    )


def _worker_count(jobs: int, speech_ms: int) -> int:
    if jobs > 0:
        return jobs
    if speech_ms < PARALLEL_MIN_MS:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


_worker_aligner: SphinxAligner | None = None


def _start_worker(extra: dict[str, tuple[str, ...]]) -> None:
    global _worker_aligner
    _worker_aligner = SphinxAligner(extra)


def _work(job: _Job) -> _Outcome:
    assert _worker_aligner is not None
    return align_stretch(_worker_aligner, job)


def _run(
    jobs: Sequence[_Job], extra: dict[str, tuple[str, ...]], workers: int
) -> Iterator[tuple[Stretch, _Outcome]]:
    """Outcomes in the order of ``jobs``, from ``workers`` processes (or this one)."""
    if workers <= 1:
        aligner = SphinxAligner(extra)
        for job in jobs:
            yield job.stretch, align_stretch(aligner, job)
        return
    # fork where there is one: spawn would re-run the caller's main module in each worker,
    # which breaks any script without a ``__main__`` guard; nothing here holds a lock
    context = get_context("fork" if "fork" in get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(workers, context, _start_worker, (extra,)) as pool:
        futures = [pool.submit(_work, job) for job in jobs]
        try:
            for job, future in zip(jobs, futures):
                yield job.stretch, future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def align_stretch(aligner: SphinxAligner, job: _Job) -> _Outcome:
    """Align one planned stretch: as planned, then in a wider window, then in halves."""
    outcome = _Outcome()
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


def _try(aligner: SphinxAligner, job: _Job, stretch: Stretch) -> dict[int, Span] | None:
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


def _context(job: _Job, indices: range) -> list[str]:
    return [e for i in indices if job.spoken[i] and (e := job.entries[i]) is not None]


def _within_its_second(aligned_ms: int, estimated_ms: int) -> bool:
    """Whether an aligned line start lies in the second its estimate (its frame) shows."""
    second = estimated_ms // SECOND * SECOND
    return second - LINE_START_SLACK_MS <= aligned_ms < second + SECOND + LINE_START_SLACK_MS


def _assemble(
    transcript: Transcript, first: int, stop: int, spoken: Sequence[bool], outcome: _Outcome
) -> AlignmentResult:
    """New word times: aligned ones from the audio, the others estimated, all in order."""
    words = transcript.words
    _drop_disordered(outcome)
    aligned = [i in outcome.spans for i in range(len(words))]
    starts = [w.start_ms for w in words]
    ends = [w.end_ms for w in words]
    for i, span in outcome.spans.items():
        starts[i], ends[i] = span.start_ms, span.end_ms
    _fit_between_anchors(starts, ends, aligned, first, stop)
    new_words = tuple(
        replace(w, start_ms=s, end_ms=max(s, e)) for w, s, e in zip(words, starts, ends)
    )
    to_align = [i for i in range(first, stop) if spoken[i]]
    kept = _merge_spans(
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


def _drop_disordered(outcome: _Outcome) -> None:
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


def _fit_between_anchors(
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


def _merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + SECOND:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _clock(ms: int) -> str:
    seconds = ms // SECOND
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


__all__ = [
    "AlignProgress",
    "AlignmentReport",
    "AlignmentResult",
    "align_stretch",
    "align_transcript",
    "line_starts",
]
