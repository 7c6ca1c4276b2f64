"""The stargazers' account ages by day in the SQL store; :class:`SqlStore` inherits these
methods.

One row of ``stargazer_days`` per (subject, UTC day with a listed star): the stars the
stargazer list showed for that day and how many came from accounts created within 30 days
before starring (:mod:`ossgrowth.metrics.unusual`). One row of ``stargazer_reads`` per
repository whose list is followed: the newest ``starredAt`` those counts hold (its *mark*)
and the star count seen before the read that set it (``stars_seen``). A collection adds the
counts of newer stars with a conditional update of the mark in the same transaction, so two
writers starting from one mark add once. Untracking a repository deletes its rows by the
foreign keys' cascade.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, Engine, Table, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ossgrowth.errors import StoreError
from ossgrowth.metrics.unusual import StargazerDay
from ossgrowth.model import RepoName, from_epoch_seconds, to_epoch_seconds
from ossgrowth.store.base import STARGAZER_DAYS_PER_ADD, StargazerMark
from ossgrowth.store.engines import translated_errors
from ossgrowth.store.tables import STARGAZER_DAYS_TABLE, STARGAZER_READS_TABLE, SUBJECTS_TABLE

__all__ = ["StargazerDays", "check_added_days", "day_seconds"]

_DAYS = STARGAZER_DAYS_TABLE.c
_READS = STARGAZER_READS_TABLE.c
_BATCH_ROWS = 500
_KEYS_PER_QUERY = 500


def day_seconds(day: date) -> int:
    """Epoch seconds of 00:00 UTC of ``day``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def check_added_days(days: Sequence[StargazerDay], after: datetime, through: datetime) -> None:
    """Refuse what no backend may add (see ``Store.add_stargazer_days``).

    Raises:
        ValueError: ``through`` not after ``after``, or more days than one add takes.
    """
    if through <= after:
        raise ValueError("the new mark must be after the old one")
    if len({row.day for row in days}) != len(days):
        raise ValueError("each day may be added once")
    if len(days) > STARGAZER_DAYS_PER_ADD:
        raise ValueError(f"at most {STARGAZER_DAYS_PER_ADD} days are added at once")


