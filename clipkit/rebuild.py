"""Rolling caption lines -> timed words (pure: no I/O, no third-party types).

Every reader reduces its input to :class:`TypedLine` objects: each line of speech
exactly once, as it was newly typed on screen, with whatever timing evidence the
source has (``anchors``: character offsets in the line whose time is known, such
as YouTube's inline ``<00:00:01.234>`` word stamps).  This module turns them into
:class:`~clipkit.model.Word` objects, giving untimed words times spread over their
line by length.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from clipkit.model import Word

# A sound tag stays one token even with spaces inside ("[  music]"); ">>" marks a new speaker.
TOKEN = re.compile(r"\[[^\[\]\n]{0,40}\]|\S+")
SPEAKER_MARK = ">>"
MIN_WORD_MS = 80
# How long a word lasts at most when nothing after it says when it ended (the last word
# of a line followed by a long pause or music): about 1/12 s a character, within bounds.
WORD_MS_PER_CHAR = 85
MAX_LAST_WORD_MS = 1200


@dataclass(frozen=True, slots=True)
class TypedLine:
    """One line of speech as it was newly typed, and when.

    ``anchors`` are ``(char_offset, time_ms)`` pairs, sorted, for the positions in
    ``text`` whose start time the source states; the line start is always known
    (``start_ms``) and words between anchors are spread by length.
    """

    start_ms: int
    end_ms: int
    text: str
    anchors: tuple[tuple[int, int], ...] = ()
    speaker_change: bool = False


def words_from_lines(lines: Iterable[TypedLine]) -> list[Word]:
    """Timed words, in order, from the newly typed lines of a rolling caption track."""
    words: list[Word] = []
    pending_speaker_change = False
    line_list = [line for line in lines if line.text.strip()]
    for index, line in enumerate(line_list):
        next_line_start = line_list[index + 1].start_ms if index + 1 < len(line_list) else None
        line_end = line.end_ms
        if next_line_start is not None:
            line_end = min(line_end, next_line_start) if line_end > line.start_ms else next_line_start
        line_end = max(line_end, line.start_ms)
        tokens = [(m.start(), m.group()) for m in TOKEN.finditer(line.text)]
        starts = _token_starts(line, tokens, line_end)
        pending_speaker_change = pending_speaker_change or line.speaker_change
        first_of_line = True
        count = len(tokens)
        for k in range(count):
            text = tokens[k][1]
            if text == SPEAKER_MARK or text == "&gt;&gt;":
                pending_speaker_change = True
                continue
            if text.startswith(SPEAKER_MARK) and len(text) > 2:
                pending_speaker_change = True
                text = text[2:]
            start = starts[k]
            if words and start < words[-1].start_ms:
                start = words[-1].start_ms
            if k + 1 < count:
                end = max(starts[k + 1], start)
            else:
                end = max(line_end, start)
                end = min(end, start + min(MAX_LAST_WORD_MS, MIN_WORD_MS + WORD_MS_PER_CHAR * len(text)))
            if text[0] == "[" and text[-1] == "]":
                end = max(end, min(line_end, start + 7000))
                text = text.strip()
            words.append(
                Word(start, end, text, speaker_change=pending_speaker_change, line_start=first_of_line)
            )
            pending_speaker_change = False
            first_of_line = False
    return words


def _token_starts(line: TypedLine, tokens: Sequence[tuple[int, str]], line_end: int) -> list[int]:
    """Start time of every token: anchored ones as stated, the rest spread by length."""
    anchors = list(line.anchors) or [(0, line.start_ms)]
    if anchors[0][0] > 0:
        anchors.insert(0, (0, line.start_ms))
    offsets = [offset for offset, _ in anchors]
    # Group tokens by the anchor segment they begin in; spread each group over its segment.
    starts = [0] * len(tokens)
    group: list[int] = []
    group_anchor = -1
    for k, (offset, _text) in enumerate(tokens):
        seg = bisect_right(offsets, offset) - 1
        if seg != group_anchor and group:
            _spread(group, tokens, anchors, group_anchor, line_end, starts)
            group = []
        group_anchor = seg
        if _text == SPEAKER_MARK:
            starts[k] = anchors[seg][1]
            continue
        group.append(k)
    if group:
        _spread(group, tokens, anchors, group_anchor, line_end, starts)
    return starts


def _spread(
    group: list[int],
    tokens: Sequence[tuple[int, str]],
    anchors: Sequence[tuple[int, int]],
    seg: int,
    line_end: int,
    starts: list[int],
) -> None:
    seg_start = anchors[seg][1]
    seg_end = anchors[seg + 1][1] if seg + 1 < len(anchors) else line_end
    if len(group) == 1:
        starts[group[0]] = seg_start
        return
    seg_end = max(seg_end, seg_start)
    lengths = [len(tokens[k][1]) + 1 for k in group]
    total = sum(lengths)
    span = seg_end - seg_start
    elapsed = 0
    for k, length in zip(group, lengths):
        starts[k] = seg_start + span * elapsed // total
        elapsed += length
