"""Backfill: reconstruct the history of tracked repositories, resumably, as a recorded run.

Jobs are (repository, family) rows in the store's queue (``track`` enqueues every family).
A run takes the queued jobs, fetches their pages concurrently (at most ``concurrency``
requests in flight; the token pool decides which token each goes out with and waits for a
reset when every budget is spent), checkpoints each page as it lands and, when a job has all
its pages, writes its points and marks it done in one transaction. See docs/history.md.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import anyio
import httpx

from ossgrowth.checkpoints import BackfillJob, BackfillStatus
from ossgrowth.clock import Clock
from ossgrowth.collect.backfill_families import (
    FamilyHistory,
    HistorySources,
    StarMethod,
    family_history,
)
from ossgrowth.collect.backfill_pages import JobPages, Progress, SilentProgress
from ossgrowth.collect.lease_keeper import LeaseKeeper
from ossgrowth.collect.priority_limiter import PriorityLimiter
from ossgrowth.config import Settings
from ossgrowth.errors import ConfigError, InputError, NotFound, OssgrowthError
from ossgrowth.logs import log_context, log_run_finished
from ossgrowth.metrics.registry import FAMILIES
from ossgrowth.model import Family, RepoName, Run, RunStatus
from ossgrowth.sources import (
    DEFAULT_RETRY_POLICY,
    NpmDownloads,
    PyPIStats,
    RetryPolicy,
    StargazersHidden,
    TokenPool,
)
from ossgrowth.sources.github_timeline import GitHubTimeline
from ossgrowth.stopping import ABANDONED_RUN_ERROR, STOPPED_RUN_ERROR
from ossgrowth.store import Store
from ossgrowth.store.off_loop import off_loop

__all__ = [
    "DEFAULT_BACKFILL_CONCURRENCY",
    "DEFAULT_LEASE_SECONDS",
    "BackfillResult",
    "JobOutcome",
    "build_history_sources",
    "enqueue_backfill",
    "run_backfill",
    "runner_id",
]

logger = logging.getLogger(__name__)

JOB = "backfill"
DEFAULT_BACKFILL_CONCURRENCY = 32
"""Requests in flight at once; GitHub allows 100 concurrent requests per user."""
DEFAULT_LEASE_SECONDS = 60.0
"""How long a claimed job stays with its runner unless renewed (a third of it, repeatedly)."""


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """What became of one job in a run."""

    repo: RepoName
    family: Family
    status: BackfillStatus
    method: str | None
    messages: tuple[str, ...]
    points: int
    pages_fetched: int
    elsewhere: bool = False
    """Left to another runner that holds the job's lease (it stays queued)."""


@dataclass(frozen=True, slots=True)
class BackfillResult:
    """What one backfill run did."""

    run: Run
    outcomes: tuple[JobOutcome, ...]


def build_history_sources(
    settings: Settings,
    clock: Clock,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    retry: RetryPolicy = DEFAULT_RETRY_POLICY,
    star_method: StarMethod = StarMethod.AUTO,
    tokens: TokenPool | None = None,
) -> HistorySources:
    """The clients a backfill reads, for the base URLs and tokens of ``settings``.

    Args:
        settings: base URLs and the GitHub token pool.
        clock: the clock every client reads.
        transport: an httpx transport for every client (the simulator in tests).
        retry: retry and wait policy shared by every client.
        star_method: how star history is reconstructed.
        tokens: the GitHub token pool to draw from; give the pool of the collections of the
            same process so both spend one known budget. ``None``: a pool of these clients'
            own, of ``settings.github_tokens``.

    Returns:
        The clients, to use as ``async with build_history_sources(...) as sources:``.
    """
    if tokens is None:
        tokens = TokenPool(settings.github_tokens, clock=clock)
    return HistorySources(
        github=GitHubTimeline(
            settings.resolved_graphql_url,
            settings.github_api_url,
            clock=clock,
            tokens=tokens,
            transport=transport,
            retry=retry,
        ),
        npm=NpmDownloads(settings.npm_downloads_url, clock=clock, transport=transport, retry=retry),
        pypi=PyPIStats(settings.pypistats_url, clock=clock, transport=transport, retry=retry),
        star_method=star_method,
    )


