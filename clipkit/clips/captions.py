"""A clip's captions: the source's cues cut at the clip's edges, in clip time, and the
files written beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from clipkit.model import Cue, Transcript, Word
from clipkit.segment import build_cues
from clipkit.style import CaptionStyle
from clipkit.text import ends_sentence
from clipkit.writers import WriteOptions, render

# A 9:16 frame holds about 24 characters a line at the vertical burn size: lay the
# clip's captions out again for it rather than let libass wrap 42-character lines.
VERTICAL_MAX_CHARS = 24
# how wide a title card's lines are
CARD_MAX_CHARS = 28


def clip_cues(
    cues: Sequence[Cue],
    start_ms: int,
    end_ms: int,
    style: CaptionStyle | None = None,
    *,
    keep_text: bool = False,
    quoted_ms: int | None = None,
) -> list[Cue]:
    """The cues shown during ``[start_ms, end_ms)``, cut at the edges, in clip time.

    A cue at source time T is at T - start_ms, on the frame grid of ``style``.  A cue
    that straddles an edge is cut to it and keeps only the words spoken inside the clip
    (when it knows its words; ``keep_text``: authored cues keep their text as written).
    The first cue never opens with the tail of a sentence begun before the clip: those
    words are dropped (a cue left with nothing else and shorter than the minimum
    duration is dropped whole), except words at or after ``quoted_ms``, the first
    quoted word's start.  An authored first cue whose text cannot be cut is dropped when
    it is left shorter than the minimum and was mostly on screen before the clip.
    """
    style = style or CaptionStyle()
    snap = style.snap_to_frame
    duration = end_ms - start_ms
    kept: list[Cue] = []
    previous: Word | None = None  # the last word of the cue before, for sentence tails
    for cue in cues:
        before, previous = previous, (cue.words[-1] if cue.words else previous)
        if cue.end_ms <= start_ms or cue.start_ms >= end_ms:
            continue
        lines = cue.lines
        words = cue.words
        cue_start, cue_end = max(cue.start_ms, start_ms), min(cue.end_ms, end_ms)
        shown = cue_end - cue_start
        if keep_text and shown < style.min_duration_ms and start_ms - cue.start_ms > shown:
            continue  # an authored head cue mostly said before the clip: a flash of it
        if words and (cue.start_ms < start_ms or cue.end_ms > end_ms):
            inside = tuple(w for w in words if start_ms <= (w.start_ms + w.end_ms) // 2 < end_ms)
            if cue.start_ms < start_ms and inside:
                tail = _sentence_tail(words, inside, before, quoted_ms)
                if len(tail) == len(inside):
                    if cue_end - cue_start < style.min_duration_ms:
                        continue
                elif tail and not keep_text:
                    inside = inside[len(tail) :]
                    cue_start = max(cue_start, inside[0].start_ms)
            if not inside:
                continue
            if len(inside) < len(words) and not keep_text:
                width = max(len(line) for line in cue.lines)
                lines = relaid_lines(inside, style, width, len(cue.lines))
            words = tuple(w for w in inside if w.start_ms >= start_ms)
        if cue_end - cue_start < 100:
            continue
        clip_start = snap(cue_start - start_ms)
        clip_end = min(snap(cue_end - start_ms), duration)
        if clip_end <= clip_start:
            continue
        kept.append(Cue(clip_start, clip_end, lines, tuple(w.shifted(-start_ms) for w in words)))
    return kept


def _sentence_tail(
    words: Sequence[Word], inside: Sequence[Word], before: Word | None, quoted_ms: int | None
) -> tuple[Word, ...]:
    """The first words of ``inside`` that end a sentence begun before the clip (through
    its last word), or none: a clip's first caption should not be the end of another
    thought.  Words at or after ``quoted_ms`` are never part of it."""
    first = words.index(inside[0])
    leading = words[first - 1] if first else before
    if leading is None or ends_sentence(leading.text) or inside[0].speaker_change:
        return ()
    for count, word in enumerate(inside, 1):
        if quoted_ms is not None and word.start_ms >= quoted_ms:
            return ()
        if word.speaker_change and count > 1:
            return ()
        if ends_sentence(word.text):
            return tuple(inside[:count])
    return ()


def relaid_lines(
    words: Sequence[Word], style: CaptionStyle, width: int, lines: int
) -> tuple[str, ...]:
    """``words`` laid out again by the segmenter, as one cue of at most ``lines`` lines of
    ``width`` characters (what is left of a cue cut at a clip's edge)."""
    one_cue = replace(
        style,
        max_chars=max(10, width),
        max_lines=max(1, lines),
        max_duration_ms=max(style.max_duration_ms, 24 * 3_600_000),
        pause_break_ms=24 * 3_600_000,
        max_cps=1_000_000.0,
        mode="cues",
        resegment=True,
    )
    cues = build_cues(Transcript(tuple(words)), one_cue)
    return tuple(line for cue in cues for line in cue.lines)


def clip_words(transcript: Transcript | None, start_ms: int, end_ms: int) -> tuple[Word, ...]:
    """The transcript's words said in ``[start_ms, end_ms)``, in clip time."""
    if transcript is None:
        return ()
    return tuple(
        replace(w.shifted(-start_ms), end_ms=min(w.end_ms, end_ms) - start_ms)
        for w in transcript.words
        if start_ms <= w.start_ms < end_ms
    )


def caption_files(
    cues: Sequence[Cue],
    words: Sequence[Word],
    vertical: bool = False,
    *,
    duration_ms: int | None = None,
    style: CaptionStyle | None = None,
    authored: bool = False,
    write: WriteOptions | None = None,
    vertical_max_chars: int = VERTICAL_MAX_CHARS,
) -> dict[str, bytes]:
    """A clip's (or reel's) captions: ``srt`` and ``vtt`` as written beside it (``write``:
    a time shift, CRLF, a BOM) and ``burn``, the plain SRT to burn into its picture.

    ``vertical`` lays rebuilt captions out again for the narrow frame (``authored`` ones
    stay as written), under ``style`` and within ``duration_ms``.
    """
    style = style or CaptionStyle()
    transcript = Transcript(tuple(words))
    if vertical and words and not authored:
        narrow = replace(style, max_chars=vertical_max_chars)
        cues = build_cues(transcript, narrow)
    if duration_ms is not None:
        cues = _within(cues, duration_ms, style)
    files = {fmt: render(cues, transcript, fmt, write) for fmt in ("srt", "vtt")}
    files["burn"] = render(cues, transcript, "srt") if write != WriteOptions() else files["srt"]
    return files


def _within(cues: Sequence[Cue], duration_ms: int, style: CaptionStyle) -> list[Cue]:
    """The cues cut to end inside a clip of ``duration_ms`` (captions laid out again run
    past it: their last word lingers)."""
    kept: list[Cue] = []
    for cue in cues:
        end = min(cue.end_ms, style.snap_to_frame(duration_ms), duration_ms)
        if end - cue.start_ms >= 100:
            kept.append(replace(cue, end_ms=end))
    return kept


def card_text(title: str, style: CaptionStyle | None = None) -> str:
    """A title card's text: the title laid out by the segmenter, lines of 28 characters."""
    words = title.split()
    if not words:
        return " "
    timed = [Word(n * 100, n * 100 + 100, text) for n, text in enumerate(words)]
    return "\n".join(relaid_lines(timed, style or CaptionStyle(), CARD_MAX_CHARS, len(words)))
