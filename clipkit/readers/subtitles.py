"""SRT and WebVTT files: ordinary subtitles, or rolling captions already converted.

yt-dlp's ``--convert-subs srt`` keeps the rolling shape (every line twice, 10 ms
cues, sometimes leftover ``<c>`` tags); such files are repaired by keeping each
line once, from the cue that first shows it.  Ordinary files (including YouTube's
own auto SRT, one line per cue with overlapping times) give one line per cue,
ending where the next begins.  Either way the words are re-timed and re-segmented
with the same caption policy as every other input.
"""

from __future__ import annotations

import itertools
import re

from clipkit.errors import CaptionParseError
from clipkit.model import Transcript
from clipkit.readers.cuefile import TRANSITION_MAX_MS, RawCue, plain_text, scan_cues
from clipkit.readers.youtube_vtt import sniff as is_youtube_vtt
from clipkit.rebuild import TypedLine, words_from_lines

SRT_ID = "srt"
SRT_DESCRIPTION = "SubRip (.srt), ordinary or converted from rolling captions"
VTT_ID = "vtt"
VTT_DESCRIPTION = "WebVTT without inline word times, ordinary or converted from rolling captions"

# A rolling file: at least this many cues, and this share of them, type a line under
# a repeat of the line above (ordinary subtitles repeat a line now and then).
ROLLING_MIN_REPEATS = 3
ROLLING_SHARE = 0.3
# [ \t]*, not \s*: \s* would run over every blank line below each line start (quadratic).
# A negative start is claimed, so that the reader names its line.
_SRT_TIMING = re.compile(r"^[ \t]*-?\d+:\d{2}:\d{2},\d{1,3}[ \t]*-->", re.MULTILINE)


def _starts_with_webvtt(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith("WEBVTT")


def sniff_srt(text: str) -> bool:
    return (
        not _starts_with_webvtt(text)
        and _SRT_TIMING.search(text, 0, 100_000) is not None
        and not is_youtube_vtt(text)
    )


def sniff_vtt(text: str) -> bool:
    return _starts_with_webvtt(text) and not is_youtube_vtt(text)


def read_srt(text: str, source: str) -> Transcript:
    return _transcript(scan_cues(text, source), SRT_ID)


def read_vtt(text: str, source: str) -> Transcript:
    if not _starts_with_webvtt(text):
        raise CaptionParseError("not a WebVTT file (no WEBVTT header)", source, 1)
    return _transcript(scan_cues(text, source), VTT_ID)


def _transcript(cues: list[RawCue], format_id: str) -> Transcript:
    # Word times are spread over each cue's line: only line starts are exact.
    words = words_from_lines(_typed_lines(cues))
    return Transcript(tuple(words), format_id, exact_word_times=False)


def _cue_text_lines(cue: RawCue) -> list[str]:
    lines = []
    for raw in cue.lines:
        text = plain_text(raw).strip()
        if text.startswith("- "):
            text = ">> " + text[2:]  # a dialogue dash: a new speaker starts here
        if text:
            lines.append(" ".join(text.split()))
    return lines


def is_rolling(cues: list[RawCue], texts: list[list[str]]) -> bool:
    """Whether the cues are rolling captions: cues typing a line under a repeat of the
    line above, with the 10 ms transition cues that yt-dlp's conversion keeps (or, without
    them, so many repeats that nothing else explains them)."""
    repeats = sum(
        1
        for before, after in itertools.pairwise(texts)
        if before and after and after[0] == before[-1] and len(after) > 1
    )
    if not repeats:
        return False
    if any(cue.end_ms - cue.start_ms <= TRANSITION_MAX_MS for cue in cues):
        return True
    return repeats >= max(ROLLING_MIN_REPEATS, ROLLING_SHARE * (len(texts) / 2))


def _typed_lines(cues: list[RawCue]) -> list[TypedLine]:
    texts = [_cue_text_lines(cue) for cue in cues]
    if is_rolling(cues, texts):
        return _unrolled_lines(cues, texts)
    lines: list[TypedLine] = []
    for cue, cue_lines in zip(cues, texts):
        if cue_lines:
            lines.append(TypedLine.untimed(cue.start_ms, cue.end_ms, " ".join(cue_lines)))
    return lines


def _unrolled_lines(cues: list[RawCue], texts: list[list[str]]) -> list[TypedLine]:
    """Each line once, timed from the cue that first types it."""
    lines: list[TypedLine] = []
    on_screen: list[str] = []
    for cue, cue_lines in zip(cues, texts):
        if not cue_lines:
            continue
        if cue.end_ms - cue.start_ms <= TRANSITION_MAX_MS:
            on_screen = cue_lines
            continue
        kept = 0
        shown = set(on_screen)  # (a list would be scanned once a line: quadratic in a long cue)
        while kept < len(cue_lines) and kept < len(on_screen) and cue_lines[kept] in shown:
            kept += 1
        new = cue_lines[kept:]
        if new:
            lines.append(TypedLine.untimed(cue.start_ms, cue.end_ms, " ".join(new)))
        on_screen = cue_lines
    return lines
