"""Leaderboards: series ranked by their growth over a window. Pure.

Each series comes as a few readings ``(epoch_seconds, value, provenance)`` in time order: its
oldest point and, for the moments a ranking needs, the newest point at or before each (what
``Store.values_at`` reads). From them, for a window of length ``L`` ending at ``as_of``:

- **value**: the newest reading at or before ``as_of``; a series without one is not ranked.
- **start value**: the newest reading at or before ``as_of − L``; a series whose first point
  is later counts from that first point (it started inside the window: its points say when).
- **gain** = value − start value; ``None`` when either is unknown (``None``).
- **relative gain** = gain ÷ start value; ``None`` when the start value is 0 or unknown.
- **growth score** (:func:`growth_score`) = gain ÷ √(start value + 1) × age weight, where the
  age weight is (min(age, L) + 1 day) ÷ (L + 1 day) and age is the time from the series' first
  point to ``as_of``. The reasoning is in docs/metrics.md.

Ranking (:func:`rank`) is by one of them, largest first, with standard competition ranks:
entries whose keys are equal share the better rank and the next rank skips (1, 2, 2, 4);
within a tie, and among entries without a key, entries are listed by repository name (case
ignored), then package. Entries without the key come after every entry with one; by relative
gain, those with a gain (a start of 0) come first among them, by gain. The previous rank is
the rank over the window before (ending at ``as_of − L``), among the series that had a value
then, and ``rank_change`` = previous rank − rank (positive: moved up).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from typing import NamedTuple

from ossgrowth.errors import InputError

__all__ = [
    "DAY_SECONDS",
    "Contender",
    "Figures",
    "RankBy",
    "Reading",
    "Standing",
    "Window",
    "growth_score",
    "measure",
    "rank",
    "reading_at",
]

DAY_SECONDS = 86_400

Reading = tuple[int, float | None, str]
"""``(epoch_seconds, value, provenance label)`` of one stored point."""

_PROVENANCE_ORDER = {"measured": 0, "reconstructed": 1, "estimated": 2}


class Window(enum.StrEnum):
    """The windows a leaderboard ranks over, ending at its ``as_of`` moment."""

    WEEK = "7d"
    MONTH = "30d"
    QUARTER = "90d"
    YEAR = "1y"

    @property
    def days(self) -> int:
        return _WINDOW_DAYS[self]

    @property
    def seconds(self) -> int:
        return self.days * DAY_SECONDS

    @property
    def phrase(self) -> str:
        """``this month``: how a badge says the window (a trailing one, not the calendar's)."""
        return _WINDOW_PHRASES[self]

    @classmethod
    def parse(cls, text: str) -> Window:
        """A window as users type it (``30d``).

        Raises:
            InputError: not a window.
        """
        try:
            return cls(text.strip().lower())
        except ValueError:
            known = ", ".join(member.value for member in cls)
            raise InputError(f"unknown window {text[:40]!r}; expected one of {known}") from None


_WINDOW_DAYS = {Window.WEEK: 7, Window.MONTH: 30, Window.QUARTER: 90, Window.YEAR: 365}
_WINDOW_PHRASES = {
    Window.WEEK: "this week",
    Window.MONTH: "this month",
    Window.QUARTER: "this quarter",
    Window.YEAR: "this year",
}


class RankBy(enum.StrEnum):
    """What a leaderboard ranks by."""

    GAIN = "gain"
    RELATIVE = "relative"
    SCORE = "score"

    @classmethod
    def parse(cls, text: str) -> RankBy:
        """A ranking key as users type it (``score``).

        Raises:
            InputError: not one.
        """
        try:
            return cls(text.strip().lower())
        except ValueError:
            known = ", ".join(member.value for member in cls)
            raise InputError(f"unknown ranking {text[:40]!r}; expected one of {known}") from None


class Contender(NamedTuple):
    """One series to rank: its name and the readings it is ranked from (oldest first)."""

    repo: str
    """``owner/name`` as shown."""
    package: str | None
    """``npm:name`` for a per-package family (downloads), else ``None``."""
    readings: Sequence[Reading]
    """In time order; the first is the series' oldest point (its age starts there)."""


class Figures(NamedTuple):
    """How one series grew over one window."""

    start: Reading
    end: Reading
    gain: float | None
    relative_gain: float | None
    score: float | None
    age_days: float
    """From the series' first point to the window's end."""


class Standing(NamedTuple):
    """One entry of a leaderboard."""

    rank: int
    previous_rank: int | None
    rank_change: int | None
    """``previous_rank − rank``: places gained since the window before."""
    repo: str
    package: str | None
    figures: Figures

    @property
    def points(self) -> tuple[Reading, ...]:
        """The readings the entry was computed from: the start, then the end (once when they
        are the same point)."""
        start, end = self.figures.start, self.figures.end
        return (end,) if start[0] == end[0] else (start, end)

    @property
    def provenance(self) -> tuple[str, ...]:
        """How its points were known (``measured``, ``reconstructed``, ``estimated``), each once."""
        labels = {reading[2] for reading in self.points}
        return tuple(sorted(labels, key=lambda label: _PROVENANCE_ORDER.get(label, 9)))


def growth_score(gain: float, start_value: float, age_days: float, window_days: float) -> float:
    """The age- and size-adjusted growth score of a gain (docs/metrics.md).

    ``gain ÷ √(max(start_value, 0) + 1) × (min(max(age_days, 0), window_days) + 1) ÷
    (window_days + 1)``: the gain in units of the noise a series of that size shows, weighted
    by the share of the window the series has existed. Strictly increasing in ``gain``;
    defined for a start of 0 and an age of 0.
    """
    size = start_value if start_value > 0.0 else 0.0  # conditionals: ranking calls this
    lived = age_days if age_days > 0.0 else 0.0  # 20,000 times, and min/max cost twice these
    if lived > window_days:
        lived = window_days
    return gain / math.sqrt(size + 1.0) * (lived + 1.0) / (window_days + 1.0)


def reading_at(readings: Sequence[Reading], moment: int) -> Reading | None:
    """The newest reading at or before ``moment`` (readings in time order), or ``None``."""
    found = None
    for reading in readings:
        if reading[0] > moment:
            break
        found = reading
    return found


def measure(readings: Sequence[Reading], end: int, window_seconds: int) -> Figures | None:
    """A series' figures over the window of ``window_seconds`` ending at ``end``; ``None``
    when it has no reading at or before ``end``."""
    begin = end - window_seconds
    start = last = None
    for reading in readings:  # a few readings: one pass finds both ends
        if reading[0] > end:
            break
        last = reading
        if reading[0] <= begin:
            start = reading
    if last is None:
        return None
    first = readings[0]
    if start is None:  # started inside the window: from its first point
        start = first
    age_days = (end - first[0]) / DAY_SECONDS
    start_value, end_value = start[1], last[1]
    gain = relative = score = None
    if start_value is not None and end_value is not None:
        gain = end_value - start_value
        relative = gain / start_value if start_value > 0 else None
        score = growth_score(gain, start_value, age_days, window_seconds / DAY_SECONDS)
    return Figures(start, last, gain, relative, score, age_days)


def _key(figures: Figures, by: RankBy) -> tuple[int, float]:
    """``(tier, −number)``, ascending from the best: tier 0 has the key, 1 a fallback (by
    relative gain: the gain), 2 neither."""
    if by is RankBy.GAIN:
        primary = figures.gain
    elif by is RankBy.RELATIVE:
        primary = figures.relative_gain
    else:
        primary = figures.score
    if primary is not None:
        return (0, -primary)
    if by is RankBy.RELATIVE and figures.gain is not None:
        return (1, -figures.gain)
    return (2, 0.0)


def _ranking(
    measured: Sequence[tuple[int, Figures]], names: Sequence[tuple[str, str]], by: RankBy
) -> list[tuple[int, int]]:
    """``(rank, index)`` of each ``(index, figures)`` of ``measured``, in rank order: by key,
    then by name (``(repository in lower case, package)``, from ``names[index]``)."""
    keyed = []
    for index, figures in measured:
        tier, number = _key(figures, by)
        name, package = names[index]
        keyed.append((tier, number, name, package, index))
    keyed.sort()
    ranked = []
    last_tier, last_number, current = -1, 0.0, 0
    for place, (tier, number, _, _, index) in enumerate(keyed, start=1):
        if tier != last_tier or number != last_number:
            current, last_tier, last_number = place, tier, number
        ranked.append((current, index))
    return ranked


def rank(
    contenders: Sequence[Contender],
    *,
    window: Window,
    by: RankBy,
    as_of: int,
    limit: int | None = None,
) -> list[Standing]:
    """Rank ``contenders`` by ``by`` over ``window`` ending at ``as_of`` (epoch seconds).

    Every contender with a reading at or before ``as_of`` is ranked; the standings of the
    first ``limit`` (all when ``None``) are given, in rank order. ``previous_rank`` is the
    rank over the window before, among the contenders with a reading at or before its end.
    """
    length = window.seconds
    names = [(contender.repo.lower(), contender.package or "") for contender in contenders]
    now: list[tuple[int, Figures]] = []
    before: list[tuple[int, Figures]] = []
    for index, contender in enumerate(contenders):
        figures = measure(contender.readings, as_of, length)
        if figures is None:
            continue
        now.append((index, figures))
        earlier = measure(contender.readings, as_of - length, length)
        if earlier is not None:
            before.append((index, earlier))
    previous = {index: place for place, index in _ranking(before, names, by)}
    ranked = _ranking(now, names, by)
    figures_of = dict(now)
    standings = []
    for place, index in ranked if limit is None else ranked[:limit]:
        contender = contenders[index]
        earlier_place = previous.get(index)
        standings.append(
            Standing(
                place,
                earlier_place,
                None if earlier_place is None else earlier_place - place,
                contender.repo,
                contender.package,
                figures_of[index],
            )
        )
    return standings
