"""The compatibility API: the seed's paths, with its field names and ours.

Read paths (``GET /api/star-history``, ``/api/pr-velocity``, ``/api/issue-health``,
``/api/package-downloads``) return arrays, oldest first, whose records carry both the
document's field names and the ones the seed's implementation returned (``count``,
``displayTimestamp``, ``date``, ``open_count`` …), one record per day (PRs, issues) or per week
(downloads) as its page expects. ``?repo=owner/name`` picks the repository; without it, the
first tracked one (by name). ``GET /api/stars`` answers ``{"count": N, …}`` and needs ``repo``,
as the seed did. ``GET``/``POST /api/collection-repos`` list and add tracked repositories.

What the seed got wrong is not reproduced: times are true UTC, and a ratio whose divisor is 0
is ``null``, not 0. Conventions of these paths (``{"error": …}`` bodies, CORS for any origin,
``OPTIONS``) are :class:`~ossgrowth.api.seed_conventions.SeedConventions`'. New clients should
use ``/api/v1``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from ossgrowth.api import patterns
from ossgrowth.api.auth import admin_bearer, require_admin
from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.errors import Problem, problem_responses
from ossgrowth.api.parameters import iso_utc, repo_from_text, require_subject
from ossgrowth.api.schemas import CompatRecord
from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.metrics.windowed_totals import WINDOWED_TOTAL_SOURCES
from ossgrowth.model import PackageRef, Subject, from_epoch_seconds
from ossgrowth.tracking import track_repository

__all__ = ["router", "write_router"]

router = APIRouter(prefix="/api", tags=["compatibility"])
write_router = APIRouter(
    prefix="/api",
    tags=["compatibility"],
    dependencies=[Depends(require_admin), Depends(admin_bearer)],
)

RepoQuery = Annotated[
    str | None,
    Query(max_length=300, description="owner/name; default: the first tracked repository."),
]
_SEED_NAMES = {
    Family.PRS: {"open_prs": "open_count", "merged_prs": "merged_count"},
    Family.ISSUES: {"open_issues": "open_count", "closed_issues": "closed_count"},
}
"""The seed implementation's names of our fields, given beside them."""


def _subject(context: ApiContext, repo: str | None) -> Subject:
    if repo is not None:
        return require_subject(context.store, repo_from_text(repo))
    subjects = context.store.list_subjects()
    if not subjects:
        raise Problem(404, "no repository is tracked yet")
    return subjects[0]


def _display(moment: datetime, context: ApiContext) -> str:
    """``August 3, 2025 at 04:15 AM`` in the configured time zone (the seed's page format)."""
    local = moment.astimezone(context.settings.zone)
    return f"{local:%B} {local.day}, {local:%Y} at {local:%I:%M %p}"


def _period(family: Family, moment: datetime) -> str:
    """The day (PRs, issues) or the Monday of the week (downloads) a record stands for."""
    day = moment.date()
    if family is Family.DOWNLOADS:
        day -= timedelta(days=day.weekday())
    return day.isoformat()


def _records(context: ApiContext, subject: Subject, family: Family) -> list[dict[str, Any]]:
    names = FAMILIES[family].field_names
    packages: tuple[PackageRef | None, ...] = (
        subject.packages if FAMILIES[family].per_package else (None,)
    )
    records: list[dict[str, Any]] = []
    for package in packages:
        series = context.store.read_series(subject.repo, family, package=package)
        kept: dict[str, dict[str, Any]] = {}  # one per day or week: the last, as the page did
        for row in series.rows:
            moment = from_epoch_seconds(row[0])
            values = dict(zip(names, row[1 : 1 + len(names)], strict=True))
            record: dict[str, Any] = {"repo": subject.repo.full_name, "timestamp": iso_utc(moment)}
            if package is not None:
                record["package"] = str(package)
            record.update(values)
            if family is Family.STARS:
                record["count"] = values["star_count"]
                record["displayTimestamp"] = _display(moment, context)
                records.append(record)
                continue
            for ours, theirs in _SEED_NAMES.get(family, {}).items():
                record[theirs] = values[ours]
            if family is Family.DOWNLOADS:
                record["week_start"] = _period(family, moment)
                record["downloads"] = values["weekly_downloads"]
                if row[-1] in WINDOWED_TOTAL_SOURCES:  # say it on the record: not all-time
                    record["total_downloads_window"] = WINDOWED_TOTAL_SOURCES[row[-1]]
            else:
                record["date"] = _period(family, moment)
            kept[_period(family, moment)] = record
        records.extend(kept.values())
    return records


_RESPONSES = problem_responses(404, 422)


@router.get("/stars", response_model=CompatRecord, responses=problem_responses(400, 404, 422))
def stars(
    context: Annotated[ApiContext, Depends(context_of)], repo: RepoQuery = None
) -> dict[str, Any]:
    """The newest star count of a repository: `{"count": N, "star_count": N, "repo",
    "timestamp"}` (`repo` is required, as it was; 404 before its first point)."""
    if repo is None:
        raise Problem(400, "Missing repo parameter", parameter="repo")
    newest = _records(context, _subject(context, repo), Family.STARS)[-1:]
    if not newest:
        raise Problem(404, f"{repo} has no star count yet")
    record = newest[0]
    return {key: record[key] for key in ("count", "star_count", "repo", "timestamp")}


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


class CollectionReposOut(BaseModel):
    """The tracked repositories, as the seed listed them."""

    repositories: list[str]
    environment: str


class RepoIn(BaseModel):
    """The seed's body of a write: the repository."""

    repo: str | None = Field(
        None,
        max_length=300,
        examples=["vitejs/vite"],
        description="owner/name (a github.com URL is accepted too)",
        json_schema_extra={"pattern": patterns.REPO},
    )


class AddedOut(BaseModel):
    """The seed's answer to adding a repository."""

    success: bool
    message: str
    repo: str


@router.get("/collection-repos", response_model=CollectionReposOut)
def collection_repos(context: Annotated[ApiContext, Depends(context_of)]) -> CollectionReposOut:
    """Every tracked repository (`owner/name`) and the environment."""
    return CollectionReposOut(
        repositories=[subject.repo.full_name for subject in context.store.list_subjects()],
        environment=context.store.environment,
    )


@write_router.post(
    "/collection-repos", response_model=AddedOut, responses=problem_responses(400, 401, 422)
)
def add_collection_repo(
    body: RepoIn, context: Annotated[ApiContext, Depends(context_of)]
) -> AddedOut:
    """Track a repository (admin, as `POST /api/v1/repos`) and queue its history's backfill."""
    if not body.repo:
        raise Problem(400, "Missing repo parameter", parameter="repo")
    repo = repo_from_text(body.repo)
    added = track_repository(context.store, context.clock, repo).subject
    if context.background is not None:
        context.background.tracked()
    context.cache.clear()
    name = added.repo.full_name
    return AddedOut(
        success=True, message=f"Repository {name} added to automated collection", repo=name
    )
