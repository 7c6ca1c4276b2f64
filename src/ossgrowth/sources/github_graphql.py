"""Snapshots of many repositories through GitHub's GraphQL API, a hundred per request.

One ``POST /graphql`` asks for up to :data:`DEFAULT_BATCH_SIZE` repositories under aliases
(``r0: repository(owner: $o0, name: $n0) { ...Counts }``); names travel as GraphQL variables,
never spliced into the query text. Why 100:

- Cost: GitHub charges the requests needed to fill every connection, divided by 100, at least 1
  point. Each repository here asks six ``totalCount``-only connections (issues and PRs by
  state, and ``watchers``: GitHub has no scalar count of watchers; ``stargazerCount`` and
  ``forkCount`` are scalars and free), so a batch of 100 is at most 6 points by that formula
  (the ``rateLimit.cost`` GitHub reports is summed into :attr:`SnapshotBatch.points_spent`);
  1,000 repositories take 10 requests and 60 points out of a 5,000-point hourly budget, far
  under the 2,000-points-a-minute secondary limit.
- Size and time: 100 aliases make a ~9 KB query and stay far from the 500,000-node limit; the
  bound that matters is GitHub's ~10 s per-query execution timeout, and counting the issues of
  100 large repositories fits in it. ``nodes(ids:)`` takes at most 100 ids too.

A missing or forbidden repository (``data.rK = null`` with an ``errors`` entry whose path is
``["rK"]``) fails only that repository. Other per-repository errors are retried for just the
repositories that had them; so are whole answers without data (GitHub's "Something went wrong").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import httpx

from ossgrowth.clock import Clock
from ossgrowth.errors import ConfigError, SourceError
from ossgrowth.model import RepoName
from ossgrowth.sources.client import SourceClient
from ossgrowth.sources.http import (
    DEFAULT_TIMEOUT_SECONDS,
    Reply,
    SourceHttp,
    SourceUnavailable,
    SourceUnreachable,
)
from ossgrowth.sources.parsing import (
    UnexpectedAnswer,
    as_int,
    as_list,
    as_object,
    as_str,
    field,
)
from ossgrowth.sources.retry import DEFAULT_RETRY_POLICY, RetryPolicy
from ossgrowth.sources.snapshot import Failure, RepoSnapshot, SnapshotBatch, distinct
from ossgrowth.sources.tokens import Resource, TokenPool

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "MAX_BATCH_SIZE",
    "PERMANENT_ERROR_TYPES",
    "RATE_LIMIT_ERROR_TYPES",
    "GitHubGraphQL",
    "snapshot_query",
]

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 100
MAX_BATCH_SIZE = 100
PERMANENT_ERROR_TYPES = frozenset({"NOT_FOUND", "FORBIDDEN"})
"""Per-repository error types that another try will not change."""
RATE_LIMIT_ERROR_TYPES = frozenset({"RATE_LIMITED", "RATE_LIMIT"})
"""A whole answer refused for budget (HTTP 200): the token is spent until its reset."""

_COUNTS = """fragment Counts on Repository {
  id
  nameWithOwner
  stargazerCount
  forkCount
  watchers { totalCount }
  openIssues: issues(states: OPEN) { totalCount }
  closedIssues: issues(states: CLOSED) { totalCount }
  openPrs: pullRequests(states: OPEN) { totalCount }
  mergedPrs: pullRequests(states: MERGED) { totalCount }
  closedPrs: pullRequests(states: CLOSED) { totalCount }
}"""


def snapshot_query(count: int) -> str:
    """The query text for ``count`` repositories, bound to variables ``$o0, $n0 …``."""
    if not 1 <= count <= MAX_BATCH_SIZE:
        raise ValueError(f"a batch holds 1 to {MAX_BATCH_SIZE} repositories, not {count}")
    variables = ", ".join(f"$o{index}: String!, $n{index}: String!" for index in range(count))
    aliases = "\n  ".join(
        f"r{index}: repository(owner: $o{index}, name: $n{index}) {{ ...Counts }}"
        for index in range(count)
    )
    return (
        f"query Snapshot({variables}) {{\n  rateLimit {{ cost remaining resetAt }}\n"
        f"  {aliases}\n}}\n{_COUNTS}"
    )


@dataclass(frozen=True, slots=True)
class _Round:
    """What one query answered: snapshots, final failures, repositories to ask again."""

    snapshots: tuple[RepoSnapshot, ...]
    failures: tuple[Failure, ...]
    again: tuple[tuple[RepoName, Failure], ...]
    points: int


class GitHubGraphQL(SourceClient):
    """Batched repository snapshots over GitHub's GraphQL API.

    Args:
        graphql_url: ``https://api.github.com/graphql``, or ``https://HOST/api/graphql``.
        clock: stamps snapshots and times rate-limit resets.
        tokens: the token pool (GraphQL refuses anonymous calls).
        transport: an httpx transport (tests, the simulator); default the network.
        retry: retry bounds, sleeper and jitter seed.
        batch_size: repositories per request, 1 to 100.
    """

    def __init__(
        self,
        graphql_url: str,
        *,
        clock: Clock,
        tokens: TokenPool,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy = DEFAULT_RETRY_POLICY,
        batch_size: int = DEFAULT_BATCH_SIZE,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        if tokens.anonymous:
            raise ConfigError(
                "GitHub's GraphQL API needs a token: set OSSGROWTH_GITHUB_TOKENS, "
                "or collect through the REST client"
            )
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"batch_size must be 1 to {MAX_BATCH_SIZE}, not {batch_size}")
        self._clock = clock
        self._batch_size = batch_size
        self._http = SourceHttp(
            "GitHub",
            graphql_url,
            clock=clock,
            transport=transport,
            tokens=tokens,
            retry=retry,
            timeout_seconds=timeout_seconds,
            headers={"Accept": "application/json"},
        )

    async def snapshots(self, repos: Iterable[RepoName]) -> SnapshotBatch:
        """Snapshot every repository in ``repos`` (each once, however often it is named).

        Returns:
            Every distinct repository either as a snapshot or as a failure.

        Raises:
            SourceUnreachable: GitHub does not answer at all.
            RateLimited: the budget ran out and will not come back within the allowed wait.
        """
        unique = distinct(repos)
        sent_before = self._http.requests_sent
        snapshots: list[RepoSnapshot] = []
        failures: list[Failure] = []
        points = 0
        for start in range(0, len(unique), self._batch_size):
            chunk = unique[start : start + self._batch_size]
            got, failed, spent = await self._snapshot_chunk(chunk)
            snapshots.extend(got)
            failures.extend(failed)
            points += spent
        return SnapshotBatch(
            tuple(snapshots),
            tuple(failures),
            requests_sent=self._http.requests_sent - sent_before,
            points_spent=points,
        )

    async def _snapshot_chunk(
        self, repos: Sequence[RepoName]
    ) -> tuple[list[RepoSnapshot], list[Failure], int]:
        snapshots: list[RepoSnapshot] = []
        failures: list[Failure] = []
        points = 0
        pending = list(repos)
        unresolved: tuple[tuple[RepoName, Failure], ...] = ()
        for attempt in range(1, self._http.retry.max_attempts + 1):
            if attempt > 1:
                logger.info("GraphQL: asking again for %d repositories", len(pending))
                await self._http.pause(attempt - 1)
            try:
                result = await self._ask(pending)
            except SourceUnreachable:
                raise
            except SourceUnavailable as error:
                failures.extend(Failure(repo, "UNAVAILABLE", str(error)) for repo in pending)
                return snapshots, failures, points
            snapshots.extend(result.snapshots)
            failures.extend(result.failures)
            points += result.points
            unresolved = result.again
            pending = [repo for repo, _ in unresolved]
            if not pending:
                break
        failures.extend(failure for _, failure in unresolved)
        return snapshots, failures, points

    async def _ask(self, repos: Sequence[RepoName]) -> _Round:
        variables: dict[str, str] = {}
        for index, repo in enumerate(repos):
            variables[f"o{index}"] = repo.owner
            variables[f"n{index}"] = repo.name
        reply = await self._http.send(
            "POST",
            "",
            resource=Resource.GRAPHQL,
            json_body={"query": snapshot_query(len(repos)), "variables": variables},
        )
        if reply.status != 200:
            raise self._http.error(reply, "the snapshot query")
        body = as_object(reply.body, "the GraphQL answer")
        errors = [
            as_object(item, "a GraphQL error") for item in as_list(body.get("errors", []), "errors")
        ]
        data = body.get("data")
        if not isinstance(data, Mapping):
            return self._without_data(repos, reply, errors, "data" in body)
        observed_at = self._clock.now()
        by_alias = {_alias_of(error): error for error in errors if _alias_of(error)}
        snapshots: list[RepoSnapshot] = []
        failures: list[Failure] = []
        again: list[tuple[RepoName, Failure]] = []
        for index, repo in enumerate(repos):
            alias = f"r{index}"
            node = data.get(alias)
            error = by_alias.get(alias)
            if node is not None and error is None:
                try:
                    snapshots.append(_parse_repository(repo, node, observed_at))
                except UnexpectedAnswer as problem:
                    again.append((repo, Failure(repo, "UNEXPECTED", str(problem))))
                continue
            failure = _failure_of(repo, error)
            if failure.kind in PERMANENT_ERROR_TYPES:
                failures.append(failure)
            else:
                again.append((repo, failure))
        return _Round(tuple(snapshots), tuple(failures), tuple(again), _cost(data))

    def _without_data(
        self,
        repos: Sequence[RepoName],
        reply: Reply,
        errors: Sequence[Mapping[str, object]],
        data_present: bool,
    ) -> _Round:
        """An answer without data: a refused query (raise) or a transient failure (retry)."""
        messages = "; ".join(str(error.get("message", ""))[:160] for error in errors)
        types = {str(error.get("type", "")) for error in errors}
        limited = bool(types & RATE_LIMIT_ERROR_TYPES)
        if not data_present and not limited:
            raise SourceError(f"GitHub refused the snapshot query: {messages or 'no reason given'}")
        if limited and reply.grant is not None and self._http.tokens is not None:
            self._http.tokens.exhaust(reply.grant, Resource.GRAPHQL, None)
        kind = "RATE_LIMITED" if limited else "NO_DATA"
        again = tuple((repo, Failure(repo, kind, messages or "no data")) for repo in repos)
        return _Round((), (), again, 0)


def _alias_of(error: Mapping[str, object]) -> str | None:
    path = error.get("path")
    if isinstance(path, list) and path and isinstance(path[0], str):
        return path[0]
    return None


def _failure_of(repo: RepoName, error: Mapping[str, object] | None) -> Failure:
    if error is None:
        return Failure(repo, "MISSING", "the answer held neither data nor an error for it")
    kind = str(error.get("type") or "ERROR")
    message = str(error.get("message") or kind)[:200]
    return Failure(repo, kind, message)


def _cost(data: Mapping[str, object]) -> int:
    limit = data.get("rateLimit")
    if isinstance(limit, Mapping) and isinstance(limit.get("cost"), int):
        return int(limit["cost"])
    return 0


def _count(node: Mapping[str, object], key: str, what: str) -> int:
    connection = as_object(field(node, key, what), f"{what}.{key}")
    return as_int(field(connection, "totalCount", f"{what}.{key}"), f"{what}.{key}.totalCount")


def _parse_repository(repo: RepoName, value: object, observed_at: datetime) -> RepoSnapshot:
    what = f"the GraphQL answer for {repo}"
    node = as_object(value, what)
    owner, _, name = as_str(field(node, "nameWithOwner", what), f"{what}.nameWithOwner").partition(
        "/"
    )
    if not owner or not name:
        raise UnexpectedAnswer(f"{what}.nameWithOwner is not owner/name")
    return RepoSnapshot(
        repo=repo,
        node_id=as_str(field(node, "id", what), f"{what}.id"),
        name_with_owner=RepoName(owner, name),
        star_count=as_int(field(node, "stargazerCount", what), f"{what}.stargazerCount"),
        open_issues=_count(node, "openIssues", what),
        closed_issues=_count(node, "closedIssues", what),
        open_prs=_count(node, "openPrs", what),
        merged_prs=_count(node, "mergedPrs", what),
        closed_prs=_count(node, "closedPrs", what),
        forks=as_int(field(node, "forkCount", what), f"{what}.forkCount"),
        watchers=_count(node, "watchers", what),
        observed_at=observed_at,
    )
