"""``GET /api/v1/repos/{owner}/{name}/series/{family}``: one series, JSON or CSV."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response, StreamingResponse

from ossgrowth.api.cache import CachedBody
from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.parameters import choose_package, parse_range, repo_from_path, require_subject
from ossgrowth.api.plain_route import PlainParametersRoute
from ossgrowth.api.representation import (
    CSV_MEDIA_TYPE,
    csv_lines,
    entity_tag,
    point_records,
    remember,
    wants_csv,
)
from ossgrowth.api.routers.common import (
    CACHE_CONTROL,
    FormatParameter,
    FromParameter,
    MaxPointsParameter,
    NameParameter,
    OwnerParameter,
    PackageParameter,
    ProvenanceParameter,
    ToParameter,
    conditional_responses,
    provenance_set,
)
from ossgrowth.api.schemas import SeriesOut
from ossgrowth.api.series_query import SeriesQuery, SeriesResult, load_series
from ossgrowth.metrics.registry import FAMILIES, Family, FieldKind, history_notes
from ossgrowth.metrics.resample import Interval
from ossgrowth.store import Store
from ossgrowth.store.off_loop import read_off_loop

__all__ = ["AGGREGATION_RULES", "NOTE_HEADER", "STREAM_ABOVE_ROWS", "router"]

router = APIRouter(prefix="/api/v1", tags=["series"], route_class=PlainParametersRoute)

AGGREGATION_RULES = {
    FieldKind.COUNT: "last",
    FieldKind.WINDOW: "last",
    FieldKind.RATIO: "recomputed",
}
NOTE_HEADER = "Ossgrowth-Note"
"""Carries a series' ``notes`` on a CSV answer."""
STREAM_ABOVE_ROWS = 20_000
"""CSV of more rows is streamed (without an ETag) rather than rendered whole."""


@router.get(
    "/repos/{owner}/{name}/series/{family}",
    response_model=SeriesOut,
    responses=conditional_responses(404, 422, csv=True),
    summary="One family's series of one repository",
)
async def read_series(
    request: Request,
    owner: OwnerParameter,
    name: NameParameter,
    family: Family,
    context: Annotated[ApiContext, Depends(context_of)],
    start_text: FromParameter = None,
    to: ToParameter = None,
    interval: Interval = Interval.RAW,
    max_points: MaxPointsParameter = None,
    provenance: ProvenanceParameter = None,
    package: PackageParameter = None,
    format: FormatParameter = None,
) -> Response:
    """Points between `from` and `to`, raw or per interval, optionally downsampled.

    Per interval, counts and weekly downloads keep their last value, ratios are recomputed
    from the aggregated counts; an interval without observations is a gap (every field null).
    More rows than `max_points` are downsampled: each run of aligned time keeps its lowest and
    highest row and its first gap.
    """
    repo = repo_from_path(owner, name)
    start, end = parse_range(start_text, to)
    as_csv = wants_csv(request, format)
    loaded = await read_off_loop(
        _load,
        context.store,
        SeriesQuery(
            repo=repo,
            family=family,
            start=start,
            end=end,
            interval=interval,
            max_points=max_points,
            provenance=provenance_set(provenance),
        ),
        package,
    )
    rendered = _render(*loaded, as_csv)
    if not isinstance(rendered, CachedBody):
        return rendered
    return remember(request, rendered)


def _load(
    store: Store, asked: SeriesQuery, package: str | None
) -> tuple[SeriesQuery, SeriesResult]:
    """Read a series (in a worker thread: the store blocks); the query as answered."""
    subject = require_subject(store, asked.repo)
    package_ref = choose_package(subject, asked.family, package)
    query = replace(asked, repo=subject.repo, package=package_ref)
    return query, load_series(store, query)


def _render(
    query: SeriesQuery, result: SeriesResult, as_csv: bool
) -> CachedBody | StreamingResponse:
    """A loaded series as JSON or CSV (on the event loop: there is no waiting in it)."""
    family = query.family
    names = FAMILIES[family].field_names
    all_notes = [*result.notes, *history_notes(family)]
    notes = tuple((NOTE_HEADER, note) for note in all_notes)  # CSV has no room for them
    if as_csv and len(result.rows) > STREAM_ABOVE_ROWS:
        return StreamingResponse(
            csv_lines(result.rows, names),
            media_type=CSV_MEDIA_TYPE,
            headers={"Cache-Control": CACHE_CONTROL, "Vary": "Accept", **dict(notes)},
        )
    if as_csv:
        body = "".join(csv_lines(result.rows, names)).encode()
        return CachedBody(body, CSV_MEDIA_TYPE, entity_tag(body), CACHE_CONTROL, headers=notes)
    document = {
        "repo": query.repo.full_name,
        "family": family.value,
        "package": str(query.package) if query.package else None,
        "interval": query.interval.value,
        "fields": list(names),
        "aggregation": {
            field.name: AGGREGATION_RULES[field.kind] for field in FAMILIES[family].fields
        },
        "count": len(result.rows),
        "downsampled": result.downsampled,
        "total_counted_from": _day(result.total_counted_from),
        "notes": all_notes,
        "points": point_records(result.rows, names),
    }
    body = orjson.dumps(document)
    return CachedBody(body, "application/json", entity_tag(body), CACHE_CONTROL)


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
