"""Plain types of the domain: what is tracked, what is measured, and how it was known.

No I/O here. Times are aware UTC datetimes at every boundary; the columnar :class:`Series` keeps
them as integer epoch seconds, which is what stores and charts use.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ossgrowth.clock import utc
from ossgrowth.errors import InputError
from ossgrowth.metrics.registry import FAMILIES, Family

__all__ = [
    "Collection",
    "Ecosystem",
    "Family",
    "PackageRef",
    "Point",
    "Provenance",
    "RepoName",
    "Run",
    "RunStatus",
    "Series",
    "ShownSeries",
    "SlotClaim",
    "Subject",
    "Value",
    "field_position",
    "from_epoch_seconds",
    "to_epoch_seconds",
]

Value = int | float | None
"""A field's value: a count, a ratio, or ``None`` for a ratio whose divisor is 0."""


class Provenance(enum.IntEnum):
    """How a value was known. A higher rank wins when two points share a key."""

    ESTIMATED = 1
    """Interpolated or aggregated from other points."""
    RECONSTRUCTED = 2
    """Derived exactly from event timestamps, after the fact."""
    MEASURED = 3
    """Read from the source at that moment."""

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> Provenance:
        try:
            return cls[label.upper()]
        except KeyError:
            known = ", ".join(member.label for member in cls)
            raise ValueError(f"unknown provenance {label!r}; expected one of {known}") from None


class Ecosystem(enum.StrEnum):
    """Package registries whose downloads are followed."""

    NPM = "npm"
    PYPI = "pypi"


class RunStatus(enum.StrEnum):
    """Outcome of a collection run."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"


@dataclass(frozen=True, slots=True, order=True)
class RepoName:
    """A GitHub repository ``owner/name``; GitHub compares names case-insensitively."""

    owner: str
    name: str
    key: str = field(init=False, repr=False, compare=False)
    """The case-insensitive identity of the name: ``owner/name`` in lower case."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"{self.owner}/{self.name}".lower())

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def __str__(self) -> str:
        return self.full_name


@dataclass(frozen=True, slots=True, order=True)
class PackageRef:
    """A package in a registry, written ``npm:name`` or ``pypi:name``."""

    ecosystem: Ecosystem
    name: str

    def __str__(self) -> str:
        return f"{self.ecosystem.value}:{self.name}"

    @classmethod
    def from_key(cls, key: str) -> PackageRef:
        """The package a stored key names (``str(package)``: ``npm:left-pad``)."""
        ecosystem, _, name = key.partition(":")
        return cls(Ecosystem(ecosystem), name)


@dataclass(frozen=True, slots=True)
class Subject:
    """A tracked project: a repository and the packages it publishes."""

    repo: RepoName
    packages: tuple[PackageRef, ...] = ()
    github_node_id: str | None = None
    """GitHub's stable node id, filled in at first collection; renames keep it."""
    added_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Collection:
    """A named, described group of tracked repositories; a repository may be in several."""

    slug: str
    """The collection's identity in URLs and commands: lower case letters, digits and hyphens."""
    name: str
    description: str = ""
    members: tuple[RepoName, ...] = ()
    """The member repositories, by name."""
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Point:
    """One observation of one family for one subject (and package, for downloads).

    ``values`` must hold exactly the family's fields (see the metric registry); a point of a
    per-package family (downloads) names its package, others do not. Violations raise
    :class:`~ossgrowth.errors.InputError` when the point is made, not when it is stored.
    """

    repo: RepoName
    family: Family
    observed_at: datetime
    values: Mapping[str, Value]
    provenance: Provenance
    source: str
    package: PackageRef | None = None
    epoch_seconds: int = field(init=False, repr=False, compare=False)
    """``observed_at`` as whole seconds since 1970-01-01 UTC."""
    ordered_values: tuple[Value, ...] = field(init=False, repr=False, compare=False)
    """``values`` in the registry's field order."""

    def __post_init__(self) -> None:
        moment = utc(self.observed_at)
        object.__setattr__(self, "observed_at", moment)
        object.__setattr__(self, "epoch_seconds", int(moment.timestamp()))
        row = FAMILIES[self.family]
        try:
            ordered = tuple([self.values[name] for name in row.field_names])
        except KeyError:
            ordered = ()
        if not ordered or len(self.values) != len(ordered):
            raise InputError(
                f"a {self.family.value} point needs exactly the fields "
                f"{', '.join(row.field_names)}; got {', '.join(sorted(self.values)) or 'none'}"
            )
        object.__setattr__(self, "ordered_values", ordered)
        if row.per_package != (self.package is not None):
            raise InputError(
                f"{self.family.value} points belong to a package; name one"
                if row.per_package
                else f"{self.family.value} points belong to the repository, not to a package"
            )


