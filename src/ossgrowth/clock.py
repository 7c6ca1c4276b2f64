"""Time, injected: the system clock for the product, a fake one for tests and the simulator.

Code that waits for time to pass on the injected clock (a lease renewed every third of its
length) waits through :func:`sleep_on`: the system clock sleeps for real; a
:class:`FixedClock` returns once a test has moved it that far, so the test decides when the
time has passed, with no real waiting.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

import anyio
import anyio.lowlevel

__all__ = ["Clock", "FixedClock", "SleepingClock", "SystemClock", "sleep_on", "utc"]


class Clock(Protocol):
    """Tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


@runtime_checkable
class SleepingClock(Clock, Protocol):
    """A clock that can also wait until it has moved on."""

    async def sleep(self, seconds: float) -> None:
        """Return once the clock reads ``seconds`` later than when called."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of real time."""
        await anyio.sleep(seconds)


class FixedClock:
    """A clock that only moves when told to; for tests and simulated worlds."""

    def __init__(self, start: datetime) -> None:
        self._now = utc(start)
        self._sleepers: list[anyio.Event] = []

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``; tasks sleeping on it until then wake up.

        Call it from the thread of the event loop those tasks run in (a test's own body).
        """
        if delta < timedelta(0):
            raise ValueError("a clock does not go backwards")
        self._now += delta
        if delta:
            for sleeper in self._sleepers:
                sleeper.set()  # each looks at the time again, and sleeps on if it is early

    async def sleep(self, seconds: float) -> None:
        """Wait, without real waiting, until the clock has been moved ``seconds`` past now
        (by :meth:`advance` or :meth:`set`, from elsewhere: a sleep never moves the clock)."""
        until = self._now + timedelta(seconds=max(0.0, seconds))
        await anyio.lowlevel.checkpoint()
        while self._now < until:
            moved = anyio.Event()
            self._sleepers.append(moved)
            try:
                await moved.wait()
            finally:
                self._sleepers.remove(moved)

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (not earlier than now)."""
        self.advance(utc(moment) - self._now)


async def sleep_on(clock: Clock, seconds: float) -> None:
    """Wait until ``clock`` reads ``seconds`` later: a :class:`SleepingClock` waits itself (a
    :class:`FixedClock` until it is moved); any other clock waits that long in real time."""
    if isinstance(clock, SleepingClock):
        await clock.sleep(seconds)
    else:
        await anyio.sleep(seconds)


def utc(moment: datetime) -> datetime:
    """Return ``moment`` as an aware UTC datetime; a naive datetime is refused, never guessed."""
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} has no time zone; give it one")
    return moment.astimezone(UTC)
