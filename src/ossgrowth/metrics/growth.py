"""Growth of a count over time: rates, week-over-week growth, acceleration, next milestone.

Pure functions over ``(epoch_seconds, value)`` observations in time order; ``now`` is passed in,
never read. Every figure is anchored at the newest observation at or before ``now``, so a
series that stopped a while ago is not read as flat.

Methods (documented in docs/api.md):

- **change over N days**: ``value at anchor − value at the newest observation at or before
  anchor − N days``; ``None`` when the series does not reach back N days.
- **rate per day over N days**: ``(value at anchor − value at the newest observation at or
  before anchor − N days) ÷ the days between those two observations``; ``None`` when the
  series does not reach back N days.
- **week-over-week growth %**: ``(value at anchor − value a week earlier) ÷ value a week
  earlier × 100``; ``None`` when that earlier value is missing or 0.
- **acceleration** (per day, per day): ``(rate over the last 7 days − rate over the 7 days
  before) ÷ 7``; ``None`` when the series does not reach back 14 days.
- **next milestone**: the smallest of 1k, 5k, 10k, 50k, 100k, 500k, 1M … above the value
  at anchor; it is projected at the 30-day rate (else the 90-day, else the 7-day one) as a
  straight line; ``None`` when that rate is missing or not positive.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter

__all__ = [
    "RATE_WINDOWS_DAYS",
    "Growth",
    "acceleration_per_day",
    "change_over",
    "milestone_after",
    "project_milestone",
    "rate_per_day",
    "summarize_growth",
    "week_over_week_percent",
]

RATE_WINDOWS_DAYS = (1, 7, 30, 90)
_DAY_SECONDS = 86400
_PROJECTION_WINDOWS_DAYS = (30, 90, 7)

Observation = tuple[int, float]
"""``(epoch_seconds, value)``."""
_seconds = itemgetter(0)


@dataclass(frozen=True, slots=True)
class Growth:
    """How a count grew up to its newest observation."""

    as_of: datetime | None
    """The newest observation at or before ``now``; ``None`` when there is none."""
    current: float | None
    rate_per_day: dict[int, float | None]
    """Change per day over each of :data:`RATE_WINDOWS_DAYS`."""
    week_over_week_percent: float | None
    acceleration_per_day: float | None
    next_milestone: int | None
    next_milestone_at: datetime | None


def _anchor(observations: Sequence[Observation], now_seconds: int) -> int | None:
    """Index of the newest observation at or before ``now_seconds``."""
    position = bisect.bisect_right(observations, now_seconds, key=_seconds) - 1
    return position if position >= 0 else None


def _at_or_before(observations: Sequence[Observation], moment: int, upto: int) -> int | None:
    """Index of the newest observation at or before ``moment``, among the first ``upto + 1``."""
    position = bisect.bisect_right(observations, moment, hi=upto + 1, key=_seconds) - 1
    return position if position >= 0 else None


def _window(
    observations: Sequence[Observation], now: datetime, days: int
) -> tuple[Observation, Observation] | None:
    """(the observation ``days`` before the anchor, the anchor), or None when either is missing."""
    anchor = _anchor(observations, int(now.timestamp()))
    if anchor is None:
        return None
    start = _at_or_before(observations, observations[anchor][0] - days * _DAY_SECONDS, anchor)
    if start is None:
        return None
    return observations[start], observations[anchor]


def change_over(observations: Sequence[Observation], now: datetime, days: int) -> float | None:
    """How much the value changed over the ``days`` before the newest observation at or before
    ``now``; ``None`` when the series does not reach back that far."""
    window = _window(observations, now, days)
    if window is None:
        return None
    (_, start_value), (_, anchor_value) = window
    return anchor_value - start_value


def rate_per_day(observations: Sequence[Observation], now: datetime, days: int) -> float | None:
    """Change per day over the ``days`` before the newest observation at or before ``now``."""
    window = _window(observations, now, days)
    if window is None:
        return None
    (start_seconds, start_value), (anchor_seconds, anchor_value) = window
    elapsed_days = (anchor_seconds - start_seconds) / _DAY_SECONDS
    if elapsed_days <= 0:
        return None
    return (anchor_value - start_value) / elapsed_days


def week_over_week_percent(observations: Sequence[Observation], now: datetime) -> float | None:
    """Growth of the value over the last week, in percent of the value a week earlier."""
    anchor = _anchor(observations, int(now.timestamp()))
    if anchor is None:
        return None
    anchor_seconds, anchor_value = observations[anchor]
    start = _at_or_before(observations, anchor_seconds - 7 * _DAY_SECONDS, anchor)
    if start is None or observations[start][1] == 0:
        return None
    earlier = observations[start][1]
    return (anchor_value - earlier) / earlier * 100


def acceleration_per_day(observations: Sequence[Observation], now: datetime) -> float | None:
    """How much the 7-day rate changed against the 7 days before, per day."""
    recent = rate_per_day(observations, now, 7)
    anchor = _anchor(observations, int(now.timestamp()))
    if recent is None or anchor is None:
        return None
    week_earlier = datetime.fromtimestamp(observations[anchor][0] - 7 * _DAY_SECONDS, UTC)
    before = rate_per_day(observations, week_earlier, 7)
    if before is None:
        return None
    return (recent - before) / 7


def milestone_after(value: float) -> int:
    """The smallest milestone (1k, 5k, 10k, 50k, 100k …) strictly above ``value``."""
    milestone = 1000
    while milestone <= value:
        milestone = milestone * 5 if str(milestone).startswith("1") else milestone * 2
    return milestone


def project_milestone(
    value: float, rate: float | None, as_of: datetime
) -> tuple[int, datetime | None]:
    """The next milestone and when a straight line at ``rate`` per day reaches it."""
    milestone = milestone_after(value)
    if rate is None or rate <= 0:
        return milestone, None
    days = (milestone - value) / rate
    if days > 365 * 1000:
        return milestone, None
    return milestone, as_of + timedelta(days=days)


def summarize_growth(observations: Sequence[Observation], now: datetime) -> Growth:
    """Every growth figure of a count series at ``now`` (observations oldest first)."""
    anchor = _anchor(observations, int(now.timestamp()))
    if anchor is None:
        empty: dict[int, float | None] = {days: None for days in RATE_WINDOWS_DAYS}
        return Growth(None, None, empty, None, None, None, None)
    anchor_seconds, current = observations[anchor]
    as_of = datetime.fromtimestamp(anchor_seconds, UTC)
    rates = {days: rate_per_day(observations, now, days) for days in RATE_WINDOWS_DAYS}
    projection_rate = next(
        (rates[days] for days in _PROJECTION_WINDOWS_DAYS if rates[days] is not None), None
    )
    milestone, reached_at = project_milestone(current, projection_rate, as_of)
    return Growth(
        as_of=as_of,
        current=current,
        rate_per_day=rates,
        week_over_week_percent=week_over_week_percent(observations, now),
        acceleration_per_day=acceleration_per_day(observations, now),
        next_milestone=milestone,
        next_milestone_at=reached_at,
    )
