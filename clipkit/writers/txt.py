"""Plain text output: the transcript as paragraphs, each starting with ``[HH:MM:SS]``.

A new paragraph starts where the speaker changes, after a pause of 2 s or more, and after
about six sentences (at the next sentence end), so the text reads like prose.
"""

from __future__ import annotations

from collections.abc import Sequence

from clipkit.model import Cue, Transcript, Word
from clipkit.text import ends_sentence
from clipkit.timefmt import format_whole_seconds
from clipkit.writers.base import WriteOptions, shown_words

PAUSE_MS = 2000
SENTENCES_PER_PARAGRAPH = 6


def write(cues: Sequence[Cue], transcript: Transcript, options: WriteOptions) -> str:
    paragraphs = paragraphs_of(shown_words(cues, transcript))
    return "\n\n".join(_format(paragraph) for paragraph in paragraphs) + (
        "\n" if paragraphs else ""
    )


def paragraphs_of(words: Sequence[Word]) -> list[list[Word]]:
    paragraphs: list[list[Word]] = []
    current: list[Word] = []
    sentences = 0
    for word in words:
        if current and (
            word.speaker_change
            or word.start_ms - current[-1].end_ms >= PAUSE_MS
            or sentences >= SENTENCES_PER_PARAGRAPH
        ):
            paragraphs.append(current)
            current, sentences = [], 0
        current.append(word)
        if ends_sentence(word.text):
            sentences += 1
    if current:
        paragraphs.append(current)
    return paragraphs


def _format(paragraph: Sequence[Word]) -> str:
    text = " ".join(word.text for word in paragraph)
    return f"[{format_whole_seconds(paragraph[0].start_ms)}] {text}"
