"""Rollups in the SQL store: kept in the transaction that writes points, read for display.

:class:`SqlStore` inherits these methods. What a rollup holds and how a downsampled read is
planned and put together is pure logic in :mod:`ossgrowth.metrics.rollups`; this module reads
and writes the rows it asks for. Each write of points recomputes, for every series it touched,
the rollup nodes holding the written moments, finest depth first (a node from the rows of the
depth below), so a read never sees rollups that disagree with the points.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, delete, select

from ossgrowth.metrics.registry import FAMILIES, Family, definition
from ossgrowth.metrics.resample import Interval
from ossgrowth.metrics.rollups import (
    BASES,
    DAY_LEVEL,
    Base,
    ReadPlan,
    RoledRow,
    Segment,
    SegmentKind,
    assemble,
    plan_read,
)
from ossgrowth.metrics.windowed_totals import WINDOWED_TOTAL_SOURCES
from ossgrowth.model import PackageRef, RepoName, ShownSeries, to_epoch_seconds
from ossgrowth.store.rollup_upkeep import RollupUpkeep
from ossgrowth.store.sql_points import FollowUp, Found, check_package
from ossgrowth.store.tables import FAMILY_TABLES, META_TABLE, ROLLUP_TABLES

__all__ = ["ROLLUPS_PENDING_KEY", "RollupTables", "SeriesKey"]

Row = tuple[Any, ...]
SeriesKey = tuple[Family, int, str | None]
"""A series in the SQL store: family, subject id, package key (``None`` per repository)."""

ROLLUPS_PENDING_KEY = "rollups_pending"
"""Meta key present while rollups of points written before migration 0006 are being built;
its value is the last series built (``family:subject_id:package``), or empty."""

_LOCK_SPACE = 72_420
"""First key of the advisory locks rollup upkeep takes (one per family, then the subject id)."""
_EARLIEST = -(1 << 62)
_LATEST = 1 << 62


class RollupTables:
    """The rollup methods of :class:`~ossgrowth.store.sql.SqlStore`."""

    _engine: Engine
    _rollups_ready: bool

    if TYPE_CHECKING:  # provided by SqlStore and PointTables

        def _writing(self) -> AbstractContextManager[Connection]: ...

        def _fetch_together(
            self, statements: Sequence[tuple[str, tuple[Any, ...]]]
        ) -> list[list[tuple[Any, ...]]]: ...

        def _fetch_in_steps(
            self, statements: Sequence[tuple[str, tuple[Any, ...]]], then: FollowUp | None
        ) -> tuple[Found, Found]: ...

    # statements ---------------------------------------------------------------------------

    def _mark(self) -> str:
        return "%s" if self._engine.dialect.name == "postgresql" else "?"

    def _series_where(self, family: Family, by_repo: bool) -> str:
        """``subject_id = … [AND package = …]``: by subject id, or by repository key."""
        mark = self._mark()
        subject = f"(SELECT id FROM subjects WHERE repo_key = {mark})" if by_repo else mark
        where = f"subject_id = {subject}"
        if definition(family).per_package:
            where += f" AND package = {mark}"
        return where

    def _raw_sql(self, family: Family, by_repo: bool) -> str:
        row = definition(family)
        columns = ", ".join(("observed_at", *row.field_names, "provenance", "source"))
        mark = self._mark()
        return (
            f"SELECT {columns} FROM {row.table} WHERE {self._series_where(family, by_repo)}"
            f" AND observed_at >= {mark} AND observed_at < {mark} ORDER BY observed_at"
        )

    def _rollup_sql(self, family: Family, by_repo: bool) -> str:
        row = definition(family)
        columns = ", ".join(("observed_at", *row.field_names, "provenance", "source", "roles"))
        mark = self._mark()
        return (
            f"SELECT {columns} FROM {row.table}_rollup"
            f" WHERE {self._series_where(family, by_repo)} AND base = {mark} AND depth = {mark}"
            f" AND observed_at >= {mark} AND observed_at < {mark} ORDER BY observed_at"
        )

    def _rollup_insert_sql(self, family: Family) -> str:
        table = ROLLUP_TABLES[family]
        mark = self._mark()
        names = [column.name for column in table.columns]
        return (
            f"INSERT INTO {table.name} ({', '.join(names)})"
            f" VALUES ({', '.join([mark] * len(names))})"
        )

    # keeping ------------------------------------------------------------------------------

    def _keep_rollups(
        self, connection: Connection, touched: dict[SeriesKey, tuple[int, int]]
    ) -> None:
        """Recompute the rollups of every series in ``touched`` over its written moments.

        On PostgreSQL, writers of one series take turns (a transaction-scoped advisory lock per
        family and subject, taken in one order): each recomputes from the points the other
        committed, and two never insert the same node at once.
        """
        ordered = sorted(touched.items(), key=lambda item: _marker(item[0]))
        self._take_turns(connection, [key for key, _ in ordered])
        groups: dict[tuple[Family, int, int], list[tuple[Series, int, int]]] = {}
        for (family, subject_id, package), (first, last) in ordered:
            days = (DAY_LEVEL.start(first), DAY_LEVEL.start(last))
            series = (subject_id,) if package is None else (subject_id, package)
            groups.setdefault((family, *days), []).append((series, first, last))
        for (family, _, _), members in groups.items():
            for start in range(0, len(members), _KEEP_TOGETHER):
                chunk = members[start : start + _KEEP_TOGETHER]
                first = min(first for _, first, _ in chunk)
                last = max(last for _, _, last in chunk)
                keeper = _Keeper(self, connection, family, [series for series, _, _ in chunk])
                keeper.update(first, last)

    def _take_turns(self, connection: Connection, keys: Sequence[SeriesKey]) -> None:
        """On PostgreSQL, wait for other transactions keeping rollups of these series."""
        if self._engine.dialect.name != "postgresql":
            return  # SQLite has one writer at a time
        locks = sorted({(_LOCK_SPACE + list(FAMILIES).index(key[0]), key[1]) for key in keys})
        if not locks:
            return
        spaces, ids = zip(*locks, strict=True)
        connection.exec_driver_sql(  # one statement; unnest keeps the sorted order
            "SELECT count(pg_advisory_xact_lock(space, id))"
            " FROM unnest(%s::int[], %s::int[]) AS locks(space, id)",
            (list(spaces), list(ids)),
        )

    def _build_series_rollups(self, connection: Connection, key: SeriesKey) -> None:
        """Rebuild all rollups of one series from its points (migration 0006 and repairs)."""
        self._take_turns(connection, [key])
        family, subject_id, package = key
        series = (subject_id,) if package is None else (subject_id, package)
        _Keeper(self, connection, family, [series]).rebuild(_EARLIEST, _LATEST)

    def build_pending_rollups(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Build the rollups of series written before rollups existed; resumable.

        Each series is built in its own transaction and recorded as done, so a build stopped
        halfway goes on from the series after the last one done. Returns how many were built.
        """
        with self._writing() as connection:
            marker = connection.execute(
                select(META_TABLE.c.value).where(META_TABLE.c.key == ROLLUPS_PENDING_KEY)
            ).scalar_one_or_none()
            if marker is None:
                self._rollups_ready = True
                return 0
            keys = _all_series(connection)
        pending = [key for key in keys if marker == "" or _marker(key) > marker]
        for done, key in enumerate(pending, start=1):
            with self._writing() as connection:
                self._build_series_rollups(connection, key)
                connection.execute(
                    META_TABLE.update()
                    .where(META_TABLE.c.key == ROLLUPS_PENDING_KEY)
                    .values(value=_marker(key))
                )
            if progress is not None:
                progress(done, len(pending))
        with self._writing() as connection:
            connection.execute(delete(META_TABLE).where(META_TABLE.c.key == ROLLUPS_PENDING_KEY))
        self._rollups_ready = True
        return len(pending)

    def rollups_ready(self) -> bool:
        """Whether every series' rollups are built (reads fall back to the points until then)."""
        if not self._rollups_ready:
            found = self._fetch_together(
                [
                    (
                        f"SELECT value FROM ossgrowth_meta WHERE key = {self._mark()}",
                        (ROLLUPS_PENDING_KEY,),
                    )
                ]
            )[0]
            self._rollups_ready = not found
        return self._rollups_ready

    # reading ------------------------------------------------------------------------------

    def read_shown(
        self,
        repo: RepoName,
        family: Family,
        *,
        interval: Interval,
        max_points: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        package: PackageRef | None = None,
    ) -> ShownSeries:
        check_package(family, package)
        per_package = package is not None
        series = (repo.key, str(package)) if package is not None else (repo.key,)
        low = _EARLIEST if start is None else to_epoch_seconds(start)
        high = _LATEST if end is None else to_epoch_seconds(end)
        base = BASES[interval]
        limit = sys.maxsize if max_points is None else max_points
        probes = self._probes(family, series, low, high, base, limit)
        planned: list[ReadPlan] = []

        def reads(found: list[list[tuple[Any, ...]]]) -> list[tuple[str, tuple[Any, ...]]]:
            if not found[0]:
                return []
            first, last = found[0][0][0], found[1][0][0]
            counted = None if base.aggregated else int(found[-1][0][0])
            plan = plan_read(base, first, last, limit, unit_rows_count=counted)
            planned.append(plan)
            return [
                self._segment_read(family, series, segment, plan, low, high)
                for segment in plan.segments
            ]

        found, segments = self._fetch_in_steps(probes, reads)
        if not planned:
            return ShownSeries([], False, None)
        (plan,) = planned
        windowed = (
            found[2][0][0] if per_package and found[2] and found[2][0][0] is not None else None
        )
        width = len(definition(family).field_names)
        rows = assemble(plan, segments, family, width)
        return ShownSeries(rows, plan.depth != -1, windowed)

    def _probes(
        self,
        family: Family,
        series: tuple[Any, ...],
        low: int,
        high: int,
        base: Base,
        limit: int,
    ) -> list[tuple[str, tuple[Any, ...]]]:
        table = definition(family).table
        mark = self._mark()
        where = (
            f"{self._series_where(family, True)} AND observed_at >= {mark}"
            f" AND observed_at <= {mark}"
        )
        bounds = (*series, low, high)
        probes = [
            (f"SELECT observed_at FROM {table} WHERE {where} ORDER BY observed_at LIMIT 1", bounds),
            (
                f"SELECT observed_at FROM {table} WHERE {where} ORDER BY observed_at DESC LIMIT 1",
                bounds,
            ),
        ]
        if definition(family).per_package:
            sources = tuple(WINDOWED_TOTAL_SOURCES)
            marks = ", ".join([self._mark()] * len(sources))
            probes.append(
                (
                    f"SELECT min(observed_at) FROM {table} WHERE {where} AND source IN ({marks})",
                    (*bounds, *sources),
                )
            )
        if not base.aggregated:
            counted = min(limit, 1 << 30) + 1
            probes.append(
                (
                    f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {where}"
                    f" LIMIT {counted}) AS counted",
                    bounds,
                )
            )
        return probes

    def _segment_read(
        self,
        family: Family,
        series: tuple[Any, ...],
        segment: Segment,
        plan: ReadPlan,
        low: int,
        high: int,
    ) -> tuple[str, tuple[Any, ...]]:
        raw = segment.kind is SegmentKind.RAW or (
            segment.kind is SegmentKind.UNITS and not plan.base.stored_units
        )
        if raw:
            span = (max(segment.start, low), min(segment.end, high + 1))
            return self._raw_sql(family, True), (*series, *span)
        depth = 0 if segment.kind is SegmentKind.UNITS else segment.depth
        return (
            self._rollup_sql(family, True),
            (*series, plan.base.code, depth, segment.start, segment.end),
        )


