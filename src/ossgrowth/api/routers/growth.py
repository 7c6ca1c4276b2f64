"""``GET /api/v1/repos/{owner}/{name}/growth``: star, download and reach growth figures."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.errors import problem_responses
from ossgrowth.api.parameters import iso_utc, repo_from_path, require_subject
from ossgrowth.api.routers.common import NameParameter, OwnerParameter
from ossgrowth.api.schemas import GrowthFiguresOut, GrowthOut, PackageGrowthOut, ReachGrowthOut
from ossgrowth.metrics.growth import Growth, summarize_growth
from ossgrowth.metrics.registry import Family, history_notes
from ossgrowth.metrics.windowed_totals import total_counted_from, total_notes
from ossgrowth.model import Series

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["growth"])


_DECIMALS = 3


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, _DECIMALS)


def _figures(growth: Growth) -> dict[str, Any]:
    return {
        "as_of": iso_utc(growth.as_of) if growth.as_of else None,
        "current": growth.current,
        "per_day": {f"{days}d": _rounded(rate) for days, rate in growth.rate_per_day.items()},
        "week_over_week_percent": _rounded(growth.week_over_week_percent),
        "acceleration_per_day": _rounded(growth.acceleration_per_day),
        "next_milestone": growth.next_milestone,
        "next_milestone_at": iso_utc(growth.next_milestone_at)
        if growth.next_milestone_at
        else None,
    }


@router.get(
    "/repos/{owner}/{name}/growth",
    response_model=GrowthOut,
    responses=problem_responses(404, 422),
)
def growth(
    owner: OwnerParameter,
    name: NameParameter,
    context: Annotated[ApiContext, Depends(context_of)],
) -> GrowthOut:
    """Stars per day over 1/7/30/90 days, week-over-week %, acceleration and the next star
    milestone with its projected date; the same for each package's total downloads and for
    forks and watchers."""
    subject = require_subject(context.store, repo_from_path(owner, name))
    now = context.clock.now()
    stars = context.store.read_series(subject.repo, Family.STARS)
    reach = context.store.read_series(subject.repo, Family.REACH)
    downloads = []
    for package in subject.packages:
        series = context.store.read_series(subject.repo, Family.DOWNLOADS, package=package)
        observations = series.observations("total_downloads")
        figures = _figures(summarize_growth(observations, now))
        since = total_counted_from(series.rows)
        downloads.append(
            PackageGrowthOut(
                package=str(package),
                total_counted_from=None if since is None else since.isoformat(),
                notes=total_notes(since),
                **figures,
            )
        )
    return GrowthOut(
        repo=subject.repo.full_name,
        now=iso_utc(now),
        stars=_growth_of(stars, "star_count", now),
        downloads=downloads,
        reach=ReachGrowthOut(
            forks=_growth_of(reach, "forks", now),
            watchers=_growth_of(reach, "watchers", now),
            notes=history_notes(Family.REACH),
        ),
    )


def _growth_of(series: Series, name: str, now: datetime) -> GrowthFiguresOut:
    return GrowthFiguresOut(**_figures(summarize_growth(series.observations(name), now)))


def _no_history_note(name: str) -> str:
    return (
        f"{name}: nothing upstream keeps their past, so the figures start at the first measurement"
    )
