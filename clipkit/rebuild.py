"""Rolling caption lines -> timed words (pure: no I/O, no third-party types).

Every reader reduces its input to :class:`TypedLine` objects: each line of speech
exactly once, as it was newly typed on screen, with whatever timing evidence the
source has.  A line is a run of ``chunks``: text whose start time the source
states (YouTube's inline ``<00:00:01.234>`` word stamps, json3 ``segs``), the
first chunk starting with the line.  This module turns them into
:class:`~clipkit.model.Word` objects; words that share a chunk (a whole untimed
line, for instance) are spread over the chunk's time by their length.

This runs once per word of multi-hour transcripts, so it works on plain lists: the words
are kept as columns (starts, ends, texts, flags) and made into objects once, at the end.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from clipkit.model import Word, words_from_columns
from clipkit.text import is_sound_tag

# A sound tag stays one token even with spaces inside ("[  music]"); ">>" marks a new speaker.
TOKEN = re.compile(r"\[[^\[\]\n]{0,40}\]|\S+")
SPEAKER_MARK = ">>"
MIN_WORD_MS = 80
# How long a word lasts at most when nothing after it says when it ended (the last word
# of a line followed by a long pause or music): about 1/12 s a character, within bounds.
WORD_MS_PER_CHAR = 85
MAX_LAST_WORD_MS = 1200
MAX_SOUND_TAG_MS = 7000

Chunk = tuple[int, str]  # (start time in ms, text)

# A line whose chunks (joined by NUL) each hold exactly one plain word, every chunk but the
# first starting with a space: YouTube's word-stamped lines.  Their words are the chunks
# themselves, so words_from_lines builds them a line at a time instead of a word at a time.
# No "[" (sound tags), no ">" (speaker marks) and no NUL inside: those lines take the
# general path.
_ONE_WORD_CHUNKS = re.compile(r"\s*[^\s\[>\x00]+\s*(?:\x00\s+[^\s\[>\x00]+\s*)*")


@dataclass(frozen=True, slots=True)
class TypedLine:
    """One line of speech as it was newly typed: timed chunks of text."""

    start_ms: int
    end_ms: int
    chunks: tuple[Chunk, ...]
    speaker_change: bool = False

    @classmethod
    def untimed(cls, start_ms: int, end_ms: int, text: str) -> TypedLine:
        """A line whose words have no times of their own."""
        return cls(start_ms, end_ms, ((start_ms, text),))

    @property
    def text(self) -> str:
        return " ".join("".join(text for _, text in self.chunks).split())


def words_from_lines(lines: Sequence[TypedLine]) -> list[Word]:
    """Timed words, in order, from the newly typed lines of a rolling caption track."""
    all_starts: list[int] = []
    all_ends: list[int] = []
    all_texts: list[str] = []
    all_speakers: list[bool] = []
    all_line_starts: list[bool] = []
    one_word_chunks = _ONE_WORD_CHUNKS.fullmatch
    pending_speaker = False
    last_start = 0
    count = len(lines)
    for index in range(count):
        line = lines[index]
        line_end = line.end_ms
        if index + 1 < count:
            next_start = lines[index + 1].start_ms
            if next_start < line_end or line_end <= line.start_ms:
                line_end = next_start
        if line_end < line.start_ms:
            line_end = line.start_ms
        pending_speaker = pending_speaker or line.speaker_change
        chunks = line.chunks
        if len(chunks) > 1 and one_word_chunks("\x00".join([text for _, text in chunks])):
            # The general loop below, a line at a time (same results): starts never go
            # back (a running max from the previous word's), a word ends where the next
            # starts, the last one at the line's end within its length's cap.
            times = [time for time, _ in chunks]
            texts = " ".join([text for _, text in chunks]).split()
            starts = list(accumulate(times, max, initial=last_start))[1:]
            last_start = starts[-1]
            last_text = texts[-1]
            cap = last_start + min(
                MAX_LAST_WORD_MS, MIN_WORD_MS + WORD_MS_PER_CHAR * len(last_text)
            )
            ends = starts[1:]
            ends.append(min(max(line_end, last_start), cap))
            flags = [False] * len(texts)
            all_starts += starts
            all_ends += ends
            all_texts += texts
            all_line_starts.append(True)
            all_line_starts += flags[1:]
            all_speakers.append(pending_speaker)
            all_speakers += flags[1:]
            pending_speaker = False
            continue
        texts, starts = _line_tokens(chunks, line_end)
        total = len(texts)
        first_of_line = True
        for k in range(total):
            text = texts[k]
            if text == SPEAKER_MARK:
                pending_speaker = True
                continue
            if text[:2] == SPEAKER_MARK:
                pending_speaker = True
                text = text[2:]
            start = starts[k]
            if start < last_start:
                start = last_start
            if k + 1 < total:
                end = starts[k + 1] if starts[k + 1] > start else start
            else:
                end = line_end if line_end > start else start
                cap = start + min(MAX_LAST_WORD_MS, MIN_WORD_MS + WORD_MS_PER_CHAR * len(text))
                if end > cap:
                    end = cap
            if is_sound_tag(text):
                end = max(end, min(line_end, start + MAX_SOUND_TAG_MS))
            all_starts.append(start)
            all_ends.append(end)
            all_texts.append(text)
            all_speakers.append(pending_speaker)
            all_line_starts.append(first_of_line)
            last_start = start
            pending_speaker = False
            first_of_line = False
    return words_from_columns(all_starts, all_ends, all_texts, all_speakers, all_line_starts)


def _line_tokens(chunks: Sequence[Chunk], line_end: int) -> tuple[list[str], list[int]]:
    """The tokens of a line and their start times.

    A chunk holding one word (the usual case with word stamps) gives it the chunk's
    time; several words share the chunk's span by length; a chunk that continues a
    word (no space between) is glued onto it.
    """
    texts: list[str] = []
    starts: list[int] = []
    # Pieces that continue texts[-1], joined once: += a piece at a time would copy the
    # word each time (quadratic in a line of thousands of glued chunks).
    glued: list[str] = []
    count = len(chunks)
    for c in range(count):
        time, text = chunks[c]
        tokens = TOKEN.findall(text) if "[" in text else text.split()
        if not tokens:
            continue
        if texts and not text[0].isspace() and not _ends_open(chunks, c):
            glued.append(tokens.pop(0))
            if not tokens:
                continue
        if glued:
            texts[-1] += "".join(glued)
            glued.clear()
        spoken = [t for t in tokens if t != SPEAKER_MARK]
        if len(spoken) <= 1:
            for token in tokens:
                texts.append(token)
                starts.append(time)
            continue
        chunk_end = chunks[c + 1][0] if c + 1 < count else line_end
        span = chunk_end - time if chunk_end > time else 0
        total = sum(len(t) + 1 for t in spoken)
        elapsed = 0
        for token in tokens:
            texts.append(token)
            starts.append(time + span * elapsed // total)
            if token != SPEAKER_MARK:
                elapsed += len(token) + 1
    if glued:
        texts[-1] += "".join(glued)
    return texts, starts


def _ends_open(chunks: Sequence[Chunk], index: int) -> bool:
    """Whether the chunk before ``index`` ended with a space (a word boundary)."""
    previous = chunks[index - 1][1] if index else " "
    return not previous or previous[-1].isspace()
