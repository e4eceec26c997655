"""SRT and WebVTT files: ordinary subtitles, or rolling captions already converted.

One rule (:func:`taken_as`) tells automatic captions from authored ones.  A file is
**automatic** when its cues have a machine's shape:

- *rolling*: cues type a line under a repeat of the line above (yt-dlp's
  ``--convert-subs srt`` keeps that shape: every line twice, 10 ms cues, sometimes
  leftover ``<c>`` tags; see :func:`is_rolling`), or
- *overlapping one-line cues*: at least half of the cues are a single line still on
  screen :data:`OVERLAP_MIN_MS` or more after the next cue starts (YouTube's own auto SRT).

Anything else was written by someone: **authored**.  Every file gives timed words (a
rolling file each line once, from the cue that first shows it; any other one line per
cue, ending where the next begins), and automatic ones are re-segmented from them under
the caption policy like every other input.  An authored file also keeps its cues as
written (:attr:`~clipkit.model.Transcript.authored_cues`: text without markup, line
breaks, times, each with its words), which the segmenter only repairs.
"""

from __future__ import annotations

import itertools
import re

from clipkit.errors import CaptionParseError
from clipkit.model import Cue, Transcript, Word
from clipkit.readers.cuefile import TRANSITION_MAX_MS, RawCue, plain_text, scan_cues
from clipkit.readers.youtube_vtt import sniff as is_youtube_vtt
from clipkit.rebuild import SPEAKER_MARK, TOKEN, TypedLine, words_from_lines

SRT_ID = "srt"
SRT_DESCRIPTION = "SubRip (.srt), ordinary or converted from rolling captions"
VTT_ID = "vtt"
VTT_DESCRIPTION = "WebVTT without inline word times, ordinary or converted from rolling captions"

# A rolling file: at least this many cues, and this share of them, type a line under
# a repeat of the line above (ordinary subtitles repeat a line now and then).
ROLLING_MIN_REPEATS = 3
ROLLING_SHARE = 0.3
# Automatic one-line captions: at least this share of the cues is one line still on
# screen this long after the next cue starts (an author's cue may overlap the next by a
# frame or two through sloppy timing; YouTube's overlap by seconds).
OVERLAP_SHARE = 0.5
OVERLAP_MIN_MS = 200
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
    texts = [_cue_text_lines(cue) for cue in cues]
    authored, detection = taken_as(cues, texts)
    # Word times are spread over each cue's line: only line starts are exact.
    if authored:
        lines, shown = _authored_lines(cues)
        words = words_from_lines(lines)
        return Transcript(
            tuple(words),
            format_id,
            exact_word_times=False,
            authored_cues=tuple(_cues_with_words(shown, lines, words)),
            detection=detection,
        )
    words = words_from_lines(_typed_lines(cues, texts))
    return Transcript(tuple(words), format_id, exact_word_times=False, detection=detection)


def taken_as(cues: list[RawCue], texts: list[list[str]]) -> tuple[bool, str]:
    """The one rule: (authored?, why), the why worded for ``-v`` and ``--dry-run``.

    Automatic captions are rolling (:func:`is_rolling`) or overlapping one-line cues
    (:func:`overlapping_lines`); everything else is authored.
    """
    if is_rolling(cues, texts):
        return False, f"rolling captions ({_repeats(texts)} cues repeat the line above)"
    overlapping = overlapping_lines(cues, texts)
    if overlapping:
        return False, (
            f"automatic captions ({overlapping} of {len(cues)} cues are one line still on "
            "screen after the next starts)"
        )
    return True, "authored captions (no rolling repeats, no overlapping one-line cues)"


def overlapping_lines(cues: list[RawCue], texts: list[list[str]]) -> int:
    """How many cues are one line still on screen :data:`OVERLAP_MIN_MS` after the next
    starts, when that is at least :data:`OVERLAP_SHARE` of them (else 0): YouTube's own
    auto SRT, which shows each line until the one after next comes."""
    count = sum(
        1
        for cue, following, lines in zip(cues, cues[1:], texts)
        if len(lines) == 1 and cue.end_ms - following.start_ms >= OVERLAP_MIN_MS
    )
    return count if count and count >= OVERLAP_SHARE * len(cues) else 0


def _cue_text_lines(cue: RawCue) -> list[str]:
    lines = []
    for raw in cue.lines:
        text = plain_text(raw).strip()
        if text.startswith("- "):
            text = ">> " + text[2:]  # a dialogue dash: a new speaker starts here
        if text:
            lines.append(" ".join(text.split()))
    return lines


def _repeats(texts: list[list[str]]) -> int:
    """Cues typing a line under a repeat of the last line of the cue before."""
    return sum(
        1
        for before, after in itertools.pairwise(texts)
        if before and after and after[0] == before[-1] and len(after) > 1
    )


def is_rolling(cues: list[RawCue], texts: list[list[str]]) -> bool:
    """Whether the cues are rolling captions: cues typing a line under a repeat of the
    line above, with the 10 ms transition cues that yt-dlp's conversion keeps (or, without
    them, so many repeats that nothing else explains them)."""
    repeats = _repeats(texts)
    if not repeats:
        return False
    if any(cue.end_ms - cue.start_ms <= TRANSITION_MAX_MS for cue in cues):
        return True
    return repeats >= max(ROLLING_MIN_REPEATS, ROLLING_SHARE * (len(texts) / 2))


def _typed_lines(cues: list[RawCue], texts: list[list[str]]) -> list[TypedLine]:
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


def _authored_lines(
    cues: list[RawCue],
) -> tuple[list[TypedLine], list[tuple[RawCue, tuple[str, ...]]]]:
    """One untimed line of speech per cue that says something, and every cue with text
    as it is shown (markup removed, dialogue dashes kept)."""
    lines: list[TypedLine] = []
    shown: list[tuple[RawCue, tuple[str, ...]]] = []
    for cue in cues:
        spoken = _cue_text_lines(cue)
        if not spoken:
            continue
        shown.append((cue, _shown_lines(cue)))
        lines.append(TypedLine.untimed(cue.start_ms, cue.end_ms, " ".join(spoken)))
    return lines, shown


def _shown_lines(cue: RawCue) -> tuple[str, ...]:
    lines = (" ".join(plain_text(raw).split()) for raw in cue.lines)
    return tuple(line for line in lines if line)


def _says_words(line: TypedLine) -> bool:
    """Whether reading the line gives a word (a line of bare ``>>`` gives none)."""
    text = line.text
    tokens = TOKEN.findall(text) if "[" in text else text.split()
    return any(token != SPEAKER_MARK for token in tokens)


def _cues_with_words(
    shown: list[tuple[RawCue, tuple[str, ...]]], lines: list[TypedLine], words: list[Word]
) -> list[Cue]:
    """The authored cues, each with the words read from it: the reader starts every
    line's words with a ``line_start`` word, one line per cue."""
    groups: list[list[Word]] = []
    for word in words:
        if word.line_start or not groups:
            groups.append([])
        groups[-1].append(word)
    found = iter(groups)
    cues: list[Cue] = []
    for (raw, text), line in zip(shown, lines, strict=True):
        said = tuple(next(found)) if _says_words(line) else ()
        end = max(raw.end_ms, raw.start_ms + 1)  # a zero-length cue: a millisecond
        cues.append(Cue(raw.start_ms, end, text, said))
    return cues
