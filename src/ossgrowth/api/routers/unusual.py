"""``GET /api/v1/repos/{owner}/{name}/unusual``: the days whose star gain is anomalous."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.errors import problem_responses
from ossgrowth.api.parameters import parse_range, repo_from_path, require_subject
from ossgrowth.api.routers.common import FromParameter, NameParameter, OwnerParameter, ToParameter
from ossgrowth.metrics.registry import Family
from ossgrowth.metrics.unusual import METHOD, NEW_ACCOUNT_DAYS, FlaggedDay
from ossgrowth.unusual_growth import read_unusual_growth

__all__ = ["FlaggedDayOut", "UnusualOut", "router"]

router = APIRouter(prefix="/api/v1", tags=["unusual growth"])

_DECIMALS = 3


class FlaggedDayOut(BaseModel):
    """A day whose gain is anomalous for the repository."""

    day: str = Field(description="The UTC day, YYYY-MM-DD.")
    gain: float = Field(description="Stars gained that day (net of stars taken back).")
    median: float = Field(description="Median daily gain of the 56 days before.")
    mad: float = Field(description="Median absolute deviation of those gains.")
    score: float = Field(description="The modified z-score; days above 3.5 are flagged.")
    kind: Literal["spike", "unusual"] = Field(
        description="'unusual': most of the day's stars came from very new accounts, well "
        "above the repository's usual share; else 'spike'. Never a verdict."
    )
    new_account_share: float | None = Field(
        None,
        description=f"Share of the day's listed stars from accounts created within "
        f"{NEW_ACCOUNT_DAYS} days before starring; null when not known.",
    )


class UnusualOut(BaseModel):
    """The flagged days of one repository."""

    repo: str
    family: str
    method: str = Field(description="How days are flagged and told apart.")
    account_age_test: Literal["run", "not_run"] = Field(
        description="Whether the stargazers' account ages could be looked at."
    )
    baseline_new_account_share: float | None = Field(
        None, description="Share of new accounts over the days that were not flagged."
    )
    notes: list[str] = Field(description="What the answer cannot tell, in words.")
    days: list[FlaggedDayOut]


FamilyParameter = Annotated[
    Literal["stars"],
    Query(description="The family whose days are flagged: stars only (see docs/metrics.md)."),
]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, _DECIMALS)


def _day(day: FlaggedDay) -> FlaggedDayOut:
    return FlaggedDayOut(
        day=day.day.isoformat(),
        gain=day.gain,
        median=day.median,
        mad=day.mad,
        score=round(day.score, _DECIMALS),
        kind=day.kind.value,
        new_account_share=_rounded(day.new_account_share),
    )


@router.get(
    "/repos/{owner}/{name}/unusual",
    response_model=UnusualOut,
    responses=problem_responses(404, 422),
)
def unusual(
    owner: OwnerParameter,
    name: NameParameter,
    context: Annotated[ApiContext, Depends(context_of)],
    family: FamilyParameter = "stars",
    start: FromParameter = None,
    to: ToParameter = None,
) -> UnusualOut:
    """Days whose star gain is anomalous for this repository (a modified z-score over the 56
    days before), each a ``spike`` or, when its stars came mostly from accounts created days
    before, ``unusual``. Flags are not verdicts."""
    subject = require_subject(context.store, repo_from_path(owner, name))
    first, last = parse_range(start, to)
    reversed_range = first is not None and last is not None and first > last
    found = read_unusual_growth(
        context.store,
        subject.repo,
        Family(family),
        first=None if first is None else first.date(),
        last=None if last is None else last.date(),
    )
    return UnusualOut(
        repo=subject.repo.full_name,
        family=family,
        method=METHOD,
        account_age_test=found.account_age_test.value,
        baseline_new_account_share=_rounded(found.baseline_new_account_share),
        notes=list(found.notes),
        days=[] if reversed_range else [_day(day) for day in found.days],
    )
