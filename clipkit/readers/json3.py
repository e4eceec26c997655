"""YouTube's json3 caption format.

``events`` with ``tStartMs``; speech events carry ``segs`` (``utf8`` plus
``tOffsetMs`` from the event start); ``aAppend`` events only add the newline of
the rolling window.  Stated durations overlap the next event, so an event ends
where the next one starts.
"""

from __future__ import annotations

import json
from typing import Any

from clipkit.errors import CaptionParseError
from clipkit.model import Transcript
from clipkit.rebuild import TypedLine, words_from_lines

FORMAT_ID = "json3"
DESCRIPTION = "YouTube json3 captions (events with segs and tOffsetMs)"


def sniff(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:1]
    return head == "{" and '"events"' in text[:100_000]


def read(text: str, source: str) -> Transcript:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaptionParseError(f"invalid JSON: {exc.msg}", source, exc.lineno) from exc
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list):
        raise CaptionParseError("json3 without an 'events' list", source)
    speech: list[tuple[int, int, list[Any], bool]] = []
    previous_start = -1
    for number, event in enumerate(events, 1):
        if not isinstance(event, dict):
            raise CaptionParseError(f"event {number} is not an object", source)
        segs = event.get("segs")
        if not segs or event.get("aAppend"):
            continue
        try:
            start = int(event.get("tStartMs", 0))
            duration = int(event.get("dDurationMs", 0))
        except (TypeError, ValueError) as exc:
            raise CaptionParseError(f"event {number}: bad tStartMs/dDurationMs", source) from exc
        if start < 0 or duration < 0:
            raise CaptionParseError(f"event {number}: negative time", source)
        if start < previous_start:
            raise CaptionParseError(f"event {number}: time goes backwards", source)
        if not isinstance(segs, list):
            raise CaptionParseError(f"event {number}: 'segs' is not a list", source)
        previous_start = start
        speech.append((start, start + duration, segs, bool(event.get("isSpeakerChange"))))
    lines: list[TypedLine] = []
    for index, (start, stated_end, segs, speaker_change) in enumerate(speech):
        end = speech[index + 1][0] if index + 1 < len(speech) else stated_end
        chunks: list[tuple[int, str]] = []
        for seg in segs:
            if not isinstance(seg, dict):
                raise CaptionParseError(f"event at {start} ms: a seg is not an object", source)
            utf8 = str(seg.get("utf8", "")).replace("\n", " ")
            offset = seg.get("tOffsetMs", 0)
            if not isinstance(offset, int) or offset < 0:
                raise CaptionParseError(f"event at {start} ms: bad tOffsetMs {offset!r}", source)
            stamp = start + offset
            if chunks and stamp < chunks[-1][0]:
                stamp = chunks[-1][0]
            chunks.append((stamp, utf8))
        if not any(text.strip() for _, text in chunks):
            continue
        chunks[0] = (start, chunks[0][1])
        lines.append(TypedLine(start, max(end, start), tuple(chunks), speaker_change))
    return Transcript(tuple(words_from_lines(lines)), FORMAT_ID)
