"""Scheduled collection slots in the SQL store; :class:`SqlStore` inherits these methods.

A slot is taken by inserting its row: the primary key (job, slot) lets exactly one of the
runners that try at once succeed, on SQLite and PostgreSQL alike, with no lock held while the
collection runs.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from ossgrowth.model import from_epoch_seconds, to_epoch_seconds
from ossgrowth.store.engines import translated_errors
from ossgrowth.store.tables import SCHEDULE_SLOTS_TABLE

__all__ = ["ScheduleSlots"]

_SLOTS = SCHEDULE_SLOTS_TABLE


class ScheduleSlots:
    """The schedule methods of :class:`~ossgrowth.store.sql.SqlStore` (see ``Store``)."""

    _engine: Engine

    if TYPE_CHECKING:  # provided by SqlStore

        def _writing(self) -> AbstractContextManager[Connection]: ...

        def _reading(self) -> AbstractContextManager[Connection]: ...

    def claim_slot(self, job: str, slot: datetime, *, owner: str, now: datetime) -> bool:
        builder = postgresql.Insert if self._engine.dialect.name == "postgresql" else sqlite.Insert
        statement = (
            builder(_SLOTS)
            .values(
                job=job,
                slot=to_epoch_seconds(slot),
                owner=owner,
                claimed_at=to_epoch_seconds(now),
            )
            .on_conflict_do_nothing(index_elements=["job", "slot"])
            .returning(_SLOTS.c.slot)  # a row back only when this insert landed
        )
        with translated_errors(self._engine), self._writing() as connection:
            return connection.execute(statement).first() is not None

    def release_slot(self, job: str, slot: datetime, *, owner: str) -> None:
        with translated_errors(self._engine), self._writing() as connection:
            connection.execute(
                delete(_SLOTS).where(
                    _SLOTS.c.job == job,
                    _SLOTS.c.slot == to_epoch_seconds(slot),
                    _SLOTS.c.owner == owner,
                )
            )

    def latest_slot_taken(self, job: str) -> datetime | None:
        with self._reading() as connection:
            latest = connection.execute(
                select(func.max(_SLOTS.c.slot)).where(_SLOTS.c.job == job)
            ).scalar()
        return None if latest is None else from_epoch_seconds(int(latest))
