"""The upstream clients a collection needs, built once from settings."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ossgrowth.clock import Clock
from ossgrowth.config import Settings
from ossgrowth.sources import (
    DEFAULT_RETRY_POLICY,
    EtagCache,
    GitHubGraphQL,
    GitHubRest,
    NpmDownloads,
    PyPIStats,
    RetryPolicy,
    TokenPool,
)

__all__ = ["Upstreams", "build_upstreams"]


@dataclass(frozen=True, slots=True)
class Upstreams:
    """Clients of every upstream API, sharing one GitHub token pool."""

    graphql: GitHubGraphQL | None
    """``None`` without a token: GitHub refuses anonymous GraphQL, so REST does the work."""
    rest: GitHubRest
    npm: NpmDownloads
    pypi: PyPIStats
    tokens: TokenPool | None = None
    """The GitHub token pool the clients share (what budget is left, for metrics)."""

    @property
    def requests_sent(self) -> int:
        graphql = self.graphql.requests_sent if self.graphql is not None else 0
        return graphql + self.rest.requests_sent + self.npm.requests_sent + self.pypi.requests_sent

    async def aclose(self) -> None:
        if self.graphql is not None:
            await self.graphql.aclose()
        await self.rest.aclose()
        await self.npm.aclose()
        await self.pypi.aclose()


def build_upstreams(
    settings: Settings,
    clock: Clock,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    retry: RetryPolicy = DEFAULT_RETRY_POLICY,
    etags: EtagCache | None = None,
) -> Upstreams:
    """Clients for the base URLs and tokens of ``settings``.

    Args:
        settings: base URLs and the GitHub token pool.
        clock: the clock every client reads.
        transport: an httpx transport for every client (the simulator's in tests).
        retry: retry and wait policy shared by every client.
        etags: where GitHub's conditional-request answers are kept; give the same cache to
            every collection of a process so an unchanged repository costs no budget next
            time. ``None``: a cache of these clients' own, gone when they close.
    """
    tokens = TokenPool(settings.github_tokens, clock=clock)
    graphql = (
        GitHubGraphQL(
            settings.resolved_graphql_url,
            clock=clock,
            tokens=tokens,
            transport=transport,
            retry=retry,
        )
        if settings.github_tokens
        else None
    )
    return Upstreams(
        graphql=graphql,
        rest=GitHubRest(
            settings.github_api_url,
            clock=clock,
            tokens=tokens,
            transport=transport,
            retry=retry,
            etags=etags,
        ),
        npm=NpmDownloads(settings.npm_downloads_url, clock=clock, transport=transport, retry=retry),
        pypi=PyPIStats(settings.pypistats_url, clock=clock, transport=transport, retry=retry),
        tokens=tokens,
    )
