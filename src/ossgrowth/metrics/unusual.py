"""Unusual growth: days whose star gain is anomalous for the repository, and whether a flagged
day's stars came from very new accounts.

Pure: the star points and the stargazers' account ages come in as arguments.

Method (documented in docs/metrics.md):

- **Daily gains.** The first observation of each UTC day stands for the level at the start of
  that day (reconstructed points sit at 00:00; measured ones at the first collection slot of
  the day). The gain of day *D* is the level at the start of *D + 1* minus the level at the
  start of *D*. A day without an observation at either end has no gain: it is neither scored
  nor counted in another day's history (a gap is not a zero).
- **Score.** For each day, the gains of the previous :data:`WINDOW_DAYS` days (the day itself
  excluded) give a median *m* and a median absolute deviation *MAD*; the modified z-score of
  Iglewicz and Hoaglin is ``0.6745 · (gain − m) / MAD``. When *MAD* is 0 (more than half the
  window has the same gain) the scale falls back to the mean absolute deviation about the
  median, ``score = (gain − m) / (1.2533 · meanAD)``; when the scale so found (``MAD/0.6745``
  or ``1.2533 · meanAD``) is below one star, it is one star (:data:`MIN_SCALE_STARS`), so a
  repository that gets a star a week is not flagged for a day with two. A day needs
  :data:`MIN_HISTORY_DAYS` known gains in its window to be scored.
- **Flag.** A day is flagged when its score is above :data:`THRESHOLD` (3.5). Only rises are
  flagged, never drops.
- **Kind.** A flagged day is a ``spike`` unless the account ages of its stargazers are known
  and the share of its stars given by accounts created within :data:`NEW_ACCOUNT_DAYS` days
  before starring is at least :data:`UNUSUAL_SHARE_FLOOR` and at least
  :data:`UNUSUAL_BASELINE_FACTOR` times the repository's baseline share (the same share over
  every other day whose account ages are known), with at least :data:`MIN_LISTED_STARS` stars
  listed that day: then it is ``unusual``. Neither word is a verdict.
"""

from __future__ import annotations

import enum
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

__all__ = [
    "METHOD",
    "MIN_HISTORY_DAYS",
    "MIN_LISTED_STARS",
    "MIN_SCALE_STARS",
    "NEW_ACCOUNT_DAYS",
    "THRESHOLD",
    "UNUSUAL_BASELINE_FACTOR",
    "UNUSUAL_SHARE_FLOOR",
    "WINDOW_DAYS",
    "AccountAgeTest",
    "DailyGain",
    "FlagKind",
    "FlaggedDay",
    "StargazerDay",
    "UnusualGrowth",
    "classify",
    "daily_gains",
    "flag_days",
    "is_new_account",
    "stargazer_days",
    "unusual_growth",
]

WINDOW_DAYS = 56
"""The trailing window each day is compared with (eight weeks: weekdays and weekends alike)."""
MIN_HISTORY_DAYS = 14
"""Known gains a window must hold for its day to be scored."""
THRESHOLD = 3.5
"""Iglewicz and Hoaglin's cut-off for the modified z-score."""
MIN_SCALE_STARS = 1.0
"""The smallest scale a score divides by, in stars a day."""
NEW_ACCOUNT_DAYS = 30
"""An account created fewer than this many days before it starred is a *new account*."""
UNUSUAL_SHARE_FLOOR = 0.5
"""A flagged day is ``unusual`` only when at least this share of its stars are new accounts…"""
UNUSUAL_BASELINE_FACTOR = 3.0
"""…and that share is at least this many times the repository's baseline share."""
MIN_LISTED_STARS = 10
"""Stars a flagged day must list for its share of new accounts to be judged."""

_MAD_CONSISTENCY = 0.6745
_MEAN_AD_CONSISTENCY = 1.253314
_DAY_SECONDS = 86_400

METHOD = (
    f"modified z-score 0.6745·(gain − median)/MAD over the previous {WINDOW_DAYS} days "
    f"(at least {MIN_HISTORY_DAYS} known), flagged above {THRESHOLD}; a flagged day is "
    f"'unusual' when at least {UNUSUAL_SHARE_FLOOR:.0%} of its stars (and "
    f"{UNUSUAL_BASELINE_FACTOR:g}× the repository's baseline share) came from accounts "
    f"created within {NEW_ACCOUNT_DAYS} days before starring, else a 'spike'"
)
"""One line saying how days are flagged, for answers that show flags."""


class FlagKind(enum.StrEnum):
    """What a flagged day looks like; never a verdict."""

    SPIKE = "spike"
    """An ordinary burst as far as the data can tell: a release, a front-page day."""
    UNUSUAL = "unusual"
    """A burst whose stars came mostly from very new accounts."""


