"""Alert deliveries in one Lambda invocation: the outbox's due deliveries, round after round,
until none is due or the invocation is out of time.

The deployment's ``deliver-alerts`` function runs this every 5 minutes (docs/aws.md). Its
rounds are those every server runs (:class:`~ossgrowth.delivery.DeliveryDispatcher`), on the
environment's store: each delivery is claimed on a lease, tried once and settled, with the
same retries, backoff and send-time address check, so several invocations at once (or a
server on the same store) never send one delivery twice. A round is started only while
:data:`ROUND_SECONDS` are left before the margin (:mod:`~ossgrowth.aws.deadline`); a round
still running at the margin is cut off, and the deliveries it had in flight stay claimed until
their lease ends, then are sent again, with the same delivery id, by a later invocation.

A receiver's failure is not the function's: the delivery waits for its next try or is failed
in the store, and the summary counts it (status ``partial``). The invocation fails (so Lambda
counts an error) only when the store cannot be used.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx

from ossgrowth.aws.collectors import InvocationStatus
from ossgrowth.aws.deadline import Deadline
from ossgrowth.clock import Clock
from ossgrowth.config import Settings
from ossgrowth.delivery import DeliveryDispatcher, DispatchResult
from ossgrowth.store import Store

__all__ = ["DELIVERY_JOB", "ROUND_SECONDS", "DeliverySummary", "deliver_due"]

logger = logging.getLogger(__name__)

DELIVERY_JOB = "alerts:deliver"
"""The ``job`` of the delivery schedule's event."""
ROUND_SECONDS = 60.0
"""Time left (beyond the margin) that a round needs to be started: a round of 100 deliveries,
8 at once, each at most 10 s (30 s for an e-mail), rarely takes more."""


@dataclass(frozen=True, slots=True)
class DeliverySummary:
    """What one invocation of the delivery function did."""

    status: InvocationStatus
    rounds: int = 0
    due: int = 0
    """Due deliveries read, over all rounds."""
    delivered: int = 0
    retrying: int = 0
    """Tried without success, waiting for their next try."""
    failed: int = 0
    """Failed for good (their errors are in :attr:`errors` and the delivery history)."""
    taken: int = 0
    """Claimed by another sender first."""
    errors: dict[str, str] = field(default_factory=dict)
    """The error of each delivery tried without success, by delivery id (one line each)."""
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The summary as the handler returns it (JSON-able)."""
        return {
            "job": DELIVERY_JOB,
            "status": self.status.value,
            "rounds": self.rounds,
            "due": self.due,
            "delivered": self.delivered,
            "retrying": self.retrying,
            "failed": self.failed,
            "taken": self.taken,
            "errors": dict(self.errors),
            "error": self.error,
        }


async def deliver_due(
    store: Store,
    settings: Settings,
    deadline: Deadline,
    clock: Clock,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> DeliverySummary:
    """Send the deliveries due now, round after round, within ``deadline``.

    Args:
        store: the environment's store.
        settings: its SMTP server and ``alerts_allow_private_targets``.
        deadline: the invocation's.
        clock: what "now" is.
        transport: the HTTP transport (default: the network).

    Raises:
        OssgrowthError: the store could not be used.
    """
    dispatcher = DeliveryDispatcher.from_settings(settings, store, clock, transport=transport)
    total = DispatchResult()
    drained = False
    while deadline.allows(ROUND_SECONDS):
        result: DispatchResult | None = None
        with anyio.move_on_after(max(0.0, deadline.seconds_left())):
            result = await dispatcher.run_once()
        if result is None:
            logger.info("out of time in a round: its deliveries in flight are sent again later")
            break
        total.absorb(result)
        if dispatcher.drained(result):
            drained = True
            break
    for delivery_id in total.failed:
        logger.warning(
            "alert delivery %s failed for good: %s", delivery_id, total.errors.get(delivery_id)
        )
    return DeliverySummary(
        _status(total, drained),
        rounds=dispatcher.rounds,
        due=total.due,
        delivered=len(total.delivered),
        retrying=len(total.retrying),
        failed=len(total.failed),
        taken=total.taken,
        errors=dict(total.errors),
    )


def _status(total: DispatchResult, drained: bool) -> InvocationStatus:
    if not drained:  # out of time with deliveries still due: the next invocation sends them
        return InvocationStatus.UNFINISHED
    if total.due == 0:
        return InvocationStatus.NOTHING_TO_DO
    if total.failed or total.retrying:
        return InvocationStatus.PARTIAL
    if total.delivered:
        return InvocationStatus.SUCCEEDED
    return InvocationStatus.ALREADY_DONE
