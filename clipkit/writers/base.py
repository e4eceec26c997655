"""What every writer shares: its options, its signature, and the words the cues show.

The writer modules import these from here, never from the package face
(:mod:`clipkit.writers`), which imports the writers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from clipkit.model import Cue, Transcript, Word

__all__ = ["WriteOptions", "Writer", "shown_words"]


@dataclass(frozen=True, slots=True)
class WriteOptions:
    """How the bytes are laid out; the caption policy itself lives in CaptionStyle."""

    bom: bool = False  # start with a UTF-8 byte order mark (some Windows editors want it)
    crlf: bool = False  # end lines with CR LF instead of LF
    shift_ms: int = 0  # added to every time; what falls before zero is clipped or dropped
    words_vtt: bool = False  # WebVTT only: a <HH:MM:SS.mmm> tag before every word of a cue


class Writer(Protocol):
    """One output format: the cues (and the transcript they came from) as text."""

    def __call__(
        self, cues: Sequence[Cue], transcript: Transcript, options: WriteOptions
    ) -> str: ...


def shown_words(cues: Sequence[Cue], transcript: Transcript) -> tuple[Word, ...]:
    """The words the cues show (so style choices such as dropping sound tags hold),
    or the transcript's words when the cues carry none."""
    words = tuple(word for cue in cues for word in cue.words)
    return words or transcript.words
