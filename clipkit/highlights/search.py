"""Finding quotes in a transcript: for ``from:``/``to:`` highlights and ``clipkit find``.

Quotes are matched ignoring case and punctuation (:func:`clipkit.text.normalize`),
tolerating small recognition slips (rapidfuzz's ratio); a quote found nowhere, or in more
than one place, is a :class:`~clipkit.errors.HighlightError` listing the candidate times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from clipkit.highlights.files import HighlightSpec
from clipkit.model import Transcript, Word
from clipkit.text import Sentence, match_tokens, normalize, sentences
from clipkit.timefmt import format_time

__all__ = [
    "FUZZY_THRESHOLD",
    "Finding",
    "QuoteMatch",
    "ResolvedHighlight",
    "closest",
    "find",
    "find_one",
    "resolve",
    "search",
]

#: How similar (0-100, rapidfuzz ratio) a run of words must be to a quote to match it.
FUZZY_THRESHOLD = 85.0


@dataclass(frozen=True, slots=True)
class QuoteMatch:
    """Where a quote is said: its first and last word (transcript indexes) and times."""

    first: int  # index of the first matched word in the transcript
    last: int  # index of the last matched word (inclusive)
    start_ms: int
    end_ms: int
    score: float
    text: str


@dataclass(frozen=True, slots=True)
class ResolvedHighlight:
    """A highlight with its requested span in source milliseconds."""

    spec: HighlightSpec
    start_ms: int
    end_ms: int
    start_match: QuoteMatch | None = None
    end_match: QuoteMatch | None = None


def _word_tokens(words: Sequence[Word]) -> list[tuple[str, int]]:
    return [
        (token, index)
        for index, word in enumerate(words)
        if not word.is_sound_tag and (token := normalize(word.text))
    ]


def search(
    transcript: Transcript,
    quote: str,
    threshold: float = FUZZY_THRESHOLD,
    first_word: int = 0,
) -> list[QuoteMatch]:
    """Every place ``quote`` is said (from ``first_word`` on), best first within each place.

    Exact matches (after normalising case and punctuation) win; without any, windows of
    about the quote's length scoring at least ``threshold`` (rapidfuzz ratio) count.
    Overlapping windows are one place.
    """
    words = transcript.words
    tokens = [(t, i) for t, i in _word_tokens(words) if i >= first_word]
    wanted = match_tokens(quote)
    if not wanted or not tokens:
        return []
    target = " ".join(wanted)
    size = len(wanted)
    exact: list[QuoteMatch] = []
    fuzzy: list[QuoteMatch] = []
    for width in sorted({size, max(1, size - 1), size + 1}):
        for at in range(0, len(tokens) - width + 1):
            window = tokens[at : at + width]
            candidate = " ".join(token for token, _ in window)
            if width == size and candidate == target:
                score = 100.0
            else:
                score = fuzz.ratio(candidate, target)
                if score < threshold:
                    continue
            first, last = window[0][1], window[-1][1]
            match = QuoteMatch(
                first,
                last,
                words[first].start_ms,
                words[last].end_ms,
                score,
                " ".join(w.text for w in words[first : last + 1]),
            )
            (exact if candidate == target else fuzzy).append(match)
    return _distinct(exact or fuzzy)


def _distinct(matches: list[QuoteMatch]) -> list[QuoteMatch]:
    """Keep the best of each group of overlapping matches, in spoken order."""
    kept: list[QuoteMatch] = []
    for match in sorted(matches, key=lambda m: (-m.score, m.last - m.first, m.first)):
        if all(match.last < other.first or match.first > other.last for other in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: m.first)


def closest(transcript: Transcript, quote: str, limit: int = 3) -> list[QuoteMatch]:
    """The best few places for a quote that is not found: for the error message."""
    return sorted(search(transcript, quote, threshold=0.0), key=lambda m: -m.score)[:limit]


def find_one(
    transcript: Transcript, quote: str, spec: HighlightSpec, key: str, first_word: int = 0
) -> QuoteMatch:
    """The one place ``quote`` (the value of ``spec``'s ``key``) is said, from
    ``first_word`` on; a :class:`~clipkit.errors.HighlightError` at that key if it is said
    nowhere (naming the closest places) or more than once (naming them all)."""
    matches = search(transcript, quote, first_word=first_word)
    if len(matches) == 1:
        return matches[0]
    where = "" if not first_word else " after the start"
    if not matches:
        near = ", ".join(
            f'{format_time(m.start_ms)} "{m.text}"'
            for m in closest(transcript, quote)
            if m.first >= first_word
        )
        hint = f" (closest: {near})" if near else ""
        raise spec.error(f"{key}: quote {quote!r} not found in the transcript{where}{hint}", key)
    listed = ", ".join(f'{format_time(m.start_ms)} "{m.text}"' for m in matches[:8])
    more = f" and {len(matches) - 8} more" if len(matches) > 8 else ""
    raise spec.error(
        f"{key}: quote {quote!r} found {len(matches)} times{where}: {listed}{more}; "
        "quote more words to pick one",
        key,
    )


def resolve(spec: HighlightSpec, transcript: Transcript | None) -> ResolvedHighlight:
    """Turn quotes into times; checks that the span is not empty."""
    start_match = end_match = None
    has_quote = spec.from_quote is not None or spec.to_quote is not None
    if has_quote and (transcript is None or not transcript.words):
        key = "from" if spec.from_quote else "to"
        raise spec.error(f"{key}: quotes need captions to be found in", key)
    start = spec.start_ms
    if spec.from_quote is not None:
        assert transcript is not None
        start_match = find_one(transcript, spec.from_quote, spec, "from")
        start = start_match.start_ms
    assert start is not None
    end = spec.end_ms
    if spec.to_quote is not None:
        assert transcript is not None
        first_word = start_match.first if start_match else _first_word_at(transcript, start)
        end_match = find_one(transcript, spec.to_quote, spec, "to", first_word)
        end = end_match.end_ms
    assert end is not None
    if end <= start:
        key = "to" if spec.to_quote else "end"
        raise spec.error(f"end {format_time(end)} is not after start {format_time(start)}", key)
    return ResolvedHighlight(spec, start, end, start_match, end_match)


def _first_word_at(transcript: Transcript, ms: int) -> int:
    for index, word in enumerate(transcript.words):
        if word.end_ms > ms:
            return index
    return len(transcript.words)


@dataclass(frozen=True, slots=True)
class Finding:
    """One place a phrase is said, with the sentences it starts and ends in."""

    match: QuoteMatch
    sentence_start: Sentence
    sentence_end: Sentence

    @property
    def context(self) -> str:
        """The whole sentences around the match, as one line."""
        if self.sentence_start == self.sentence_end:
            return self.sentence_start.text
        return f"{self.sentence_start.text} {self.sentence_end.text}"


def find(transcript: Transcript, query: str, threshold: float = FUZZY_THRESHOLD) -> list[Finding]:
    """Every match of ``query`` with the whole sentences around it."""
    spans = sentences(transcript.words)
    findings = []
    for match in search(transcript, query, threshold):
        first = next(s for s in spans if s.first <= match.first <= s.last)
        last = next(s for s in spans if s.first <= match.last <= s.last)
        findings.append(Finding(match, first, last))
    return findings
