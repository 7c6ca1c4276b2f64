"""The table of metric families: one row per family drives collection, storage and charts.

A :class:`FamilyDefinition` holds every fact that is the same kind of fact for every family:
its fields and how each aggregates (a ratio names its parts), its headline field, when it is
collected (its :class:`Cadence`: the job, the local times, the interval one collection fills),
whether it is kept per package, how its history is known, what its badge says, and its table.
The schedules, resampling, snapshots, backfill ordering, the CLI's ``show``, the embeds, the
compatibility API and the documentation's tables read it from here. What is really different
per family (how to read it upstream, how to reconstruct it) lives beside the code that does it,
as one strategy per family.

Field names and table names are the seed's (``star_count`` in ``star-growth`` …); schedules are
the seed's too, expressed in the configured time zone by the scheduler.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import time
from types import MappingProxyType

from ossgrowth.errors import InputError

__all__ = [
    "FAMILIES",
    "Badge",
    "Cadence",
    "Family",
    "FamilyDefinition",
    "FieldDefinition",
    "FieldKind",
    "History",
    "definition",
    "history_notes",
    "parse_family",
]


class Family(enum.StrEnum):
    """The metric families: the seed's four, then ours."""

    STARS = "stars"
    PRS = "prs"
    ISSUES = "issues"
    DOWNLOADS = "downloads"
    REACH = "reach"


class FieldKind(enum.StrEnum):
    """How a field behaves when points are aggregated into an interval."""

    COUNT = "count"
    """A level at a moment (stars, open issues): an interval keeps its last value."""
    WINDOW = "window"
    """An amount over a trailing window ending at the observation (downloads in the 7 days up
    to then): an interval keeps its last value. The windows of neighbouring observations
    overlap (daily points of weekly sums), so a sum would count each day up to seven times."""
    RATIO = "ratio"
    """Derived from two counts; recomputed, never summed."""


class History(enum.StrEnum):
    """How a family's past is known when a repository is added."""

    RECONSTRUCTED = "reconstructed"
    """Rebuilt from upstream records (stargazers' times, issues' and pull requests' events)."""
    UPSTREAM = "upstream"
    """Kept upstream as a daily series (downloads), read back as far as the upstream keeps."""
    NONE = "none"
    """Not kept anywhere upstream: the series starts at the first measurement."""


@dataclass(frozen=True, slots=True)
class FieldDefinition:
    """One stored field of a family."""

    name: str
    kind: FieldKind
    description: str
    ratio_of: tuple[str, str] | None = None
    """A ratio's (numerator, divisor): fields of the same family."""
    history: History | None = None
    """How this field's past is known, where it differs from its family's."""

    def __post_init__(self) -> None:
        if (self.kind is FieldKind.RATIO) != (self.ratio_of is not None):
            raise ValueError(f"{self.name}: a ratio, and only a ratio, names its parts")


@dataclass(frozen=True, slots=True)
class Cadence:
    """When a family is collected: local wall-clock times of a job, on some weekdays.

    Families with the same ``job`` are collected together, by one schedule (pull requests and
    issues come from one request); they must agree on the times.
    """

    job: str
    """The schedule's job name, under which its runs are recorded (``collect:stars`` …)."""
    times: tuple[time, ...]
    """Local wall-clock times of each day, in order."""
    weekdays: frozenset[int] | None
    """Days of the week (Monday 0 … Sunday 6) with slots; ``None`` for every day."""
    interval: str
    """The display interval one collection fills (``3h``, ``day``, ``week``): aggregating to
    it turns each missed collection into a gap."""
    words: str
    """The schedule in words, for people."""


@dataclass(frozen=True, slots=True)
class Badge:
    """What a family's badge shows: its headline field's value, labelled."""

    label: str
    """``stars``, ``open PRs`` …"""
    suffix: str = ""
    """After the value (``/week``)."""


@dataclass(frozen=True, slots=True)
class FamilyDefinition:
    """One metric family: what it holds and where it lives."""

    family: Family
    title: str
    table: str
    """SQL table name; the DynamoDB table is ``{environment}-{table with '-'}`` as in the seed."""
    fields: tuple[FieldDefinition, ...]
    headline: str
    """The field that stands for the family (badges, growth, rankings)."""
    per_package: bool
    """Points are kept per package (downloads) rather than per repository."""
    cadence: Cadence
    history: History
    backfill_order: int
    """Backfills of a new repository start in this order, lowest first: the longest chains
    of dependent upstream requests first, so the backfill ends soonest."""
    badge: Badge
    field_names: tuple[str, ...] = dataclass_field(init=False)
    """The names of ``fields``, in order."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_names", tuple(field.name for field in self.fields))
        if self.headline not in self.field_names:
            raise ValueError(f"{self.family}: the headline {self.headline!r} is not a field")
        for field in self.fields:
            if field.ratio_of is not None and not set(field.ratio_of) <= set(self.field_names):
                raise ValueError(f"{self.family}: {field.name} divides fields it does not have")

    @property
    def schedule(self) -> str:
        """The schedule in words."""
        return self.cadence.words

    @property
    def without_history(self) -> tuple[str, ...]:
        """Fields nothing upstream keeps the past of: their series start when measuring does."""
        return tuple(
            field.name for field in self.fields if (field.history or self.history) is History.NONE
        )

    @property
    def ratios(self) -> tuple[FieldDefinition, ...]:
        """The ratio fields, recomputed from their parts wherever counts are made."""
        return tuple(field for field in self.fields if field.ratio_of is not None)

    @property
    def seed_table_suffix(self) -> str:
        """The seed's DynamoDB table name without the environment prefix."""
        return self.table.replace("_", "-")


