"""YouTube's automatic (rolling) WebVTT as yt-dlp writes it.

Each cue shows the previous line and types a new one word by word
(``word<00:00:01.234><c> next</c>``); a 10 ms cue in between shows the finished
line alone.  Old youtube-dl files add a ``Style:`` block, ``##`` and
``<c.colorE5E5E5>`` spans; live-stream files have no header and inline times
relative to the cue.  Only the newly typed line of each cue is new speech.
"""

from __future__ import annotations

import html
import re

from clipkit.errors import CaptionParseError
from clipkit.model import Transcript
from clipkit.readers.cuefile import (
    INLINE_TIMESTAMP,
    TRANSITION_MAX_MS,
    RawCue,
    located,
    plain_text,
    scan_cues,
)
from clipkit.readers.markup import strip_markup, strip_overrides
from clipkit.rebuild import TypedLine, words_from_lines
from clipkit.timefmt import MAX_TIME_MS, parse_timestamp, timestamp_too_late

FORMAT_ID = "youtube-vtt"
DESCRIPTION = "YouTube automatic captions as WebVTT with inline word times (yt-dlp)"
_INLINE_WITH_C = re.compile(r"<(?:\d+:)?\d{2}:\d{2}[.,]\d{3}><c[ .>]")
# every tag but the inline timestamps (no "<" inside, so that a run of "<" stays linear)
_C_TAG = re.compile(r"<(?!\d)[^<>\n]*>")


def sniff(text: str) -> bool:
    return _INLINE_WITH_C.search(text, 0, 200_000) is not None


def read(text: str, source: str) -> Transcript:
    head = text.lstrip("\ufeff \t\r\n")[:6]
    if head != "WEBVTT" and "-->" not in text[:2000]:
        raise CaptionParseError("not a WebVTT file (no WEBVTT header)", source, 1)
    cues = scan_cues(text, source)
    try:
        lines = typed_lines(cues)
    except CaptionParseError as exc:  # an inline stamp past the latest time
        raise located(exc, text, source) from None
    words = words_from_lines(lines)
    language = _header_value(text, "Language")
    return Transcript(tuple(words), FORMAT_ID, language)


def typed_lines(cues: list[RawCue]) -> list[TypedLine]:
    """The newly typed line of every cue (the last line with word stamps, or a new
    untagged line such as a one-word line or ``[Music]``), skipping 10 ms transitions."""
    lines: list[TypedLine] = []
    previous_new: TypedLine | str = ""  # the last new line (its text is worked out lazily)
    split_inline = INLINE_TIMESTAMP.split
    search_inline = INLINE_TIMESTAMP.search
    minutes: dict[str, int] = {}  # "HH:MM:" -> ms, as met
    for start, end, payload in cues:
        if end - start <= TRANSITION_MAX_MS or not payload:
            continue
        tagged = None
        for raw in reversed(payload):
            if "<" in raw and search_inline(raw):
                tagged = raw
                break
        if tagged is None:
            # compared with the typed lines' text: entities decoded, whitespace normalised
            # (a line typed "h  <ts><c>then</c>" comes back as "h  then")
            shown = [text for raw in payload if (text := " ".join(plain_text(raw).split()))]
            if not shown:
                continue
            previous = previous_new if isinstance(previous_new, str) else previous_new.text
            # A cue typing a line under the previous one shows it even when it repeats
            # it ("Yeah." / "Yeah."); a cue showing one line only holds it, unless new.
            typed_under = len(shown) >= 2 and shown[-2] == previous
            if typed_under or shown[-1] != previous:
                lines.append(TypedLine.untimed(start, end, shown[-1]))
            previous_new = shown[-1]
            continue
        line = strip_overrides(_without_tags(tagged))
        if "&" in line:  # (markup written as entities is removed too)
            line = strip_markup(html.unescape(line).replace("\u00a0", " "))
        pieces = split_inline(line)
        first_text = pieces[0].lstrip()
        if len(pieces) == 1 and not first_text:
            continue
        chunks: list[tuple[int, str]] = [(start, first_text)]
        append = chunks.append
        latest = start
        relative_before = start - 1000
        for stamp_text, text in zip(pieces[1::2], pieces[2::2]):
            if len(stamp_text) == 12:  # HH:MM:SS.mmm, the usual
                # once a word: the hours and minutes come from a table, and the seconds
                # and milliseconds are one int() ("SS" + "mmm" is the time in ms)
                minute_ms = minutes.get(stamp_text[:6])
                if minute_ms is None:
                    minute_ms = (int(stamp_text[0:2]) * 60 + int(stamp_text[3:5])) * 60_000
                    minutes[stamp_text[:6]] = minute_ms
                stamp = minute_ms + int(stamp_text[6:8] + stamp_text[9:12])
            else:
                stamp = parse_timestamp(stamp_text)
            if stamp < relative_before:  # live streams: relative to the cue
                stamp += start
            if stamp > latest:
                latest = stamp
            append((latest, text))
        if latest > MAX_TIME_MS:  # "99:99:99.999" fits the quick path above
            raise _late_stamp_error(pieces[1::2], tagged)
        typed = TypedLine(start, end, tuple(chunks))
        lines.append(typed)
        previous_new = typed
    return lines


def _without_tags(line: str) -> str:
    """``line`` without its tags but the inline timestamps: ``_C_TAG.sub("", line)``, done by
    replacing ``<c>`` and ``</c>`` where those are all the tags it has (nearly every line)."""
    replaced = line.replace("<c>", "").replace("</c>", "")
    # the same as the pattern's only when exactly those tags went ("</<c>c>" loses more)
    # and no other tag is left
    removed = line.count("<c>") + line.count("</c>")
    if replaced.count("<") == line.count("<") - removed and not _C_TAG.search(replaced):
        return replaced
    return _C_TAG.sub("", line)


def _late_stamp_error(stamps: list[str], line: str) -> CaptionParseError:
    """The error for a line whose word times run past the latest time."""
    for stamp_text in stamps:
        try:
            parse_timestamp(stamp_text)
        except CaptionParseError as exc:
            return exc
    return timestamp_too_late(line)  # a live stream's relative times, added to a late cue


def _header_value(text: str, key: str) -> str:
    match = re.search(rf"^{key}:[ \t]*(\S+)", text[:1000], re.MULTILINE)
    return match.group(1) if match else ""
