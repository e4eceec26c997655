"""YouTube's json3 caption format.

``events`` with ``tStartMs``; speech events carry ``segs`` (``utf8`` plus
``tOffsetMs`` from the event start); ``aAppend`` events only add the newline of
the rolling window.  Stated durations overlap the next event, so an event ends
where the next one starts.
"""

from __future__ import annotations

import json
import re
from typing import Any

from clipkit.errors import CaptionParseError
from clipkit.model import Transcript
from clipkit.rebuild import TypedLine, words_from_lines

FORMAT_ID = "json3"
DESCRIPTION = "YouTube json3 captions (events with segs and tOffsetMs)"


def sniff(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:1]
    return head == "{" and '"events"' in text[:100_000]


EVENTS_KEY = re.compile(r'"events"\s*:\s*\[')


def event_line(text: str, number: int) -> int | None:
    """The line on which event ``number`` (from 1) of the ``events`` list begins.

    Only asked for when reporting a bad event, so it may walk the list again.
    """
    found = EVENTS_KEY.search(text)
    if found is None:
        return None
    decoder = json.JSONDecoder()
    position = found.end()
    for _ in range(number - 1):
        try:
            _value, position = decoder.raw_decode(text, _skip_space(text, position))
        except json.JSONDecodeError:
            return None
        position = _skip_space(text, position)
        if text.startswith(",", position):
            position += 1
    return text.count("\n", 0, _skip_space(text, position)) + 1


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def read(text: str, source: str) -> Transcript:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaptionParseError(f"invalid JSON: {exc.msg}", source, exc.lineno) from exc
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list):
        raise CaptionParseError("json3 without an 'events' list", source)
    speech: list[tuple[int, int, int, list[Any], bool]] = []
    previous_start = -1

    def bad_event(number: int, what: str) -> CaptionParseError:
        return CaptionParseError(f"event {number}: {what}", source, event_line(text, number))

    for number, event in enumerate(events, 1):
        if not isinstance(event, dict):
            raise bad_event(number, "not an object")
        segs = event.get("segs")
        if not segs or event.get("aAppend"):
            continue
        try:
            start = int(event.get("tStartMs", 0))
            duration = int(event.get("dDurationMs", 0))
        except (TypeError, ValueError) as exc:
            raise bad_event(number, "bad tStartMs/dDurationMs") from exc
        if start < 0 or duration < 0:
            raise bad_event(number, "negative time")
        if start < previous_start:
            raise bad_event(number, "time goes backwards")
        if not isinstance(segs, list):
            raise bad_event(number, "'segs' is not a list")
        previous_start = start
        speech.append((number, start, start + duration, segs, bool(event.get("isSpeakerChange"))))
    lines: list[TypedLine] = []
    for index, (number, start, stated_end, segs, speaker_change) in enumerate(speech):
        end = speech[index + 1][1] if index + 1 < len(speech) else stated_end
        chunks: list[tuple[int, str]] = []
        for seg in segs:
            if not isinstance(seg, dict):
                raise bad_event(number, "a seg is not an object")
            utf8 = str(seg.get("utf8", "")).replace("\n", " ")
            offset = seg.get("tOffsetMs", 0)
            if not isinstance(offset, int) or offset < 0:
                raise bad_event(number, f"bad tOffsetMs {offset!r}")
            stamp = start + offset
            if chunks and stamp < chunks[-1][0]:
                stamp = chunks[-1][0]
            chunks.append((stamp, utf8))
        if not any(text.strip() for _, text in chunks):
            continue
        chunks[0] = (start, chunks[0][1])
        lines.append(TypedLine(start, max(end, start), tuple(chunks), speaker_change))
    return Transcript(tuple(words_from_lines(lines)), FORMAT_ID)
