"""Standalone collections: a lease while they run; failed once their runner is gone, never before.

On an injected clock and a real SQLite store; the killed process itself is in
``test_collect_kill.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import anyio
import httpx
import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.collect import SCHEDULES, CollectionScheduler, Upstreams, build_upstreams
from ossgrowth.collect.abandoned import (
    UNLEASED_RUN_LIMIT,
    close_abandoned_collections,
    lease_job,
)
from ossgrowth.collect.collection import CollectionResult, collect_once
from ossgrowth.config import load_settings
from ossgrowth.errors import OssgrowthError
from ossgrowth.model import Run, RunStatus
from ossgrowth.simulator import SimulatorTransport, World, WorldConfig, build_world, create_app
from ossgrowth.sources import RetryPolicy, clock_sleeper
from ossgrowth.stopping import ABANDONED_RUN_ERROR, STOPPED_RUN_ERROR
from ossgrowth.store import SqlStore
from tests.collect.held_upstream import HeldUpstream, until_true
from tests.collect.test_backfill import track

pytestmark = pytest.mark.anyio
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=LOS_ANGELES).astimezone(UTC)
"""A slot of the stars schedule (every 3 hours, local time)."""
ORIGIN = "http://simulator"
LEASE = timedelta(seconds=60)


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(WorldConfig(seed=9, repo_count=3, activity_scale=0.1, now=NOON))


class Refusing(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)


def upstreams_of(
    world: World, clock: FixedClock, transport: httpx.AsyncBaseTransport | None = None
) -> Upstreams:
    settings = load_settings(
        github_api_url=ORIGIN,
        github_tokens="sim-token-1",
        npm_downloads_url=f"{ORIGIN}/npm",
        pypistats_url=f"{ORIGIN}/pypistats",
    )
    return build_upstreams(
        settings,
        clock,
        transport=transport or SimulatorTransport(create_app(world, clock)),
        retry=RetryPolicy(sleep=clock_sleeper(clock), seed=3),
    )


async def collect(store: SqlStore, world: World, clock: FixedClock) -> CollectionResult:
    """``collect --once`` on the simulated world."""
    upstreams = upstreams_of(world, clock)
    try:
        return await collect_once(store, upstreams, clock)
    finally:
        await upstreams.aclose()


def left_running(
    store: SqlStore, job: str, started_at: datetime, lease_until: datetime | None
) -> Run:
    """A run as a killed runner leaves it: running, its lease (when given) unrenewed."""
    run = store.record_run(Run(job=job, environment="dev", started_at=started_at))
    if lease_until is not None:
        claimed = store.claim_slot(
            lease_job(run), started_at, owner="killed", now=started_at, until=lease_until
        )
        assert claimed
    return run


def status_of(store: SqlStore, run: Run) -> Run:
    (found,) = [each for each in store.list_runs(1000) if each.id == run.id]
    return found


@pytest.mark.parametrize(
    ("job", "age", "lease_left", "closed"),
    [
        ("collect", timedelta(minutes=5), timedelta(seconds=1), False),
        ("collect", timedelta(minutes=5), timedelta(0), True),
        ("collect", timedelta(minutes=5), -timedelta(seconds=1), True),
        ("collect:api", timedelta(minutes=5), -timedelta(seconds=1), True),
        ("collect", UNLEASED_RUN_LIMIT * 2, timedelta(minutes=1), False),
        ("collect", UNLEASED_RUN_LIMIT - timedelta(seconds=1), None, False),
        ("collect", UNLEASED_RUN_LIMIT, None, True),
        ("collect:stars", UNLEASED_RUN_LIMIT * 2, None, False),
        ("backfill", UNLEASED_RUN_LIMIT * 2, None, False),
    ],
    ids=[
        "lease-held",
        "lease-ends-now",
        "lease-ended",
        "seed-trigger-lease-ended",
        "lease-held-however-long-it-runs",
        "no-claim-younger-than-the-limit",
        "no-claim-at-the-limit",
        "a-schedules-run-is-left-to-its-slot",
        "a-backfill-is-left-to-its-jobs",
    ],
)
def test_a_running_run_is_closed_only_once_its_lease_ended_or_without_one_when_old(
    store: SqlStore, job: str, age: timedelta, lease_left: timedelta | None, closed: bool
) -> None:
    clock = FixedClock(NOON)
    started = clock.now() - age
    run = left_running(
        store, job, started, None if lease_left is None else clock.now() + lease_left
    )

    closed_runs = close_abandoned_collections(store, clock.now())

    after = status_of(store, run)
    assert [each.id for each in closed_runs] == ([run.id] if closed else [])
    if closed:
        assert after.status is RunStatus.FAILED and after.error == ABANDONED_RUN_ERROR
        assert after.finished_at == clock.now()
    else:
        assert after.status is RunStatus.RUNNING and after.finished_at is None


def test_a_run_whose_lease_was_ended_but_not_its_record_is_closed_only_when_old(
    store: SqlStore,
) -> None:
    """Its runner finished the lease but could not record the end (the store refused)."""
    clock = FixedClock(NOON)
    run = left_running(store, "collect", clock.now(), clock.now() + LEASE)
    store.finish_slot(lease_job(run), run.started_at, owner="killed", now=clock.now())
    clock.advance(LEASE * 2)
    assert close_abandoned_collections(store, clock.now()) == []
    clock.advance(UNLEASED_RUN_LIMIT)
    assert [each.id for each in close_abandoned_collections(store, clock.now())] == [run.id]


async def test_the_next_collection_closes_a_run_whose_runner_died_once_its_lease_ended(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(NOON)
    track(store, world)
    killed = left_running(store, "collect", clock.now(), clock.now() + LEASE)

    clock.advance(LEASE / 2)
    first = await collect(store, world, clock)
    assert first.run.status is RunStatus.SUCCEEDED
    assert status_of(store, killed).status is RunStatus.RUNNING  # its lease has not ended yet

    clock.advance(LEASE)
    second = await collect(store, world, clock)
    assert second.run.status is RunStatus.SUCCEEDED
    closed = status_of(store, killed)
    assert closed.status is RunStatus.FAILED and closed.error == ABANDONED_RUN_ERROR
    assert closed.finished_at == clock.now()
    assert store.list_runs(status=RunStatus.RUNNING) == []


@pytest.mark.parametrize("outcome", ["succeeded", "failed"])
async def test_a_standalone_run_holds_a_lease_that_ends_with_it(
    store: SqlStore, world: World, outcome: str
) -> None:
    clock = FixedClock(NOON)
    track(store, world)
    upstreams = upstreams_of(world, clock, Refusing() if outcome == "failed" else None)
    try:
        result = await collect_once(store, upstreams, clock)
    except OssgrowthError:
        (run,) = store.list_runs(job="collect")
    else:
        run = result.run
    finally:
        await upstreams.aclose()

    assert run.status.value == outcome
    (claim,) = store.slot_claims(lease_job(run), run.started_at)
    assert claim.job == f"run:{run.id}" and claim.claimed_at == run.started_at
    assert claim.finished_at == clock.now().replace(microsecond=0)  # stored in whole seconds
    assert claim.lease_until is None
    clock.advance(UNLEASED_RUN_LIMIT * 2)
    assert close_abandoned_collections(store, clock.now()) == []
    assert status_of(store, run).status.value == outcome


async def test_a_live_run_is_never_closed_while_its_runner_renews_the_lease(
    store: SqlStore, world: World
) -> None:
    """The collection is held at its first request while the clock moves three leases on, a
    third at a time, and another runner looks for abandoned runs at every step: each third
    renews the run's lease to a whole lease from then, so the live run is left alone."""
    clock = FixedClock(NOON)
    track(store, world)
    held = HeldUpstream(SimulatorTransport(create_app(world, clock)))
    upstreams = upstreams_of(world, clock, held)

    def lease_until() -> datetime | None:
        (running,) = store.list_runs(job="collect", status=RunStatus.RUNNING)
        (claim,) = store.slot_claims(lease_job(running), running.started_at)
        return claim.lease_until

    results: list[CollectionResult] = []

    async def collection() -> None:
        results.append(await collect_once(store, upstreams, clock, lease_seconds=60))

    try:
        async with anyio.create_task_group() as group:
            group.start_soon(collection)
            await held.reached.wait()
            assert lease_until() == clock.now() + LEASE
            for _ in range(9):
                clock.advance(LEASE / 3)
                await until_true(lambda: lease_until() == clock.now() + LEASE)
                assert close_abandoned_collections(store, clock.now()) == []
            held.let_through()
    finally:
        await upstreams.aclose()
    (result,) = results
    assert result.run.status is RunStatus.SUCCEEDED


