"""Collection survives a faulty upstream: every repository ends collected, exactly, once."""

from __future__ import annotations

import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.model import RepoName
from ossgrowth.simulator import (
    FaultConfig,
    FaultKind,
    SimulatorTransport,
    World,
    WorldConfig,
    build_world,
    create_app,
)
from ossgrowth.sources import (
    GitHubGraphQL,
    GitHubRest,
    RepoSnapshot,
    RetryPolicy,
    TokenPool,
    clock_sleeper,
)

pytestmark = pytest.mark.anyio

EVERY_FAULT = FaultConfig(rate=0.2, kinds=frozenset(FaultKind), seed=20)
BATCH_SIZE = 10
"""Smaller than the default so that the run sends enough requests to meet every kind of fault."""


def truth_of(world: World, snapshot: RepoSnapshot) -> tuple[int, ...]:
    truth = world.snapshot(snapshot.name_with_owner.full_name, snapshot.observed_at)
    return (
        truth.star_count,
        truth.open_issues,
        truth.closed_issues,
        truth.open_prs,
        truth.merged_prs,
        truth.closed_prs,
        truth.forks,
        truth.watchers,
    )


def counts_of(snapshot: RepoSnapshot) -> tuple[int, ...]:
    return (
        snapshot.star_count,
        snapshot.open_issues,
        snapshot.closed_issues,
        snapshot.open_prs,
        snapshot.merged_prs,
        snapshot.closed_prs,
        snapshot.forks,
        snapshot.watchers,
    )


def names(world: World) -> list[RepoName]:
    return [RepoName(*repo.full_name.split("/")) for repo in world.repos]


@pytest.fixture(scope="module")
def thousand_repositories() -> World:
    return build_world(WorldConfig(seed=11, repo_count=1000, activity_scale=0.05))


@pytest.mark.slow
async def test_a_thousand_repositories_survive_a_fifth_of_requests_failing(
    thousand_repositories: World,
) -> None:
    world = thousand_repositories
    clock = FixedClock(world.config.now)
    app = create_app(world, clock, faults=EVERY_FAULT)
    transport = SimulatorTransport(app, EVERY_FAULT)
    github = GitHubGraphQL(
        "http://simulator/graphql",
        clock=clock,
        tokens=TokenPool(list(world.config.tokens), clock=clock),
        transport=transport,
        retry=RetryPolicy(sleep=clock_sleeper(clock), seed=3),
        batch_size=BATCH_SIZE,
    )

    async with github:
        batch = await github.snapshots(names(world))

    assert batch.failures == ()
    assert len(batch.snapshots) == 1000
    assert len({snapshot.repo.key for snapshot in batch.snapshots}) == 1000
    assert {snapshot.repo.key for snapshot in batch.snapshots} == {n.key for n in names(world)}
    for snapshot in batch.snapshots:
        assert counts_of(snapshot) == truth_of(world, snapshot), snapshot.repo
    faults = app.state.ledger.snapshot().faults  # what the run went through
    assert set(faults) == {kind.value for kind in FaultKind}
    assert batch.requests_sent > 1000 // BATCH_SIZE  # the faults cost retries


async def test_rest_snapshots_survive_a_fifth_of_requests_failing() -> None:
    world = build_world(WorldConfig(seed=12, repo_count=40, activity_scale=0.05))
    clock = FixedClock(world.config.now)
    faults = FaultConfig(
        rate=0.2, kinds=frozenset(FaultKind) - {FaultKind.PARTIAL_GRAPHQL_ERROR}, seed=21
    )
    app = create_app(world, clock, faults=faults)
    github = GitHubRest(
        "http://simulator",
        clock=clock,
        tokens=TokenPool(list(world.config.tokens), clock=clock),
        transport=SimulatorTransport(app, faults),
        retry=RetryPolicy(sleep=clock_sleeper(clock), seed=4),
    )

    async with github:
        batch = await github.snapshots(names(world))

    assert batch.failures == () and len(batch.snapshots) == 40
    for snapshot in batch.snapshots:
        assert counts_of(snapshot) == truth_of(world, snapshot), snapshot.repo
    assert sum(app.state.ledger.snapshot().faults.values()) > 0


async def test_partial_graphql_errors_and_old_names_still_give_exact_reach() -> None:
    world = build_world(WorldConfig(seed=13, repo_count=30, activity_scale=0.2, rename_share=0.4))
    clock = FixedClock(world.config.now)
    faults = FaultConfig(rate=0.5, kinds=frozenset({FaultKind.PARTIAL_GRAPHQL_ERROR}), seed=5)
    app = create_app(world, clock, faults=faults)
    asked = [
        RepoName(*(repo.previous_names or (repo.full_name,))[0].split("/")) for repo in world.repos
    ]
    github = GitHubGraphQL(
        "http://simulator/graphql",
        clock=clock,
        tokens=TokenPool(list(world.config.tokens), clock=clock),
        transport=SimulatorTransport(app, faults),
        retry=RetryPolicy(sleep=clock_sleeper(clock), seed=6),
        batch_size=BATCH_SIZE,
    )

    async with github:
        batch = await github.snapshots(asked)

    assert batch.failures == () and len(batch.snapshots) == 30
    assert sum(snapshot.renamed for snapshot in batch.snapshots) == sum(
        bool(repo.previous_names) for repo in world.repos
    )
    assert sum(snapshot.forks for snapshot in batch.snapshots) > 0
    for snapshot in batch.snapshots:
        assert counts_of(snapshot) == truth_of(world, snapshot), snapshot.repo
    faults = app.state.ledger.snapshot().faults
    assert set(faults) == {FaultKind.PARTIAL_GRAPHQL_ERROR.value}  # met, and retried past
    assert batch.requests_sent > len(asked) // BATCH_SIZE
