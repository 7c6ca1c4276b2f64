"""The backfill's limiter: a bound on holders, freed slots to the most urgent waiter."""

from __future__ import annotations

import anyio
import pytest

from ossgrowth.collect.priority_limiter import PriorityLimiter

pytestmark = pytest.mark.anyio


async def test_never_more_holders_than_its_capacity() -> None:
    limiter = PriorityLimiter(3)
    most = 0

    async def hold(priority: int) -> None:
        nonlocal most
        async with limiter.slot(priority):
            most = max(most, limiter.held)
            await anyio.sleep(0.001)

    async with anyio.create_task_group() as group:
        for index in range(20):
            group.start_soon(hold, index % 5)
    assert most == 3
    assert limiter.held == 0


async def test_a_freed_slot_goes_to_the_highest_priority_then_the_oldest() -> None:
    limiter = PriorityLimiter(1)
    order: list[str] = []
    release = anyio.Event()

    async def holder() -> None:
        async with limiter.slot(0):
            await release.wait()

    async def waiter(name: str, priority: int) -> None:
        async with limiter.slot(priority):
            order.append(name)

    async with anyio.create_task_group() as group:
        group.start_soon(holder)
        await anyio.wait_all_tasks_blocked()
        for name, priority in [("low", 1), ("high-1", 9), ("mid", 5), ("high-2", 9)]:
            group.start_soon(waiter, name, priority)
            await anyio.wait_all_tasks_blocked()
        release.set()
    assert order == ["high-1", "high-2", "mid", "low"]


async def test_a_cancelled_waiter_gives_up_its_place_and_loses_no_slot() -> None:
    limiter = PriorityLimiter(1)
    release = anyio.Event()
    served: list[str] = []

    async def holder() -> None:
        async with limiter.slot(0):
            await release.wait()

    async def waiter(name: str) -> None:
        async with limiter.slot(5):
            served.append(name)

    async with anyio.create_task_group() as group:
        group.start_soon(holder)
        await anyio.wait_all_tasks_blocked()
        with anyio.CancelScope() as scope:
            scope.cancel()
            await waiter("cancelled")  # waits, then is cancelled before it is served
        group.start_soon(waiter, "next")
        await anyio.wait_all_tasks_blocked()
        release.set()
    assert served == ["next"]
    assert limiter.held == 0


async def test_a_holder_cancelled_in_its_block_frees_the_slot_for_the_next() -> None:
    limiter = PriorityLimiter(1)
    served: list[str] = []
    scope = anyio.CancelScope()

    async def first() -> None:
        with scope:
            async with limiter.slot(9):
                served.append("first")
                await anyio.sleep_forever()

    async def second() -> None:
        async with limiter.slot(1):
            served.append("second")

    async with anyio.create_task_group() as group:
        group.start_soon(first)
        await anyio.wait_all_tasks_blocked()
        group.start_soon(second)
        await anyio.wait_all_tasks_blocked()
        assert served == ["first"]
        scope.cancel()
    assert served == ["first", "second"]
    assert limiter.held == 0


def test_refuses_a_capacity_below_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        PriorityLimiter(0)
