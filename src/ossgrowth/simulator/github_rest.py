"""The simulated GitHub REST API: repositories, issues, pulls, stargazers, star history, limits.

Paths are served both as ``/repos/{owner}/{repo}/…`` and ``/repositories/{id}/…`` (where
GitHub's ``Link`` headers and redirects point). An old name of a renamed repository answers
301 to the ``/repositories/{id}`` form, whatever the sub-path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ossgrowth.simulator.entities import ItemState, SimRepo
from ossgrowth.simulator.github_bodies import (
    DOCS,
    error_body,
    issue_body,
    pull_body,
    repo_body,
    timestamp,
    user_body,
)
from ossgrowth.simulator.github_gate import Caller, GitHubGate
from ossgrowth.simulator.pagination import Page, link_header, page_request
from ossgrowth.simulator.ratelimit import Budget
from ossgrowth.simulator.star_history import weekly_rows
from ossgrowth.simulator.views import RepoView, ViewCache

__all__ = ["GitHubRest"]

_STATES = {
    "open": (ItemState.OPEN,),
    "closed": (ItemState.CLOSED, ItemState.MERGED),
    "all": tuple(ItemState),
}
_DEEPEST_STARGAZER = 40_000
"""GitHub stops listing stargazers past the 40,000th (422 "pagination is limited")."""
_HISTORY_MAX_PAGE = 100
_STAR_MEDIA_TYPES = ("application/vnd.github.star+json", "application/vnd.github.v3.star+json")

Handler = Callable[[Request, Caller, RepoView], Response]


class _Refusal(Exception):
    """An answer that ends a request early (a 4xx with GitHub's body)."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("message"))
        self.status = status
        self.body = body


class GitHubRest:
    """Route handlers over one gate and one view cache."""

    def __init__(self, gate: GitHubGate, views: ViewCache) -> None:
        self.gate = gate
        self.views = views
        self._handlers: dict[str, tuple[str, Handler]] = {
            "": ("GET /repos/{owner}/{repo}", self._repository),
            "issues": ("GET /repos/{owner}/{repo}/issues", self._issues),
            "pulls": ("GET /repos/{owner}/{repo}/pulls", self._pulls),
            "stargazers": ("GET /repos/{owner}/{repo}/stargazers", self._stargazers),
            "stargazers/history": ("GET /repos/{owner}/{repo}/stargazers/history", self._history),
        }

    def routes(self) -> list[Route]:
        """The REST routes, to mount at the root of the app."""
        return [
            Route("/rate_limit", self._rate_limit, methods=["GET"]),
            Route("/repos/{owner}/{name}", self._by_name, methods=["GET"]),
            Route("/repos/{owner}/{name}/{rest:path}", self._by_name, methods=["GET"]),
            Route("/repositories/{repository_id:int}", self._by_id, methods=["GET"]),
            Route("/repositories/{repository_id:int}/{rest:path}", self._by_id, methods=["GET"]),
        ]

    # Dispatch ----------------------------------------------------------------------------------

    async def _by_name(self, request: Request) -> Response:
        rest = request.path_params.get("rest", "").strip("/")
        endpoint, handler = self._handlers.get(rest, ("GET (unknown)", _unknown))
        caller = self._admit(request, endpoint)
        if isinstance(caller, Response):
            return caller
        found = self.gate.world.resolve(request.path_params["owner"], request.path_params["name"])
        if found is None:
            return self._not_found(request, endpoint, caller, rest)
        repo, renamed = found
        if renamed:
            return self._moved(request, endpoint, caller, repo, rest)
        return self._serve(request, endpoint, caller, repo, handler)

    async def _by_id(self, request: Request) -> Response:
        rest = request.path_params.get("rest", "").strip("/")
        endpoint, handler = self._handlers.get(rest, ("GET (unknown)", _unknown))
        caller = self._admit(request, endpoint)
        if isinstance(caller, Response):
            return caller
        repo = self.gate.world.repo_by_id(request.path_params["repository_id"])
        if repo is None:
            return self._not_found(request, endpoint, caller, rest)
        return self._serve(request, endpoint, caller, repo, handler)

    def _admit(self, request: Request, endpoint: str) -> Caller | Response:
        caller = self.gate.identify(request, endpoint)
        if isinstance(caller, Response):
            return caller
        refusal = self.gate.refuse_if_exhausted(request, endpoint, caller, "core")
        return caller if refusal is None else refusal

    def _serve(
        self, request: Request, endpoint: str, caller: Caller, repo: SimRepo, handler: Handler
    ) -> Response:
        now = self.gate.clock.now()
        if repo.created_at > now:
            return self._not_found(request, endpoint, caller, "")
        try:
            return handler(request, caller, self.views.view(repo, now))
        except _Refusal as refusal:
            return self.gate.reply(request, endpoint, caller, refusal.body, status=refusal.status)

    def _not_found(self, request: Request, endpoint: str, caller: Caller, rest: str) -> Response:
        documentation = {
            "": "repos/repos#get-a-repository",
            "issues": "issues/issues#list-repository-issues",
            "pulls": "pulls/pulls#list-pull-requests",
            "stargazers": "activity/starring#list-stargazers",
            "stargazers/history": "activity/starring#get-star-history",
        }.get(rest)
        url = f"{DOCS}/rest/{documentation}" if documentation else f"{DOCS}/rest"
        body = error_body("Not Found", url, 404)
        return self.gate.reply(request, endpoint, caller, body, status=404)

    def _moved(
        self, request: Request, endpoint: str, caller: Caller, repo: SimRepo, rest: str
    ) -> Response:
        location = f"{_base(request)}/repositories/{repo.database_id}"
        if rest:
            location += f"/{rest}"
        if request.url.query:
            location += f"?{request.url.query}"
        body = {
            "message": "Moved Permanently",
            "url": location,
            "documentation_url": f"{DOCS}/v3/#http-redirects",
        }
        return self.gate.reply(
            request, endpoint, caller, body, status=301, headers={"location": location}
        )

    # Resources -----------------------------------------------------------------------------------

    def _repository(self, request: Request, caller: Caller, view: RepoView) -> Response:
        body = repo_body(
            _base(request),
            view.repo,
            stars=view.truth.star_count,
            open_items=view.open_items,
            forks=view.truth.forks,
            watchers=view.truth.watchers,
            updated_at=view.updated_at,
        )
        last_modified = view.updated_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
        return self.gate.reply(
            request, "GET /repos/{owner}/{repo}", caller, body,
            headers={"last-modified": last_modified},
        )  # fmt: skip

    def _issues(self, request: Request, caller: Caller, view: RepoView) -> Response:
        query = dict(request.query_params)
        items = view.items("all", _state(query, "Issue"), *_order(query, "Issue"))
        since = _since(query)
        if since is not None:
            items = [item for item in items if item.updated_at_at(view.at) >= since]
        return self._page_of(
            request, caller, view, "issues", "GET /repos/{owner}/{repo}/issues", len(items),
            lambda page: [issue_body(_base(request), view.repo, item, view.at)
                          for item in items[page.start : page.start + page.size]],
        )  # fmt: skip

    def _pulls(self, request: Request, caller: Caller, view: RepoView) -> Response:
        query = dict(request.query_params)
        items = view.items("pull", _state(query, "PullRequest"), *_order(query, "PullRequest"))
        return self._page_of(
            request, caller, view, "pulls", "GET /repos/{owner}/{repo}/pulls", len(items),
            lambda page: [pull_body(_base(request), view.repo, item, view.at)
                          for item in items[page.start : page.start + page.size]],
        )  # fmt: skip

    def _stargazers(self, request: Request, caller: Caller, view: RepoView) -> Response:
        endpoint = "GET /repos/{owner}/{repo}/stargazers"
        config = self.gate.world.config
        if view.at >= config.stargazer_list_restricted_from:
            if not caller.authenticated:
                body = error_body(
                    "Requires authentication", f"{DOCS}/rest/activity/starring#list-stargazers", 401
                )
                return self.gate.plain(request, endpoint, caller, 401, body)
            if not self.gate.world.is_collaborator(caller.token or "", view.repo.full_name):
                raise _Refusal(
                    404,
                    error_body("Not Found", f"{DOCS}/rest/activity/starring#list-stargazers", 404),
                )
        with_dates = any(kind in request.headers.get("accept", "") for kind in _STAR_MEDIA_TYPES)
        base = _base(request)

        def rows(page: Page) -> list[dict[str, Any]]:
            chosen = view.stars[page.start : page.start + page.size]
            if with_dates:
                return [
                    {
                        "starred_at": timestamp(star.starred_at),
                        "user": user_body(base, star.user_id),
                    }
                    for star in chosen
                ]
            return [user_body(base, star.user_id) for star in chosen]

        media = "github.v3; param=star; format=json" if with_dates else "github.v3; format=json"
        return self._page_of(
            request, caller, view, "stargazers", endpoint, len(view.stars), rows,
            deepest_item=_DEEPEST_STARGAZER, media_type=media,
        )  # fmt: skip

    def _history(self, request: Request, caller: Caller, view: RepoView) -> Response:
        if view.at < self.gate.world.config.stargazer_history_from:
            raise _Refusal(404, error_body("Not Found", f"{DOCS}/rest", 404))
        weeks = weekly_rows(view.stars, view.repo.created_at, view.at)
        return self._page_of(
            request, caller, view, "stargazers/history",
            "GET /repos/{owner}/{repo}/stargazers/history", len(weeks),
            lambda page: weeks[page.start : page.start + page.size],
            max_size=30, max_page=_HISTORY_MAX_PAGE,
        )  # fmt: skip

    def _page_of(
        self,
        request: Request,
        caller: Caller,
        view: RepoView,
        path: str,
        endpoint: str,
        total: int,
        rows: Callable[[Page], list[Any]],
        *,
        max_size: int = 100,
        max_page: int | None = None,
        deepest_item: int | None = None,
        media_type: str = "github.v3; format=json",
    ) -> Response:
        query = dict(request.query_params)
        page = page_request(query, max_size=max_size)
        if deepest_item is not None:
            max_page = max(1, deepest_item // page.size)
        if max_page is not None and page.number > max_page:
            raise _Refusal(422, _pagination_limited())
        list_url = f"{_base(request)}/repositories/{view.repo.database_id}/{path}"
        link = link_header(list_url, query, page, total, max_page)
        return self.gate.reply(
            request, endpoint, caller, rows(page),
            headers={"link": link} if link else None, media_type=media_type,
        )  # fmt: skip

    async def _rate_limit(self, request: Request) -> Response:
        endpoint = "GET /rate_limit"
        caller = self.gate.identify(request, endpoint)
        if isinstance(caller, Response):
            return caller
        now = self.gate.clock.now()
        core = self.gate.budget(caller, "core", now)
        graphql = self.gate.budget(caller, "graphql", now)
        body = {"resources": _resources(core, graphql, now), "rate": _bucket(core)}
        return self.gate.plain(
            request, endpoint, caller, 200, body, core,
            headers={"x-github-media-type": "github.v3; format=json"},
        )  # fmt: skip


def _unknown(request: Request, caller: Caller, view: RepoView) -> Response:
    raise _Refusal(404, error_body("Not Found", f"{DOCS}/rest", 404))


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _validation_failed(resource: str, field: str, value: str) -> dict[str, Any]:
    return {
        "message": "Validation Failed",
        "errors": [{"value": value, "resource": resource, "field": field, "code": "invalid"}],
        "documentation_url": f"{DOCS}/rest",
        "status": "422",
    }


def _pagination_limited() -> dict[str, Any]:
    message = (
        "In order to keep the API fast for everyone, pagination is limited for this resource. "
        "Check the rel=last link relation in the Link response header to see how far back you "
        "can traverse."
    )
    return error_body(message, f"{DOCS}/v3/#pagination", 422)


def _state(query: dict[str, str], resource: str) -> tuple[ItemState, ...]:
    state = query.get("state", "open")
    if state not in _STATES:
        raise _Refusal(422, _validation_failed(resource, "state", state))
    return _STATES[state]


def _order(query: dict[str, str], resource: str) -> tuple[str, bool]:
    sort = query.get("sort", "created")
    if sort not in {"created", "updated", "comments", "popularity", "long-running"}:
        raise _Refusal(422, _validation_failed(resource, "sort", sort))
    direction = query.get("direction", "desc")
    if direction not in {"asc", "desc"}:
        raise _Refusal(422, _validation_failed(resource, "direction", direction))
    return ("updated" if sort == "updated" else "created"), direction == "desc"


def _since(query: dict[str, str]) -> datetime | None:
    text = query.get("since")
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _Refusal(422, _validation_failed("Issue", "since", text)) from None
    if moment.tzinfo is None:
        raise _Refusal(422, _validation_failed("Issue", "since", text))
    return moment


def _bucket(budget: Budget) -> dict[str, int]:
    return {
        "limit": budget.limit,
        "used": budget.used,
        "remaining": budget.remaining,
        "reset": budget.reset_epoch_seconds,
    }


def _resources(core: Budget, graphql: Budget, now: datetime) -> dict[str, dict[str, int]]:
    """The ``resources`` object of ``GET /rate_limit``: live core and graphql, the rest idle."""
    hour = int(now.timestamp()) + 3600
    minute = int(now.timestamp()) + 60
    idle = {
        "search": (30, minute),
        "integration_manifest": (5000, hour),
        "source_import": (100, minute),
        "code_scanning_upload": (1000, hour),
        "code_scanning_autofix": (10, minute),
        "actions_runner_registration": (10000, hour),
        "scim": (15000, hour),
        "dependency_snapshots": (100, minute),
        "audit_log": (1750, hour),
        "audit_log_streaming": (15, hour),
        "code_search": (10, minute),
    }
    resources = {"core": _bucket(core)}
    for name, (limit, reset) in idle.items():
        resources[name] = _bucket(Budget(name, limit, 0, reset))
        if name == "search":
            resources["graphql"] = _bucket(graphql)
    return resources
