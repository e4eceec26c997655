"""YouTube's json3 caption format.

``events`` with ``tStartMs``; speech events carry ``segs`` (``utf8`` plus
``tOffsetMs`` from the event start); ``aAppend`` events only add the newline of
the rolling window.  Stated durations overlap the next event, so an event ends
where the next one starts.

The schema, checked (an error names the event and its line):

- ``events``: a list of objects;
- ``tStartMs``, ``dDurationMs`` (events) and ``tOffsetMs`` (segs): optional, 0 when
  absent; a JSON number of milliseconds (a fraction is rounded), not negative, the
  time it gives not past 99:59:59.999;
- ``segs``: optional, a list of objects, each with ``utf8``, a string;
- ``aAppend``, ``isSpeakerChange``: optional flags.

Styling markup in the text (``<font ...>``, ``{\\an8}``) is removed; a broken
character (a lone UTF-16 surrogate escape) becomes U+FFFD with a warning.
"""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any

from clipkit.errors import CaptionParseError, CaptionWarning
from clipkit.model import Transcript
from clipkit.readers.markup import strip_markup_across
from clipkit.rebuild import TypedLine, words_from_lines
from clipkit.timefmt import MAX_TIME_MS, MAX_TIME_TEXT

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
    data = _parse(text, source)
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list):
        raise CaptionParseError("json3 without an 'events' list", source)
    speech: list[tuple[int, int, int, list[tuple[int, str]], bool]] = []
    previous_start = -1

    def bad_event(number: int, what: str) -> CaptionParseError:
        return CaptionParseError(f"event {number}: {what}", source, event_line(text, number))

    for number, event in enumerate(events, 1):
        if type(event) is not dict:
            raise bad_event(number, "not an object")
        try:
            start = event.get("tStartMs", 0)
            if type(start) is not int or not 0 <= start <= MAX_TIME_MS:  # the rare cases
                start = _milliseconds(event, "tStartMs")
            duration = event.get("dDurationMs", 0)
            if type(duration) is not int or not 0 <= duration <= MAX_TIME_MS:
                duration = _milliseconds(event, "dDurationMs")
            stated_end = start + duration
            chunks = _chunks(event, start)
        except _SchemaError as exc:
            raise bad_event(number, str(exc)) from None
        if stated_end > MAX_TIME_MS:
            raise bad_event(number, f"ends past {_LATEST}, the latest clipkit reads")
        if not chunks or event.get("aAppend"):
            continue
        if start < previous_start:
            raise bad_event(number, "time goes backwards")
        previous_start = start
        speech.append((number, start, stated_end, chunks, bool(event.get("isSpeakerChange"))))
    warnings = _clean_text(speech, text, source)
    lines: list[TypedLine] = []
    for index, (_number, start, stated_end, chunks, speaker_change) in enumerate(speech):
        end = speech[index + 1][1] if index + 1 < len(speech) else stated_end
        if not any(text.strip() for _, text in chunks):
            continue
        chunks[0] = (start, chunks[0][1])
        lines.append(TypedLine(start, max(end, start), tuple(chunks), speaker_change))
    return Transcript(tuple(words_from_lines(lines)), FORMAT_ID, warnings=tuple(warnings))


def _clean_text(
    speech: list[tuple[int, int, int, list[tuple[int, str]], bool]], text: str, source: str
) -> list[CaptionWarning]:
    """Markup removed from the events' text, and broken characters (lone surrogates, which
    json.loads leaves where a file escapes half of a pair) replaced, with one warning
    naming the first event that had one.  Both are rare: one look at all the text at once
    says whether to go event by event."""
    everything = "".join([utf8 for *_, chunks, _ in speech for _, utf8 in chunks])
    markup = "<" in everything or "{\\" in everything
    broken = not everything.isascii() and _LONE_SURROGATE.search(everything) is not None
    if not (markup or broken):
        return []
    broken_events: list[int] = []
    for number, _start, _end, chunks, _speaker in speech:
        texts = [utf8 for _, utf8 in chunks]
        if markup and any("<" in utf8 or "{\\" in utf8 for utf8 in texts):
            texts = strip_markup_across(texts)
        if broken and any(_LONE_SURROGATE.search(utf8) for utf8 in texts):
            texts = [_LONE_SURROGATE.sub("\ufffd", utf8) for utf8 in texts]
            broken_events.append(number)
        chunks[:] = [(stamp, utf8) for (stamp, _), utf8 in zip(chunks, texts)]
    if not broken_events:
        return []
    first = broken_events[0]
    more = f" (and {len(broken_events) - 1} more events)" if len(broken_events) > 1 else ""
    message = f"event {first}: a broken character (a lone UTF-16 surrogate) replaced by U+FFFD"
    return [CaptionWarning(message + more, source, event_line(text, first))]


