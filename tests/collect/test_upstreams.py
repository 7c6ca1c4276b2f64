"""Bundles of upstream clients close every client, even when closing one of them fails."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.collect import HistorySources, Upstreams
from ossgrowth.sources import GitHubGraphQL, GitHubRest, NpmDownloads, PyPIStats, TokenPool
from ossgrowth.sources.github_timeline import GitHubTimeline

pytestmark = pytest.mark.anyio
CLOCK = FixedClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
ORIGIN = "http://upstream.test"


class Closing(httpx.AsyncBaseTransport):
    """A transport that answers nothing and remembers being closed, or fails to close."""

    def __init__(self, name: str, closed: list[str], *, fails: bool = False) -> None:
        self.name, self.closed, self.fails = name, closed, fails

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no upstream here", request=request)

    async def aclose(self) -> None:
        if self.fails:
            raise OSError(f"{self.name}: connection reset while closing")
        self.closed.append(self.name)


def upstreams(closed: list[str], failing: set[str]) -> Upstreams:
    """A collection's clients, each on its own transport; those named in ``failing`` fail to
    close."""
    tokens = TokenPool(["token"], clock=CLOCK)

    def transport(name: str) -> Closing:
        return Closing(name, closed, fails=name in failing)

    return Upstreams(
        graphql=GitHubGraphQL(
            f"{ORIGIN}/graphql", clock=CLOCK, tokens=tokens, transport=transport("graphql")
        ),
        rest=GitHubRest(ORIGIN, clock=CLOCK, tokens=tokens, transport=transport("rest")),
        npm=NpmDownloads(ORIGIN, clock=CLOCK, transport=transport("npm")),
        pypi=PyPIStats(ORIGIN, clock=CLOCK, transport=transport("pypi")),
        tokens=tokens,
    )


def history_sources(closed: list[str], failing: set[str]) -> HistorySources:
    """A backfill's clients, each on its own transport (GitHub's two APIs share one)."""

    def transport(name: str) -> Closing:
        return Closing(name, closed, fails=name in failing)

    return HistorySources(
        github=GitHubTimeline(
            f"{ORIGIN}/graphql",
            ORIGIN,
            clock=CLOCK,
            tokens=TokenPool(["token"], clock=CLOCK),
            transport=transport("github"),
        ),
        npm=NpmDownloads(ORIGIN, clock=CLOCK, transport=transport("npm")),
        pypi=PyPIStats(ORIGIN, clock=CLOCK, transport=transport("pypi")),
    )


async def test_leaving_upstreams_closes_every_client() -> None:
    closed: list[str] = []
    async with upstreams(closed, failing=set()) as clients:
        assert closed == []
        assert clients.requests_sent == 0
    assert closed == ["graphql", "rest", "npm", "pypi"]


async def test_a_failed_close_surfaces_after_the_other_clients_are_closed() -> None:
    closed: list[str] = []
    with pytest.raises(OSError, match="rest: connection reset while closing"):
        async with upstreams(closed, failing={"rest"}):
            pass
    assert closed == ["graphql", "npm", "pypi"]


async def test_the_first_failed_close_is_raised_and_the_later_ones_are_noted() -> None:
    closed: list[str] = []
    with pytest.raises(OSError, match="graphql: connection reset") as raised:
        await upstreams(closed, failing={"graphql", "pypi"}).aclose()
    assert closed == ["rest", "npm"]
    notes = raised.value.__notes__
    assert len(notes) == 1
    assert "pypi: connection reset while closing" in notes[0]


async def test_an_error_in_the_body_still_closes_every_client() -> None:
    closed: list[str] = []
    with pytest.raises(LookupError, match="the run failed"):
        async with upstreams(closed, failing=set()):
            raise LookupError("the run failed")
    assert closed == ["graphql", "rest", "npm", "pypi"]


@pytest.mark.parametrize(
    ("failing", "expected_closed"),
    [
        (set(), ["github", "github", "npm", "pypi"]),
        ({"github"}, ["npm", "pypi"]),
        ({"npm"}, ["github", "github", "pypi"]),
    ],
)
async def test_history_sources_close_every_client(
    failing: set[str], expected_closed: list[str]
) -> None:
    closed: list[str] = []
    sources = history_sources(closed, failing)
    if failing:
        with pytest.raises(OSError, match="connection reset while closing"):
            async with sources:
                pass
    else:
        async with sources:
            pass
    assert closed == expected_closed
