"""Plain types of the domain: what is tracked, what is measured, and how it was known.

No I/O here. Times are aware UTC datetimes at every boundary; the columnar :class:`Series` keeps
them as integer epoch seconds, which is what stores and charts use.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ossgrowth.clock import utc

__all__ = [
    "Ecosystem",
    "Family",
    "PackageRef",
    "Point",
    "Provenance",
    "RepoName",
    "Run",
    "RunStatus",
    "Series",
    "Subject",
    "Value",
    "from_epoch_seconds",
    "to_epoch_seconds",
]

Value = int | float | None
"""A field's value: a count, a ratio, or ``None`` for a ratio whose divisor is 0."""


class Family(enum.StrEnum):
    """The four metric families of the seed."""

    STARS = "stars"
    PRS = "prs"
    ISSUES = "issues"
    DOWNLOADS = "downloads"


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

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def key(self) -> str:
        """The case-insensitive identity of the name."""
        return self.full_name.lower()

    def __str__(self) -> str:
        return self.full_name


@dataclass(frozen=True, slots=True, order=True)
class PackageRef:
    """A package in a registry, written ``npm:name`` or ``pypi:name``."""

    ecosystem: Ecosystem
    name: str

    def __str__(self) -> str:
        return f"{self.ecosystem.value}:{self.name}"


@dataclass(frozen=True, slots=True)
class Subject:
    """A tracked project: a repository and the packages it publishes."""

    repo: RepoName
    packages: tuple[PackageRef, ...] = ()
    github_node_id: str | None = None
    """GitHub's stable node id, filled in at first collection; renames keep it."""
    added_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Point:
    """One observation of one family for one subject (and package, for downloads)."""

    repo: RepoName
    family: Family
    observed_at: datetime
    values: Mapping[str, Value]
    provenance: Provenance
    source: str
    package: PackageRef | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "observed_at", utc(self.observed_at))


@dataclass(frozen=True, slots=True)
class Series:
    """A run of points of one family for one subject, in time order, held column by column."""

    repo: RepoName
    family: Family
    package: PackageRef | None
    epoch_seconds: tuple[int, ...]
    columns: Mapping[str, tuple[Value, ...]]
    provenance: tuple[Provenance, ...]
    sources: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.epoch_seconds)

    def points(self) -> Iterator[Point]:
        """Yield the series as :class:`Point` objects."""
        names = tuple(self.columns)
        for index, seconds in enumerate(self.epoch_seconds):
            yield Point(
                repo=self.repo,
                family=self.family,
                observed_at=from_epoch_seconds(seconds),
                values={name: self.columns[name][index] for name in names},
                provenance=self.provenance[index],
                source=self.sources[index],
                package=self.package,
            )


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


def to_epoch_seconds(moment: datetime) -> int:
    """Whole seconds since 1970-01-01 UTC of an aware datetime."""
    return int(utc(moment).timestamp())


def from_epoch_seconds(seconds: int) -> datetime:
    """The aware UTC datetime of epoch seconds."""
    return datetime.fromtimestamp(seconds, UTC)
