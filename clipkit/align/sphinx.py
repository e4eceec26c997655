"""The PocketSphinx edge: one stretch of words forced onto its stretch of audio.

PocketSphinx (PyPI ``pocketsphinx``) ships a US English acoustic model and CMUdict in its
wheel, so nothing is downloaded.  A stretch's grammar is a chain of its words, built as a
finite-state grammar so that its ends are loose: a few *context* words before and after the
stretch may be matched or not (the audio window starts and ends somewhere inside them, as
the stretch's true bounds are only known to a second), while the stretch's own words must
all be matched in order.  Silence and fillers may come between any two words.

Settings, measured on espeak-ng speech (see ``scripts/bench_align.py``):
- ``bestpath=False``: the lattice rescoring pass fails outright with beams this wide;
- beams of 1e-300 (the widest a float allows): with the usual 1e-48, and even with 1e-100,
  the search loses the only path that matches the grammar in a third of the stretches
  ("Final result does not match the grammar"); wide beams cost little here because the
  grammar is a single chain;
- dither: digital silence (exact zeros) gives the energy feature minus infinity and
  throws the frames next to it; a fixed seed keeps results reproducible.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import count

from clipkit.errors import AlignmentUnavailable
from clipkit.media.audio import SPEECH_RATE

try:
    from pocketsphinx import Decoder
except ImportError:  # the ``align`` extra is not installed
    Decoder = None

FRAME_MS = 10
# A frame is the 25.6 ms of sound from its start: a word's first frame already holds the
# onset of its sound, so segments begin about a frame early.  Measured on espeak-ng speech
# (EthanSK's 4 minutes): onsets a median 10 ms early; corrected, the median error halves
# (20 -> 10 ms) and the p95 drops 80 -> 70 ms.
FRAME_LAG_MS = 10
WIDE_BEAM = 1e-300
FILLER_WORD = "[SPEECH]"  # the model's "spoken noise": covers a word it cannot say
_ALTERNATE = re.compile(r"\(\d+\)$")  # "read(2)": CMUdict's second pronunciation


@dataclass(frozen=True, slots=True)
class Span:
    """Where one word of a stretch was found, in ms from the start of the stretch's audio.

    ``score``: how well the word's sound fits the model of its phones, per 10 ms frame,
    relative to the best-fitting sound unit in each frame (0 is the best; speech that fits
    scores some -20 to -50, music or the wrong words under -60).
    """

    start_ms: int
    end_ms: int
    score: float = 0.0

    @property
    def frames(self) -> int:
        return max(1, (self.end_ms - self.start_ms) // FRAME_MS)


class SphinxAligner:
    """A PocketSphinx decoder with the transcript's extra words in its dictionary."""

    def __init__(self, extra_words: Mapping[str, Sequence[str]] | None = None) -> None:
        if Decoder is None:
            raise AlignmentUnavailable(
                "aligning to the audio needs PocketSphinx: pip install 'clipkit[align]'"
            )
        self._decoder = Decoder(
            samprate=SPEECH_RATE,
            bestpath=False,
            beam=WIDE_BEAM,
            wbeam=WIDE_BEAM,
            pbeam=WIDE_BEAM,
            dither=True,
            seed=1,
            loglevel="FATAL",
        )
        self._names = count()
        self.add_words(extra_words or {})

    def lookup(self, word: str) -> str | None:
        """The dictionary's phones for ``word`` (space-separated), None when it lacks it."""
        phones: str | None = self._decoder.lookup_word(word)
        return phones

    def add_words(self, words: Mapping[str, Sequence[str]]) -> None:
        new = [(w, p) for w, p in words.items() if p and self.lookup(w) is None]
        for index, (word, phones) in enumerate(new):
            self._decoder.add_word(word, " ".join(phones), index == len(new) - 1)

    def align(
        self,
        pcm: bytes,
        core: Sequence[str | None],
        lead: Sequence[str] = (),
        trail: Sequence[str] = (),
    ) -> list[Span | None] | None:
        """Spans of the ``core`` words in ``pcm`` (16 kHz mono s16le), or None when the
        audio cannot be matched to them.

        ``None`` in ``core`` is a word the dictionary cannot say: a filler may cover it
        (its span is then the filler's) or nothing (its span is None).  ``lead`` are
        context words the audio may begin inside (or after); ``trail`` words the audio ends
        inside: the first of them must be matched (it starts inside the window), so that
        the core's last word cannot stretch over it.
        """
        if not any(word is not None for word in core):
            return None
        chain = [*lead, *(FILLER_WORD if word is None else word for word in core), *trail]
        fillers = [len(lead) + i for i, word in enumerate(core) if word is None]
        transitions = _transitions(chain, len(lead), len(trail), fillers)
        name = f"stretch{next(self._names)}"
        decoder = self._decoder
        decoder.add_fsg(name, decoder.create_fsg(name, 0, len(chain), transitions))
        try:
            decoder.activate_search(name)
            decoder.start_utt()
            decoder.process_raw(pcm, full_utt=True)
            decoder.end_utt()
            if not decoder.seg():
                return None
            # The second pass: the found word sequence aligned state by state, which
            # scores every word (the first pass, a grammar search, scores none).
            decoder.set_alignment()
            decoder.start_utt()
            decoder.process_raw(pcm, full_utt=True)
            decoder.end_utt()
            segments = [
                (_ALTERNATE.sub("", w.name), w.start, w.start + w.duration - 1, w.score)
                for w in decoder.get_alignment() or ()
            ]
        except RuntimeError:
            return None
        finally:
            decoder.activate_search(name)  # leave alignment mode before dropping the grammar
            decoder.remove_search(name)
        return _core_spans(segments, chain, len(lead), len(core))


