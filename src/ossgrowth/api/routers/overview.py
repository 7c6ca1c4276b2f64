"""``GET /api/v1/overview``: every tracked repository with what an overview table shows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from ossgrowth.api.cache import CachedBody
from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.overview_query import load_overview
from ossgrowth.api.representation import entity_tag, remember
from ossgrowth.api.routers.common import CACHE_CONTROL, conditional_responses
from ossgrowth.api.schemas import OverviewOut

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["overview"])


@router.get(
    "/overview",
    response_model=OverviewOut,
    responses=conditional_responses(),
    summary="Every tracked repository, for an overview table",
)
def overview(request: Request, context: Annotated[ApiContext, Depends(context_of)]) -> Response:
    """Each tracked repository by name: its newest stars, their change over 1, 7 and 30 days
    and a 30-day sparkline; open issues and PRs, the PR ratio, weekly downloads; where its
    collection and the backfill of its history stand. Null where there is no data."""
    document = load_overview(context.store, context.clock.now(), context.settings.zone)
    body = document.model_dump_json().encode()
    return remember(request, CachedBody(body, "application/json", entity_tag(body), CACHE_CONTROL))
