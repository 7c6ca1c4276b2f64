"""Leaderboards: ``GET /api/v1/leaderboard``, a collection's, and a collection's rank badge.

Rankings are made by :func:`ossgrowth.leaderboards.build_leaderboard` (the method is in
docs/metrics.md); this module turns parameters into its arguments and its answer into JSON,
CSV or a badge (``#3 in Frontend this month``).
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from ossgrowth.api.cache import CachedBody
from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.errors import Problem
from ossgrowth.api.parameters import iso_utc, parse_moment, repo_from_path
from ossgrowth.api.representation import CSV_MEDIA_TYPE, entity_tag, remember, wants_csv
from ossgrowth.api.routers.common import (
    CACHE_CONTROL,
    FormatParameter,
    NameParameter,
    OwnerParameter,
    conditional_responses,
)
from ossgrowth.api.routers.embeds import EMBED_CACHE_CONTROL, EmbedRoute
from ossgrowth.charts import BADGE_COLORS, render_badge
from ossgrowth.errors import InputError, UnknownName
from ossgrowth.leaderboards import MAX_LIMIT, Leaderboard, build_leaderboard, rankable_field
from ossgrowth.metrics.leaderboard import RankBy, Reading, Standing, Window
from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.model import from_epoch_seconds

__all__ = ["CSV_COLUMNS", "badge_router", "router"]

router = APIRouter(prefix="/api/v1", tags=["leaderboards"])
badge_router = APIRouter(prefix="/api/v1", tags=["embeds"], route_class=EmbedRoute)

CSV_COLUMNS = (
    "rank",
    "previous_rank",
    "rank_change",
    "repo",
    "package",
    "value",
    "start_value",
    "gain",
    "relative_gain",
    "score",
    "age_days",
    "provenance",
    "start_at",
    "end_at",
)
_SVG_MEDIA_TYPE = "image/svg+xml"

FieldParameter = Annotated[
    str | None,
    Query(
        max_length=64,
        description="The field ranked (a count or a window, not a ratio); default: the "
        "family's headline (star_count, weekly_downloads …).",
        examples=["star_count"],
    ),
]
LimitParameter = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"At most this many entries (1–{MAX_LIMIT}).")
]
AsOfParameter = Annotated[
    str | None,
    Query(
        max_length=40,
        description="The window's end: a date (its start) or ISO-8601 datetime; default: now.",
        examples=["2026-03-01"],
    ),
]
SlugParameter = Annotated[
    str, Path(max_length=64, description="The collection's slug.", examples=["frontend"])
]
WindowParameter = Annotated[Window, Query(description="7d, 30d, 90d or 1y, ending at `as_of`.")]
ByParameter = Annotated[
    RankBy,
    Query(description="gain, relative (gain ÷ start value) or score (docs/metrics.md)."),
]


class LeaderboardPointOut(BaseModel):
    at: str = Field(description="When the point was observed (ISO-8601 UTC).")
    value: float | None
    provenance: str = Field(description="measured, reconstructed or estimated.")


class LeaderboardEntryOut(BaseModel):
    rank: int
    previous_rank: int | None = Field(description="The rank over the window before.")
    rank_change: int | None = Field(description="previous_rank − rank: places gained.")
    repo: str
    package: str | None = Field(description="The package, for downloads; else null.")
    value: float | None = Field(description="The value at the window's end.")
    start_value: float | None = Field(description="The value at the window's start.")
    gain: float | None
    relative_gain: float | None = Field(description="gain ÷ start_value; null from 0.")
    score: float | None = Field(description="The growth score (docs/metrics.md).")
    age_days: float = Field(description="Days from the series' first point to the end.")
    provenance: list[str]
    points: list[LeaderboardPointOut] = Field(description="The start point, then the end.")


class LeaderboardOut(BaseModel):
    family: str
    field: str
    window: str
    by: str
    collection: str | None
    collection_name: str | None
    as_of: str
    ranked: int = Field(description="How many series were ranked (entries are the first).")
    provenance: list[str] = Field(description="How the entries' points were known.")
    entries: list[LeaderboardEntryOut]


@router.get(
    "/leaderboard",
    response_model=LeaderboardOut,
    responses=conditional_responses(404, 422, csv=True),
    summary="Repositories ranked by growth over a window",
)
def leaderboard(
    request: Request,
    context: Annotated[ApiContext, Depends(context_of)],
    family: Family = Family.STARS,
    field: FieldParameter = None,
    window: WindowParameter = Window.MONTH,
    by: ByParameter = RankBy.SCORE,
    collection: Annotated[
        str | None,
        Query(max_length=64, description="Rank only this collection's members (its slug)."),
    ] = None,
    limit: LimitParameter = 50,
    as_of: AsOfParameter = None,
    format: FormatParameter = None,
) -> Response:
    """Every tracked repository (a collection's members with `collection`) ranked by its
    gain, relative gain or growth score over the window; downloads per package.

    Each entry has its rank over the window before and the points it was computed from, with
    their provenance: a ranking from reconstructed points says so.
    """
    board = _board(context, family, field, window, by, collection, limit, as_of, "collection")
    return _answer(request, board, wants_csv(request, format))


@router.get(
    "/collections/{slug}/leaderboard",
    response_model=LeaderboardOut,
    responses=conditional_responses(404, 422, csv=True),
    summary="A collection's members ranked by growth over a window",
)
def collection_leaderboard(
    request: Request,
    slug: SlugParameter,
    context: Annotated[ApiContext, Depends(context_of)],
    family: Family = Family.STARS,
    field: FieldParameter = None,
    window: WindowParameter = Window.MONTH,
    by: ByParameter = RankBy.SCORE,
    limit: LimitParameter = 50,
    as_of: AsOfParameter = None,
    format: FormatParameter = None,
) -> Response:
    """The leaderboard of `/api/v1/leaderboard?collection={slug}`."""
    board = _board(context, family, field, window, by, slug, limit, as_of, "slug")
    return _answer(request, board, wants_csv(request, format))


@badge_router.get(
    "/collections/{slug}/badge/{owner}/{name}.svg",
    response_class=Response,
    responses={
        **conditional_responses(),
        200: {"content": {_SVG_MEDIA_TYPE: {"schema": {"type": "string"}}}},
        404: {"description": "No such collection, or the repository is not in it: a badge."},
        422: {"description": "An invalid parameter: a badge naming it."},
    },
    summary="SVG badge of a repository's rank in a collection",
)
def collection_badge(
    request: Request,
    slug: SlugParameter,
    owner: OwnerParameter,
    name: NameParameter,
    context: Annotated[ApiContext, Depends(context_of)],
    family: Family = Family.STARS,
    window: WindowParameter = Window.MONTH,
    by: ByParameter = RankBy.SCORE,
) -> Response:
    """A flat badge: `stars | #3 in Frontend this month` (the window is a trailing one:
    `this week` 7d, `this month` 30d, `this quarter` 90d, `this year` 1y)."""
    repo = repo_from_path(owner, name)
    board = _board(context, family, None, window, by, slug, None, None, "slug")
    assert board.collection is not None  # asked for by slug
    label = FAMILIES[family].badge.label
    standing = board.standing_of(repo)
    if standing is None:
        if repo.key not in {member.key for member in board.collection.members}:
            raise Problem(404, f"{repo} is not in the collection {board.collection.slug}")
        badge = render_badge(label, "no data", color=BADGE_COLORS["missing"])
    else:
        message = f"#{standing.rank} in {board.collection.name} {window.phrase}"
        badge = render_badge(label, message, color=BADGE_COLORS["value"])
    body = badge.encode()
    return remember(
        request, CachedBody(body, _SVG_MEDIA_TYPE, entity_tag(body), EMBED_CACHE_CONTROL)
    )


def _board(
    context: ApiContext,
    family: Family,
    field: str | None,
    window: Window,
    by: RankBy,
    collection: str | None,
    limit: int | None,
    as_of_text: str | None,
    collection_parameter: str,
) -> Leaderboard:
    """The leaderboard asked for, its input errors as problems naming their parameter."""
    as_of = parse_moment(as_of_text, "as_of") or context.clock.now()
    try:
        ranked_field = rankable_field(family, field)
    except InputError as error:
        raise Problem(422, str(error), parameter="field") from None
    try:
        return build_leaderboard(
            context.store,
            family,
            window=window,
            by=by,
            as_of=as_of,
            field=ranked_field,
            collection=collection,
            limit=limit,
        )
    except UnknownName as error:
        raise Problem(404, str(error), parameter=collection_parameter) from None
    except InputError as error:  # what is left: a slug that cannot be one, an as_of too early
        parameter = "as_of" if str(error).startswith("as_of") else collection_parameter
        raise Problem(422, str(error), parameter=parameter) from None


def _answer(request: Request, board: Leaderboard, as_csv: bool) -> Response:
    if as_csv:
        body = _csv(board).encode()
        return remember(request, CachedBody(body, CSV_MEDIA_TYPE, entity_tag(body), CACHE_CONTROL))
    body = orjson.dumps(document(board))
    return remember(request, CachedBody(body, "application/json", entity_tag(body), CACHE_CONTROL))


def document(board: Leaderboard) -> dict[str, Any]:
    """The JSON answer of a leaderboard."""
    return {
        "family": board.family.value,
        "field": board.field,
        "window": board.window.value,
        "by": board.by.value,
        "collection": board.collection.slug if board.collection else None,
        "collection_name": board.collection.name if board.collection else None,
        "as_of": iso_utc(board.as_of),
        "ranked": board.ranked,
        "provenance": list(board.provenance),
        "entries": [_entry(standing) for standing in board.standings],
    }


def _entry(standing: Standing) -> dict[str, Any]:
    figures = standing.figures
    return {
        "rank": standing.rank,
        "previous_rank": standing.previous_rank,
        "rank_change": standing.rank_change,
        "repo": standing.repo,
        "package": standing.package,
        "value": figures.end[1],
        "start_value": figures.start[1],
        "gain": figures.gain,
        "relative_gain": _rounded(figures.relative_gain, 6),
        "score": _rounded(figures.score, 4),
        "age_days": round(figures.age_days, 3),
        "provenance": list(standing.provenance),
        "points": [_point(reading) for reading in standing.points],
    }


def _point(reading: Reading) -> dict[str, Any]:
    return {"at": _at(reading[0]), "value": reading[1], "provenance": reading[2]}


def _at(epoch_seconds: int) -> str:
    return iso_utc(from_epoch_seconds(epoch_seconds))


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _csv(board: Leaderboard) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for standing in board.standings:
        entry = _entry(standing)
        cells = [entry[column] for column in CSV_COLUMNS[:11]]
        writer.writerow(
            [
                *("" if cell is None else cell for cell in cells),
                ";".join(entry["provenance"]),
                _at(standing.figures.start[0]),
                _at(standing.figures.end[0]),
            ]
        )
    return buffer.getvalue()
