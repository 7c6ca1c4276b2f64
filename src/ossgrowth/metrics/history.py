"""History reconstructed after the fact: events in, one value per day out. Pure.

Every daily value is the one a snapshot taken at 00:00 UTC of that day would have recorded:
an event at or before that moment counts. Times are whole epoch seconds (UTC).

- Issues and pull requests: from each item's ``createdAt``, ``closedAt`` and ``mergedAt`` as the
  API shows them today. A reopened item shows only the close in force (or none while open), so
  a close that was undone later leaves no trace: that is the one way the reconstruction can
  differ from what snapshots recorded at the time.
- Stars: from the ``starredAt`` of every current stargazer, or from daily counts of stars (the
  weekly rows of ``/stargazers/history``). Both count only stars still held today.
- Downloads: from daily counts, ``weekly_downloads`` is the sum of the 7 days up to the end of a
  day and ``total_downloads`` the running sum from the first day counted.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

__all__ = [
    "SECONDS_PER_DAY",
    "DailyForks",
    "DailyStars",
    "DayCount",
    "DownloadDay",
    "IssueDay",
    "ItemTimes",
    "PullRequestDay",
    "day_of",
    "days_between",
    "download_history",
    "fork_history",
    "issue_history",
    "midnight_seconds",
    "pull_request_history",
    "star_history_from_days",
    "star_history_from_stargazers",
]

SECONDS_PER_DAY = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_WEEK_DAYS = 7


@dataclass(frozen=True, slots=True)
class ItemTimes:
    """An issue or pull request as the API shows it today, in epoch seconds."""

    created_at: int
    closed_at: int | None = None
    """The close in force (``None`` while open, even after an earlier close)."""
    merged_at: int | None = None


@dataclass(frozen=True, slots=True)
class DayCount:
    """A count on one UTC day (stars given, downloads)."""

    day: date
    count: int


@dataclass(frozen=True, slots=True)
class IssueDay:
    """Issue counts at 00:00 UTC of ``day``."""

    day: date
    open_issues: int
    closed_issues: int


@dataclass(frozen=True, slots=True)
class PullRequestDay:
    """Pull request counts at 00:00 UTC of ``day``."""

    day: date
    open_prs: int
    merged_prs: int


@dataclass(frozen=True, slots=True)
class DailyForks:
    """Forks existing at 00:00 UTC of ``day``, counting only forks that still exist today.

    A fork deleted since is in no upstream record, so the count is at most the true one of that
    day: short by the forks that existed then and were deleted later.
    """

    day: date
    forks: int


@dataclass(frozen=True, slots=True)
class DailyStars:
    """Stars held at 00:00 UTC of ``day`` (by stargazers who still hold them today)."""

    day: date
    star_count: int


@dataclass(frozen=True, slots=True)
class DownloadDay:
    """Downloads up to the end of ``day``, i.e. as known at 00:00 UTC of the next day."""

    day: date
    weekly_downloads: int | None
    """The 7 days ending with ``day``; ``None`` when some of them are before the data starts."""
    total_downloads: int
    """Every download from the first day counted through ``day``."""


def midnight_seconds(day: date) -> int:
    """Epoch seconds of 00:00 UTC of ``day``."""
    return (day.toordinal() - _EPOCH_ORDINAL) * SECONDS_PER_DAY


def day_of(epoch_seconds: int) -> date:
    """The UTC day an epoch second falls on."""
    return date.fromordinal(_EPOCH_ORDINAL + epoch_seconds // SECONDS_PER_DAY)


def days_between(first_day: date, last_day: date) -> list[date]:
    """Every day from ``first_day`` through ``last_day`` (empty when the range is empty)."""
    count = last_day.toordinal() - first_day.toordinal() + 1
    return [first_day + timedelta(days=offset) for offset in range(max(0, count))]


def _counts_at(moments: Iterable[int], days: Sequence[date]) -> list[int]:
    """For each day, how many of ``moments`` are at or before its 00:00 UTC."""
    ordered = sorted(moments)
    return [bisect_right(ordered, midnight_seconds(day)) for day in days]


def issue_history(issues: Sequence[ItemTimes], first_day: date, last_day: date) -> list[IssueDay]:
    """Open and closed issues at 00:00 UTC of every day from ``first_day`` through ``last_day``."""
    days = days_between(first_day, last_day)
    created = _counts_at((item.created_at for item in issues), days)
    closed = _counts_at(
        (item.closed_at for item in issues if item.closed_at is not None),
        days,
    )
    return [
        IssueDay(day, open_issues=made - shut, closed_issues=shut)
        for day, made, shut in zip(days, created, closed, strict=True)
    ]


def pull_request_history(
    pull_requests: Sequence[ItemTimes], first_day: date, last_day: date
) -> list[PullRequestDay]:
    """Open and merged pull requests at 00:00 UTC of every day in the range.

    A merged pull request is closed from its merge (``closedAt`` equals ``mergedAt`` on GitHub;
    the earlier of the two is used when an answer says otherwise).
    """
    days = days_between(first_day, last_day)
    created = _counts_at((item.created_at for item in pull_requests), days)
    ended = _counts_at(
        (
            min(moment for moment in (item.closed_at, item.merged_at) if moment is not None)
            for item in pull_requests
            if item.closed_at is not None or item.merged_at is not None
        ),
        days,
    )
    merged = _counts_at(
        (item.merged_at for item in pull_requests if item.merged_at is not None), days
    )
    return [
        PullRequestDay(day, open_prs=made - done, merged_prs=joined)
        for day, made, done, joined in zip(days, created, ended, merged, strict=True)
    ]


def star_history_from_stargazers(
    starred_at: Sequence[int], first_day: date, last_day: date
) -> list[DailyStars]:
    """Stars held at 00:00 UTC of every day in the range, from each current star's time."""
    days = days_between(first_day, last_day)
    return [
        DailyStars(day, count)
        for day, count in zip(days, _counts_at(starred_at, days), strict=True)
    ]


