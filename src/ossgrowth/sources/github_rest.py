"""Repository snapshots over GitHub's REST API: the fallback without a token or without GraphQL.

Every count is exact and costs one request: ask for ``per_page=1`` and read the page number of
the ``rel="last"`` link (no link: the count is the length of the body, 0 or 1).

=====  ===========================================================  ==========================
 #     request                                                      gives
=====  ===========================================================  ==========================
 1     ``GET /repos/{o}/{r}``                                       ``stargazers_count``,
                                                                    ``forks_count``,
                                                                    ``subscribers_count``,
                                                                    ``open_issues_count`` (A)
 2     ``GET /repos/{o}/{r}/pulls?state=open&per_page=1``           open PRs (B)
 3     ``GET /repos/{o}/{r}/pulls?state=closed&per_page=1``         closed PRs, merged or not (C)
 4     ``GET /repos/{o}/{r}/issues?state=closed&per_page=1``        closed issues + closed PRs (D)
 5     merged PRs (M), the cheapest exact way for C:
       C = 0: no request; C ≤ 100: ``GET …/pulls?state=closed&per_page=100`` and count
       ``merged_at``; C > 100: ``GET /search/issues?q=repo:{o}/{r} is:pr is:merged``
       (``total_count``, search budget), or every closed page if search is not there
=====  ===========================================================  ==========================

Forks are ``forks_count`` and watchers ``subscribers_count``, exact and in the same answer
(``watchers_count`` is, despite its name, the star count). ``open_issues = A − B``
(``open_issues_count`` counts open PRs too), ``closed_issues = D − C``
(``/issues`` lists PRs too), ``open_prs = B``, ``merged_prs = M``, ``closed_prs = C − M`` (closed
without merging). So four or five ``core`` requests a repository, plus one ``search`` request
only for repositories with more than 100 closed PRs. Requests go out one after another, so a PR
opened or closed between two of them can skew a count by one; differences are clamped at 0.

Every GET is conditional (``If-None-Match`` with the remembered ``ETag``): an unchanged answer
is a 304 that costs no budget. A renamed or transferred repository answers 301 with
``location: …/repositories/{id}``; it is followed (same host only) and the snapshot carries the
new name in ``name_with_owner``. A missing repository raises ``NotFound``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import anyio
import httpx

from ossgrowth.clock import Clock
from ossgrowth.errors import NotFound, RateLimited, SourceError
from ossgrowth.model import RepoName
from ossgrowth.sources.client import SourceClient
from ossgrowth.sources.etags import EtagCache, MemoryEtagCache
from ossgrowth.sources.github_stars import Stargazer, WeeklyStars, stargazer_history, stargazers
from ossgrowth.sources.http import (
    DEFAULT_TIMEOUT_SECONDS,
    MAX_REDIRECTS,
    REDIRECTS,
    Reply,
    SourceHttp,
    SourceUnavailable,
    SourceUnreachable,
)
from ossgrowth.sources.parsing import as_int, as_list, as_object, as_str, field
from ossgrowth.sources.retry import DEFAULT_RETRY_POLICY, RetryPolicy
from ossgrowth.sources.snapshot import Failure, RepoSnapshot, SnapshotBatch, distinct
from ossgrowth.sources.tokens import Resource, TokenPool
from ossgrowth.sources.urls import last_page, next_page_url, repo_path

__all__ = ["DEFAULT_CONCURRENCY", "GITHUB_ACCEPT", "GitHubRest", "RepoInfo"]

logger = logging.getLogger(__name__)

GITHUB_ACCEPT = "application/vnd.github+json"
DEFAULT_CONCURRENCY = 8
"""Repositories snapshotted at once; GitHub allows 100 concurrent requests per user."""
_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class RepoInfo:
    """What ``GET /repos/{owner}/{repo}`` says, after following any rename."""

    repo: RepoName
    """The name as asked."""
    full_name: RepoName
    """The current name (differs after a rename or transfer)."""
    id: int
    node_id: str
    star_count: int
    open_issues_and_prs: int
    """``open_issues_count``: GitHub counts open pull requests in it too."""
    forks: int
    """``forks_count``."""
    watchers: int
    """``subscribers_count``: people watching (``watchers_count`` is the star count)."""


class GitHubRest(SourceClient):
    """GitHub's REST API: snapshots, stargazer history and the stargazer list.

    Args:
        base_url: ``https://api.github.com``, or ``https://HOST/api/v3`` for Enterprise Server.
        clock: stamps snapshots and times rate-limit resets.
        tokens: the token pool; ``None`` or an empty pool calls anonymously (60 requests/hour).
        transport: an httpx transport (tests, the simulator); default the network.
        retry: retry bounds, sleeper and jitter seed.
        etags: where conditional-request answers are remembered; default in memory.
        concurrency: repositories snapshotted at once by :meth:`snapshots`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        clock: Clock,
        tokens: TokenPool | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy = DEFAULT_RETRY_POLICY,
        etags: EtagCache | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._clock = clock
        self._etags: EtagCache = etags if etags is not None else MemoryEtagCache()
        self._concurrency = concurrency
        self._http = SourceHttp(
            "GitHub",
            base_url,
            clock=clock,
            transport=transport,
            tokens=tokens if tokens is not None else TokenPool([], clock=clock),
            retry=retry,
            timeout_seconds=timeout_seconds,
            headers={"Accept": GITHUB_ACCEPT},
        )

    async def repository(self, repo: RepoName) -> RepoInfo:
        """``GET /repos/{owner}/{repo}``, following a rename.

        Raises:
            NotFound: GitHub has no such repository (or it is private to this token).
        """
        target = f"/repos/{repo_path(repo)}"
        for _ in range(MAX_REDIRECTS + 1):
            reply = await self._get(target)
            if reply.status in REDIRECTS:
                target = self._http.redirect_target(reply, str(repo))
                logger.info("GitHub moved %s to %s", repo, target)
                continue
            if reply.status != 200:
                raise self._http.error(reply, f"repository {repo}")
            return _parse_repo_info(repo, reply.body)
        raise SourceError(f"GitHub redirected {repo} more than {MAX_REDIRECTS} times")

    async def snapshot(self, repo: RepoName) -> RepoSnapshot:
        """Count stars, forks, watchers, issues and pull requests of one repository (see the
        module docstring)."""
        info = await self.repository(repo)
        base = f"/repos/{repo_path(info.full_name)}"
        open_prs = await self._count(f"{base}/pulls", {"state": "open"}, "open pull requests")
        closed_prs_all = await self._count(
            f"{base}/pulls", {"state": "closed"}, "closed pull requests"
        )
        closed_items = await self._count(f"{base}/issues", {"state": "closed"}, "closed issues")
        merged_prs = await self._merged(info.full_name, closed_prs_all)
        return RepoSnapshot(
            repo=repo,
            node_id=info.node_id,
            name_with_owner=info.full_name,
            star_count=info.star_count,
            open_issues=max(0, info.open_issues_and_prs - open_prs),
            closed_issues=max(0, closed_items - closed_prs_all),
            open_prs=open_prs,
            merged_prs=merged_prs,
            closed_prs=max(0, closed_prs_all - merged_prs),
            forks=info.forks,
            watchers=info.watchers,
            observed_at=self._clock.now(),
        )

    async def snapshots(self, repos: Iterable[RepoName]) -> SnapshotBatch:
        """Snapshot many repositories, ``concurrency`` at a time; failures do not stop others.

        Raises:
            SourceUnreachable: GitHub does not answer at all.
            RateLimited: the budget ran out and will not come back within the allowed wait.
        """
        unique = distinct(repos)
        sent_before = self._http.requests_sent
        results: dict[str, RepoSnapshot | Failure] = {}
        fatal: list[SourceError] = []
        limiter = anyio.CapacityLimiter(self._concurrency)

        async def one(repo: RepoName) -> None:
            async with limiter:
                if fatal:
                    return
                try:
                    results[repo.key] = await self.snapshot(repo)
                except (SourceUnreachable, RateLimited) as error:
                    fatal.append(error)
                except NotFound as error:
                    results[repo.key] = Failure(repo, "NOT_FOUND", str(error))
                except SourceUnavailable as error:
                    results[repo.key] = Failure(repo, "UNAVAILABLE", str(error))
                except SourceError as error:
                    results[repo.key] = Failure(repo, "ERROR", str(error))

        async with anyio.create_task_group() as group:
            for repo in unique:
                group.start_soon(one, repo)
        if fatal:
            raise fatal[0]
        ordered = [results[repo.key] for repo in unique]
        return SnapshotBatch(
            snapshots=tuple(item for item in ordered if isinstance(item, RepoSnapshot)),
            failures=tuple(item for item in ordered if isinstance(item, Failure)),
            requests_sent=self._http.requests_sent - sent_before,
        )

    async def stargazer_history(
        self, repo: RepoName, *, pages: int = 1, per_page: int = 30
    ) -> tuple[WeeklyStars, ...]:
        """Weekly star counts, newest week first (``/stargazers/history``, a request a page)."""
        return await stargazer_history(self._http, repo, pages=pages, per_page=per_page)

    async def stargazers(
        self, repo: RepoName, *, max_pages: int | None = None
    ) -> tuple[Stargazer, ...]:
        """Who starred and when; since 2026 only for tokens of admins and collaborators."""
        return await stargazers(self._http, repo, max_pages=max_pages)

    async def _get(
        self,
        target: str,
        params: Mapping[str, str | int] | None = None,
        resource: Resource = Resource.CORE,
    ) -> Reply:
        return await self._http.send(
            "GET", target, params=params, resource=resource, etags=self._etags
        )

    async def _count(self, target: str, params: Mapping[str, str], what: str) -> int:
        reply = await self._get(target, {**params, "per_page": 1})
        if reply.status != 200:
            raise self._http.error(reply, what)
        last = last_page(reply.headers.get("link"))
        if last is not None:
            return last
        return len(as_list(reply.body, f"the list of {what}"))

    async def _merged(self, repo: RepoName, closed_prs: int) -> int:
        if closed_prs == 0:
            return 0
        if closed_prs <= _PAGE_SIZE:
            return await self._walk_merged(repo)
        query = f"repo:{repo.full_name} is:pr is:merged"
        reply = await self._get(
            "/search/issues", {"q": query, "per_page": 1}, resource=Resource.SEARCH
        )
        if reply.status in (404, 410, 501):
            logger.info("GitHub at %s has no issue search; walking closed PRs", self._http.base_url)
            return await self._walk_merged(repo)
        if reply.status != 200:
            raise self._http.error(reply, f"merged pull requests of {repo}")
        body = as_object(reply.body, "the search answer")
        if body.get("incomplete_results") is True:
            logger.warning("GitHub search for merged PRs of %s was incomplete", repo)
        return as_int(field(body, "total_count", "the search answer"), "total_count")

    async def _walk_merged(self, repo: RepoName) -> int:
        """Count ``merged_at`` over every closed PR, 100 a page."""
        target: str | None = f"/repos/{repo_path(repo)}/pulls"
        params: dict[str, str | int] | None = {"state": "closed", "per_page": _PAGE_SIZE}
        merged = 0
        while target is not None:
            reply = await self._get(target, params)
            if reply.status != 200:
                raise self._http.error(reply, f"closed pull requests of {repo}")
            for item in as_list(reply.body, "the closed pull requests"):
                merged += as_object(item, "a pull request").get("merged_at") is not None
            target, params = next_page_url(reply.headers.get("link")), None
        return merged


def _parse_repo_info(repo: RepoName, value: object) -> RepoInfo:
    what = f"the repository answer for {repo}"
    body = as_object(value, what)
    full_name = as_str(field(body, "full_name", what), f"{what}.full_name")
    owner, _, name = full_name.partition("/")
    return RepoInfo(
        repo=repo,
        full_name=RepoName(owner, name),
        id=as_int(field(body, "id", what), f"{what}.id"),
        node_id=as_str(field(body, "node_id", what), f"{what}.node_id"),
        star_count=as_int(field(body, "stargazers_count", what), f"{what}.stargazers_count"),
        open_issues_and_prs=as_int(
            field(body, "open_issues_count", what), f"{what}.open_issues_count"
        ),
        forks=as_int(field(body, "forks_count", what), f"{what}.forks_count"),
        watchers=as_int(field(body, "subscribers_count", what), f"{what}.subscribers_count"),
    )
