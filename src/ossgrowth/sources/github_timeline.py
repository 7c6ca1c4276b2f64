"""Pages of a repository's history from GitHub: issues, pull requests, stargazers, forks, star
weeks.

- Issues and pull requests (GraphQL, 100 a page, one state at a time, ordered by creation):
  ``createdAt``, ``closedAt`` and ``mergedAt`` of each. A connection can be read forwards
  (``first``/``after``) or backwards (``last``/``before``), so a long list can be read from both
  ends at once.
- Stargazers with ``starredAt`` and their account's ``createdAt`` (GraphQL, 100 a page; the
  user's field costs no extra point or request): since 2026-06-30 only for tokens of the
  repository's admins and collaborators; anyone else gets ``FORBIDDEN``, raised here as
  :class:`~ossgrowth.sources.github_stars.StargazersHidden`.
- Forks with ``createdAt`` (GraphQL, 100 a page, oldest first): public. The connection lists
  the forks that exist now, so a deleted fork is in no page (history rebuilt from these times
  misses it for the time it existed), and it lists direct forks only, while the page's
  ``forkCount`` counts the whole network (private forks and forks of forks too).
- Star history (REST ``/stargazers/history``, 30 weeks a page): public; pages are numbered, so
  once the first page names the last one the others can be fetched at once.

Every page also reports the repository's ``createdAt`` and the connection's ``totalCount``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import httpx

from ossgrowth.clock import Clock
from ossgrowth.errors import NotFound, SourceError
from ossgrowth.metrics.history import ItemTimes
from ossgrowth.model import RepoName
from ossgrowth.sources.github_rest import GITHUB_ACCEPT
from ossgrowth.sources.github_stars import (
    HISTORY_API_VERSION,
    MAX_HISTORY_PER_PAGE,
    StargazersHidden,
    WeeklyStars,
    parse_weekly,
)
from ossgrowth.sources.http import (
    DEFAULT_TIMEOUT_SECONDS,
    MAX_REDIRECTS,
    REDIRECTS,
    SourceHttp,
)
from ossgrowth.sources.parsing import (
    UnexpectedAnswer,
    as_epoch_seconds,
    as_int,
    as_list,
    as_object,
    as_str,
    as_timestamp,
    field,
)
from ossgrowth.sources.retry import DEFAULT_RETRY_POLICY, RetryPolicy
from ossgrowth.sources.tokens import Resource, TokenPool
from ossgrowth.sources.urls import last_page, repo_path

__all__ = [
    "PAGE_SIZE",
    "Direction",
    "ForkPage",
    "GitHubTimeline",
    "HistoryPage",
    "ItemKind",
    "ItemPage",
    "StarPage",
]

PAGE_SIZE = 100


class ItemKind(enum.StrEnum):
    """Which connection: issues or pull requests, with the states GraphQL knows for each."""

    ISSUES = "issues"
    PULL_REQUESTS = "pullRequests"

    @property
    def states(self) -> tuple[str, ...]:
        return ("OPEN", "CLOSED") if self is ItemKind.ISSUES else ("OPEN", "CLOSED", "MERGED")


class Direction(enum.StrEnum):
    """Read a connection from its start (``first``/``after``) or its end (``last``/``before``)."""

    FORWARD = "forward"
    BACKWARD = "backward"


@dataclass(frozen=True, slots=True)
class ItemPage:
    """One page of issues or pull requests in one state."""

    created_at: datetime
    """The repository's creation."""
    total: int
    items: tuple[tuple[int, ItemTimes], ...]
    """(number, times) of each item."""
    next_cursor: str | None
    """Where the next page in the same direction starts; ``None`` at the end."""
    last_updated_at: int | None = None
    """The latest ``updatedAt`` on the page (epoch seconds)."""


@dataclass(frozen=True, slots=True)
class StarPage:
    """One page of stargazers: when each star still held was given."""

    created_at: datetime
    total: int
    starred_at: tuple[int, ...]
    """Epoch seconds."""
    next_cursor: str | None
    account_created_at: tuple[int | None, ...] = ()
    """Epoch seconds of each stargazer's account creation, in the order of ``starred_at``
    (``None`` where GitHub shows no user)."""


