"""The SQL store: SQLite (embedded default) and PostgreSQL through one SQLAlchemy Core table set.

Statements are built with SQLAlchemy Core. The bulk write path compiles its upsert once per
family and hands rows to the driver's ``executemany`` as tuples, so a million points cost
little more than the raw driver does.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import Insert

from ossgrowth.errors import InputError, StoreError, StoreUnreachable
from ossgrowth.metrics.registry import definition
from ossgrowth.model import (
    Ecosystem,
    Family,
    PackageRef,
    Point,
    Provenance,
    RepoName,
    Run,
    RunStatus,
    Series,
    Subject,
    Value,
    from_epoch_seconds,
    to_epoch_seconds,
)
from ossgrowth.store import migrations, sql_backfill
from ossgrowth.store.engines import (
    WRITE_OPTION,
    create_store_engine,
    ensure_postgres_schema,
    read_options,
    translated_errors,
)
from ossgrowth.store.sql_backfill import BackfillQueue
from ossgrowth.store.sql_slots import ScheduleSlots
from ossgrowth.store.tables import (
    BACKFILL_JOBS_TABLE,
    BACKFILL_PAGES_TABLE,
    FAMILY_TABLES,
    META_TABLE,
    PACKAGES_TABLE,
    RUNS_TABLE,
    SUBJECTS_TABLE,
    metadata,
)

__all__ = ["SqlStore"]

_PROVENANCE_BY_CODE = {member.value: member for member in Provenance}
_ENVIRONMENT_KEY = "environment"


class SqlStore(BackfillQueue, ScheduleSlots):
    """A :class:`~ossgrowth.store.base.Store` on SQLite or PostgreSQL."""

    def __init__(self, url: str, *, environment: str, schema: str | None = None) -> None:
        self._environment = environment
        self._schema = schema or environment
        self._engine: Engine = create_store_engine(url, schema=self._schema)
        self._read_engine = self._engine.execution_options(**read_options(self._engine))
        self._upserts = {
            family: self._compile_upsert(table) for family, table in FAMILY_TABLES.items()
        }
        self._series_statements: dict[tuple[Family, bool, bool], str] = {}
        self._page_upsert = _positional_sql(
            sql_backfill.page_upsert(self._engine.dialect.name), self._engine
        )

    # lifecycle
    @property
    def environment(self) -> str:
        return self._environment

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def schema(self) -> str:
        """The PostgreSQL schema of this environment (unused on SQLite)."""
        return self._schema

    def close(self) -> None:
        self._engine.dispose()

    def ping(self) -> None:
        with translated_errors(self._engine), self._engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    def upgrade(self) -> str:
        with translated_errors(self._engine):
            if self._engine.dialect.name == "postgresql":
                ensure_postgres_schema(self._engine, self._schema)
            with self._writing() as connection:
                if self._engine.dialect.name == "postgresql":
                    connection.exec_driver_sql("SELECT pg_advisory_xact_lock(724242)")
                if migrations.current_revision(connection) != migrations.HEAD_REVISION:
                    migrations.upgrade(connection)
                self._claim_environment(connection)
        return migrations.HEAD_REVISION

    def is_current(self) -> bool:
        """Whether the schema exists at the newest revision and belongs to this environment."""
        with translated_errors(self._engine), self._engine.connect() as connection:
            if migrations.current_revision(connection) != migrations.HEAD_REVISION:
                return False
            self._check_environment(connection)
            return True

    def _claim_environment(self, connection: Connection) -> None:
        owner = self._check_environment(connection)
        if owner is None:
            connection.execute(
                insert(META_TABLE).values(key=_ENVIRONMENT_KEY, value=self._environment)
            )

    def _check_environment(self, connection: Connection) -> str | None:
        owner = connection.execute(
            select(META_TABLE.c.value).where(META_TABLE.c.key == _ENVIRONMENT_KEY)
        ).scalar_one_or_none()
        if owner is not None and owner != self._environment:
            raise StoreError(
                f"this store holds {owner!r} data, not {self._environment!r}; "
                "give each environment its own store"
            )
        return owner

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self._engine.connect() as connection:
            connection.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                yield connection

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A connection in autocommit: a read is one statement, no BEGIN/ROLLBACK round trips."""
        with translated_errors(self._engine), self._read_engine.connect() as connection:
            yield connection

    # subjects
    def add_subject(
        self, repo: RepoName, packages: Sequence[PackageRef], *, added_at: datetime
    ) -> Subject:
        with translated_errors(self._engine), self._writing() as connection:
            subject_id = self._subject_id(connection, repo)
            if subject_id is None:
                subject_id = connection.execute(
                    insert(SUBJECTS_TABLE)
                    .values(
                        owner=repo.owner,
                        name=repo.name,
                        repo_key=repo.key,
                        added_at=to_epoch_seconds(added_at),
                    )
                    .returning(SUBJECTS_TABLE.c.id)
                ).scalar_one()
            known = set(self._packages_of(connection, [subject_id])[subject_id])
            fresh = [package for package in dict.fromkeys(packages) if package not in known]
            if fresh:
                connection.execute(
                    insert(PACKAGES_TABLE),
                    [
                        {"subject_id": subject_id, "ecosystem": p.ecosystem.value, "name": p.name}
                        for p in fresh
                    ],
                )
            return self._subjects(connection, SUBJECTS_TABLE.c.id == subject_id)[0]

    def get_subject(self, repo: RepoName) -> Subject | None:
        with self._reading() as connection:
            found = self._subjects(connection, SUBJECTS_TABLE.c.repo_key == repo.key)
            return found[0] if found else None

    def list_subjects(self) -> list[Subject]:
        with self._reading() as connection:
            return self._subjects(connection, None)

    def remove_subject(self, repo: RepoName) -> bool:
        with translated_errors(self._engine), self._writing() as connection:
            subject_id = self._subject_id(connection, repo)
            if subject_id is None:
                return False
            for table in (
                *FAMILY_TABLES.values(),
                PACKAGES_TABLE,
                BACKFILL_PAGES_TABLE,
                BACKFILL_JOBS_TABLE,
            ):
                connection.execute(delete(table).where(table.c.subject_id == subject_id))
            connection.execute(delete(SUBJECTS_TABLE).where(SUBJECTS_TABLE.c.id == subject_id))
            return True

    def set_identity(self, repo: RepoName, *, node_id: str, current: RepoName) -> Subject:
        with translated_errors(self._engine), self._writing() as connection:
            subject_id = self._subject_id(connection, repo)
            if subject_id is None:
                raise StoreError(f"{repo} is not tracked")
            taken = self._subject_id(connection, current)
            if taken is not None and taken != subject_id:
                raise StoreError(f"{current} is tracked already; untrack one of the two first")
            connection.execute(
                update(SUBJECTS_TABLE)
                .where(SUBJECTS_TABLE.c.id == subject_id)
                .values(
                    github_node_id=node_id,
                    owner=current.owner,
                    name=current.name,
                    repo_key=current.key,
                )
            )
            return self._subjects(connection, SUBJECTS_TABLE.c.id == subject_id)[0]

    def _subject_id(self, connection: Connection, repo: RepoName) -> int | None:
        return connection.execute(
            select(SUBJECTS_TABLE.c.id).where(SUBJECTS_TABLE.c.repo_key == repo.key)
        ).scalar_one_or_none()

    def _packages_of(
        self, connection: Connection, subject_ids: Sequence[int] | None
    ) -> defaultdict[int, list[PackageRef]]:
        query = select(PACKAGES_TABLE).order_by(PACKAGES_TABLE.c.ecosystem, PACKAGES_TABLE.c.name)
        if subject_ids is not None:
            query = query.where(PACKAGES_TABLE.c.subject_id.in_(subject_ids))
        found: defaultdict[int, list[PackageRef]] = defaultdict(list)
        for row in connection.execute(query):
            found[row.subject_id].append(PackageRef(Ecosystem(row.ecosystem), row.name))
        return found

    def _subjects(self, connection: Connection, condition: Any) -> list[Subject]:
        query = select(SUBJECTS_TABLE).order_by(SUBJECTS_TABLE.c.repo_key)
        if condition is not None:
            query = query.where(condition)
        rows = connection.execute(query).all()
        packages = self._packages_of(
            connection, [row.id for row in rows] if condition is not None else None
        )
        return [
            Subject(
                repo=RepoName(row.owner, row.name),
                packages=tuple(packages[row.id]),
                github_node_id=row.github_node_id,
                added_at=from_epoch_seconds(row.added_at),
            )
            for row in rows
        ]

    # points
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
        sql = _positional_sql(upsert, self._engine)
        return sql

    def write_points(self, points: Iterable[Point]) -> int:
        batch = points if isinstance(points, list) else list(points)
        if not batch:
            return 0
        with translated_errors(self._engine), self._writing() as connection:
            self._upsert_points(connection, batch)
        return len(batch)

    def _upsert_points(self, connection: Connection, batch: Sequence[Point]) -> None:
        if not batch:
            return
        ids = self._ids_by_key(connection, {point.repo.key for point in batch})
        for family, rows in _group(batch, ids):
            connection.exec_driver_sql(self._upserts[family], rows)

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

    def read_series(
        self,
        repo: RepoName,
        family: Family,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        package: PackageRef | None = None,
    ) -> Series:
        _check_package(family, package)
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
        for attempt in (1, 2):
            try:
                with translated_errors(self._engine):
                    return self._fetch_once(sql, parameters)
            except StoreUnreachable:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _fetch_once(self, sql: str, parameters: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        connection = self._engine.raw_connection()
        postgres = self._engine.dialect.name == "postgresql"
        try:
            driver = connection.driver_connection
            if postgres:
                driver.autocommit = True  # type: ignore[union-attr]
            cursor = connection.cursor()
            try:
                cursor.execute(sql, parameters)
                return list(cursor.fetchall())
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
        sql = _positional_sql(query, self._engine)
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
                package=_parse_package_key(record["package"]) if row.per_package else None,
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

    # runs
    def record_run(self, run: Run) -> Run:
        values = {
            "job": run.job,
            "environment": run.environment,
            "started_at": to_epoch_seconds(run.started_at),
            "finished_at": None if run.finished_at is None else to_epoch_seconds(run.finished_at),
            "status": run.status.value,
            "counts": json.dumps(dict(run.counts), sort_keys=True),
            "error": run.error,
            "requests_spent": run.requests_spent,
        }
        with translated_errors(self._engine), self._writing() as connection:
            if run.id is None:
                run_id = connection.execute(
                    insert(RUNS_TABLE).values(**values).returning(RUNS_TABLE.c.id)
                ).scalar_one()
            else:
                run_id = run.id
                changed = connection.execute(
                    update(RUNS_TABLE).where(RUNS_TABLE.c.id == run_id).values(**values)
                ).rowcount
                if changed == 0:
                    raise StoreError(f"run {run_id} does not exist")
        return replace(run, id=run_id)

    def list_runs(self, limit: int = 50) -> list[Run]:
        query = select(RUNS_TABLE).order_by(RUNS_TABLE.c.started_at.desc(), RUNS_TABLE.c.id.desc())
        with self._reading() as connection:
            rows = connection.execute(query.limit(limit)).mappings().all()
        return [
            Run(
                id=row["id"],
                job=row["job"],
                environment=row["environment"],
                started_at=from_epoch_seconds(row["started_at"]),
                finished_at=None
                if row["finished_at"] is None
                else from_epoch_seconds(row["finished_at"]),
                status=RunStatus(row["status"]),
                counts=json.loads(row["counts"]),
                error=row["error"],
                requests_spent=row["requests_spent"],
            )
            for row in rows
        ]

    # whole environment
    def delete_all(self) -> dict[str, int]:
        deleted: dict[str, int] = {}
        with translated_errors(self._engine), self._writing() as connection:
            for table in reversed(metadata.sorted_tables):
                if table is META_TABLE:
                    continue
                deleted[table.name] = connection.execute(delete(table)).rowcount
        return deleted


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


def _positional_sql(statement: Any, engine: Engine) -> str:
    """Compile ``statement`` for ``engine``'s driver with positional parameters in bind order.

    The order is the order in which bind parameters appear in the statement; callers pass their
    values in that order.
    """
    dialect = engine.dialect
    compiled = statement.compile(dialect=dialect)
    if compiled.positiontup is not None:  # qmark / format paramstyles are positional already
        return str(compiled)
    names = list(compiled.binds)
    sql = str(compiled)
    positions = sorted(names, key=lambda name: sql.index(f"%({name})s"))
    if positions != names:
        raise StoreError(f"bind parameters out of order in: {sql}")
    return sql % {name: "%s" for name in names}


def _check_package(family: Family, package: PackageRef | None) -> None:
    per_package = definition(family).per_package
    if per_package and package is None:
        raise InputError(f"{family.value} points belong to a package; name one")
    if not per_package and package is not None:
        raise InputError(f"{family.value} points belong to the repository, not to a package")


def _parse_package_key(text: str) -> PackageRef:
    ecosystem, _, name = text.partition(":")
    return PackageRef(Ecosystem(ecosystem), name)
