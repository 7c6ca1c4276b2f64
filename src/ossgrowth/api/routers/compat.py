"""The compatibility API: the seed's read paths, with its field names.

``GET /api/stars`` (the newest star point), ``/api/star-history`` (every star point),
``/api/pr-velocity``, ``/api/issue-health`` and ``/api/package-downloads`` (every point, each
package's for downloads) return arrays of ``{repo, timestamp, …fields}``. ``?repo=owner/name``
picks the repository; without it, the first tracked one (by name). New clients should use
``/api/v1``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.errors import Problem, problem_responses
from ossgrowth.api.parameters import iso_utc, repo_from_text, require_subject
from ossgrowth.api.schemas import CompatRecord
from ossgrowth.metrics.coverage import WINDOWED_TOTAL_SOURCES
from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.model import Subject, from_epoch_seconds

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["compatibility"])

RepoQuery = Annotated[
    str | None,
    Query(max_length=300, description="owner/name; default: the first tracked repository."),
]


def _subject(context: ApiContext, repo: str | None) -> Subject:
    if repo is not None:
        return require_subject(context.store, repo_from_text(repo))
    subjects = context.store.list_subjects()
    if not subjects:
        raise Problem(404, "no repository is tracked yet")
    return subjects[0]


def _records(context: ApiContext, subject: Subject, family: Family) -> list[dict[str, Any]]:
    names = FAMILIES[family].field_names
    packages = subject.packages if FAMILIES[family].per_package else (None,)
    records: list[dict[str, Any]] = []
    for package in packages:
        series = context.store.read_series(subject.repo, family, package=package)
        for row in series.rows:
            record: dict[str, Any] = {
                "repo": subject.repo.full_name,
                "timestamp": iso_utc(from_epoch_seconds(row[0])),
            }
            if package is not None:
                record["package"] = str(package)
            record.update(zip(names, row[1 : 1 + len(names)], strict=True))
            if row[-1] in WINDOWED_TOTAL_SOURCES:  # say it on the record: not all-time
                record["total_downloads_window"] = WINDOWED_TOTAL_SOURCES[row[-1]]
            records.append(record)
    return records


_RESPONSES = problem_responses(404, 422)


@router.get("/stars", response_model=list[CompatRecord], responses=_RESPONSES)
def stars(
    context: Annotated[ApiContext, Depends(context_of)], repo: RepoQuery = None
) -> list[dict[str, Any]]:
    """The newest star count of a repository (an array of at most one record)."""
    return _records(context, _subject(context, repo), Family.STARS)[-1:]


@router.get("/star-history", response_model=list[CompatRecord], responses=_RESPONSES)
def star_history(
    context: Annotated[ApiContext, Depends(context_of)], repo: RepoQuery = None
) -> list[dict[str, Any]]:
    """Every star point of a repository, oldest first (`star_count`)."""
    return _records(context, _subject(context, repo), Family.STARS)


@router.get("/pr-velocity", response_model=list[CompatRecord], responses=_RESPONSES)
def pr_velocity(
    context: Annotated[ApiContext, Depends(context_of)], repo: RepoQuery = None
) -> list[dict[str, Any]]:
    """Every PR velocity point (`open_prs`, `merged_prs`, `ratio`)."""
    return _records(context, _subject(context, repo), Family.PRS)


@router.get("/issue-health", response_model=list[CompatRecord], responses=_RESPONSES)
def issue_health(
    context: Annotated[ApiContext, Depends(context_of)], repo: RepoQuery = None
) -> list[dict[str, Any]]:
    """Every issue health point (`open_issues`, `closed_issues`, `ratio`)."""
    return _records(context, _subject(context, repo), Family.ISSUES)


@router.get("/package-downloads", response_model=list[CompatRecord], responses=_RESPONSES)
def package_downloads(
    context: Annotated[ApiContext, Depends(context_of)], repo: RepoQuery = None
) -> list[dict[str, Any]]:
    """Every download point of each package (`package`, `weekly_downloads`, `total_downloads`)."""
    return _records(context, _subject(context, repo), Family.DOWNLOADS)
