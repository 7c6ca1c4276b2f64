"""The EventBridge Scheduler schedules an environment's stack deployed, and their next runs.

:func:`deployed_schedules` lists the schedules named ``ossgrowth-{env}-…`` in the stack's
group (``list_schedules``, every page), reads each (``get_schedule``: the list leaves out the
expression, the zone and the target's input) and computes its next runs in its own zone
(:mod:`ossgrowth.aws.scheduler_expressions`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ossgrowth.aws import names
from ossgrowth.aws.deployment import aws_call
from ossgrowth.aws.scheduler_expressions import ExpressionError, next_runs
from ossgrowth.config import Environment

__all__ = ["DeployedSchedule", "deployed_schedules"]


@dataclass(frozen=True, slots=True)
class DeployedSchedule:
    """A schedule as Scheduler holds it, with its next runs."""

    name: str
    expression: str
    timezone: str
    state: str
    """``ENABLED`` or ``DISABLED``."""
    target: str
    """The name of the function it invokes (the last part of the target's ARN)."""
    job: str | None
    """The ``job`` of the event it sends, when its input says one."""
    next_runs: tuple[datetime, ...]
    """In UTC; empty for a disabled schedule or one whose runs are not computed."""
    note: str | None = None
    """Why no next runs are shown, when none are."""


def deployed_schedules(
    client: Any, environment: Environment, now: datetime, count: int = 3
) -> list[DeployedSchedule]:
    """The schedules of ``environment``'s stack, by name, each with ``count`` next runs.

    Args:
        client: a boto3 ``scheduler`` client.
        environment: whose schedules (``ossgrowth-{env}-`` names).
        now: the moment from which next runs are counted.
        count: how many next runs each.

    Raises:
        AwsError: Scheduler refused a call or could not be reached.
    """
    prefix = f"{names.stack_name(environment)}-"
    found: list[DeployedSchedule] = []
    with aws_call("listing EventBridge Scheduler schedules"):
        pages = client.get_paginator("list_schedules").paginate(
            GroupName=names.SCHEDULE_GROUP, NamePrefix=prefix
        )
        listed = sorted(item["Name"] for page in pages for item in page.get("Schedules", []))
    for name in listed:
        with aws_call(f"reading schedule {name}"):
            schedule = client.get_schedule(Name=name, GroupName=names.SCHEDULE_GROUP)
        found.append(_deployed(schedule, now, count))
    return found


def _deployed(schedule: dict[str, Any], now: datetime, count: int) -> DeployedSchedule:
    expression = str(schedule.get("ScheduleExpression", ""))
    timezone = str(schedule.get("ScheduleExpressionTimezone") or "UTC")
    state = str(schedule.get("State", "ENABLED"))
    target = schedule.get("Target", {})
    runs: tuple[datetime, ...] = ()
    note = None
    if state != "ENABLED":
        note = "disabled"
    else:
        start = schedule.get("StartDate") or schedule.get("CreationDate")
        try:
            runs = next_runs(expression, timezone, now, count, start=start)
        except ExpressionError as error:
            note = f"not computed: {error}"
        end = schedule.get("EndDate")
        if end is not None:
            runs = tuple(run for run in runs if run <= end)
        if not runs and note is None:
            note = "no run ahead"
    return DeployedSchedule(
        name=str(schedule.get("Name", "")),
        expression=expression,
        timezone=timezone,
        state=state,
        target=str(target.get("Arn", "")).rsplit(":", 1)[-1],
        job=_job_of(target.get("Input")),
        next_runs=runs,
        note=note,
    )


def _job_of(payload: object) -> str | None:
    """The ``job`` of a target's input, if it is a JSON object saying one."""
    if not isinstance(payload, str):
        return None
    try:
        document = json.loads(payload)
    except ValueError:
        return None
    job = document.get("job") if isinstance(document, dict) else None
    return job if isinstance(job, str) else None
