"""Embeddable images: a chart, a badge and shields.io's endpoint-badge JSON.

Each is rendered from stored points only (no token or secret is ever involved), cached and
answered with an ETag and ``Cache-Control``, so README images cost one render per cache period.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from ossgrowth.api.cache import CachedBody
from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.parameters import choose_package, repo_from_path, require_subject
from ossgrowth.api.representation import entity_tag, remember
from ossgrowth.api.routers.common import (
    NameParameter,
    OwnerParameter,
    PackageParameter,
    conditional_responses,
)
from ossgrowth.api.schemas import ShieldsOut
from ossgrowth.api.series_query import SeriesQuery, load_series
from ossgrowth.charts import BADGE_COLORS, Theme, compact_number, render_badge, render_chart
from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.metrics.resample import CADENCE_INTERVALS
from ossgrowth.model import PackageRef, Subject

__all__ = ["EMBED_CACHE_CONTROL", "router"]

router = APIRouter(prefix="/api/v1", tags=["embeds"])

EMBED_CACHE_CONTROL = "public, max-age=900"
SVG_MEDIA_TYPE = "image/svg+xml"
_BADGE_FIELDS = {
    Family.STARS: ("star_count", "stars", ""),
    Family.PRS: ("open_prs", "open PRs", ""),
    Family.ISSUES: ("open_issues", "open issues", ""),
    Family.DOWNLOADS: ("weekly_downloads", "downloads", "/week"),
}
_BADGE_LOOKBACK = timedelta(days=400)


def _svg_responses() -> dict[int | str, dict[str, object]]:
    responses = conditional_responses(404, 422)
    responses[200] = {"content": {SVG_MEDIA_TYPE: {"schema": {"type": "string"}}}}
    return dict(responses)


def _latest_value(
    context: ApiContext, subject: Subject, family: Family, package: PackageRef | None
) -> float | None:
    field, _, _ = _BADGE_FIELDS[family]
    index = 1 + FAMILIES[family].field_names.index(field)
    start = context.clock.now() - _BADGE_LOOKBACK
    for window_start in (start, None):
        series = context.store.read_series(
            subject.repo, family, start=window_start, package=package
        )
        known = [row[index] for row in series.rows if row[index] is not None]
        if known:
            return float(known[-1])
    return None


def _badge_text(
    context: ApiContext, owner: str, name: str, family: Family, package_text: str | None
) -> tuple[str, str, str]:
    subject = require_subject(context.store, repo_from_path(owner, name))
    package = choose_package(subject, family, package_text)
    value = _latest_value(context, subject, family, package)
    _, label, suffix = _BADGE_FIELDS[family]
    if value is None:
        return label, "no data", BADGE_COLORS["missing"]
    return label, f"{compact_number(value)}{suffix}", BADGE_COLORS["value"]


def _answer(request: Request, media_type: str, render: Callable[[], str]) -> Response:
    body = render().encode()
    return remember(request, CachedBody(body, media_type, entity_tag(body), EMBED_CACHE_CONTROL))


@router.get(
    "/repos/{owner}/{name}/chart.svg",
    response_class=Response,
    responses=_svg_responses(),
    summary="SVG chart of a series",
)
def chart(
    request: Request,
    owner: OwnerParameter,
    name: NameParameter,
    context: Annotated[ApiContext, Depends(context_of)],
    family: Family = Family.STARS,
    theme: Theme = Theme.LIGHT,
    package: PackageParameter = None,
    width: Annotated[int, Query(ge=120, le=2000, description="Pixels.")] = 600,
    height: Annotated[int, Query(ge=80, le=1200, description="Pixels.")] = 300,
) -> Response:
    """A line chart of the family's first field over the whole history, at the family's
    collection interval (3h for stars, a day for PRs and issues, a week for downloads), so a
    missed collection breaks the line."""

    def render() -> str:
        subject = require_subject(context.store, repo_from_path(owner, name))
        chosen = choose_package(subject, family, package)
        result = load_series(
            context.store,
            SeriesQuery(
                repo=subject.repo,
                family=family,
                package=chosen,
                interval=CADENCE_INTERVALS[family],
                max_points=width,
            ),
        )
        rows = result.rows
        field = FAMILIES[family].field_names[0]
        title = f"{subject.repo.full_name} — {field.replace('_', ' ')}"
        if chosen is not None:
            title += f" ({chosen})"
        return render_chart(
            [row[0] for row in rows],
            [row[1] for row in rows],
            title=title,
            theme=theme,
            width_pixels=width,
            height_pixels=height,
        )

    return _answer(request, SVG_MEDIA_TYPE, render)


@router.get(
    "/repos/{owner}/{name}/badge.svg",
    response_class=Response,
    responses=_svg_responses(),
    summary="SVG badge of the newest value",
)
def badge(
    request: Request,
    owner: OwnerParameter,
    name: NameParameter,
    context: Annotated[ApiContext, Depends(context_of)],
    family: Family = Family.STARS,
    package: PackageParameter = None,
) -> Response:
    """A flat badge: `stars | 12.3k`, `downloads | 1.2M/week` …"""

    def render() -> str:
        label, message, color = _badge_text(context, owner, name, family, package)
        return render_badge(label, message, color=color)

    return _answer(request, SVG_MEDIA_TYPE, render)


@router.get(
    "/repos/{owner}/{name}/shields.json",
    response_model=ShieldsOut,
    responses=conditional_responses(404, 422),
    summary="shields.io endpoint badge",
)
def shields(
    request: Request,
    owner: OwnerParameter,
    name: NameParameter,
    context: Annotated[ApiContext, Depends(context_of)],
    family: Family = Family.STARS,
    package: PackageParameter = None,
) -> Response:
    """JSON for `https://img.shields.io/endpoint?url=…` (schemaVersion 1)."""

    def render() -> str:
        label, message, color = _badge_text(context, owner, name, family, package)
        document = ShieldsOut(label=label, message=message, color=color.lstrip("#"))
        return document.model_dump_json()

    return _answer(request, "application/json", render)
