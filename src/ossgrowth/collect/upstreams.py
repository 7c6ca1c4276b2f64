"""The upstream clients a collection needs, built once from settings, and closed together.

A bundle of clients (:class:`Upstreams` here, ``HistorySources`` for a backfill) is an async
context manager: ``async with build_upstreams(settings, clock) as upstreams:`` closes every
client on the way out, even when closing one of them fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

import anyio
import httpx

from ossgrowth.clock import Clock
from ossgrowth.collect.stargazer_reads import StargazerReader
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
from ossgrowth.sources.github_timeline import GitHubTimeline

__all__ = ["ClientBundle", "Closable", "Upstreams", "build_upstreams", "close_all"]


class Closable(Protocol):
    """A client holding connections until closed."""

    async def aclose(self) -> None: ...


async def close_all(clients: Iterable[Closable]) -> None:
    """Close every one of ``clients``, in order, even when closing one fails.

    Raises:
        BaseException: the first error a close raised, once every client has been tried;
            the errors of later closes are added to it as notes.
    """
    first: BaseException | None = None
    for client in clients:
        try:
            await client.aclose()
        except BaseException as error:  # re-raised below, once the others are closed
            if first is None:
                first = error
            else:
                first.add_note(f"closing {client!r} failed too: {error!r}")
    if first is not None:
        raise first


class ClientBundle:
    """Clients used and closed together; ``async with`` a bundle closes every client.

    Closing is shielded from cancellation, so a run stopped by a deadline or Ctrl-C still
    gives its connections back.
    """

    __slots__ = ()

    def clients(self) -> tuple[Closable, ...]:
        """Every client of the bundle, in the order they are closed."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Close every client; see :func:`close_all`."""
        with anyio.CancelScope(shield=True):
            await close_all(self.clients())

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        error_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


@dataclass(frozen=True, slots=True)
class Upstreams(ClientBundle):
    """Clients of every upstream API, sharing one GitHub token pool."""

    graphql: GitHubGraphQL | None
    """``None`` without a token: GitHub refuses anonymous GraphQL, so REST does the work."""
    rest: GitHubRest
    npm: NpmDownloads
    pypi: PyPIStats
    tokens: TokenPool | None = None
    """The GitHub token pool the clients share (what budget is left, for metrics)."""
    stargazers: StargazerReader | None = None
    """Reads the newest stargazers of the lists a collection of stars follows; ``None``
    without a token (GitHub lists stargazers to its admins' and collaborators' tokens only)."""

    @property
    def requests_sent(self) -> int:
        github = sum(
            client.requests_sent for client in (self.graphql, self.stargazers) if client is not None
        )
        return github + self.rest.requests_sent + self.npm.requests_sent + self.pypi.requests_sent

    def clients(self) -> tuple[Closable, ...]:
        """Every client, in the order they are closed."""
        graphql: tuple[Closable, ...] = () if self.graphql is None else (self.graphql,)
        stargazers: tuple[Closable, ...] = () if self.stargazers is None else (self.stargazers,)
        return (*graphql, *stargazers, self.rest, self.npm, self.pypi)


def build_upstreams(
    settings: Settings,
    clock: Clock,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    retry: RetryPolicy = DEFAULT_RETRY_POLICY,
    etags: EtagCache | None = None,
    tokens: TokenPool | None = None,
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
        tokens: the GitHub token pool to draw from; give the pool of a backfill running in the
            same process so both spend one known budget. ``None``: a pool of these clients'
            own, of ``settings.github_tokens``.

    Returns:
        The clients, to use as ``async with build_upstreams(...) as upstreams:``.
    """
    if tokens is None:
        tokens = TokenPool(settings.github_tokens, clock=clock)
    graphql: GitHubGraphQL | None = None
    stargazers: StargazerReader | None = None
    if settings.github_tokens:
        graphql = GitHubGraphQL(
            settings.resolved_graphql_url,
            clock=clock,
            tokens=tokens,
            transport=transport,
            retry=retry,
        )
        timeline = GitHubTimeline(
            settings.resolved_graphql_url,
            settings.github_api_url,
            clock=clock,
            tokens=tokens,
            transport=transport,
            retry=retry,
        )
        stargazers = StargazerReader(timeline, max_pages=settings.stargazer_pages_per_run)
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
        stargazers=stargazers,
    )
