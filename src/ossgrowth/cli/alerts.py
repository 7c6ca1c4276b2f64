"""``ossgrowth alerts …``: alert rules and the history of their deliveries.

A rule is checked as the API checks it (:mod:`ossgrowth.alert_rules_input`): a refusal is one
``Error: …`` line and exit code 2. Lists never show a rule's secret, and show a URL target's
scheme and host only.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from ossgrowth.alert_rules_input import RuleDraft, add_rule, shown_target
from ossgrowth.alert_types import DeliveryStatus
from ossgrowth.cli.alerts_delivery import deliver
from ossgrowth.cli.output import Column, JsonOption, local_time, print_rows
from ossgrowth.cli.state import FAILURE_EXIT_CODE, state_of
from ossgrowth.clock import SystemClock
from ossgrowth.errors import InputError

__all__ = ["alerts_app", "rules_app"]

alerts_app = typer.Typer(
    help="Alert rules (milestones, spikes, download drops, overdue collections) and deliveries.",
    no_args_is_help=True,
)
rules_app = typer.Typer(help="Make, list and delete alert rules.", no_args_is_help=True)
alerts_app.add_typer(rules_app, name="rules")
alerts_app.command("deliver")(deliver)

_PARAMETERS = ("value", "k", "days", "percent", "slots")
_MAX_RULE_ID = 2**31 - 1


@rules_app.command("add")
def add(
    context: typer.Context,
    name: Annotated[str, typer.Argument(help="What the rule is called (1 to 200 characters).")],
    kind: Annotated[
        str, typer.Option(help="milestone, spike, downloads-drop or overdue.")
    ] = "milestone",
    family: Annotated[str, typer.Option(help="The family watched.")] = "stars",
    field: Annotated[
        str | None,
        typer.Option(
            help="The family's field; default: its headline (weekly_downloads for a drop)."
        ),
    ] = None,
    repo: Annotated[
        str | None, typer.Option(help="Watch this tracked repository (owner/name) only.")
    ] = None,
    collection: Annotated[
        str | None, typer.Option(help="Watch the members of this collection (its slug) only.")
    ] = None,
    channel: Annotated[str, typer.Option(help="webhook, slack or email.")] = "webhook",
    target: Annotated[
        str, typer.Option(help="The webhook or Slack URL, or the e-mail address.")
    ] = "",
    secret_env: Annotated[
        str | None,
        typer.Option(
            help="Name of an environment variable holding the webhook's signing secret "
            "(kept off the command line)."
        ),
    ] = None,
    value: Annotated[
        float | None, typer.Option(help="milestone: this value, not the next round number.")
    ] = None,
    k: Annotated[
        float | None, typer.Option("--k", help="spike: a day's gain above k × the median.")
    ] = None,
    days: Annotated[
        int | None, typer.Option(help="spike: days of the trailing median (default 28).")
    ] = None,
    percent: Annotated[
        float | None, typer.Option(help="downloads-drop: weekly downloads down more than this.")
    ] = None,
    slots: Annotated[
        int | None, typer.Option(help="overdue: scheduled slots missed in a row.")
    ] = None,
    disabled: Annotated[
        bool, typer.Option("--disabled", help="Store the rule switched off.")
    ] = False,
) -> None:
    """Make an alert rule (docs/alerts.md says what each kind notices).

    Example: ossgrowth alerts rules add "vite 100k" --repo vitejs/vite --value 100000
    --target https://hooks.example.com/ossgrowth --secret-env HOOK_SECRET
    """
    if repo is not None and collection is not None:
        raise InputError("a rule watches a repository, a collection or all: give one of them")
    secret = None
    if secret_env is not None:
        secret = os.environ.get(secret_env)
        if not secret:
            raise InputError(f"the environment variable {secret_env} holds no secret")
    given = {"value": value, "k": k, "days": days, "percent": percent, "slots": slots}
    scope, scope_name = ("all", None)
    if repo is not None:
        scope, scope_name = "repository", repo
    elif collection is not None:
        scope, scope_name = "collection", collection
    draft = RuleDraft(
        name=name,
        kind=kind,
        family=family,
        channel=channel,
        target=target,
        field=field,
        scope=scope,
        scope_name=scope_name,
        params={key: number for key, number in given.items() if number is not None},
        secret=secret,
        enabled=not disabled,
    )
    state = state_of(context)
    rule = add_rule(
        state.store(),
        draft,
        created_at=SystemClock().now(),
        allow_private_targets=state.settings().alerts_allow_private_targets,
    )
    typer.echo(
        f"alert rule {rule.id} made: {rule.kind.value} of {rule.family.value} "
        f"{rule.field}{_params_text(rule.params)} for {_scope_text(rule.scope_name)}, "
        f"to {rule.channel.value} {shown_target(rule.target)}"
    )


def _params_text(params: Any) -> str:
    return "".join(f", {key} {params[key]}" for key in _PARAMETERS if key in params)


def _scope_text(scope_name: str | None) -> str:
    return "all repositories" if scope_name is None else scope_name


_RULE_COLUMNS = (
    Column("id", "id"),
    Column("name", "name"),
    Column("kind", "kind"),
    Column("watches", "field"),
    Column("params", "params"),
    Column("scope", "scope"),
    Column("to", "target"),
    Column("signed", "secret_set"),
    Column("on", "enabled"),
    Column("made", "created_at"),
)


@rules_app.command("list")
def list_rules(context: typer.Context, as_json: JsonOption = False) -> None:
    """List the alert rules (never their secrets).

    Example: ossgrowth alerts rules list --json
    """
    state = state_of(context)
    rules = state.store(reading=True).list_alert_rules()
    if not rules and not as_json:
        typer.echo(
            "no alert rules yet; make one with: ossgrowth alerts rules add NAME --target URL"
        )
        return
    zone = state.settings().zone
    rows, shown = [], []
    for rule in rules:
        scope = rule.scope.value if rule.scope_name is None else rule.scope_name
        target = f"{rule.channel.value} {shown_target(rule.target)}"
        rows.append(
            (
                rule.id,
                rule.name,
                rule.kind.value,
                f"{rule.family.value}.{rule.field}",
                dict(rule.params),
                scope,
                target,
                rule.secret is not None,
                rule.enabled,
                rule.created_at,
            )
        )
        shown.append(
            (
                str(rule.id),
                rule.name,
                rule.kind.value,
                f"{rule.family.value}.{rule.field}",
                _params_text(rule.params).removeprefix(", ") or "—",
                scope,
                target,
                "yes" if rule.secret is not None else "no",
                "yes" if rule.enabled else "no",
                local_time(rule.created_at, zone),
            )
        )
    print_rows(_RULE_COLUMNS, rows, shown, title="Alert rules", as_json=as_json)


@rules_app.command("delete")
def delete(
    context: typer.Context,
    rule_id: Annotated[
        int,
        typer.Argument(
            min=1, max=_MAX_RULE_ID, help="The rule's id (see: ossgrowth alerts rules list)"
        ),
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an alert rule and its deliveries still waiting; its history stays.

    Example: ossgrowth alerts rules delete 3 --yes
    """
    store = state_of(context).store()
    rule = store.get_alert_rule(rule_id)
    if rule is None:
        raise InputError(
            f"there is no alert rule {rule_id}; see them with: ossgrowth alerts rules list"
        )
    if not yes and not typer.confirm(f"delete alert rule {rule_id} ({rule.name})?", default=False):
        raise typer.Exit(FAILURE_EXIT_CODE)
    store.delete_alert_rule(rule_id)
    typer.echo(f"deleted alert rule {rule_id} ({rule.name})")