Segment = tuple[str, int, int, int]  # word, first frame, last frame, score


def _transitions(
    chain: Sequence[str], lead: int, trail: int, fillers: Sequence[int]
) -> list[tuple[int, int, float, str]]:
    """A chain of words from state 0 to ``len(chain)``: the path may enter at any lead word
    (or at the first core word), leave after any trail word but the first, and skip a
    filler.  Every transition carries a word: PocketSphinx's state alignment (the second
    pass) cannot follow a path with empty transitions in it.
    """
    final = len(chain)
    transitions = [(state, state + 1, 1.0, word) for state, word in enumerate(chain)]
    transitions += [(0, state + 1, 1.0, chain[state]) for state in range(1, lead + 1)]
    transitions += [(state, final, 1.0, chain[state]) for state in range(final - trail, final - 1)]
    transitions += [
        (state, state + 2, 1.0, chain[state + 1]) for state in fillers if state + 1 < final
    ]
    return transitions


def _core_spans(
    segments: Sequence[Segment], chain: Sequence[str], lead: int, core: int
) -> list[Span | None] | None:
    """Walk the decoded segments along the chain; the spans of its core words."""
    words = [s for s in segments if s[0] == FILLER_WORD or not s[0].startswith(("<", "[", "("))]
    if not words:
        return None
    # The path entered the chain at one of the lead words (or at the core): find where.
    for entry in range(lead + 1):
        spans = _walk(words, chain, entry, lead, core)
        if spans is not None:
            return spans
    return None


def _walk(
    words: Sequence[Segment], chain: Sequence[str], entry: int, lead: int, core: int
) -> list[Span | None] | None:
    spans: list[Span | None] = []
    position = entry
    for word, first, last, score in words:
        # a filler the path skipped, or one the decoder inserted between words
        while position < len(chain) and chain[position] != word and chain[position] == FILLER_WORD:
            if lead <= position < lead + core:
                spans.append(None)
            position += 1
        if position >= len(chain) or chain[position] != word:
            if word == FILLER_WORD:
                continue  # a filler the decoder put between words
            return None
        if lead <= position < lead + core:
            frames = max(1, last + 1 - first)
            start, end = first * FRAME_MS + FRAME_LAG_MS, (last + 1) * FRAME_MS + FRAME_LAG_MS
            spans.append(Span(start, end, score / frames))
        position += 1
    while position < lead + core and chain[position] == FILLER_WORD:
        spans.append(None)
        position += 1
    return spans if len(spans) == core else None
