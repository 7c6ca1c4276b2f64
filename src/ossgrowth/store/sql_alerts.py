"""Alert rules and the outbox of their deliveries in the SQL store; :class:`SqlStore` inherits
these methods.

An event goes into ``alert_deliveries`` in the transaction of the points that raised it
(:meth:`~ossgrowth.store.sql_points.PointTables.write_points` calls :meth:`_insert_events`):
``INSERT … ON CONFLICT (rule_id, event_key) DO NOTHING`` on SQLite and PostgreSQL alike, so
an event raised again (a second collector, a retried batch) adds nothing, and an event of a
rule deleted meanwhile is not written. A sender takes a delivery with one conditional
``UPDATE`` (pending, due, and no other sender's lease still running): of senders claiming at
once, the database lets one change the row.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ossgrowth.alert_types import (
    AlertEvent,
    AlertRule,
    Channel,
    Delivery,
    DeliveryStatus,
    RuleKind,
    Scope,
)
from ossgrowth.errors import InputError
from ossgrowth.metrics.registry import Family
from ossgrowth.model import RepoName, from_epoch_seconds, to_epoch_seconds
from ossgrowth.store.engines import translated_errors
from ossgrowth.store.sql_backfill import epoch_ms
from ossgrowth.store.tables import ALERT_DELIVERIES_TABLE, ALERT_RULES_TABLE

__all__ = ["ERROR_LENGTH", "AlertTables", "event_fields", "repo_of", "rule_fields"]

_RULES = ALERT_RULES_TABLE
_DELIVERIES = ALERT_DELIVERIES_TABLE
ERROR_LENGTH = 500
"""A delivery's last error is kept to this many characters."""


def rule_fields(rule: AlertRule) -> dict[str, Any]:
    """A rule's stored values (every backend keeps the same ones).

    Raises:
        InputError: the rule has no ``created_at``.
    """
    if rule.created_at is None:
        raise InputError("an alert rule is stored with the moment it was made (created_at)")
    return {
        "name": rule.name,
        "kind": rule.kind.value,
        "family": rule.family.value,
        "field": rule.field,
        "scope": rule.scope.value,
        "scope_name": rule.scope_name,
        "channel": rule.channel.value,
        "target": rule.target,
        "params": json.dumps(dict(rule.params), sort_keys=True),
        "secret": rule.secret,
        "enabled": rule.enabled,
        "created_at": to_epoch_seconds(rule.created_at),
    }


def rule_of(values: Mapping[str, Any]) -> AlertRule:
    """A rule back from its stored values (``rule_fields`` and its ``id``)."""
    return AlertRule(
        id=int(values["id"]),
        name=values["name"],
        kind=RuleKind(values["kind"]),
        family=Family(values["family"]),
        field=values["field"],
        scope=Scope(values["scope"]),
        scope_name=values["scope_name"],
        channel=Channel(values["channel"]),
        target=values["target"],
        params=json.loads(values["params"]),
        secret=values["secret"],
        enabled=bool(values["enabled"]),
        created_at=from_epoch_seconds(int(values["created_at"])),
    )


def event_fields(event: AlertEvent) -> dict[str, Any]:
    """An event's stored values, as a new pending delivery: a fresh delivery id, created
    (and due) at the observation that raised it."""
    observed = to_epoch_seconds(event.observed_at)
    return {
        "id": str(uuid.uuid4()),
        "rule_id": event.rule_id,
        "event_key": event.event_key,
        "repo": None if event.repo is None else event.repo.full_name,
        "family": event.family.value,
        "observed_at": observed,
        "summary": event.summary,
        "details": json.dumps(dict(event.details), sort_keys=True),
        "status": DeliveryStatus.PENDING.value,
        "created_at": observed,
        "attempts": 0,
        "next_attempt_at": observed,
        "delivered_at": None,
        "last_error": None,
        "lease_owner": None,
        "lease_expires_ms": None,
    }


def repo_of(text: str | None) -> RepoName | None:
    """The repository an event names (``owner/name``), or ``None``."""
    if text is None:
        return None
    owner, _, name = text.partition("/")
    return RepoName(owner, name)


def delivery_of(values: Mapping[str, Any]) -> Delivery:
    """A delivery back from its stored values (``event_fields`` and what tries changed)."""

    def moment(name: str) -> datetime | None:
        value = values.get(name)
        return None if value is None else from_epoch_seconds(int(value))

    lease = values.get("lease_expires_ms")
    return Delivery(
        id=values["id"],
        event=AlertEvent(
            rule_id=int(values["rule_id"]),
            event_key=values["event_key"],
            repo=repo_of(values["repo"]),
            family=Family(values["family"]),
            observed_at=from_epoch_seconds(int(values["observed_at"])),
            summary=values["summary"],
            details=json.loads(values["details"]),
        ),
        status=DeliveryStatus(values["status"]),
        created_at=from_epoch_seconds(int(values["created_at"])),
        attempts=int(values["attempts"]),
        next_attempt_at=moment("next_attempt_at"),
        delivered_at=moment("delivered_at"),
        last_error=values.get("last_error"),
        lease_owner=values.get("lease_owner"),
        lease_until=None if lease is None else datetime.fromtimestamp(int(lease) / 1000, UTC),
    )