Series = tuple[Any, ...]
"""A series' key columns in a table: ``(subject_id,)``, or ``(subject_id, package)``."""

_KEEP_TOGETHER = 1000
"""Series whose rollups one set of statements keeps (a bound on each statement's parameters)."""


class _Keeper(RollupUpkeep[Series]):
    """Rollup upkeep of series of one family inside a write transaction, all at once.

    Every statement reads or replaces one stretch of one depth for all of the series, so a
    write that touched a thousand series (a collection) costs as many statements as one
    touching a single series. Going up a base's ladder, a series whose nodes came out as they
    were stored stops there: the nodes above are made of those, so they cannot change either
    (most series of a collection gained nothing since the last one, and stop early).
    """

    def __init__(
        self,
        store: RollupTables,
        connection: Connection,
        family: Family,
        series: Sequence[Series],
    ) -> None:
        super().__init__(family, series)
        self._store = store
        self._connection = connection
        self._per_package = definition(family).per_package
        self._key_width = 2 if self._per_package else 1
        self._key_columns = "subject_id, package" if self._per_package else "subject_id"

    def _which(self, series: Sequence[Series]) -> tuple[str, tuple[Any, ...]]:
        """``WHERE`` terms naming ``series``, and their parameters: the subject ids as an index
        condition (one array on PostgreSQL, whose planner reads a VALUES list as a join),
        then the exact (subject, package) pairs."""
        mark = self._store._mark()
        subject_ids = sorted({key[0] for key in series})
        keys: list[Any]
        if self._store._engine.dialect.name == "postgresql":
            where, keys = "subject_id = ANY(%s)", [subject_ids]
        else:
            where, keys = f"subject_id IN ({', '.join([mark] * len(subject_ids))})", subject_ids
        if self._per_package:
            pairs = ", ".join([f"({mark}, {mark})"] * len(series))
            where += f" AND (subject_id, package) IN (VALUES {pairs})"
            keys.extend(value for key in series for value in key)
        return where, tuple(keys)

    def _run(self, sql: str, parameters: tuple[Any, ...]) -> list[Row]:
        """Rows as the driver fetches them (plain tuples), inside the write transaction."""
        cursor = self._connection.connection.cursor()
        try:
            cursor.execute(sql, parameters)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def _by_series(self, series: Sequence[Series], rows: list[Row]) -> dict[Series, list[Row]]:
        """Rows (series key columns first) split by series, keys cut off."""
        split: dict[Series, list[Row]] = {key: [] for key in series}
        width = self._key_width
        for row in rows:
            split[row[:width]].append(row[width:])
        return split

    def _select(
        self, series: Sequence[Series], start: int, end: int, at: tuple[Base, int] | None = None
    ) -> dict[Series, list[Row]]:
        """Rows of ``series`` in ``[start, end)``, oldest first: ``observed_at``, the fields,
        provenance and source; of the points, or with ``at`` (base, depth) of the rollups,
        their roles last."""
        row = definition(self._family)
        columns = ", ".join((self._key_columns, "observed_at", *row.field_names))
        mark = self._store._mark()
        where, keys = self._which(series)
        if at is None:
            table, rollup, parameters = row.table, "", keys
        else:
            table, rollup = f"{row.table}_rollup", f" AND base = {mark} AND depth = {mark}"
            parameters = (*keys, at[0].code, at[1])
        sql = (
            f"SELECT {columns}, provenance, source{', roles' if at else ''} FROM {table}"
            f" WHERE {where}{rollup} AND observed_at >= {mark} AND observed_at < {mark}"
            f" ORDER BY {self._key_columns}, observed_at"
        )
        return self._by_series(series, self._run(sql, (*parameters, start, end)))

    def raw(self, start: int, end: int) -> dict[Series, list[Row]]:
        return self._select(self._series, start, end)

    def stored(
        self, series: Sequence[Series], base: Base, depth: int, start: int, end: int
    ) -> dict[Series, list[RoledRow]]:
        """Stored rows with their roles."""
        found = self._select(series, start, end, (base, depth))
        return {key: [(row[:-1], row[-1]) for row in rows] for key, rows in found.items()}

    def delete_all(self) -> None:
        table = f"{definition(self._family).table}_rollup"
        where, keys = self._which(self._series)
        self._connection.exec_driver_sql(f"DELETE FROM {table} WHERE {where}", keys)

    def insert(self, base: Base, depth: int, roled: dict[Series, Sequence[RoledRow]]) -> None:
        rows = [
            (*key, base.code, depth, *row, roles)
            for key, kept in roled.items()
            for row, roles in kept
        ]
        if not rows:
            return
        cursor = self._connection.connection.cursor()
        try:
            if self._store._engine.dialect.name == "postgresql":  # COPY: one stream, no parsing
                table = ROLLUP_TABLES[self._family]
                names = ", ".join(column.name for column in table.columns)
                with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self._store._rollup_insert_sql(self._family), rows)
        finally:
            cursor.close()

    def replace(
        self, base: Base, depth: int, start: int, end: int, roled: dict[Series, Sequence[RoledRow]]
    ) -> None:
        if not roled:
            return
        mark = self._store._mark()
        table = f"{definition(self._family).table}_rollup"
        where, keys = self._which(list(roled))
        self._connection.exec_driver_sql(
            f"DELETE FROM {table} WHERE {where} AND base = {mark} AND depth = {mark}"
            f" AND observed_at >= {mark} AND observed_at < {mark}",
            (*keys, base.code, depth, start, end),
        )
        self.insert(base, depth, roled)


def _all_series(connection: Connection) -> list[SeriesKey]:
    keys: list[SeriesKey] = []
    for family, table in FAMILY_TABLES.items():
        if definition(family).per_package:
            query = select(table.c.subject_id, table.c.package).distinct()
            keys.extend(
                (family, subject_id, package) for subject_id, package in connection.execute(query)
            )
        else:
            ids = select(table.c.subject_id).distinct()
            keys.extend((family, subject_id, None) for subject_id in connection.scalars(ids))
    return sorted(keys, key=_marker)


def _marker(key: SeriesKey) -> str:
    family, subject_id, package = key
    return f"{list(FAMILIES).index(family)}:{subject_id:012d}:{package or ''}"
