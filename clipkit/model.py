"""clipkit's own caption model: small, frozen, integer milliseconds.

Readers turn bytes into a :class:`Transcript` (timed words); the segmenter turns
words into :class:`Cue` objects; writers turn cues into bytes.  Third-party types
(pysrt, webvtt-py, yt-dlp, ffmpeg-python) never appear here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from clipkit.errors import CaptionWarning
from clipkit.text import is_sound_tag

# The latest time has its home in clipkit.timefmt; named here too for the model's users.
from clipkit.timefmt import MAX_TIME_MS

__all__ = ["MAX_TIME_MS", "Cue", "Transcript", "Word"]


# ``init=False``: the __init__ below stores the fields through the slot descriptors, which
# costs half what the generated frozen __init__ does (an ``object.__setattr__`` call a field,
# then a __post_init__ call).  Readers build one Word per spoken word of multi-hour
# transcripts, so this is a good part of reading one.
@dataclass(frozen=True, slots=True, init=False)
class Word:
    """One spoken word (or one sound tag such as ``[Music]``) and when it is spoken."""

    start_ms: int
    end_ms: int
    text: str
    speaker_change: bool = False  # a new speaker starts with this word (">>" in the source)
    line_start: bool = False  # the first word of a line as the source typed it

    def __init__(
        self,
        start_ms: int,
        end_ms: int,
        text: str,
        speaker_change: bool = False,
        line_start: bool = False,
    ) -> None:
        _set_word_start(self, start_ms)
        _set_word_end(self, end_ms)
        _set_word_text(self, text)
        _set_word_speaker(self, speaker_change)
        _set_word_line_start(self, line_start)
        if start_ms < 0:
            raise ValueError(f"word {text!r} starts before zero ({start_ms} ms)")
        if end_ms < start_ms:
            raise ValueError(f"word {text!r} ends before it starts")
        if not text or text != text.strip():
            raise ValueError(f"word text must be non-empty and unpadded: {text!r}")

    @property
    def is_sound_tag(self) -> bool:
        """Whether this is a sound tag such as ``[Music]`` (see :mod:`clipkit.text`)."""
        return is_sound_tag(self.text)

    def shifted(self, offset_ms: int) -> Word:
        return replace(self, start_ms=self.start_ms + offset_ms, end_ms=self.end_ms + offset_ms)


# Setters of Word's slots (frozen: its own __setattr__ refuses), for Word.__init__.
_set_word_start = Word.__dict__["start_ms"].__set__
_set_word_end = Word.__dict__["end_ms"].__set__
_set_word_text = Word.__dict__["text"].__set__
_set_word_speaker = Word.__dict__["speaker_change"].__set__
_set_word_line_start = Word.__dict__["line_start"].__set__


@dataclass(frozen=True, slots=True)
class Cue:
    """One caption on screen: its time span and its (already laid-out) lines."""

    start_ms: int
    end_ms: int
    lines: tuple[str, ...]
    words: tuple[Word, ...] = field(default=(), compare=True)

    def __post_init__(self) -> None:
        if self.start_ms < 0:
            raise ValueError(f"cue starts before zero ({self.start_ms} ms)")
        if self.end_ms <= self.start_ms:
            raise ValueError(f"cue must end after it starts ({self.start_ms}..{self.end_ms} ms)")
        if not self.lines or not all(line.strip() for line in self.lines):
            raise ValueError("cue needs at least one non-empty line")

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    def shifted(self, offset_ms: int) -> Cue:
        return replace(
            self,
            start_ms=self.start_ms + offset_ms,
            end_ms=self.end_ms + offset_ms,
            words=tuple(w.shifted(offset_ms) for w in self.words),
        )


@dataclass(frozen=True, slots=True)
class Transcript:
    """Every word once, in spoken order, with the format it was read from."""

    words: tuple[Word, ...]
    source_format: str = ""
    language: str = ""
    # False when word times were spread over whole-second lines (markdown exports):
    # then the starts of the source's lines are the best-timed places to start a cue.
    exact_word_times: bool = True
    # What the reader worked around (see CaptionWarning); the CLI prints them.
    warnings: tuple[CaptionWarning, ...] = field(default=(), compare=False)
    # The cues of an ordinary SRT/WebVTT file as its author wrote them (lines, times, and
    # the words read from each): kept rather than rebuilt, unless the caption policy asks
    # to resegment.  Empty for automatic captions, whose cues are rebuilt from the words.
    authored_cues: tuple[Cue, ...] = ()
    # Which way the reader took the file and why, for -v and --dry-run (readers of
    # cue files set it; "" for formats that are always rolling captions).
    detection: str = ""

    def __post_init__(self) -> None:
        for before, after in zip(self.words, self.words[1:]):
            if after.start_ms < before.start_ms:
                raise ValueError(
                    f"words out of order: {before.text!r}@{before.start_ms} "
                    f"then {after.text!r}@{after.start_ms}"
                )

    @property
    def end_ms(self) -> int:
        return self.words[-1].end_ms if self.words else 0

    @property
    def authored(self) -> bool:
        """Whether the cues were written by someone (kept as written) rather than automatic."""
        return bool(self.authored_cues)
