"""Unusual growth: daily gains, the modified z-score over a trailing window, spike or unusual."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ossgrowth.metrics.unusual import (
    MIN_HISTORY_DAYS,
    THRESHOLD,
    AccountAgeTest,
    DailyGain,
    FlagKind,
    StargazerDay,
    classify,
    daily_gains,
    flag_days,
    is_new_account,
    stargazer_days,
    unusual_growth,
)

FIRST = date(2026, 1, 1)
DAY = 86_400


def gains_of(values: list[float], first: date = FIRST) -> list[DailyGain]:
    return [DailyGain(first + timedelta(days=index), value) for index, value in enumerate(values)]


def midnight(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def levels_from(values: list[float]) -> list[tuple[int, float]]:
    """Observations at 00:00 of each day whose differences are ``values``."""
    level = 1000.0
    rows = [(midnight(FIRST), level)]
    for index, value in enumerate(values, start=1):
        level += value
        rows.append((midnight(FIRST + timedelta(days=index)), level))
    return rows


def flagged_days(values: list[float]) -> list[date]:
    return [day.day for day in flag_days(gains_of(values))]


noisy_gains = st.lists(st.integers(min_value=0, max_value=400), min_size=30, max_size=150)


def test_daily_gains_are_differences_of_the_first_observation_of_each_day() -> None:
    start = midnight(FIRST)
    observations = [
        (start, 10),
        (start + 3 * 3600, 12),
        (start + DAY, 15),
        (start + DAY + 3600, 40),
        (start + 2 * DAY + 60, 41),
    ]
    assert daily_gains(observations) == [
        DailyGain(FIRST, 5),
        DailyGain(FIRST + timedelta(days=1), 26),
    ]


def test_a_day_with_a_gap_at_either_end_has_no_gain() -> None:
    start = midnight(FIRST)
    observations = [(start, 10), (start + DAY, 12), (start + 3 * DAY, 20), (start + 4 * DAY, 21)]
    assert [gain.day for gain in daily_gains(observations)] == [
        FIRST,
        FIRST + timedelta(days=3),
    ]


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=200))
def test_a_flat_series_flags_nothing(gain: int, days: int) -> None:
    assert flagged_days([float(gain)] * days) == []


@settings(deadline=None)  # a timing limit is not what these test; the machine may be busy
@given(noisy_gains, st.integers(min_value=5, max_value=50))
def test_a_single_big_day_is_flagged(values: list[int], factor: int) -> None:
    top = max(max(values), 1)
    spiked = [float(value) for value in values] + [float(top * factor + 50)]
    assert flagged_days(spiked)[-1:] == [FIRST + timedelta(days=len(values))]


@settings(deadline=None)  # a timing limit is not what these test; the machine may be busy
@given(noisy_gains, st.integers(min_value=2, max_value=1000))
def test_scaling_the_whole_series_does_not_change_the_flags(values: list[int], factor: int) -> None:
    gains = [float(value) for value in values]
    assume(max(gains) - min(gains) >= 4)  # a scale above the one-star floor before scaling
    flags = flag_days(gains_of(gains))
    scaled = flag_days(gains_of([value * factor for value in gains]))
    assert [day.day for day in scaled] == [day.day for day in flags]
    assert [day.score for day in scaled] == [day.score for day in flags]


@settings(deadline=None)  # a timing limit is not what these test; the machine may be busy
@given(
    st.floats(min_value=1.0, max_value=10_000.0),
    st.floats(min_value=0.0, max_value=0.04),
    st.integers(min_value=60, max_value=400),
)
def test_steady_exponential_growth_is_not_flagged(start: float, rate: float, days: int) -> None:
    # Gains growing by up to 4 % a day (doubling in under three weeks), for up to 400 days.
    # (Above about 5 % a day sustained, each day's gain is past the threshold of its window:
    # docs/metrics.md says so.)
    assert flagged_days([start * (1 + rate) ** day for day in range(days)]) == []


def test_a_short_history_is_not_scored() -> None:
    values = [10.0] * (MIN_HISTORY_DAYS - 1) + [10_000.0]
    assert flagged_days(values) == []
    assert flagged_days([10.0] * MIN_HISTORY_DAYS + [10_000.0]) == [
        FIRST + timedelta(days=MIN_HISTORY_DAYS)
    ]


def test_the_window_trails_by_fifty_six_days() -> None:
    # A burst long ago no longer widens the window of a later day.
    values = [5.0] * 20 + [5000.0] * 30 + [5.0] * 60 + [300.0]
    assert FIRST + timedelta(days=110) in flagged_days(values)


def test_a_drop_is_not_flagged() -> None:
    assert flagged_days([50.0, 52.0, 49.0, 51.0] * 10 + [-500.0]) == []


def test_zero_mad_falls_back_to_the_mean_absolute_deviation() -> None:
    # More than half the window has the same gain: MAD is 0, the score is still finite.
    values = [10.0, 10.0, 14.0] * 19 + [60.0]
    flagged = flag_days(gains_of(values))
    assert [day.day for day in flagged] == [FIRST + timedelta(days=57)]
    assert flagged[0].mad == 0
    mean_deviation = sum(abs(value - 10) for value in values[1:57]) / 56
    assert flagged[0].score == pytest.approx(50 / (1.253314 * mean_deviation))
    assert flagged[0].score > THRESHOLD


def test_a_quiet_repository_is_not_flagged_for_a_day_with_two_stars() -> None:
    values = [0.0] * 6 + [1.0] + [0.0] * 6 + [1.0] + [0.0] * 20 + [2.0]
    assert flagged_days(values) == []
    assert flagged_days(values[:-1] + [25.0]) == [FIRST + timedelta(days=len(values) - 1)]


def test_an_account_is_new_within_thirty_days_of_starring() -> None:
    starred = datetime(2026, 3, 1, tzinfo=UTC)
    assert is_new_account(starred - timedelta(days=29), starred)
    assert not is_new_account(starred - timedelta(days=30), starred)


def test_stargazer_days_count_new_accounts_per_day() -> None:
    start = midnight(FIRST)
    stars = [
        (start + 10, start - 2 * DAY),
        (start + 20, start - 400 * DAY),
        (start + DAY + 5, None),
    ]
    assert stargazer_days(stars) == [
        StargazerDay(FIRST, 2, 1),
        StargazerDay(FIRST + timedelta(days=1), 1, 0),
    ]


def ages_around(day: date, listed: int, new: int) -> list[StargazerDay]:
    """A month of ordinary days (5 % new accounts) and ``day`` with its own counts."""
    rows = [StargazerDay(day - timedelta(days=offset), 20, 1) for offset in range(30, 0, -1)]
    return [*rows, StargazerDay(day, listed, new)]


def test_a_burst_of_new_accounts_is_unusual_and_an_ordinary_one_a_spike() -> None:
    values = [20.0, 22.0, 19.0, 21.0] * 10 + [600.0]
    day = FIRST + timedelta(days=40)
    bought = unusual_growth(levels_from(values), ages_around(day, 600, 570))
    launch = unusual_growth(levels_from(values), ages_around(day, 600, 40))
    assert bought.account_age_test is AccountAgeTest.RUN
    assert [(flag.day, flag.kind) for flag in bought.days] == [(day, FlagKind.UNUSUAL)]
    assert bought.days[0].new_account_share == pytest.approx(0.95)
    assert bought.baseline_new_account_share == pytest.approx(0.05)
    assert [(flag.day, flag.kind) for flag in launch.days] == [(day, FlagKind.SPIKE)]


def test_without_the_stargazer_list_every_flag_is_a_spike_and_the_test_is_not_run() -> None:
    values = [20.0, 22.0, 19.0, 21.0] * 10 + [600.0]
    result = unusual_growth(levels_from(values), None)
    assert [flag.kind for flag in result.days] == [FlagKind.SPIKE]
    assert result.days[0].new_account_share is None
    assert result.account_age_test is AccountAgeTest.NOT_RUN
    assert "account-age test was not run" in result.notes[0]


def test_a_flagged_day_without_known_ages_is_a_spike_and_said_so() -> None:
    flagged = flag_days(gains_of([20.0, 22.0, 19.0, 21.0] * 10 + [600.0]))
    result = classify(flagged, [StargazerDay(FIRST, 20, 1)])
    assert result.days[0].kind is FlagKind.SPIKE
    assert result.days[0].new_account_share is None
    assert (FIRST + timedelta(days=40)).isoformat() in result.notes[0]


def test_a_high_share_in_a_repository_whose_baseline_is_high_is_a_spike() -> None:
    flagged = flag_days(gains_of([20.0, 22.0, 19.0, 21.0] * 10 + [600.0]))
    day = flagged[0].day
    rows = [StargazerDay(day - timedelta(days=offset), 20, 5) for offset in range(1, 20)]
    result = classify(flagged, [*rows, StargazerDay(day, 600, 360)])
    assert result.days[0].kind is FlagKind.SPIKE  # 60 % new, but the baseline is 25 %


def test_the_shown_range_keeps_the_windows_of_earlier_days() -> None:
    values = [20.0, 22.0, 19.0, 21.0] * 10 + [600.0] + [20.0] * 10
    day = FIRST + timedelta(days=40)
    assert [flag.day for flag in unusual_growth(levels_from(values), None, first=day).days] == [day]
    assert unusual_growth(levels_from(values), None, last=day - timedelta(days=1)).days == ()


def test_new_accounts_cannot_outnumber_the_listed_stars() -> None:
    with pytest.raises(ValueError, match="between 0 and listed"):
        StargazerDay(FIRST, 1, 2)
