"""Authored cues, kept as written: the only changes the caption policy makes to them.

An ordinary SRT/WebVTT file that someone wrote (see :mod:`clipkit.readers.subtitles` for
how it is told from automatic captions) keeps its cues: their text, line breaks and
times.  They are only repaired where a player or an editor needs it:

- every start and end is put on the frame grid at ``style.fps``;
- a cue that overlaps the next one, or comes closer to it than ``min_gap_frames``, ends
  that far before the next starts (cues starting on the same frame are one cue);
- a cue shorter than ``min_duration_ms`` is lengthened, as far as the room before the
  next cue allows;
- ``sound_tags=False`` drops sound tags (``[Music]``) from the text, and cues left empty.

Nothing else of the policy (line length, lines a cue, reading speed, longest cue) applies:
``CaptionStyle(resegment=True)`` rebuilds the cues from the words instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from clipkit.model import Cue
from clipkit.style import CaptionStyle
from clipkit.text import remove_sound_tags


def repair_cues(cues: Sequence[Cue], style: CaptionStyle) -> list[Cue]:
    """The authored ``cues`` with their times on frames and the repairs above made."""
    if not style.sound_tags:
        cues = _without_sound_tags(cues)
    snap = style.snap_to_frame
    timed: list[tuple[int, int, Cue]] = []
    for cue in cues:
        start, end = snap(cue.start_ms), snap(cue.end_ms)
        if timed and start <= timed[-1][0]:
            # on the same frame as the cue before: shown together, so one cue
            before_start, before_end, before = timed.pop()
            cue = Cue(
                before.start_ms,
                max(before.end_ms, cue.end_ms),
                before.lines + cue.lines,
                before.words + cue.words,
            )
            start, end = before_start, max(before_end, end)
        timed.append((start, end, cue))

    repaired: list[Cue] = []
    for index, (start, end, cue) in enumerate(timed):
        if end - start < style.min_duration_ms:
            end = style.frame_ceil(start + style.min_duration_ms)
        if index + 1 < len(timed):
            # the gap is counted in frames, as an editor's timeline counts it
            next_frame = style.frame_index(timed[index + 1][0])
            end = min(end, style.frame_ms(next_frame - style.min_gap_frames))
        end = max(end, style.frame_ms(style.frame_index(start) + 1))  # at least a frame
        repaired.append(Cue(start, end, cue.lines, cue.words))
    return repaired


def _without_sound_tags(cues: Sequence[Cue]) -> list[Cue]:
    kept: list[Cue] = []
    for cue in cues:
        untagged = (remove_sound_tags(line) for line in cue.lines)
        lines = tuple(line for line in untagged if line)
        if lines:
            words = tuple(word for word in cue.words if not word.is_sound_tag)
            kept.append(Cue(cue.start_ms, cue.end_ms, lines, words))
    return kept
