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

import math
from collections.abc import Sequence
from dataclasses import dataclass
from operator import mul

from clipkit.rebuild import TypedLine

SECOND = 1000


@dataclass(slots=True)
class RollingLine:
    """A newly typed line of a whole-second transcript (mutable while being read)."""

    text: str
    first_s: int  # second of the first frame showing the line
    continues: bool  # typed under the previous line (False: screen cleared)
    alone_s: int | None = None  # second of the frame showing it alone (the transition)


# Speech rates outside this range (ms per character, spaces included) are not
# evidence of a rate: they are pauses, or frames bunched into one second.
MIN_MS_PER_CHAR = 30
MAX_MS_PER_CHAR = 160
DEFAULT_MS_PER_CHAR = 70
RATE_WINDOW = 6  # lines either side for the local speech rate
# A gap this much longer than the line's speaking time is a pause, not slow speech.
PAUSE_FACTOR = 1.6
PAUSE_SLACK_MS = 400


def time_lines(lines: Sequence[RollingLine]) -> list[TypedLine]:
    """Lines with start and end estimated in ms, ready for :func:`words_from_lines`."""
    if not lines:
        return []
    lengths = [len(line.text) + 1 for line in lines]
    rates = local_rates(lines, lengths, [line.first_s * SECOND for line in lines])
    starts = estimate_starts(lines, lengths, rates)
    typed: list[TypedLine] = []
    for index, line in enumerate(lines):
        start = starts[index]
        speaking = int(rates[index] * lengths[index])
        if index + 1 < len(lines):
            next_start = starts[index + 1]
            end = next_start
            if next_start - start > PAUSE_FACTOR * speaking + PAUSE_SLACK_MS:
                end = start + speaking  # the words, then a pause before the next line
        elif line.alone_s is not None:
            end = min((line.alone_s + 1) * SECOND, start + speaking)
        else:
            end = start + speaking
        typed.append(TypedLine.untimed(start, max(end, start), line.text))
    return typed


