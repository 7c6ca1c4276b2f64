"""Downsampling by time runs, and reads from rollups that give exactly the same rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.metrics.resample import Interval, aggregate
from ossgrowth.metrics.rollups import (
    BASES,
    FIRST_GAP,
    HIGH,
    LOW,
    Segment,
    SegmentKind,
    assemble,
    downsample,
    pick,
    plan_read,
    series_rollups,
)

Row = tuple[Any, ...]
HOUR = 3600
DAY = 24 * HOUR
START = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())


def star(at: int, count: int | None, provenance: int = 3, source: str = "t") -> Row:
    return (at, count, provenance, source)


def expected(raw: Sequence[Row], family: Family, interval: Interval, max_points: int) -> list[Row]:
    """What the API answers, from the raw points in the range: the definition."""
    shown = aggregate(raw, family, interval)
    return downsample(shown, interval, max_points)


def read_through_rollups(
    raw: Sequence[Row],
    family: Family,
    interval: Interval,
    max_points: int,
    start: int | None,
    end: int | None,
) -> list[Row]:
    """What a store answers from rollups kept over every raw point of the series."""
    width = len(FAMILIES[family].field_names)
    base = BASES[interval]
    stored = series_rollups(base, raw, family, width)
    inside = [
        row for row in raw if (start is None or row[0] >= start) and (end is None or row[0] <= end)
    ]
    if not inside:
        return []
    plan = plan_read(
        base,
        inside[0][0],
        inside[-1][0],
        max_points,
        unit_rows_count=None if base.aggregated else min(len(inside), max_points + 1),
    )

    def read(segment: Segment) -> list[Row]:
        if segment.kind is SegmentKind.RAW or (
            segment.kind is SegmentKind.UNITS and not base.stored_units
        ):
            return [row for row in inside if segment.start <= row[0] < segment.end]
        depth = 0 if segment.kind is SegmentKind.UNITS else segment.depth
        return [
            (*row, roles)
            for row, roles in stored.get(depth, [])
            if segment.start <= row[0] < segment.end
        ]

    return assemble(plan, [read(segment) for segment in plan.segments], family, width)


def test_pick_keeps_extremes_and_the_first_gap_once_each() -> None:
    rows = [star(1, 5), star(2, None), star(3, 1), star(4, 9), star(5, 1), star(6, None)]
    assert pick(rows) == [(star(2, None), FIRST_GAP), (star(3, 1), LOW), (star(4, 9), HIGH)]
    assert pick(rows, keep_gap=False) == [(star(3, 1), LOW), (star(4, 9), HIGH)]
    assert pick([star(7, 2)]) == [(star(7, 2), LOW | HIGH)]


def test_a_short_series_comes_back_unchanged() -> None:
    rows = [star(START + index * 3 * HOUR, index) for index in range(10)]
    assert downsample(rows, Interval.RAW, 10) == rows


def test_runs_are_weeks_when_days_do_not_fit() -> None:
    rows = [star(START + index * DAY, index % 7) for index in range(70)]  # 2024-01-01 is a Monday
    kept = downsample(rows, Interval.DAY, 40)  # 70 days → 11 weeks * 3 ≤ 40
    weeks = {(row[0] - START) // (7 * DAY) for row in kept}
    assert len(weeks) == 10
    assert all(row[1] in (0, 6) for row in kept)
    assert len(kept) == 20


def test_two_points_keep_only_the_extremes_of_one_run() -> None:
    rows = [star(START + index * DAY, value) for index, value in enumerate([3, None, 1, 8, 2])]
    assert downsample(rows, Interval.DAY, 2) == [star(START + 2 * DAY, 1), star(START + 3 * DAY, 8)]


@pytest.mark.parametrize("interval", list(Interval))
def test_five_years_of_three_hourly_stars_read_like_the_definition(interval: Interval) -> None:
    raw = [
        star(START + index * 3 * HOUR, 1000 + index // 3 - (index % 97 == 0) * 50)
        for index in range(5 * 365 * 8)
        if index % 1013 not in range(30)  # an outage now and then: gaps
    ]
    for max_points in (1000, 200, 50, 3, 2):
        wanted = expected(raw, Family.STARS, interval, max_points)
        assert len(wanted) <= max_points
        got = read_through_rollups(raw, Family.STARS, interval, max_points, None, None)
        assert got == wanted, (interval, max_points)


moments = st.integers(min_value=0, max_value=900 * DAY).map(lambda offset: START + offset)


@st.composite
def series(draw: st.DrawFn) -> list[Row]:
    dense = draw(st.booleans())
    if dense:
        first = draw(moments)
        step = draw(st.sampled_from([HOUR, 3 * HOUR, DAY]))
        count = draw(st.integers(min_value=1, max_value=3000))
        keep = draw(st.integers(min_value=1, max_value=5))
        times = [first + index * step for index in range(count) if index % 7 < keep + 2]
    else:
        times = sorted(set(draw(st.lists(moments, min_size=1, max_size=300))))
    values = draw(st.lists(st.one_of(st.none(), st.integers(0, 40)), min_size=1, max_size=60))
    provenances = draw(st.lists(st.sampled_from([1, 2, 3]), min_size=1, max_size=5))
    return [
        star(
            at, values[index % len(values)], provenances[index % len(provenances)], f"s{index % 3}"
        )
        for index, at in enumerate(times)
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    raw=series(),
    interval=st.sampled_from(list(Interval)),
    max_points=st.sampled_from([2, 3, 4, 7, 20, 100, 500, 1000]),
    start=st.one_of(st.none(), moments),
    span=st.one_of(st.none(), st.integers(min_value=0, max_value=600 * DAY)),
)
def test_rollup_reads_are_exactly_the_definition(
    raw: list[Row],
    interval: Interval,
    max_points: int,
    start: int | None,
    span: int | None,
) -> None:
    end = None if span is None else (start or START) + span
    inside = [
        row for row in raw if (start is None or row[0] >= start) and (end is None or row[0] <= end)
    ]
    wanted = expected(inside, Family.STARS, interval, max_points)
    got = read_through_rollups(raw, Family.STARS, interval, max_points, start, end)
    assert got == wanted
    assert len(got) <= max_points


@settings(max_examples=100, deadline=None)
@given(
    times=st.lists(moments, min_size=1, max_size=200, unique=True),
    interval=st.sampled_from(list(Interval)),
    max_points=st.sampled_from([2, 3, 10, 100]),
)
def test_ratios_and_provenance_survive_rollups(
    times: list[int], interval: Interval, max_points: int
) -> None:
    raw = [
        (
            at,
            index % 13,
            index * 2,
            (index * 2) / (index % 13) if index % 13 else None,
            1 + index % 3,
            "x",
        )
        for index, at in enumerate(sorted(times))
    ]
    wanted = expected(raw, Family.PRS, interval, max_points)
    assert read_through_rollups(raw, Family.PRS, interval, max_points, None, None) == wanted


short_series = st.lists(
    st.one_of(st.none(), st.integers(min_value=-(10**6), max_value=10**6)),
    min_size=1,
    max_size=400,
).map(lambda values: [star(index * 3 * HOUR, value) for index, value in enumerate(values)])


@given(short_series, st.integers(min_value=2, max_value=500))
def test_downsampling_keeps_at_most_max_points_in_order_with_the_extremes(
    rows: list[Row], max_points: int
) -> None:
    kept = downsample(rows, Interval.THREE_HOURS, max_points)
    assert len(kept) <= max_points
    assert [row[0] for row in kept] == sorted({row[0] for row in kept})
    assert set(kept) <= set(rows)
    known = [row[1] for row in rows if row[1] is not None]
    kept_known = [row[1] for row in kept if row[1] is not None]
    if known:
        assert min(kept_known) == min(known) and max(kept_known) == max(known)
    if max_points >= 3 and any(row[1] is None for row in rows):
        assert any(row[1] is None for row in kept)
