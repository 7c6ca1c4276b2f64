"""Backfill jobs and page checkpoints in the SQL store; :class:`SqlStore` calls these.

Each function works on a connection inside the caller's transaction, so a page and its cursor,
or a job's points and its completion, are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ossgrowth.checkpoints import BackfillJob, BackfillStatus, PageCheckpoint
from ossgrowth.clock import utc
from ossgrowth.errors import InputError
from ossgrowth.metrics.history import day_of, midnight_seconds
from ossgrowth.model import Family, Point, RepoName, from_epoch_seconds, to_epoch_seconds
from ossgrowth.store.engines import translated_errors
from ossgrowth.store.tables import BACKFILL_JOBS_TABLE, BACKFILL_PAGES_TABLE, SUBJECTS_TABLE

__all__ = [
    "BackfillQueue",
    "claim",
    "enqueue",
    "epoch_ms",
    "finish",
    "jobs",
    "page_upsert",
    "pages",
    "release",
    "save_page",
]

_JOBS, _PAGES = BACKFILL_JOBS_TABLE, BACKFILL_PAGES_TABLE


def _insert(connection: Connection) -> type[postgresql.Insert] | type[sqlite.Insert]:
    return postgresql.Insert if connection.dialect.name == "postgresql" else sqlite.Insert


def enqueue(
    connection: Connection,
    subject_id: int,
    families: Sequence[Family],
    *,
    enqueued_at: datetime,
    since: date | None,
    keep_done: bool = False,
) -> None:
    """Queue each family; a queued or failed job keeps its pages and so resumes; with
    ``keep_done``, a job that is done stays done (decided in the statement, so a job a runner
    finishes meanwhile is not queued again)."""
    builder = _insert(connection)
    for family in families:
        values = {
            "subject_id": subject_id,
            "family": family.value,
            "status": BackfillStatus.QUEUED.value,
            "since": None if since is None else midnight_seconds(since),
            "enqueued_at": to_epoch_seconds(enqueued_at),
            "finished_at": None,
            "method": None,
            "message": None,
        }
        statement = builder(_JOBS).values(**values)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["subject_id", "family"],
                set_={
                    k: statement.excluded[k] for k in values if k not in ("subject_id", "family")
                },
                where=_JOBS.c.status != BackfillStatus.DONE.value if keep_done else None,
            )
        )


def jobs(
    connection: Connection, status: BackfillStatus | None, subject_id: int | None = None
) -> list[BackfillJob]:
    """Jobs (of one status, of one subject), oldest first."""
    query = (
        select(_JOBS, SUBJECTS_TABLE.c.owner, SUBJECTS_TABLE.c.name)
        .join(SUBJECTS_TABLE, SUBJECTS_TABLE.c.id == _JOBS.c.subject_id)
        .order_by(_JOBS.c.enqueued_at, SUBJECTS_TABLE.c.repo_key, _JOBS.c.family)
    )
    if status is not None:
        query = query.where(_JOBS.c.status == status.value)
    if subject_id is not None:
        query = query.where(_JOBS.c.subject_id == subject_id)
    return [
        BackfillJob(
            repo=RepoName(row.owner, row.name),
            family=Family(row.family),
            status=BackfillStatus(row.status),
            enqueued_at=from_epoch_seconds(row.enqueued_at),
            since=None if row.since is None else day_of(row.since),
            finished_at=None if row.finished_at is None else from_epoch_seconds(row.finished_at),
            method=row.method,
            message=row.message,
            lease_owner=row.lease_owner,
            leased_until=None
            if row.lease_expires_ms is None
            else datetime.fromtimestamp(row.lease_expires_ms / 1000, UTC),
        )
        for row in connection.execute(query)
    ]


def claim(
    connection: Connection,
    subject_id: int,
    family: Family,
    *,
    owner: str,
    now: datetime,
    until: datetime,
) -> bool:
    """Take or renew ``owner``'s lease on a queued job; ``False`` when another holds it."""
    free = or_(
        _JOBS.c.lease_owner.is_(None),
        _JOBS.c.lease_owner == owner,
        _JOBS.c.lease_expires_ms <= epoch_ms(now),
    )
    taken = connection.execute(
        update(_JOBS)
        .where(
            _JOBS.c.subject_id == subject_id,
            _JOBS.c.family == family.value,
            _JOBS.c.status == BackfillStatus.QUEUED.value,
            free,
        )
        .values(lease_owner=owner, lease_expires_ms=epoch_ms(until))
    )
    return taken.rowcount == 1


def epoch_ms(moment: datetime) -> int:
    """Lease ends are kept in milliseconds: a lease may be shorter than a second (tests)."""
    return round(utc(moment).timestamp() * 1000)


def release(connection: Connection, subject_id: int, family: Family, *, owner: str) -> None:
    """End ``owner``'s lease on a job (if it still holds it); the job stays as it is."""
    connection.execute(
        update(_JOBS)
        .where(
            _JOBS.c.subject_id == subject_id,
            _JOBS.c.family == family.value,
            _JOBS.c.lease_owner == owner,
        )
        .values(lease_owner=None, lease_expires_ms=None)
    )


def page_upsert(dialect_name: str) -> Any:
    """The statement that keeps a page (again: replaced), binds in ``_PAGES`` column order.

    :class:`SqlStore` compiles it once; :func:`save_page` hands the driver a tuple.
    """
    builder = postgresql.Insert if dialect_name == "postgresql" else sqlite.Insert
    statement = builder(_PAGES)
    return statement.on_conflict_do_update(
        index_elements=["subject_id", "family", "stream", "page"],
        set_={
            "next_cursor": statement.excluded.next_cursor,
            "payload": statement.excluded.payload,
        },
    )


