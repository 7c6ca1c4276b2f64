"""Admin routes (``Authorization: Bearer`` the admin token): collect, backfill, runs, reset staging.

They exist only when ``OSSGROWTH_ADMIN_TOKEN`` is set; the staging reset only on staging.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Query

from ossgrowth.api.auth import admin_bearer, require_admin
from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.errors import problem_responses
from ossgrowth.api.parameters import iso_utc, repo_from_text, require_subject
from ossgrowth.api.schemas import BackfillStartedOut, RunOut, RunStartedOut
from ossgrowth.collect import (
    build_history_sources,
    build_upstreams,
    collect_once,
    enqueue_backfill,
    run_backfill,
)
from ossgrowth.collect.collection import JOB as COLLECT_JOB
from ossgrowth.errors import OssgrowthError
from ossgrowth.model import RepoName, Run

__all__ = ["router", "run_out", "staging_router"]

log = logging.getLogger(__name__)

router = APIRouter(
    prefix="/api/v1/admin",
    tags=["admin"],
    dependencies=[Depends(require_admin), Depends(admin_bearer)],
)
staging_router = APIRouter(
    prefix="/api/v1/admin",
    tags=["admin"],
    dependencies=[Depends(require_admin), Depends(admin_bearer)],
)


def run_out(run: Run) -> RunOut:
    """The API's view of a recorded run."""
    return RunOut(
        id=run.id,
        job=run.job,
        environment=run.environment,
        status=run.status.value,
        started_at=iso_utc(run.started_at),
        finished_at=iso_utc(run.finished_at) if run.finished_at else None,
        counts=dict(run.counts),
        error=run.error,
        requests_spent=run.requests_spent,
    )


async def _collect(context: ApiContext, run: Run) -> None:
    """Run one collection; its outcome is recorded on ``run`` (this is an entry point)."""
    upstreams = build_upstreams(
        context.settings, context.clock, transport=context.upstream_transport
    )
    try:
        async with upstreams:
            await collect_once(context.store, upstreams, context.clock, run=run)
    except OssgrowthError as error:
        log.warning("collection run %s failed: %s", run.id, error)
    finally:
        context.cache.clear()
        context.telemetry.record_budget(upstreams.tokens)


@router.post(
    "/collect", status_code=202, response_model=RunStartedOut, responses=problem_responses(401)
)
def start_collection(
    background: BackgroundTasks, context: Annotated[ApiContext, Depends(context_of)]
) -> RunStartedOut:
    """Start collecting every tracked repository now; follow the run in `/api/v1/admin/runs`."""
    store = context.store
    run = store.record_run(
        Run(job=COLLECT_JOB, environment=store.environment, started_at=context.clock.now())
    )
    assert run.id is not None
    background.add_task(_collect, context, run)
    return RunStartedOut(run_id=run.id, status=run.status.value, runs="/api/v1/admin/runs")


async def _backfill(context: ApiContext, repos: list[RepoName] | None) -> None:
    """Run the queued backfills of ``repos`` (all when ``None``); recorded as a run."""
    try:
        async with build_history_sources(
            context.settings, context.clock, transport=context.upstream_transport
        ) as sources:
            await run_backfill(
                context.store,
                sources,
                context.clock,
                repos=repos,
                lease_seconds=context.settings.lease_seconds,
            )
    except OssgrowthError as error:
        log.warning("backfill failed: %s", error)
    finally:
        context.cache.clear()


@router.post(
    "/backfill",
    status_code=202,
    response_model=BackfillStartedOut,
    responses=problem_responses(401, 404, 422),
)
def start_backfill(
    background: BackgroundTasks,
    context: Annotated[ApiContext, Depends(context_of)],
    repo: Annotated[
        str | None,
        Query(max_length=300, description="owner/name; every tracked repository when absent."),
    ] = None,
) -> BackfillStartedOut:
    """Queue and start the backfill of history (all families not yet done)."""
    repos = None
    if repo is not None:
        repos = [require_subject(context.store, repo_from_text(repo)).repo]
    jobs = enqueue_backfill(context.store, context.clock, repos)
    if context.background is not None and context.background.worker is not None:
        context.background.worker.wake()  # it runs every queued job, these included
    else:
        background.add_task(_backfill, context, repos)
    return BackfillStartedOut(queued_jobs=len(jobs), runs="/api/v1/admin/runs")


@router.get("/runs", response_model=list[RunOut], responses=problem_responses(401, 422))
def list_runs(
    context: Annotated[ApiContext, Depends(context_of)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[RunOut]:
    """Recorded collection and backfill runs, newest first."""
    return [run_out(run) for run in context.store.list_runs(limit)]


@staging_router.post(
    "/reset-staging", response_model=dict[str, int], responses=problem_responses(401)
)
def reset_staging(context: Annotated[ApiContext, Depends(context_of)]) -> dict[str, int]:
    """Delete every subject, point, collection, run and checkpoint of staging (its alert rules
    stay, with their delivery history). Rows deleted per table."""
    deleted = context.store.delete_all()
    context.cache.clear()
    return deleted
