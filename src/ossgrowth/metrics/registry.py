"""The table of metric families: one row per family drives collection, storage and charts.

Field names and table names are the seed's (``star_count`` in ``star-growth`` …); schedules are
the seed's too, expressed in the configured time zone by the scheduler.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from types import MappingProxyType

from ossgrowth.errors import InputError

__all__ = [
    "FAMILIES",
    "Family",
    "FamilyDefinition",
    "FieldDefinition",
    "FieldKind",
    "definition",
    "parse_family",
]


class Family(enum.StrEnum):
    """The four metric families of the seed."""

    STARS = "stars"
    PRS = "prs"
    ISSUES = "issues"
    DOWNLOADS = "downloads"


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


@dataclass(frozen=True, slots=True)
class FieldDefinition:
    """One stored field of a family."""

    name: str
    kind: FieldKind
    description: str


@dataclass(frozen=True, slots=True)
class FamilyDefinition:
    """One metric family: what it holds and where it lives."""

    family: Family
    title: str
    table: str
    """SQL table name; the DynamoDB table is ``{environment}-{table with '-'}`` as in the seed."""
    fields: tuple[FieldDefinition, ...]
    per_package: bool
    """Points are kept per package (downloads) rather than per repository."""
    schedule: str
    """The seed's schedule, in words; the scheduler reads its own table."""
    field_names: tuple[str, ...] = dataclass_field(init=False)
    """The names of ``fields``, in order."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_names", tuple(field.name for field in self.fields))

    @property
    def seed_table_suffix(self) -> str:
        """The seed's DynamoDB table name without the environment prefix."""
        return self.table.replace("_", "-")


_COUNT, _WINDOW, _RATIO = FieldKind.COUNT, FieldKind.WINDOW, FieldKind.RATIO

FAMILIES: Mapping[Family, FamilyDefinition] = MappingProxyType(
    {
        Family.STARS: FamilyDefinition(
            family=Family.STARS,
            title="Star growth",
            table="star_growth",
            fields=(FieldDefinition("star_count", _COUNT, "stars held at that moment"),),
            per_package=False,
            schedule="every 3 hours",
        ),
        Family.PRS: FamilyDefinition(
            family=Family.PRS,
            title="PR velocity",
            table="pr_velocity",
            fields=(
                FieldDefinition("open_prs", _COUNT, "pull requests open at that moment"),
                FieldDefinition("merged_prs", _COUNT, "pull requests merged up to that moment"),
                FieldDefinition("ratio", _RATIO, "merged_prs / open_prs; null when open_prs is 0"),
            ),
            per_package=False,
            schedule="daily at 23:50",
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
                    "ratio", _RATIO, "closed_issues / open_issues; null when open_issues is 0"
                ),
            ),
            per_package=False,
            schedule="daily at 23:50",
        ),
        Family.DOWNLOADS: FamilyDefinition(
            family=Family.DOWNLOADS,
            title="Package downloads",
            table="package_downloads",
            fields=(
                FieldDefinition("weekly_downloads", _WINDOW, "downloads in the 7 days up to then"),
                FieldDefinition("total_downloads", _COUNT, "downloads from the first day counted"),
            ),
            per_package=True,
            schedule="weekly, Sundays at 23:50",
        ),
    }
)


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
