"""The injected clock: a fake one that moves only when told, and sleeps that wait on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import anyio
import pytest

from ossgrowth.clock import FixedClock, sleep_on

START = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)


def test_a_sleep_on_a_fixed_clock_ends_once_the_clock_was_moved_that_far() -> None:
    clock = FixedClock(START)
    woke_at: list[datetime] = []

    async def main() -> None:
        async def sleeper() -> None:
            await sleep_on(clock, 10)
            woke_at.append(clock.now())

        async with anyio.create_task_group() as group:
            group.start_soon(sleeper)
            await anyio.wait_all_tasks_blocked()
            clock.advance(timedelta(seconds=4))
            await anyio.wait_all_tasks_blocked()
            assert woke_at == []  # 4 of its 10 seconds have passed
            clock.set(START + timedelta(seconds=9))
            await anyio.wait_all_tasks_blocked()
            assert woke_at == []
            clock.advance(timedelta(seconds=3))

    anyio.run(main)
    assert woke_at == [START + timedelta(seconds=12)]


@pytest.mark.parametrize("seconds", [0, -5])
def test_a_sleep_of_no_time_on_a_fixed_clock_ends_at_once(seconds: float) -> None:
    clock = FixedClock(START)
    anyio.run(sleep_on, clock, seconds)
    assert clock.now() == START  # a sleep never moves the clock


def test_a_fixed_clock_outlives_the_event_loop_a_sleep_on_it_was_cancelled_in() -> None:
    clock = FixedClock(START)

    async def cancelled() -> None:
        with anyio.move_on_after(0):
            await clock.sleep(60)

    async def slept() -> datetime:
        async with anyio.create_task_group() as group:
            group.start_soon(clock.sleep, 60)
            await anyio.wait_all_tasks_blocked()
            clock.advance(timedelta(minutes=1))
        return clock.now()

    anyio.run(cancelled)
    clock.advance(timedelta(seconds=1))  # no event loop runs now: it wakes nobody
    assert anyio.run(slept) == START + timedelta(seconds=61)
