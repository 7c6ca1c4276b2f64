"""Growth figures: rates over windows, week-over-week %, acceleration, milestone projection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossgrowth.metrics.growth import (
    acceleration_per_day,
    milestone_after,
    project_milestone,
    rate_per_day,
    summarize_growth,
    week_over_week_percent,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)
DAY = 86400


def daily(values: list[float], *, end: datetime = NOW) -> list[tuple[int, float]]:
    """One observation a day, the last at ``end``."""
    last = int(end.timestamp())
    return [(last - (len(values) - 1 - index) * DAY, value) for index, value in enumerate(values)]


def test_a_steady_line_has_its_slope_in_every_window() -> None:
    observations = daily([100 + 5 * day for day in range(100)])
    for days in (1, 7, 30, 90):
        assert rate_per_day(observations, NOW, days) == pytest.approx(5)
    assert acceleration_per_day(observations, NOW) == pytest.approx(0)


def test_a_window_longer_than_the_history_has_no_rate() -> None:
    assert rate_per_day(daily([1, 2, 3]), NOW, 7) is None
    assert rate_per_day([], NOW, 1) is None


def test_figures_are_anchored_at_the_newest_observation_not_at_now() -> None:
    stale = daily([10 * day for day in range(20)], end=NOW - timedelta(days=5))
    assert rate_per_day(stale, NOW, 7) == pytest.approx(10)


def test_observations_after_now_are_ignored() -> None:
    observations = daily([0, 10, 20, 1000], end=NOW + timedelta(days=1))
    assert rate_per_day(observations, NOW, 1) == pytest.approx(10)


def test_week_over_week_is_growth_in_percent_of_the_value_a_week_ago() -> None:
    observations = daily([100] * 7 + [110])
    assert week_over_week_percent(observations, NOW) == pytest.approx(10)
    assert week_over_week_percent(daily([0] * 8), NOW) is None


def test_acceleration_compares_the_last_two_weeks() -> None:
    first_week = [2 * day for day in range(8)]
    second_week = [first_week[-1] + 9 * day for day in range(1, 8)]
    assert acceleration_per_day(daily(first_week + second_week), NOW) == pytest.approx(1)


@pytest.mark.parametrize(
    ("value", "milestone"),
    [
        (0, 1000),
        (999, 1000),
        (1000, 5000),
        (4999, 5000),
        (5000, 10000),
        (12345, 50000),
        (99_999, 100_000),
        (100_000, 500_000),
        (2_000_000, 5_000_000),
    ],
)
def test_milestones_go_1k_5k_10k_50k(value: int, milestone: int) -> None:
    assert milestone_after(value) == milestone


def test_a_milestone_is_projected_along_the_rate() -> None:
    milestone, reached = project_milestone(900, 10, NOW)
    assert milestone == 1000 and reached == NOW + timedelta(days=10)
    assert project_milestone(900, 0, NOW) == (1000, None)
    assert project_milestone(900, -3, NOW) == (1000, None)
    assert project_milestone(900, None, NOW) == (1000, None)


def test_an_empty_series_has_no_figures() -> None:
    growth = summarize_growth([], NOW)
    assert growth.current is None and growth.next_milestone is None
    assert set(growth.rate_per_day.values()) == {None}


observations_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=400 * DAY), st.integers(min_value=0, max_value=10**9)
    ),
    max_size=60,
    unique_by=lambda pair: pair[0],
).map(sorted)


@given(observations_strategy, st.integers(min_value=0, max_value=500 * DAY))
def test_growth_never_fails_and_milestones_lie_ahead(
    observations: list[tuple[int, int]], now_seconds: int
) -> None:
    now = datetime.fromtimestamp(now_seconds, UTC)
    growth = summarize_growth([(moment, float(value)) for moment, value in observations], now)
    if growth.current is None:
        return
    assert growth.next_milestone is not None and growth.next_milestone > growth.current
    assert growth.as_of is not None and growth.as_of <= now
    if growth.next_milestone_at is not None:
        assert growth.next_milestone_at >= growth.as_of


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=15, max_size=40))
def test_a_rising_count_never_has_a_negative_rate(steps: list[int]) -> None:
    values: list[float] = []
    total = 0.0
    for step in steps:
        total += step
        values.append(total)
    observations = daily(values)
    for days in (1, 7, 30, 90):
        rate = rate_per_day(observations, NOW, days)
        assert rate is None or rate >= 0
