"""Timed words -> pop-on cues under a :class:`~clipkit.style.CaptionStyle`.

The whole caption policy lives here: where cues break (sentence ends first, then
clause punctuation, then pauses; never after an article, preposition or
conjunction when another break fits), how a cue is laid out on its lines
(balanced, no weak line ends), and when it is on screen (from its first word to
at most ``linger_ms`` after its last, at least ``min_duration_ms``, at most
``max_duration_ms``, ``min_gap_frames`` before the next cue, short gaps closed, every
start and end on a frame of ``fps``: see :meth:`CaptionStyle.snap_to_frame`).
A pause of ``pause_break_ms`` between two words always ends a cue.

Cue boundaries are chosen greedily, one cue at a time, scoring every candidate
end that fits; that is linear in the number of words, which matters on
multi-hour transcripts.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress
from operator import and_
from typing import NamedTuple

from clipkit.authored import repair_cues
from clipkit.model import Cue, Transcript, Word
from clipkit.style import CaptionStyle
from clipkit.text import CLAUSE_END, CLOSERS, OPENERS, SENTENCE_END, final_mark, is_sound_tag

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

# Scores (dimensionless): what a break after a word is worth.
SCORE_SENTENCE = 10.0
SCORE_CLAUSE = 5.0
SCORE_PAUSE_PER_100MS = 1.0
SCORE_PAUSE_MAX = 8.0
PENALTY_WEAK_END = 14.0
PENALTY_LEANING_END = 3.0
PENALTY_INSIDE_NAME = 4.0  # between two capitalised words, likely one name, ...
TERM_MIN_REPEATS = 3  # ... or inside a pair of words the talk keeps using ("deep research")
# What a cue's layout costs it: a line (not the cue) ending on a weak word, or splitting a
# name across its lines ("Wells / Fargo") when another cue end lays out cleanly.
PENALTY_WEAK_LINE_END = PENALTY_WEAK_END
PENALTY_INSIDE_NAME_LINE = 8.0
# Ending a cue one or two words before a sentence ends leaves them dangling at the top of
# the next cue ("when I grew | up. Yeah."): the sentence should end in the cue or start
# the next one.
PENALTY_DANGLING_END = 7.0
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
    pause_after: list[bool]  # ... because a long pause follows it
    weak: list[bool]
    inside_name: list[bool]  # a break after word i would split a name or a term
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
    prepared = _prepare(words, style, transcript.exact_word_times)
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


_AROUND_WORD = CLOSERS + SENTENCE_END + CLAUSE_END + OPENERS


def _core(text: str) -> str:
    return text.strip(_AROUND_WORD).lower()


def _prepare(words: Sequence[Word], style: CaptionStyle, exact_times: bool) -> _Prepared:
    count = len(words)
    line_start_bonus = 0.0 if exact_times else LINE_START_BONUS
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
    pause_after = [False] * count
    inside_name = [False] * count
    break_score[-1] += SCORE_SENTENCE
    cue_break_score[-1] += SCORE_SENTENCE
    hold_alone = style.min_duration_ms + style.min_gap_ms
    # only where word times are exact: a gap between estimated times is no known pause
    pause_break = style.pause_break_ms if exact_times else math.inf
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
            inside_name[i] = True
        if bonus:
            break_score[i] += bonus
            cue_break_score[i] += bonus
        if next_speaker:
            hard[i] = True
        elif next_start - start >= pause_break:
            hard[i] = pause_after[i] = True
        elif here.sound_tag or after.sound_tag:
            hard[i] = _sound_tag_stands_alone(i, texts, starts, hold_alone)
    for i in _inside_repeated_terms(word_facts):
        if not inside_name[i]:
            inside_name[i] = True
            break_score[i] -= PENALTY_INSIDE_NAME
            cue_break_score[i] -= PENALTY_INSIDE_NAME
    sentence_ends = {text for text, f in facts.items() if f.score == SCORE_SENTENCE}
    for i in _dangling_ends(texts, sentence_ends, word_facts, hard):
        cue_break_score[i] -= PENALTY_DANGLING_END
    if line_start_bonus:
        uncertain = _midline_uncertainty(words)
        for i in range(count - 1):
            following = i + 1
            if words[following].line_start:
                cue_break_score[i] += line_start_bonus
            elif uncertain[following]:
                cue_break_score[i] -= PENALTY_PER_UNCERTAIN_S * uncertain[following]
    return _Prepared(
        texts,
        starts,
        ends,
        cum,
        break_score,
        cue_break_score,
        hard,
        pause_after,
        weak,
        inside_name,
        speaker,
    )


def _inside_repeated_terms(word_facts: list[_WordFacts]) -> list[int]:
    """Every word i that, with word i + 1, is a pair of content words the transcript uses
    at least TERM_MIN_REPEATS times ("deep research", "vibe coding"): a term, best kept
    on one line like a name."""
    candidates = map(
        and_, [f.may_end_term for f in word_facts], [f.may_start_term for f in word_facts[1:]]
    )
    positions = list(compress(range(len(word_facts) - 1), candidates))
    # the pairs as "first\0second" strings: thousands of tuples kept in a Counter would
    # wake the garbage collector over every Word of the transcript, several times
    keys = [f"{word_facts[i].core}\0{word_facts[i + 1].core}" for i in positions]
    terms = {key for key, uses in Counter(keys).items() if uses >= TERM_MIN_REPEATS}
    return [
        i
        for i, key in zip(positions, keys)
        if key in terms and word_facts[i].core != word_facts[i + 1].core
    ]


def _dangling_ends(
    texts: list[str], sentence_ends: set[str], word_facts: list[_WordFacts], hard: list[bool]
) -> set[int]:
    """Every word i a cue should not end on because a sentence ends one or two words later
    (and word i ends no clause): those words would open the next cue on their own."""
    found: set[int] = set()
    for end in [i for i, text in enumerate(texts) if text in sentence_ends]:
        before = end - 1
        if before >= 0 and not hard[before] and word_facts[before].score <= 0:
            found.add(before)
        two_before = end - 2
        if (
            two_before >= 0
            and not hard[two_before]
            and not hard[before]
            and word_facts[two_before].score <= 0
        ):
            found.add(two_before)
    return found


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
    sound_tag: bool  # [Music], [Applause]: a cue of its own when there is time
    core: str  # lower case, punctuation around it removed
    may_end_term: bool  # a content word with nothing after it: "deep" in "deep research" ...
    may_start_term: bool  # ... and a content word: "research"


def _word_facts(text: str) -> _WordFacts:
    core = _core(text)
    last = final_mark(text)
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
    content = bool(core) and not weak and core not in LEANING_WORDS and text[0] != "["
    return _WordFacts(
        score,
        core in CLAUSE_STARTERS,
        weak,
        80 + 60 * len(text),
        capitalised and score == 0.0,
        capitalised,
        is_sound_tag(text),
        core,
        content and score == 0.0,
        content,
    )


_CAPITALISED_ALWAYS = frozenset({"I", "I'm", "I've", "I'll", "I'd", "OK", "Okay"})


def _sound_tag_stands_alone(i: int, texts: list[str], starts: list[int], hold: int) -> bool:
    """A break after word i that a sound tag next to it needs, if it can be a cue of its own."""

    def is_tag(k: int) -> bool:
        return is_sound_tag(texts[k])

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
            chosen, sure = _best_laid_out(p, style, first, candidates)
            if chosen is not None:
                best_last = chosen
                # pruned candidates were left out against the best score before layout:
                # when the best laid out lost to its layout, one of them may beat it
                if sure or not prune:
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
) -> tuple[int | None, bool]:
    """The best candidate end whose words can be laid out, a weak line end or a name split
    across lines counting against it (a cue one word shorter usually splits cleanly), or
    None; and whether it is the best candidate before layout too."""
    best: int | None = None
    best_score = float("-inf")
    top = sure = True
    weak, inside_name = p.weak, p.inside_name
    for score, last in sorted(candidates, reverse=True):
        if score <= best_score:
            break  # the rest score lower still, before any layout penalty
        if last == first:
            ends = [last]
        else:
            found = _line_ends(p, first, last, style)
            if found is None:
                top = False
                continue
            ends = found
        laid_out = score
        weak_line = name_split = False
        for end in ends[:-1]:  # every line end but the cue's
            weak_line = weak_line or weak[end]
            name_split = name_split or inside_name[end]
        if weak_line:
            laid_out -= PENALTY_WEAK_LINE_END
        if name_split:
            laid_out -= PENALTY_INSIDE_NAME_LINE
        if laid_out > best_score:
            best, best_score = last, laid_out
            sure = top and laid_out == score
        top = False
    return best, best is not None and sure


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
    """Join a cue too short to read onto a neighbour when the two fit in one cue (never
    across a speaker change or a long pause)."""
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
                and not p.pause_after[last]
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
                and not p.pause_after[first - 1]
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
    """Every span's cue on screen, each start and end on a frame (style.snap_to_frame):
    from the frame nearest its first word (or ``min_gap_frames`` after the cue before, if
    that one had to be held) to the frame nearest ``linger_ms`` after its last word, at
    least ``min_duration_ms`` and at most ``max_duration_ms`` in whole frames, ending
    ``min_gap_frames`` before the next cue, or exactly that when the gap is short."""
    frame_ms, frame_index = style.frame_ms, style.frame_index
    gap_frames = style.min_gap_frames
    min_duration, max_duration = style.min_duration_ms, style.max_duration_ms
    close_gap, linger = style.close_gap_ms, style.linger_ms
    starts, ends = p.starts, p.ends
    cues: list[Cue] = []
    count = len(spans)
    previous_end_frame: int | None = None
    start_frame = frame_index(starts[spans[0][0]]) if spans else 0
    for index, (first, last, split) in enumerate(spans):
        if previous_end_frame is not None and start_frame < previous_end_frame + gap_frames:
            # the previous cue was already cut to make room; never start before it ends
            start_frame = previous_end_frame + gap_frames
        start = frame_ms(start_frame)
        spoken_end = ends[last]
        if not (first == last and words[first].is_sound_tag):
            spoken_end += linger
        end_frame = frame_index(spoken_end)
        # the frames that give the cue at least its minimum and at most its maximum length
        # (the maximum wins when less than a frame lies between them)
        longest = frame_index(start + max_duration)
        if frame_ms(longest) > start + max_duration:
            longest -= 1
        shortest = frame_index(start + min_duration)
        if frame_ms(shortest) < start + min_duration:
            shortest += 1
        if shortest > longest:
            shortest = longest
        if end_frame < shortest:
            end_frame = shortest
        next_start_frame = 0
        if index + 1 < count:
            next_start_frame = frame_index(starts[spans[index + 1][0]])
            limit = next_start_frame - gap_frames
            if end_frame >= limit or frame_ms(limit) - frame_ms(end_frame) <= close_gap:
                end_frame = limit
        if end_frame > longest:
            end_frame = longest
        if end_frame < shortest:
            # Too quick to read and nothing to merge with: hold it, the next cue waits.
            end_frame = shortest
        if end_frame <= start_frame:
            end_frame = start_frame + 1
        previous_end_frame = end_frame
        end = frame_ms(end_frame)
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
        start_frame = next_start_frame
    return cues
