"""What the download-count clients (npm, PyPI stats) return, and the store point they make."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from ossgrowth.errors import InputError
from ossgrowth.model import Ecosystem, Family, PackageRef, Point, Provenance, RepoName
from ossgrowth.sources.snapshot import Failure

__all__ = [
    "DailyDownloads",
    "DownloadCount",
    "DownloadRange",
    "DownloadTotal",
    "DownloadsBatch",
    "distinct_packages",
    "download_point",
]


@dataclass(frozen=True, slots=True)
class DownloadCount:
    """Downloads of a package over a period (npm: the inclusive ``start``–``end``)."""

    package: PackageRef
    downloads: int
    start: date | None
    """First day counted; ``None`` when the service does not say (PyPI stats' ``last_week``)."""
    end: date | None
    observed_at: datetime


@dataclass(frozen=True, slots=True)
class DailyDownloads:
    """Downloads on one UTC day."""

    day: date
    downloads: int


@dataclass(frozen=True, slots=True)
class DownloadRange:
    """Daily downloads of a package, in day order."""

    package: PackageRef
    days: tuple[DailyDownloads, ...]
    observed_at: datetime

    @property
    def total(self) -> int:
        """Downloads summed over the days held."""
        return sum(day.downloads for day in self.days)

    @property
    def start(self) -> date | None:
        return self.days[0].day if self.days else None

    @property
    def end(self) -> date | None:
        return self.days[-1].day if self.days else None


@dataclass(frozen=True, slots=True)
class DownloadTotal:
    """Downloads summed from ``start`` to ``end``.

    ``complete`` is true only when ``start`` is the first day the service keeps data for
    (npm: 2015-01-10). PyPI stats keeps 180 days, so its totals cover that window only and
    are never complete.
    """

    package: PackageRef
    downloads: int
    start: date | None
    end: date | None
    complete: bool
    observed_at: datetime


@dataclass(frozen=True, slots=True)
class DownloadsBatch:
    """Counts of many packages: each asked package is in exactly one of the two."""

    counts: tuple[DownloadCount, ...]
    failures: tuple[Failure, ...]
    requests_sent: int


def distinct_packages(packages: Iterable[PackageRef], ecosystem: Ecosystem) -> list[PackageRef]:
    """``packages`` in order, each once; all must belong to ``ecosystem``.

    Raises:
        InputError: a package of another registry.
    """
    unique: dict[PackageRef, None] = {}
    for package in packages:
        if package.ecosystem is not ecosystem:
            raise InputError(f"{package} is not an {ecosystem.value} package")
        unique[package] = None
    return list(unique)


def download_point(
    repo: RepoName, weekly: DownloadCount, total: DownloadTotal | None, source: str
) -> Point:
    """The downloads point of a package: last week's count, and the total when complete.

    A total that covers only a window (PyPI stats' 180 days) is not a total download count,
    so ``total_downloads`` is ``None`` then rather than a number that means something else.
    """
    complete_total = total.downloads if total is not None and total.complete else None
    return Point(
        repo=repo,
        family=Family.DOWNLOADS,
        observed_at=weekly.observed_at,
        values={"weekly_downloads": weekly.downloads, "total_downloads": complete_total},
        provenance=Provenance.MEASURED,
        source=source,
        package=weekly.package,
    )
