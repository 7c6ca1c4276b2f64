"""Collections on the seed's schedules, in a server (``ossgrowth serve``) or a worker.

Every schedule (:data:`~ossgrowth.collect.slots.SCHEDULES`) has slots on the local wall
clock. When a slot has come and no runner has taken it, the scheduler takes it (an insert that
exactly one of several servers sharing a store wins) and runs a collection of that schedule's
families. A runner that was down during some slots runs the latest one when it is back: a
collection observes the present, so older slots cannot be made up and are not replayed. A
collection that fails as a whole (an upstream unreachable) gives its slot back, and the next
look at the clock (within :data:`MAX_SLEEP_SECONDS`) tries again. A runner holds its slot on a
lease it renews while it collects: if it is killed mid-collection, the slot is taken up by the
next runner to look once the lease has ended, so a crash never loses a day's collection.

A slot of many repositories is taken in parts of about a thousand
(:mod:`~ossgrowth.collect.slot_parts`), each claimed, leased and recorded as a run of its own:
collectors sharing a store divide a big collection between them, and one that dies loses only
its part's lease.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import anyio

from ossgrowth.clock import Clock
from ossgrowth.collect.abandoned import close_abandoned_collections
from ossgrowth.collect.alerting import write_overdue_events
from ossgrowth.collect.backfill import DEFAULT_LEASE_SECONDS, runner_id
from ossgrowth.collect.collection import CollectionResult, collect_once
from ossgrowth.collect.lease_keeper import LeaseKeeper
from ossgrowth.collect.slot_parts import PART_SIZE, SlotPart, parts_of, visiting_order
from ossgrowth.collect.slots import SCHEDULES, Schedule, latest_slot, next_slot
from ossgrowth.collect.upstreams import Upstreams
from ossgrowth.collect.wakeup import Wakeup
from ossgrowth.errors import OssgrowthError
from ossgrowth.logs import log_context
from ossgrowth.model import RunStatus
from ossgrowth.stopping import ABANDONED_RUN_ERROR
from ossgrowth.store import Store
from ossgrowth.store.off_loop import off_loop

__all__ = ["MAX_SLEEP_SECONDS", "CollectionScheduler"]

logger = logging.getLogger(__name__)

MAX_SLEEP_SECONDS = 300.0
"""The longest wait between looks at the clock (a suspended laptop wakes up late)."""


class CollectionScheduler:
    """Runs each schedule's collection once per slot, across every runner sharing the store.

    Args:
        store: the environment's store.
        clock: what "now" is.
        open_upstreams: makes the upstream clients of one collection (closed after it).
        zone: the time zone of the schedules' wall clock.
        schedules: which schedules (the seed's by default).
        sleep: how to wait (seconds); tests pass one that moves a fixed clock. By default a
            real wait that :meth:`wake` cuts short.
        on_finished: called after every collection (the API clears its cache).
        on_collected: given each collection's clients once it ended (the API shows the rate
            budget their token pool last saw).
        lease_seconds: how long a slot stays with this runner unless renewed; a slot left
            unfinished by a runner that died is taken up by another once its lease ends.
        part_size: repositories a part of a slot holds, about (see :mod:`slot_parts`).
        keep_going: asked before each part is claimed; when it answers ``False`` the parts
            not claimed yet are left for the next look (a Lambda invocation near its time
            limit stops there). By default every free part is taken.
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        open_upstreams: Callable[[], Upstreams],
        zone: ZoneInfo,
        *,
        schedules: tuple[Schedule, ...] = SCHEDULES,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        on_finished: Callable[[], None] | None = None,
        on_collected: Callable[[Upstreams], None] | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        part_size: int = PART_SIZE,
        keep_going: Callable[[], bool] | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._open_upstreams = open_upstreams
        self._zone = zone
        self._schedules = schedules
        self._wakeup = Wakeup()
        self._sleep = sleep or self._wakeup.wait
        self._on_finished = on_finished
        self._on_collected = on_collected
        self._lease = LeaseKeeper(clock, lease_seconds)
        self._part_size = part_size
        self._keep_going = keep_going
        self._owner = runner_id()

    def wake(self) -> None:
        """Look at the schedules now (a repository was tracked); from any thread."""
        self._wakeup.set()

    async def run_forever(self) -> None:
        """Run what is due, wait for the next slot, again, until cancelled."""
        while True:
            self._wakeup.arm()
            await self.run_due()
            await self._sleep(min(self.seconds_to_next_slot(), MAX_SLEEP_SECONDS))

    def seconds_to_next_slot(self) -> float:
        """Seconds from now to the earliest coming slot of any schedule."""
        now = self._clock.now()
        coming = min(next_slot(schedule, now, self._zone) for schedule in self._schedules)
        return max(0.0, (coming - now).total_seconds())

    async def run_due(self) -> list[CollectionResult]:
        """Collect for every schedule whose latest slot has parts no runner has taken yet.

        Standalone collections whose runner died are marked failed first (a server closes
        them even when nobody runs ``collect --once`` again). The overdue alert rules are
        judged last, once per look (:func:`~ossgrowth.collect.alerting.write_overdue_events`).
        """
        await off_loop(close_abandoned_collections, self._store, self._clock.now())
        results: list[CollectionResult] = []
        for schedule in self._schedules:
            with log_context(job=schedule.name):
                results.extend(await self._run_if_due(schedule))
        await off_loop(
            write_overdue_events, self._store, self._clock.now(), self._zone, self._schedules
        )
        return results

    async def _run_if_due(self, schedule: Schedule) -> list[CollectionResult]:
        """Collect every part of the latest slot that is free (see :mod:`slot_parts`)."""
        slot = latest_slot(schedule, self._clock.now(), self._zone)
        subjects = await off_loop(self._store.list_subjects)
        if not subjects:
            return []  # nothing to collect; the slot stays free for when there is
        results: list[CollectionResult] = []
        upstreams: Upstreams | None = None
        async with AsyncExitStack() as clients:
            for part in visiting_order(
                parts_of(schedule.name, subjects, self._part_size), self._owner
            ):
                if self._keep_going is not None and not self._keep_going():
                    break  # out of time: the parts not taken wait for the next look
                now, until = self._clock.now(), self._lease.until()
                claimed = await off_loop(
                    self._store.claim_slot, part.job, slot, owner=self._owner, now=now, until=until
                )
                if not claimed:
                    continue  # done, or another runner is at it
                await off_loop(self._close_abandoned_runs, part.job, slot, now)
                if upstreams is None:  # one set of clients (one token pool) for every part
                    upstreams = self._open_upstreams()
                    if self._on_collected is not None:  # called once they are closed
                        clients.callback(self._on_collected, upstreams)
                    await clients.enter_async_context(upstreams)
                result = await self._collect_part(schedule, slot, part, upstreams)
                if result is None:
                    break  # the upstreams failed as a whole: the other parts wait too
                results.append(result)
        return results

    def _close_abandoned_runs(self, job: str, slot: datetime, now: datetime) -> None:
        """Runs of ``job`` for ``slot`` still marked running when the slot is claimed: a
        runner that stopped without a word (killed) left them; they end as failed."""
        for run in self._store.list_runs(10, job=job, status=RunStatus.RUNNING, since=slot):
            if run.job != job:
                continue  # a part of it: its own claim closes it
            self._store.record_run(
                replace(run, status=RunStatus.FAILED, finished_at=now, error=ABANDONED_RUN_ERROR)
            )
            logger.warning("run %s of %s was abandoned by its runner; marked failed", run.id, job)

    async def _collect_part(
        self, schedule: Schedule, slot: datetime, part: SlotPart, upstreams: Upstreams
    ) -> CollectionResult | None:
        """One claimed part: collected and finished, or given back (``None`` on failure)."""
        try:
            result = await self._collect_leased(schedule, slot, part, upstreams)
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True):  # stopped: the part is given back, for the next
                await off_loop(self._store.release_slot, part.job, slot, owner=self._owner)
            raise
        except OssgrowthError as error:  # recorded as a failed run; the part is given back
            logger.warning("scheduled %s of %s failed: %s; retried later", part.job, slot, error)
            await off_loop(self._store.release_slot, part.job, slot, owner=self._owner)
            return None
        finally:
            if self._on_finished is not None:
                self._on_finished()
        await off_loop(
            self._store.finish_slot, part.job, slot, owner=self._owner, now=self._clock.now()
        )
        logger.info("scheduled %s of %s: %s", part.job, slot.isoformat(), result.run.status.value)
        return result

    async def _collect_leased(
        self, schedule: Schedule, slot: datetime, part: SlotPart, upstreams: Upstreams
    ) -> CollectionResult:
        """The collection of one part, its lease renewed every third of it meanwhile."""

        async def renew(until: datetime) -> None:
            renewed = await off_loop(
                self._store.renew_slot, part.job, slot, owner=self._owner, until=until
            )
            if not renewed:
                logger.warning("lost the lease on %s of %s", part.job, slot)

        async def collect() -> CollectionResult:
            return await collect_once(
                self._store,
                upstreams,
                self._clock,
                families=schedule.families,
                job=schedule.name,
                subjects=part.subjects,
                lease_seconds=None,  # the part's claim is the run's lease
            )

        return await self._lease.run(collect, renew)
