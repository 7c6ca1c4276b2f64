"""The SQL store: SQLite (embedded default) and PostgreSQL through one SQLAlchemy Core table set.

Statements are built with SQLAlchemy Core. This module holds the store's lifecycle,
subjects and runs; points, recent stretches, backfill jobs and schedule slots live in the
``sql_*`` modules whose methods :class:`SqlStore` inherits.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, or_, select, update

from ossgrowth.errors import StoreError, StoreUnwritable
from ossgrowth.model import (
    Ecosystem,
    PackageRef,
    Provenance,
    RepoName,
    Run,
    RunStatus,
    Subject,
    from_epoch_seconds,
    to_epoch_seconds,
)
from ossgrowth.store import migrations, sql_backfill
from ossgrowth.store.engines import (
    WRITE_OPTION,
    create_store_engine,
    ensure_postgres_schema,
    is_unwritable,
    pinned_connection,
    pinned_reads,
    positional_sql,
    read_options,
    translated_errors,
)
from ossgrowth.store.sql_alerts import AlertTables
from ossgrowth.store.sql_backfill import BackfillQueue
from ossgrowth.store.sql_collections import CollectionTables
from ossgrowth.store.sql_points import PointTables
from ossgrowth.store.sql_recent import RecentStretches
from ossgrowth.store.sql_rollups import RollupTables
from ossgrowth.store.sql_slots import ScheduleSlots
from ossgrowth.store.sql_stargazers import StargazerDays
from ossgrowth.store.sql_values_at import ValuesAtMoments
from ossgrowth.store.tables import (
    ALERT_DELIVERIES_TABLE,
    ALERT_RULES_TABLE,
    BACKFILL_JOBS_TABLE,
    BACKFILL_PAGES_TABLE,
    FAMILY_TABLES,
    META_TABLE,
    PACKAGES_TABLE,
    ROLLUP_TABLES,
    RUNS_TABLE,
    SUBJECTS_TABLE,
    metadata,
)

__all__ = ["SqlStore"]

_PROVENANCE_BY_CODE = {member.value: member for member in Provenance}
_KEPT_BY_DELETE_ALL = (META_TABLE, ALERT_RULES_TABLE, ALERT_DELIVERIES_TABLE)
"""What emptying an environment keeps: its claim, and its alert rules with their delivery
history (configuration, not data; the history is also what keeps an event from being sent
twice)."""


def _subject_with_packages() -> Any:
    """A subject by ``repo_key`` with its packages, a row each (or one row of nulls)."""
    subjects, packages = SUBJECTS_TABLE.c, PACKAGES_TABLE.c
    return (
        select(
            subjects.owner,
            subjects.name,
            subjects.github_node_id,
            subjects.added_at,
            packages.ecosystem,
            packages.name,
        )
        .select_from(SUBJECTS_TABLE.outerjoin(PACKAGES_TABLE, packages.subject_id == subjects.id))
        .where(subjects.repo_key == bindparam("repo_key"))
        .order_by(packages.ecosystem, packages.name)
    )


_ENVIRONMENT_KEY = "environment"


class SqlStore(
    PointTables,
    RollupTables,
    RecentStretches,
    BackfillQueue,
    ScheduleSlots,
    CollectionTables,
    AlertTables,
    ValuesAtMoments,
    StargazerDays,
):
    """A :class:`~ossgrowth.store.base.Store` on SQLite or PostgreSQL."""

    def __init__(self, url: str, *, environment: str, schema: str | None = None) -> None:
        self._environment = environment
        self._schema = schema or environment
        self._engine: Engine = create_store_engine(url, schema=self._schema)
        self._read_engine = self._engine.execution_options(**read_options(self._engine))
        self._prepare_point_statements()
        self._recent_statements = {}
        self._values_at_statements = {}
        self._rollups_ready = False
        self._unwritable: str | None = None
        self._page_upsert = positional_sql(
            sql_backfill.page_upsert(self._engine.dialect.name), self._engine
        )
        self._subject_by_key = positional_sql(_subject_with_packages(), self._engine)

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

    @property
    def newest_revision(self) -> str:
        return migrations.HEAD_REVISION

    def close(self) -> None:
        self._engine.dispose()

    def ping(self) -> None:
        with translated_errors(self._engine), self._engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        if self._unwritable is not None:
            raise StoreUnwritable(
                f"the store answers but its last write was refused ({self._unwritable}); "
                "free disk space or make it writable"
            )

    def upgrade(self, progress: Callable[[int, int], None] | None = None) -> str:
        """Migrate to the newest revision, then build any rollups still missing (resumable).

        ``progress(done, total)`` is told of each series whose rollups were built.
        """
        with translated_errors(self._engine):
            if self._engine.dialect.name == "postgresql":
                ensure_postgres_schema(self._engine, self._schema)
            with self._writing() as connection:
                if self._engine.dialect.name == "postgresql":
                    connection.exec_driver_sql("SELECT pg_advisory_xact_lock(724242)")
                if migrations.current_revision(connection) != migrations.HEAD_REVISION:
                    migrations.upgrade(connection)
                self._claim_environment(connection)
        with translated_errors(self._engine):
            self.build_pending_rollups(progress)
        return migrations.HEAD_REVISION

    def schema_revision(self) -> str | None:
        """The schema revision the database is at; ``None`` when it was never migrated."""
        with translated_errors(self._engine), self._engine.connect() as connection:
            return migrations.current_revision(connection)

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
    def snapshot(self) -> Iterator[None]:
        """Within the block, every read of this store in this thread (or task) sees the data
        as it was at one moment, whatever is written meanwhile: one read-only transaction
        (REPEATABLE READ on PostgreSQL; on SQLite, WAL keeps the first read's snapshot).
        For a backup or an export that must hold together while collections go on."""
        if pinned_connection(self) is not None:
            yield  # inside another snapshot already: that one holds
            return
        with translated_errors(self._engine), self._engine.connect() as connection:
            if self._engine.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin(), pinned_reads(self, connection):
                connection.execute(select(META_TABLE.c.key).limit(1)).all()  # the moment
                yield

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A write transaction. A write refused because the store is full or read-only is
        remembered until a write succeeds: :meth:`ping` (``/ready``) reports it meanwhile."""
        try:
            with self._engine.connect() as connection:
                connection.execution_options(**{WRITE_OPTION: True})
                with connection.begin():
                    yield connection
        except Exception as error:
            if is_unwritable(error):
                self._unwritable = str(getattr(error, "orig", None) or error).splitlines()[0]
            raise
        self._unwritable = None

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A connection in autocommit: a read is one statement, no BEGIN/ROLLBACK round trips
        (inside :meth:`snapshot`, the snapshot's connection)."""
        pinned = pinned_connection(self)
        if pinned is not None:
            yield pinned
            return
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
        # Every API read of a repository starts here: one compiled statement on the driver,
        # as the series reads do, rather than two through SQLAlchemy's result machinery.
        rows = self._fetch(self._subject_by_key, (repo.key,))
        if not rows:
            return None
        owner, name, node_id, added_at = rows[0][:4]
        packages = tuple(
            PackageRef(Ecosystem(ecosystem), package)
            for *_, ecosystem, package in rows
            if ecosystem is not None
        )
        return Subject(
            repo=RepoName(owner, name),
            packages=packages,
            github_node_id=node_id,
            added_at=from_epoch_seconds(added_at),
        )

    def list_subjects(self) -> list[Subject]:
        with self._reading() as connection:
            return self._subjects(connection, None)

    def first_added_at(self) -> datetime | None:
        with self._reading() as connection:
            first = connection.execute(select(func.min(SUBJECTS_TABLE.c.added_at))).scalar()
        return None if first is None else from_epoch_seconds(int(first))

    def remove_subject(self, repo: RepoName) -> bool:
        with translated_errors(self._engine), self._writing() as connection:
            subject_id = self._subject_id(connection, repo)
            if subject_id is None:
                return False
            for table in (
                *ROLLUP_TABLES.values(),
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

    def list_runs(
        self,
        limit: int = 50,
        *,
        job: str | None = None,
        status: RunStatus | None = None,
        since: datetime | None = None,
    ) -> list[Run]:
        columns = RUNS_TABLE.c
        query = select(RUNS_TABLE).order_by(columns.started_at.desc(), columns.id.desc())
        if job is not None:
            parts = job.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "#%"
            query = query.where(or_(columns.job == job, columns.job.like(parts, escape="\\")))
        if status is not None:
            query = query.where(columns.status == status.value)
        if since is not None:
            query = query.where(columns.started_at >= to_epoch_seconds(since))
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
                if table in _KEPT_BY_DELETE_ALL:
                    continue
                deleted[table.name] = connection.execute(delete(table)).rowcount
        return deleted
