"""Intervals per field kind, gaps as gaps, and downsampling that keeps extremes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossgrowth.metrics.registry import Family
from ossgrowth.metrics.resample import (
    Interval,
    aggregate,
    bucket_start,
    is_gap,
    next_bucket_start,
)

HOUR = 3600
DAY = 24 * HOUR


def epoch(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())  # type: ignore[misc]


def star(at: int, count: int | None, provenance: int = 3) -> tuple[object, ...]:
    return (at, count, provenance, "test")


@pytest.mark.parametrize(
    ("moment", "interval", "start"),
    [
        (epoch(2026, 3, 4, 5, 6), Interval.THREE_HOURS, epoch(2026, 3, 4, 3)),
        (epoch(2026, 3, 4, 5, 6), Interval.DAY, epoch(2026, 3, 4)),
        (epoch(2026, 3, 4, 5, 6), Interval.WEEK, epoch(2026, 3, 2)),  # a Monday
        (epoch(2026, 3, 1), Interval.WEEK, epoch(2026, 2, 23)),  # Sunday → previous Monday
        (epoch(2026, 3, 31, 23, 59), Interval.MONTH, epoch(2026, 3, 1)),
    ],
)
def test_intervals_start_at_utc_boundaries(moment: int, interval: Interval, start: int) -> None:
    assert bucket_start(moment, interval) == start


def test_months_have_their_own_lengths() -> None:
    assert next_bucket_start(epoch(2026, 2, 1), Interval.MONTH) == epoch(2026, 3, 1)
    assert next_bucket_start(epoch(2026, 12, 1), Interval.MONTH) == epoch(2027, 1, 1)


def test_a_count_keeps_the_last_value_of_its_interval() -> None:
    rows = [star(epoch(2026, 1, 1, 1), 5), star(epoch(2026, 1, 1, 23), 9, provenance=2)]
    assert aggregate(rows, Family.STARS, Interval.DAY) == [(epoch(2026, 1, 1), 9, 2, "test")]


def test_an_interval_without_observations_is_a_gap_row() -> None:
    rows = [star(epoch(2026, 1, 1), 5), star(epoch(2026, 1, 3), 9)]
    aggregated = aggregate(rows, Family.STARS, Interval.DAY)
    assert [row[0] for row in aggregated] == [epoch(2026, 1, day) for day in (1, 2, 3)]
    assert is_gap(aggregated[1]) and aggregated[1][1:] == (None, None, None)


def test_weekly_windows_keep_their_last_value_and_ratios_are_recomputed() -> None:
    downloads = [
        (epoch(2026, 1, 5), 100, 1000, 3, "npm"),
        (epoch(2026, 1, 12), 200, 1200, 3, "npm"),
    ]
    assert aggregate(downloads, Family.DOWNLOADS, Interval.MONTH) == [
        (epoch(2026, 1, 1), 200, 1200, 3, "npm")
    ]
    prs = [(epoch(2026, 1, 5), 4, 10, 2.5, 3, "gh"), (epoch(2026, 1, 6), 0, 12, None, 3, "gh")]
    assert aggregate(prs, Family.PRS, Interval.WEEK) == [(epoch(2026, 1, 5), 0, 12, None, 3, "gh")]


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=21, max_size=60))
def test_a_week_of_daily_weekly_sums_holds_that_weeks_downloads(daily: list[int]) -> None:
    """Daily points of trailing 7-day sums (the backfill's) give each full week its own total,
    not seven overlapping ones added up."""
    monday = epoch(2026, 1, 5)
    rows = [
        (monday + index * DAY, sum(daily[max(0, index - 6) : index + 1]), 0, 2, "npm")
        for index in range(len(daily))
    ]
    weeks = aggregate(rows, Family.DOWNLOADS, Interval.WEEK)
    for number, week in enumerate(weeks[: len(daily) // 7]):
        assert week[1] == sum(daily[number * 7 : number * 7 + 7])


def test_an_interval_is_as_trustworthy_as_its_weakest_point() -> None:
    rows = [star(epoch(2026, 1, 1, 1), 5, 3), star(epoch(2026, 1, 1, 2), 6, 1)]
    assert aggregate(rows, Family.STARS, Interval.DAY)[0][2] == 1


rows_strategy = st.lists(
    st.one_of(st.none(), st.integers(min_value=-(10**6), max_value=10**6)),
    min_size=1,
    max_size=400,
).map(lambda values: [star(index * 3 * HOUR, value) for index, value in enumerate(values)])


@given(rows_strategy)
def test_aggregation_never_invents_values(rows: list[tuple[object, ...]]) -> None:
    aggregated = aggregate(rows, Family.STARS, Interval.DAY)
    observed = {row[1] for row in rows}
    assert {row[1] for row in aggregated} <= observed | {None}
    assert [row[0] for row in aggregated] == sorted({row[0] for row in aggregated})


def _grouped_by_bucket(
    rows: list[tuple[object, ...]], family: Family, interval: Interval
) -> list[tuple[object, ...]]:
    """The definition, written plainly: group by ``bucket_start``, one row per interval from
    the first to the last, each group aggregated alone."""
    groups: dict[int, list[tuple[object, ...]]] = {}
    for row in rows:
        groups.setdefault(bucket_start(int(row[0]), interval), []).append(row)  # type: ignore[call-overload]
    result: list[tuple[object, ...]] = []
    current = min(groups)
    while current <= max(groups):
        members = groups.get(current)
        if members is None:
            result.append((current, *([None] * (len(rows[0]) - 1))))
        else:
            result.extend((current, *row[1:]) for row in aggregate(members, family, interval))
        current = next_bucket_start(current, interval)
    return result


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=90 * DAY),
            st.one_of(st.none(), st.integers(0, 50)),
            st.one_of(st.none(), st.integers(0, 50)),
            st.sampled_from([1, 2, 3]),
        ),
        min_size=1,
        max_size=80,
    ),
    st.sampled_from([Interval.THREE_HOURS, Interval.DAY, Interval.WEEK, Interval.MONTH]),
    st.sampled_from([Family.STARS, Family.PRS]),
)
def test_aggregation_is_each_interval_aggregated_alone(
    drawn: list[tuple[int, int | None, int | None, int]], interval: Interval, family: Family
) -> None:
    moments = sorted({moment for moment, *_ in drawn})
    by_moment = {moment: rest for moment, *rest in drawn}
    if family is Family.STARS:
        rows = [(m, by_moment[m][0], by_moment[m][2], f"s{m}") for m in moments]
    else:  # open, merged, ratio (recomputed), provenance, source
        rows = [
            (m, by_moment[m][0], by_moment[m][1], None, by_moment[m][2], f"s{m}") for m in moments
        ]
    assert aggregate(rows, family, interval) == _grouped_by_bucket(rows, family, interval)
