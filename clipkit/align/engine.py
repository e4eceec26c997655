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

The steps, a module each: :mod:`~clipkit.align.stretch` (one stretch, with its retries),
:mod:`~clipkit.align.checks` (alignments that cannot be trusted), :mod:`~clipkit.align.assemble`
(the new word times) and :mod:`~clipkit.align.report` (what was achieved).

Library code: nothing here prints; progress goes to the callback.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

from clipkit.align.assemble import assemble
from clipkit.align.checks import clashing_seams, drop_misfits
from clipkit.align.plan import CONTEXT_WORDS, Stretch, plan_stretches
from clipkit.align.pronounce import Lexicon, looks_english
from clipkit.align.report import AlignmentReport, AlignmentResult
from clipkit.align.sphinx import SphinxAligner
from clipkit.align.stretch import (
    WIDE_MARGIN_MS,
    Outcome,
    StretchJob,
    align_stretch,
)
from clipkit.errors import MediaError
from clipkit.media.audio import Pcm, read_pcm
from clipkit.media.probe import probe
from clipkit.model import Transcript, Word

AlignProgress = Callable[[str, int, int], None]
"""Called with the stage ("reading audio", "aligning"), the ms done and the ms in all."""

PARALLEL_MIN_MS = 60_000  # less speech than this is aligned in this process


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
    outcome = Outcome()
    done = 0
    if on_progress is not None:
        on_progress("aligning", 0, speech_ms)
    for stretch, result in _run(jobs_list, extra, _worker_count(jobs, speech_ms)):
        outcome.spans.update(result.spans)
        done += stretch.end_ms - stretch.start_ms
        if on_progress is not None:
            on_progress("aligning", done, speech_ms)
    aligner.add_words(extra)
    for seam in clashing_seams(words, outcome.spans, first, stop, info.duration_ms):
        for i in range(seam.first, seam.stop):
            outcome.spans.pop(i, None)
        outcome.spans.update(align_stretch(aligner, _job(seam, words, entries, spoken, pcm)).spans)
    scored = [entry is not None and not entry.startswith("_") for entry in entries]
    drop_misfits(words, outcome.spans, first, stop, scored)
    return assemble(transcript, first, stop, spoken, outcome)


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
) -> StretchJob:
    """The stretch with its words, its context words and audio enough for every retry."""
    low = max(0, stretch.first - CONTEXT_WORDS)
    high = min(len(words), stretch.stop + CONTEXT_WORDS + 1)
    start = max(pcm.start_ms, stretch.start_ms - WIDE_MARGIN_MS)
    end = stretch.end_ms + WIDE_MARGIN_MS
    local = replace(stretch, first=stretch.first - low, stop=stretch.stop - low)
    audio = Pcm(pcm.window(start, end), start, pcm.rate)
    return StretchJob(
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


def _work(job: StretchJob) -> Outcome:
    assert _worker_aligner is not None
    return align_stretch(_worker_aligner, job)


def _run(
    jobs: Sequence[StretchJob], extra: dict[str, tuple[str, ...]], workers: int
) -> Iterator[tuple[Stretch, Outcome]]:
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


__all__ = ["AlignProgress", "AlignmentReport", "AlignmentResult", "align_transcript"]