def enqueue_backfill(
    store: Store,
    clock: Clock,
    repos: Sequence[RepoName] | None,
    families: Sequence[Family] | None = None,
    *,
    since: date | None = None,
) -> list[BackfillJob]:
    """Queue backfills; ``repos=None`` queues every tracked repository's families not yet done.

    Raises:
        InputError: a repository that is not tracked.
    """
    wanted = list(families or FAMILIES)
    jobs: list[BackfillJob] = []
    if repos is None:
        done = {(job.repo.key, job.family) for job in store.backfill_jobs(BackfillStatus.DONE)}
        for subject in store.list_subjects():
            missing = [f for f in wanted if (subject.repo.key, f) not in done]
            if missing:
                jobs += store.enqueue_backfill(  # a job finished since the read stays done
                    subject.repo, missing, enqueued_at=clock.now(), since=since, keep_done=True
                )
        return jobs
    for repo in repos:
        jobs += store.enqueue_backfill(repo, wanted, enqueued_at=clock.now(), since=since)
    return jobs


def runner_id() -> str:
    """Who holds a lease: this host and process, and a nonce (a process may run twice)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def _close_abandoned_runs(store: Store, now: datetime) -> None:
    """Backfill runs still marked running while no job is leased: their runners died (a live
    runner holds a lease on every job it works on), so they end as failed."""
    leased = [
        job
        for job in store.backfill_jobs(BackfillStatus.QUEUED)
        if job.lease_owner is not None and job.leased_until is not None and job.leased_until > now
    ]
    if leased:
        return
    for run in store.list_runs(50, job=JOB, status=RunStatus.RUNNING):
        if run.job == JOB and run.started_at < now:
            store.record_run(
                replace(run, status=RunStatus.FAILED, finished_at=now, error=ABANDONED_RUN_ERROR)
            )
            logger.warning("backfill run %s was abandoned by its runner; marked failed", run.id)


async def run_backfill(
    store: Store,
    sources: HistorySources,
    clock: Clock,
    *,
    repos: Sequence[RepoName] | None = None,
    concurrency: int = DEFAULT_BACKFILL_CONCURRENCY,
    progress: Progress | None = None,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> BackfillResult:
    """Run every queued job (of ``repos``, when given), concurrently; record the run.

    Each job is leased first: a job another runner holds is left to it (its outcome says so);
    the leases are renewed every third of ``lease_seconds`` while the run lasts and end with
    it. A job whose repository or package does not exist ends ``failed`` with a message; a
    job cut short by an unreachable upstream or a spent budget stays queued with its pages and
    resumes on the next run, and that error is raised after the others finished.
    """
    keys = None if repos is None else {repo.key for repo in repos}
    queued = [
        job
        for job in await off_loop(store.backfill_jobs, BackfillStatus.QUEUED)
        if keys is None or job.repo.key in keys
    ]
    subjects = {subject.repo.key: subject for subject in await off_loop(store.list_subjects)}
    await off_loop(_close_abandoned_runs, store, clock.now())
    run = await off_loop(
        store.record_run, Run(job=JOB, environment=store.environment, started_at=clock.now())
    )
    owner, lease = runner_id(), LeaseKeeper(clock, lease_seconds)
    limiter = PriorityLimiter(concurrency)
    shown = progress or SilentProgress()
    outcomes: list[JobOutcome] = []
    interrupted: list[OssgrowthError] = []
    requests_before = sources.requests_sent
    today = clock.now().date()

    async def claim(job: BackfillJob, until: datetime) -> bool:
        return await off_loop(
            store.claim_backfill, job.repo, job.family, owner=owner, now=clock.now(), until=until
        )

    mine = [job for job in queued if await claim(job, lease.until())]
    if len(mine) < len(queued):
        now_held = {job.key: job for job in await off_loop(store.backfill_jobs)}
        for job in queued:
            if job in mine:
                continue
            held = now_held.get(job.key, job)
            if held.status is BackfillStatus.QUEUED:
                until = f" until {held.leased_until:%H:%M:%S} UTC" if held.leased_until else ""
                message = f"another runner is backfilling it (lease{until}); left to it"
            else:
                message = f"another runner finished it meanwhile ({held.status.value})"
            outcomes.append(
                JobOutcome(
                    job.repo, job.family, held.status, None, (message,), 0, 0, elsewhere=True
                )
            )
    running = {job.key: job for job in mine}
    # Held while the running jobs' leases are renewed; a job leaves ``running`` under it, so
    # no renewal takes a job's lease again once the job has given it back.
    renewing = anyio.Lock()

    async def renew_leases(until: datetime) -> None:
        async with renewing:
            for job in list(running.values()):
                if not await claim(job, until):
                    logger.warning("lost the lease on the backfill of %s %s", *job.key)

    async def one(job: BackfillJob) -> None:
        try:
            await run_job(job)
        finally:
            with anyio.CancelScope(shield=True):  # a stopped run still gives its lease back
                async with renewing:
                    running.pop(job.key, None)
                await off_loop(store.release_backfill, job.repo, job.family, owner=owner)

    async def run_job(job: BackfillJob) -> None:
        job_started = clock.now()
        pages = await JobPages.load(store, job.repo, job.family, limiter, shown)
        packages = subjects[job.repo.key].packages if job.repo.key in subjects else ()
        try:
            history = await family_history(job.family, pages, sources, packages, today)
        except (NotFound, StargazersHidden, InputError, ConfigError) as error:
            history = FamilyHistory((), "", (str(error),), failed=True)
        except OssgrowthError as error:
            logger.warning("backfill of %s %s interrupted: %s", job.repo, job.family.value, error)
            interrupted.append(error)
            outcomes.append(
                JobOutcome(job.repo, job.family, job.status, None, (str(error),), 0, pages.fetched)
            )
            return
        points = [
            point
            for point in history.points
            if job.since is None or point.observed_at.date() >= job.since
        ]
        status = BackfillStatus.FAILED if history.failed else BackfillStatus.DONE
        message = "; ".join(history.messages)[:2000] or None
        if history.stargazer_days is not None:  # before the job is done: a rerun redoes it
            await off_loop(
                store.write_stargazer_days,
                job.repo,
                history.stargazer_days,
                read_through=history.stargazers_read_through,
            )
        await off_loop(
            store.finish_backfill,
            job.repo,
            job.family,
            points,
            status=status,
            finished_at=clock.now(),
            method=history.method or None,
            message=message,
        )
        outcomes.append(
            JobOutcome(
                job.repo,
                job.family,
                status,
                history.method or None,
                history.messages,
                len(points),
                pages.fetched,
            )
        )
        duration_s = round((clock.now() - job_started).total_seconds(), 3)
        logger.info(
            "backfill of %s %s %s in %.1f s: %d points, %d pages",
            job.repo,
            job.family.value,
            status.value,
            duration_s,
            len(points),
            pages.fetched,
            extra={
                "status": status.value,
                "duration_s": duration_s,
                "points": len(points),
                "pages": pages.fetched,
            },
        )

    async def run_jobs() -> None:
        async with anyio.create_task_group() as group:
            for job in sorted(mine, key=lambda job: FAMILIES[job.family].backfill_order):
                with log_context(repo=str(job.repo), family=job.family.value):
                    group.start_soon(one, job)

    try:
        with log_context(run_id=run.id, job=JOB):  # a task keeps the context it starts in
            await lease.run(run_jobs, renew_leases)
    except anyio.get_cancelled_exc_class():
        # Stopped (a signal): each job gave its lease back and keeps the pages it stored.
        with anyio.CancelScope(shield=True):
            stopped = await off_loop(
                store.record_run,
                replace(
                    run,
                    status=RunStatus.FAILED,
                    finished_at=clock.now(),
                    counts={"jobs": len(queued)},
                    error=STOPPED_RUN_ERROR,
                    requests_spent=sources.requests_sent - requests_before,
                ),
            )
        log_run_finished(logger, stopped)
        raise
    ended = [outcome for outcome in outcomes if not outcome.elsewhere]
    failed = [outcome for outcome in ended if outcome.status is not BackfillStatus.DONE]
    finished = await off_loop(
        store.record_run,
        replace(
            run,
            status=RunStatus.FAILED
            if interrupted
            else (RunStatus.PARTIAL if failed else RunStatus.SUCCEEDED),
            finished_at=clock.now(),
            counts={
                "jobs": len(queued),
                "jobs_done": len(ended) - len(failed),
                "jobs_failed": len(failed),
                "jobs_elsewhere": len(outcomes) - len(ended),
                "points": sum(outcome.points for outcome in outcomes),
                "pages": sum(outcome.pages_fetched for outcome in outcomes),
            },
            error=str(interrupted[0]) if interrupted else None,
            requests_spent=sources.requests_sent - requests_before,
        ),
    )
    log_run_finished(logger, finished)
    if interrupted:
        raise interrupted[0]
    order = {family: index for index, family in enumerate(FAMILIES)}
    outcomes.sort(key=lambda outcome: (outcome.repo.key, order[outcome.family]))
    return BackfillResult(finished, tuple(outcomes))
