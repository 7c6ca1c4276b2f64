"""``GET /api/v1/compare``: several repositories' series of one family in one call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.errors import Problem, problem_responses
from ossgrowth.api.parameters import iso_utc, parse_range, repo_from_text, require_subject
from ossgrowth.api.representation import point_records
from ossgrowth.api.routers.common import (
    FromParameter,
    MaxPointsParameter,
    ProvenanceParameter,
    ToParameter,
    provenance_set,
)
from ossgrowth.api.schemas import CompareOut, CompareSeriesOut
from ossgrowth.api.series_query import SeriesQuery, load_series
from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.metrics.resample import Interval
from ossgrowth.model import Provenance, Subject, from_epoch_seconds
from ossgrowth.store import Store

__all__ = ["MAX_COMPARED", "compare_subjects", "router"]

router = APIRouter(prefix="/api/v1", tags=["series"])

MAX_COMPARED = 10
_DAY_SECONDS = 86400


@router.get("/compare", response_model=CompareOut, responses=problem_responses(404, 422))
def compare(
    context: Annotated[ApiContext, Depends(context_of)],
    repo: Annotated[
        list[str],
        Query(
            min_length=1,
            max_length=MAX_COMPARED,
            description="owner/name; repeat for each repository (up to 10).",
            examples=[["vitejs/vite"]],
        ),
    ],
    family: Family = Family.STARS,
    interval: Interval = Interval.DAY,
    align: Annotated[
        Literal["calendar", "age"],
        Query(description="calendar: real dates; age: each point also gets age_days since day 0."),
    ] = "calendar",
    start_text: FromParameter = None,
    to: ToParameter = None,
    max_points: MaxPointsParameter = None,
    provenance: ProvenanceParameter = None,
) -> CompareOut:
    """Each repository's series (downloads: its first package), optionally aligned by age.

    Aligned by age, day 0 is a repository's first point — its creation once its star history
    has been reconstructed — and each point also carries `age_days`, the days since day 0.
    """
    start, end = parse_range(start_text, to)
    subjects = [
        require_subject(context.store, repo_from_text(text, f"repo.{index}"))
        for index, text in enumerate(repo)
    ]
    return compare_subjects(
        context.store,
        subjects,
        family=family,
        interval=interval,
        align=align,
        start=start,
        end=end,
        max_points=max_points,
        provenance=provenance_set(provenance),
    )


def compare_subjects(
    store: Store,
    subjects: Sequence[Subject],
    *,
    family: Family,
    interval: Interval,
    align: Literal["calendar", "age"],
    start: datetime | None,
    end: datetime | None,
    max_points: int | None,
    provenance: frozenset[Provenance] | None,
) -> CompareOut:
    """The comparison of ``subjects``' series of ``family`` (downloads: each one's first
    package; a subject without one is a 404), as ``GET /api/v1/compare`` answers it."""
    names = FAMILIES[family].field_names
    compared: list[CompareSeriesOut] = []
    for subject in subjects:
        package = None
        if FAMILIES[family].per_package:
            if not subject.packages:
                raise Problem(404, f"{subject.repo} has no packages, so no {family.value}")
            package = subject.packages[0]
        result = load_series(
            store,
            SeriesQuery(
                repo=subject.repo,
                family=family,
                package=package,
                start=start,
                end=end,
                interval=interval,
                max_points=max_points,
                provenance=provenance,
            ),
        )
        records = point_records(result.rows, names)
        day_zero = result.rows[0][0] if result.rows and align == "age" else None
        if day_zero is not None:
            for record in records:
                record["age_days"] = round((record["epoch_seconds"] - day_zero) / _DAY_SECONDS, 3)
        compared.append(
            CompareSeriesOut.model_validate(
                {
                    "repo": subject.repo.full_name,
                    "package": str(package) if package else None,
                    "day_zero": iso_utc(from_epoch_seconds(day_zero))
                    if day_zero is not None
                    else None,
                    "total_counted_from": result.total_counted_from.isoformat()
                    if result.total_counted_from
                    else None,
                    "notes": result.notes,
                    "points": records,
                }
            )
        )
    return CompareOut(
        family=family.value,
        interval=interval.value,
        align=align,
        fields=list(names),
        series=compared,
    )
