"""Resolvers of the simulated GitHub GraphQL API, table-driven per type and field.

Repositories resolve to :class:`~ossgrowth.simulator.views.RepoView` (the repository at the
request's moment), the forks listed under one to :class:`ForkNode`, issues and pull requests to
:class:`ItemNode`, users to :class:`UserNode`.
Errors raised here become GitHub-shaped entries (``type``, ``path``, ``locations``,
``message``) and null the nearest nullable parent, as GraphQL prescribes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

from graphql import GraphQLResolveInfo
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

from ossgrowth.clock import Clock
from ossgrowth.simulator.entities import ItemState, SimFork, SimIssue
from ossgrowth.simulator.github_bodies import repository_size_kb, timestamp
from ossgrowth.simulator.identifiers import (
    decode_cursor,
    encode_cursor,
    issue_node_id,
    login_for,
    node_kind,
    pull_request_node_id,
    repository_node_id,
    user_id_of,
    user_node_id,
)
from ossgrowth.simulator.ratelimit import Budget
from ossgrowth.simulator.views import RepoView, ViewCache
from ossgrowth.simulator.world import World

__all__ = [
    "RESOLVERS",
    "ForkNode",
    "GitHubError",
    "ItemNode",
    "QueryContext",
    "UserNode",
    "type_name_of",
]

WEB = "https://github.com"
MAX_PAGE = 100
MAX_IDS = 100


class GitHubError(Exception):
    """A field error carrying GitHub's ``type`` (``NOT_FOUND``, ``EXCESSIVE_PAGINATION`` …)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class QueryContext:
    """What every resolver of one request may read."""

    world: World
    views: ViewCache
    clock: Clock
    at: datetime
    token: str
    cost: int
    node_count: int
    budget: Budget


Info: TypeAlias = "GraphQLResolveInfo[QueryContext]"


@dataclass(frozen=True, slots=True)
class ItemNode:
    view: RepoView
    item: SimIssue


@dataclass(frozen=True, slots=True)
class ForkNode:
    """A fork listed in its parent's ``forks`` connection (a ``Repository`` of its own)."""

    parent: RepoView
    fork: SimFork


@dataclass(frozen=True, slots=True)
class UserNode:
    user_id: int
    login: str
    organization: bool = False


@dataclass(frozen=True, slots=True)
class Connection:
    """A page of a connection; ``rows`` is only computed when edges or nodes are asked for."""

    total: int
    start: int
    end: int
    rows: Callable[[int, int], Sequence[Any]]
    node_of: Callable[[Any], Any]
    starred_at_of: Callable[[Any], str | None] | None = None
    disk_usage_kb: int = 0
    """``totalDiskUsage`` of a repository connection: every listed repository's size."""


def type_name_of(value: Any, info: Info, abstract: Any) -> str:
    """Concrete GraphQL type of a resolved value, for ``Node`` and ``RepositoryOwner``."""
    if isinstance(value, RepoView | ForkNode):
        return "Repository"
    if isinstance(value, ItemNode):
        return "PullRequest" if value.item.is_pull_request else "Issue"
    if isinstance(value, UserNode):
        return "Organization" if value.organization else "User"
    raise TypeError(f"no GraphQL type for {type(value).__name__}")


def _context(info: Info) -> QueryContext:
    return info.context


# Query -------------------------------------------------------------------------------------


def _repository(_: None, info: Info, **arguments: Any) -> RepoView:
    context = _context(info)
    owner, name = arguments["owner"], arguments["name"]
    found = context.world.resolve(owner, name)
    follow_renames = arguments.get("followRenames", True)
    if found is None or (found[1] and not follow_renames) or found[0].created_at > context.at:
        raise GitHubError(
            "NOT_FOUND", f"Could not resolve to a Repository with the name '{owner}/{name}'."
        )
    return context.views.view(found[0], context.at)


def _node_or_error(context: QueryContext, node_id: str) -> Any:
    kind = node_kind(node_id)
    if kind == "Repository":
        repo = context.world.repo_by_node_id(node_id)
        if repo is not None and repo.created_at <= context.at:
            return context.views.view(repo, context.at)
    user_id = user_id_of(node_id) if kind == "User" else None
    if user_id is not None:
        return UserNode(user_id, login_for(user_id))
    return GitHubError(
        "NOT_FOUND", f"Could not resolve to a node with the global id of '{node_id}'."
    )


def _nodes(_: None, info: Info, ids: list[str]) -> list[Any]:
    if len(ids) > MAX_IDS:
        raise GitHubError(
            "ARGUMENT_LIMIT",
            f"You may not request more than {MAX_IDS} ids, but requested {len(ids)}.",
        )
    context = _context(info)
    return [_node_or_error(context, node_id) for node_id in ids]


