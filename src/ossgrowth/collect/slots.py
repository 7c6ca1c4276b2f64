"""When each family is collected: the seed's schedules, on the wall clock of a time zone.

The seed collected stars every 3 hours from 03:00, pull requests and issues daily at 23:50 and
downloads on Sundays at 23:50, "PDT" — which was only true half of the year. Here a schedule
is a set of local wall-clock times in the configured IANA zone (``America/Los_Angeles`` by
default), turned into UTC instants day by day, so 23:50 stays 23:50 through both daylight
saving changes. A local time that does not exist on a day (skipped by a spring-forward) has no
slot that day; one that occurs twice (a fall-back) has one slot, at its first occurrence.

Pure: instants in, instants out. :mod:`ossgrowth.collect.scheduler` does the waiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ossgrowth.clock import utc
from ossgrowth.metrics.registry import FAMILIES, Cadence, Family

__all__ = ["SCHEDULES", "Schedule", "describe", "latest_slot", "next_slot", "slots_between"]

_DAYS_SEARCHED = 9
"""A weekly schedule has a slot within any 8 consecutive days."""
_DAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
_DAY_SECONDS = 86400


@dataclass(frozen=True, slots=True)
class Schedule:
    """Local times at which some families are collected together."""

    name: str
    """The job the runs are recorded under (``collect:stars`` …)."""
    families: frozenset[Family]
    times: tuple[time, ...]
    """Local wall-clock times of each day, in order."""
    weekdays: frozenset[int] | None = None
    """Days of the week (Monday 0 … Sunday 6) with slots; ``None`` for every day."""

    def __post_init__(self) -> None:
        if not self.times or list(self.times) != sorted(set(self.times)):
            raise ValueError("a schedule needs its times in order, each once")
        if self.weekdays is not None and not self.weekdays <= set(range(7)):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")


def _schedules() -> tuple[Schedule, ...]:
    """One schedule per job of the registry's cadences, in the registry's order."""
    jobs: dict[str, list[Family]] = {}
    cadences: dict[str, Cadence] = {}
    for family, row in FAMILIES.items():
        jobs.setdefault(row.cadence.job, []).append(family)
        known = cadences.setdefault(row.cadence.job, row.cadence)
        if (known.times, known.weekdays) != (row.cadence.times, row.cadence.weekdays):
            raise ValueError(f"the families of {row.cadence.job} disagree on its times")
    return tuple(
        Schedule(job, frozenset(families), cadences[job].times, cadences[job].weekdays)
        for job, families in jobs.items()
    )


SCHEDULES: tuple[Schedule, ...] = _schedules()
"""The seed's schedules, from the registry's cadences: stars every 3 hours (03:00, 06:00 …
00:00), pull requests and issues daily at 23:50, downloads on Sundays at 23:50, local time."""


def _slots_of_day(schedule: Schedule, day: date, zone: ZoneInfo) -> Iterator[datetime]:
    if schedule.weekdays is not None and day.weekday() not in schedule.weekdays:
        return
    for moment in schedule.times:
        local = datetime.combine(day, moment, tzinfo=zone)
        instant = local.astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
            continue  # skipped by a spring-forward: no such wall-clock time that day
        yield instant


def slots_between(
    schedule: Schedule, start: datetime, end: datetime, zone: ZoneInfo
) -> list[datetime]:
    """Every slot in ``[start, end)``, in UTC, in order."""
    start, end = utc(start), utc(end)
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    found: list[datetime] = []
    day = first
    while day <= last:
        found.extend(slot for slot in _slots_of_day(schedule, day, zone) if start <= slot < end)
        day += timedelta(days=1)
    return sorted(found)


def latest_slot(schedule: Schedule, now: datetime, zone: ZoneInfo) -> datetime:
    """The last slot at or before ``now``, in UTC."""
    now = utc(now)
    day = now.astimezone(zone).date() + timedelta(days=1)
    for _ in range(_DAYS_SEARCHED):
        passed = [slot for slot in _slots_of_day(schedule, day, zone) if slot <= now]
        if passed:
            return max(passed)
        day -= timedelta(days=1)
    raise ValueError(f"{schedule.name} has no slot in {_DAYS_SEARCHED} days")


def next_slot(schedule: Schedule, now: datetime, zone: ZoneInfo) -> datetime:
    """The first slot after ``now``, in UTC."""
    now = utc(now)
    day = now.astimezone(zone).date() - timedelta(days=1)
    for _ in range(_DAYS_SEARCHED + 1):
        coming = [slot for slot in _slots_of_day(schedule, day, zone) if slot > now]
        if coming:
            return min(coming)
        day += timedelta(days=1)
    raise ValueError(f"{schedule.name} has no slot in {_DAYS_SEARCHED} days")


def describe(schedule: Schedule) -> str:
    """The schedule in words, from its times and days: ``every 3 hours from 00:00``,
    ``daily at 23:50``, ``Sundays at 23:50``, ``Mondays and Thursdays at 09:00``,
    ``daily at 08:00, 12:30 and 19:00``.

    Times spaced evenly around the whole day (the gap from the last back to the first
    included) are told as a period from the first; others are listed. Days of the week follow,
    or precede a list of times; all seven are ``daily``.
    """
    days = None
    if schedule.weekdays is not None and len(schedule.weekdays) < 7:
        days = _listed([_DAY_NAMES[day] for day in sorted(schedule.weekdays)])
    period = _period_seconds(schedule.times)
    if period is not None:
        every = f"every {_duration(period)} from {_clock(schedule.times[0])}"
        return every if days is None else f"{every} on {days}"
    return f"{days or 'daily'} at {_listed([_clock(moment) for moment in schedule.times])}"


def _period_seconds(times: tuple[time, ...]) -> int | None:
    """The gap between consecutive times when it is the same all around the day, else None."""
    if len(times) < 2:
        return None
    seconds = [moment.hour * 3600 + moment.minute * 60 + moment.second for moment in times]
    gaps = {later - earlier for earlier, later in zip(seconds, seconds[1:], strict=False)}
    gaps.add(seconds[0] + _DAY_SECONDS - seconds[-1])
    return gaps.pop() if len(gaps) == 1 else None


def _duration(seconds: int) -> str:
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds % size == 0:
            count = seconds // size
            return unit if count == 1 else f"{count} {unit}s"
    raise AssertionError("unreachable: every whole number of seconds is a number of seconds")


def _clock(moment: time) -> str:
    return moment.strftime("%H:%M:%S" if moment.second else "%H:%M")


def _listed(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