def fork_history(forked_at: Sequence[int], first_day: date, last_day: date) -> list[DailyForks]:
    """Forks at 00:00 UTC of every day in the range, from each existing fork's creation time."""
    days = days_between(first_day, last_day)
    return [
        DailyForks(day, count) for day, count in zip(days, _counts_at(forked_at, days), strict=True)
    ]


def star_history_from_days(
    daily: Iterable[DayCount], first_day: date, last_day: date
) -> list[DailyStars]:
    """Stars held at 00:00 UTC of every day in the range, from stars given per UTC day.

    At 00:00 of a day only the stars of earlier days count. A star given at exactly 00:00:00
    belongs to the day it opens, so it shows one day later than a snapshot would have shown it.
    """
    given: dict[date, int] = {}
    for item in daily:
        given[item.day] = given.get(item.day, 0) + item.count
    held = sum(count for day, count in given.items() if day < first_day)
    history: list[DailyStars] = []
    for day in days_between(first_day, last_day):
        history.append(DailyStars(day, held))
        held += given.get(day, 0)
    return history


def download_history(
    daily: Sequence[DayCount], *, starts_with_first_day: bool
) -> list[DownloadDay]:
    """Weekly sums and running totals for every day of ``daily`` (consecutive days, in order).

    Args:
        daily: downloads per day, one entry per consecutive day.
        starts_with_first_day: the first entry is the first day the package had any downloads
            (so weekly sums over earlier days are 0 and true); otherwise the first 6 days get
            ``weekly_downloads=None``, as their weeks reach before the data.
    """
    counts = [item.count for item in daily]
    totals = list(accumulate(counts))
    history: list[DownloadDay] = []
    for index, item in enumerate(daily):
        start = index - _WEEK_DAYS + 1
        if start < 0 and not starts_with_first_day:
            weekly: int | None = None
        else:
            weekly = totals[index] - (totals[start - 1] if start > 0 else 0)
        history.append(DownloadDay(item.day, weekly, totals[index]))
    return history
