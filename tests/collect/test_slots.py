"""The seed's schedules on a local wall clock, through daylight saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossgrowth.collect.slots import (
    SCHEDULES,
    Schedule,
    describe,
    latest_slot,
    next_slot,
    slots_between,
)
from ossgrowth.metrics.registry import Family

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
STARS, PRS_ISSUES, DOWNLOADS = SCHEDULES


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)  # type: ignore[misc]


def day_slots(schedule: Schedule, zone: ZoneInfo, year: int, month: int, day: int) -> list[str]:
    start = local(zone, year, month, day)
    end = start + timedelta(days=1)
    found = slots_between(schedule, start, end.astimezone(UTC) + timedelta(hours=2), zone)
    return [s.astimezone(zone).strftime("%H:%M %Z") for s in found if s < end.astimezone(UTC)]


def test_the_seed_schedules_cover_every_family_once() -> None:
    families = [family for schedule in SCHEDULES for family in schedule.families]
    assert sorted(families) == sorted(Family)


def test_stars_every_three_hours_and_the_daily_slot_keep_their_local_time_all_year() -> None:
    assert day_slots(STARS, LOS_ANGELES, 2026, 1, 15) == [
        f"{hour:02d}:00 PST" for hour in range(0, 24, 3)
    ]
    assert day_slots(STARS, LOS_ANGELES, 2026, 7, 15) == [
        f"{hour:02d}:00 PDT" for hour in range(0, 24, 3)
    ]
    winter = latest_slot(PRS_ISSUES, datetime(2026, 1, 16, 12, tzinfo=UTC), LOS_ANGELES)
    summer = latest_slot(PRS_ISSUES, datetime(2026, 7, 16, 12, tzinfo=UTC), LOS_ANGELES)
    assert (winter.hour, winter.minute, summer.hour, summer.minute) == (7, 50, 6, 50)


def test_the_day_clocks_go_forward_or_back_keeps_every_slot_that_exists() -> None:
    spring, autumn = (
        day_slots(STARS, LOS_ANGELES, 2026, 3, 8),
        day_slots(STARS, LOS_ANGELES, 2026, 11, 1),
    )
    assert spring[:2] == ["00:00 PST", "03:00 PDT"] and len(spring) == 8
    assert autumn[:2] == ["00:00 PDT", "03:00 PST"] and len(autumn) == 8


def test_a_local_time_skipped_by_a_spring_forward_has_no_slot_that_day() -> None:
    havana = ZoneInfo("America/Havana")  # jumps from 00:00 to 01:00
    assert "00:00" not in " ".join(day_slots(STARS, havana, 2026, 3, 8))
    assert len(day_slots(STARS, havana, 2026, 3, 8)) == 7
    assert len(day_slots(STARS, havana, 2026, 3, 9)) == 8


def test_downloads_are_collected_on_sundays_only() -> None:
    wednesday = datetime(2026, 11, 25, 18, tzinfo=UTC)
    before, after = (
        latest_slot(DOWNLOADS, wednesday, LOS_ANGELES),
        next_slot(DOWNLOADS, wednesday, LOS_ANGELES),
    )
    for slot in (before, after):
        shown = slot.astimezone(LOS_ANGELES)
        assert (shown.weekday(), shown.hour, shown.minute) == (6, 23, 50)
    assert after - before == timedelta(days=7)


def test_a_schedule_is_checked() -> None:
    with pytest.raises(ValueError, match="in order"):
        Schedule("x", frozenset({Family.STARS}), (time(3), time(1)))
    with pytest.raises(ValueError, match="weekdays"):
        Schedule("x", frozenset({Family.STARS}), (time(3),), frozenset({7}))


zones = st.sampled_from(
    [
        ZoneInfo(name)
        for name in (
            "America/Los_Angeles",
            "Europe/Berlin",
            "Australia/Lord_Howe",
            "America/Havana",
            "Asia/Kolkata",
            "UTC",
        )
    ]
)
instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)


@given(now=instants, zone=zones, schedule=st.sampled_from(SCHEDULES))
def test_the_latest_and_next_slots_bracket_now_with_nothing_between(
    now: datetime, zone: ZoneInfo, schedule: Schedule
) -> None:
    before, after = latest_slot(schedule, now, zone), next_slot(schedule, now, zone)
    assert before <= now < after
    assert slots_between(schedule, before, after + timedelta(seconds=1), zone) == [before, after]
    for slot in (before, after):
        shown = slot.astimezone(zone)
        assert shown.time().replace(tzinfo=None) in schedule.times


DAY_NAMES = ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"]


def schedule_of(times: list[time], weekdays: set[int] | None = None) -> Schedule:
    return Schedule(
        "x",
        frozenset({Family.STARS}),
        tuple(times),
        None if weekdays is None else frozenset(weekdays),
    )


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        (STARS, "every 3 hours from 00:00"),
        (PRS_ISSUES, "daily at 23:50"),
        (DOWNLOADS, "Sundays at 23:50"),
        (schedule_of([time(9)], {0, 3}), "Mondays and Thursdays at 09:00"),
        (schedule_of([time(9)], {4, 0, 2}), "Mondays, Wednesdays and Fridays at 09:00"),
        (schedule_of([time(8), time(12, 30), time(19)]), "daily at 08:00, 12:30 and 19:00"),
        (schedule_of([time(8), time(20)], {6}), "every 12 hours from 08:00 on Sundays"),
        (schedule_of([time(hour) for hour in range(24)]), "every hour from 00:00"),
        (schedule_of([time(5, 30)], set(range(7))), "daily at 05:30"),
        (schedule_of([time(0), time(8), time(16)]), "every 8 hours from 00:00"),
        (schedule_of([time(8), time(12), time(16)]), "daily at 08:00, 12:00 and 16:00"),
        (schedule_of([time(0, 0, 30)]), "daily at 00:00:30"),
        (
            schedule_of([time(hour, minute) for hour in range(24) for minute in (15, 45)]),
            "every 30 minutes from 00:15",
        ),
    ],
)
def test_a_schedule_is_told_in_words_from_its_times_and_days(
    schedule: Schedule, words: str
) -> None:
    assert describe(schedule) == words


def _clock(text: str) -> time:
    return time.fromisoformat(text)


def _days(text: str) -> frozenset[int] | None:
    if text == "daily":
        return None
    names = text.replace(" and ", ", ").split(", ")
    return frozenset(DAY_NAMES.index(name) for name in names)


def read_back(words: str) -> tuple[tuple[time, ...], frozenset[int] | None]:
    """The times and days a description names (its inverse, for the property below)."""
    if words.startswith("every "):
        period_text, _, rest = words.removeprefix("every ").partition(" from ")
        first_text, _, days_text = rest.partition(" on ")
        count, _, unit = period_text.rpartition(" ")
        size = {"hour": 3600, "minute": 60, "second": 1}[unit.removesuffix("s")]
        period = int(count or 1) * size
        first = _clock(first_text)
        start = first.hour * 3600 + first.minute * 60 + first.second
        seconds = sorted((start + step * period) % 86400 for step in range(86400 // period))
        times = tuple(time(second // 3600, second // 60 % 60, second % 60) for second in seconds)
        return times, _days(days_text) if days_text else None
    days_text, _, times_text = words.partition(" at ")
    clocks = times_text.replace(" and ", ", ").split(", ")
    return tuple(_clock(each) for each in clocks), _days(days_text)


minutes_of_day = st.integers(min_value=0, max_value=24 * 60 - 1)
listed_times = st.sets(minutes_of_day, min_size=1, max_size=12).map(sorted)
periods = st.sampled_from([minutes for minutes in range(1, 24 * 60) if 24 * 60 % minutes == 0])
spaced_times = periods.flatmap(
    lambda period: st.integers(min_value=0, max_value=period - 1).map(
        lambda offset: list(range(offset, 24 * 60, period))
    )
)
weekday_sets = st.none() | st.sets(st.integers(min_value=0, max_value=6), min_size=1)


@given(minutes=listed_times | spaced_times, weekdays=weekday_sets)
def test_a_description_names_exactly_the_schedule_s_times_and_days(
    minutes: list[int], weekdays: set[int] | None
) -> None:
    schedule = schedule_of([time(minute // 60, minute % 60) for minute in minutes], weekdays)
    times, days = read_back(describe(schedule))
    assert times == schedule.times
    assert days == (None if weekdays is None or len(weekdays) == 7 else frozenset(weekdays))
