"""Staleness: a collection slot that should have run and did not.

A schedule is *overdue* when its latest slot is more than :data:`OVERDUE_AFTER` old and not
done: nobody took it (no runner, or every runner's collection failed and gave it back) or its
runner stopped (a lease ran out unfinished). A slot being collected under a live lease is not
overdue, however long it takes; nor is a slot from before anything was tracked.

:func:`is_overdue` decides from what the store says (pure); :func:`staleness` reads it. The
API's ``/ready`` and ``/metrics``, ``ossgrowth schedules`` and ``ossgrowth doctor`` all show
this one verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ossgrowth.collect.slots import SCHEDULES, Schedule, latest_slot
from ossgrowth.model import RunStatus, SlotClaim
from ossgrowth.store import Store

__all__ = ["OVERDUE_AFTER", "JobStaleness", "is_overdue", "staleness"]

OVERDUE_AFTER = timedelta(minutes=30)
"""How long a slot may wait for a runner before it counts as missed: a scheduler wakes at the
slot, a collector that restarts takes it up at start, a killed runner's lease (60 s by
default) runs out long before."""


@dataclass(frozen=True, slots=True)
class JobStaleness:
    """Where one schedule stands."""

    job: str
    latest_slot: datetime
    overdue: bool
    last_success: datetime | None
    """When a collection of this job (or of a part of it) last ended, succeeded or partial
    (some repositories failed, the rest stored), if ever."""


def is_overdue(
    slot: datetime, claims: list[SlotClaim], now: datetime, first_tracked: datetime | None
) -> bool:
    """Whether ``slot``, taken as ``claims`` say, is a missed collection at ``now``."""
    if first_tracked is None or slot < first_tracked or now - slot <= OVERDUE_AFTER:
        return False
    if not claims:
        return True
    if all(claim.finished_at is not None for claim in claims):
        return False
    live = [
        claim
        for claim in claims
        if claim.finished_at is None and (claim.lease_until is None or claim.lease_until > now)
    ]
    return not live


def staleness(
    store: Store, now: datetime, zone: ZoneInfo, schedules: tuple[Schedule, ...] = SCHEDULES
) -> list[JobStaleness]:
    """Every schedule's latest slot, whether it is overdue, and its last success."""
    first_tracked = store.first_added_at()
    found = []
    for schedule in schedules:
        slot = latest_slot(schedule, now, zone)
        claims = store.slot_claims(schedule.name, slot)
        ended_well = [
            run.finished_at
            for status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL)
            for run in store.list_runs(1, job=schedule.name, status=status)
            if run.finished_at is not None
        ]
        found.append(
            JobStaleness(
                job=schedule.name,
                latest_slot=slot,
                overdue=is_overdue(slot, claims, now, first_tracked),
                last_success=max(ended_well, default=None),
            )
        )
    return found
