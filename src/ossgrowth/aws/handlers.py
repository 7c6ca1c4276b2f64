"""The Lambda entry points: ``ossgrowth.aws.handlers.<name>`` is each function's handler.

=====================  ===========================================  =============================
handler                invoked by                                   does
=====================  ===========================================  =============================
``api``                API Gateway HTTP API (payload 2.0)           the API, as ``ossgrowth serve``
``collect_stars``      Scheduler, ``{"job": "collect:stars"}``      the stars slot
``collect_activity``   Scheduler, ``{"job": "collect:prs+issues"}`` the PRs and issues slot
``collect_downloads``  Scheduler, ``{"job": "collect:downloads"}``  the downloads slot
``run_backfills``      Scheduler, ``{"job": "backfill"}``           queued backfills
``deliver_alerts``     Scheduler, ``{"job": "alerts:deliver"}``     the due alert deliveries
=====================  ===========================================  =============================

Each is a thin shell: the event is checked (:mod:`~ossgrowth.aws.events`), the work is the
core's (:mod:`~ossgrowth.aws.collectors`, :mod:`~ossgrowth.aws.backfills`,
:mod:`~ossgrowth.aws.deliveries`, :mod:`~ossgrowth.aws.api_function`), and what a container
keeps between invocations is in one :class:`~ossgrowth.aws.container.Container`. Importing
this module loads neither FastAPI, boto3 nor the collection code: each function loads what it
uses at its first invocation, so a collector never pays for the API's imports (docs/aws.md,
"Cold start").
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from ossgrowth.aws.api_function import ApiFunction
from ossgrowth.aws.container import Container
from ossgrowth.aws.deadline import Deadline, LambdaContext
from ossgrowth.aws.events import ScheduledEvent
from ossgrowth.aws.scheduled import run_scheduled

if TYPE_CHECKING:
    from ossgrowth.aws.backfills import BackfillSummary
    from ossgrowth.aws.collectors import CollectionSummary
    from ossgrowth.aws.deliveries import DeliverySummary
    from ossgrowth.clock import Clock
    from ossgrowth.collect.slots import Schedule
    from ossgrowth.config import Settings
    from ossgrowth.store import Store

__all__ = [
    "api",
    "collect_activity",
    "collect_downloads",
    "collect_stars",
    "deliver_alerts",
    "reset_container",
    "run_backfills",
]

_CONTAINER = Container()
"""This container's state: Lambda keeps a module's globals between the invocations it serves
(the one module-level state of the package, as the runtime's model requires)."""
_API = ApiFunction()


def api(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """An API Gateway HTTP API request (payload 2.0) → the app's response."""
    return _API(_CONTAINER, event, context)


def collect_stars(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The ``collect:stars`` slot of the event's time (every 3 hours from 03:00 local)."""
    return _collect("collect:stars", event, context)


def collect_activity(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The ``collect:prs+issues`` slot of the event's time (daily at 23:50 local)."""
    return _collect("collect:prs+issues", event, context)


def collect_downloads(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The ``collect:downloads`` slot of the event's time (Sundays at 23:50 local)."""
    return _collect("collect:downloads", event, context)


def run_backfills(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The queued backfills, until done or near the time limit (every 5 minutes)."""
    from ossgrowth.aws.backfills import BACKFILL_JOB

    return run_scheduled(_CONTAINER, BACKFILL_JOB, event, context, _backfill)


def deliver_alerts(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The alert deliveries due now, until none is or near the time limit (every 5 minutes)."""
    from ossgrowth.aws.deliveries import DELIVERY_JOB

    return run_scheduled(
        _CONTAINER, DELIVERY_JOB, event, context, _deliver, github_tokens=False, alert_secrets=True
    )


def reset_container() -> None:
    """Close the store, drop the API app, the secrets and the log handler: what a new
    container starts from. For tests and tools that invoke the handlers in-process."""
    _API.close()
    _CONTAINER.close()


def _collect(job: str, event: object, context: LambdaContext) -> dict[str, Any]:
    from ossgrowth.collect.slots import SCHEDULES

    (schedule,) = [schedule for schedule in SCHEDULES if schedule.name == job]
    return run_scheduled(_CONTAINER, job, event, context, partial(_collect_slot, schedule))


async def _collect_slot(
    schedule: Schedule,
    store: Store,
    settings: Settings,
    event: ScheduledEvent,
    deadline: Deadline,
    clock: Clock,
) -> CollectionSummary:
    from ossgrowth.aws.collectors import collect_slot

    return await collect_slot(
        store, settings, schedule, event, deadline, clock, etags=_CONTAINER.etags()
    )


async def _backfill(
    store: Store, settings: Settings, event: ScheduledEvent, deadline: Deadline, clock: Clock
) -> BackfillSummary:
    from ossgrowth.aws.backfills import backfill_queued

    return await backfill_queued(store, settings, deadline, clock)


async def _deliver(
    store: Store, settings: Settings, event: ScheduledEvent, deadline: Deadline, clock: Clock
) -> DeliverySummary:
    from ossgrowth.aws.deliveries import deliver_due

    return await deliver_due(store, settings, deadline, clock)
