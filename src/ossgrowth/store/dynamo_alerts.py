"""Alert rules and the outbox of their deliveries in the DynamoDB store (the operations table);
:class:`DynamoStore` inherits these methods.

Items (partition ``pk`` / sort ``sk``):

- a rule: ``alert-rule`` / ``{id:012d}``; ids come from a counter (``meta`` /
  ``alert-rule-counter``), never reused;
- an event's key: ``alert-event|{rule id}`` / ``{event key}``, naming its delivery: written
  only when absent (``attribute_not_exists``), so an event raised twice is delivered once;
- a delivery: ``alert-delivery`` / ``{created ISO}|{delivery id}``, the history newest first
  in one backward query;
- a pending mark: ``alert-pending`` / ``{delivery id}`` → the delivery's sort key, present
  while it waits: the due deliveries are read from these few items, not from the history.

**The outbox write.** :meth:`_write_events` writes each event (its key, its delivery, its
pending mark, and a check that its rule still exists) in one ``TransactWriteItems`` with the
points of the batch that raised it (same repository, family and moment), up to DynamoDB's 100
items a transaction. An item whose condition fails cancels the transaction; the store then
drops what that failure means (an event already written, a rule deleted, a point beaten by a
better one stored) and writes the rest again. The other points of the batch are written after,
as :meth:`write_points` always writes them. So a point and the events it raises are stored
together or not at all; a batch cut short is written again whole by its retry, and the
events' keys make the second write of an event a no-op: nothing is lost, nothing doubled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ossgrowth.alert_types import AlertEvent, AlertRule, Delivery, DeliveryStatus
from ossgrowth.errors import StoreUnreachable
from ossgrowth.metrics.registry import Family
from ossgrowth.model import Point, Provenance, to_epoch_seconds
from ossgrowth.store.dynamo_io import DynamoCalls
from ossgrowth.store.dynamo_items import Item, iso, number, text
from ossgrowth.store.dynamo_tables import TableNames
from ossgrowth.store.sql_alerts import (
    delivery_of,
    event_fields,
    rule_fields,
    rule_of,
    settled_fields,
)
from ossgrowth.store.sql_backfill import epoch_ms

__all__ = ["DynamoAlerts"]

_RULE = "alert-rule"
_EVENT = "alert-event"
_DELIVERY = "alert-delivery"
_PENDING = "alert-pending"
_COUNTER = {"pk": text("meta"), "sk": text("alert-rule-counter")}
_TRANSACTION_ITEMS = 100
_ATTEMPTS = 8
_TOP_RANK = max(Provenance)
PointKey = tuple[Family, str, int]
"""A point of a batch: its family, series partition and moment."""


def _key(partition: str, sort: str) -> Item:
    return {"pk": text(partition), "sk": text(sort)}


def _attribute(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return number(value)
    return text(str(value))


def _item(key: Item, values: Mapping[str, Any]) -> Item:
    """An item of ``values``; ``None`` values are left out."""
    return {**key, **{name: _attribute(v) for name, v in values.items() if v is not None}}


def _plain(item: Item) -> dict[str, Any]:
    """An item's values back as Python values (absent ones ``None`` where read)."""
    values: dict[str, Any] = {}
    for name, attribute in item.items():
        kind, content = next(iter(attribute.items()))
        values[name] = int(content) if kind == "N" else content
    return values


@dataclass
class _Outgoing:
    """One event on its way into a transaction, with the points that raised it."""

    event: AlertEvent
    items: list[Item]
    """Its key, its delivery and its pending mark."""
    points: list[tuple[PointKey, str, Item, bool]] = field(default_factory=list)
    """(key, table, item, conditional: the point ranks below measured, so a better one
    stored beats it)."""


