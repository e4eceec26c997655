"""Shared scanning of cue-based files (WebVTT and SRT): timing lines and payloads."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from clipkit.errors import CaptionParseError

_TIME = r"(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}"
TIMING_LINE = re.compile(
    rf"^[ \t]*({_TIME})[ \t]*-->[ \t]*({_TIME})[^\S\n]*([^\n]*)$", re.MULTILINE
)
# Something that looks like a timing line but is not one we can read.
BROKEN_TIMING_LINE = re.compile(r"^[^\n]*-->[^\n]*$", re.MULTILINE)
INLINE_TIMESTAMP = re.compile(r"<((?:\d+:)?\d{2}:\d{2}[.,]\d{3})>")
TAG = re.compile(r"<[^>\n]*>")


@dataclass(frozen=True, slots=True)
class RawCue:
    start_ms: int
    end_ms: int
    lines: tuple[str, ...]  # payload lines, tags still in
    line_no: int  # 1-based line of the timing line


def parse_time_ms(value: str) -> int:
    """``[HH:]MM:SS.mmm`` (or ``,mmm``) to integer milliseconds."""
    if len(value) == 12 and value[2] == ":" and value[5] == ":":  # HH:MM:SS.mmm, the usual
        return (
            (int(value[0:2]) * 60 + int(value[3:5])) * 60 + int(value[6:8])
        ) * 1000 + int(value[9:12])
    main, _, frac = value.replace(",", ".").partition(".")
    parts = main.split(":")
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    millis = int((frac + "00")[:3]) if frac else 0
    return seconds * 1000 + millis


def line_number(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def plain_text(fragment: str) -> str:
    """A payload line without markup, entities decoded."""
    if "<" in fragment:
        fragment = TAG.sub("", fragment)
    if "&" in fragment:
        fragment = html.unescape(fragment)
    return fragment.replace("\u00a0", " ")


def scan_cues(text: str, source: str, *, allow_backwards: bool = False) -> list[RawCue]:
    """Every cue of a WebVTT or SRT file, in file order.

    A payload runs to the first empty line (a line holding only spaces is payload:
    YouTube writes one).  Errors: a timing line we cannot read, a cue that ends
    before it starts, a cue starting before the previous one, a truncated last cue.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    matches = list(TIMING_LINE.finditer(text))
    _check_unreadable_timings(text, matches, source)
    cues: list[RawCue] = []
    previous_start = -1
    for index, match in enumerate(matches):
        body_start = match.end() + 1
        body_end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        body = text[body_start:body_end] if body_start <= body_end else ""
        blank = body.find("\n\n")
        if blank >= 0:
            body = body[:blank]
        elif index + 1 < len(matches):
            # no blank line before the next timing line: drop a trailing SRT index line
            lines = body.split("\n")
            if lines and lines[-1].strip().isdigit():
                body = "\n".join(lines[:-1])
        body = body.rstrip("\n")
        start = parse_time_ms(match.group(1))
        end = parse_time_ms(match.group(2))
        line_no = 0
        if end < start or (start < previous_start and not allow_backwards):
            line_no = line_number(text, match.start())
            problem = "cue ends before it starts" if end < start else "time goes backwards"
            raise CaptionParseError(problem, source, line_no, match.group(0).strip()[:60])
        if not body.strip() and index + 1 == len(matches) and not text.endswith("\n\n"):
            line_no = line_number(text, match.start())
            raise CaptionParseError("truncated cue: no text after the last timing line", source, line_no)
        previous_start = start
        cues.append(RawCue(start, end, tuple(body.split("\n")) if body else (), line_no))
    return cues


def _check_unreadable_timings(text: str, matches: list[re.Match[str]], source: str) -> None:
    if text.count("-->") == len(matches):
        return
    good = {m.start() for m in matches}
    for candidate in BROKEN_TIMING_LINE.finditer(text):
        if candidate.start() not in good and not TIMING_LINE.match(candidate.group(0)):
            stripped = candidate.group(0).strip()
            if stripped.startswith("NOTE"):
                continue
            raise CaptionParseError(
                "unreadable timing line", source, line_number(text, candidate.start()), stripped[:60]
            )