_HISTORY_COLUMNS = (
    Column("delivery", "id"),
    Column("rule", "rule_id"),
    Column("status", "status"),
    Column("tries", "attempts"),
    Column("event", "summary"),
    Column("raised", "created_at"),
    Column("delivered", "delivered_at"),
    Column("next try", "next_attempt_at"),
    Column("last error", "last_error"),
)


@alerts_app.command("history")
def history(
    context: typer.Context,
    rule: Annotated[
        int | None, typer.Option(min=1, max=_MAX_RULE_ID, help="Only this rule's deliveries.")
    ] = None,
    status: Annotated[
        DeliveryStatus | None, typer.Option(help="Only deliveries in this status.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Show the delivery history, newest first: each event, its status, tries and last error.

    Example: ossgrowth alerts history --status failed
    """
    state = state_of(context)
    found = state.store(reading=True).list_deliveries(limit=limit, rule_id=rule, status=status)
    if not found and not as_json:
        typer.echo("no deliveries yet")
        return
    zone = state.settings().zone
    rows, shown = [], []
    for delivery in found:
        event = delivery.event
        waiting = delivery.next_attempt_at if delivery.status is DeliveryStatus.PENDING else None
        rows.append(
            (
                delivery.id,
                event.rule_id,
                delivery.status.value,
                delivery.attempts,
                event.summary,
                delivery.created_at,
                delivery.delivered_at,
                waiting,
                delivery.last_error,
            )
        )
        shown.append(
            (
                delivery.id,
                str(event.rule_id),
                delivery.status.value,
                str(delivery.attempts),
                event.summary,
                local_time(delivery.created_at, zone),
                local_time(delivery.delivered_at, zone),
                local_time(waiting, zone),
                delivery.last_error or "—",
            )
        )
    print_rows(_HISTORY_COLUMNS, rows, shown, title="Alert deliveries", as_json=as_json)
