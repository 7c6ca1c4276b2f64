"""Embeddable images: a chart, a badge and shields.io's endpoint-badge JSON.

Each is rendered from stored points only (no token or secret is ever involved), cached and
answered with an ETag and ``Cache-Control``, so README images cost one render per cache period.

Their errors never put JSON in an ``<img>``: an SVG route answers an unknown repository (404)
or an invalid parameter (422) with a badge saying so (``stars | not tracked``), under the same
status; ``shields.json`` answers an unknown or invalid repository with shields.io's error
document and 200, as shields.io shows any other status as "inaccessible". Routes of
:data:`router` are :class:`EmbedRoute`, which turns the problems into those answers.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.responses import Response

from ossgrowth.api.cache import CachedBody
from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.errors import NotTracked, Problem, validation_problem
from ossgrowth.api.parameters import (
    choose_package,
    package_from_text,
    repo_from_path,
    require_subject,
)
from ossgrowth.api.representation import entity_tag, remember
from ossgrowth.api.routers.common import (
    AnyNameParameter,
    AnyOwnerParameter,
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
from ossgrowth.model import PackageRef, Subject, field_position

__all__ = ["EMBED_CACHE_CONTROL", "ERROR_CACHE_CONTROL", "EmbedRoute", "router"]

EMBED_CACHE_CONTROL = "public, max-age=900"
ERROR_CACHE_CONTROL = "no-cache"
"""An error image is not kept: the repository may be tracked a minute later."""
SVG_MEDIA_TYPE = "image/svg+xml"
_ERROR_COLOR = "lightgrey"
_BADGE_LOOKBACK = timedelta(days=400)


def _error_message(problem: Problem) -> str:
    """What an error badge says: ``not tracked``, ``invalid repository``, ``invalid width`` …"""
    if problem.status == 404:
        return "not tracked" if isinstance(problem, NotTracked) else "not found"
    if problem.parameter in {"owner", "name"}:
        return "invalid repository"
    return f"invalid {problem.parameter or 'request'}"


def _error_label(request: Request) -> str:
    """The badge label of the family asked for (``stars`` by default), else ``ossgrowth``."""
    try:
        return FAMILIES[Family(request.query_params.get("family", Family.STARS))].badge.label
    except ValueError:
        return "ossgrowth"


def _svg_error(request: Request, problem: Problem) -> Response | None:
    """An SVG route's error, as a badge under the problem's status (404 and 422 only)."""
    if problem.status not in {404, 422}:
        return None
    badge = render_badge(_error_label(request), _error_message(problem), color=_ERROR_COLOR)
    return Response(
        badge,
        status_code=problem.status,
        media_type=SVG_MEDIA_TYPE,
        headers={"Cache-Control": ERROR_CACHE_CONTROL},
    )


def _shields_error(request: Request, problem: Problem) -> Response | None:
    """``shields.json``'s error document, with 200, for an unknown or invalid repository."""
    if not (isinstance(problem, NotTracked) or problem.parameter in {"owner", "name"}):
        return None
    document = ShieldsOut(
        label=_error_label(request),
        message=_error_message(problem),
        color=_ERROR_COLOR,
        isError=True,
    )
    return Response(
        document.model_dump_json(),
        media_type="application/json",
        headers={"Cache-Control": ERROR_CACHE_CONTROL},
    )


class EmbedRoute(APIRoute):
    """A route whose 404 and 422 problems are answered in the embed's own form: a badge for
    an SVG, shields.io's error document for ``shields.json``; other errors pass unchanged."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        image = self.path.endswith(".svg")
        on_error = _svg_error if image else _shields_error
        # shields.json keeps schema violations as problems: its schema tells what is valid

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except Problem as problem:
                answer = on_error(request, problem)
                if answer is None:
                    raise
                return answer
            except RequestValidationError as error:
                answer = on_error(request, validation_problem(error)) if image else None
                if answer is None:
                    raise
                return answer

        return handle


router = APIRouter(prefix="/api/v1", tags=["embeds"], route_class=EmbedRoute)


def _svg_responses() -> dict[int | str, dict[str, Any]]:
    image = {"content": {SVG_MEDIA_TYPE: {"schema": {"type": "string"}}}}
    return {
        **conditional_responses(),
        200: image,
        404: {"description": "Not tracked (or no such package): a badge saying so.", **image},
        422: {"description": "An invalid parameter: a badge naming it.", **image},
    }


def _latest_value(
    context: ApiContext, subject: Subject, family: Family, package: PackageRef | None
) -> float | None:
    index = field_position(family, FAMILIES[family].headline)
    start = context.clock.now() - _BADGE_LOOKBACK
    for window_start in (start, None):
        series = context.store.read_series(
            subject.repo, family, start=window_start, package=package
        )
        known = [row[index] for row in series.rows if row[index] is not None]
        if known:
            return float(known[-1])
    return None


def _subject(context: ApiContext, owner: str, name: str, package_text: str | None) -> Subject:
    """The tracked subject of the path, after every parameter is checked (422 before 404)."""
    repo = repo_from_path(owner, name)
    if package_text is not None:
        package_from_text(package_text)
    return require_subject(context.store, repo)


def _badge_text(
    context: ApiContext, owner: str, name: str, family: Family, package_text: str | None
) -> tuple[str, str, str]:
    subject = _subject(context, owner, name, package_text)
    package = choose_package(subject, family, package_text)
    value = _latest_value(context, subject, family, package)
    badge = FAMILIES[family].badge
    if value is None:
        return badge.label, "no data", BADGE_COLORS["missing"]
    return badge.label, f"{compact_number(value)}{badge.suffix}", BADGE_COLORS["value"]


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
        subject = _subject(context, owner, name, package)
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
        field = FAMILIES[family].headline
        index = field_position(family, field)
        title = f"{subject.repo.full_name} — {field.replace('_', ' ')}"
        if chosen is not None:
            title += f" ({chosen})"
        return render_chart(
            [row[0] for row in rows],
            [row[index] for row in rows],
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
    response_model_exclude_none=True,
    responses=conditional_responses(404, 422),
    summary="shields.io endpoint badge",
)
def shields(
    request: Request,
    owner: AnyOwnerParameter,
    name: AnyNameParameter,
    context: Annotated[ApiContext, Depends(context_of)],
    family: Family = Family.STARS,
    package: PackageParameter = None,
) -> Response:
    """JSON for `https://img.shields.io/endpoint?url=…` (schemaVersion 1).

    An untracked or invalid repository answers 200 with shields.io's error document
    (`isError`), which shields.io shows as such (any other status shows as "inaccessible").
    A package the repository does not have is a 404 problem, a bad family or package a 422.
    """

    def render() -> str:
        label, message, color = _badge_text(context, owner, name, family, package)
        document = ShieldsOut(label=label, message=message, color=color.lstrip("#"))
        return document.model_dump_json(exclude_none=True)

    return _answer(request, "application/json", render)