_COUNT, _WINDOW, _RATIO = FieldKind.COUNT, FieldKind.WINDOW, FieldKind.RATIO
_SUNDAY = 6
_EVERY_3_HOURS = Cadence(
    job="collect:stars",
    times=tuple(time(hour) for hour in range(0, 24, 3)),
    weekdays=None,
    interval="3h",
    words="every 3 hours",
)
_DAILY = Cadence(
    job="collect:prs+issues",
    times=(time(23, 50),),
    weekdays=None,
    interval="day",
    words="daily at 23:50",
)
_WEEKLY = Cadence(
    job="collect:downloads",
    times=(time(23, 50),),
    weekdays=frozenset({_SUNDAY}),
    interval="week",
    words="weekly, Sundays at 23:50",
)

FAMILIES: Mapping[Family, FamilyDefinition] = MappingProxyType(
    {
        Family.STARS: FamilyDefinition(
            family=Family.STARS,
            title="Star growth",
            table="star_growth",
            fields=(FieldDefinition("star_count", _COUNT, "stars held at that moment"),),
            headline="star_count",
            per_package=False,
            cadence=_EVERY_3_HOURS,
            history=History.RECONSTRUCTED,
            backfill_order=2,
            badge=Badge("stars"),
        ),
        Family.PRS: FamilyDefinition(
            family=Family.PRS,
            title="PR velocity",
            table="pr_velocity",
            fields=(
                FieldDefinition("open_prs", _COUNT, "pull requests open at that moment"),
                FieldDefinition("merged_prs", _COUNT, "pull requests merged up to that moment"),
                FieldDefinition(
                    "ratio",
                    _RATIO,
                    "merged_prs / open_prs; null when open_prs is 0",
                    ratio_of=("merged_prs", "open_prs"),
                ),
            ),
            headline="open_prs",
            per_package=False,
            cadence=_DAILY,
            history=History.RECONSTRUCTED,
            backfill_order=0,
            badge=Badge("open PRs"),
        ),
        Family.ISSUES: FamilyDefinition(
            family=Family.ISSUES,
            title="Issue health",
            table="issue_health",
            fields=(
                FieldDefinition(
                    "open_issues", _COUNT, "issues open at that moment, pull requests excluded"
                ),
                FieldDefinition(
                    "closed_issues",
                    _COUNT,
                    "issues closed up to that moment, pull requests excluded",
                ),
                FieldDefinition(
                    "ratio",
                    _RATIO,
                    "closed_issues / open_issues; null when open_issues is 0",
                    ratio_of=("closed_issues", "open_issues"),
                ),
            ),
            headline="open_issues",
            per_package=False,
            cadence=_DAILY,
            history=History.RECONSTRUCTED,
            backfill_order=1,
            badge=Badge("open issues"),
        ),
        Family.DOWNLOADS: FamilyDefinition(
            family=Family.DOWNLOADS,
            title="Package downloads",
            table="package_downloads",
            fields=(
                FieldDefinition("weekly_downloads", _WINDOW, "downloads in the 7 days up to then"),
                FieldDefinition("total_downloads", _COUNT, "downloads from the first day counted"),
            ),
            headline="weekly_downloads",
            per_package=True,
            cadence=_WEEKLY,
            history=History.UPSTREAM,
            backfill_order=3,
            badge=Badge("downloads", "/week"),
        ),
        Family.REACH: FamilyDefinition(
            family=Family.REACH,
            title="Reach",
            table="reach",
            fields=(
                FieldDefinition("forks", _COUNT, "forks existing at that moment"),
                FieldDefinition(
                    "watchers",
                    _COUNT,
                    "accounts watching the repository at that moment",
                    history=History.NONE,
                ),
            ),
            headline="forks",
            per_package=False,
            cadence=_EVERY_3_HOURS,
            history=History.RECONSTRUCTED,
            backfill_order=4,
            badge=Badge("forks"),
        ),
    }
)


def history_notes(family: Family) -> list[str]:
    """What a reader of ``family``'s series must know about the past of its fields."""
    return [
        f"{name}: nothing upstream keeps its past, so its series starts at the first measurement"
        for name in FAMILIES[family].without_history
    ]


def definition(family: Family) -> FamilyDefinition:
    """The registry row of ``family``."""
    return FAMILIES[family]


def parse_family(text: str) -> Family:
    """Parse a family name as users type it (``stars``, ``prs``, ``issues``, ``downloads``).

    The seed's table names (``star-growth``, ``pr_velocity`` …) are accepted too.

    Raises:
        InputError: not a family.
    """
    wanted = text.strip().lower().replace("-", "_")
    for family, row in FAMILIES.items():
        if wanted in {family.value, row.table}:
            return family
    known = ", ".join(family.value for family in FAMILIES)
    raise InputError(f"unknown family {text[:40]!r}; expected one of {known}")
