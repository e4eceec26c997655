"""Rules about caption text that several stages share, defined once.

What ends a sentence or a clause, which marks close a word, what a sound tag is, how whole
sentences are found in a run of words, and how text is folded for matching.  The segmenter
(where cues break), the txt writer (paragraphs), quote search and cut snapping all ask here,
so they agree: ``done.”`` ends a sentence for every one of them.

Pure functions of text; nothing here imports the rest of clipkit (the model asks
:func:`is_sound_tag` itself, and :func:`sentences` takes anything shaped like its words).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "CLAUSE_END",
    "CLOSERS",
    "OPENERS",
    "SENTENCE_END",
    "SOUND_TAG",
    "Sentence",
    "Spoken",
    "ends_clause",
    "ends_sentence",
    "final_mark",
    "is_sound_tag",
    "match_tokens",
    "normalize",
    "remove_sound_tags",
    "sentences",
]

#: Marks that end a sentence when they end a word (maybe followed by closers).
SENTENCE_END = ".?!…"
#: Marks that end a clause: a good place for a line break, a weaker one for a cue break.
CLAUSE_END = ",;:—–"
#: Closing quotes and brackets, which may follow a word's final mark (``done.”``).
CLOSERS = "\"'”’)]»"
#: Opening quotes and brackets, which may come before a word.
OPENERS = "\"'(“‘["

# A sound tag is one bracketed phrase with no brackets inside: [Music], [clears throat].
_SOUND_TAG_TEXT = r"\[[^\[\]]*\]"
#: A whole word that is a sound tag.
SOUND_TAG = re.compile(rf"{_SOUND_TAG_TEXT}\Z")
_SOUND_TAG_ANYWHERE = re.compile(_SOUND_TAG_TEXT)


def final_mark(text: str) -> str:
    """The last character of ``text`` once closing quotes and brackets are set aside
    (``"done.”"`` -> ``"."``); ``""`` when nothing is left."""
    return text.rstrip(CLOSERS)[-1:]


def ends_sentence(text: str) -> bool:
    """Whether a word ends a sentence: ``.``, ``?``, ``!`` or ``…``, maybe then closers."""
    mark = final_mark(text)
    return bool(mark) and mark in SENTENCE_END


def ends_clause(text: str) -> bool:
    """Whether a word ends a clause (``,`` ``;`` ``:`` or a dash), maybe then closers."""
    mark = final_mark(text)
    return bool(mark) and mark in CLAUSE_END


def is_sound_tag(text: str) -> bool:
    """Whether a word is a sound tag such as ``[Music]`` (one bracketed phrase, whole)."""
    # the two character tests first: this runs for every word of multi-hour transcripts
    return text[:1] == "[" and text[-1:] == "]" and SOUND_TAG.match(text) is not None


def remove_sound_tags(line: str) -> str:
    """``line`` without its sound tags, spaces tidied: ``"[Music] so"`` -> ``"so"``."""
    return " ".join(_SOUND_TAG_ANYWHERE.sub(" ", line).split())


def normalize(text: str) -> str:
    """Lower case, letters and digits only (``"Wi-Fi,"`` -> ``"wifi"``, ``"don't"`` ->
    ``"dont"``): how quotes and transcript words are compared."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if ch.isalnum())


def match_tokens(text: str) -> list[str]:
    """The words of ``text`` as :func:`normalize` folds them, empty ones dropped."""
    return [token for token in (normalize(part) for part in text.split()) if token]


class Spoken(Protocol):
    """What :func:`sentences` needs of a word (:class:`clipkit.model.Word` has it)."""

    @property
    def start_ms(self) -> int: ...
    @property
    def end_ms(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def speaker_change(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Sentence:
    """A run of words from ``first`` to ``last`` (indexes, inclusive) that is one sentence."""

    first: int
    last: int
    start_ms: int
    end_ms: int
    text: str


def sentences(words: Sequence[Spoken]) -> list[Sentence]:
    """The sentences of ``words``: each ends at a word that :func:`ends_sentence`, before a
    change of speaker, or at the last word."""
    found: list[Sentence] = []
    first = 0
    for index, word in enumerate(words):
        ends = ends_sentence(word.text) or index == len(words) - 1
        next_starts_speaker = index + 1 < len(words) and words[index + 1].speaker_change
        if ends or next_starts_speaker:
            chunk = words[first : index + 1]
            text = " ".join(w.text for w in chunk)
            found.append(Sentence(first, index, chunk[0].start_ms, chunk[-1].end_ms, text))
            first = index + 1
    return found