async def test_a_stopped_run_is_recorded_stopped_and_ends_its_lease(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(NOON)
    track(store, world)
    slow = SimulatorTransport(create_app(world, clock, latency_ms=60_000))
    upstreams = upstreams_of(world, clock, slow)
    try:
        with anyio.CancelScope() as stopping:

            async def stop_once_leased() -> None:
                while not store.list_runs(job="collect", status=RunStatus.RUNNING):
                    await anyio.sleep(0.01)
                (running,) = store.list_runs(job="collect", status=RunStatus.RUNNING)
                while not store.slot_claims(lease_job(running), running.started_at):
                    await anyio.sleep(0.01)
                stopping.cancel()

            async with anyio.create_task_group() as group:
                group.start_soon(stop_once_leased)
                await collect_once(store, upstreams, clock)
    finally:
        await upstreams.aclose()
    (run,) = store.list_runs(job="collect")
    assert run.status is RunStatus.FAILED and run.error == STOPPED_RUN_ERROR
    (claim,) = store.slot_claims(lease_job(run), run.started_at)
    assert claim.finished_at is not None and claim.lease_until is None


async def test_standalone_leases_are_not_taken_for_a_schedules_slot(
    store: SqlStore, world: World
) -> None:
    """A collection started at a stars slot's very second leaves the slot to the scheduler,
    whose runs hold no lease of their own (their slot's claim is their lease)."""
    clock = FixedClock(NOON)
    track(store, world)
    standalone = await collect(store, world, clock)
    assert standalone.run.started_at == NOON
    for schedule in SCHEDULES:
        assert store.latest_slot_taken(schedule.name) is None
    assert store.slot_claims("collect:stars", NOON) == []

    scheduler = CollectionScheduler(
        store, clock, lambda: upstreams_of(world, clock), LOS_ANGELES, schedules=SCHEDULES[:1]
    )
    (scheduled,) = await scheduler.run_due()
    assert scheduled.run.job == "collect:stars"
    assert [claim.job for claim in store.slot_claims("collect:stars", NOON)] == ["collect:stars"]
    assert store.slot_claims(lease_job(scheduled.run), scheduled.run.started_at) == []


async def test_a_scheduler_closes_abandoned_standalone_runs_when_it_looks(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(NOON)
    killed = left_running(store, "collect", clock.now(), clock.now() + LEASE)
    scheduler = CollectionScheduler(
        store, clock, lambda: upstreams_of(world, clock), LOS_ANGELES, schedules=SCHEDULES[:1]
    )
    assert await scheduler.run_due() == []  # nothing tracked: nothing to collect
    assert status_of(store, killed).status is RunStatus.RUNNING
    clock.advance(LEASE)
    await scheduler.run_due()
    closed = status_of(store, killed)
    assert closed.status is RunStatus.FAILED and closed.error == ABANDONED_RUN_ERROR