class AccountAgeTest(enum.StrEnum):
    """Whether the stargazers' account ages could be looked at."""

    RUN = "run"
    NOT_RUN = "not_run"


@dataclass(frozen=True, slots=True)
class DailyGain:
    """Stars gained (net of stars taken back) during one UTC day."""

    day: date
    gain: float


@dataclass(frozen=True, slots=True)
class StargazerDay:
    """The stargazers listed on one UTC day and how many of them were new accounts."""

    day: date
    listed: int
    """Stars given that day that the stargazer list still shows."""
    new_accounts: int
    """Of those, stars from accounts created within :data:`NEW_ACCOUNT_DAYS` days before."""

    def __post_init__(self) -> None:
        if not 0 <= self.new_accounts <= self.listed:
            raise ValueError("new_accounts must be between 0 and listed")


@dataclass(frozen=True, slots=True)
class FlaggedDay:
    """A day whose gain scored above the threshold."""

    day: date
    gain: float
    median: float
    """Median gain of the window."""
    mad: float
    """Median absolute deviation of the window (0 when the fallback scale was used)."""
    score: float
    kind: FlagKind = FlagKind.SPIKE
    new_account_share: float | None = None
    """Share of the day's listed stars from new accounts; ``None`` when not known."""


@dataclass(frozen=True, slots=True)
class UnusualGrowth:
    """The flagged days of a repository and what could be said of them."""

    days: tuple[FlaggedDay, ...]
    account_age_test: AccountAgeTest
    baseline_new_account_share: float | None
    """Share of new accounts over the days with known account ages that were not flagged."""
    notes: tuple[str, ...] = ()


def daily_gains(observations: Sequence[tuple[int, float]]) -> list[DailyGain]:
    """The gain of each UTC day whose start and end levels are both known.

    Args:
        observations: ``(epoch_seconds, star_count)``, oldest first.

    Returns:
        One gain per day *D* that has an observation and whose next day has one too: the first
        observation of *D + 1* minus the first of *D*.
    """
    levels: dict[int, float] = {}
    for moment, value in observations:
        day_number = moment // _DAY_SECONDS
        if day_number not in levels:
            levels[day_number] = value
    return [
        DailyGain(_day(day_number), levels[day_number + 1] - level)
        for day_number, level in sorted(levels.items())
        if day_number + 1 in levels
    ]


def flag_days(
    gains: Sequence[DailyGain],
    *,
    window_days: int = WINDOW_DAYS,
    threshold: float = THRESHOLD,
    min_history_days: int = MIN_HISTORY_DAYS,
) -> list[FlaggedDay]:
    """The days whose gain scores above ``threshold`` against their trailing window.

    Args:
        gains: daily gains in day order, as :func:`daily_gains` gives them.
        window_days: calendar days before each day that make its window.
        threshold: the modified z-score a day must exceed.
        min_history_days: known gains a window needs for its day to be scored.

    Returns:
        The flagged days, oldest first, each a ``spike`` until :func:`classify` says more.
    """
    flagged: list[FlaggedDay] = []
    start = 0
    for index, current in enumerate(gains):
        earliest = current.day - timedelta(days=window_days)
        while gains[start].day < earliest:
            start += 1
        window = [gain.gain for gain in gains[start:index]]
        if len(window) < min_history_days:
            continue
        median, mad, score = _score(current.gain, window)
        if score > threshold:
            flagged.append(FlaggedDay(current.day, current.gain, median, mad, score))
    return flagged


def _score(value: float, window: Sequence[float]) -> tuple[float, float, float]:
    """(median, MAD, modified z-score) of ``value`` against ``window``.

    The ratio is taken before the constant is applied, so multiplying every gain by the same
    factor gives exactly the same score (as long as the scale stays above the floor).
    """
    median = statistics.median(window)
    deviations = [abs(gain - median) for gain in window]
    mad = statistics.median(deviations)
    distance = value - median
    if mad > 0:
        if mad / _MAD_CONSISTENCY >= MIN_SCALE_STARS:
            return median, mad, distance / mad * _MAD_CONSISTENCY
        return median, mad, distance / MIN_SCALE_STARS
    total = sum(deviations)
    if _MEAN_AD_CONSISTENCY * total / len(window) >= MIN_SCALE_STARS:
        return median, mad, distance * len(window) / total / _MEAN_AD_CONSISTENCY
    return median, mad, distance / MIN_SCALE_STARS


def is_new_account(account_created_at: datetime, starred_at: datetime) -> bool:
    """Whether an account was created fewer than :data:`NEW_ACCOUNT_DAYS` days before it
    starred."""
    return starred_at - account_created_at < timedelta(days=NEW_ACCOUNT_DAYS)


