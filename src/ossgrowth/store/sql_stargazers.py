"""The stargazers' account ages by day in the SQL store; :class:`SqlStore` inherits these
methods.

One row of ``stargazer_days`` per (subject, UTC day with a listed star): the stars the
stargazer list showed for that day and how many came from accounts created within 30 days
before starring (:mod:`ossgrowth.metrics.unusual`). Untracking a repository deletes its rows
by the foreign key's cascade.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from ossgrowth.errors import StoreError
from ossgrowth.metrics.unusual import StargazerDay
from ossgrowth.model import RepoName, from_epoch_seconds
from ossgrowth.store.engines import translated_errors
from ossgrowth.store.tables import STARGAZER_DAYS_TABLE, SUBJECTS_TABLE

__all__ = ["StargazerDays", "day_seconds"]

_DAYS = STARGAZER_DAYS_TABLE.c
_BATCH_ROWS = 500


def day_seconds(day: date) -> int:
    """Epoch seconds of 00:00 UTC of ``day``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


class StargazerDays:
    """The stargazer account-age methods of :class:`~ossgrowth.store.sql.SqlStore`."""

    _engine: Engine

    if TYPE_CHECKING:  # provided by SqlStore

        def _writing(self) -> AbstractContextManager[Connection]: ...

        def _reading(self) -> AbstractContextManager[Connection]: ...

    def write_stargazer_days(self, repo: RepoName, days: Sequence[StargazerDay]) -> int:
        builder = postgresql.Insert if self._engine.dialect.name == "postgresql" else sqlite.Insert
        with translated_errors(self._engine), self._writing() as connection:
            subject_id = connection.execute(
                select(SUBJECTS_TABLE.c.id).where(SUBJECTS_TABLE.c.repo_key == repo.key)
            ).scalar_one_or_none()
            if subject_id is None:
                raise StoreError(f"{repo} is not tracked")
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
                statement = builder(STARGAZER_DAYS_TABLE).values(rows[start : start + _BATCH_ROWS])
                connection.execute(
                    statement.on_conflict_do_update(
                        index_elements=["subject_id", "day"],
                        set_={
                            "listed": statement.excluded.listed,
                            "new_accounts": statement.excluded.new_accounts,
                        },
                    )
                )
        return len(rows)

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