def settled_fields(
    status: DeliveryStatus,
    *,
    attempts: int,
    at: datetime,
    next_attempt_at: datetime | None,
    error: str | None,
) -> dict[str, Any]:
    """What a settled try changes (the lease ends; ``last_error`` only when ``error``)."""
    changed: dict[str, Any] = {
        "status": status.value,
        "attempts": attempts,
        "lease_owner": None,
        "lease_expires_ms": None,
        "next_attempt_at": None,
    }
    if status is DeliveryStatus.PENDING:
        changed["next_attempt_at"] = to_epoch_seconds(next_attempt_at or at)
    if status is DeliveryStatus.DELIVERED:
        changed["delivered_at"] = to_epoch_seconds(at)
    if error is not None:
        changed["last_error"] = " ".join(error.split())[:ERROR_LENGTH]
    return changed


class AlertTables:
    """The alert methods of :class:`~ossgrowth.store.sql.SqlStore` (see ``Store``)."""

    _engine: Engine

    if TYPE_CHECKING:  # provided by SqlStore

        def _writing(self) -> AbstractContextManager[Connection]: ...

        def _reading(self) -> AbstractContextManager[Connection]: ...

    # rules -------------------------------------------------------------------------------

    def add_alert_rule(self, rule: AlertRule) -> AlertRule:
        values = rule_fields(rule)
        with translated_errors(self._engine), self._writing() as connection:
            rule_id = connection.execute(
                insert(_RULES).values(**values).returning(_RULES.c.id)
            ).scalar_one()
        return replace(rule, id=int(rule_id))

    def get_alert_rule(self, rule_id: int) -> AlertRule | None:
        with self._reading() as connection:
            row = (
                connection.execute(select(_RULES).where(_RULES.c.id == rule_id)).mappings().first()
            )
        return None if row is None else rule_of(dict(row))

    def list_alert_rules(self) -> list[AlertRule]:
        with self._reading() as connection:
            rows = connection.execute(select(_RULES).order_by(_RULES.c.id)).mappings().all()
        return [rule_of(dict(row)) for row in rows]

    def delete_alert_rule(self, rule_id: int) -> bool:
        with translated_errors(self._engine), self._writing() as connection:
            connection.execute(
                delete(_DELIVERIES).where(
                    _DELIVERIES.c.rule_id == rule_id,
                    _DELIVERIES.c.status == DeliveryStatus.PENDING.value,
                )
            )
            return connection.execute(delete(_RULES).where(_RULES.c.id == rule_id)).rowcount == 1

    # the outbox --------------------------------------------------------------------------

    def _insert_events(self, connection: Connection, events: Sequence[AlertEvent]) -> None:
        """One pending delivery per new ``(rule_id, event_key)`` of a rule that exists, in the
        caller's transaction; the others are skipped."""
        rule_ids = sorted({event.rule_id for event in events})
        existing = set(
            connection.execute(select(_RULES.c.id).where(_RULES.c.id.in_(rule_ids))).scalars()
        )
        rows = [event_fields(event) for event in events if event.rule_id in existing]
        if not rows:
            return
        builder = postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        statement = builder(_DELIVERIES).on_conflict_do_nothing(
            index_elements=["rule_id", "event_key"]
        )
        connection.execute(statement, rows)

    def due_deliveries(self, *, now: datetime, limit: int = 100) -> list[Delivery]:
        columns = _DELIVERIES.c
        query = (
            select(_DELIVERIES)
            .where(
                columns.status == DeliveryStatus.PENDING.value,
                columns.next_attempt_at <= to_epoch_seconds(now),
                _lease_ended(now),
            )
            .order_by(columns.created_at, columns.id)
            .limit(limit)
        )
        with self._reading() as connection:
            rows = connection.execute(query).mappings().all()
        return [delivery_of(dict(row)) for row in rows]

    def claim_delivery(
        self, delivery_id: str, *, owner: str, now: datetime, until: datetime
    ) -> bool:
        columns = _DELIVERIES.c
        claim = (
            update(_DELIVERIES)
            .where(
                columns.id == delivery_id,
                columns.status == DeliveryStatus.PENDING.value,
                columns.next_attempt_at <= to_epoch_seconds(now),
                or_(columns.lease_owner == owner, _lease_ended(now)),
            )
            .values(lease_owner=owner, lease_expires_ms=epoch_ms(until))
        )
        with translated_errors(self._engine), self._writing() as connection:
            return connection.execute(claim).rowcount == 1

    def settle_delivery(
        self,
        delivery_id: str,
        *,
        owner: str,
        status: DeliveryStatus,
        attempts: int,
        at: datetime,
        next_attempt_at: datetime | None = None,
        error: str | None = None,
    ) -> bool:
        columns = _DELIVERIES.c
        settle = (
            update(_DELIVERIES)
            .where(
                columns.id == delivery_id,
                columns.status == DeliveryStatus.PENDING.value,
                columns.lease_owner == owner,
            )
            .values(
                **settled_fields(
                    status, attempts=attempts, at=at, next_attempt_at=next_attempt_at, error=error
                )
            )
        )
        with translated_errors(self._engine), self._writing() as connection:
            return connection.execute(settle).rowcount == 1

    def list_deliveries(
        self,
        *,
        limit: int = 50,
        rule_id: int | None = None,
        status: DeliveryStatus | None = None,
    ) -> list[Delivery]:
        columns = _DELIVERIES.c
        query = select(_DELIVERIES).order_by(columns.created_at.desc(), columns.id.desc())
        if rule_id is not None:
            query = query.where(columns.rule_id == rule_id)
        if status is not None:
            query = query.where(columns.status == status.value)
        with self._reading() as connection:
            rows = connection.execute(query.limit(limit)).mappings().all()
        return [delivery_of(dict(row)) for row in rows]


def _lease_ended(now: datetime) -> Any:
    columns = _DELIVERIES.c
    return or_(columns.lease_expires_ms.is_(None), columns.lease_expires_ms <= epoch_ms(now))
