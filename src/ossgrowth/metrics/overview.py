"""What an overview row tells of a count: its newest value, recent changes and a sparkline.

Pure functions over ``(epoch_seconds, value)`` observations in time order, as in
:mod:`ossgrowth.metrics.growth`; ``now`` is passed in, never read.

- **change over N days** (1, 7, 30): the value at the newest observation at or before ``now``
  minus the value at the newest observation at or before that moment − N days
  (:func:`~ossgrowth.metrics.growth.change_over`); ``None`` when the series does not reach back
  that far.
- **sparkline**: the last value observed in each of the last N UTC days (30), oldest first,
  ending with the day of ``now``; ``None`` for a day without an observation — a gap, never 0.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter

from ossgrowth.metrics.growth import change_over

__all__ = [
    "CHANGE_WINDOWS_DAYS",
    "SPARKLINE_DAYS",
    "RecentCounts",
    "daily_last_values",
    "recent_counts",
]

CHANGE_WINDOWS_DAYS = (1, 7, 30)
SPARKLINE_DAYS = 30
_DAY_SECONDS = 86400

Observation = tuple[int, float]
"""``(epoch_seconds, value)``."""
_seconds = itemgetter(0)


@dataclass(frozen=True, slots=True)
class RecentCounts:
    """A count's newest value, how it changed lately, and its last days."""

    current: float | None
    """The value at ``as_of``; ``None`` when nothing was observed by ``now``."""
    as_of: datetime | None
    """The newest observation at or before ``now``."""
    change: dict[int, float | None]
    """Change over each of :data:`CHANGE_WINDOWS_DAYS`, up to ``as_of``."""
    sparkline: list[float | None]
    """The last value of each day from ``sparkline_start`` to the day of ``now``."""
    sparkline_start: date


def daily_last_values(
    observations: Sequence[Observation], now: datetime, days: int = SPARKLINE_DAYS
) -> tuple[date, list[float | None]]:
    """The first of the last ``days`` UTC days up to ``now``'s, and the last value of each.

    Observations after ``now`` are left out; a day without an observation is ``None``.
    """
    today = now.astimezone(UTC).date()
    first_day = today - timedelta(days=days - 1)
    first_second = int(datetime.combine(first_day, time(), tzinfo=UTC).timestamp())
    last_second = int(now.timestamp())
    values: list[float | None] = []
    for index in range(days):
        day_start = first_second + index * _DAY_SECONDS
        day_end = min(day_start + _DAY_SECONDS - 1, last_second)
        position = bisect.bisect_right(observations, day_end, key=_seconds) - 1
        found = position >= 0 and observations[position][0] >= day_start
        values.append(observations[position][1] if found else None)
    return first_day, values


def recent_counts(
    observations: Sequence[Observation], now: datetime, *, days: int = SPARKLINE_DAYS
) -> RecentCounts:
    """Every figure of an overview row of a count series at ``now`` (observations oldest first).

    ``observations`` need to reach back ``max(CHANGE_WINDOWS_DAYS)`` days before their newest
    one (and one observation further) for every change to be known.
    """
    first_day, sparkline = daily_last_values(observations, now, days)
    now_seconds = int(now.timestamp())
    anchor = None
    for seconds, value in reversed(observations):
        if seconds <= now_seconds:
            anchor = (seconds, value)
            break
    if anchor is None:
        empty: dict[int, float | None] = dict.fromkeys(CHANGE_WINDOWS_DAYS)
        return RecentCounts(None, None, empty, sparkline, first_day)
    return RecentCounts(
        current=anchor[1],
        as_of=datetime.fromtimestamp(anchor[0], UTC),
        change={days: change_over(observations, now, days) for days in CHANGE_WINDOWS_DAYS},
        sparkline=sparkline,
        sparkline_start=first_day,
    )
