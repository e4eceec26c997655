"""Writers: cues in, bytes out.

One module per output format, each a plain function ``write(cues, transcript, options) -> str``
(:class:`~clipkit.writers.base.Writer`) registered in :data:`WRITERS` under its format id.
:func:`render` does what every format shares: shifting the times, line endings, the byte
order mark and encoding to UTF-8.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from clipkit.errors import OutputError
from clipkit.model import Cue, Transcript, Word
from clipkit.style import CaptionStyle
from clipkit.timefmt import MAX_TIME_MS, format_timestamp
from clipkit.writers import json_writer, srt, txt, vtt
from clipkit.writers.base import WriteOptions, Writer, shown_words

__all__ = [
    "EXTENSIONS",
    "WRITERS",
    "WriteOptions",
    "Writer",
    "render",
    "shift_cues",
    "shift_words",
    "shown_words",
]


WRITERS: dict[str, Writer] = {
    "srt": srt.write,
    "vtt": vtt.write,
    "json": json_writer.write,
    "txt": txt.write,
}

#: The file extension (with the dot) each output format is written with.
EXTENSIONS: dict[str, str] = {format_id: f".{format_id}" for format_id in WRITERS}


def render(
    cues: Sequence[Cue],
    transcript: Transcript,
    format_id: str,
    options: WriteOptions | None = None,
    grid: CaptionStyle | None = None,
) -> bytes:
    """The file content for ``cues`` in the output format ``format_id``.

    With a ``grid`` (the style the cues were built with), a shift keeps them on its frames:
    see :func:`shift_cues`.
    """
    options = options or WriteOptions()
    try:
        writer = WRITERS[format_id]
    except KeyError:
        raise OutputError(
            f"unknown output format {format_id!r} (choose from {', '.join(WRITERS)})"
        ) from None
    if options.shift_ms:
        cues = shift_cues(cues, options.shift_ms, grid)
        transcript = replace(
            transcript, words=tuple(shift_words(transcript.words, options.shift_ms))
        )
    cues = _within_latest_time(cues)
    text = writer(cues, transcript, options)
    if options.crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate, from text built by hand
        raise OutputError(
            f"cannot write {text[exc.start : exc.end]!r} in UTF-8 (a broken character)"
        ) from None
    return b"\xef\xbb\xbf" + data if options.bom else data


def _within_latest_time(cues: Sequence[Cue]) -> Sequence[Cue]:
    """The cues within the times SRT and WebVTT stamps hold: a cue running past the latest
    (its minimum duration after a word near it) ends there; one starting there (``--shift``
    pushed it) is an error."""
    if all(cue.end_ms <= MAX_TIME_MS for cue in cues):
        return cues
    latest = format_timestamp(MAX_TIME_MS)
    kept: list[Cue] = []
    for number, cue in enumerate(cues, 1):
        if cue.start_ms >= MAX_TIME_MS:
            raise OutputError(
                f"cue {number} starts at {format_timestamp(cue.start_ms)}: too late "
                f"(the latest time clipkit writes is {latest})"
            )
        kept.append(replace(cue, end_ms=MAX_TIME_MS) if cue.end_ms > MAX_TIME_MS else cue)
    return kept


def shift_words(words: Sequence[Word], offset_ms: int) -> list[Word]:
    """Every word moved by ``offset_ms``; words that end up wholly before zero are dropped."""
    shifted: list[Word] = []
    for word in words:
        start, end = word.start_ms + offset_ms, word.end_ms + offset_ms
        if end < 0 or (start < 0 and end == 0):
            continue
        shifted.append(replace(word, start_ms=max(start, 0), end_ms=end))
    return shifted


def shift_cues(cues: Sequence[Cue], offset_ms: int, grid: CaptionStyle | None = None) -> list[Cue]:
    """Every cue moved by ``offset_ms``.

    A cue that ends at or before zero is dropped; one that straddles zero starts at zero
    (its text stays whole: cutting words out of a caption would change what it says).
    With a ``grid``, the cues move by the whole number of frames nearest ``offset_ms``,
    so times on its frames stay on them and the gaps keep their frames (a shift of 3600 s
    at 23.976 fps moves them by 86314 frames, 3600.013 s).
    """
    shifted: list[Cue] = []
    move = _frame_mover(offset_ms, grid) if grid is not None else None
    for cue in cues:
        if move is None:
            start, end = cue.start_ms + offset_ms, cue.end_ms + offset_ms
        else:
            start, end = move(cue.start_ms), move(cue.end_ms)
        if end <= 0:
            continue
        words = tuple(
            replace(w, start_ms=max(w.start_ms + offset_ms, 0), end_ms=max(w.end_ms + offset_ms, 0))
            for w in cue.words
        )
        shifted.append(replace(cue, start_ms=max(start, 0), end_ms=end, words=words))
    return shifted


def _frame_mover(offset_ms: int, grid: CaptionStyle) -> Callable[[int], int]:
    frames = grid.frame_index(offset_ms)
    return lambda ms: grid.frame_ms(grid.frame_index(ms) + frames)
