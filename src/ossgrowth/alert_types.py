"""Plain types of alerting: rules, the events they raise, and their deliveries.

An event is written to the store's outbox in the same transaction as the point that raises it,
keyed by ``(rule_id, event_key)``, so a second collector or a restart that raises it again
writes nothing new. A delivery is the outbox row on its way to the rule's channel; its ``id``
is the delivery id a receiver de-duplicates by. No I/O here.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import Any

from ossgrowth.metrics.registry import Family
from ossgrowth.model import RepoName

__all__ = [
    "AlertEvent",
    "AlertRule",
    "Channel",
    "Delivery",
    "DeliveryStatus",
    "RuleKind",
    "Scope",
]


class RuleKind(enum.StrEnum):
    """What a rule watches for."""

    MILESTONE = "milestone"
    """A field reached the next round number, or a value the rule sets (``params["value"]``)."""
    SPIKE = "spike"
    """A day's gain above ``params["k"]`` × the trailing median of daily gains."""
    DOWNLOADS_DROP = "downloads-drop"
    """Weekly downloads fell by more than ``params["percent"]`` against the week before."""
    OVERDUE = "overdue"
    """A scheduled collection overdue or failing for ``params["slots"]`` slots."""


class Channel(enum.StrEnum):
    """Where a rule's events go."""

    WEBHOOK = "webhook"
    """A JSON POST signed with HMAC-SHA256 (``X-Ossgrowth-Signature-256``)."""
    SLACK = "slack"
    """Slack's incoming-webhook format."""
    EMAIL = "email"
    """An e-mail through the configured SMTP server."""


class Scope(enum.StrEnum):
    """Which repositories a rule watches."""

    REPOSITORY = "repository"
    COLLECTION = "collection"
    ALL = "all"


class DeliveryStatus(enum.StrEnum):
    """Where a delivery is."""

    PENDING = "pending"
    """Not tried yet, or waiting for its next try (``next_attempt_at``)."""
    DELIVERED = "delivered"
    """The receiver took it (a 2xx, or the SMTP server accepted it)."""
    FAILED = "failed"
    """Given up after the last try; kept with its last error."""


@dataclass(frozen=True, slots=True)
class AlertRule:
    """A rule as stored. ``secret`` signs webhook bodies and is never shown back."""

    name: str
    kind: RuleKind
    family: Family
    field: str
    """The family's field the rule watches (``stars``, ``weekly_downloads`` …)."""
    scope: Scope
    channel: Channel
    target: str
    """The webhook or Slack URL, or the e-mail address."""
    scope_name: str | None = None
    """The repository (``owner/name``) or collection slug the scope names; ``None`` for all."""
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)
    secret: str | None = None
    enabled: bool = True
    created_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """Something a rule noticed, once: ``event_key`` makes a second notice the same event."""

    rule_id: int
    event_key: str
    """What happened, stably: ``milestone:octo/widgets:stars:1000``."""
    repo: RepoName | None
    family: Family
    observed_at: datetime
    """When the observation that raised it was made."""
    summary: str
    """One line a person reads (the e-mail subject, Slack's text)."""
    details: Mapping[str, Any] = dataclass_field(default_factory=dict)
    """The JSON-able facts (values, thresholds) the webhook body carries."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """An outbox row: one event on its way to its rule's channel."""

    id: str
    """The delivery id (a UUID): the ``X-Ossgrowth-Delivery`` header, stable across retries."""
    event: AlertEvent
    status: DeliveryStatus
    created_at: datetime
    attempts: int = 0
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    last_error: str | None = None
    """The last failure, one line, with no secret or token in it."""
    lease_owner: str | None = None
    lease_until: datetime | None = None
