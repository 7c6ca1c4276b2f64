"""Read a series for display: from the store's rollups, or, for a provenance filter or a store
still building its rollups, from the points: filter → intervals → downsampling."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.metrics.resample import Interval, aggregate
from ossgrowth.metrics.rollups import downsample
from ossgrowth.metrics.windowed_totals import total_counted_from, total_notes, window_start
from ossgrowth.model import PackageRef, Provenance, RepoName
from ossgrowth.store import Store

__all__ = ["SeriesQuery", "SeriesResult", "load_series"]

Row = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class SeriesQuery:
    """Which points of which series, and how finely."""

    repo: RepoName
    family: Family
    package: PackageRef | None = None
    start: datetime | None = None
    end: datetime | None = None
    interval: Interval = Interval.RAW
    max_points: int | None = None
    provenance: frozenset[Provenance] | None = None
    """Only points of these provenances; ``None`` for all."""


@dataclass(frozen=True, slots=True)
class SeriesResult:
    """The rows to show and whether downsampling dropped some."""

    rows: Sequence[Row]
    downsampled: bool
    total_counted_from: date | None = None
    """Downloads: the first day the totals count when they cover only a window (PyPI)."""

    @property
    def notes(self) -> list[str]:
        """What a reader must know to read these rows right."""
        return total_notes(self.total_counted_from)


def load_series(store: Store, query: SeriesQuery) -> SeriesResult:
    """Read and shape the series ``query`` asks for."""
    if query.provenance is None and store.rollups_ready():
        shown = store.read_shown(
            query.repo,
            query.family,
            interval=query.interval,
            max_points=query.max_points,
            start=query.start,
            end=query.end,
            package=query.package,
        )
        windowed = shown.first_windowed_at
        since = None if windowed is None else window_start(windowed)
        return SeriesResult(shown.rows, shown.downsampled, since)
    return _load_from_points(store, query)


def _load_from_points(store: Store, query: SeriesQuery) -> SeriesResult:
    """The same answer computed from every point in the range."""
    series = store.read_series(
        query.repo, query.family, start=query.start, end=query.end, package=query.package
    )
    rows: Sequence[Row] = series.rows
    if query.provenance is not None:
        position = 1 + len(FAMILIES[query.family].field_names)
        wanted = {int(member) for member in query.provenance}
        rows = [row for row in rows if row[position] in wanted]
    since = total_counted_from(rows) if query.family is Family.DOWNLOADS else None
    rows = aggregate(rows, query.family, query.interval)
    if query.max_points is not None and len(rows) > query.max_points:
        return SeriesResult(downsample(rows, query.interval, query.max_points), True, since)
    return SeriesResult(rows, False, since)
