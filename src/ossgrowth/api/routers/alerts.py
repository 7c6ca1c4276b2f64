"""Alert rules and their delivery history (admin only: the admin token, or local writes).

A rule's answer never holds its secret (``secret_set`` says whether it has one), and a URL
target shows only its scheme and host. A rule refused (a 10 kB name, an absurd k, a private
address the operator has not allowed, an unknown family …) is a 422 naming the part at fault.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from ossgrowth.alert_rules_input import RuleDraft, add_rule
from ossgrowth.alert_types import DeliveryStatus
from ossgrowth.api.alert_schemas import (
    AlertRuleIn,
    AlertRuleOut,
    AlertRulesOut,
    DeliveriesOut,
    delivery_out,
    rule_out,
)
from ossgrowth.api.auth import admin_bearer, require_admin
from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.errors import Problem, problem_responses
from ossgrowth.errors import RuleRefused

__all__ = ["router"]

log = logging.getLogger(__name__)

MAX_RULE_ID = 2**31 - 1
"""The largest rule id a store keeps (a 32-bit integer)."""

router = APIRouter(
    prefix="/api/v1/alerts",
    tags=["alerts"],
    dependencies=[Depends(require_admin), Depends(admin_bearer)],
)

RuleId = Annotated[int, Path(ge=1, le=MAX_RULE_ID, description="The rule's id.")]


@router.get("/rules", response_model=AlertRulesOut, responses=problem_responses(401))
def list_rules(context: Annotated[ApiContext, Depends(context_of)]) -> AlertRulesOut:
    """Every alert rule, by id (never their secrets)."""
    return AlertRulesOut(rules=[rule_out(rule) for rule in context.store.list_alert_rules()])


@router.post(
    "/rules",
    status_code=201,
    response_model=AlertRuleOut,
    responses=problem_responses(400, 401, 413, 422),
)
def create_rule(
    body: AlertRuleIn, context: Annotated[ApiContext, Depends(context_of)]
) -> AlertRuleOut:
    """Make an alert rule: what it watches (kind, family, field, params, scope) and where its
    events go (channel, target; a secret signs webhook bodies). See docs/alerts.md."""
    draft = RuleDraft(
        name=body.name,
        kind=body.kind,
        family=body.family,
        field=body.field,
        scope=body.scope,
        scope_name=body.scope_name,
        channel=body.channel,
        target=body.target,
        params=body.params,
        secret=body.secret,
        enabled=body.enabled,
    )
    try:
        rule = add_rule(
            context.store,
            draft,
            created_at=context.clock.now(),
            allow_private_targets=context.settings.alerts_allow_private_targets,
        )
    except RuleRefused as refused:
        raise Problem(422, str(refused), parameter=refused.parameter) from None
    log.info("alert rule %s (%s) made", rule.id, rule.kind.value)
    return rule_out(rule)


@router.get(
    "/rules/{rule_id}", response_model=AlertRuleOut, responses=problem_responses(401, 404, 422)
)
def get_rule(rule_id: RuleId, context: Annotated[ApiContext, Depends(context_of)]) -> AlertRuleOut:
    """One alert rule (never its secret)."""
    rule = context.store.get_alert_rule(rule_id)
    if rule is None:
        raise Problem(404, f"there is no alert rule {rule_id}", parameter="rule_id")
    return rule_out(rule)


@router.delete("/rules/{rule_id}", status_code=204, responses=problem_responses(401, 404, 422))
def delete_rule(rule_id: RuleId, context: Annotated[ApiContext, Depends(context_of)]) -> Response:
    """Delete an alert rule and its deliveries still waiting; its history stays."""
    if not context.store.delete_alert_rule(rule_id):
        raise Problem(404, f"there is no alert rule {rule_id}", parameter="rule_id")
    log.info("alert rule %s deleted", rule_id)
    return Response(status_code=204)


@router.get("/deliveries", response_model=DeliveriesOut, responses=problem_responses(401, 422))
def list_deliveries(
    context: Annotated[ApiContext, Depends(context_of)],
    rule_id: Annotated[
        int | None, Query(ge=1, le=MAX_RULE_ID, description="Only this rule's deliveries.")
    ] = None,
    status: Annotated[
        DeliveryStatus | None, Query(description="pending, delivered or failed.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="How many, newest first.")] = 50,
) -> DeliveriesOut:
    """The delivery history, newest first: each event, its status, tries and last error."""
    found = context.store.list_deliveries(limit=limit, rule_id=rule_id, status=status)
    return DeliveriesOut(deliveries=[delivery_out(delivery) for delivery in found])