def stargazer_days(stars: Iterable[tuple[int, int | None]]) -> list[StargazerDay]:
    """Count the listed stars of each day and those from new accounts.

    Args:
        stars: ``(starred_at, account_created_at)`` in epoch seconds; an account whose creation
            time is unknown (a deleted user, shown as a ghost) counts as listed, not as new.

    Returns:
        One row per day with at least one star, oldest first.
    """
    listed: dict[int, int] = {}
    new: dict[int, int] = {}
    threshold_seconds = NEW_ACCOUNT_DAYS * _DAY_SECONDS
    for starred_at, created_at in stars:
        day_number = starred_at // _DAY_SECONDS
        listed[day_number] = listed.get(day_number, 0) + 1
        if created_at is not None and starred_at - created_at < threshold_seconds:
            new[day_number] = new.get(day_number, 0) + 1
    return [
        StargazerDay(_day(day_number), count, new.get(day_number, 0))
        for day_number, count in sorted(listed.items())
    ]


def classify(flagged: Sequence[FlaggedDay], ages: Sequence[StargazerDay] | None) -> UnusualGrowth:
    """Call each flagged day a ``spike`` or ``unusual`` from its stargazers' account ages.

    Args:
        flagged: days from :func:`flag_days`.
        ages: the account ages of the stargazers by day, or ``None`` when the stargazer list
            could not be read (then every flagged day is a ``spike`` and the answer says the
            account-age test was not run).
    """
    if ages is None:
        return UnusualGrowth(
            tuple(flagged),
            AccountAgeTest.NOT_RUN,
            None,
            (
                "the stargazers' account ages are not known (GitHub lists stargazers only to "
                "a repository's admins and collaborators; the star backfill reads the list "
                "when it may), so the account-age test was not run: every flagged day is "
                "shown as a spike",
            ),
        )
    by_day = {row.day: row for row in ages}
    flagged_days = {day.day for day in flagged}
    others = [row for row in ages if row.day not in flagged_days]
    listed = sum(row.listed for row in others)
    baseline = sum(row.new_accounts for row in others) / listed if listed else None
    result: list[FlaggedDay] = []
    for day in flagged:
        row = by_day.get(day.day)
        if row is None or row.listed == 0:
            result.append(day)
            continue
        share = row.new_accounts / row.listed
        unusual = (
            row.listed >= MIN_LISTED_STARS
            and share >= UNUSUAL_SHARE_FLOOR
            and share >= UNUSUAL_BASELINE_FACTOR * (baseline or 0.0)
        )
        kind = FlagKind.UNUSUAL if unusual else FlagKind.SPIKE
        result.append(FlaggedDay(day.day, day.gain, day.median, day.mad, day.score, kind, share))
    unread = [day for day in result if day.new_account_share is None]
    return UnusualGrowth(tuple(result), AccountAgeTest.RUN, baseline, _unknown_ages_note(unread))


def _unknown_ages_note(days: Sequence[FlaggedDay]) -> tuple[str, ...]:
    if not days:
        return ()
    named = ", ".join(day.day.isoformat() for day in days)
    return (
        f"account ages are not known for {named} (the stargazer list was not read for those "
        "stars: given after it was last read, or more than a collection reads): shown as "
        "spikes",
    )


def unusual_growth(
    observations: Sequence[tuple[int, float]],
    ages: Sequence[StargazerDay] | None,
    *,
    first: date | None = None,
    last: date | None = None,
) -> UnusualGrowth:
    """Flag the anomalous days of a star series between ``first`` and ``last`` (inclusive).

    Days before ``first`` still make the windows of the days after it, and every flagged day
    of the series, shown or not, is left out of the baseline share of new accounts.

    Args:
        observations: ``(epoch_seconds, star_count)``, oldest first.
        ages: stargazer account ages by day, or ``None`` when the list could not be read.
        first: the first day shown (default: the first scored).
        last: the last day shown (default: the last scored).
    """
    found = classify(flag_days(daily_gains(observations)), ages)
    shown = tuple(
        day
        for day in found.days
        if (first is None or day.day >= first) and (last is None or day.day <= last)
    )
    notes = found.notes
    if found.account_age_test is AccountAgeTest.RUN:  # name only the days shown
        notes = _unknown_ages_note([day for day in shown if day.new_account_share is None])
    return UnusualGrowth(shown, found.account_age_test, found.baseline_new_account_share, notes)


def _day(day_number: int) -> date:
    return datetime.fromtimestamp(day_number * _DAY_SECONDS, UTC).date()
