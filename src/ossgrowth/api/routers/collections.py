"""Collections of tracked repositories: list, get (with each member's overview row) and
compare, for everyone; make, rename, describe, add and remove members, delete with the admin
token (the guard of ``POST /api/v1/repos``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from ossgrowth.api.auth import admin_bearer, require_admin
from ossgrowth.api.cache import CachedBody
from ossgrowth.api.collection_schemas import (
    SLUG_PATTERN,
    MembersIn,
    RepoCollectionCompareOut,
    RepoCollectionDetailOut,
    RepoCollectionIn,
    RepoCollectionOut,
    RepoCollectionPatch,
    RepoCollectionsOut,
)
from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.errors import Problem, problem_responses
from ossgrowth.api.overview_query import load_overview
from ossgrowth.api.parameters import iso_utc, parse_range, repo_from_path, repo_from_text
from ossgrowth.api.representation import entity_tag, remember
from ossgrowth.api.routers.common import (
    FromParameter,
    MaxPointsParameter,
    NameParameter,
    OwnerParameter,
    ProvenanceParameter,
    ToParameter,
    conditional_responses,
    provenance_set,
)
from ossgrowth.api.routers.compare import MAX_COMPARED, compare_subjects
from ossgrowth.collection_names import (
    check_description,
    check_name,
    parse_slug,
    unknown_collection,
)
from ossgrowth.errors import InputError, UnknownName
from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.metrics.resample import Interval
from ossgrowth.model import Collection, RepoName
from ossgrowth.store import Store

__all__ = ["collection_out", "router", "write_router"]

router = APIRouter(prefix="/api/v1", tags=["collections"])
write_router = APIRouter(
    prefix="/api/v1",
    tags=["collections"],
    dependencies=[Depends(require_admin), Depends(admin_bearer)],
)

SlugParameter = Annotated[
    str,
    Path(
        description="The collection's slug (any case).",
        examples=["frontend"],
        max_length=64,
        json_schema_extra={"pattern": SLUG_PATTERN},
    ),
]


def collection_out(collection: Collection) -> RepoCollectionOut:
    """The API's view of a collection."""
    return RepoCollectionOut(
        slug=collection.slug,
        name=collection.name,
        description=collection.description,
        members=[repo.full_name for repo in collection.members],
        created_at=iso_utc(collection.created_at) if collection.created_at else None,
    )


def _slug(text: str) -> str:
    try:
        return parse_slug(text)
    except InputError as error:
        raise Problem(422, str(error), parameter="slug") from None


def _required(store: Store, text: str) -> Collection:
    slug = _slug(text)
    collection = store.get_collection(slug)
    if collection is None:
        raise Problem(404, str(unknown_collection(slug)))
    return collection


def _checked(check: Callable[[str], str], text: str, parameter: str) -> str:
    try:
        return check(text)
    except InputError as error:
        raise Problem(422, str(error), parameter=parameter) from None


def _answer(request: Request, document: RepoCollectionOut | RepoCollectionsOut) -> Response:
    """A JSON answer kept in the app's cache (writes clear it); browsers revalidate it."""
    body = document.model_dump_json().encode()
    return remember(request, CachedBody(body, "application/json", entity_tag(body)))


@router.get(
    "/collections",
    response_model=RepoCollectionsOut,
    responses=conditional_responses(),
    summary="Every collection of repositories",
)
def list_collections(
    request: Request, context: Annotated[ApiContext, Depends(context_of)]
) -> Response:
    """Every collection by slug, with its members by name."""
    collections = [collection_out(each) for each in context.store.list_collections()]
    return _answer(request, RepoCollectionsOut(collections=collections))


@router.get(
    "/collections/{slug}",
    response_model=RepoCollectionDetailOut,
    responses=conditional_responses(404, 422),
    summary="A collection, with each member's overview row",
)
def get_collection(
    request: Request, slug: SlugParameter, context: Annotated[ApiContext, Depends(context_of)]
) -> Response:
    """A collection and, for each member, what `GET /api/v1/overview` shows of it: its newest
    stars and their change over 1, 7 and 30 days, a sparkline, open issues and PRs, weekly
    downloads, where its collection and backfill stand."""
    collection = _required(context.store, slug)
    rows = load_overview(
        context.store, context.clock.now(), context.settings.zone, repos=collection.members
    ).items
    detail = RepoCollectionDetailOut(**collection_out(collection).model_dump(), overview=rows)
    return _answer(request, detail)