def _node(_: None, info: Info, **arguments: Any) -> Any:
    found = _node_or_error(_context(info), arguments["id"])
    if isinstance(found, GitHubError):
        raise found
    return found


def _rate_limit(_: None, info: Info, **arguments: Any) -> dict[str, Any]:
    context = _context(info)
    budget = context.budget
    reset_at = datetime.fromtimestamp(budget.reset_epoch_seconds, context.at.tzinfo)
    return {
        "cost": context.cost,
        "limit": budget.limit,
        "nodeCount": context.node_count,
        "remaining": budget.remaining,
        "resetAt": timestamp(reset_at),
        "used": budget.used,
    }


# Connections -------------------------------------------------------------------------------


def _selected(info: Info, selection_set: SelectionSetNode | None) -> set[str]:
    names: set[str] = set()
    if selection_set is None:
        return names
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            names |= _selected(info, selection.selection_set)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = info.fragments.get(selection.name.value)
            names |= _selected(info, fragment.selection_set if fragment else None)
    return names


def _window(info: Info, total: int, arguments: dict[str, Any]) -> tuple[int, int]:
    """The slice ``[start, end)`` that first/last/after/before select, checked like GitHub."""
    name = info.field_name
    first, last = arguments.get("first"), arguments.get("last")
    wanted = set()
    for field_node in info.field_nodes:
        wanted |= _selected(info, field_node.selection_set)
    if first is None and last is None and wanted - {"totalCount", "__typename"}:
        raise GitHubError(
            "MISSING_PAGINATION_BOUNDARIES",
            f"You must provide a `first` or `last` value to properly paginate the `{name}` "
            "connection.",
        )
    for label, value in (("first", first), ("last", last)):
        if value is not None and value > MAX_PAGE:
            raise GitHubError(
                "EXCESSIVE_PAGINATION",
                f"Requesting {value} records on the `{name}` connection exceeds the `{label}` "
                f"limit of {MAX_PAGE} records.",
            )
        if value is not None and value < 0:
            raise GitHubError(
                "INVALID_PAGINATION", f"`{label}` on the `{name}` connection cannot be negative."
            )
    start, end = 0, total
    for label, bound in (("after", arguments.get("after")), ("before", arguments.get("before"))):
        if bound is None:
            continue
        try:
            position = decode_cursor(bound)
        except ValueError:
            raise GitHubError(
                "INVALID_CURSOR_ARGUMENTS", f"`{bound}` does not appear to be a valid cursor."
            ) from None
        if label == "after":
            start = min(total, position + 1)
        else:
            end = min(end, position)
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    return start, max(start, end)


def _connection_fields() -> dict[str, Callable[..., Any]]:
    def edges(connection: Connection, info: Info) -> list[dict[str, Any]]:
        rows = connection.rows(connection.start, connection.end)
        result = []
        for offset, row in enumerate(rows):
            edge = {
                "cursor": encode_cursor(connection.start + offset),
                "node": connection.node_of(row),
            }
            if connection.starred_at_of is not None:
                edge["starredAt"] = connection.starred_at_of(row)
            result.append(edge)
        return result

    def nodes(connection: Connection, info: Info) -> list[Any]:
        return [
            connection.node_of(row) for row in connection.rows(connection.start, connection.end)
        ]

    def page_info(connection: Connection, info: Info) -> dict[str, Any]:
        empty = connection.end <= connection.start
        return {
            "startCursor": None if empty else encode_cursor(connection.start),
            "endCursor": None if empty else encode_cursor(connection.end - 1),
            "hasNextPage": connection.end < connection.total,
            "hasPreviousPage": connection.start > 0,
        }

    return {
        "edges": edges,
        "nodes": nodes,
        "pageInfo": page_info,
        "totalCount": lambda connection, info: connection.total,
    }


_ORDER_FIELDS = {"CREATED_AT": "created", "UPDATED_AT": "updated", "COMMENTS": "created"}


def _items_connection(
    view: RepoView,
    info: Info,
    kind: str,
    states: list[str] | None,
    arguments: dict[str, Any],
) -> Connection:
    order = arguments.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
    filters = arguments.get("filterBy") or {}
    chosen = {ItemState(state) for state in (states or [])} or set(ItemState)
    if filters.get("states"):
        chosen &= {ItemState(state) for state in filters["states"]}
    items = view.items(kind, chosen, _ORDER_FIELDS[order["field"]], order["direction"] == "DESC")
    since = filters.get("since")
    if since:
        moment = datetime.fromisoformat(str(since).replace("Z", "+00:00"))
        if order["field"] == "UPDATED_AT" and order["direction"] == "ASC":  # sorted: bisect
            items = items[
                bisect_left(items, moment, key=lambda item: item.updated_at_at(view.at)) :
            ]
        else:
            items = [item for item in items if item.updated_at_at(view.at) >= moment]
    if arguments.get("labels") or filters.get("labels"):
        items = []  # simulated items carry no labels
    start, end = _window(info, len(items), arguments)
    return Connection(
        len(items), start, end, lambda low, high: items[low:high], lambda item: ItemNode(view, item)
    )


