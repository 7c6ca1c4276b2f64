"""EventBridge Scheduler expressions and their next runs: the stack's crons run when the
seed's schedules say, through daylight saving changes; the other forms Scheduler takes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ossgrowth.aws.scheduler_expressions import ExpressionError, next_runs, parse_cron
from ossgrowth.collect.slots import SCHEDULES, next_slot

LOS_ANGELES = "America/Los_Angeles"
ZONE = ZoneInfo(LOS_ANGELES)
STACK_CRONS = {
    "collect:stars": "cron(0 0,3,6,9,12,15,18,21 * * ? *)",
    "collect:prs+issues": "cron(50 23 * * ? *)",
    "collect:downloads": "cron(50 23 ? * SUN *)",
}
"""What the stack's template holds for each schedule (tests/aws/test_operate.py checks the
stack still emits these)."""


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


@pytest.mark.parametrize("job", sorted(STACK_CRONS))
@pytest.mark.parametrize(
    "after",
    [
        "2026-12-03T10:08:00",
        "2027-03-13T20:00:00",  # the night 02:00 does not exist
        "2026-10-31T20:00:00",  # the night 01:00 happens twice
        "2026-12-31T23:55:00",
    ],
)
def test_stack_crons_run_at_the_seeds_slots_through_daylight_saving(job: str, after: str) -> None:
    (schedule,) = [schedule for schedule in SCHEDULES if schedule.name == job]
    start = local(after)
    expected = []
    moment = start
    for _ in range(12):
        moment = next_slot(schedule, moment, ZONE)
        expected.append(moment)
    assert next_runs(STACK_CRONS[job], LOS_ANGELES, start, 12) == tuple(expected)


def test_a_cron_names_local_wall_clock_times_whatever_the_offset() -> None:
    winter = next_runs("cron(50 23 * * ? *)", LOS_ANGELES, local("2026-12-03T12:00"), 1)
    summer = next_runs("cron(50 23 * * ? *)", LOS_ANGELES, local("2026-07-03T12:00"), 1)
    assert winter == (datetime(2026, 12, 4, 7, 50, tzinfo=UTC),)
    assert summer == (datetime(2026, 7, 4, 6, 50, tzinfo=UTC),)


def test_a_time_skipped_by_spring_forward_does_not_run_that_day() -> None:
    runs = next_runs("cron(30 2 * * ? *)", LOS_ANGELES, local("2027-03-13T12:00"), 2)
    assert [run.astimezone(ZONE).date().isoformat() for run in runs] == [
        "2027-03-15",
        "2027-03-16",
    ]


def test_a_time_repeated_by_fall_back_runs_once_at_its_first_occurrence() -> None:
    runs = next_runs("cron(30 1 * * ? *)", LOS_ANGELES, local("2026-10-31T12:00"), 2)
    assert runs[0] == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)  # 01:30 PDT, not PST
    assert runs[1] - runs[0] == timedelta(hours=25)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cron(0 9 ? * MON-FRI *)", ["2026-12-03 09:00", "2026-12-04 09:00", "2026-12-07 09:00"]),
        ("cron(0/20 10 * * ? *)", ["2026-12-03 10:00", "2026-12-03 10:20", "2026-12-03 10:40"]),
        ("cron(15 6 1 JAN,JUL ? *)", ["2027-01-01 06:15", "2027-07-01 06:15", "2028-01-01 06:15"]),
        ("cron(0 12 29 2 ? *)", ["2028-02-29 12:00"]),  # 2032's is beyond five years
        ("cron(0 0 ? * 1 2027)", ["2027-01-03 00:00", "2027-01-10 00:00", "2027-01-17 00:00"]),
        ("cron(5-7 8 3 12 ? 2026)", ["2026-12-03 08:05", "2026-12-03 08:06", "2026-12-03 08:07"]),
    ],
)
def test_cron_fields_lists_ranges_steps_names_and_years(
    expression: str, expected: list[str]
) -> None:
    runs = next_runs(expression, "UTC", datetime(2026, 12, 3, 8, 0, tzinfo=UTC), 3)
    assert [run.strftime("%Y-%m-%d %H:%M") for run in runs] == expected


def test_a_cron_of_past_years_has_no_run_ahead() -> None:
    assert next_runs("cron(0 0 1 1 ? 2020)", "UTC", datetime(2026, 1, 1, tzinfo=UTC), 3) == ()


def test_rate_runs_count_from_the_schedules_start() -> None:
    start = datetime(2026, 12, 1, 9, 1, 30, tzinfo=UTC)
    after = datetime(2026, 12, 3, 10, 8, tzinfo=UTC)
    assert next_runs("rate(5 minutes)", "Etc/UTC", after, 3, start=start) == (
        datetime(2026, 12, 3, 10, 11, 30, tzinfo=UTC),
        datetime(2026, 12, 3, 10, 16, 30, tzinfo=UTC),
        datetime(2026, 12, 3, 10, 21, 30, tzinfo=UTC),
    )
    later = datetime(2027, 1, 1, tzinfo=UTC)
    assert next_runs("rate(1 day)", None, after, 2, start=later) == (
        later,
        later + timedelta(days=1),
    )


def test_at_runs_once_on_its_zones_wall_clock() -> None:
    after = datetime(2026, 12, 3, tzinfo=UTC)
    assert next_runs("at(2027-01-01T00:00:00)", "Europe/Paris", after, 3) == (
        datetime(2026, 12, 31, 23, 0, tzinfo=UTC),
    )
    assert next_runs("at(2026-01-01T00:00:00)", "Europe/Paris", after, 3) == ()


def test_parse_cron_reads_week_days_as_scheduler_counts_them() -> None:
    cron = parse_cron("0 12 ? * SUN,7 *")
    assert cron.week_days == frozenset({1, 7})
    assert cron.python_weekdays() == frozenset({6, 5})  # Sunday, Saturday


@pytest.mark.parametrize(
    ("expression", "timezone", "message"),
    [
        ("cron(0 12 L * ? *)", "UTC", "L, W and # are not read here"),
        ("cron(0 12 ? * 6#3 *)", "UTC", "L, W and # are not read here"),
        ("cron(0 12 * * ?)", "UTC", "has 5 fields"),
        ("cron(0 24 * * ? *)", "UTC", "24 is outside 0–23"),
        ("cron(0 12 ? * FRI-MON *)", "UTC", "ends before it starts"),
        ("rate(0 minutes)", "UTC", "is not 'rate(N minutes|hours|days)'"),
        ("rate(5 fortnights)", "UTC", "is not 'rate(N minutes|hours|days)'"),
        ("every day", "UTC", "is not a cron(…), rate(…) or at(…) expression"),
        ("cron(0 12 * * ? *)", "Mars/Olympus", "is not an IANA time zone"),
    ],
)
def test_expressions_not_read_here_say_why(expression: str, timezone: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(message)):
        next_runs(expression, timezone, datetime(2026, 12, 3, tzinfo=UTC), 3)


def test_a_rate_without_its_start_cannot_be_placed() -> None:
    with pytest.raises(ExpressionError, match="count from its start"):
        next_runs("rate(5 minutes)", None, datetime(2026, 12, 3, tzinfo=UTC), 3)