@dataclass(frozen=True, slots=True)
class ForkPage:
    """One page of forks: when each fork that still exists was made."""

    created_at: datetime
    """The repository's creation."""
    total: int
    """Forks the connection lists (``totalCount``): direct forks that exist now."""
    fork_count: int
    """``forkCount`` at the same moment: the whole network, so it can be above ``total``."""
    forked_at: tuple[int, ...]
    """Epoch seconds of each fork's ``createdAt``, oldest first."""
    next_cursor: str | None
    """Where the next page in the same direction starts; ``None`` at the end."""


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """One page of ``/stargazers/history`` and how many pages there are."""

    weeks: tuple[WeeklyStars, ...]
    last_page: int


_PAGE_ARGUMENTS = "first: $first, last: $last, after: $after, before: $before"
_PAGE_VARIABLES = "$first: Int, $last: Int, $after: String, $before: String"
_PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"


def _items_query(kind: ItemKind) -> str:
    issues = kind is ItemKind.ISSUES
    state_type = "IssueState" if issues else "PullRequestState"
    merged = "" if issues else " mergedAt"
    filter_variable = ", $since: DateTime" if issues else ""
    filter_argument = ", filterBy: {since: $since}" if issues else ""
    return (
        f"query Timeline($owner: String!, $name: String!, $states: [{state_type}!], "
        f"$order: IssueOrderField!{filter_variable}, {_PAGE_VARIABLES}) {{\n"
        "  rateLimit { cost remaining resetAt }\n"
        "  repository(owner: $owner, name: $name) {\n    createdAt\n"
        f"    items: {kind.value}(states: $states, {_PAGE_ARGUMENTS}{filter_argument}, "
        "orderBy: {field: $order, direction: ASC}) {\n"
        f"      totalCount\n      {_PAGE_INFO}\n"
        f"      nodes {{ number createdAt updatedAt closedAt{merged} }}\n    }}\n  }}\n}}"
    )


_STARS_QUERY = (
    f"query Stargazers($owner: String!, $name: String!, {_PAGE_VARIABLES}) {{\n"
    "  rateLimit { cost remaining resetAt }\n"
    "  repository(owner: $owner, name: $name) {\n    createdAt\n"
    f"    stargazers({_PAGE_ARGUMENTS}, orderBy: {{field: STARRED_AT, direction: ASC}}) {{\n"
    f"      totalCount\n      {_PAGE_INFO}\n      edges {{ starredAt node {{ createdAt }} }}\n"
    "    }\n  }\n}"
)


_FORKS_QUERY = (
    f"query Forks($owner: String!, $name: String!, {_PAGE_VARIABLES}) {{\n"
    "  rateLimit { cost remaining resetAt }\n"
    "  repository(owner: $owner, name: $name) {\n    createdAt\n    forkCount\n"
    f"    forks({_PAGE_ARGUMENTS}, orderBy: {{field: CREATED_AT, direction: ASC}}) {{\n"
    f"      totalCount\n      {_PAGE_INFO}\n      nodes {{ createdAt }}\n    }}\n  }}\n}}"
)