class DynamoAlerts:
    """The alert methods of :class:`~ossgrowth.store.dynamo.DynamoStore` (see ``Store``)."""

    _calls: DynamoCalls
    _tables: TableNames

    if TYPE_CHECKING:  # provided by DynamoPoints

        def _point_item(self, partition: str, point: Point) -> Item: ...

    # rules -------------------------------------------------------------------------------

    def add_alert_rule(self, rule: AlertRule) -> AlertRule:
        values = rule_fields(rule)
        counter = self._calls.update_returning(
            self._tables.operations,
            _COUNTER,
            UpdateExpression="ADD #n :one",
            ExpressionAttributeNames={"#n": "next"},
            ExpressionAttributeValues={":one": number(1)},
        )
        rule_id = int(counter["next"]["N"])
        self._calls.put(
            self._tables.operations,
            _item(_key(_RULE, f"{rule_id:012d}"), {**values, "id": rule_id}),
        )
        return replace(rule, id=rule_id)

    def get_alert_rule(self, rule_id: int) -> AlertRule | None:
        item = self._calls.get(self._tables.operations, _key(_RULE, f"{rule_id:012d}"))
        return None if item is None else _rule(item)

    def list_alert_rules(self) -> list[AlertRule]:
        items = self._calls.query(
            self._tables.operations,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": text(_RULE)},
        )
        return [_rule(item) for item in items]

    def delete_alert_rule(self, rule_id: int) -> bool:
        """The rule first (its events can no longer be written: their transactions check it),
        then its pending deliveries; a deletion cut short between the two leaves deliveries
        :meth:`due_deliveries` no longer offers, and deleting again removes them."""
        existed = self._calls.delete(
            self._tables.operations,
            _key(_RULE, f"{rule_id:012d}"),
            ConditionExpression="attribute_exists(pk)",
        )
        for record in self._pending_records():
            if int(record["rule_id"]["N"]) == rule_id:
                self._calls.batch_write(
                    self._tables.operations,
                    [
                        {"DeleteRequest": {"Key": key}}
                        for key in (
                            {"pk": record["pk"], "sk": record["sk"]},
                            _key(_PENDING, record["id"]["S"]),
                            _key(f"{_EVENT}|{rule_id}", record["event_key"]["S"]),
                        )
                    ],
                )
        return existed

    # the outbox --------------------------------------------------------------------------

    def _write_events(
        self,
        kept: Mapping[PointKey, Point],
        partitions: Mapping[tuple[Family, str, int], list[PointKey]],
        events: Sequence[AlertEvent],
    ) -> set[PointKey]:
        """Write ``events`` with the points of ``kept`` that raised them (see the module
        doc); returns the keys of the points written with them. ``partitions`` finds a
        point's keys by (family, repository key, moment)."""
        outgoing: list[_Outgoing] = []
        taken: set[PointKey] = set()
        seen: set[tuple[int, str]] = set()
        for event in events:
            if (event.rule_id, event.event_key) in seen:
                continue
            seen.add((event.rule_id, event.event_key))
            one = _Outgoing(event, self._event_items(event))
            moment = to_epoch_seconds(event.observed_at)
            repo_key = "" if event.repo is None else event.repo.key
            for key in partitions.get((event.family, repo_key, moment), []):
                if key in taken:
                    continue
                taken.add(key)
                point = kept[key]
                item = self._point_item(key[1], point)
                table = self._tables.points(point.family)
                one.points.append((key, table, item, point.provenance != _TOP_RANK))
            outgoing.append(one)
        for group in _packed(outgoing):
            self._transact(group)
        return taken

    def _event_items(self, event: AlertEvent) -> list[Item]:
        values = event_fields(event)
        record_sort = f"{iso(values['created_at'])}|{values['id']}"
        return [
            _item(_key(f"{_EVENT}|{event.rule_id}", event.event_key), {"delivery": values["id"]}),
            _item(_key(_DELIVERY, record_sort), values),
            _item(_key(_PENDING, values["id"]), {"at": record_sort}),
        ]

    def _transact(self, group: list[_Outgoing]) -> None:
        """One transaction of ``group``, again without what a failed condition rules out."""
        from botocore.exceptions import ClientError

        for attempt in range(_ATTEMPTS):
            actions, owners = _actions(self._tables.operations, group)
            if not actions:
                return
            with self._calls.translated():
                try:
                    self._calls.client.transact_write_items(TransactItems=actions)
                except ClientError as error:
                    if error.response.get("Error", {}).get("Code") != (
                        "TransactionCanceledException"
                    ):
                        raise
                    reasons = error.response.get("CancellationReasons", [])
                    failed = [
                        owners[index]
                        for index, reason in enumerate(reasons)
                        if reason.get("Code") == "ConditionalCheckFailed"
                    ]
                    if failed:
                        group = _without(group, set(failed))
                    else:  # a conflict with another writer, or throttling: try again
                        self._calls._backoff(attempt)
                    continue
            written = [a[next(iter(a))].get("Item", {}) for a in actions]
            self._calls.meter.write(written, transactional=True)
            return
        raise StoreUnreachable("DynamoDB kept cancelling the write of alert events")

    def _pending_records(self) -> list[Item]:
        marks = self._calls.query(
            self._tables.operations,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": text(_PENDING)},
        )
        keys = [_key(_DELIVERY, mark["at"]["S"]) for mark in marks]
        return self._calls.batch_get(self._tables.operations, keys)

    def due_deliveries(self, *, now: datetime, limit: int = 100) -> list[Delivery]:
        rules = {rule.id for rule in self.list_alert_rules()}
        now_seconds, now_ms = to_epoch_seconds(now), epoch_ms(now)
        due = []
        for record in self._pending_records():
            delivery = _delivery(record)
            lease = record.get("lease_expires_ms")
            if (
                delivery.status is DeliveryStatus.PENDING
                and delivery.event.rule_id in rules
                and int(record["next_attempt_at"]["N"]) <= now_seconds
                and (lease is None or int(lease["N"]) <= now_ms)
            ):
                due.append(delivery)
        due.sort(key=lambda delivery: (delivery.created_at, delivery.id))
        return due[:limit]

    def _record_key(self, delivery_id: str) -> Item | None:
        mark = self._calls.get(self._tables.operations, _key(_PENDING, delivery_id))
        return None if mark is None else _key(_DELIVERY, mark["at"]["S"])

    def claim_delivery(
        self, delivery_id: str, *, owner: str, now: datetime, until: datetime
    ) -> bool:
        key = self._record_key(delivery_id)
        if key is None:
            return False
        return self._calls.update(
            self._tables.operations,
            key,
            UpdateExpression="SET #o = :o, #l = :until",
            ConditionExpression=(
                "#s = :pending AND #n <= :now_s AND "
                "(attribute_not_exists(#o) OR #o = :o OR #l <= :now_ms)"
            ),
            ExpressionAttributeNames={
                "#o": "lease_owner",
                "#l": "lease_expires_ms",
                "#s": "status",
                "#n": "next_attempt_at",
            },
            ExpressionAttributeValues={
                ":o": text(owner),
                ":until": number(epoch_ms(until)),
                ":pending": text(DeliveryStatus.PENDING.value),
                ":now_s": number(to_epoch_seconds(now)),
                ":now_ms": number(epoch_ms(now)),
            },
        )

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
        """The delivery's outcome and, when it no longer waits, the end of its pending mark,
        in one transaction; ``False`` when ``owner`` does not hold it."""
        from botocore.exceptions import ClientError

        key = self._record_key(delivery_id)
        if key is None:
            return False
        changed = settled_fields(
            status, attempts=attempts, at=at, next_attempt_at=next_attempt_at, error=error
        )
        names = {f"#a{index}": name for index, name in enumerate(changed)}
        setting = [f"#a{i} = :a{i}" for i, name in enumerate(changed) if changed[name] is not None]
        removing = [f"#a{i}" for i, name in enumerate(changed) if changed[name] is None]
        expression = "SET " + ", ".join(setting)
        if removing:
            expression += " REMOVE " + ", ".join(removing)
        update = {
            "Update": {
                "TableName": self._tables.operations,
                "Key": key,
                "UpdateExpression": expression,
                "ConditionExpression": "#s = :pending AND #owner = :owner",
                "ExpressionAttributeNames": {**names, "#s": "status", "#owner": "lease_owner"},
                "ExpressionAttributeValues": {
                    **{
                        f":a{i}": _attribute(v)
                        for i, v in enumerate(changed.values())
                        if v is not None
                    },
                    ":pending": text(DeliveryStatus.PENDING.value),
                    ":owner": text(owner),
                },
            }
        }
        actions: list[dict[str, Any]] = [update]
        if status is not DeliveryStatus.PENDING:
            actions.append(
                {
                    "Delete": {
                        "TableName": self._tables.operations,
                        "Key": _key(_PENDING, delivery_id),
                    }
                }
            )
        with self._calls.translated():
            try:
                self._calls.client.transact_write_items(TransactItems=actions)
            except ClientError as failure:
                if failure.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                    return False
                raise
        self._calls.meter.write([key] * len(actions), transactional=True)
        return True

    def list_deliveries(
        self,
        *,
        limit: int = 50,
        rule_id: int | None = None,
        status: DeliveryStatus | None = None,
    ) -> list[Delivery]:
        filters = []
        values: dict[str, Any] = {":p": text(_DELIVERY)}
        names: dict[str, str] = {}
        if rule_id is not None:
            filters.append("#r = :rule")
            names["#r"] = "rule_id"
            values[":rule"] = number(rule_id)
        if status is not None:
            filters.append("#s = :status")
            names["#s"] = "status"
            values[":status"] = text(status.value)
        more: dict[str, Any] = {}
        if filters:
            more = {"FilterExpression": " AND ".join(filters), "ExpressionAttributeNames": names}
        items = self._calls.query(
            self._tables.operations,
            limit=limit,
            filtered=bool(filters),
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=values,
            ScanIndexForward=False,
            **more,
        )
        return [_delivery(item) for item in items]


