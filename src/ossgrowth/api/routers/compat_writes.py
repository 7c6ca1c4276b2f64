"""The seed's writes: collect now, initialize a repository, reset staging from prod.

``POST /api/trigger-star-collection`` (and ``/api/manual-star-collection``),
``/api/trigger-pr-velocity``, ``/api/trigger-issue-health`` and
``/api/trigger-unified-collection`` collect their families now, of the repository the body
names (``{"repo": "owner/name"}``) or of every tracked one, and answer the seed's
``{"success", "message", "repo", <values>, "timestamp"}``; ``"success": false`` (with 200, as
the seed) when the collection could not run (GitHub unreachable, no budget) or some
repository failed. ``POST /api/initialize-repo`` tracks a repository GitHub knows, stores a
first point of each family and answers its values, or ``{"success": false, "error":
"Repository not found or not accessible"}`` (404) when GitHub does not know it (it is then
not tracked). ``POST /api/reset-staging-data`` (staging only)
replaces staging's data with a copy of prod's.

Unlike the seed's, they need the admin token (or, on a dev server on loopback, a request from
its machine), and each client may make :data:`WRITES_PER_MINUTE` of them a minute (429).
"""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from ossgrowth.api.auth import admin_bearer, require_admin
from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.errors import Problem, problem_responses
from ossgrowth.api.parameters import iso_utc, repo_from_text
from ossgrowth.api.routers.compat import RepoIn
from ossgrowth.collect import build_upstreams, collect_once
from ossgrowth.config import Environment
from ossgrowth.errors import OssgrowthError
from ossgrowth.metrics.registry import Family
from ossgrowth.model import Point, Series, Subject
from ossgrowth.store import ManagedStore, open_store
from ossgrowth.store.off_loop import off_loop
from ossgrowth.transfer import export_points, import_file
from ossgrowth.transfer.format import subject_series

__all__ = ["WRITES_PER_MINUTE", "router", "staging_router"]

WRITES_PER_MINUTE = 10
"""Writes a client (by address) may make on these paths a minute: each starts real work."""


class _PerClient:
    """Writes of each client address in the last minute (per process)."""

    def __init__(self) -> None:
        self._times: defaultdict[str, deque[float]] = defaultdict(deque)

    def __call__(self, request: Request) -> None:
        client = request.client.host if request.client else "unknown"
        now = time.monotonic()
        recent = self._times[client]
        while recent and now - recent[0] > 60:
            recent.popleft()
        if len(recent) >= WRITES_PER_MINUTE:
            raise Problem(
                429,
                f"more than {WRITES_PER_MINUTE} changes a minute from this client; wait a minute",
                headers={"Retry-After": "60"},
            )
        recent.append(now)


def _limit(request: Request) -> None:
    """The app's count of each client's writes (one per app: per process)."""
    limiter = getattr(request.app.state, "seed_writes", None)
    if limiter is None:
        limiter = request.app.state.seed_writes = _PerClient()
    limiter(request)


_GUARDS = [Depends(require_admin), Depends(admin_bearer), Depends(_limit)]
router = APIRouter(prefix="/api", tags=["compatibility"], dependencies=_GUARDS)
staging_router = APIRouter(prefix="/api", tags=["compatibility"], dependencies=_GUARDS)
_RESPONSES = problem_responses(400, 401, 404, 422, 429)

_FIELDS = {
    "star_count": "starCount",
    "open_prs": "openPRs",
    "merged_prs": "mergedPRs",
    "open_issues": "openIssues",
    "closed_issues": "closedIssues",
}
"""The seed's names of the values a write answers."""


class CollectedOut(BaseModel):
    """The seed's answer to a write: whether it worked, and the values collected."""

    model_config = ConfigDict(extra="allow")

    success: bool
    message: str
    repo: str | None = None


class ResetOut(BaseModel):
    """The seed's answer to a staging reset."""

    success: bool
    itemsCopied: int  # noqa: N815 - the seed's field name


class _CouldNotRun(Exception):
    """The collection could not run at all (an upstream unreachable, no budget left)."""


async def _collect(
    context: ApiContext, subjects: list[Subject], families: Collection[Family]
) -> tuple[list[Point], list[str]]:
    """Collect ``families`` of ``subjects`` now; the newest points of a single subject (none
    for several) and the failures.

    Raises:
        _CouldNotRun: with what stopped it, for the seed's ``"success": false`` answer.
    """
    try:
        async with build_upstreams(
            context.settings, context.clock, transport=context.upstream_transport
        ) as upstreams:
            result = await collect_once(
                context.store,
                upstreams,
                context.clock,
                families=families,
                job="collect:api",
                subjects=subjects,
            )
    except OssgrowthError as error:
        raise _CouldNotRun(f"the collection could not run: {error}") from None
    finally:
        context.cache.clear()
    newest = [] if len(subjects) != 1 else await off_loop(_newest, context, subjects[0], families)
    return newest, [f"{failure.subject}: {failure.message}" for failure in result.failures]