class GitHubTimeline:
    """Paged history of repositories from GitHub's GraphQL and REST APIs.

    Args:
        graphql_url: ``https://api.github.com/graphql`` (used only with a token).
        rest_url: ``https://api.github.com``.
        clock: times rate-limit resets.
        tokens: the token pool shared with other GitHub clients.
        transport: an httpx transport (tests, the simulator); default the network.
        retry: retry bounds, sleeper and jitter seed.
    """

    def __init__(
        self,
        graphql_url: str,
        rest_url: str,
        *,
        clock: Clock,
        tokens: TokenPool,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy = DEFAULT_RETRY_POLICY,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self._tokens = tokens
        self._graphql, self._rest = (
            SourceHttp(
                "GitHub",
                url,
                clock=clock,
                transport=transport,
                tokens=tokens,
                retry=retry,
                timeout_seconds=timeout_seconds,
                headers={"Accept": accept},
            )
            for url, accept in ((graphql_url, "application/json"), (rest_url, GITHUB_ACCEPT))
        )

    async def aclose(self) -> None:
        """Close the connections."""
        await self._graphql.aclose()
        await self._rest.aclose()

    @property
    def requests_sent(self) -> int:
        """HTTP requests made so far, retries included."""
        return self._graphql.requests_sent + self._rest.requests_sent

    @property
    def history_requests_sent(self) -> int:
        """REST requests made so far (star history pages)."""
        return self._rest.requests_sent

    @property
    def has_graphql(self) -> bool:
        """GraphQL needs a token; without one only the star history can be read."""
        return not self._tokens.anonymous

    def budget_left(self) -> int | None:
        """Requests (REST) plus points (GraphQL) the pool is known to have left."""
        return self._tokens.remaining()

    async def items(
        self,
        repo: RepoName,
        kind: ItemKind,
        state: str,
        direction: Direction,
        cursor: str | None,
        *,
        updated_since: datetime | None = None,
    ) -> ItemPage:
        """One page of ``kind`` in ``state``, read in ``direction`` from ``cursor``.

        Items come by creation; with ``updated_since`` (issues only: GitHub's pull request
        connection has no ``filterBy``) only items updated since then, by ``updatedAt``.

        Raises:
            NotFound: no such repository, or private to this token.
        """
        variables: dict[str, object] = {
            "states": [state],
            "order": "CREATED_AT",
            **_paging(direction, cursor),
        }
        if updated_since is not None:
            if kind is not ItemKind.ISSUES:
                raise ValueError("only issues can be filtered by updatedAt")
            variables["order"] = "UPDATED_AT"
            variables["since"] = updated_since.strftime("%Y-%m-%dT%H:%M:%SZ")
        node = await self._query(repo, _items_query(kind), variables)
        connection = as_object(field(node, "items", "the repository"), "the item connection")
        rows = as_list(field(connection, "nodes", "the connection"), "the items")
        items = tuple(_item(row) for row in rows)
        updated = [
            as_epoch_seconds(field(as_object(r, "an item"), "updatedAt", "an item"), "updatedAt")
            for r in rows
        ]
        return ItemPage(
            created_at=as_timestamp(field(node, "createdAt", "the repository"), "createdAt"),
            total=as_int(field(connection, "totalCount", "the connection"), "totalCount"),
            items=items,
            next_cursor=_next(connection, direction),
            last_updated_at=max(updated, default=None),
        )

    async def stargazers(
        self, repo: RepoName, direction: Direction, cursor: str | None
    ) -> StarPage:
        """One page of stargazers with ``starredAt`` and their accounts' ``createdAt``.

        Raises:
            StargazersHidden: the token may not list them (GitHub's 2026 rule).
            NotFound: no such repository.
        """
        node = await self._query(repo, _STARS_QUERY, _paging(direction, cursor))
        connection = as_object(field(node, "stargazers", "the repository"), "stargazers")
        edges = [
            as_object(edge, "an edge")
            for edge in as_list(field(connection, "edges", "stargazers"), "the stargazer edges")
        ]
        return StarPage(
            created_at=as_timestamp(field(node, "createdAt", "the repository"), "createdAt"),
            total=as_int(field(connection, "totalCount", "stargazers"), "totalCount"),
            starred_at=tuple(
                as_epoch_seconds(field(edge, "starredAt", "edge"), "starredAt") for edge in edges
            ),
            next_cursor=_next(connection, direction),
            account_created_at=tuple(_account_created_at(edge) for edge in edges),
        )

    async def forks(self, repo: RepoName, direction: Direction, cursor: str | None) -> ForkPage:
        """One page of forks with ``createdAt``, oldest first within the page.

        Read ``FORWARD`` from ``None`` for the oldest forks first, ``BACKWARD`` from ``None``
        for the newest; pass the page's ``next_cursor`` (same direction) for the next page.

        Raises:
            NotFound: no such repository, or private to this token.
        """
        node = await self._query(
            repo, _FORKS_QUERY, _paging(direction, cursor), forbidden_means_hidden_stars=False
        )
        connection = as_object(field(node, "forks", "the repository"), "forks")
        rows = as_list(field(connection, "nodes", "forks"), "the forks")
        return ForkPage(
            created_at=as_timestamp(field(node, "createdAt", "the repository"), "createdAt"),
            total=as_int(field(connection, "totalCount", "forks"), "totalCount"),
            fork_count=as_int(field(node, "forkCount", "the repository"), "forkCount"),
            forked_at=tuple(
                as_epoch_seconds(field(as_object(r, "a fork"), "createdAt", "a fork"), "createdAt")
                for r in rows
            ),
            next_cursor=_next(connection, direction),
        )

    async def history(self, repo: RepoName, page: int) -> HistoryPage:
        """Page ``page`` of ``/stargazers/history`` (30 weeks, newest first).

        Raises:
            NotFound: no such repository (or GitHub has no star history endpoint).
        """
        target = f"/repos/{repo_path(repo)}/stargazers/history"
        params: dict[str, str | int] | None = {"per_page": MAX_HISTORY_PER_PAGE, "page": page}
        for _ in range(MAX_REDIRECTS + 1):
            reply = await self._rest.send(
                "GET", target, params=params, headers={"X-GitHub-Api-Version": HISTORY_API_VERSION}
            )
            if reply.status not in REDIRECTS:
                break
            target, params = self._rest.redirect_target(reply, str(repo)), None  # renamed
        if reply.status != 200:
            raise self._rest.error(reply, f"star history of {repo}")
        rows = as_list(reply.body, f"the star history of {repo}")
        weeks = tuple(parse_weekly(row, f"a star history row of {repo}") for row in rows)
        return HistoryPage(weeks, last_page(reply.headers.get("link")) or page)

    async def _query(
        self,
        repo: RepoName,
        query: str,
        variables: dict[str, object],
        *,
        forbidden_means_hidden_stars: bool = True,
    ) -> Mapping[str, object]:
        """The ``repository`` of one query's answer, retried on transient per-field errors.

        ``FORBIDDEN`` is GitHub's 2026 stargazer rule (:class:`StargazersHidden`) unless
        ``forbidden_means_hidden_stars`` is false: then it is a plain :class:`SourceError`.
        """
        payload = {
            "query": query,
            "variables": {"owner": repo.owner, "name": repo.name, **variables},
        }
        problem = "no answer"
        for attempt in range(1, self._graphql.retry.max_attempts + 1):
            if attempt > 1:
                await self._graphql.pause(attempt - 1)
            reply = await self._graphql.send(
                "POST", "", resource=Resource.GRAPHQL, json_body=payload
            )
            if reply.status != 200:
                raise self._graphql.error(reply, f"the history query for {repo}")
            body = as_object(reply.body, "the GraphQL answer")
            errors = [as_object(e, "an error") for e in as_list(body.get("errors", []), "errors")]
            kinds = {str(error.get("type", "")) for error in errors}
            problem = "; ".join(str(error.get("message", ""))[:160] for error in errors)
            if "NOT_FOUND" in kinds:
                raise NotFound(f"GitHub has no repository {repo}, or it is private to this token")
            if "FORBIDDEN" in kinds and not forbidden_means_hidden_stars:
                raise SourceError(f"GitHub refused the history query for {repo}: {problem}")
            if "FORBIDDEN" in kinds:
                raise StargazersHidden(
                    f"GitHub will not list the stargazers of {repo} to this token: since "
                    "GitHub's 2026 rule only the repository's admins and collaborators can"
                )
            if "RATE_LIMITED" in kinds or "RATE_LIMIT" in kinds:
                if reply.grant is not None:
                    self._tokens.exhaust(reply.grant, Resource.GRAPHQL, None)
                continue
            data = body.get("data")
            if isinstance(data, Mapping) and not errors:
                return as_object(data.get("repository"), "the repository")
            if "data" not in body and not kinds & {"SERVICE_UNAVAILABLE", ""}:
                raise SourceError(f"GitHub refused the history query for {repo}: {problem}")
        raise SourceError(f"GitHub kept failing the history query for {repo}: {problem}")


def _paging(direction: Direction, cursor: str | None) -> dict[str, object]:
    if direction is Direction.FORWARD:
        return {"first": PAGE_SIZE, "after": cursor}
    return {"last": PAGE_SIZE, "before": cursor}


def _next(connection: Mapping[str, object], direction: Direction) -> str | None:
    info = as_object(field(connection, "pageInfo", "the connection"), "pageInfo")
    if direction is Direction.FORWARD:
        more, cursor = field(info, "hasNextPage", "pageInfo"), info.get("endCursor")
    else:
        more, cursor = field(info, "hasPreviousPage", "pageInfo"), info.get("startCursor")
    if more is not True or cursor is None:
        return None
    return as_str(cursor, "a cursor")


def _account_created_at(edge: Mapping[str, object]) -> int | None:
    """The stargazer's account creation (epoch seconds), or ``None`` without a user."""
    user = edge.get("node")
    if user is None:
        return None
    created = as_object(user, "a stargazer").get("createdAt")
    return None if created is None else as_epoch_seconds(created, "a stargazer's createdAt")


def _item(value: object) -> tuple[int, ItemTimes]:
    row = as_object(value, "an item")

    def moment(key: str) -> int | None:
        found = row.get(key)
        return None if found is None else as_epoch_seconds(found, key)

    created = moment("createdAt")
    if created is None:
        raise UnexpectedAnswer("an item has no createdAt")
    return as_int(field(row, "number", "an item"), "number"), ItemTimes(
        created, moment("closedAt"), moment("mergedAt")
    )
