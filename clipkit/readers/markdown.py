"""Markdown transcript exports of rolling captions (the bundled sample's shape).

Entries are ``**[MM:SS]** text`` (or ``H:MM:SS``) under ``### [MM:00 - MM:00]``
headings, one per caption frame: "previous line + new line", then the new line
alone (the transition frame).  Times are whole seconds, so line boundaries are
estimated: see :mod:`clipkit.readers.line_timing`.
"""

from __future__ import annotations

import re

from clipkit.errors import CaptionParseError
from clipkit.model import Transcript
from clipkit.readers.line_timing import RollingLine, time_lines
from clipkit.readers.markup import strip_markup
from clipkit.rebuild import words_from_lines
from clipkit.timefmt import MAX_TIME_MS, MAX_TIME_TEXT

FORMAT_ID = "markdown"
DESCRIPTION = "Markdown transcript export: **[MM:SS]** entries, one per rolling frame"
ENTRY = re.compile(r"^\*\*\[(?:(\d+):)?(\d{1,3}):(\d{2})\]\*\*[ \t]?(.*)$")
_SNIFF = re.compile(r"^\*\*\[(?:\d+:)?\d{1,3}:\d{2}\]\*\*", re.MULTILINE)


def sniff(text: str) -> bool:
    return _SNIFF.search(text, 0, 200_000) is not None


def read(text: str, source: str) -> Transcript:
    frames = _frames(text, source)
    lines: list[RollingLine] = []
    last_new: str | None = None
    last_frame: str | None = None
    for index, (at, body) in enumerate(frames):
        if body == last_new:
            if lines[-1].alone_s is None:
                lines[-1].alone_s = at  # the transition frame: the line finished
            continue
        if body == last_frame:
            continue  # the same frame again
        # A frame types its new line under the last one; a cleared screen starts afresh
        # (even when its line happens to begin like the last one, as lyrics do).
        continues = (
            last_new is not None
            and body.startswith(last_new + " ")
            and not _continued_whole(frames, index, body)
        )
        new_text = body[len(last_new) + 1 :] if continues and last_new else body
        last_frame = body
        lines.append(RollingLine(new_text, at, continues))
        last_new = new_text
    return Transcript(tuple(words_from_lines(time_lines(lines))), FORMAT_ID, exact_word_times=False)


def _frames(text: str, source: str) -> list[tuple[int, str]]:
    """(second, text) of every transcript entry, checked."""
    frames: list[tuple[int, str]] = []
    previous_seconds = -1
    for line_no, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped.startswith("**["):
            continue
        match = ENTRY.match(stripped)
        if match is None:
            raise CaptionParseError("unreadable transcript entry", source, line_no, stripped[:60])
        hours, minutes, seconds, body = match.groups()
        if int(seconds) >= 60:
            raise CaptionParseError("seconds past 59", source, line_no, stripped[:60])
        at = int(minutes) * 60 + int(seconds)
        if hours:  # (a 100-hour time is past the latest already; int() of 5000 digits fails)
            at = at + int(hours) * 3600 if len(hours) < 4 else MAX_TIME_MS
        if at * 1000 > MAX_TIME_MS:
            raise CaptionParseError(
                f"time past {MAX_TIME_TEXT}, the latest clipkit reads",
                source,
                line_no,
                stripped[:60],
            )
        if at < previous_seconds:
            raise CaptionParseError("time goes backwards", source, line_no, stripped[:60])
        previous_seconds = at
        if "<" in body or "{" in body:
            body = strip_markup(body)
        body = " ".join(body.split())
        if body:
            frames.append((at, body))
    return frames


def _continued_whole(frames: list[tuple[int, str]], index: int, body: str) -> bool:
    """Whether a later frame types under the whole of this one: then it was a single line."""
    for _at, later in frames[index + 1 : index + 4]:
        if later != body:
            return later.startswith(body + " ")
    return False