def _issues(view: RepoView, info: Info, **arguments: Any) -> Connection:
    return _items_connection(view, info, "issue", arguments.get("states"), arguments)


def _pull_requests(view: RepoView, info: Info, **arguments: Any) -> Connection:
    return _items_connection(view, info, "pull", arguments.get("states"), arguments)


def _stargazers(view: RepoView, info: Info, **arguments: Any) -> Connection:
    context = _context(info)
    if view.at >= context.world.config.stargazer_list_restricted_from and not (
        context.world.is_collaborator(context.token, view.repo.full_name)
    ):
        raise GitHubError(
            "FORBIDDEN",
            "Stargazer lists are only available to a repository's admins and collaborators.",
        )
    stars = view.stars
    order = arguments.get("orderBy") or {"direction": "ASC"}
    if order["direction"] == "DESC":
        stars = list(reversed(stars))
    start, end = _window(info, len(stars), arguments)
    return Connection(
        len(stars),
        start,
        end,
        lambda low, high: stars[low:high],
        lambda star: UserNode(star.user_id, login_for(star.user_id)),
        lambda star: timestamp(star.starred_at),
    )


def _forks(view: RepoView, info: Info, **arguments: Any) -> Connection:
    """The forks that exist at the moment. Ownership and privacy filters are accepted and not
    applied (every simulated fork is public and owned by its forker); every fork is untouched
    after it was made, so each order field sorts by creation (then id), as CREATED_AT does."""
    forks = view.forks
    order = arguments.get("orderBy") or {"direction": "ASC"}
    if order["direction"] == "DESC":
        forks = list(reversed(forks))
    start, end = _window(info, len(forks), arguments)
    return Connection(
        len(forks),
        start,
        end,
        lambda low, high: forks[low:high],
        lambda fork: ForkNode(view, fork),
        disk_usage_kb=sum(repository_size_kb(fork.database_id) for fork in forks),
    )


def _watchers(view: RepoView, info: Info, **arguments: Any) -> Connection:
    """The users watching at the moment, longest-watching first (GitHub keeps no times)."""
    watchers = view.watchers
    start, end = _window(info, len(watchers), arguments)
    return Connection(
        len(watchers),
        start,
        end,
        lambda low, high: watchers[low:high],
        lambda watcher: UserNode(watcher.user_id, login_for(watcher.user_id)),
    )


def _nothing(value: Any, info: Info, **arguments: Any) -> Connection:
    """An empty connection, paged and checked like any other."""
    start, end = _window(info, 0, arguments)
    return Connection(0, start, end, lambda low, high: [], lambda row: row)


# Objects ----------------------------------------------------------------------------------------


def _repository_fields() -> dict[str, Callable[..., Any]]:
    return {
        "createdAt": lambda view, info: timestamp(view.repo.created_at),
        "databaseId": lambda view, info: view.repo.database_id,
        "forkCount": lambda view, info: view.truth.forks,
        "forks": _forks,
        "id": lambda view, info: view.repo.node_id,
        "isArchived": lambda view, info: False,
        "isFork": lambda view, info: False,
        "issues": _issues,
        "name": lambda view, info: view.repo.name,
        "nameWithOwner": lambda view, info: view.repo.full_name,
        "owner": lambda view, info: UserNode(view.repo.owner_id, view.repo.owner, True),
        "primaryLanguage": lambda view, info: _language(view),
        "pullRequests": _pull_requests,
        "pushedAt": lambda view, info: timestamp(view.updated_at),
        "stargazerCount": lambda view, info: view.truth.star_count,
        "stargazers": _stargazers,
        "updatedAt": lambda view, info: timestamp(view.updated_at),
        "url": lambda view, info: f"{WEB}/{view.repo.full_name}",
        "watchers": _watchers,
    }


def _language(view: RepoView) -> dict[str, Any]:
    return {
        "name": view.repo.language,
        "id": f"MDg6TGFuZ3VhZ2U{len(view.repo.language)}",
        "color": None,
    }


