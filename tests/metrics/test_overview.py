"""Overview figures of a count: newest value, changes over 1/7/30 days, a 30-day sparkline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossgrowth.metrics.growth import change_over
from ossgrowth.metrics.overview import (
    CHANGE_WINDOWS_DAYS,
    SPARKLINE_DAYS,
    daily_last_values,
    recent_counts,
)

NOW = datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
HOUR = 3600


def every_three_hours(
    days: int, *, end: datetime = NOW, start_value: int = 0
) -> list[tuple[int, float]]:
    """One observation every 3 hours for ``days`` days up to ``end``, one star more each."""
    last = int(end.timestamp())
    count = days * 8
    return [(last - (count - 1 - step) * 3 * HOUR, start_value + step) for step in range(count)]


def test_changes_are_the_difference_to_the_newest_value_n_days_before() -> None:
    recent = recent_counts(every_three_hours(40), NOW)
    assert recent.current == 319
    assert recent.as_of == NOW
    assert recent.change == {1: 8, 7: 56, 30: 240}


def test_a_change_the_history_does_not_reach_back_to_is_none() -> None:
    recent = recent_counts(every_three_hours(5), NOW)
    assert recent.change == {1: 8, 7: None, 30: None}


def test_nothing_observed_has_no_value_no_change_and_an_empty_sparkline() -> None:
    recent = recent_counts([], NOW)
    assert (recent.current, recent.as_of) == (None, None)
    assert recent.change == dict.fromkeys(CHANGE_WINDOWS_DAYS)
    assert recent.sparkline == [None] * SPARKLINE_DAYS
    assert recent.sparkline_start == date(2026, 1, 31)


def test_a_stopped_series_is_read_at_its_last_observation_not_as_flat_since() -> None:
    stopped = every_three_hours(40, end=NOW - timedelta(days=3))
    recent = recent_counts(stopped, NOW)
    assert recent.as_of == NOW - timedelta(days=3)
    assert recent.change[1] == 8
    assert recent.sparkline[-3:] == [None, None, None]


def test_observations_after_now_are_left_out() -> None:
    observations = [*every_three_hours(2), (int(NOW.timestamp()) + HOUR, 10_000)]
    recent = recent_counts(observations, NOW)
    assert recent.current == 15 and recent.sparkline[-1] == 15


def test_the_sparkline_holds_each_day_s_last_value_and_a_gap_for_a_day_without_one() -> None:
    observations = [
        (point, value)
        for point, value in every_three_hours(30)
        if datetime.fromtimestamp(point, UTC).date() != date(2026, 2, 20)
    ]
    first_day, values = daily_last_values(observations, NOW)
    assert first_day == date(2026, 1, 31) and len(values) == SPARKLINE_DAYS
    days = [first_day + timedelta(days=index) for index in range(SPARKLINE_DAYS)]
    assert values[days.index(date(2026, 2, 20))] is None
    assert values[days.index(date(2026, 2, 19))] == max(
        value
        for point, value in observations
        if datetime.fromtimestamp(point, UTC).date() == date(2026, 2, 19)
    )
    assert values[-1] == observations[-1][1]
    assert None not in values[: days.index(date(2026, 2, 20))][1:]


@pytest.mark.parametrize("days", [1, 7, 30])
def test_change_over_agrees_with_the_value_n_days_earlier(days: int) -> None:
    observations = every_three_hours(31)
    assert change_over(observations, NOW, days) == 8 * days


moments = st.integers(min_value=0, max_value=60 * 86400)


@given(
    offsets=st.lists(moments, min_size=1, max_size=60, unique=True),
    values=st.lists(st.integers(min_value=0, max_value=10**9), min_size=60, max_size=60),
)
def test_the_sparkline_ends_with_the_newest_value_of_today_and_never_invents_one(
    offsets: list[int], values: list[int]
) -> None:
    start = int((NOW - timedelta(days=60)).timestamp())
    observations = sorted(
        (start + offset, value) for offset, value in zip(offsets, values, strict=False)
    )
    observations = [
        (point, value) for point, value in observations if point <= int(NOW.timestamp())
    ]
    recent = recent_counts(observations, NOW)
    observed = {value for _, value in observations}
    assert all(value is None or value in observed for value in recent.sparkline)
    today = [
        value
        for point, value in observations
        if datetime.fromtimestamp(point, UTC).date() == NOW.date()
    ]
    assert recent.sparkline[-1] == (today[-1] if today else None)
    for days, change in recent.change.items():
        assert change is None or change == recent.current - next(
            value
            for point, value in reversed(observations)
            if point <= int(recent.as_of.timestamp()) - days * 86400  # type: ignore[union-attr]
        )
