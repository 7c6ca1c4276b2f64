"""EventBridge Scheduler's schedule expressions, and when a schedule runs next. Pure.

Scheduler takes three kinds:

- ``cron(minutes hours day-of-month month day-of-week year)``, on the wall clock of the
  schedule's time zone; fields take ``*``, ``?``, lists, ranges and steps, months ``JAN``–``DEC``
  or 1–12, days of the week ``SUN``–``SAT`` or 1–7 (1 is Sunday). ``L``, ``W`` and ``#`` are
  not read here: such a schedule's next runs are not computed (:class:`ExpressionError`).
- ``rate(N minutes|hours|days)``, counted from the schedule's start (its start date, else
  when it was created).
- ``at(yyyy-mm-ddThh:mm:ss)``, once, on the wall clock of its zone.

Cron times go through :mod:`ossgrowth.collect.slots`, which turns wall-clock times of a zone
into instants day by day as Scheduler does through daylight saving changes: a time a
spring-forward skips does not run that day, a time a fall-back repeats runs once, at its first
occurrence. Day-of-month, month and year restrictions then keep the days they name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ossgrowth.clock import utc
from ossgrowth.collect.slots import Schedule, next_slot

__all__ = ["HORIZON_DAYS", "Cron", "ExpressionError", "next_runs", "parse_cron"]

HORIZON_DAYS = 5 * 366
"""How far ahead runs are looked for (a cron of one day a year, or of a later year)."""
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
        start=1,
    )
}
_WEEK_DAYS = {
    name: number
    for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)
}
_EXPRESSION = re.compile(r"^\s*(cron|rate|at)\((.*)\)\s*$", re.IGNORECASE)
_RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


class ExpressionError(ValueError):
    """A schedule expression this module cannot read (or cannot compute runs of)."""


@dataclass(frozen=True, slots=True)
class Cron:
    """A cron expression's fields; ``None`` is every value (``*`` or ``?``)."""

    minutes: frozenset[int] | None
    hours: frozenset[int] | None
    days_of_month: frozenset[int] | None
    months: frozenset[int] | None
    week_days: frozenset[int] | None
    """1 (Sunday) to 7 (Saturday), as Scheduler counts them."""
    years: frozenset[int] | None

    def local_times(self) -> tuple[time, ...]:
        """Every wall-clock time of a day the expression names, in order."""
        hours = sorted(self.hours) if self.hours is not None else range(24)
        minutes = sorted(self.minutes) if self.minutes is not None else range(60)
        return tuple(time(hour, minute) for hour in hours for minute in minutes)

    def python_weekdays(self) -> frozenset[int] | None:
        """The days of the week as Python counts them (Monday 0 … Sunday 6)."""
        if self.week_days is None:
            return None
        return frozenset((day + 5) % 7 for day in self.week_days)

    def keeps(self, day: date) -> bool:
        """Whether ``day`` passes the day-of-month, month and year fields."""
        return (
            (self.days_of_month is None or day.day in self.days_of_month)
            and (self.months is None or day.month in self.months)
            and (self.years is None or day.year in self.years)
        )


def parse_cron(body: str) -> Cron:
    """The fields of ``minutes hours day-of-month month day-of-week year``.

    Raises:
        ExpressionError: not six fields, a value out of range, or ``L``, ``W`` or ``#``.
    """
    fields = body.split()
    if len(fields) != 6:
        raise ExpressionError(
            f"cron({body}) has {len(fields)} fields; Scheduler's have six: "
            "minutes hours day-of-month month day-of-week year"
        )
    minutes, hours, days, months, week_days, years = fields
    return Cron(
        minutes=_field(minutes, 0, 59),
        hours=_field(hours, 0, 23),
        days_of_month=_field(days, 1, 31),
        months=_field(months, 1, 12, _MONTHS),
        week_days=_field(week_days, 1, 7, _WEEK_DAYS),
        years=_field(years, 1970, 2199),
    )