_LATEST = MAX_TIME_TEXT
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# How deep a json3 file nests at most (events > event > segs > seg is 4).
_SANE_DEPTH = 64


class _SchemaError(ValueError):
    """A value the schema refuses; the message says which and why."""


def _milliseconds(item: dict[str, Any], key: str, base: int = 0) -> int:
    """``item[key]`` (0 when absent) as whole milliseconds, checked; ``base`` is what it
    is added to (an offset's event start), so that the sum is checked too."""
    value = item.get(key, 0)
    if type(value) is int:  # not bool, which is an int too
        ms = value
    elif type(value) is float:
        if not math.isfinite(value):
            raise _SchemaError(f"bad {key} {_shown(value)}: not a finite number")
        ms = round(value) if abs(value) <= MAX_TIME_MS else MAX_TIME_MS + 1
    else:
        raise _SchemaError(f"bad {key} {_shown(value)}: not a number of milliseconds")
    if ms < 0:
        raise _SchemaError(f"bad {key} {_shown(value)}: negative")
    if base + ms > MAX_TIME_MS:
        raise _SchemaError(f"bad {key} {_shown(value)}: past {_LATEST}, the latest clipkit reads")
    return ms


def _chunks(event: dict[str, Any], start: int) -> list[tuple[int, str]]:
    """The event's segs, checked, as (start ms, text) never going back in time."""
    segs = event.get("segs")
    if segs is None:
        return []
    if type(segs) is not list:
        raise _SchemaError("'segs' is not a list")
    chunks: list[tuple[int, str]] = []
    latest_offset = MAX_TIME_MS - start
    stamp = start
    for index, seg in enumerate(segs, 1):
        if type(seg) is not dict:
            raise _SchemaError(f"seg {index} is not an object")
        utf8 = seg.get("utf8")
        if type(utf8) is not str:
            what = f"'utf8' {_shown(utf8)} is not text" if "utf8" in seg else "has no 'utf8'"
            raise _SchemaError(f"seg {index} {what}")
        offset = seg.get("tOffsetMs", 0)
        if type(offset) is not int or not 0 <= offset <= latest_offset:  # the rare cases
            offset = _milliseconds(seg, "tOffsetMs", start)
        if start + offset > stamp:
            stamp = start + offset
        chunks.append((stamp, utf8.replace("\n", " ")))
    return chunks


def _shown(value: object) -> str:
    """A value as the JSON file spells it, cut short."""
    shown = json.dumps(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _parse(text: str, source: str) -> Any:
    """``json.loads``, every failure a CaptionParseError naming the line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaptionParseError(f"invalid JSON: {exc.msg}", source, exc.lineno) from None
    except RecursionError:
        raise CaptionParseError(
            "invalid JSON: nested too deeply for a caption file", source, _deep_line(text)
        ) from None
    except ValueError:  # an integer of more digits than Python converts (4300)
        limit = getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4300
        # (each run of digits once: "\d{4301,}" would try 4300 starts in every long run)
        runs = (run for run in _DIGITS.finditer(text) if run.end() - run.start() > limit)
        digits = next(runs, None)
        line = text.count("\n", 0, digits.start()) + 1 if digits else None
        raise CaptionParseError(
            f"invalid JSON: a number of more than {limit} digits", source, line
        ) from None


def _deep_line(text: str) -> int | None:
    """The line where ``text`` first nests deeper than any json3 file does."""
    depth = 0
    for token in _JSON_NESTING.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > _SANE_DEPTH:
                return text.count("\n", 0, token.start()) + 1
        elif bracket in "]}":
            depth -= 1
    return None


_DIGITS = re.compile(r"\d+")
# Brackets, and strings skipped whole (their brackets are text).
_JSON_NESTING = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')
