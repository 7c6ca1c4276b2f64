"""Runners sharing a store: each backfill job is worked on by one runner at a time."""

from __future__ import annotations

from datetime import datetime, timedelta

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
from tests.collect.held_upstream import HeldUpstream, until_true
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


async def test_leases_are_renewed_every_third_of_them_while_a_long_job_runs(
    store: SqlStore, world: World
) -> None:
    """The job is held at its first request while the clock moves three leases on, a third at
    a time: each third renews its lease to a whole lease from then, so a second runner is
    refused at every step, though the lease first taken ended long ago."""
    clock = FixedClock(world.config.now)
    busiest = max(world.repos, key=lambda repo: len(repo.items))
    track(store, world, [busiest])
    repo = RepoName(busiest.owner, busiest.name)
    enqueue_backfill(store, clock, [repo], [Family.PRS])
    held = HeldUpstream(SimulatorTransport(create_app(world, clock)))
    clients = sources(world, clock, transport=held)
    lease = timedelta(seconds=60)

    def leased_until() -> datetime | None:
        (job,) = store.backfill_jobs()
        return job.leased_until

    outcomes: list[BackfillStatus] = []

    async def backfill() -> None:
        result = await run_backfill(store, clients, clock, concurrency=1, lease_seconds=60)
        outcomes.extend(outcome.status for outcome in result.outcomes)

    async with anyio.create_task_group() as group:
        group.start_soon(backfill)
        await held.reached.wait()
        assert leased_until() == clock.now() + lease
        for _ in range(9):
            clock.advance(lease / 3)
            await until_true(lambda: leased_until() == clock.now() + lease)
            now = clock.now()
            taken = store.claim_backfill(
                repo, Family.PRS, owner="second", now=now, until=now + timedelta(hours=1)
            )
            assert not taken, "the second runner took a job whose lease is being renewed"
        held.let_through()
    await clients.aclose()
    assert outcomes == [BackfillStatus.DONE]
    (job,) = store.backfill_jobs()
    assert job.lease_owner is None  # given back when the job ended


class _Refusing(httpx.AsyncBaseTransport):
    """Every connection refused, as by a host that is down."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)
