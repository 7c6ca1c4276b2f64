"""Collections on the seed's schedules: each slot once, across every runner sharing a store."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import anyio
import httpx
import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.collect import SCHEDULES, CollectionScheduler, Upstreams, build_upstreams
from ossgrowth.collect.background import background_work
from ossgrowth.collect.collection import CollectionResult
from ossgrowth.collect.slots import latest_slot
from ossgrowth.config import load_settings
from ossgrowth.model import Family, RepoName, Run, RunStatus
from ossgrowth.simulator import SimulatorTransport, World, WorldConfig, build_world, create_app
from ossgrowth.sources import RetryPolicy, clock_sleeper
from ossgrowth.stopping import ABANDONED_RUN_ERROR
from ossgrowth.store import SqlStore
from tests.collect.held_upstream import HeldUpstream, until_true
from tests.collect.test_backfill import track

pytestmark = pytest.mark.anyio
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
WEDNESDAY_NOON = datetime(2026, 11, 25, 12, 0, tzinfo=LOS_ANGELES)
ORIGIN = "http://simulator"


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(
        WorldConfig(seed=9, repo_count=3, activity_scale=0.1, now=WEDNESDAY_NOON.astimezone(UTC))
    )


class Refusing(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)


def scheduler_of(
    store: SqlStore,
    world: World,
    clock: FixedClock,
    transport: httpx.AsyncBaseTransport | None = None,
    stop_at: tuple[datetime, anyio.Event] | None = None,
    part_size: int = 1000,
) -> CollectionScheduler:
    """A scheduler on ``clock`` whose sleeps advance it; with ``stop_at``, a sleep that would
    pass that moment sets the event and never ends."""
    settings = load_settings(
        github_api_url=ORIGIN,
        github_tokens="sim-token-1",
        npm_downloads_url=f"{ORIGIN}/npm",
        pypistats_url=f"{ORIGIN}/pypistats",
    )
    simulated = SimulatorTransport(create_app(world, clock))

    def open_upstreams() -> Upstreams:
        return build_upstreams(
            settings,
            clock,
            transport=transport or simulated,
            retry=RetryPolicy(sleep=clock_sleeper(clock), seed=2),
        )

    async def sleep(seconds: float) -> None:
        if stop_at is not None and clock.now() + timedelta(seconds=seconds) > stop_at[0]:
            stop_at[1].set()  # the time the test wanted has passed: the scheduler waits here
            await anyio.sleep_forever()
        clock.advance(timedelta(seconds=seconds))
        await anyio.lowlevel.checkpoint()

    return CollectionScheduler(
        store, clock, open_upstreams, LOS_ANGELES, sleep=sleep, part_size=part_size
    )


def jobs_run(store: SqlStore) -> Counter[str]:
    return Counter(run.job for run in store.list_runs(1000))


async def test_at_start_each_schedule_runs_its_latest_slot_once(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(WEDNESDAY_NOON)
    track(store, world)
    scheduler = scheduler_of(store, world, clock)

    results = await scheduler.run_due()

    assert sorted(r.run.job for r in results) == [
        "collect:downloads",
        "collect:prs+issues",
        "collect:stars",
    ]
    assert all(r.run.status.value == "succeeded" for r in results)
    repo = RepoName(world.repos[0].owner, world.repos[0].name)
    assert {family: count for family, count in store.count_points(repo).items() if count} == {
        Family.STARS: 1,
        Family.REACH: 1,  # from the stars' request
        Family.PRS: 1,
        Family.ISSUES: 1,
        **({Family.DOWNLOADS: 1} if world.repos[0].packages else {}),
    }
    assert await scheduler.run_due() == []  # every latest slot is taken


@pytest.mark.slow  # 66 collections of a simulated week: 20-70 s of CPU, none of waiting
async def test_a_simulated_week_collects_on_the_seeds_schedule(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(WEDNESDAY_NOON)
    track(store, world)
    week_later = clock.now() + timedelta(days=7, hours=1)
    passed = anyio.Event()
    scheduler = scheduler_of(store, world, clock, stop_at=(week_later, passed))
    with anyio.fail_after(600):  # a safety net: the week passes on the injected clock
        async with anyio.create_task_group() as group:
            group.start_soon(scheduler.run_forever)
            await passed.wait()
            group.cancel_scope.cancel()
    ran = jobs_run(store)
    # at start the latest slot of each, then a week (and an hour): 56 star slots, 7 daily, 1 Sunday
    assert ran == Counter({"collect:stars": 57, "collect:prs+issues": 8, "collect:downloads": 2})
    stars = store.read_series(RepoName(world.repos[0].owner, world.repos[0].name), Family.STARS)
    local_hours = {point.observed_at.astimezone(LOS_ANGELES).hour for point in stars.points()}
    assert local_hours == {0, 3, 6, 9, 12, 15, 18, 21}


async def test_servers_sharing_a_store_collect_each_slot_once(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(WEDNESDAY_NOON)
    track(store, world)
    servers = [scheduler_of(store, world, clock) for _ in range(3)]
    async with anyio.create_task_group() as group:
        for server in servers:
            group.start_soon(server.run_due)
    assert jobs_run(store) == Counter(
        {"collect:stars": 1, "collect:prs+issues": 1, "collect:downloads": 1}
    )


async def test_nothing_tracked_means_no_run_and_no_slot_taken(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(WEDNESDAY_NOON)
    scheduler = scheduler_of(store, world, clock)
    assert await scheduler.run_due() == []
    assert store.list_runs() == [] and store.latest_slot_taken("collect:stars") is None


async def test_a_failed_collection_gives_its_slot_back_and_is_retried(
    store: SqlStore, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FixedClock(WEDNESDAY_NOON)
    track(store, world)
    with caplog.at_level(logging.WARNING, logger="ossgrowth.collect.scheduler"):
        assert await scheduler_of(store, world, clock, Refusing()).run_due() == []
    assert "scheduled collect:stars" in caplog.text and "cannot reach" in caplog.text
    assert {run.status.value for run in store.list_runs()} == {"failed"}
    assert store.latest_slot_taken("collect:stars") is None
    retried = await scheduler_of(store, world, clock).run_due()
    assert len(retried) == 3


async def test_a_slot_left_unfinished_by_a_killed_runner_is_collected_once_its_lease_ends(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(WEDNESDAY_NOON)
    track(store, world)
    slot = WEDNESDAY_NOON.astimezone(UTC)
    now = clock.now()
    killed = store.claim_slot(
        "collect:stars", slot, owner="killed", now=now, until=now + timedelta(seconds=60)
    )
    left = store.record_run(Run(job="collect:stars", environment="dev", started_at=now))
    assert killed  # then the process died: no renewal, no finish, its run left running
    scheduler = scheduler_of(store, world, clock)
    first = await scheduler.run_due()
    assert "collect:stars" not in {r.run.job for r in first}  # its lease has not ended yet
    clock.advance(timedelta(seconds=61))
    second = await scheduler.run_due()
    assert [r.run.job for r in second] == ["collect:stars"]
    assert await scheduler.run_due() == []  # finished now: nobody takes it again
    (abandoned,) = [run for run in store.list_runs(job="collect:stars") if run.id == left.id]
    assert abandoned.status is RunStatus.FAILED and abandoned.error == ABANDONED_RUN_ERROR
    assert abandoned.finished_at == clock.now()
    assert store.list_runs(status=RunStatus.RUNNING) == []


async def test_the_lease_is_renewed_every_third_of_it_while_a_long_collection_runs(
    store: SqlStore, world: World
) -> None:
    """The collection is held at its first request while the clock moves three leases on, a
    third at a time: each third renews the lease to a whole lease from then, so a second runner
    is refused at every step, though the lease first taken ended long ago."""
    clock = FixedClock(WEDNESDAY_NOON)
    track(store, world)
    settings = load_settings(
        github_api_url=ORIGIN,
        github_tokens="sim-token-1",
        npm_downloads_url=f"{ORIGIN}/npm",
        pypistats_url=f"{ORIGIN}/pypistats",
    )
    held = HeldUpstream(SimulatorTransport(create_app(world, clock)))

    def open_upstreams() -> Upstreams:
        return build_upstreams(settings, clock, transport=held)

    stars_only = tuple(s for s in SCHEDULES if s.name == "collect:stars")
    lease = timedelta(seconds=60)
    scheduler = CollectionScheduler(
        store, clock, open_upstreams, LOS_ANGELES, schedules=stars_only, lease_seconds=60
    )
    slot = WEDNESDAY_NOON.astimezone(UTC)

    def lease_until() -> datetime | None:
        (claim,) = store.slot_claims("collect:stars", slot)
        return claim.lease_until

    results: list[CollectionResult] = []

    async def collect() -> None:
        results.extend(await scheduler.run_due())

    async with anyio.create_task_group() as group:
        group.start_soon(collect)
        await held.reached.wait()
        assert lease_until() == clock.now() + lease
        for _ in range(9):
            clock.advance(lease / 3)
            await until_true(lambda: lease_until() == clock.now() + lease)
            now = clock.now()
            taken = store.claim_slot(
                "collect:stars", slot, owner="second", now=now, until=now + timedelta(hours=1)
            )
            assert not taken, "the second runner took a slot whose lease is being renewed"
        held.let_through()
    assert [r.run.status.value for r in results] == ["succeeded"]
    (claim,) = store.slot_claims("collect:stars", slot)
    assert claim.finished_at is not None and claim.owner != "second"


async def test_conditional_answers_are_kept_from_one_scheduled_run_to_the_next(
    store: SqlStore, world: World
) -> None:
    """Without a token the collection takes REST; the process keeps its ETags across runs,
    so what did not change since the last slot is answered 304 (free when authorised)."""
    clock = FixedClock(WEDNESDAY_NOON)
    track(store, world)
    app = create_app(world, clock)
    settings = load_settings(
        github_api_url=ORIGIN,
        npm_downloads_url=f"{ORIGIN}/npm",
        pypistats_url=f"{ORIGIN}/pypistats",
    )
    work = background_work(
        settings, store, clock, backfills=False, schedule=True, transport=SimulatorTransport(app)
    )
    assert work.scheduler is not None

    first = await work.scheduler.run_due()
    asked_first = app.state.ledger.snapshot()
    clock.advance(timedelta(hours=3))  # the next stars slot
    second = await work.scheduler.run_due()
    asked_second = app.state.ledger.snapshot()

    assert [r.run.job for r in second] == ["collect:stars"]
    assert all(r.run.status.value == "succeeded" for r in [*first, *second])
    # a new cache would send no If-None-Match at all: these 304s answer the ETags of the slot before
    assert asked_second.not_modified - asked_first.not_modified > 0
    repo = RepoName(world.repos[0].owner, world.repos[0].name)
    assert store.count_points(repo)[Family.STARS] == 2  # a 304 still gives the kept answer


async def test_runners_sharing_a_store_divide_a_slot_in_parts_and_collect_each_once(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(WEDNESDAY_NOON)
    track(store, world)
    runners = [scheduler_of(store, world, clock, part_size=1) for _ in range(3)]
    results: list[list[CollectionResult]] = []

    async def run(scheduler: CollectionScheduler) -> None:
        results.append(await scheduler.run_due())

    with anyio.fail_after(60):
        async with anyio.create_task_group() as group:
            for scheduler in runners:
                group.start_soon(run, scheduler)

    stars = [r for each in results for r in each if r.run.job == "collect:stars"]
    assert len(stars) > 1  # one run a part, each part run once, by whichever runner
    assert sum(r.run.counts["subjects"] for r in stars) == len(world.repos)
    assert all(r.run.counts["subjects"] > 0 for r in stars)
    assert len({r.run.id for r in stars}) == len(stars)
    for repo in world.repos:
        assert store.count_points(RepoName(repo.owner, repo.name))[Family.STARS] == 1
    assert store.latest_slot_taken("collect:stars") == latest_slot(
        SCHEDULES[0], clock.now(), LOS_ANGELES
    )
    for scheduler in runners:
        assert await scheduler.run_due() == []  # every part of every latest slot is done