def _field(
    text: str, low: int, high: int, names: dict[str, int] | None = None
) -> frozenset[int] | None:
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.split(","):
        base, slash, step_text = part.partition("/")
        step = _number(step_text, 1, high) if slash else 1
        if base == "*":
            first, last = low, high
        elif "-" in base:
            start, _, end = base.partition("-")
            first, last = _value(start, low, high, names), _value(end, low, high, names)
        else:
            first = _value(base, low, high, names)
            last = high if slash else first
        if first > last:
            raise ExpressionError(f"the range {base!r} ends before it starts")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _value(token: str, low: int, high: int, names: dict[str, int] | None) -> int:
    if names and token.upper() in names:
        return names[token.upper()]
    if any(mark in token.upper() for mark in "LW#"):
        raise ExpressionError(f"{token!r}: L, W and # are not read here")
    return _number(token, low, high)


def _number(token: str, low: int, high: int) -> int:
    if not token.isdigit():
        raise ExpressionError(f"{token!r} is not a number or a name a cron field takes")
    value = int(token)
    if not low <= value <= high:
        raise ExpressionError(f"{value} is outside {low}–{high}")
    return value


def next_runs(
    expression: str,
    timezone: str | None,
    after: datetime,
    count: int,
    *,
    start: datetime | None = None,
) -> tuple[datetime, ...]:
    """The first ``count`` runs of a schedule after ``after``, in UTC, in order: fewer when
    it has no more (an ``at`` schedule, a cron of past years) within five years.

    Args:
        expression: ``cron(…)``, ``rate(…)`` or ``at(…)``, as Scheduler holds it.
        timezone: the schedule's IANA zone; ``None`` is UTC (Scheduler's default).
        after: the moment from which runs are wanted (aware).
        count: how many runs at most.
        start: when a rate schedule counts from (its start date, else its creation).

    Raises:
        ExpressionError: an expression not read here, an unknown zone, or a rate schedule
            without ``start``.
    """
    after = utc(after)
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ExpressionError(f"{timezone!r} is not an IANA time zone") from None
    matched = _EXPRESSION.match(expression)
    if matched is None:
        raise ExpressionError(f"{expression!r} is not a cron(…), rate(…) or at(…) expression")
    kind, body = matched.group(1).lower(), matched.group(2).strip()
    if kind == "cron":
        return _cron_runs(parse_cron(body), zone, after, count)
    if kind == "rate":
        return _rate_runs(body, after, count, start)
    return _at_runs(body, zone, after, count)


def _cron_runs(cron: Cron, zone: ZoneInfo, after: datetime, count: int) -> tuple[datetime, ...]:
    schedule = Schedule("cron", frozenset(), cron.local_times(), cron.python_weekdays())
    horizon = after + timedelta(days=HORIZON_DAYS)
    runs: list[datetime] = []
    moment = after
    while len(runs) < count:
        moment = next_slot(schedule, moment, zone)
        if moment > horizon:
            break
        day = moment.astimezone(zone).date()
        if cron.keeps(day):
            runs.append(moment)
            continue
        # a day the cron leaves out: look on from its last instant, not slot by slot
        midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        moment = max(moment, midnight.astimezone(UTC) - timedelta(microseconds=1))
    return tuple(runs)


def _rate_runs(
    body: str, after: datetime, count: int, start: datetime | None
) -> tuple[datetime, ...]:
    value, _, unit = body.partition(" ")
    seconds = _RATE_UNITS.get(unit.strip().lower().removesuffix("s"))
    if not value.isdigit() or int(value) < 1 or seconds is None:
        raise ExpressionError(f"rate({body}) is not 'rate(N minutes|hours|days)'")
    if start is None:
        raise ExpressionError("a rate schedule's runs count from its start, which is unknown")
    period = timedelta(seconds=int(value) * seconds)
    start = utc(start)
    passed = (after - start) // period + 1 if after >= start else 0
    first = start + passed * period
    return tuple(first + index * period for index in range(count))


def _at_runs(body: str, zone: ZoneInfo, after: datetime, count: int) -> tuple[datetime, ...]:
    try:
        local = datetime.strptime(body, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise ExpressionError(f"at({body}) is not 'at(yyyy-mm-ddThh:mm:ss)'") from None
    moment = local.replace(tzinfo=zone).astimezone(UTC)
    return (moment,) if moment > after and count > 0 else ()
