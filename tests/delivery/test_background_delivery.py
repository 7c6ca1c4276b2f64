"""Deliveries in the background work of ``serve`` and ``collect``: a loop of their own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import anyio
import anyio.to_thread
import pytest

from ossgrowth.alert_types import DeliveryStatus
from ossgrowth.api import create_app
from ossgrowth.clock import FixedClock
from ossgrowth.collect.background import background_work
from ossgrowth.config import Settings, load_settings
from ossgrowth.simulator import SimulatorTransport, World, WorldConfig, build_world
from ossgrowth.simulator import create_app as create_simulator
from ossgrowth.store import SqlStore
from tests.collect.test_backfill import track
from tests.delivery.examples import SECRET, a_rule, an_event, stored_rule
from tests.delivery.receiver import serving

pytestmark = pytest.mark.anyio
WEDNESDAY_NOON = datetime(2026, 11, 25, 12, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
ORIGIN = "http://simulator"
LIMIT_SECONDS = 60


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(
        WorldConfig(seed=9, repo_count=3, activity_scale=0.1, now=WEDNESDAY_NOON.astimezone(UTC))
    )


@pytest.fixture
def store(tmp_path: Path, world: World) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path / 'dev.db'}", environment="dev")
    store.upgrade()
    track(store, world)
    yield store
    store.close()


def simulated(**overrides: object) -> Settings:
    return load_settings(
        github_api_url=ORIGIN,
        github_tokens="sim-token-1",
        npm_downloads_url=f"{ORIGIN}/npm",
        pypistats_url=f"{ORIGIN}/pypistats",
        alerts_allow_private_targets=True,  # the receiver is on a loopback address
        **overrides,
    )


async def until(condition: object) -> None:
    while not condition():  # type: ignore[operator]
        await anyio.sleep(0.01)


async def test_a_receiver_that_hangs_does_not_stall_a_collection_running_meanwhile(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(WEDNESDAY_NOON)
    with serving(SECRET) as hanging:
        hanging.holding = True
        rule = stored_rule(store, a_rule(target=hanging.url))
        store.write_points([], events=[an_event(rule_id=rule.id, observed_at=clock.now())])
        work = background_work(
            simulated(),
            store,
            clock,
            backfills=False,
            schedule=True,
            deliveries=True,
            transport=SimulatorTransport(create_simulator(world, clock)),
        )
        assert work.scheduler is not None and work.dispatcher is not None
        dispatcher = work.dispatcher

        with anyio.fail_after(LIMIT_SECONDS):
            async with anyio.create_task_group() as group:
                group.start_soon(dispatcher.run_forever)
                await anyio.to_thread.run_sync(hanging.arrived.wait, LIMIT_SECONDS)

                results = await work.scheduler.run_due()  # while the receiver hangs

                assert results and all(r.run.status.value == "succeeded" for r in results)
                [held] = store.list_deliveries()
                assert held.status is DeliveryStatus.PENDING
                assert held.lease_owner == dispatcher.owner  # still being sent
                hanging.release()
                await until(lambda: store.list_deliveries()[0].status is DeliveryStatus.DELIVERED)
                group.cancel_scope.cancel()
        assert len(hanging.received) == 1


async def test_a_collection_that_wrote_wakes_the_dispatcher_at_once(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(WEDNESDAY_NOON)
    with serving(SECRET) as receiver:
        rule = stored_rule(store, a_rule(target=receiver.url))
        later = clock.now() + timedelta(hours=1)  # not due at the dispatcher's first round
        store.write_points([], events=[an_event(rule_id=rule.id, observed_at=later)])
        work = background_work(
            simulated(delivery_poll_seconds=3600),  # without the wake, an hour's wait
            store,
            clock,
            backfills=False,
            schedule=True,
            deliveries=True,
            transport=SimulatorTransport(create_simulator(world, clock)),
        )
        assert work.scheduler is not None and work.dispatcher is not None
        dispatcher = work.dispatcher

        with anyio.fail_after(LIMIT_SECONDS):
            async with anyio.create_task_group() as group:
                group.start_soon(dispatcher.run_forever)
                await until(lambda: dispatcher.rounds >= 1)
                assert receiver.received == []
                clock.advance(timedelta(hours=2))
                await work.scheduler.run_due()
                await anyio.to_thread.run_sync(receiver.arrived.wait, LIMIT_SECONDS)
                group.cancel_scope.cancel()
        assert len(receiver.received) == 1 and receiver.received[0].signature_valid


async def test_a_server_sends_deliveries_while_it_serves(store: SqlStore) -> None:
    clock = FixedClock(WEDNESDAY_NOON)
    with serving(SECRET) as receiver:
        rule = stored_rule(store, a_rule(target=receiver.url))
        store.write_points([], events=[an_event(rule_id=rule.id, observed_at=clock.now())])
        settings = load_settings(alerts_allow_private_targets=True)  # a loopback receiver
        app = create_app(settings, store, clock, alert_deliveries=True)

        with anyio.fail_after(LIMIT_SECONDS):
            async with app.router.lifespan_context(app):
                await anyio.to_thread.run_sync(receiver.arrived.wait, LIMIT_SECONDS)
                await until(lambda: store.list_deliveries()[0].status is DeliveryStatus.DELIVERED)
        assert len(receiver.received) == 1


def test_no_dispatcher_unless_asked_for(store: SqlStore) -> None:
    settings, clock = load_settings(), FixedClock(WEDNESDAY_NOON)
    quiet = background_work(settings, store, clock, backfills=False, schedule=False)
    assert quiet.dispatcher is None and quiet.loops == []
    sending = background_work(
        settings, store, clock, backfills=False, schedule=False, deliveries=True
    )
    assert sending.dispatcher is not None
    assert sending.loops == [sending.dispatcher.run_forever]
