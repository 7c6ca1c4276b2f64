"""Rules, events and deliveries as the tests use them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from ossgrowth.alert_types import (
    AlertEvent,
    AlertRule,
    Channel,
    Delivery,
    DeliveryStatus,
    RuleKind,
    Scope,
)
from ossgrowth.metrics.registry import Family
from ossgrowth.model import Point, Provenance, RepoName

OBSERVED_AT = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
SECRET = "webhook-secret-value-7d1f"


def a_rule(
    channel: Channel = Channel.WEBHOOK, target: str = "http://127.0.0.1:9/hook", **changes: Any
) -> AlertRule:
    rule = AlertRule(
        name="widgets reach 1000 stars",
        kind=RuleKind.MILESTONE,
        family=Family.STARS,
        field="stars",
        scope=Scope.REPOSITORY,
        scope_name="octo/widgets",
        channel=channel,
        target=target,
        params={"value": 1000},
        secret=SECRET if channel is Channel.WEBHOOK else None,
        id=7,
    )
    return replace(rule, **changes)


def an_event(
    rule_id: int = 7, key: str = "milestone:octo/widgets:stars:1000", **changes: Any
) -> AlertEvent:
    event = AlertEvent(
        rule_id=rule_id,
        event_key=key,
        repo=RepoName("octo", "widgets"),
        family=Family.STARS,
        observed_at=OBSERVED_AT,
        summary="octo/widgets reached 1,000 stars",
        details={"field": "stars", "value": 1004, "threshold": 1000},
    )
    return replace(event, **changes)


def a_delivery(event: AlertEvent | None = None, **changes: Any) -> Delivery:
    delivery = Delivery(
        id="0b9d6c3e-3f0e-4a53-9b7c-3d2f1e0a9c11",
        event=event or an_event(),
        status=DeliveryStatus.PENDING,
        created_at=OBSERVED_AT,
    )
    return replace(delivery, **changes)


def stored_rule(store: Any, rule: AlertRule) -> AlertRule:
    """``rule`` added to ``store`` (its id is the store's)."""
    return store.add_alert_rule(replace(rule, id=None, created_at=OBSERVED_AT))


def raise_events(store: Any, *events: AlertEvent, stars: int = 1004) -> None:
    """Write the star point that raised ``events`` and the events, as a collection does."""
    point = Point(
        RepoName("octo", "widgets"),
        Family.STARS,
        OBSERVED_AT,
        {"star_count": stars},
        Provenance.MEASURED,
        "test",
    )
    store.write_points([point], events=list(events))
