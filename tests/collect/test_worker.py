"""The server's backfill worker: queued jobs run without anyone asking, once each."""

from __future__ import annotations

import logging
from datetime import timedelta

import anyio
import anyio.to_thread
import httpx
import pytest

from ossgrowth.checkpoints import BackfillStatus
from ossgrowth.clock import FixedClock
from ossgrowth.collect import BackfillWorker, HistorySources, enqueue_backfill
from ossgrowth.model import Family, RepoName
from ossgrowth.simulator import World, WorldConfig, build_world
from ossgrowth.store import SqlStore
from tests.collect.test_backfill import sources, track

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(WorldConfig(seed=11, repo_count=2, activity_scale=0.1))


class Refusing(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)


def worker_of(
    store: SqlStore,
    world: World,
    clock: FixedClock,
    transport: httpx.AsyncBaseTransport | None = None,
    finished: list[int] | None = None,
) -> BackfillWorker:
    def open_sources() -> HistorySources:
        return sources(world, clock, transport=transport)

    return BackfillWorker(
        store,
        clock,
        open_sources,
        poll_seconds=3600,
        on_finished=None if finished is None else lambda: finished.append(1),
    )


async def test_with_nothing_queued_a_look_records_no_run(store: SqlStore, world: World) -> None:
    clock = FixedClock(world.config.now)
    track(store, world)
    worker = worker_of(store, world, clock)
    assert await worker.run_once() is None
    assert store.list_runs() == [] and worker.runs == 0


async def test_queued_jobs_run_and_the_api_hears_of_it(store: SqlStore, world: World) -> None:
    clock = FixedClock(world.config.now)
    track(store, world)
    enqueue_backfill(store, clock, None)
    finished: list[int] = []
    worker = worker_of(store, world, clock, finished=finished)

    result = await worker.run_once()

    assert result is not None and result.run.status.value == "succeeded"
    assert store.backfill_jobs(BackfillStatus.QUEUED) == []
    assert finished == [1]
    assert await worker.run_once() is None  # nothing left


async def test_jobs_another_runner_holds_are_not_looked_at(store: SqlStore, world: World) -> None:
    clock = FixedClock(world.config.now)
    track(store, world, [world.repos[0]])
    repo = RepoName(world.repos[0].owner, world.repos[0].name)
    enqueue_backfill(store, clock, [repo], [Family.STARS])
    now = clock.now()
    store.claim_backfill(repo, Family.STARS, owner="other", now=now, until=now + timedelta(hours=1))
    worker = worker_of(store, world, clock)
    assert await worker.run_once() is None
    clock.advance(timedelta(hours=1))  # the other runner died: its lease ends
    result = await worker.run_once()
    assert result is not None and [o.status for o in result.outcomes] == [BackfillStatus.DONE]


async def test_an_unreachable_upstream_is_logged_and_the_jobs_wait(
    store: SqlStore, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FixedClock(world.config.now)
    track(store, world)
    enqueue_backfill(store, clock, None, [Family.STARS])
    worker = worker_of(store, world, clock, transport=Refusing())
    with caplog.at_level(logging.WARNING, logger="ossgrowth.collect.worker"):
        assert await worker.run_once() is None
    assert "backfill run stopped" in caplog.text and "cannot reach" in caplog.text
    assert len(store.backfill_jobs(BackfillStatus.QUEUED)) == len(world.repos)
    assert all(job.lease_owner is None for job in store.backfill_jobs())


async def test_woken_from_another_thread_it_runs_what_was_just_queued(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(world.config.now)
    track(store, world)
    worker = worker_of(store, world, clock)
    async with anyio.create_task_group() as group:
        group.start_soon(worker.run_forever)
        await anyio.wait_all_tasks_blocked()
        assert worker.runs == 0  # nothing queued at its first look; next look in an hour
        enqueue_backfill(store, clock, None)
        await anyio.to_thread.run_sync(worker.wake)  # as a sync API route does
        with anyio.fail_after(30):
            while store.backfill_jobs(BackfillStatus.QUEUED):
                await anyio.sleep(0.01)
        group.cancel_scope.cancel()
    assert worker.runs == 1
    assert {job.status for job in store.backfill_jobs()} == {BackfillStatus.DONE}
