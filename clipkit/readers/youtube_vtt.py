"""YouTube's automatic (rolling) WebVTT as yt-dlp writes it.

Each cue shows the previous line and types a new one word by word
(``word<00:00:01.234><c> next</c>``); a 10 ms cue in between shows the finished
line alone.  Old youtube-dl files add a ``Style:`` block, ``##`` and
``<c.colorE5E5E5>`` spans; live-stream files have no header and inline times
relative to the cue.  Only the newly typed line of each cue is new speech.
"""

from __future__ import annotations

import re

from clipkit.errors import CaptionParseError
from clipkit.model import Transcript
from clipkit.readers.cuefile import (
    INLINE_TIMESTAMP,
    parse_time_ms,
    plain_text,
    scan_cues,
)
from clipkit.rebuild import TypedLine, words_from_lines

FORMAT_ID = "youtube-vtt"
DESCRIPTION = "YouTube automatic captions as WebVTT with inline word times (yt-dlp)"
TRANSITION_MAX_MS = 20
_INLINE_WITH_C = re.compile(r"<(?:\d+:)?\d{2}:\d{2}[.,]\d{3}><c[ .>]")


def sniff(text: str) -> bool:
    return _INLINE_WITH_C.search(text, 0, 200_000) is not None


def read(text: str, source: str) -> Transcript:
    head = text.lstrip("\ufeff \t\r\n")[:6]
    if head != "WEBVTT" and "-->" not in text[:2000]:
        raise CaptionParseError("not a WebVTT file (no WEBVTT header)", source, 1)
    cues = scan_cues(text, source)
    lines = typed_lines(cues)
    words = words_from_lines(lines)
    language = _header_value(text, "Language")
    return Transcript(tuple(words), FORMAT_ID, language)


def typed_lines(cues: list) -> list[TypedLine]:  # type: ignore[type-arg]
    lines: list[TypedLine] = []
    previous_new = ""
    split_inline = INLINE_TIMESTAMP.split
    for cue in cues:
        if cue.end_ms - cue.start_ms <= TRANSITION_MAX_MS or not cue.lines:
            continue
        payload = cue.lines
        tagged = None
        for raw in reversed(payload):
            if "<" in raw and INLINE_TIMESTAMP.search(raw):
                tagged = raw
                break
        if tagged is None:
            last = ""
            for raw in reversed(payload):
                last = plain_text(raw).strip()
                if last:
                    break
            if last and last != previous_new:
                lines.append(TypedLine(cue.start_ms, cue.end_ms, last))
            previous_new = last
            continue
        pieces = split_inline(tagged)
        text_parts: list[str] = []
        anchors: list[tuple[int, int]] = [(0, cue.start_ms)]
        length = 0
        for index, piece in enumerate(pieces):
            if index % 2:
                stamp = parse_time_ms(piece)
                if stamp < cue.start_ms - 1000:  # live streams: relative to the cue
                    stamp += cue.start_ms
                anchors.append((length, max(stamp, anchors[-1][1])))
                continue
            fragment = plain_text(piece)
            text_parts.append(fragment)
            length += len(fragment)
        line_text = "".join(text_parts)
        stripped = line_text.strip()
        if not stripped:
            continue
        lead = len(line_text) - len(line_text.lstrip())
        if lead:
            line_text = line_text[lead:]
            anchors = [(max(0, offset - lead), stamp) for offset, stamp in anchors]
        anchors = _dedupe_offsets(anchors)
        lines.append(TypedLine(cue.start_ms, cue.end_ms, line_text.rstrip(), tuple(anchors)))
        previous_new = stripped
    return lines


def _dedupe_offsets(anchors: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep the last time stated for an offset (a word tag right after the line start)."""
    result: list[tuple[int, int]] = []
    for offset, stamp in anchors:
        if result and result[-1][0] == offset:
            result[-1] = (offset, stamp)
        else:
            result.append((offset, stamp))
    return result


def _header_value(text: str, key: str) -> str:
    match = re.search(rf"^{key}:[ \t]*(\S+)", text[:1000], re.MULTILINE)
    return match.group(1) if match else ""