@dataclass(frozen=True, slots=True)
class Series:
    """A run of points of one family for one subject (and package), in time order.

    ``rows`` are kept as the store read them: ``(epoch_seconds, *field values, provenance rank,
    source)``, fields in the registry's order; the properties give columns and points.
    """

    repo: RepoName
    family: Family
    package: PackageRef | None
    rows: Sequence[tuple[Any, ...]]

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def field_names(self) -> tuple[str, ...]:
        return FAMILIES[self.family].field_names

    @property
    def epoch_seconds(self) -> list[int]:
        return [row[0] for row in self.rows]

    def position(self, name: str) -> int:
        """Where field ``name`` is in a row (rows stay tuples: they are the hot path)."""
        return field_position(self.family, name)

    def observations(self, name: str) -> list[tuple[int, float]]:
        """``(epoch seconds, value)`` of each row where field ``name`` is known, in order."""
        index = self.position(name)
        return [(row[0], row[index]) for row in self.rows if row[index] is not None]

    @property
    def columns(self) -> dict[str, list[Value]]:
        """Each field's values in time order."""
        return {
            name: [row[index] for row in self.rows]
            for index, name in enumerate(self.field_names, start=1)
        }

    @property
    def provenance(self) -> list[Provenance]:
        position = 1 + len(self.field_names)
        return [Provenance(row[position]) for row in self.rows]

    @property
    def sources(self) -> list[str]:
        return [row[-1] for row in self.rows]

    def points(self) -> Iterator[Point]:
        """Yield the series as :class:`Point` objects."""
        names = self.field_names
        width = len(names)
        for row in self.rows:
            yield Point(
                repo=self.repo,
                family=self.family,
                observed_at=from_epoch_seconds(row[0]),
                values=dict(zip(names, row[1 : 1 + width], strict=True)),
                provenance=Provenance(row[1 + width]),
                source=row[-1],
                package=self.package,
            )


def field_position(family: Family, name: str) -> int:
    """Where field ``name`` of ``family`` is in a stored row ``(epoch, *fields, provenance,
    source)``: read rows by name through this, never by a number.

    Raises:
        KeyError: ``family`` has no such field.
    """
    try:
        return 1 + FAMILIES[family].field_names.index(name)
    except ValueError:
        raise KeyError(f"{family.value} has no field {name!r}") from None


@dataclass(frozen=True, slots=True)
class Run:
    """A recorded collection or backfill run."""

    job: str
    environment: str
    started_at: datetime
    status: RunStatus = RunStatus.RUNNING
    finished_at: datetime | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    """What the run did, e.g. ``{"subjects_ok": 10, "subjects_failed": 1, "points": 40}``."""
    error: str | None = None
    requests_spent: int = 0
    id: int | None = None


@dataclass(frozen=True, slots=True)
class SlotClaim:
    """A scheduled slot, or one part of it, as a runner took it."""

    job: str
    """The schedule's job, or a part of it (``collect:stars#2/3``)."""
    slot: datetime
    owner: str
    """The runner that took it (host, process and a random suffix)."""
    claimed_at: datetime
    lease_until: datetime | None
    """When another runner may take it over unless its owner renews the lease."""
    finished_at: datetime | None


def to_epoch_seconds(moment: datetime) -> int:
    """Whole seconds since 1970-01-01 UTC of an aware datetime."""
    return int(utc(moment).timestamp())


def from_epoch_seconds(seconds: int) -> datetime:
    """The aware UTC datetime of epoch seconds."""
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True, slots=True)
class ShownSeries:
    """A series as shown: aggregated to its interval, downsampled when it holds too many rows.

    ``rows`` are the store's ``(epoch_seconds, *field values, provenance rank, source)``, with
    gap rows (every value ``None``) where an interval observed nothing.
    """

    rows: list[tuple[Any, ...]]
    downsampled: bool
    first_windowed_at: int | None = None
    """Downloads: the first moment in the range whose total counts only from a window."""