def save_page(connection: Connection, sql: str, subject_id: int, page: PageCheckpoint) -> None:
    """Keep one fetched page and the cursor after it, with the compiled :func:`page_upsert`."""
    row = (subject_id, page.family.value, page.stream, page.page, page.next_cursor, page.payload)
    connection.exec_driver_sql(sql, row)


def pages(
    connection: Connection, subject_id: int, repo: RepoName, family: Family
) -> list[PageCheckpoint]:
    """Every stored page of a job, by stream and page."""
    query = (
        select(_PAGES)
        .where(_PAGES.c.subject_id == subject_id, _PAGES.c.family == family.value)
        .order_by(_PAGES.c.stream, _PAGES.c.page)
    )
    return [
        PageCheckpoint(repo, family, row.stream, row.page, row.next_cursor, row.payload)
        for row in connection.execute(query)
    ]


def finish(
    connection: Connection,
    subject_id: int,
    family: Family,
    *,
    status: BackfillStatus,
    finished_at: datetime,
    method: str | None,
    message: str | None,
) -> None:
    """Record a job's outcome; a done job's pages are dropped (its points are stored)."""
    if status is BackfillStatus.DONE:
        connection.execute(
            delete(_PAGES).where(_PAGES.c.subject_id == subject_id, _PAGES.c.family == family.value)
        )
    connection.execute(
        update(_JOBS)
        .where(_JOBS.c.subject_id == subject_id, _JOBS.c.family == family.value)
        .values(
            status=status.value,
            finished_at=to_epoch_seconds(finished_at),
            method=method,
            message=message,
            lease_owner=None,
            lease_expires_ms=None,
        )
    )


class BackfillQueue:
    """The backfill methods of :class:`~ossgrowth.store.sql.SqlStore` (see ``Store``)."""

    _engine: Engine
    _page_upsert: str
    """:func:`page_upsert` compiled for the store's driver."""

    if TYPE_CHECKING:  # provided by SqlStore

        def _writing(self) -> AbstractContextManager[Connection]: ...

        def _reading(self) -> AbstractContextManager[Connection]: ...

        def _subject_id(self, connection: Connection, repo: RepoName) -> int | None: ...

        def _upsert_points(self, connection: Connection, batch: Sequence[Point]) -> None: ...

    def enqueue_backfill(
        self,
        repo: RepoName,
        families: Sequence[Family],
        *,
        enqueued_at: datetime,
        since: date | None = None,
        keep_done: bool = False,
    ) -> list[BackfillJob]:
        with translated_errors(self._engine), self._writing() as connection:
            subject_id = self._tracked_id(connection, repo)
            enqueue(
                connection,
                subject_id,
                families,
                enqueued_at=enqueued_at,
                since=since,
                keep_done=keep_done,
            )
        wanted = {family for family in families}
        return [job for job in self.backfill_jobs(repo=repo) if job.family in wanted]

    def backfill_jobs(
        self, status: BackfillStatus | None = None, *, repo: RepoName | None = None
    ) -> list[BackfillJob]:
        with self._reading() as connection:
            if repo is None:
                return jobs(connection, status)
            subject_id = self._subject_id(connection, repo)
            return [] if subject_id is None else jobs(connection, status, subject_id)

    def count_backfill_pages(self, repo: RepoName) -> dict[Family, int]:
        with self._reading() as connection:
            subject_id = self._subject_id(connection, repo)
            if subject_id is None:
                return {}
            query = (
                select(_PAGES.c.family, func.count())
                .where(_PAGES.c.subject_id == subject_id)
                .group_by(_PAGES.c.family)
            )
            return {Family(family): count for family, count in connection.execute(query)}

    def save_backfill_page(self, page: PageCheckpoint) -> None:
        with translated_errors(self._engine), self._writing() as connection:
            subject_id = self._tracked_id(connection, page.repo)
            save_page(connection, self._page_upsert, subject_id, page)

    def backfill_pages(self, repo: RepoName, family: Family) -> list[PageCheckpoint]:
        with self._reading() as connection:
            subject_id = self._subject_id(connection, repo)
            if subject_id is None:
                return []
            return pages(connection, subject_id, repo, family)

    def finish_backfill(
        self,
        repo: RepoName,
        family: Family,
        points: Sequence[Point],
        *,
        status: BackfillStatus,
        finished_at: datetime,
        method: str | None = None,
        message: str | None = None,
    ) -> None:
        with translated_errors(self._engine), self._writing() as connection:
            subject_id = self._tracked_id(connection, repo)
            self._upsert_points(connection, points)
            finish(
                connection,
                subject_id,
                family,
                status=status,
                finished_at=finished_at,
                method=method,
                message=message,
            )

    def claim_backfill(
        self, repo: RepoName, family: Family, *, owner: str, now: datetime, until: datetime
    ) -> bool:
        with translated_errors(self._engine), self._writing() as connection:
            subject_id = self._subject_id(connection, repo)
            if subject_id is None:
                return False
            return claim(connection, subject_id, family, owner=owner, now=now, until=until)

    def release_backfill(self, repo: RepoName, family: Family, *, owner: str) -> None:
        with translated_errors(self._engine), self._writing() as connection:
            subject_id = self._subject_id(connection, repo)
            if subject_id is not None:
                release(connection, subject_id, family, owner=owner)

    def _tracked_id(self, connection: Connection, repo: RepoName) -> int:
        subject_id = self._subject_id(connection, repo)
        if subject_id is None:
            raise InputError(f"{repo} is not tracked; track it with: ossgrowth track {repo}")
        return subject_id
