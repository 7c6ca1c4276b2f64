"""Runners sharing a store: each backfill job is worked on by one runner at a time."""

from __future__ import annotations

from datetime import timedelta

import anyio
import httpx
import pytest

from ossgrowth.checkpoints import BackfillStatus
from ossgrowth.clock import FixedClock
from ossgrowth.collect import enqueue_backfill, run_backfill
from ossgrowth.errors import SourceError
from ossgrowth.model import Family, RepoName, Run, RunStatus
from ossgrowth.simulator import SimulatorTransport, World, WorldConfig, build_world, create_app
from ossgrowth.stopping import ABANDONED_RUN_ERROR
from ossgrowth.store import SqlStore
from tests.collect.test_backfill import sources, track

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(WorldConfig(seed=5, repo_count=3, activity_scale=0.1))


async def test_a_job_another_runner_holds_is_left_to_it_and_stays_queued(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(world.config.now)
    track(store, world)
    enqueue_backfill(store, clock, None)
    held = RepoName(world.repos[0].owner, world.repos[0].name)
    until = clock.now() + timedelta(minutes=5)
    assert store.claim_backfill(
        held, Family.ISSUES, owner="elsewhere", now=clock.now(), until=until
    )
    clients = sources(world, clock)

    result = await run_backfill(store, clients, clock)
    await clients.aclose()

    (left,) = [outcome for outcome in result.outcomes if outcome.elsewhere]
    assert (left.repo, left.family, left.status) == (held, Family.ISSUES, BackfillStatus.QUEUED)
    assert "another runner" in left.messages[0] and left.pages_fetched == 0
    assert all(o.status is BackfillStatus.DONE for o in result.outcomes if not o.elsewhere)
    assert result.run.status.value == "succeeded"
    assert result.run.counts["jobs_elsewhere"] == 1
    (still,) = store.backfill_jobs(BackfillStatus.QUEUED)
    assert (still.repo, still.lease_owner) == (held, "elsewhere")
    assert store.backfill_pages(held, Family.ISSUES) == []


async def test_a_run_left_running_by_a_killed_runner_ends_failed_once_its_leases_ran_out(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(world.config.now)
    track(store, world)
    enqueue_backfill(store, clock, None)
    held = RepoName(world.repos[0].owner, world.repos[0].name)
    killed = store.record_run(Run(job="backfill", environment="dev", started_at=clock.now()))
    until = clock.now() + timedelta(minutes=1)
    store.claim_backfill(held, Family.ISSUES, owner="killed", now=clock.now(), until=until)
    clock.advance(timedelta(seconds=30))  # the killed runner's lease still runs: it may be alive
    clients = sources(world, clock)
    await run_backfill(store, clients, clock)
    (still,) = [run for run in store.list_runs(job="backfill") if run.id == killed.id]
    assert still.status is RunStatus.RUNNING
    clock.advance(timedelta(minutes=2))  # the lease ran out: nobody holds any job
    await run_backfill(store, clients, clock)
    await clients.aclose()
    (ended,) = [run for run in store.list_runs(job="backfill") if run.id == killed.id]
    assert ended.status is RunStatus.FAILED and ended.error == ABANDONED_RUN_ERROR
    assert store.list_runs(status=RunStatus.RUNNING) == []


async def test_a_run_leaves_no_lease_behind_finished_or_interrupted(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(world.config.now)
    track(store, world)
    enqueue_backfill(store, clock, None)
    clients = sources(world, clock)
    await run_backfill(store, clients, clock)
    await clients.aclose()
    assert all(job.lease_owner is None for job in store.backfill_jobs())

    names = [RepoName(repo.owner, repo.name) for repo in world.repos]
    enqueue_backfill(store, clock, names, [Family.STARS, Family.ISSUES, Family.PRS])
    unreachable = sources(world, clock, transport=_Refusing())
    with pytest.raises(SourceError, match="cannot reach"):
        await run_backfill(store, unreachable, clock)
    await unreachable.aclose()
    queued = store.backfill_jobs(BackfillStatus.QUEUED)
    assert queued and all(job.lease_owner is None for job in queued)


async def test_leases_are_renewed_while_a_long_job_runs(store: SqlStore, world: World) -> None:
    """With leases of 0.3 s on a clock that moves, a second runner never gets in."""
    clock = FixedClock(world.config.now)
    busiest = max(world.repos, key=lambda repo: len(repo.items))
    track(store, world, [busiest])
    repo = RepoName(busiest.owner, busiest.name)
    enqueue_backfill(store, clock, [repo], [Family.PRS])
    slow = SimulatorTransport(create_app(world, clock, latency_ms=200))
    clients = sources(world, clock, transport=slow)
    refused = 0

    async def second_runner() -> None:
        nonlocal refused
        while True:
            await anyio.sleep(0.05)
            clock.advance(timedelta(seconds=0.05))
            now = clock.now()
            taken = store.claim_backfill(
                repo, Family.PRS, owner="second", now=now, until=now + timedelta(seconds=1)
            )
            if store.backfill_jobs(BackfillStatus.QUEUED):
                assert not taken, store.backfill_jobs()
                refused += 1

    async with anyio.create_task_group() as group:
        group.start_soon(second_runner)
        result = await run_backfill(store, clients, clock, concurrency=1, lease_seconds=0.3)
        group.cancel_scope.cancel()
    await clients.aclose()
    assert [o.status for o in result.outcomes] == [BackfillStatus.DONE]
    assert refused >= 6, "the run should outlast two leases"


class _Refusing(httpx.AsyncBaseTransport):
    """Every connection refused, as by a host that is down."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)
