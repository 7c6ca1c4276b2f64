"""``GET /repos/{owner}/{repo}/stargazers/history``: stars still held, by week and day.

As recorded in 2026: one row per week from the current week back to the week of creation,
newest first; ``week`` is the epoch second of the week's Sunday 00:00 UTC; ``days`` counts
Sunday to Saturday (days still to come are 0) and sums to ``total``. A star taken back since
disappears from the week it was given in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from ossgrowth.model import to_epoch_seconds
from ossgrowth.simulator.entities import SimStar

__all__ = ["week_start", "weekly_rows"]


def week_start(day: date) -> date:
    """The Sunday on or before ``day``."""
    return day - timedelta(days=(day.weekday() + 1) % 7)


def weekly_rows(
    stars: list[SimStar], created_at: datetime, now: datetime
) -> list[dict[str, int | list[int]]]:
    """Every week's row, newest first, counting ``stars`` (those held at ``now``)."""
    first_week = week_start(created_at.date())
    current_week = week_start(now.date())
    week_count = (current_week - first_week).days // 7 + 1
    days = [[0] * 7 for _ in range(week_count)]
    for star in stars:
        day = star.starred_at.date()
        offset = (day - first_week).days
        days[offset // 7][offset % 7] += 1
    rows: list[dict[str, int | list[int]]] = []
    for index in reversed(range(week_count)):
        start = datetime.combine(first_week + timedelta(days=7 * index), time(), tzinfo=UTC)
        counts = days[index]
        rows.append({"week": to_epoch_seconds(start), "total": sum(counts), "days": counts})
    return rows
