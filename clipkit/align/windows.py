"""Clips' captions timed from the audio: a talk's transcript aligned within each clip's window.

``clip`` and ``reel`` cut from a video that has the speech; when their captions have only
estimated timing (a whole-second markdown export), the words inside each clip's window
(and the snapping reach around it) are aligned before the cuts are snapped and the
captions built, so both use the spoken times.

    >>> source = open_source("talk.mp4", "talk.md")  # doctest: +SKIP
    >>> aligned, report = align_source(source, [(349_000, 431_000)])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from clipkit.align.engine import AlignProgress, align_transcript
from clipkit.align.report import AlignmentReport
from clipkit.clips import Source
from clipkit.segment import build_cues

__all__ = ["WINDOW_REACH_MS", "align_source", "needs_alignment"]

#: Aligned around each window: what snapping may reach beyond a clip's requested span.
WINDOW_REACH_MS = 5_000


def needs_alignment(source: Source) -> bool:
    """Whether the source's captions have estimated word times and its video has speech to
    time them from (an author's cues, kept as written, are not retimed)."""
    transcript = source.transcript
    return (
        transcript is not None
        and bool(transcript.words)
        and not transcript.exact_word_times
        and not source.authored
        and source.info.has_audio
    )


def align_source(
    source: Source,
    windows: Sequence[tuple[int, int]],
    on_progress: AlignProgress | None = None,
    reach_ms: int = WINDOW_REACH_MS,
) -> tuple[Source, AlignmentReport]:
    """The source with its words in ``windows`` (ms, widened by ``reach_ms``) aligned to its
    video's speech and its cues built again from them; and what was aligned."""
    transcript = source.transcript
    if transcript is None or not windows:
        return source, AlignmentReport(0, 0)
    merged: list[tuple[int, int]] = []
    for start, end in sorted((max(0, a - reach_ms), b + reach_ms) for a, b in windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    words = aligned = 0
    kept: list[tuple[int, int]] = []
    reasons: list[str] = []
    for window in merged:
        result = align_transcript(transcript, source.video, window, on_progress)
        transcript = result.transcript
        words += result.report.words
        aligned += result.report.aligned
        kept += result.report.kept
        reasons += [result.report.reason] if result.report.reason else []
    reason = reasons[0] if reasons and aligned == 0 else ""
    cues = tuple(build_cues(transcript, source.caption_style))
    report = AlignmentReport(words, aligned, tuple(kept), reason)
    return replace(source, transcript=transcript, cues=cues), report
