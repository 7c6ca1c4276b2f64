"""Standalone collections: a lease while they run, and failed once their runner is gone.

A collection that is not a scheduler's slot — ``ossgrowth collect --once``, the admin route,
the seed's trigger routes, the demo — holds a lease of its own while it runs: a claim through
the store's slot methods (:meth:`~ossgrowth.store.Store.claim_slot`) of job ``run:<run id>``
at the run's start, renewed every third of its length and finished when the collection ends,
whatever the outcome. A runner killed outright (SIGKILL, a lost machine) renews nothing, so once
its lease has ended its run is known to be abandoned: the next standalone collection, and every
look of a scheduler, marks it ``failed`` with :data:`~ossgrowth.stopping.ABANDONED_RUN_ERROR`.
A run whose lease is still held is never touched, however long it takes.

The claim is named after the run, not after its job: two collections started in the same second
(two trigger routes called at once) hold a claim each, and no claim starts with a schedule's
name, so the schedules' slots (``collect:stars`` and its parts) never count one. A run without a
claim was recorded before runs held leases (or its runner died between recording it and
claiming): it is closed once older than :data:`UNLEASED_RUN_LIMIT`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

import anyio

from ossgrowth.clock import Clock
from ossgrowth.collect.backfill import runner_id
from ossgrowth.collect.lease_keeper import LeaseKeeper
from ossgrowth.errors import StoreError
from ossgrowth.model import Run, RunStatus, SlotClaim
from ossgrowth.stopping import ABANDONED_RUN_ERROR
from ossgrowth.store import Store
from ossgrowth.store.off_loop import off_loop

__all__ = [
    "STANDALONE_JOBS",
    "UNLEASED_RUN_LIMIT",
    "close_abandoned_collections",
    "is_abandoned",
    "lease_job",
    "run_standalone",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

STANDALONE_JOBS = ("collect", "collect:api")
"""The jobs of standalone collections: ``collect`` (``collect --once``, the admin route, the
demo) and ``collect:api`` (the seed's trigger routes)."""
UNLEASED_RUN_LIMIT = timedelta(hours=6)
"""How old a running standalone run without a claim (or with a finished one) must be before it
is closed. A collection of every tracked repository takes minutes; six hours is far beyond any,
so a live run is never closed by this bound."""
_RUNS_LOOKED_AT = 50
"""Running runs of each job looked at per pass (normally none or one)."""


def lease_job(run: Run) -> str:
    """The job name of ``run``'s claim (its slot is the run's start).

    Raises:
        ValueError: the run is not recorded yet (it has no id).
    """
    if run.id is None:
        raise ValueError("a run is recorded before it holds a lease")
    return f"run:{run.id}"


def is_abandoned(run: Run, claim: SlotClaim | None, now: datetime) -> bool:
    """Whether a running standalone ``run`` was left by a runner that is gone.

    ``claim`` is the run's claim (see :func:`lease_job`), or ``None`` when it has none. A
    claim not finished is the run's lease: the run is abandoned once the lease has ended, never
    before. Without a claim, or with a finished one (its runner ended the lease, then could not
    record the run's end), the run is abandoned once older than :data:`UNLEASED_RUN_LIMIT`.
    """
    if claim is not None and claim.finished_at is None:
        return claim.lease_until is None or claim.lease_until <= now
    return now - run.started_at >= UNLEASED_RUN_LIMIT


def close_abandoned_collections(
    store: Store, now: datetime, *, jobs: Collection[str] = STANDALONE_JOBS
) -> list[Run]:
    """Mark the abandoned runs of ``jobs`` (see :func:`is_abandoned`) failed; returns them."""
    closed: list[Run] = []
    for job in jobs:
        for run in store.list_runs(_RUNS_LOOKED_AT, job=job, status=RunStatus.RUNNING):
            if run.job != job or run.id is None:
                continue  # a part of a job (``job#n/N``) is not a standalone run
            claims = store.slot_claims(lease_job(run), run.started_at)
            claim = next((each for each in claims if each.job == lease_job(run)), None)
            if not is_abandoned(run, claim, now):
                continue
            closed.append(
                store.record_run(
                    replace(
                        run, status=RunStatus.FAILED, finished_at=now, error=ABANDONED_RUN_ERROR
                    )
                )
            )
            logger.warning("run %s of %s was abandoned by its runner; marked failed", run.id, job)
    return closed


async def run_standalone(
    store: Store,
    clock: Clock,
    run: Run,
    lease_seconds: float,
    work: Callable[[], Awaitable[T]],
) -> T:
    """Run ``work``, the collection recorded as ``run``, holding the run's lease meanwhile.

    The lease is claimed first, then the abandoned runs of other standalone collections are
    closed (both shielded: a stop waits for them and reaches ``work``, which records it); the
    lease is renewed every third of ``lease_seconds`` while ``work`` runs and finished when it
    ends, however it ends. ``work`` records the run's end itself, before the lease is finished.
    What ``work`` returns is returned, what it raises is raised as it is. A store that refuses
    the lease or the look is logged and the collection goes on.
    """
    owner = runner_id()
    lease = LeaseKeeper(clock, lease_seconds)

    async def renew(until: datetime) -> None:
        await _renew(store, run, owner, until)

    try:
        with anyio.CancelScope(shield=True):
            await _claim(store, clock, run, owner, lease)
            try:
                await off_loop(close_abandoned_collections, store, clock.now())
            except StoreError as error:  # housekeeping: the collection may still succeed
                logger.warning("could not look for abandoned runs: %s", error)
        return await lease.run(work, renew)
    finally:
        with anyio.CancelScope(shield=True):
            await _finish(store, clock, run, owner)


async def _claim(store: Store, clock: Clock, run: Run, owner: str, lease: LeaseKeeper) -> None:
    """Take the run's lease; without it (a store that refuses) the run is collected anyway and
    closed by the others only once older than :data:`UNLEASED_RUN_LIMIT`."""
    now, until = clock.now(), lease.until()
    try:
        claimed = await off_loop(
            store.claim_slot, lease_job(run), run.started_at, owner=owner, now=now, until=until
        )
    except StoreError as error:
        logger.warning("run %s holds no lease (%s); collecting anyway", run.id, error)
        return
    if not claimed:
        logger.warning("run %s is held by another runner already; collecting anyway", run.id)


async def _renew(store: Store, run: Run, owner: str, until: datetime) -> None:
    """Extend the run's lease until ``until``. A store that refuses is logged: the next
    renewal may land, the lease lasts three of them."""
    try:
        renewed = await off_loop(
            store.renew_slot, lease_job(run), run.started_at, owner=owner, until=until
        )
    except StoreError as error:
        logger.warning("could not renew the lease of run %s: %s", run.id, error)
        return
    if not renewed:
        logger.warning("lost the lease of run %s", run.id)


async def _finish(store: Store, clock: Clock, run: Run, owner: str) -> None:
    """End the run's lease. A store that refuses leaves the lease to end by itself: the run's
    end was recorded first, so nobody closes it then (unless that record failed too)."""
    try:
        await off_loop(
            store.finish_slot, lease_job(run), run.started_at, owner=owner, now=clock.now()
        )
    except StoreError as error:
        logger.warning("could not end the lease of run %s: %s", run.id, error)
