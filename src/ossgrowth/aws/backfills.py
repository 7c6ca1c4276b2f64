"""Queued backfills in one Lambda invocation, until they are done or it is out of time.

The backfill every server runs (:func:`~ossgrowth.collect.run_backfill`) takes the queued jobs
no other runner holds and checkpoints each page as it lands. After every stored page the
invocation looks at its remaining time: once the margin is reached it stops the run there.
Each job gives its lease back and keeps its pages, the run is recorded as stopped, and the
next invocation (five minutes later) resumes every job at its first page not stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio

from ossgrowth.aws.collectors import InvocationStatus, RunSummary
from ossgrowth.aws.deadline import Deadline
from ossgrowth.checkpoints import BackfillJob, BackfillStatus
from ossgrowth.clock import Clock, utc
from ossgrowth.collect.backfill import build_history_sources, run_backfill
from ossgrowth.config import Settings
from ossgrowth.errors import OssgrowthError, RateLimited
from ossgrowth.model import RepoName
from ossgrowth.store import Store
from ossgrowth.store.off_loop import off_loop

__all__ = ["BACKFILL_JOB", "BackfillSummary", "backfill_queued"]

logger = logging.getLogger(__name__)

BACKFILL_JOB = "backfill"
"""The job backfill runs are recorded under, and the ``job`` of the backfill schedule's event."""


@dataclass(frozen=True, slots=True)
class BackfillSummary:
    """What one invocation of the backfill function did."""

    status: InvocationStatus
    queued: int
    """Jobs queued when it started."""
    remaining: int
    """Jobs still queued when it returned (resumed by the next invocation)."""
    pages_kept: int = 0
    """Pages stored for the jobs still queued: where they resume."""
    run: RunSummary | None = None
    error: str | None = None
    resets_at: datetime | None = None
    """When the token budget resets (status ``waiting``)."""

    def as_dict(self) -> dict[str, Any]:
        """The summary as the handler returns it (JSON-able)."""
        run = self.run
        return {
            "job": BACKFILL_JOB,
            "status": self.status.value,
            "queued": self.queued,
            "remaining": self.remaining,
            "pages_kept": self.pages_kept,
            "run_id": None if run is None else run.run_id,
            "run_status": None if run is None else run.status,
            "counts": {} if run is None else run.counts,
            "requests": 0 if run is None else run.requests,
            "error": self.error,
            "resets_at": None
            if self.resets_at is None
            else utc(self.resets_at).isoformat().replace("+00:00", "Z"),
        }


class _StopWhenOutOfTime:
    """A backfill :class:`~ossgrowth.collect.Progress` that stops the run once a page is
    stored and the invocation's margin has come: the page is kept, the rest waits."""

    def __init__(self, deadline: Deadline, scope: anyio.CancelScope) -> None:
        self._deadline = deadline
        self._scope = scope

    def planned(self, repo: RepoName, pages: int) -> None:
        return None

    def advanced(self, repo: RepoName, pages: int) -> None:
        if not self._scope.cancel_called and not self._deadline.allows(0):
            logger.info("out of time after a page of %s: the backfill stops here", repo)
            self._scope.cancel()


async def backfill_queued(
    store: Store, settings: Settings, deadline: Deadline, clock: Clock
) -> BackfillSummary:
    """Run the queued backfills no other runner holds, within ``deadline``."""
    queued = await off_loop(store.backfill_jobs, BackfillStatus.QUEUED)
    now = clock.now()
    free = [job for job in queued if job.leased_until is None or job.leased_until <= now]
    if not free:
        status = InvocationStatus.ALREADY_DONE if queued else InvocationStatus.NOTHING_TO_DO
        return BackfillSummary(status, queued=len(queued), remaining=len(queued))
    if not deadline.allows(0):
        return await _after(store, InvocationStatus.UNFINISHED, len(queued))
    try:
        async with build_history_sources(settings, clock) as sources:
            with anyio.move_on_after(deadline.seconds_left()) as limit:
                result = await run_backfill(
                    store,
                    sources,
                    clock,
                    progress=_StopWhenOutOfTime(deadline, limit),
                    lease_seconds=settings.lease_seconds,
                )
                failed = any(outcome.status is BackfillStatus.FAILED for outcome in result.outcomes)
                status = InvocationStatus.PARTIAL if failed else InvocationStatus.SUCCEEDED
                return await _after(store, status, len(queued))
    except RateLimited as error:
        return await _after(
            store, InvocationStatus.WAITING, len(queued), str(error), resets_at=error.resets_at
        )
    except OssgrowthError as error:
        return await _after(store, InvocationStatus.FAILED, len(queued), str(error))
    return await _after(store, InvocationStatus.UNFINISHED, len(queued))


async def _after(
    store: Store,
    status: InvocationStatus,
    queued: int,
    error: str | None = None,
    *,
    resets_at: datetime | None = None,
) -> BackfillSummary:
    """The summary, from what the store holds now: the jobs left, their pages, the run."""
    left = await off_loop(store.backfill_jobs, BackfillStatus.QUEUED)
    return BackfillSummary(
        status,
        queued=queued,
        remaining=len(left),
        pages_kept=await off_loop(_pages_of, store, left),
        run=await off_loop(_latest_run, store),
        error=error,
        resets_at=resets_at,
    )


def _pages_of(store: Store, jobs: list[BackfillJob]) -> int:
    wanted = {job.key for job in jobs}
    total = 0
    for repo in {job.repo for job in jobs}:
        for family, pages in store.count_backfill_pages(repo).items():
            if (repo.key, family.value) in wanted:
                total += pages
    return total


def _latest_run(store: Store) -> RunSummary | None:
    for run in store.list_runs(5, job=BACKFILL_JOB):
        if run.job == BACKFILL_JOB:
            return RunSummary.of(run)
    return None
