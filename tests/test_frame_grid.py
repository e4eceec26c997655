"""CaptionStyle's frame grid: the one definition of a caption time "on a frame"."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipkit.errors import StyleError
from clipkit.style import CaptionStyle

RATES = [23.976, 24.0, 25.0, 29.97, 30.0, 50.0, 59.94, 60.0]


def exact_boundary_ms(index: int, rate: Fraction) -> Fraction:
    return Fraction(index * 1000) / rate


@pytest.mark.parametrize(
    ("fps", "exact"),
    [
        (23.976, Fraction(24000, 1001)),
        (23.98, Fraction(24000, 1001)),
        (24000 / 1001, Fraction(24000, 1001)),  # ffprobe's r_frame_rate as a float
        (29.97, Fraction(30000, 1001)),
        (59.94, Fraction(60000, 1001)),
        (25.0, Fraction(25)),
        (30.0, Fraction(30)),
        (12.5, Fraction(25, 2)),
        (12.34, Fraction(617, 50)),
    ],
)
def test_frame_rate_is_exact_and_ntsc_rates_mean_1000_over_1001(
    fps: float, exact: Fraction
) -> None:
    assert CaptionStyle(fps=fps).frame_rate == exact


@pytest.mark.parametrize(
    ("fps", "first_times"),
    [
        (25.0, [0, 40, 80, 120, 160]),
        (30.0, [0, 33, 67, 100, 133, 167, 200]),
        (23.976, [0, 42, 83, 125, 167, 209, 250, 292, 334]),
    ],
)
def test_the_grid_is_the_nearest_ms_to_every_frame_boundary(
    fps: float, first_times: list[int]
) -> None:
    style = CaptionStyle(fps=fps)
    assert [style.frame_ms(k) for k in range(len(first_times))] == first_times
    assert all(style.is_on_frame(ms) for ms in first_times)
    assert not style.is_on_frame(first_times[1] + 5)


@pytest.mark.parametrize("fps", RATES)
@given(index=st.integers(-10_000, 20_000_000))
def test_frame_ms_rounds_the_exact_boundary_and_frame_index_inverts_it(
    fps: float, index: int
) -> None:
    style = CaptionStyle(fps=fps)
    exact = exact_boundary_ms(index, style.frame_rate)
    ms = style.frame_ms(index)
    assert ms == math.floor(exact + Fraction(1, 2))
    assert style.frame_index(ms) == index
    assert style.is_on_frame(ms)


@pytest.mark.parametrize("fps", RATES)
@given(ms=st.integers(-100_000, 40_000_000))
def test_snap_floor_and_ceil_find_the_nearest_and_the_neighbouring_frames(
    fps: float, ms: int
) -> None:
    style = CaptionStyle(fps=fps)
    rate = style.frame_rate
    below = math.floor(Fraction(ms) * rate / 1000)  # the exact boundary at or before ms
    around = [style.frame_ms(k) for k in range(below - 1, below + 3)]
    snapped = style.snap_to_frame(ms)
    assert snapped in around
    assert abs(snapped - ms) == min(abs(t - ms) for t in around)
    assert style.snap_to_frame(snapped) == snapped
    assert style.frame_floor(ms) == max(t for t in around if t <= ms)
    assert style.frame_ceil(ms) == min(t for t in around if t >= ms)
    assert style.is_on_frame(ms) == (ms in around)


def test_23976_stays_on_the_real_frames_for_hours() -> None:
    # 24000/1001 vs 23.976 taken literally differ by 3.6 ms after an hour
    style = CaptionStyle(fps=23.976)
    ten_hours = 10 * 3600 * 24000 // 1001
    assert style.frame_ms(ten_hours) == math.floor(Fraction(ten_hours * 1001, 24) + Fraction(1, 2))


def test_frame_grid_problems_counts_gaps_in_frames_not_milliseconds() -> None:
    style = CaptionStyle(fps=30.0)  # 2 frames: 66 or 67 ms
    assert style.frame_grid_problems([(0, 67), (133, 200), (267, 400)]) == []
    problems = style.frame_grid_problems([(0, 40), (100, 200), (233, 300)])
    assert problems == [
        "cue 1: end 40 ms is off the 30 fps grid (nearest frame 33 ms)",
        "cue 3: 1 frame(s) after the cue before (at least 2)",
    ]


@pytest.mark.parametrize("fps", [0.0, -25.0, float("nan"), float("inf"), 1001.0])
def test_unusable_frame_rates_are_refused(fps: float) -> None:
    with pytest.raises(StyleError):
        CaptionStyle(fps=fps)
