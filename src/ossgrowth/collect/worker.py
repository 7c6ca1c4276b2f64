"""The backfill worker of a server: queued backfills run without anyone asking for them.

``ossgrowth serve`` runs one beside the API. It looks for queued jobs when it starts, every
``poll_seconds`` after that, and at once when woken (a repository was just tracked). Several
servers sharing a store each run one: leases (see :func:`run_backfill`) keep a job with one
of them, and a job whose server died is taken up by another once its lease ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ossgrowth.checkpoints import BackfillJob, BackfillStatus
from ossgrowth.clock import Clock
from ossgrowth.collect.backfill import (
    DEFAULT_BACKFILL_CONCURRENCY,
    DEFAULT_LEASE_SECONDS,
    BackfillResult,
    run_backfill,
)
from ossgrowth.collect.backfill_families import HistorySources
from ossgrowth.collect.wakeup import Wakeup
from ossgrowth.errors import OssgrowthError
from ossgrowth.store import Store
from ossgrowth.store.off_loop import off_loop

__all__ = ["BackfillWorker"]

logger = logging.getLogger(__name__)


class BackfillWorker:
    """Runs the store's queued backfills in the background, one run at a time.

    Args:
        store: the environment's store.
        clock: what "now" is (leases, run times).
        open_sources: makes the upstream clients of one run (closed after it).
        poll_seconds: how often to look for queued jobs when nobody wakes it.
        concurrency: requests in flight during a run.
        lease_seconds: how long a job stays with this worker unless renewed.
        on_finished: called after every run that did something (the API clears its cache).
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        open_sources: Callable[[], HistorySources],
        *,
        poll_seconds: float,
        concurrency: int = DEFAULT_BACKFILL_CONCURRENCY,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        on_finished: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._open_sources = open_sources
        self._poll_seconds = poll_seconds
        self._concurrency = concurrency
        self._lease_seconds = lease_seconds
        self._on_finished = on_finished
        self._wakeup = Wakeup()
        self.runs = 0
        """Runs that found work, so far."""

    def wake(self) -> None:
        """Look for queued jobs now; callable from any thread (sync API routes run in one)."""
        self._wakeup.set()

    async def run_forever(self) -> None:
        """Look for work until cancelled; a failed run is logged and tried again later."""
        while True:
            self._wakeup.arm()
            await self.run_once()
            await self._wakeup.wait(self._poll_seconds)

    async def run_once(self) -> BackfillResult | None:
        """One run of every job that is queued and not held by another runner, if any."""
        if not await off_loop(self._claimable):
            return None
        try:
            async with self._open_sources() as sources:
                result = await run_backfill(
                    self._store,
                    sources,
                    self._clock,
                    concurrency=self._concurrency,
                    lease_seconds=self._lease_seconds,
                )
        except OssgrowthError as error:
            logger.warning("backfill run stopped: %s; queued jobs wait for the next run", error)
            return None
        finally:
            self.runs += 1
            if self._on_finished is not None:
                self._on_finished()
        counts = result.run.counts
        logger.info(
            "backfill run %s %s: %s of %s jobs done",
            result.run.id,
            result.run.status.value,
            counts.get("jobs_done", 0),
            counts.get("jobs", 0),
        )
        return result

    def _claimable(self) -> list[BackfillJob]:
        now = self._clock.now()
        return [
            job
            for job in self._store.backfill_jobs(BackfillStatus.QUEUED)
            if job.leased_until is None or job.leased_until <= now
        ]
