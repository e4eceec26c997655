"""Timed words -> pop-on cues under a :class:`~clipkit.style.CaptionStyle`.

The whole caption policy lives here: where cues break (sentence ends first, then
clause punctuation, then pauses; never after an article, preposition or
conjunction when another break fits), how a cue is laid out on its lines
(balanced, no weak line ends), and when it is on screen (from its first word to
at most ``linger_ms`` after its last, at least ``min_duration_ms``, at most
``max_duration_ms``, ``min_gap_frames`` before the next cue, short gaps closed).

Cue boundaries are chosen greedily, one cue at a time, scoring every candidate
end that fits; that is linear in the number of words, which matters on
multi-hour transcripts.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import NamedTuple

from clipkit.authored import repair_cues
from clipkit.model import Cue, Transcript, Word
from clipkit.style import CaptionStyle

# Words a line or a cue should not end on (articles, prepositions, conjunctions,
# determiners and possessives that lean on the next word).
WEAK_WORDS = frozenset(
    """a an the to of in on at for with and or but nor from by as into onto upon about
    over under than if so yet my your his her our their its this that these those via
    per between through during without within across against toward towards among
    because while although though whether unless until since whose which whom
    le la les un une des du de et ou mais dans sur pour avec par au aux en à son sa ses
    mon ma mes ton ta tes notre votre leur leurs ce cet cette ces qui que""".split()
)
# Words that read better kept with what follows, but may end a line when nothing else fits.
LEANING_WORDS = frozenset(
    """i i'm we're you're they're it's that's there's he's she's we you they he she it
    is are was were be been am not no just very really also even only like then when
    where what who je tu il elle nous vous ils elles ne""".split()
)
SENTENCE_END = ".?!…"
CLAUSE_END = ",;:—–"
CLOSERS = "\"'”’)]»"

# Scores (dimensionless): what a break after a word is worth.
SCORE_SENTENCE = 10.0
SCORE_CLAUSE = 5.0
SCORE_PAUSE_PER_100MS = 1.0
SCORE_PAUSE_MAX = 8.0
PENALTY_WEAK_END = 14.0
PENALTY_LEANING_END = 3.0
PENALTY_INSIDE_NAME = 4.0  # between two capitalised words, likely one name
BONUS_BEFORE_CONJUNCTION = 1.5
FILL_BONUS_PER_CHAR = 0.08
PENALTY_TOO_SHORT = 25.0
PENALTY_ORPHAN = 12.0
PENALTY_PER_EXCESS_CPS = 0.6
# Where word times are estimated, a cue starting with a source line starts on time.
LINE_START_BONUS = 6.0
# ... while a word inside a line was timed by spreading the line's time by length, and
# speech drifts from that the further the word is from both ends of the line (a bridge:
# sqrt(elapsed * remaining / line time)).  Past about half a second (a line start's own
# worst case: it is known to its second) starting a cue there costs this much a second.
MIDLINE_FREE_UNCERTAINTY_S = 0.5
PENALTY_PER_UNCERTAIN_S = 6.0
CLAUSE_STARTERS = frozenset(
    "and but or so because which that who when where while although though if then".split()
)


# A cue's words: (first, last, split) where split is the last word of the first
# speaker's line in a two-speaker cue, or NO_SPLIT.
Span = tuple[int, int, int]
NO_SPLIT = -1


@dataclass(frozen=True, slots=True)
class _Prepared:
    """Per-word facts the segmenter consults many times (plain lists: fast)."""

    texts: list[str]
    starts: list[int]
    ends: list[int]
    cum_chars: list[int]  # cum_chars[i] = chars of words[:i] (no spaces)
    break_score: list[float]  # how good it is to break a line after word i
    cue_break_score: list[float]  # how good it is to end a cue after word i
    hard_break: list[bool]  # must break after word i
    weak: list[bool]
    speaker: list[bool]
    # _line_ends(first, last) already worked out: choosing a cue's end lays it out, and
    # merging and writing the cue lay out the same words again.
    line_ends_memo: dict[tuple[int, int], list[int] | None] = field(default_factory=dict)


def build_cues(transcript: Transcript, style: CaptionStyle | None = None) -> list[Cue]:
    """Pop-on cues for a transcript: every word once, in order.

    Authored captions keep their own cues, only repaired (:mod:`clipkit.authored`),
    unless ``style.resegment``.
    """
    style = style or CaptionStyle()
    if transcript.authored_cues and not style.resegment:
        return repair_cues(transcript.authored_cues, style)
    words: Sequence[Word] = transcript.words
    if not style.sound_tags:
        words = _without_sound_tags(words)
    if not words:
        return []
    line_start_bonus = 0.0 if transcript.exact_word_times else LINE_START_BONUS
    prepared = _prepare(words, style, line_start_bonus)
    if style.mode == "lines":
        spans = _line_spans(words, prepared)
    else:
        spans = _merge_short_spans(_cue_spans(prepared, style), prepared, style)
    return _timed_cues(words, spans, prepared, style)


def _without_sound_tags(words: Sequence[Word]) -> list[Word]:
    kept: list[Word] = []
    carry_speaker = False
    for word in words:
        if word.is_sound_tag:
            carry_speaker = carry_speaker or word.speaker_change
            continue
        if carry_speaker and not word.speaker_change:
            word = Word(word.start_ms, word.end_ms, word.text, True, word.line_start)
        carry_speaker = False
        kept.append(word)
    return kept


_AROUND_WORD = CLOSERS + SENTENCE_END + CLAUSE_END + "\"'(“‘["


def _core(text: str) -> str:
    return text.strip(_AROUND_WORD).lower()


def _prepare(words: Sequence[Word], style: CaptionStyle, line_start_bonus: float) -> _Prepared:
    count = len(words)
    texts = [w.text for w in words]
    starts = [w.start_ms for w in words]
    ends = [w.end_ms for w in words]
    speaker = [w.speaker_change for w in words]
    cum = [0, *accumulate(map(len, texts))]
    # Everything about a word that depends on its text alone is worked out once per
    # distinct word (talks repeat their words a lot); the loop below only looks it up.
    facts = {text: _word_facts(text) for text in set(texts)}
    word_facts = [facts[t] for t in texts]
    weak = [f.weak for f in word_facts]
    break_score = [f.score for f in word_facts]
    cue_break_score = break_score[:]
    hard = [False] * count
    hard[-1] = True
    break_score[-1] += SCORE_SENTENCE
    cue_break_score[-1] += SCORE_SENTENCE
    hold_alone = style.min_duration_ms + style.min_gap_ms
    pause_score = SCORE_PAUSE_PER_100MS / 100
    # Once per word of multi-hour transcripts: pairs (word i, word i + 1) come from zip
    # rather than indexing, and the rare cases (sound tags, speakers) are tested last.
    for i, (here, after, start, next_start, next_speaker) in enumerate(
        zip(word_facts, word_facts[1:], starts, starts[1:], speaker[1:])
    ):
        bonus = 0.0
        pause = next_start - start - here.pause_ms
        if pause > 0:
            bonus = min(SCORE_PAUSE_MAX, pause * pause_score)
        if after.opens_clause:
            bonus += BONUS_BEFORE_CONJUNCTION
        if here.may_end_name and after.may_start_name:  # a break would split a name
            bonus -= PENALTY_INSIDE_NAME
        if bonus:
            break_score[i] += bonus
            cue_break_score[i] += bonus
        if next_speaker:
            hard[i] = True
        elif here.bracket or after.bracket:
            hard[i] = _sound_tag_stands_alone(i, texts, starts, hold_alone)
    if line_start_bonus:
        uncertain = _midline_uncertainty(words)
        for i in range(count - 1):
            following = i + 1
            if words[following].line_start:
                cue_break_score[i] += line_start_bonus
            elif uncertain[following]:
                cue_break_score[i] -= PENALTY_PER_UNCERTAIN_S * uncertain[following]
    return _Prepared(texts, starts, ends, cum, break_score, cue_break_score, hard, weak, speaker)


def _midline_uncertainty(words: Sequence[Word]) -> list[float]:
    """How much worse than a line start (seconds) the estimated start of every word is.

    Zero for line starts and for words near either end of their line; the last line
    has no known end and is left alone.
    """
    count = len(words)
    uncertain = [0.0] * count
    line_first = 0
    next_first = 0
    for i in range(count):
        if i == next_first:
            line_first = i
            next_first = i + 1
            while next_first < count and not words[next_first].line_start:
                next_first += 1
            continue
        if next_first >= count:
            break
        begin = words[line_first].start_ms
        line_ms = words[next_first].start_ms - begin
        elapsed = words[i].start_ms - begin
        if line_ms <= 0 or not 0 < elapsed < line_ms:
            continue
        spread_s = math.sqrt(elapsed * (line_ms - elapsed) / line_ms / 1000)
        uncertain[i] = max(0.0, spread_s - MIDLINE_FREE_UNCERTAINTY_S)
    return uncertain


class _WordFacts(NamedTuple):
    """What segmenting needs to know about a word from its text alone."""

    score: float  # as a line end
    opens_clause: bool
    weak: bool  # a weak line end
    pause_ms: int  # how long saying it takes, for telling a pause after it
    may_end_name: bool  # a break after it may split a name ("Wells | Fargo") ...
    may_start_name: bool  # ... when the next word may start one
    bracket: bool  # starts with "[": maybe a sound tag


def _word_facts(text: str) -> _WordFacts:
    core = _core(text)
    bare = text.rstrip(CLOSERS)
    last = bare[-1:]
    weak = core in WEAK_WORDS
    if last and last in SENTENCE_END:
        score = SCORE_SENTENCE
    elif last and last in CLAUSE_END:
        score = SCORE_CLAUSE
    elif weak:
        score = -PENALTY_WEAK_END
    elif core in LEANING_WORDS:
        score = -PENALTY_LEANING_END
    else:
        score = 0.0
    capitalised = text[:1].isupper() and text not in _CAPITALISED_ALWAYS
    return _WordFacts(
        score,
        core in CLAUSE_STARTERS,
        weak,
        80 + 60 * len(text),
        capitalised and score == 0.0,
        capitalised,
        text[0] == "[",
    )


_CAPITALISED_ALWAYS = frozenset({"I", "I'm", "I've", "I'll", "I'd", "OK", "Okay"})


def _sound_tag_stands_alone(i: int, texts: list[str], starts: list[int], hold: int) -> bool:
    """A break after word i that a sound tag next to it needs, if it can be a cue of its own."""

    def is_tag(k: int) -> bool:
        return texts[k][0] == "[" and texts[k][-1] == "]"

    def has_room(k: int) -> bool:
        return k + 1 >= len(starts) or starts[k + 1] - starts[k] >= hold

    return (is_tag(i) and has_room(i)) or (is_tag(i + 1) and has_room(i + 1))


def _marker_len(prepared: _Prepared, first: int, style: CaptionStyle) -> int:
    return len(style.speaker_marker) if prepared.speaker[first] else 0


def _cue_spans(p: _Prepared, style: CaptionStyle) -> list[Span]:
    """Choose cue boundaries: (first, last, dialogue split) word indices."""
    count = len(p.texts)
    capacity = style.max_chars * style.max_lines
    min_gap = style.min_gap_ms
    min_duration = style.min_duration_ms
    max_duration = style.max_duration_ms
    starts, ends, cum = p.starts, p.ends, p.cum_chars
    run_ends = _run_ends(p.hard_break)
    # chars(first..last) with spaces = ends_at[last] - (cum[first] + first)
    ends_at = [cum[i + 1] + i for i in range(count)]
    spans: list[Span] = []
    first = 0
    while first < count:
        cue_start = starts[first]
        run_end = run_ends[first]  # the last word before a break that must come
        base = cum[first] + first - _marker_len(p, first, style)
        # the furthest word that still fits the cue's characters and duration
        furthest = bisect_right(ends_at, capacity + base, first, run_end + 1) - 1
        furthest = bisect_right(starts, cue_start + max_duration, first, furthest + 1) - 1
        while furthest > first and ends[furthest] - cue_start > max_duration:
            furthest -= 1
        furthest = max(furthest, first)
        best_last = first  # a single word longer than a cue is shown anyway
        for prune in (True, False):
            candidates = _scored_ends(p, style, first, furthest, run_end, base, ends_at, prune)
            chosen = _best_laid_out(p, style, first, candidates)
            if chosen is not None:
                best_last = chosen
                break
        if (
            best_last == run_end
            and style.max_lines >= 2
            and run_end + 1 < count
            and p.speaker[run_end + 1]
        ):
            room = starts[run_end + 1] - min_gap - cue_start
            if room < min_duration:
                dialogue_last = _dialogue_reply(p, first, run_end, style)
                if dialogue_last is not None:
                    spans.append((first, dialogue_last, run_end))
                    first = dialogue_last + 1
                    continue
        spans.append((first, best_last, NO_SPLIT))
        first = best_last + 1
    return spans


def _best_laid_out(
    p: _Prepared, style: CaptionStyle, first: int, candidates: list[tuple[float, int]]
) -> int | None:
    """The best candidate end whose words can be laid out, a weak line end counting
    against it (a cue one word shorter usually splits cleanly), or None."""
    best: int | None = None
    best_score = float("-inf")
    for score, last in sorted(candidates, reverse=True):
        if score <= best_score:
            break  # the rest score lower still, before any layout penalty
        if last == first:
            ends = [last]
        else:
            found = _line_ends(p, first, last, style)
            if found is None:
                continue
            ends = found
        if any(p.weak[end] for end in ends[:-1]):
            score -= PENALTY_WEAK_END
        if score > best_score:
            best, best_score = last, score
    return best


def _scored_ends(
    p: _Prepared,
    style: CaptionStyle,
    first: int,
    furthest: int,
    run_end: int,
    base: int,
    ends_at: list[int],
    prune: bool,
) -> list[tuple[float, int]]:
    """(score, last word) of the cues first..last that fit, scored from the furthest back.

    With ``prune``, a candidate whose break score and fill bonus (an upper bound: the
    penalties only subtract) cannot beat the best so far is skipped.
    """
    starts, ends, cum = p.starts, p.ends, p.cum_chars
    cue_break_score = p.cue_break_score
    count = len(starts)
    last_word = count - 1
    cue_start = starts[first]
    min_gap = style.min_gap_ms
    min_duration = style.min_duration_ms
    linger = style.linger_ms
    max_cps = style.max_cps
    candidates: list[tuple[float, int]] = []
    best = float("-inf")
    for last in range(furthest, first - 1, -1):
        chars = ends_at[last] - base
        score = cue_break_score[last] + FILL_BONUS_PER_CHAR * chars
        if prune and score <= best:
            continue
        if last < last_word:
            room = starts[last + 1] - min_gap - cue_start
            if room < min_duration:
                score -= PENALTY_TOO_SHORT
            # min()/max() of ints spelled as comparisons: a builtin call costs more, and
            # this runs for every candidate end of every cue
            shown = ends[last] + linger - cue_start
            if room < shown:
                shown = room
            least = room if room < min_duration else min_duration
            if shown < least:
                shown = least
            if shown < 1:
                shown = 1
            cps = chars * 1000 / shown
            if cps > max_cps:
                score -= PENALTY_PER_EXCESS_CPS * (cps - max_cps)
            if last < run_end:
                rest_chars = cum[run_end + 1] - cum[last + 1]
                rest_span = ends[run_end] + linger - starts[last + 1]
                if rest_span < min_duration or rest_chars < 8:
                    score -= PENALTY_ORPHAN
        candidates.append((score, last))
        if score > best:
            best = score
    return candidates


def _run_ends(hard_break: list[bool]) -> list[int]:
    """For every word, the index of the first word at or after it that must end a cue."""
    run_ends = [0] * len(hard_break)
    following = len(hard_break) - 1
    for index in range(len(hard_break) - 1, -1, -1):
        if hard_break[index]:
            following = index
        run_ends[index] = following
    return run_ends


def _merge_short_spans(spans: list[Span], p: _Prepared, style: CaptionStyle) -> list[Span]:
    """Join a cue too short to read onto a neighbour when the two fit in one cue."""
    merged: list[Span] = []
    min_gap = style.min_gap_ms
    index = 0
    while index < len(spans):
        first, last, split = spans[index]
        if split == NO_SPLIT and index + 1 < len(spans):
            next_first, next_last, next_split = spans[index + 1]
            room = p.starts[next_first] - min_gap - p.starts[first]
            if (
                room < style.min_duration_ms
                and next_split == NO_SPLIT
                and not p.speaker[next_first]
                and p.ends[next_last] - p.starts[first] <= style.max_duration_ms
                and _layout(p, first, next_last, style) is not None
            ):
                merged.append((first, next_last, NO_SPLIT))
                index += 2
                continue
        if merged and split == NO_SPLIT and merged[-1][2] == NO_SPLIT and index + 1 < len(spans):
            prev_first = merged[-1][0]
            room = p.starts[spans[index + 1][0]] - min_gap - p.starts[first]
            if (
                room < style.min_duration_ms
                and not p.speaker[first]
                and p.ends[last] - p.starts[prev_first] <= style.max_duration_ms
                and _layout(p, prev_first, last, style) is not None
            ):
                merged[-1] = (prev_first, last, NO_SPLIT)
                index += 1
                continue
        merged.append((first, last, split))
        index += 1
    return merged


def _dialogue_reply(p: _Prepared, first: int, split: int, style: CaptionStyle) -> int | None:
    """Last word of the next speaker's line that can share a cue with a short turn.

    Two speakers in one cue, one line each, both lines marked: the usual way to
    show a reply too quick for a cue of its own.
    """
    marker = len(style.speaker_marker)
    cum = p.cum_chars
    if cum[split + 1] - cum[first] + (split - first) + marker > style.max_chars:
        return None
    reply = split + 1
    best: int | None = None
    best_score = float("-inf")
    last = reply
    count = len(p.texts)
    while last < count:
        chars = cum[last + 1] - cum[reply] + (last - reply) + marker
        if chars > style.max_chars or p.ends[last] - p.starts[first] > style.max_duration_ms:
            break
        score = p.cue_break_score[last] + FILL_BONUS_PER_CHAR * chars
        if last + 1 < count and p.starts[last + 1] - p.starts[first] < style.min_duration_ms:
            score -= PENALTY_TOO_SHORT
        if score > best_score:
            best, best_score = last, score
        if p.hard_break[last]:
            break
        last += 1
    return best


def _line_spans(words: Sequence[Word], p: _Prepared) -> list[Span]:
    """--mode lines: one cue per spoken line of the source."""
    spans: list[Span] = []
    first = 0
    for i in range(1, len(words) + 1):
        if i == len(words) or words[i].line_start or p.hard_break[i - 1]:
            spans.append((first, i - 1, NO_SPLIT))
            first = i
    return spans


def _layout(p: _Prepared, first: int, last: int, style: CaptionStyle) -> list[str] | None:
    """Lay words first..last out on at most max_lines lines, or None if they do not fit."""
    ends = _line_ends(p, first, last, style)
    if ends is None:
        return None
    texts = p.texts
    lines: list[str] = []
    begin = first
    for end in ends:
        lines.append(" ".join(texts[begin : end + 1]))
        begin = end + 1
    if p.speaker[first]:
        lines[0] = style.speaker_marker + lines[0]
    return lines


def _line_ends(p: _Prepared, first: int, last: int, style: CaptionStyle) -> list[int] | None:
    """The last word of every line of a cue first..last, or None if it does not fit."""
    key = (first, last)
    memo = p.line_ends_memo
    if key in memo:
        return memo[key]
    found = _fresh_line_ends(p, first, last, style)
    memo[key] = found
    return found


def _fresh_line_ends(p: _Prepared, first: int, last: int, style: CaptionStyle) -> list[int] | None:
    marker = len(style.speaker_marker) if p.speaker[first] else 0
    total = p.cum_chars[last + 1] - p.cum_chars[first] + (last - first) + marker
    if total <= style.max_chars or first == last:
        return [last]
    if style.max_lines == 1:
        return None
    return _split(p, first, last, style.max_lines, style.max_chars, marker)


def _split(
    p: _Prepared, first: int, last: int, max_lines: int, max_chars: int, marker: int
) -> list[int] | None:
    """Line ends (word indices) for a balanced layout of first..last, or None."""
    cum = p.cum_chars
    break_score, weak = p.break_score, p.weak
    total = cum[last + 1] - cum[first] + (last - first) + marker
    ideal = total / 2 if max_lines == 2 else total / max_lines
    best_cost = float("inf")
    best: list[int] | None = None
    for k in range(first, last):
        one = cum[k + 1] - cum[first] + (k - first) + marker
        if one > max_chars:
            break
        two = total - one - 1
        cost = abs(one - ideal) * 0.25 - min(break_score[k], SCORE_SENTENCE) * 0.8
        if weak[k]:
            cost += PENALTY_WEAK_END
        if two > max_chars:
            if max_lines <= 2:
                continue
            rest = _split(p, k + 1, last, max_lines - 1, max_chars, 0)
            if rest is None:
                continue
            cost += 5.0 * len(rest)
            if cost < best_cost:
                best_cost, best = cost, [k, *rest]
            continue
        if one > two:  # prefer the bottom-heavy shape, but only slightly
            cost += 1.0
        if cost < best_cost:
            best_cost, best = cost, [k, last]
    return best


def _timed_cues(
    words: Sequence[Word], spans: list[Span], p: _Prepared, style: CaptionStyle
) -> list[Cue]:
    min_gap = style.min_gap_ms
    cues: list[Cue] = []
    for index, (first, last, split) in enumerate(spans):
        start = p.starts[first]
        if cues and start < cues[-1].end_ms + min_gap:
            # the previous cue was already cut to make room; never start before it ends
            start = max(start, cues[-1].end_ms + min_gap)
        next_start = p.starts[spans[index + 1][0]] if index + 1 < len(spans) else None
        limit = next_start - min_gap if next_start is not None else None
        is_sound = first == last and words[first].is_sound_tag
        spoken_end = p.ends[last]
        end = spoken_end if is_sound else spoken_end + style.linger_ms
        end = max(end, start + style.min_duration_ms)
        if limit is not None:
            if limit - end <= style.close_gap_ms:
                end = limit
            end = min(end, limit)
        end = min(end, start + style.max_duration_ms)
        if end - start < style.min_duration_ms:
            # Too quick to read and nothing to merge with: hold it, the next cue waits.
            end = start + style.min_duration_ms
        if split != NO_SPLIT:
            marker = style.speaker_marker
            lines = [
                marker + " ".join(p.texts[first : split + 1]),
                marker + " ".join(p.texts[split + 1 : last + 1]),
            ]
        elif style.mode == "lines":
            lines = [" ".join(p.texts[first : last + 1])]
            if len(lines[0]) > style.max_chars:
                lines = _layout(p, first, last, style) or lines
            elif p.speaker[first]:
                lines = [style.speaker_marker + lines[0]]
        else:
            lines = _layout(p, first, last, style) or [" ".join(p.texts[first : last + 1])]
        cues.append(Cue(start, end, tuple(lines), tuple(words[first : last + 1])))
    return cues
