"""One lease keeper: renewals every third of the lease on the injected clock, while work runs.

The holders' own renewals (a slot's part, backfill jobs, a standalone run) are tested where
they live: ``test_scheduler.py``, ``test_backfill_leases.py`` and ``test_abandoned.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import anyio
import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.collect.lease_keeper import LeaseKeeper
from ossgrowth.errors import StoreError

pytestmark = pytest.mark.anyio
START = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


class Renewals:
    """Records each renewal's end of lease."""

    def __init__(self) -> None:
        self.until: list[datetime] = []

    async def __call__(self, until: datetime) -> None:
        self.until.append(until)


async def test_a_lease_is_renewed_every_third_of_it_to_a_whole_lease_from_then() -> None:
    clock = FixedClock(START)
    keeper = LeaseKeeper(clock, LEASE.total_seconds())
    renewals = Renewals()
    async with anyio.create_task_group() as group:
        group.start_soon(keeper.keep, renewals)
        await anyio.wait_all_tasks_blocked()
        clock.advance(timedelta(seconds=19))
        await anyio.wait_all_tasks_blocked()
        assert renewals.until == []  # not a third of the lease yet
        for _ in range(3):
            clock.advance(timedelta(seconds=1))
            await anyio.wait_all_tasks_blocked()
            clock.advance(timedelta(seconds=19))
            await anyio.wait_all_tasks_blocked()
        group.cancel_scope.cancel()
    assert renewals.until == [START + timedelta(seconds=s) + LEASE for s in (20, 40, 60)]
    assert keeper.until() == clock.now() + LEASE


async def test_a_clock_moved_by_several_thirds_at_once_renews_once() -> None:
    """A late renewal is one renewal, to a whole lease from when it happens."""
    clock = FixedClock(START)
    keeper = LeaseKeeper(clock, LEASE.total_seconds())
    renewals = Renewals()
    async with anyio.create_task_group() as group:
        group.start_soon(keeper.keep, renewals)
        await anyio.wait_all_tasks_blocked()
        clock.advance(timedelta(seconds=50))
        await anyio.wait_all_tasks_blocked()
        clock.advance(timedelta(seconds=19))  # 19 s since that renewal: none due
        await anyio.wait_all_tasks_blocked()
        group.cancel_scope.cancel()
    assert renewals.until == [START + timedelta(seconds=50) + LEASE]


async def test_a_renewal_that_takes_time_does_not_put_off_the_next() -> None:
    """Renewals are due every third of the lease from the start, not from when the last one
    ended: a clock moved while a renewal was under way does not skip the next."""
    clock = FixedClock(START)
    keeper = LeaseKeeper(clock, LEASE.total_seconds())
    renewals = Renewals()

    async def slow_renewal(until: datetime) -> None:
        await renewals(until)
        clock.advance(timedelta(seconds=15))  # the store took its time (or a test moved on)

    async with anyio.create_task_group() as group:
        group.start_soon(keeper.keep, slow_renewal)
        await anyio.wait_all_tasks_blocked()
        clock.advance(timedelta(seconds=20))
        await anyio.wait_all_tasks_blocked()
        clock.advance(timedelta(seconds=5))  # 40 s since the start: the second one is due
        await anyio.wait_all_tasks_blocked()
        group.cancel_scope.cancel()
    assert renewals.until == [START + timedelta(seconds=s) + LEASE for s in (20, 40)]


async def test_run_returns_what_the_work_returns_and_renews_only_while_it_runs() -> None:
    clock = FixedClock(START)
    keeper = LeaseKeeper(clock, LEASE.total_seconds())
    renewals = Renewals()

    async def work() -> str:
        for seconds in (20, 20, 10):  # 50 s of work, as the clock counts them
            await anyio.wait_all_tasks_blocked()
            clock.advance(timedelta(seconds=seconds))
        await anyio.wait_all_tasks_blocked()
        return "collected"

    assert await keeper.run(work, renewals) == "collected"
    clock.advance(LEASE)
    await anyio.wait_all_tasks_blocked()
    assert renewals.until == [START + timedelta(seconds=s) + LEASE for s in (20, 40)]


async def test_what_the_work_raises_is_raised_as_it_is() -> None:
    keeper = LeaseKeeper(FixedClock(START), LEASE.total_seconds())

    async def work() -> None:
        raise StoreError("the store went away")

    with pytest.raises(StoreError, match="went away"):
        await keeper.run(work, Renewals())


async def test_a_renewal_that_raises_stops_the_work_and_is_raised() -> None:
    clock = FixedClock(START)
    keeper = LeaseKeeper(clock, LEASE.total_seconds())
    stopped: list[datetime] = []

    async def refused(until: datetime) -> None:
        raise StoreError("the store refused the renewal")

    async def work() -> None:
        await anyio.wait_all_tasks_blocked()
        clock.advance(LEASE / 3)
        try:
            await anyio.sleep_forever()
        finally:
            stopped.append(clock.now())

    with pytest.raises(ExceptionGroup) as raised:
        await keeper.run(work, refused)
    assert raised.group_contains(StoreError, match="refused the renewal")
    assert stopped == [START + LEASE / 3]


@pytest.mark.parametrize("lease_seconds", [0, -1])
def test_a_lease_of_no_time_is_refused(lease_seconds: float) -> None:
    with pytest.raises(ValueError, match="lease_seconds must be positive"):
        LeaseKeeper(FixedClock(START), lease_seconds)
