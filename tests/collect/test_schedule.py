"""The seed's schedules on a local wall clock, through daylight saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossgrowth.collect.schedule import (
    SCHEDULES,
    Schedule,
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
