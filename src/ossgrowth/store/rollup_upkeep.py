"""Keeping rollups up to date, whatever the backend: which nodes a write changes, and in what
order to recompute them. The SQL and DynamoDB stores subclass :class:`RollupUpkeep` with how
they read points and rollup rows and replace a stretch of rollup rows.

What a rollup holds is pure logic in :mod:`ossgrowth.metrics.rollups`; this module only walks
it: for every series a write touched, the nodes holding the written moments are recomputed,
finest depth first (a node from the rows of the depth below), and a series stops climbing a
base's ladder as soon as its nodes come out as they were stored (the nodes above are made of
those, so they cannot change either).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Sequence
from typing import Any, Generic, TypeVar

from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.metrics.resample import Interval, aggregate, is_gap
from ossgrowth.metrics.rollups import (
    BASES,
    DAY_LEVEL,
    Base,
    RoledRow,
    node_rows,
    series_rollups,
    unit_rows,
)

__all__ = ["RollupUpkeep", "Row", "reads_of_update", "stretches"]

Row = tuple[Any, ...]
"""``(epoch_seconds, *field values, provenance rank, source)``."""
K = TypeVar("K", bound=Hashable)
"""How a backend names one series of the family at hand (a key tuple, a partition key)."""


class RollupUpkeep(ABC, Generic[K]):
    """The rollup upkeep of some series of one family, written for one backend's reads and
    writes (which may batch all the series in one statement, or go series by series)."""

    def __init__(self, family: Family, series: Sequence[K]) -> None:
        self._family = family
        self._series = list(series)
        self._width = len(FAMILIES[family].field_names)

    # what a backend provides -------------------------------------------------------------

    @abstractmethod
    def raw(self, start: int, end: int) -> dict[K, list[Row]]:
        """The points of every series with ``start <= t < end``, oldest first."""

    @abstractmethod
    def stored(
        self, series: Sequence[K], base: Base, depth: int, start: int, end: int
    ) -> dict[K, list[RoledRow]]:
        """The rollup rows of ``series`` at ``base`` and ``depth`` with ``start <= t < end``,
        oldest first, with their roles (every series named, empty when it has none)."""

    @abstractmethod
    def replace(
        self, base: Base, depth: int, start: int, end: int, roled: dict[K, Sequence[RoledRow]]
    ) -> None:
        """Replace the rollup rows of each series in ``roled`` at ``base`` and ``depth`` with
        ``start <= t < end`` by the rows given."""

    @abstractmethod
    def insert(self, base: Base, depth: int, roled: dict[K, Sequence[RoledRow]]) -> None:
        """Add rollup rows (where none are stored)."""

    @abstractmethod
    def delete_all(self) -> None:
        """Delete every rollup row of the series."""

    # the walk ----------------------------------------------------------------------------

    def rebuild(self, earliest: int, latest: int) -> None:
        """Build every rollup of each series from all its points (after a migration, or to
        repair); ``earliest`` and ``latest`` bound every moment there is."""
        raw = self.raw(earliest, latest)
        self.delete_all()
        for base in BASES.values():
            for key in self._series:
                for depth, roled in series_rollups(
                    base, raw[key], self._family, self._width
                ).items():
                    self.insert(base, depth, {key: roled})

    def update(self, first: int, last: int) -> None:
        """Recompute every node holding a moment from ``first`` to ``last``, of every series.

        The series share the UTC days of their first and last written moments (a caller
        groups them so), so every level's stretch is the same for all of them.
        """
        days = (DAY_LEVEL.start(first), DAY_LEVEL.next(DAY_LEVEL.start(last)))
        raw = self.raw(*days)
        day_units_changed: list[K] = list(self._series)
        for base in BASES.values():
            from_days = base.stored_units and base.unit is not Interval.DAY
            active = day_units_changed if from_days else list(self._series)
            changed = self._update_base(base, first, last, raw, active)
            if base.stored_units and base.unit is Interval.DAY:
                day_units_changed = changed

    def _update_base(
        self,
        base: Base,
        first: int,
        last: int,
        raw: dict[K, list[Row]],
        active: list[K],
    ) -> list[K]:
        """Recompute the nodes of ``active`` series at ``base``, finest depth first, each
        series only as long as its nodes change; returns the series whose units changed (or
        whose first depth did, where units are not stored)."""
        family = self._family
        spans = stretches(base, first, last)
        depths = sorted(spans)
        children: dict[K, list[Row]] = {}
        first_changed: list[K] = []
        for position, depth in enumerate(depths):
            if not active:
                break
            start, end = spans[depth]
            around = spans[depths[position + 1]] if position + 1 < len(depths) else spans[depth]
            stored = self.stored(active, base, depth, *around)
            fresh: dict[K, list[RoledRow]] = {}
            if depth == 0:
                if base.unit is Interval.DAY:
                    units = {key: unit_rows(base, raw[key], family) for key in active}
                else:
                    day_units = self.stored(active, BASES[Interval.DAY], 0, start, end)
                    units = {
                        key: [
                            row
                            for row in aggregate([r for r, _ in rows], family, base.unit)
                            if not is_gap(row)
                        ]
                        for key, rows in day_units.items()
                    }
                fresh = {key: [(row, 0) for row in units[key]] for key in active}
            else:
                if depth == 1 and not base.stored_units:
                    below = {key: unit_rows(base, raw[key], family) for key in active}
                else:
                    below = children
                fresh = {
                    key: node_rows(base, depth, below[key], start, end, self._width)
                    for key in active
                }
            changed = [
                key
                for key in active
                if fresh[key] != [kept for kept in stored[key] if start <= kept[0][0] < end]
            ]
            self.replace(base, depth, start, end, {key: fresh[key] for key in changed})
            children = {
                key: sorted(
                    [row for row, _ in stored[key] if not start <= row[0] < end]
                    + [row for row, _ in fresh[key]],
                    key=_moment,
                )
                for key in changed
            }
            if position == 0:
                first_changed = changed
            active = changed
        return first_changed


def stretches(base: Base, first: int, last: int) -> dict[int, tuple[int, int]]:
    """Per depth of ``base``, the stretch ``[start, end)`` of the nodes holding the moments
    from ``first`` to ``last``: the nodes an update recomputes."""
    spans: dict[int, tuple[int, int]] = {}
    if base.stored_units:
        spans[0] = (base.unit_start(first), base.next_unit(base.unit_start(last)))
    for depth, level in enumerate(base.ladder, start=1):
        spans[depth] = (level.start(first), level.next(level.start(last)))
    return spans


def reads_of_update(first: int, last: int) -> dict[tuple[int, int], tuple[int, int]]:
    """Every stretch of stored rollup rows :meth:`RollupUpkeep.update` may read, per
    (base code, depth): a backend that pays a round trip a read can fetch them all at once."""
    wanted: dict[tuple[int, int], tuple[int, int]] = {}

    def want(base: Base, depth: int, span: tuple[int, int]) -> None:
        known = wanted.get((base.code, depth))
        wanted[(base.code, depth)] = (
            span if known is None else (min(known[0], span[0]), max(known[1], span[1]))
        )

    for base in BASES.values():
        spans = stretches(base, first, last)
        depths = sorted(spans)
        for position, depth in enumerate(depths):
            later = depths[position + 1] if position + 1 < len(depths) else depth
            want(base, depth, spans[later])
            if depth == 0 and base.unit is not Interval.DAY:
                want(BASES[Interval.DAY], 0, spans[0])
    return wanted


def _moment(row: Row) -> int:
    return int(row[0])