def _rule(item: Item) -> AlertRule:
    values = _plain(item)
    values.setdefault("scope_name", None)
    values.setdefault("secret", None)
    return rule_of(values)


def _delivery(item: Item) -> Delivery:
    values = _plain(item)
    for name in ("repo", "next_attempt_at", "delivered_at", "last_error", "lease_owner"):
        values.setdefault(name, None)
    values.setdefault("lease_expires_ms", None)
    return delivery_of(values)


def _packed(outgoing: list[_Outgoing]) -> list[list[_Outgoing]]:
    """Events in groups whose transaction stays within DynamoDB's item limit (each group
    checks each of its rules once)."""
    groups: list[list[_Outgoing]] = []
    size = _TRANSACTION_ITEMS
    rules: set[int] = set()
    for one in outgoing:
        own = len(one.items) + len(one.points)
        if size + own + (one.event.rule_id not in rules) > _TRANSACTION_ITEMS:
            groups.append([])
            size, rules = 0, set()
        groups[-1].append(one)
        size += own + (one.event.rule_id not in rules)
        rules.add(one.event.rule_id)
    return groups


Owner = tuple[str, Any]
"""What an action of a transaction belongs to: ``("rule", id)``, ``("event", (rule id,
key))`` or ``("point", point key)``."""


