"""Shared scanning of cue-based files (WebVTT and SRT): timing lines and payloads."""

from __future__ import annotations

import html
import re
from typing import NamedTuple

from clipkit.errors import CaptionParseError
from clipkit.readers.markup import ANY_TAG, strip_markup, strip_overrides
from clipkit.timefmt import parse_timestamp

_TIME = r"(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}"
TIMING_LINE = re.compile(
    rf"^[ \t]*({_TIME})[ \t]*-->[ \t]*({_TIME})[^\S\n]*([^\n]*)$", re.MULTILINE
)
# A timing line and its payload: the non-empty lines after it (none of them a timing line).
CUE_BLOCK = re.compile(
    rf"^[ \t]*({_TIME})[ \t]*-->[ \t]*({_TIME})[^\n]*\n"
    rf"((?:(?![ \t]*{_TIME}[ \t]*-->)[^\n]+\n)*)",
    re.MULTILINE,
)
# Something that looks like a timing line but is not one we can read.
BROKEN_TIMING_LINE = re.compile(r"^[^\n]*-->[^\n]*$", re.MULTILINE)
INLINE_TIMESTAMP = re.compile(r"<((?:\d+:)?\d{2}:\d{2}[.,]\d{3})>")
# The start of a tag, never closed, at the very end of the file.
_OPEN_TAG_AT_END = re.compile(r"<[/\w.:]*\Z")
# A timing line with a negative time in it ("-00:00:01,000 --> ...").
_NEGATIVE_TIME = re.compile(r"(?:^|-->)[ \t]*-[ \t]*\d")


# A cue this short is a rolling caption's transition frame (YouTube writes 10 ms ones).
TRANSITION_MAX_MS = 20


class RawCue(NamedTuple):
    """A cue as found in the file (a light tuple: there are thousands)."""

    start_ms: int
    end_ms: int
    lines: tuple[str, ...]  # payload lines, tags still in


def located(error: CaptionParseError, text: str, source: str) -> CaptionParseError:
    """``error`` (raised without a place) with ``source`` and the line of its snippet."""
    offset = text.find(error.snippet) if error.snippet else -1
    line = line_number(text, offset) if offset >= 0 else error.line
    return CaptionParseError(error.message, source, line, error.snippet)


class _TimesMet(dict[str, int]):
    """Timestamps already read in this file -> ms.  Rolling captions give every time
    twice (a cue ends where the next one starts), so half the reads become a lookup."""

    def __missing__(self, value: str) -> int:
        ms = self[value] = parse_timestamp(value)
        return ms


def line_number(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def plain_text(fragment: str) -> str:
    """A payload line without markup, entities decoded (and markup written as entities,
    ``&lt;i&gt;``, removed too: an SRT written from it, or --burn, would apply it)."""
    if "<" in fragment:
        fragment = ANY_TAG.sub("", fragment)
    fragment = strip_overrides(fragment)
    if "&" in fragment:
        fragment = strip_markup(html.unescape(fragment))
    return fragment.replace("\u00a0", " ")


def scan_cues(text: str, source: str, *, allow_backwards: bool = False) -> list[RawCue]:
    """Every cue of a WebVTT or SRT file, in file order.

    A payload runs to the first empty line (a line holding only spaces is payload:
    YouTube writes one).  Errors: a timing line we cannot read, a cue that ends
    before it starts, a cue starting before the previous one, a truncated last cue.
    """
    text = normalise_newlines(text)
    if not text.endswith("\n"):
        _check_cut_off(text, source)
        text += "\n"
    matches = list(CUE_BLOCK.finditer(text))
    _check_unreadable_timings(text, matches, source)
    cues: list[RawCue] = []
    append = cues.append
    previous_start = -1
    last_index = len(matches) - 1
    times = _TimesMet()
    for index, match in enumerate(matches):
        start_text, end_text, body = match.groups()
        try:
            start = times[start_text]
            end = times[end_text]
        except CaptionParseError as exc:
            raise CaptionParseError(
                exc.message, source, line_number(text, match.start()), exc.snippet
            ) from None
        if end < start or (start < previous_start and not allow_backwards):
            problem = "cue ends before it starts" if end < start else "time goes backwards"
            raise CaptionParseError(
                problem, source, line_number(text, match.start()), _timing_snippet(match)
            )
        previous_start = start
        if not body:
            if index == last_index and not text.endswith("\n\n"):
                raise CaptionParseError(
                    "truncated cue: no text after the last timing line",
                    source,
                    line_number(text, match.start()),
                )
            append(RawCue(start, end, ()))
            continue
        lines = body[:-1].split("\n")
        if (
            index < last_index
            and match.end() == matches[index + 1].start()
            and lines[-1].strip().isdigit()
        ):
            lines.pop()  # an SRT index line with no blank line before it
        append(RawCue(start, end, tuple(lines)))
    return cues


def normalise_newlines(text: str) -> str:
    """LF line ends.  In a file of LF lines, a line holding only CR (yt-dlp's SRT
    conversion writes CR LF inside payloads) is a space-only payload line, not a blank
    line ending the cue."""
    if "\r" not in text:
        return text
    if text.count("\r\n") * 2 < text.count("\n"):
        text = text.replace("\n\r\n", "\n \n")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _timing_snippet(match: re.Match[str]) -> str:
    return match.group(0).split("\n", 1)[0].strip()[:60]


def _check_unreadable_timings(text: str, matches: list[re.Match[str]], source: str) -> None:
    if text.count("-->") == len(matches):
        return
    good = {m.start() for m in matches}
    for candidate in BROKEN_TIMING_LINE.finditer(text):
        if candidate.start() not in good and not TIMING_LINE.match(candidate.group(0)):
            stripped = candidate.group(0).strip()
            if stripped.startswith("NOTE"):
                continue
            negative = _NEGATIVE_TIME.search(stripped)
            raise CaptionParseError(
                "negative time" if negative else "unreadable timing line",
                source,
                line_number(text, candidate.start()),
                stripped[:60],
            )


def _check_cut_off(text: str, source: str) -> None:
    """A file whose last line stops inside a tag (``word<00:07:39.47``, ``<c.colo``) was
    cut off: the rest of the cue, and maybe of the talk, is missing.  (A last line merely
    without its line break is common and fine, and so is a last "x < y".)"""
    if _OPEN_TAG_AT_END.search(text, max(0, len(text) - 200)):
        last_line_start = text.rfind("\n") + 1
        raise CaptionParseError(
            "truncated file: it ends inside a tag",
            source,
            line_number(text, last_line_start),
            text[last_line_start:][-60:].strip(),
        )