def _fork_fields() -> dict[str, Callable[..., Any]]:
    """A fork as a ``Repository``: its parent's name and language under its forker, no stars,
    issues, forks or watchers of its own, never pushed to since it was made."""

    def full_name(node: ForkNode) -> str:
        return f"{login_for(node.fork.owner_id)}/{node.parent.repo.name}"

    return {
        "createdAt": lambda node, info: timestamp(node.fork.created_at),
        "databaseId": lambda node, info: node.fork.database_id,
        "forkCount": lambda node, info: 0,
        "forks": _nothing,
        "id": lambda node, info: repository_node_id(node.fork.database_id),
        "isArchived": lambda node, info: False,
        "isFork": lambda node, info: True,
        "issues": _nothing,
        "name": lambda node, info: node.parent.repo.name,
        "nameWithOwner": lambda node, info: full_name(node),
        "owner": lambda node, info: UserNode(node.fork.owner_id, login_for(node.fork.owner_id)),
        "primaryLanguage": lambda node, info: _language(node.parent),
        "pullRequests": _nothing,
        "pushedAt": lambda node, info: timestamp(node.fork.created_at),
        "stargazerCount": lambda node, info: 0,
        "stargazers": _nothing,
        "updatedAt": lambda node, info: timestamp(node.fork.created_at),
        "url": lambda node, info: f"{WEB}/{full_name(node)}",
        "watchers": _nothing,
    }


def _repositories() -> dict[str, Callable[..., Any]]:
    """``Repository`` fields, answered by the repository's view or by a listed fork."""

    def either(
        of_repository: Callable[..., Any], of_fork: Callable[..., Any]
    ) -> Callable[..., Any]:
        def resolve(value: Any, info: Info, **arguments: Any) -> Any:
            chosen = of_fork if isinstance(value, ForkNode) else of_repository
            return chosen(value, info, **arguments)

        return resolve

    forks = _fork_fields()
    return {name: either(resolve, forks[name]) for name, resolve in _repository_fields().items()}


def _item_fields(pull: bool) -> dict[str, Callable[..., Any]]:
    def node_id(node: ItemNode, info: Info) -> str:
        make = pull_request_node_id if pull else issue_node_id
        return make(node.view.repo.database_id, node.item.database_id)

    def state(node: ItemNode, info: Info) -> str:
        return node.item.state_at(node.view.at).value

    fields: dict[str, Callable[..., Any]] = {
        "closed": lambda node, info: node.item.closed_at_at(node.view.at) is not None,
        "closedAt": lambda node, info: timestamp(node.item.closed_at_at(node.view.at)),
        "createdAt": lambda node, info: timestamp(node.item.created_at),
        "databaseId": lambda node, info: node.item.database_id,
        "id": node_id,
        "number": lambda node, info: node.item.number,
        "repository": lambda node, info: node.view,
        "state": state,
        "title": lambda node, info: node.item.title,
        "updatedAt": lambda node, info: timestamp(node.item.updated_at_at(node.view.at)),
        "url": lambda node, info: (
            f"{WEB}/{node.view.repo.full_name}/{'pull' if pull else 'issues'}/{node.item.number}"
        ),
    }
    if pull:
        fields["merged"] = lambda node, info: node.item.merged_at_at(node.view.at) is not None
        fields["mergedAt"] = lambda node, info: timestamp(node.item.merged_at_at(node.view.at))
    else:
        fields["stateReason"] = lambda node, info, **arguments: (
            "COMPLETED" if node.item.closed_at_at(node.view.at) else None
        )
    return fields


def _user_fields() -> dict[str, Callable[..., Any]]:
    return {
        "createdAt": lambda user, info: timestamp(
            _context(info).world.account_created_at(user.user_id)
        ),
        "databaseId": lambda user, info: user.user_id,
        "id": lambda user, info: user_node_id(user.user_id),
        "login": lambda user, info: user.login,
        "url": lambda user, info: f"{WEB}/{user.login}",
    }


RESOLVERS: dict[str, dict[str, Callable[..., Any]]] = {
    "Query": {
        "node": _node,
        "nodes": _nodes,
        "rateLimit": _rate_limit,
        "repository": _repository,
    },
    "Repository": _repositories(),
    "Issue": _item_fields(pull=False),
    "PullRequest": _item_fields(pull=True),
    "User": _user_fields(),
    "Organization": _user_fields(),
    "IssueConnection": _connection_fields(),
    "PullRequestConnection": _connection_fields(),
    "StargazerConnection": _connection_fields(),
    "RepositoryConnection": {
        **_connection_fields(),
        "totalDiskUsage": lambda connection, info: connection.disk_usage_kb,
    },
    "UserConnection": _connection_fields(),
}