def _actions(table: str, group: list[_Outgoing]) -> tuple[list[dict[str, Any]], list[Owner]]:
    actions: list[dict[str, Any]] = []
    owners: list[Owner] = []
    for rule_id in dict.fromkeys(one.event.rule_id for one in group if one.items):
        actions.append(
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": _key(_RULE, f"{rule_id:012d}"),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            }
        )
        owners.append(("rule", rule_id))
    for one in group:
        event_owner = ("event", (one.event.rule_id, one.event.event_key))
        for item in one.items:
            actions.append(
                {
                    "Put": {
                        "TableName": table,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
            owners.append(event_owner)
        for key, points_table, item, conditional in one.points:
            put: dict[str, Any] = {"TableName": points_table, "Item": item}
            actions.append({"Put": put})
            owners.append(("point", key))
            if conditional:
                put["ConditionExpression"] = "attribute_not_exists(#r) OR provenance <= :p"
                put["ExpressionAttributeNames"] = {"#r": "repo"}
                put["ExpressionAttributeValues"] = {":p": item["provenance"]}
    return actions, owners


def _without(group: list[_Outgoing], failed: set[Owner]) -> list[_Outgoing]:
    """``group`` less what failed conditions rule out: the events of a deleted rule, events
    already written, points beaten by better ones stored (each point stays otherwise)."""
    kept: list[_Outgoing] = []
    for one in group:
        event = one.event
        gone = ("rule", event.rule_id) in failed or (
            "event",
            (event.rule_id, event.event_key),
        ) in failed
        points = [entry for entry in one.points if ("point", entry[0]) not in failed]
        kept.append(_Outgoing(event, [] if gone else one.items, points))
    return kept