class StargazerDays:
    """The stargazer account-age methods of :class:`~ossgrowth.store.sql.SqlStore`."""

    _engine: Engine

    if TYPE_CHECKING:  # provided by SqlStore

        def _writing(self) -> AbstractContextManager[Connection]: ...

        def _reading(self) -> AbstractContextManager[Connection]: ...

        def _subject_id(self, connection: Connection, repo: RepoName) -> int | None: ...

    def write_stargazer_days(
        self,
        repo: RepoName,
        days: Sequence[StargazerDay],
        *,
        read_through: datetime | None = None,
    ) -> int:
        with translated_errors(self._engine), self._writing() as connection:
            subject_id = self._stargazers_subject_id(connection, repo)
            self._upsert_stargazer_days(connection, subject_id, days, adding=False)
            if read_through is not None:
                mark = to_epoch_seconds(read_through)
                statement = self._stargazers_insert(STARGAZER_READS_TABLE).values(
                    subject_id=subject_id, read_through=mark
                )
                connection.execute(
                    statement.on_conflict_do_update(
                        index_elements=["subject_id"],
                        set_={  # a later mark already kept stays
                            "read_through": case(
                                (_READS.read_through > mark, _READS.read_through), else_=mark
                            )
                        },
                    )
                )
        return len(days)

    def add_stargazer_days(
        self,
        repo: RepoName,
        days: Sequence[StargazerDay],
        *,
        after: datetime,
        through: datetime,
        stars_seen: int | None = None,
    ) -> bool:
        check_added_days(days, after, through)
        with translated_errors(self._engine), self._writing() as connection:
            subject_id = self._stargazers_subject_id(connection, repo)
            moved = connection.execute(
                update(STARGAZER_READS_TABLE)
                .where(
                    _READS.subject_id == subject_id,
                    _READS.read_through == to_epoch_seconds(after),
                )
                .values(read_through=to_epoch_seconds(through), stars_seen=stars_seen)
            ).rowcount
            if moved != 1:
                return False
            self._upsert_stargazer_days(connection, subject_id, days, adding=True)
        return True

    def keep_stars_seen(self, repo: RepoName, stars_seen: int, *, read_through: datetime) -> bool:
        with translated_errors(self._engine), self._writing() as connection:
            subject_id = self._stargazers_subject_id(connection, repo)
            kept = connection.execute(
                update(STARGAZER_READS_TABLE)
                .where(
                    _READS.subject_id == subject_id,
                    _READS.read_through == to_epoch_seconds(read_through),
                )
                .values(stars_seen=stars_seen)
            ).rowcount
        return bool(kept == 1)

    def stargazer_marks(self, repos: Sequence[RepoName]) -> dict[str, StargazerMark]:
        keys = sorted({repo.key for repo in repos})
        marks: dict[str, StargazerMark] = {}
        with self._reading() as connection:
            for start in range(0, len(keys), _KEYS_PER_QUERY):
                rows = connection.execute(
                    select(SUBJECTS_TABLE.c.repo_key, _READS.read_through, _READS.stars_seen)
                    .join(SUBJECTS_TABLE, SUBJECTS_TABLE.c.id == _READS.subject_id)
                    .where(SUBJECTS_TABLE.c.repo_key.in_(keys[start : start + _KEYS_PER_QUERY]))
                ).all()
                marks.update(
                    (key, StargazerMark(from_epoch_seconds(mark), seen)) for key, mark, seen in rows
                )
        return marks

    def stargazers_read_through(self, repos: Sequence[RepoName]) -> dict[str, datetime]:
        return {key: mark.read_through for key, mark in self.stargazer_marks(repos).items()}

    def stop_stargazer_reads(self, repo: RepoName) -> None:
        with translated_errors(self._engine), self._writing() as connection:
            subject_id = self._subject_id(connection, repo)
            if subject_id is not None:
                connection.execute(
                    delete(STARGAZER_READS_TABLE).where(_READS.subject_id == subject_id)
                )

    def read_stargazer_days(
        self, repo: RepoName, *, first: date | None = None, last: date | None = None
    ) -> list[StargazerDay]:
        query = (
            select(_DAYS.day, _DAYS.listed, _DAYS.new_accounts)
            .join(SUBJECTS_TABLE, SUBJECTS_TABLE.c.id == _DAYS.subject_id)
            .where(SUBJECTS_TABLE.c.repo_key == repo.key)
            .order_by(_DAYS.day)
        )
        if first is not None:
            query = query.where(_DAYS.day >= day_seconds(first))
        if last is not None:
            query = query.where(_DAYS.day <= day_seconds(last))
        with self._reading() as connection:
            rows = connection.execute(query).all()
        return [
            StargazerDay(from_epoch_seconds(day).date(), listed, new_accounts)
            for day, listed, new_accounts in rows
        ]

    def _stargazers_subject_id(self, connection: Connection, repo: RepoName) -> int:
        subject_id = self._subject_id(connection, repo)
        if subject_id is None:
            raise StoreError(f"{repo} is not tracked")
        return subject_id

    def _stargazers_insert(self, table: Table) -> postgresql.Insert | sqlite.Insert:
        if self._engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def _upsert_stargazer_days(
        self,
        connection: Connection,
        subject_id: int,
        days: Sequence[StargazerDay],
        *,
        adding: bool,
    ) -> None:
        """Write ``days``: a day kept already gets the counts (``adding``: its counts plus
        these)."""
        rows = [
            {
                "subject_id": subject_id,
                "day": day_seconds(row.day),
                "listed": row.listed,
                "new_accounts": row.new_accounts,
            }
            for row in days
        ]
        for start in range(0, len(rows), _BATCH_ROWS):
            statement = self._stargazers_insert(STARGAZER_DAYS_TABLE).values(
                rows[start : start + _BATCH_ROWS]
            )
            counts: dict[str, ColumnElement[Any]] = {
                "listed": statement.excluded.listed,
                "new_accounts": statement.excluded.new_accounts,
            }
            if adding:
                counts = {name: _DAYS[name] + value for name, value in counts.items()}
            connection.execute(
                statement.on_conflict_do_update(index_elements=["subject_id", "day"], set_=counts)
            )
