"""Operations: ``/health`` (the process answers), ``/ready`` (the store answers), ``/metrics``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.errors import problem_responses
from ossgrowth.api.schemas import HealthOut, ReadyOut
from ossgrowth.collect.staleness import staleness

__all__ = ["router"]

router = APIRouter(tags=["operations"])

_HEALTH_BODY = b'{"status":"ok"}'
PROMETHEUS_MEDIA_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@router.get("/health", response_model=HealthOut)
async def health() -> Response:
    """The process is up (no store access; open even on staging)."""
    return Response(_HEALTH_BODY, media_type="application/json")


@router.get("/ready", response_model=ReadyOut, responses=problem_responses(503))
def ready(context: Annotated[ApiContext, Depends(context_of)]) -> ReadyOut:
    """The store answers (503 when it does not); ``degraded``, still 200, while a scheduled
    collection is overdue: the API serves, the data is getting old."""
    context.store.ping()
    overdue = [
        job.job
        for job in staleness(context.store, context.clock.now(), context.settings.zone)
        if job.overdue
    ]
    return ReadyOut(
        status="degraded" if overdue else "ready",
        environment=context.store.environment,
        overdue=overdue,
    )


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(context: Annotated[ApiContext, Depends(context_of)]) -> Response:
    """Prometheus text: requests, latency, runs by status, points written, rate budget left."""
    body = await run_in_threadpool(context.telemetry.exposition)
    return Response(body, media_type=PROMETHEUS_MEDIA_TYPE)
