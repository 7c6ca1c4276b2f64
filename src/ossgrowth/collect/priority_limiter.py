"""A bound on requests in flight that hands each freed slot to the most urgent waiter.

A backfill's wall time is set by its longest chain of dependent requests (the pages of one
connection, each needing the cursor of the one before). With a first-come limiter, the next
page of that chain queues behind hundreds of independent pages that could wait; here the
waiter with the most requests still to follow it goes first (critical path first, ties by
arrival), so the chain never waits for a slot while shorter work holds the rest.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import anyio
import anyio.lowlevel

__all__ = ["PriorityLimiter"]


@dataclass(order=True)
class _Waiter:
    rank: tuple[float, int]
    """(minus the priority, arrival): the heap's smallest is the most urgent, oldest first."""
    granted: anyio.Event = field(compare=False, default_factory=anyio.Event)


class PriorityLimiter:
    """At most ``capacity`` holders at once; a freed slot goes to the highest priority waiting.

    Args:
        capacity: holders at once (at least 1).
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("a limiter needs a capacity of at least 1")
        self._capacity = capacity
        self._held = 0
        self._waiting: list[_Waiter] = []
        self._arrivals = itertools.count()

    @property
    def held(self) -> int:
        """Slots held now."""
        return self._held

    @asynccontextmanager
    async def slot(self, priority: float) -> AsyncIterator[None]:
        """Hold a slot for the block; when all are held, wait behind higher ``priority`` only."""
        await self._acquire(priority)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, priority: float) -> None:
        if self._held < self._capacity and not self._waiting:
            await anyio.lowlevel.checkpoint_if_cancelled()
            self._held += 1
            return
        waiter = _Waiter((-priority, next(self._arrivals)))
        heapq.heappush(self._waiting, waiter)
        try:
            await waiter.granted.wait()
        except BaseException:
            if waiter.granted.is_set():
                self._release()  # handed a slot while being cancelled: pass it on
            else:
                self._waiting.remove(waiter)  # cancelled while waiting: rare, so O(n) will do
                heapq.heapify(self._waiting)
            raise

    def _release(self) -> None:
        if self._waiting:
            heapq.heappop(self._waiting).granted.set()  # the slot passes on: held stays
        else:
            self._held -= 1
