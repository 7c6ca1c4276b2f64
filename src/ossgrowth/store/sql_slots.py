"""Scheduled collection slots in the SQL store; :class:`SqlStore` inherits these methods.

A slot is taken by inserting its row: the primary key (job, slot) lets exactly one of the
runners that try at once succeed, on SQLite and PostgreSQL alike, with no lock held while the
collection runs. The row carries a lease its runner renews; a slot neither finished nor
renewed in time (its runner was killed) is taken over by the same statement's update branch.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Connection, Engine, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ossgrowth.model import SlotClaim, from_epoch_seconds, to_epoch_seconds
from ossgrowth.store.engines import translated_errors
from ossgrowth.store.sql_backfill import epoch_ms
from ossgrowth.store.tables import SCHEDULE_SLOTS_TABLE

__all__ = ["ScheduleSlots"]

_SLOTS = SCHEDULE_SLOTS_TABLE


class ScheduleSlots:
    """The schedule methods of :class:`~ossgrowth.store.sql.SqlStore` (see ``Store``)."""

    _engine: Engine

    if TYPE_CHECKING:  # provided by SqlStore

        def _writing(self) -> AbstractContextManager[Connection]: ...

        def _reading(self) -> AbstractContextManager[Connection]: ...

    def claim_slot(
        self, job: str, slot: datetime, *, owner: str, now: datetime, until: datetime
    ) -> bool:
        builder = postgresql.Insert if self._engine.dialect.name == "postgresql" else sqlite.Insert
        statement = builder(_SLOTS).values(
            job=job,
            slot=to_epoch_seconds(slot),
            owner=owner,
            claimed_at=to_epoch_seconds(now),
            lease_expires_ms=epoch_ms(until),
            finished_at=None,
        )
        abandoned = and_(
            _SLOTS.c.finished_at.is_(None),
            or_(_SLOTS.c.lease_expires_ms.is_(None), _SLOTS.c.lease_expires_ms <= epoch_ms(now)),
        )
        taking = statement.on_conflict_do_update(
            index_elements=["job", "slot"],
            set_={
                "owner": statement.excluded.owner,
                "claimed_at": statement.excluded.claimed_at,
                "lease_expires_ms": statement.excluded.lease_expires_ms,
            },
            where=abandoned,
        ).returning(_SLOTS.c.slot)  # a row back only when this runner got the slot
        with translated_errors(self._engine), self._writing() as connection:
            return connection.execute(taking).first() is not None

    def renew_slot(self, job: str, slot: datetime, *, owner: str, until: datetime) -> bool:
        with translated_errors(self._engine), self._writing() as connection:
            renewed = connection.execute(
                update(_SLOTS)
                .where(*_mine(job, slot, owner), _SLOTS.c.finished_at.is_(None))
                .values(lease_expires_ms=epoch_ms(until))
            )
            return renewed.rowcount == 1

    def finish_slot(self, job: str, slot: datetime, *, owner: str, now: datetime) -> None:
        with translated_errors(self._engine), self._writing() as connection:
            connection.execute(
                update(_SLOTS)
                .where(*_mine(job, slot, owner))
                .values(finished_at=to_epoch_seconds(now), lease_expires_ms=None)
            )

    def release_slot(self, job: str, slot: datetime, *, owner: str) -> None:
        with translated_errors(self._engine), self._writing() as connection:
            connection.execute(delete(_SLOTS).where(*_mine(job, slot, owner)))

    def latest_slot_taken(self, job: str) -> datetime | None:
        with self._reading() as connection:
            latest = connection.execute(
                select(func.max(_SLOTS.c.slot)).where(  # the slot's own row, or its parts'
                    or_(_SLOTS.c.job == job, _SLOTS.c.job.startswith(f"{job}#", autoescape=True))
                )
            ).scalar()
        return None if latest is None else from_epoch_seconds(int(latest))

    def slot_claims(self, job: str, slot: datetime) -> list[SlotClaim]:
        query = (
            select(_SLOTS)
            .where(
                or_(_SLOTS.c.job == job, _SLOTS.c.job.startswith(f"{job}#", autoescape=True)),
                _SLOTS.c.slot == to_epoch_seconds(slot),
            )
            .order_by(_SLOTS.c.job)
        )
        with self._reading() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            SlotClaim(
                job=row["job"],
                slot=from_epoch_seconds(row["slot"]),
                owner=row["owner"],
                claimed_at=from_epoch_seconds(row["claimed_at"]),
                lease_until=None
                if row["lease_expires_ms"] is None
                else datetime.fromtimestamp(row["lease_expires_ms"] / 1000, UTC),
                finished_at=None
                if row["finished_at"] is None
                else from_epoch_seconds(row["finished_at"]),
            )
            for row in rows
        ]


def _mine(job: str, slot: datetime, owner: str) -> tuple[ColumnElement[bool], ...]:
    return (
        _SLOTS.c.job == job,
        _SLOTS.c.slot == to_epoch_seconds(slot),
        _SLOTS.c.owner == owner,
    )