@router.get(
    "/collections/{slug}/compare",
    response_model=RepoCollectionCompareOut,
    responses=problem_responses(404, 422),
    summary="The members' series of one family, side by side",
)
def compare_collection(
    slug: SlugParameter,
    context: Annotated[ApiContext, Depends(context_of)],
    family: Family = Family.STARS,
    interval: Interval = Interval.DAY,
    align: Annotated[
        Literal["calendar", "age"],
        Query(description="calendar: real dates; age: each point also gets age_days since day 0."),
    ] = "calendar",
    repo: Annotated[
        list[str] | None,
        Query(
            max_length=MAX_COMPARED,
            description="Compare only these members (owner/name, repeatable, up to 10); "
            "default: the first 10 by name.",
        ),
    ] = None,
    start_text: FromParameter = None,
    to: ToParameter = None,
    max_points: MaxPointsParameter = None,
    provenance: ProvenanceParameter = None,
) -> RepoCollectionCompareOut:
    """`GET /api/v1/compare` over a collection's members: each member's series of `family`
    (downloads: its first package). At most 10 are compared, as `/compare` allows: the
    members named by `repo`, else the first 10 by name; `omitted` lists the members left out
    (and, for downloads, those without a package)."""
    collection = _required(context.store, slug)
    start, end = parse_range(start_text, to)
    members = list(collection.members)
    if repo:
        keys = {member.key: member for member in members}
        chosen: list[RepoName] = []
        for index, text in enumerate(repo):
            name = repo_from_text(text, f"repo.{index}")
            if name.key not in keys:
                raise Problem(
                    404, f"{name} is not in collection {collection.slug!r}", parameter="repo"
                )
            chosen.append(keys[name.key])
        members = list({member.key: member for member in chosen}.values())
    subjects = [
        subject
        for subject in (context.store.get_subject(member) for member in members)
        if subject is not None and (subject.packages or not FAMILIES[family].per_package)
    ]
    compared = subjects[:MAX_COMPARED]
    shown = {subject.repo.key for subject in compared}
    answer = compare_subjects(
        context.store,
        compared,
        family=family,
        interval=interval,
        align=align,
        start=start,
        end=end,
        max_points=max_points,
        provenance=provenance_set(provenance),
    )
    return RepoCollectionCompareOut(
        **answer.model_dump(),
        collection=collection.slug,
        omitted=[m.full_name for m in collection.members if m.key not in shown],
    )


@write_router.post(
    "/collections",
    status_code=201,
    response_model=RepoCollectionOut,
    responses=problem_responses(400, 401, 409, 422),
)
def create_collection(
    body: RepoCollectionIn, context: Annotated[ApiContext, Depends(context_of)]
) -> RepoCollectionOut:
    """Make an empty collection (admin); 409 when its slug is taken."""
    slug = _slug(body.slug)
    name = _checked(check_name, body.name, "name")
    description = _checked(check_description, body.description, "description")
    if context.store.get_collection(slug) is not None:
        raise Problem(409, f"there is a collection {slug!r} already", parameter="slug")
    try:
        made = context.store.create_collection(
            slug, name=name, description=description, created_at=context.clock.now()
        )
    except InputError as error:  # made by another request since
        raise Problem(409, str(error), parameter="slug") from None
    context.cache.clear()
    return collection_out(made)


@write_router.patch(
    "/collections/{slug}",
    response_model=RepoCollectionOut,
    responses=problem_responses(400, 401, 404, 422),
)
def update_collection(
    slug: SlugParameter,
    body: RepoCollectionPatch,
    context: Annotated[ApiContext, Depends(context_of)],
) -> RepoCollectionOut:
    """Rename or re-describe a collection (admin); its slug stays."""
    collection = _required(context.store, slug)
    name = None if body.name is None else _checked(check_name, body.name, "name")
    description = (
        None
        if body.description is None
        else _checked(check_description, body.description, "description")
    )
    updated = _or_404(
        lambda: context.store.update_collection(collection.slug, name=name, description=description)
    )
    context.cache.clear()
    return collection_out(updated)


@write_router.put(
    "/collections/{slug}/members",
    response_model=RepoCollectionOut,
    responses=problem_responses(400, 401, 404, 422),
)
def add_members(
    slug: SlugParameter, body: MembersIn, context: Annotated[ApiContext, Depends(context_of)]
) -> RepoCollectionOut:
    """Add tracked repositories to a collection (admin); those in it already stay once. A
    repository that is not tracked is a 422 naming it, and then none is added."""
    collection = _required(context.store, slug)
    repos = [repo_from_text(text, f"repos.{index}") for index, text in enumerate(body.repos)]
    for index, repo in enumerate(repos):
        if context.store.get_subject(repo) is None:
            raise Problem(
                422,
                f"{repo} is not tracked, so it cannot join a collection; track it first",
                parameter=f"repos.{index}",
            )
    updated = _or_404(lambda: context.store.add_collection_members(collection.slug, repos))
    context.cache.clear()
    return collection_out(updated)


@write_router.delete(
    "/collections/{slug}/members/{owner}/{name}",
    status_code=204,
    responses=problem_responses(401, 404, 422),
)
def remove_member(
    slug: SlugParameter,
    owner: OwnerParameter,
    name: NameParameter,
    context: Annotated[ApiContext, Depends(context_of)],
) -> Response:
    """Take a repository out of a collection (admin); it stays tracked. 404 when it is not a
    member."""
    collection = _required(context.store, slug)
    repo = repo_from_path(owner, name)
    if repo.key not in {member.key for member in collection.members}:
        raise Problem(404, f"{repo} is not in collection {collection.slug!r}")
    _or_404(lambda: context.store.remove_collection_members(collection.slug, [repo]))
    context.cache.clear()
    return Response(status_code=204)


@write_router.delete(
    "/collections/{slug}", status_code=204, responses=problem_responses(401, 404, 422)
)
def delete_collection(
    slug: SlugParameter, context: Annotated[ApiContext, Depends(context_of)]
) -> Response:
    """Delete a collection (admin); its members stay tracked, their data untouched."""
    found = _slug(slug)
    if not context.store.delete_collection(found):
        raise Problem(404, str(unknown_collection(found)))
    context.cache.clear()
    return Response(status_code=204)


_T = TypeVar("_T")


def _or_404(change: Callable[[], _T]) -> _T:
    """Run a store change; a collection deleted meanwhile is a 404."""
    try:
        return change()
    except UnknownName as error:
        raise Problem(404, str(error)) from None
