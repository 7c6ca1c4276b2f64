"""The clients against the simulator's rate limits, token checks and conditional requests."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.model import RepoName
from ossgrowth.simulator import World, WorldConfig, build_world, create_app
from ossgrowth.sources import GitHubRest, MemoryEtagCache, RetryPolicy, TokenPool, clock_sleeper

pytestmark = pytest.mark.anyio


def world_of(**options: object) -> World:
    return build_world(WorldConfig(seed=8, repo_count=3, activity_scale=0.05, **options))  # type: ignore[arg-type]


def names(world: World) -> list[RepoName]:
    return [RepoName(*repo.full_name.split("/")) for repo in world.repos]


def rest(world: World, clock: FixedClock, tokens: list[str]) -> tuple[GitHubRest, object]:
    app = create_app(world, clock)
    client = GitHubRest(
        "http://simulator",
        clock=clock,
        tokens=TokenPool(tokens, clock=clock),
        transport=httpx.ASGITransport(app=app),
        retry=RetryPolicy(sleep=clock_sleeper(clock), seed=1),
    )
    return client, app


async def test_spent_tokens_wait_for_the_reset_and_finish_the_job(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = world_of(core_requests_per_hour=6, tokens=("one", "two"))
    clock = FixedClock(world.config.now)
    github, app = rest(world, clock, ["one", "two"])

    with caplog.at_level(logging.WARNING):
        async with github:
            batch = await github.snapshots(names(world))

    assert batch.failures == () and len(batch.snapshots) == 3
    assert "waiting until" in caplog.text
    assert clock.now() - world.config.now >= timedelta(minutes=1)
    for snapshot in batch.snapshots:
        truth = world.snapshot(snapshot.name_with_owner.full_name, snapshot.observed_at)
        assert snapshot.star_count == truth.star_count
        assert snapshot.open_issues == truth.open_issues


async def test_a_token_the_simulator_does_not_know_is_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = world_of()
    clock = FixedClock(world.config.now)
    github, _ = rest(world, clock, ["not-a-simulator-token", world.config.tokens[0]])

    with caplog.at_level(logging.WARNING):
        async with github:
            info = await github.repository(names(world)[0])

    assert info.full_name == names(world)[0]
    assert "GitHub refused token #1 (401 Bad credentials)" in caplog.text
    assert "not-a-simulator-token" not in caplog.text


async def test_an_unchanged_repository_is_answered_304_and_costs_no_budget() -> None:
    world = world_of()
    clock = FixedClock(world.config.now)
    github, app = rest(world, clock, [world.config.tokens[0]])

    async with github:
        first = await github.repository(names(world)[0])
        second = await github.repository(names(world)[0])

    ledger = app.state.ledger.snapshot()  # type: ignore[attr-defined]
    assert first == second
    assert ledger.not_modified == 1


async def test_etags_kept_across_clients_are_asked_with_the_token_they_were_answered_to() -> None:
    """GitHub's ETags vary with the credential: a later collection (new clients, a new pool)
    sends each kept ETag with its own token, so an unchanged resource answers 304 for free."""
    world = world_of(tokens=("one", "two", "three"))
    clock = FixedClock(world.config.now)
    app = create_app(world, clock)
    etags = MemoryEtagCache()

    async def collect() -> None:
        async with GitHubRest(
            "http://simulator",
            clock=clock,
            tokens=TokenPool(["one", "two", "three"], clock=clock),
            transport=httpx.ASGITransport(app=app),
            retry=RetryPolicy(sleep=clock_sleeper(clock), seed=1),
            etags=etags,
            concurrency=3,
        ) as github:
            batch = await github.snapshots(names(world))
        assert batch.failures == ()

    await collect()
    first = app.state.ledger.snapshot()
    assert len(first.by_token) > 1  # the first collection spread over the tokens
    await collect()
    second = app.state.ledger.snapshot()

    asked = second.requests - first.requests
    assert second.not_modified - first.not_modified == asked  # nothing changed: all free
