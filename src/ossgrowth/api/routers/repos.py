"""Tracked repositories: list, get; add and remove with the admin token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from ossgrowth.api.auth import admin_bearer, require_admin
from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.errors import NotTracked, Problem, problem_responses
from ossgrowth.api.parameters import iso_utc, repo_from_path, repo_from_text, require_subject
from ossgrowth.api.routers.common import NameParameter, OwnerParameter
from ossgrowth.api.schemas import (
    BackfillJobOut,
    BackfillOut,
    SubjectIn,
    SubjectOut,
    SubjectPage,
)
from ossgrowth.errors import InputError
from ossgrowth.model import Subject
from ossgrowth.names import parse_package
from ossgrowth.tracking import backfill_progress, track_repository

__all__ = ["router", "subject_out", "write_router"]

router = APIRouter(prefix="/api/v1", tags=["repositories"])
write_router = APIRouter(
    prefix="/api/v1",
    tags=["repositories"],
    dependencies=[Depends(require_admin), Depends(admin_bearer)],
)


def subject_out(subject: Subject) -> SubjectOut:
    """The API's view of a subject."""
    return SubjectOut(
        repo=subject.repo.full_name,
        owner=subject.repo.owner,
        name=subject.repo.name,
        packages=[str(package) for package in subject.packages],
        github_node_id=subject.github_node_id,
        added_at=iso_utc(subject.added_at) if subject.added_at else None,
        url=f"/api/v1/repos/{subject.repo.full_name}",
    )


@router.get("/repos", response_model=SubjectPage, responses=problem_responses(422))
def list_repos(
    request: Request,
    context: Annotated[ApiContext, Depends(context_of)],
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.")] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0,
) -> SubjectPage:
    """Tracked repositories by name, a page at a time, with their packages."""
    subjects = context.store.list_subjects()
    page = subjects[offset : offset + limit]
    following = offset + limit
    return SubjectPage(
        items=[subject_out(subject) for subject in page],
        total=len(subjects),
        limit=limit,
        offset=offset,
        next=f"/api/v1/repos?limit={limit}&offset={following}"
        if following < len(subjects)
        else None,
    )


@router.get(
    "/repos/{owner}/{name}", response_model=SubjectOut, responses=problem_responses(404, 422)
)
def get_repo(
    owner: OwnerParameter,
    name: NameParameter,
    context: Annotated[ApiContext, Depends(context_of)],
) -> SubjectOut:
    """One tracked repository and its packages."""
    return subject_out(require_subject(context.store, repo_from_path(owner, name)))


@router.get(
    "/repos/{owner}/{name}/backfill",
    response_model=BackfillOut,
    responses=problem_responses(404, 422),
)
def get_backfill(
    owner: OwnerParameter,
    name: NameParameter,
    context: Annotated[ApiContext, Depends(context_of)],
) -> BackfillOut:
    """How far the reconstruction of a repository's history has got, family by family.

    Tracking a repository queues one job per family; a server runs them (docs/history.md).
    """
    subject = require_subject(context.store, repo_from_path(owner, name))
    progress = backfill_progress(context.store, subject.repo, now=context.clock.now())
    jobs = [
        BackfillJobOut(
            family=each.family.value,
            status=each.job.status.value,
            running=each.running,
            pages_stored=each.pages_stored,
            method=each.job.method,
            message=each.job.message,
            since=each.job.since.isoformat() if each.job.since else None,
            enqueued_at=iso_utc(each.job.enqueued_at),
            finished_at=iso_utc(each.job.finished_at) if each.job.finished_at else None,
        )
        for each in progress.families
    ]
    return BackfillOut(repo=subject.repo.full_name, complete=progress.complete, jobs=jobs)


@write_router.post(
    "/repos",
    status_code=201,
    response_model=SubjectOut,
    responses=problem_responses(400, 401, 422),
)
def add_repo(subject: SubjectIn, context: Annotated[ApiContext, Depends(context_of)]) -> SubjectOut:
    """Track a repository and its packages (admin) and queue the backfill of its history.

    Tracking it again adds new packages. A server run by `ossgrowth serve` starts the backfill
    at once; `POST /api/v1/admin/backfill` runs queued backfills on any server.
    """
    repo = repo_from_text(subject.repo)
    packages = []
    for index, text in enumerate(subject.packages):
        try:
            packages.append(parse_package(text))
        except InputError as error:
            raise Problem(422, str(error), parameter=f"packages.{index}") from None
    tracked = track_repository(context.store, context.clock, repo, packages)
    if context.background is not None:
        context.background.tracked()
    context.cache.clear()
    return subject_out(tracked.subject)


@write_router.delete(
    "/repos/{owner}/{name}", status_code=204, responses=problem_responses(401, 404, 422)
)
def remove_repo(
    owner: OwnerParameter,
    name: NameParameter,
    context: Annotated[ApiContext, Depends(context_of)],
) -> Response:
    """Stop tracking a repository and delete its points (admin)."""
    repo = repo_from_path(owner, name)
    if not context.store.remove_subject(repo):
        raise NotTracked(repo)
    context.cache.clear()
    return Response(status_code=204)
