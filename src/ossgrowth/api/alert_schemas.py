"""The alert routes' bodies: a rule as given and as shown (never its secret), a delivery."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ossgrowth.alert_rules_input import MAX_NAME_LENGTH, MAX_TARGET_LENGTH, shown_target
from ossgrowth.alert_types import AlertRule, Channel, Delivery, RuleKind, Scope
from ossgrowth.api.parameters import iso_utc
from ossgrowth.metrics.registry import FAMILIES

__all__ = [
    "AlertRuleIn",
    "AlertRuleOut",
    "AlertRulesOut",
    "DeliveriesOut",
    "DeliveryOut",
    "delivery_out",
    "rule_out",
]


def _choices(values: Any) -> dict[str, Any]:
    return {"enum": [value.value if hasattr(value, "value") else value for value in values]}


class AlertRuleIn(BaseModel):
    """A rule to make. Everything is checked as the CLI checks it (docs/alerts.md)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        examples=["vite passes a round number"],
        description=f"What the rule is called: 1 to {MAX_NAME_LENGTH} characters.",
        json_schema_extra={"maxLength": MAX_NAME_LENGTH},
    )
    kind: str = Field(
        examples=["milestone"],
        description="milestone, spike, downloads-drop or overdue.",
        json_schema_extra=_choices(RuleKind),
    )
    family: str = Field(
        examples=["stars"], description="The family watched.", json_schema_extra=_choices(FAMILIES)
    )
    field: str | None = Field(
        None,
        examples=["star_count"],
        description="The family's field; by default its headline (weekly_downloads for a drop).",
        json_schema_extra={"maxLength": 64},
    )
    scope: str = Field(
        Scope.ALL.value,
        examples=["repository"],
        description="repository, collection or all.",
        json_schema_extra=_choices(Scope),
    )
    scope_name: str | None = Field(
        None,
        examples=["vitejs/vite"],
        description="The repository (owner/name) or collection slug; none for all.",
        json_schema_extra={"maxLength": 300},
    )
    channel: str = Field(
        examples=["webhook"],
        description="webhook, slack or email.",
        json_schema_extra=_choices(Channel),
    )
    target: str = Field(
        examples=["https://hooks.example.com/ossgrowth"],
        description="The webhook or Slack URL (a public host), or the e-mail address.",
        json_schema_extra={"maxLength": MAX_TARGET_LENGTH},
    )
    params: dict[str, Any] = Field(
        default_factory=dict,
        examples=[{"value": 100000}],
        description=(
            "By kind: milestone value (optional); spike k (1 < k <= 1000) and days (7..365, "
            "default 28); downloads-drop percent (0 < percent <= 100); overdue slots (1..1000)."
        ),
    )
    secret: str | None = Field(
        None,
        description="Signs webhook bodies (HMAC-SHA256); 8 to 200 characters. Never shown back.",
        json_schema_extra={"maxLength": 200},
    )
    enabled: bool = True


class AlertRuleOut(BaseModel):
    """A stored rule, without its secret; a URL target shows only its scheme and host."""

    id: int
    name: str
    kind: str
    family: str
    field: str
    scope: str
    scope_name: str | None
    channel: str
    target: str = Field(
        description="An e-mail address, or a URL's scheme and host (/… hides the rest)."
    )
    params: dict[str, Any]
    secret_set: bool = Field(description="Whether the rule signs its webhook bodies.")
    enabled: bool
    created_at: str | None


class AlertRulesOut(BaseModel):
    """Every rule, by id."""

    rules: list[AlertRuleOut]


class DeliveryOut(BaseModel):
    """One event on its way to its rule's channel, or delivered, or given up."""

    id: str = Field(description="The delivery id a receiver de-duplicates by.")
    rule_id: int
    event_key: str
    status: str = Field(description="pending, delivered or failed.")
    summary: str
    repo: str | None
    family: str
    observed_at: str
    details: dict[str, Any]
    attempts: int
    created_at: str
    next_attempt_at: str | None
    delivered_at: str | None
    last_error: str | None


class DeliveriesOut(BaseModel):
    """Deliveries, newest first."""

    deliveries: list[DeliveryOut]


def rule_out(rule: AlertRule) -> AlertRuleOut:
    """The API's view of a rule: never its secret."""
    assert rule.id is not None
    return AlertRuleOut(
        id=rule.id,
        name=rule.name,
        kind=rule.kind.value,
        family=rule.family.value,
        field=rule.field,
        scope=rule.scope.value,
        scope_name=rule.scope_name,
        channel=rule.channel.value,
        target=shown_target(rule.target),
        params=dict(rule.params),
        secret_set=rule.secret is not None,
        enabled=rule.enabled,
        created_at=None if rule.created_at is None else iso_utc(rule.created_at),
    )


def delivery_out(delivery: Delivery) -> DeliveryOut:
    """The API's view of a delivery."""
    event = delivery.event
    return DeliveryOut(
        id=delivery.id,
        rule_id=event.rule_id,
        event_key=event.event_key,
        status=delivery.status.value,
        summary=event.summary,
        repo=None if event.repo is None else event.repo.full_name,
        family=event.family.value,
        observed_at=iso_utc(event.observed_at),
        details=dict(event.details),
        attempts=delivery.attempts,
        created_at=iso_utc(delivery.created_at),
        next_attempt_at=None
        if delivery.next_attempt_at is None
        else iso_utc(delivery.next_attempt_at),
        delivered_at=None if delivery.delivered_at is None else iso_utc(delivery.delivered_at),
        last_error=delivery.last_error,
    )