def _newest(context: ApiContext, subject: Subject, families: Collection[Family]) -> list[Point]:
    """The newest point of each series of ``subject`` in ``families`` (the values a write
    answers for one repository); none are read for a write of every repository."""
    current = context.store.get_subject(subject.repo) or subject  # its packages, as now
    newest: list[Point] = []
    for family, package in subject_series(current, families):
        series = context.store.read_series(current.repo, family, package=package)
        newest.extend(Series(series.repo, family, package, series.rows[-1:]).points())
    return newest


def _values(points: list[Point]) -> dict[str, Any]:
    return {
        _FIELDS[name]: value
        for point in points
        for name, value in point.values.items()
        if name in _FIELDS
    }


def _chosen(context: ApiContext, body: RepoIn | None) -> list[Subject]:
    if body is None or not body.repo:
        return context.store.list_subjects()
    repo = repo_from_text(body.repo)
    subject = context.store.get_subject(repo)
    if subject is None:
        raise Problem(404, f"{repo} is not tracked")
    return [subject]


def _trigger(families: Collection[Family], what: str) -> Any:
    async def trigger(
        context: Annotated[ApiContext, Depends(context_of)], body: RepoIn | None = None
    ) -> CollectedOut:
        subjects = await off_loop(_chosen, context, body)
        try:
            points, failures = await _collect(context, subjects, families)
        except _CouldNotRun as stopped:
            return CollectedOut(success=False, message=str(stopped), repo=body and body.repo)
        one = subjects[0].repo.full_name if body is not None and body.repo else None
        message = f"{what} collected for {one or f'{len(subjects)} repositories'}" + (
            f"; failed: {'; '.join(failures)}" if failures else ""
        )
        return CollectedOut(
            success=not failures,
            message=message,
            repo=one,
            timestamp=iso_utc(context.clock.now()),
            **(_values(points) if one else {}),
        )

    trigger.__doc__ = f"Collect {what} now, of the repository named or of every tracked one."
    return trigger


_TRIGGERS = {
    "/trigger-star-collection": ({Family.STARS}, "stars"),
    "/manual-star-collection": ({Family.STARS}, "stars"),
    "/trigger-pr-velocity": ({Family.PRS}, "PR velocity"),
    "/trigger-issue-health": ({Family.ISSUES}, "issue health"),
    "/trigger-unified-collection": (set(Family), "every family"),
}
for _path, (_families, _what) in _TRIGGERS.items():
    router.add_api_route(
        _path,
        _trigger(_families, _what),
        methods=["POST"],
        response_model=CollectedOut,
        responses=_RESPONSES,
        summary=f"Collect {_what} now (the seed's path)",
    )


@router.post("/initialize-repo", response_model=CollectedOut, responses=_RESPONSES)
async def initialize_repo(
    body: RepoIn, context: Annotated[ApiContext, Depends(context_of)]
) -> CollectedOut | JSONResponse:
    """Track a repository GitHub knows and store a first point of each family now."""
    if not body.repo:
        raise Problem(400, "Missing repo parameter", parameter="repo")
    repo = repo_from_text(body.repo)
    known = await off_loop(context.store.get_subject, repo)
    if known is None:
        subject = await off_loop(context.store.add_subject, repo, [], added_at=context.clock.now())
    else:
        subject = known
    try:
        points, failures = await _collect(context, [subject], set(Family))
    except _CouldNotRun as stopped:
        points, failures = [], [str(stopped)]
    if failures and not points:
        if known is None:
            await off_loop(context.store.remove_subject, subject.repo)
        missing = {"success": False, "error": "Repository not found or not accessible"}
        if not any("could not run" in failure for failure in failures):
            return JSONResponse(missing, status_code=404)
        return CollectedOut(
            success=False, message=failures[0], repo=subject.repo.full_name, error=failures[0]
        )
    return CollectedOut(
        success=True,
        message=f"Repository {subject.repo.full_name} initialized",
        repo=subject.repo.full_name,
        **_values(points),
    )


@staging_router.post("/reset-staging-data", response_model=ResetOut, responses=_RESPONSES)
async def reset_staging_data(context: Annotated[ApiContext, Depends(context_of)]) -> ResetOut:
    """Replace staging's data with a copy of prod's (staging only; prod is only read)."""
    copied = await off_loop(_copy_prod, context)
    return ResetOut(success=True, itemsCopied=copied)


def _copy_prod(context: ApiContext) -> int:
    settings = context.settings
    if settings.environment is not Environment.STAGING:
        raise Problem(404, "only staging is reset")
    prod: ManagedStore = open_store(settings.model_copy(update={"environment": Environment.PROD}))
    if not prod.is_current():
        raise Problem(503, "prod's store is not at this version's schema")
    try:
        with tempfile.TemporaryDirectory() as directory:
            copy = Path(directory) / "prod.jsonl"
            with copy.open("w", encoding="utf-8") as file, prod.snapshot():
                export_points(prod, file, context.clock)
            context.store.delete_all()
            result = import_file(context.store, copy, context.clock.now())
    finally:
        prod.close()
        context.cache.clear()
    return result.subjects + result.points
