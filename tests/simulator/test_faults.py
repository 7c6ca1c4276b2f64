"""Injected faults: reproducible from a seed, shaped like the upstreams', raised where due."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.errors import InputError
from ossgrowth.simulator import FaultConfig, FaultKind, World
from ossgrowth.simulator.faults import fault_for
from tests.simulator.conftest import TOKEN, serve_with_faults

pytestmark = pytest.mark.anyio


async def outcomes(world: World, faults: FaultConfig, count: int, path: str) -> list[str]:
    """What each of ``count`` requests met: a status, or the name of the exception raised."""
    app, client = await serve_with_faults(world, FixedClock(world.config.now), faults)
    seen = []
    async with client:
        for _ in range(count):
            try:
                answer = await client.get(path, headers=TOKEN)
                answer.json()
                seen.append(str(answer.status_code))
            except httpx.HTTPError as error:
                seen.append(type(error).__name__)
            except ValueError:
                seen.append("unparseable")
    return seen


def test_the_same_seed_fails_the_same_requests() -> None:
    faults = FaultConfig(rate=0.3, seed=11)
    first = [fault_for(faults, sequence) for sequence in range(1, 500)]
    again = [fault_for(faults, sequence) for sequence in range(1, 500)]
    other = [fault_for(FaultConfig(rate=0.3, seed=12), sequence) for sequence in range(1, 500)]
    assert first == again
    assert first != other
    share = sum(kind is not None for kind in first) / len(first)
    assert 0.2 < share < 0.4
    assert set(first) - {None} == set(FaultKind)


async def test_served_answers_repeat_with_the_seed(world: World) -> None:
    faults = FaultConfig(rate=0.5, seed=5)
    path = f"/repos/{world.repos[0].full_name}"
    first = await outcomes(world, faults, 40, path)
    again = await outcomes(world, faults, 40, path)
    assert first == again
    assert {"200", "ReadTimeout", "RemoteProtocolError", "ConnectError", "unparseable"} <= set(
        first
    )


async def test_server_errors_are_5xx_with_githubs_body(world: World) -> None:
    faults = FaultConfig(rate=1.0, kinds=frozenset({FaultKind.SERVER_ERROR}), seed=1)
    app, client = await serve_with_faults(world, FixedClock(world.config.now), faults)
    async with client:
        answers = [await client.get(f"/repos/{world.repos[0].full_name}") for _ in range(12)]
    assert {answer.status_code for answer in answers} == {500, 502, 503}
    assert all("message" in answer.json() for answer in answers)
    assert app.state.ledger.snapshot().faults == {"server_error": 12}


async def test_a_secondary_limit_answers_403_or_429_with_retry_after(world: World) -> None:
    faults = FaultConfig(rate=1.0, kinds=frozenset({FaultKind.SECONDARY_RATE_LIMIT}), seed=2)
    _, client = await serve_with_faults(world, FixedClock(world.config.now), faults)
    async with client:
        answers = [await client.get("/rate_limit", headers=TOKEN) for _ in range(10)]
        npm = await client.get("/npm/downloads/point/last-day/x")
    assert {answer.status_code for answer in answers} == {403, 429}
    for answer in answers:
        assert answer.headers["retry-after"] == "60"
        assert answer.json()["message"].startswith("You have exceeded a secondary rate limit.")
        assert "x-ratelimit-remaining" not in answer.headers
    assert npm.status_code == 429 and npm.text == "error code: 1015"


async def test_a_truncated_body_does_not_parse(world: World) -> None:
    faults = FaultConfig(rate=1.0, kinds=frozenset({FaultKind.TRUNCATED_BODY}))
    seen = await outcomes(world, faults, 3, f"/repos/{world.repos[0].full_name}")
    assert seen == ["unparseable"] * 3


async def test_a_partial_graphql_error_nulls_some_aliases_only(world: World) -> None:
    faults = FaultConfig(rate=1.0, kinds=frozenset({FaultKind.PARTIAL_GRAPHQL_ERROR}), seed=4)
    app, client = await serve_with_faults(world, FixedClock(world.config.now), faults)
    aliases = " ".join(
        f'r{index}: repository(owner: "{repo.owner}", name: "{repo.name}") {{ stargazerCount }}'
        for index, repo in enumerate(world.repos)
    )
    async with client:
        answer = await client.post("/graphql", json={"query": f"{{ {aliases} }}"}, headers=TOKEN)
    body = answer.json()
    assert answer.status_code == 200
    nulled = [key for key, value in body["data"].items() if value is None]
    assert 1 <= len(nulled) < len(world.repos)
    assert [error["path"] for error in body["errors"]] == [[key] for key in nulled]
    assert {error["type"] for error in body["errors"]} == {"SERVICE_UNAVAILABLE"}
    assert app.state.ledger.snapshot().faults == {"partial_graphql_error": 1}


@pytest.mark.parametrize(
    ("kind", "raised"),
    [
        (FaultKind.TIMEOUT, httpx.ReadTimeout),
        (FaultKind.CONNECTION_RESET, httpx.RemoteProtocolError),
        (FaultKind.CONNECTION_REFUSED, httpx.ConnectError),
    ],
)
async def test_transport_faults_raise_httpx_errors(
    world: World, kind: FaultKind, raised: type[Exception]
) -> None:
    faults = FaultConfig(rate=1.0, kinds=frozenset({kind}))
    app, client = await serve_with_faults(world, FixedClock(world.config.now), faults)
    async with client:
        with pytest.raises(raised):
            await client.get(f"/repos/{world.repos[0].full_name}", headers=TOKEN)
    ledger = app.state.ledger.snapshot()
    assert ledger.faults == {kind.value: 1}
    assert ledger.requests == (0 if kind is FaultKind.CONNECTION_REFUSED else 1)


async def test_faults_keep_their_overall_rate(world: World) -> None:
    faults = FaultConfig(rate=0.2, seed=9)
    seen = Counter(await outcomes(world, faults, 200, "/rate_limit"))
    assert 0.1 < 1 - seen["200"] / 200 < 0.3


@pytest.mark.parametrize("rate", [-0.1, 1.5])
def test_an_impossible_rate_is_refused(rate: float) -> None:
    with pytest.raises(InputError):
        FaultConfig(rate=rate)