def local_rates(
    lines: Sequence[RollingLine], lengths: Sequence[int], starts: Sequence[float]
) -> list[float]:
    """Speaking rate (ms per character) around every line, from its neighbours."""
    samples: list[float | None] = []
    for index in range(len(lines)):
        sample = None
        if index + 1 < len(lines) and lines[index + 1].continues:
            gap = starts[index + 1] - starts[index]
            rate = gap / lengths[index]
            if MIN_MS_PER_CHAR <= rate <= MAX_MS_PER_CHAR:
                sample = rate
        samples.append(sample)
    known = sorted(x for x in samples if x is not None)
    overall = known[len(known) // 2] if known else DEFAULT_MS_PER_CHAR
    rates: list[float] = []
    for index in range(len(lines)):
        window = [
            x
            for x in samples[max(0, index - RATE_WINDOW) : index + RATE_WINDOW + 1]
            if x is not None
        ]
        if len(window) >= 3:
            window.sort()
            rates.append(window[len(window) // 2])
        else:
            rates.append(overall)
    return rates


BINS_PER_SECOND = 10
# Spread of a line's speaking time around the local rate (log scale).  Measured on the
# fixtures (scripts/measure_flattened.py): 0.3 gave t2o2 a p95 of 0.617 s, 0.35 gives
# 0.587 s for 0.005 s more on the median; wider still (0.45: 0.537 s) loses the steady
# talk's tie between neighbouring lines (tests/test_line_timing.py) and costs the medians.
RATE_LOG_SIGMA = 0.35
PAUSE_PROBABILITY = 0.15
# A cleared screen comes after a pause more often than not, but the next line still starts
# after this one has been said: a link with more room for a pause, not no link (qkeluna's
# song, cleared at nearly every line: median 0.247 -> 0.207 s).
CLEARED_PAUSE_PROBABILITY = 0.4
PAUSE_SPAN_MS = 10_000


def estimate_starts(
    lines: Sequence[RollingLine], lengths: Sequence[int], rates: Sequence[float]
) -> list[int]:
    """Start of every line in ms: the posterior median given all the frames' seconds.

    Each start lies in the second its first frame shows (or exactly on a second,
    where a transition frame pins it).  Consecutive lines are linked by how long
    the first takes to say at the local rate (log-normal), or a pause; a
    forward-backward pass over candidate positions in each second combines the
    evidence of the whole chain (after a cleared screen, a pause is likelier).
    """
    count = len(lines)
    candidates: list[list[float]] = []
    for index, line in enumerate(lines):
        base = float(line.first_s * SECOND)
        previous = lines[index - 1] if index else None
        pinned = (
            previous is not None
            and line.continues
            and previous.alone_s is not None
            and previous.alone_s < line.first_s
        )
        if pinned:
            candidates.append([base + 5.0])
        else:
            step = SECOND / BINS_PER_SECOND
            candidates.append([base + step * (k + 0.5) for k in range(BINS_PER_SECOND)])
    links: list[list[float]] = []
    for index in range(count - 1):
        expected = rates[index] * lengths[index]
        pause = PAUSE_PROBABILITY if lines[index + 1].continues else CLEARED_PAUSE_PROBABILITY
        links.append(_link_kernel(candidates[index], candidates[index + 1], expected, pause))
    forward: list[list[float]] = []
    belief = [1.0] * len(candidates[0])
    for index in range(count):
        if index:
            belief = _carried_forward(forward[-1], links[index - 1], len(candidates[index]))
        forward.append(_normalised(belief))
    backward: list[list[float]] = [[]] * count
    belief = [1.0] * len(candidates[-1])
    backward[-1] = belief
    for index in range(count - 2, -1, -1):
        belief = _carried_back(backward[index + 1], links[index], len(candidates[index]))
        belief = _normalised(belief)
        backward[index] = belief
    starts: list[int] = []
    for index in range(count):
        posterior = [f * b for f, b in zip(forward[index], backward[index])]
        value = _weighted_median(candidates[index], posterior)
        ms = round(value)
        if starts and ms < starts[-1]:
            ms = starts[-1]
        starts.append(ms)
    return starts


def _link_kernel(
    before: list[float],
    after: list[float],
    expected: float,
    pause_probability: float = PAUSE_PROBABILITY,
) -> list[float]:
    """P(next start = after[j] | this start = before[i]) up to a constant, for every
    ``j - i`` from ``1 - len(before)`` to ``len(after) - 1``.

    It depends on the gap alone.  Candidates are single points or grids of one step
    (whole milliseconds, exact in floats), so the gap depends on ``j - i`` alone: entry
    (i, j) of the link matrix is ``kernel[len(before) - 1 - i + j]``.
    """
    log_expected = math.log(max(expected, 1.0))
    norm = 1.0 / (RATE_LOG_SIGMA * math.sqrt(2 * math.pi))
    speech_scale = (1 - pause_probability) * norm
    pause_density = pause_probability / PAUSE_SPAN_MS
    log, exp = math.log, math.exp
    first_after = after[0]
    gaps = [first_after - b for b in reversed(before[1:])]
    gaps += [a - before[0] for a in after]
    kernel: list[float] = []
    for gap in gaps:
        if gap <= 0:
            kernel.append(1e-12)
            continue
        z = (log(gap) - log_expected) / RATE_LOG_SIGMA
        speech = speech_scale * exp(-0.5 * z * z) / gap
        pause = pause_density if gap > expected else 0.0
        kernel.append(speech + pause + 1e-12)
    return kernel


def _carried_forward(belief: list[float], kernel: list[float], after_count: int) -> list[float]:
    """Belief over the next line's candidates: sum over i of belief[i] * link[i][j]."""
    # link[i][j] for i = 0, 1, ... is kernel[last - i + j]: kernel reversed, read forwards
    reversed_kernel = kernel[::-1]
    count = len(belief)
    return [
        sum(map(mul, belief, reversed_kernel[after_count - 1 - j : after_count - 1 - j + count]))
        for j in range(after_count)
    ]


def _carried_back(belief: list[float], kernel: list[float], before_count: int) -> list[float]:
    """Belief over this line's candidates from the next's: sum over j of link[i][j] * belief[j]."""
    last = before_count - 1
    count = len(belief)
    return [sum(map(mul, kernel[last - i : last - i + count], belief)) for i in range(before_count)]


def _normalised(values: list[float]) -> list[float]:
    total = sum(values)
    if total <= 0:
        return [1.0 / len(values)] * len(values)
    return [v / total for v in values]


def _weighted_median(values: list[float], weights: list[float]) -> float:
    total = sum(weights)
    if total <= 0:
        return (values[0] + values[-1]) / 2
    running = 0.0
    for value, weight in zip(values, weights):
        running += weight
        if running >= total / 2:
            return value
    return values[-1]
