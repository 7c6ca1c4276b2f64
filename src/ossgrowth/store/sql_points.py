"""Points in the SQL store: bulk upserts, series reads, newest points, counts.

:class:`SqlStore` inherits these methods. The bulk write path compiles its upsert once per
family and hands rows to the driver's ``executemany`` as tuples, so a million points cost
little more than the raw driver does; the series read runs its compiled statement on a pooled
driver connection, outside SQLAlchemy's result machinery.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, bindparam, func, select
from sqlalchemy import delete as sa_delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import Insert

from ossgrowth.alert_types import AlertEvent
from ossgrowth.errors import InputError, StoreUnreachable
from ossgrowth.metrics.registry import definition
from ossgrowth.model import (
    Family,
    PackageRef,
    Point,
    Provenance,
    RepoName,
    Series,
    Value,
    from_epoch_seconds,
    to_epoch_seconds,
)
from ossgrowth.store.engines import pinned_connection, positional_sql, translated_errors
from ossgrowth.store.tables import FAMILY_TABLES, SUBJECTS_TABLE

if TYPE_CHECKING:
    from ossgrowth.store.sql_rollups import SeriesKey

__all__ = ["PointTables", "check_package"]

_PROVENANCE_BY_CODE = {member.value: member for member in Provenance}
_SNAPSHOT_BEGIN = {False: "BEGIN", True: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"}
"""How a read of several statements starts, SQLite's and PostgreSQL's: one snapshot for all."""

Found = list[list[tuple[Any, ...]]]
"""The rows of each of several statements, in their order."""
FollowUp = Callable[[Found], Sequence[tuple[str, tuple[Any, ...]]]]
"""The statements to run next, made of what the first ones found."""


def _run_steps(
    cursor: Any, statements: Sequence[tuple[str, tuple[Any, ...]]], then: FollowUp | None
) -> tuple[Found, Found]:
    found = []
    for sql, parameters in statements:
        cursor.execute(sql, parameters)
        found.append(list(cursor.fetchall()))
    followed = []
    for sql, parameters in then(found) if then is not None else ():
        cursor.execute(sql, parameters)
        followed.append(list(cursor.fetchall()))
    return found, followed


class PointTables:
    """The point methods of :class:`~ossgrowth.store.sql.SqlStore` (see ``Store``)."""

    _engine: Engine
    _upserts: dict[Family, str]
    _series_statements: dict[tuple[Family, bool, bool], str]

    if TYPE_CHECKING:  # provided by SqlStore

        def _writing(self) -> AbstractContextManager[Connection]: ...

        def _reading(self) -> AbstractContextManager[Connection]: ...

        def _subject_id(self, connection: Connection, repo: RepoName) -> int | None: ...

        def _keep_rollups(
            self, connection: Connection, touched: dict[SeriesKey, tuple[int, int]]
        ) -> None: ...

        def _insert_events(self, connection: Connection, events: Sequence[AlertEvent]) -> None: ...

    def _prepare_point_statements(self) -> None:
        """Compile each family's upsert now; series reads are compiled on first use."""
        self._upserts = {
            family: self._compile_upsert(table) for family, table in FAMILY_TABLES.items()
        }
        self._series_statements = {}

    def _compile_upsert(self, table: Table) -> str:
        dialect = self._engine.dialect
        builder = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        statement = builder(table)
        keys = [column.name for column in table.primary_key.columns]
        changed = {
            column.name: statement.excluded[column.name]
            for column in table.columns
            if column.name not in keys
        }
        upsert: Insert = statement.on_conflict_do_update(
            index_elements=keys,
            set_=changed,
            where=statement.excluded.provenance >= table.c.provenance,
        )
        sql = positional_sql(upsert, self._engine)
        return sql

    def write_points(self, points: Iterable[Point], *, events: Sequence[AlertEvent] = ()) -> int:
        """Upsert ``points`` and put ``events`` in the alert outbox, in one transaction."""
        batch = points if isinstance(points, list) else list(points)
        if not batch and not events:
            return 0
        with translated_errors(self._engine), self._writing() as connection:
            self._upsert_points(connection, batch)
            if events:
                self._insert_events(connection, events)
        return len(batch)

    def _upsert_points(self, connection: Connection, batch: Sequence[Point]) -> None:
        if not batch:
            return
        ids = self._ids_by_key(connection, {point.repo.key for point in batch})
        for family, rows in _group(batch, ids):
            connection.exec_driver_sql(self._upserts[family], rows)
        self._keep_rollups(connection, _touched(batch, ids))

    def _ids_by_key(self, connection: Connection, keys: set[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        ordered = sorted(keys)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            query = select(SUBJECTS_TABLE.c.repo_key, SUBJECTS_TABLE.c.id).where(
                SUBJECTS_TABLE.c.repo_key.in_(chunk)
            )
            found.update({key: subject_id for key, subject_id in connection.execute(query)})
        missing = keys - found.keys()
        if missing:
            shown = ", ".join(sorted(missing)[:3])
            raise InputError(f"points name subjects that are not tracked: {shown}")
        return found

    def delete_points(
        self,
        repo: RepoName,
        family: Family,
        moments: Iterable[datetime],
        *,
        package: PackageRef | None = None,
    ) -> int:
        check_package(family, package)
        seconds = sorted({to_epoch_seconds(moment) for moment in moments})
        if not seconds:
            return 0
        table = FAMILY_TABLES[family]
        deleted = 0
        with translated_errors(self._engine), self._writing() as connection:
            subject_id = self._subject_id(connection, repo)
            if subject_id is None:
                raise InputError(f"{repo} is not tracked")
            for start in range(0, len(seconds), 500):
                condition = (table.c.subject_id == subject_id) & table.c.observed_at.in_(
                    seconds[start : start + 500]
                )
                if package is not None:
                    condition &= table.c.package == str(package)
                deleted += connection.execute(sa_delete(table).where(condition)).rowcount
            key = (family, subject_id, None if package is None else str(package))
            self._keep_rollups(connection, {key: (seconds[0], seconds[-1])})
        return deleted

    def read_series(
        self,
        repo: RepoName,
        family: Family,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        package: PackageRef | None = None,
    ) -> Series:
        check_package(family, package)
        parameters: list[str | int] = [repo.key]
        if package is not None:
            parameters.append(str(package))
        if start is not None:
            parameters.append(to_epoch_seconds(start))
        if end is not None:
            parameters.append(to_epoch_seconds(end))
        sql = self._series_sql(family, start is not None, end is not None)
        return Series(repo, family, package, self._fetch(sql, tuple(parameters)))

    def _fetch(self, sql: str, parameters: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Run one compiled SELECT on a pooled driver connection, outside any transaction.

        The hot read path (series) skips SQLAlchemy's result machinery: it costs more than the
        query itself on small series. A connection the server dropped is replaced and the
        read tried once more.
        """
        return self._fetch_together([(sql, parameters)])[0]

    def _fetch_together(
        self, statements: Sequence[tuple[str, tuple[Any, ...]]]
    ) -> list[list[tuple[Any, ...]]]:
        """Run compiled SELECTs as :meth:`_fetch` does; several see one snapshot of the data
        (one read-only transaction), so what one tells of the other's rows holds."""
        return self._fetch_in_steps(statements, None)[0]

    def _fetch_in_steps(
        self,
        statements: Sequence[tuple[str, tuple[Any, ...]]],
        then: FollowUp | None,
    ) -> tuple[list[list[tuple[Any, ...]]], list[list[tuple[Any, ...]]]]:
        """Run ``statements``, then the statements ``then`` makes of what they found, in one
        snapshot on one connection: a read planned from a first look at the data (the rollup
        read) sees the data it planned for, and takes the pool once."""
        for attempt in (1, 2):
            try:
                with translated_errors(self._engine):
                    return self._fetch_once(statements, then)
            except StoreUnreachable:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _fetch_once(
        self,
        statements: Sequence[tuple[str, tuple[Any, ...]]],
        then: FollowUp | None,
    ) -> tuple[list[list[tuple[Any, ...]]], list[list[tuple[Any, ...]]]]:
        pinned = pinned_connection(self)
        if pinned is not None:  # inside a snapshot: its transaction holds them together
            cursor = pinned.connection.cursor()
            try:
                return _run_steps(cursor, statements, then)
            finally:
                cursor.close()
        connection = self._engine.raw_connection()
        postgres = self._engine.dialect.name == "postgresql"
        together = len(statements) > 1 or then is not None
        try:
            driver = connection.driver_connection
            if postgres:
                driver.autocommit = True  # type: ignore[union-attr]
            cursor = connection.cursor()
            try:
                if together:
                    cursor.execute(_SNAPSHOT_BEGIN[postgres])
                found = _run_steps(cursor, statements, then)
                if together:
                    cursor.execute("COMMIT")
                return found
            finally:
                cursor.close()
        except self._engine.dialect.loaded_dbapi.Error:
            connection.invalidate()
            raise
        finally:
            if postgres and connection.is_valid:
                driver.autocommit = False  # type: ignore[union-attr]
            connection.close()

    def _series_sql(self, family: Family, has_start: bool, has_end: bool) -> str:
        """The series query of a family, compiled once per shape and kept."""
        shape = (family, has_start, has_end)
        cached = self._series_statements.get(shape)
        if cached is not None:
            return cached
        row = definition(family)
        table = FAMILY_TABLES[family]
        columns = [table.c.observed_at, *(table.c[name] for name in row.field_names)]
        query = (
            select(*columns, table.c.provenance, table.c.source)
            .join(SUBJECTS_TABLE, SUBJECTS_TABLE.c.id == table.c.subject_id)
            .where(SUBJECTS_TABLE.c.repo_key == bindparam("repo_key"))
            .order_by(table.c.observed_at)
        )
        if row.per_package:
            query = query.where(table.c.package == bindparam("package"))
        if has_start:
            query = query.where(table.c.observed_at >= bindparam("start"))
        if has_end:
            query = query.where(table.c.observed_at <= bindparam("end"))
        sql = positional_sql(query, self._engine)
        self._series_statements[shape] = sql
        return sql

    def latest_points(self, family: Family) -> list[Point]:
        row = definition(family)
        table = FAMILY_TABLES[family]
        inner = table.alias("newer")
        newest = select(func.max(inner.c.observed_at)).where(
            inner.c.subject_id == table.c.subject_id
        )
        if row.per_package:
            newest = newest.where(inner.c.package == table.c.package)
        query = (
            select(table, SUBJECTS_TABLE.c.owner, SUBJECTS_TABLE.c.name)
            .join(SUBJECTS_TABLE, SUBJECTS_TABLE.c.id == table.c.subject_id)
            .where(table.c.observed_at == newest.scalar_subquery())
            .order_by(SUBJECTS_TABLE.c.repo_key)
        )
        with self._reading() as connection:
            found = connection.execute(query).mappings().all()
        return [
            Point(
                repo=RepoName(record["owner"], record["name"]),
                family=family,
                observed_at=from_epoch_seconds(record["observed_at"]),
                values={name: record[name] for name in row.field_names},
                provenance=_PROVENANCE_BY_CODE[record["provenance"]],
                source=record["source"],
                package=PackageRef.from_key(record["package"]) if row.per_package else None,
            )
            for record in found
        ]

    def count_points(self, repo: RepoName) -> dict[Family, int]:
        counts: dict[Family, int] = {}
        with self._reading() as connection:
            subject_id = self._subject_id(connection, repo)
            for family, table in FAMILY_TABLES.items():
                if subject_id is None:
                    counts[family] = 0
                    continue
                counts[family] = connection.execute(
                    select(func.count()).select_from(table).where(table.c.subject_id == subject_id)
                ).scalar_one()
        return counts


def _group(
    points: Sequence[Point], ids: dict[str, int]
) -> Iterator[tuple[Family, list[tuple[Value | str, ...]]]]:
    """Rows per family in table column order (points were validated when they were made)."""
    families = {point.family for point in points}
    by_family: dict[Family, Sequence[Point]]
    if len(families) == 1:
        by_family = {families.pop(): points}
    else:
        by_family = defaultdict(list)
        for point in points:
            by_family[point.family].append(point)  # type: ignore[attr-defined]
    for family, members in by_family.items():
        if definition(family).per_package:
            yield (
                family,
                [
                    (
                        ids[point.repo.key],
                        str(point.package),
                        point.epoch_seconds,
                        *point.ordered_values,
                        int(point.provenance),  # drivers bind an int faster than an IntEnum
                        point.source,
                    )
                    for point in members
                ],
            )
        else:
            yield (
                family,
                [
                    (
                        ids[point.repo.key],
                        point.epoch_seconds,
                        *point.ordered_values,
                        int(point.provenance),  # drivers bind an int faster than an IntEnum
                        point.source,
                    )
                    for point in members
                ],
            )


def _touched(points: Sequence[Point], ids: dict[str, int]) -> dict[SeriesKey, tuple[int, int]]:
    """The first and last moment written of each series in ``points``."""
    spans: dict[SeriesKey, tuple[int, int]] = {}
    for point in points:
        key = (
            point.family,
            ids[point.repo.key],
            None if point.package is None else str(point.package),
        )
        moment = point.epoch_seconds
        known = spans.get(key)
        spans[key] = (
            (moment, moment) if known is None else (min(known[0], moment), max(known[1], moment))
        )
    return spans


def check_package(family: Family, package: PackageRef | None) -> None:
    per_package = definition(family).per_package
    if per_package and package is None:
        raise InputError(f"{family.value} points belong to a package; name one")
    if not per_package and package is not None:
        raise InputError(f"{family.value} points belong to the repository, not to a package")
