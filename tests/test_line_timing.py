"""Line starts estimated from whole-second frames (clipkit.readers.line_timing)."""

from __future__ import annotations

import math

import pytest

from clipkit.readers import line_timing
from clipkit.readers.line_timing import RollingLine, estimate_starts, time_lines

GRID = [1000.0 * 7 + 100 * (k + 0.5) for k in range(10)]
NEXT_GRID = [1000.0 * 9 + 100 * (k + 0.5) for k in range(10)]
POINT = [9005.0]


def _density(gap: float, expected: float) -> float:
    """The link's density written out directly, one gap at a time."""
    if gap <= 0:
        return 1e-12
    sigma = line_timing.RATE_LOG_SIGMA
    z = (math.log(gap) - math.log(max(expected, 1.0))) / sigma
    speech = (1 - line_timing.PAUSE_PROBABILITY) / (sigma * math.sqrt(2 * math.pi))
    speech *= math.exp(-0.5 * z * z) / gap
    pause = line_timing.PAUSE_PROBABILITY / line_timing.PAUSE_SPAN_MS if gap > expected else 0
    return speech + pause + 1e-12


@pytest.mark.parametrize(
    ("before", "after"),
    [(GRID, NEXT_GRID), (GRID, POINT), ([7005.0], NEXT_GRID), ([7005.0], POINT), (GRID, GRID)],
    ids=["grid-grid", "grid-point", "point-grid", "point-point", "same-second"],
)
def test_kernel_passes_equal_the_link_matrix_products(
    before: list[float], after: list[float]
) -> None:
    expected = 1800.0
    matrix = [[_density(a - b, expected) for a in after] for b in before]
    kernel = line_timing._link_kernel(before, after, expected)
    forward_in = [0.05 + 0.01 * i for i in range(len(before))]
    backward_in = [0.3 - 0.02 * j for j in range(len(after))]

    forward = line_timing._carried_forward(forward_in, kernel, len(after))
    backward = line_timing._carried_back(backward_in, kernel, len(before))

    want_forward = [
        sum(p * matrix[i][j] for i, p in enumerate(forward_in)) for j in range(len(after))
    ]
    want_backward = [
        sum(matrix[i][j] * q for j, q in enumerate(backward_in)) for i in range(len(before))
    ]
    assert forward == pytest.approx(want_forward, rel=1e-12)
    assert backward == pytest.approx(want_backward, rel=1e-12)


def _steady_lines(starts_ms: list[int], texts: list[str]) -> list[RollingLine]:
    return [
        RollingLine(text, start // 1000, continues=index > 0)
        for index, (start, text) in enumerate(zip(starts_ms, texts))
    ]


def test_starts_stay_in_their_second_and_follow_a_steady_rate() -> None:
    # 30 lines of 36 characters at 70 ms a character: a line every 2.59 s.
    texts = [f"line {n:02d} of the steady talk at one pace" for n in range(30)]
    lengths = [len(text) + 1 for text in texts]
    truth = [300 + sum(70 * length for length in lengths[:n]) for n in range(30)]
    lines = _steady_lines(truth, texts)

    starts = estimate_starts(lines, lengths, [70.0] * 30)

    assert starts == sorted(starts)
    for start, line in zip(starts, lines):
        assert line.first_s * 1000 <= start < (line.first_s + 1) * 1000
    errors = sorted(abs(s - t) for s, t in zip(starts, truth))
    # A steady rate ties each start to its neighbours' seconds: far better than the
    # 250 ms a second's midpoint would be off on average.
    assert errors[len(errors) // 2] < 150, errors


def test_a_transition_in_the_second_before_pins_the_start() -> None:
    lines = [
        RollingLine("the first line is typed here", 10, continues=False, alone_s=12),
        RollingLine("and the next one starts on a second", 13, continues=True),
    ]
    typed = time_lines(lines)
    assert typed[1].start_ms == 13_005  # just after 13 s: its frame is 10 ms after 12.99x
    assert 10_000 <= typed[0].start_ms < 11_000
