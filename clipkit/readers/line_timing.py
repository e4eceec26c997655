"""Line times rebuilt from whole-second rolling frames (markdown exports).

A rolling frame's second is the floor of the true time, so each line's start is
known only to within a second.  Two things narrow it:
- where a line's "alone" frame and the next line's first frame fall in different
  seconds, the boundary is at that second (the two frames are 10 ms apart);
- speech runs at a locally steady rate, so over a few neighbouring lines the
  boundaries must fit one rate: we fit ``t = t0 + s * chars`` to every window of
  neighbours whose one-second windows admit it, and take the centre of what fits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clipkit.rebuild import TypedLine

SECOND = 1000


@dataclass(slots=True)
class RollingLine:
    """A newly typed line of a whole-second transcript (mutable while being read)."""

    text: str
    first_s: int  # second of the first frame showing the line
    continues: bool  # typed under the previous line (False: screen cleared)
    alone_s: int | None = None  # second of the frame showing it alone (the transition)


def time_lines(lines: Sequence[RollingLine]) -> list[TypedLine]:
    starts = estimate_starts(lines)
    typed: list[TypedLine] = []
    for index, line in enumerate(lines):
        start = starts[index]
        if index + 1 < len(lines):
            end = starts[index + 1]
        else:
            end = (line.alone_s + 1) * SECOND if line.alone_s is not None else start + 3 * SECOND
        typed.append(TypedLine(start, max(end, start), line.text))
    return typed


def estimate_starts(lines: Sequence[RollingLine]) -> list[int]:
    """Start of every line in ms: the exact second where known, else mid-second."""
    starts: list[int] = []
    for index, line in enumerate(lines):
        low = line.first_s * SECOND
        previous = lines[index - 1] if index else None
        exact = (
            previous is not None
            and line.continues
            and previous.alone_s is not None
            and previous.alone_s < line.first_s
        )
        start = low if exact else low + SECOND // 2
        if starts and start < starts[-1]:
            start = starts[-1]
        starts.append(start)
    return starts
