"""Leases kept while work runs: renewed every third of their length, on the injected clock.

A runner holds a lease on what it works on (a part of a scheduled slot, the backfill jobs of a
run, a standalone collection's run) so that another runner leaves it alone, and takes it up
once the lease has ended when the runner died. While the work lasts, :class:`LeaseKeeper`
renews the lease every third of its length: a renewal may be late or fail twice before the
lease ends. What a renewal is (which store call, what a refusal means) belongs to the lease's
holder; when to renew and until when belongs here.

The waits are on the injected clock (:func:`~ossgrowth.clock.sleep_on`): real ones on the
system clock; on a :class:`~ossgrowth.clock.FixedClock` a renewal is due once a test has
moved the clock a third of a lease, so tests step time instead of waiting for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn, TypeVar

import anyio

from ossgrowth.clock import Clock, sleep_on

__all__ = ["RENEWALS_PER_LEASE", "LeaseKeeper", "Renewal"]

T = TypeVar("T")

RENEWALS_PER_LEASE = 3
"""Renewals within one lease's length: a lease outlives two renewals that fail or come late."""

Renewal = Callable[[datetime], Awaitable[None]]
"""Extends the lease (or leases) it was made for until the moment it is given. It logs a
renewal the store refuses itself; what it raises ends the work it keeps (see
:meth:`LeaseKeeper.run`)."""


@dataclass(frozen=True, slots=True)
class LeaseKeeper:
    """Renews leases of ``lease_seconds`` every third of that, on ``clock``, while work runs.

    Args:
        clock: what "now" is; its sleeps pace the renewals (see :func:`sleep_on`).
        lease_seconds: how long a lease lasts unless renewed.
    """

    clock: Clock
    lease_seconds: float

    def __post_init__(self) -> None:
        if self.lease_seconds <= 0:
            raise ValueError("a lease lasts some time: lease_seconds must be positive")

    @property
    def renewal_seconds(self) -> float:
        """Time between renewals: a third of the lease."""
        return self.lease_seconds / RENEWALS_PER_LEASE

    def until(self) -> datetime:
        """When a lease taken or renewed now ends."""
        return self.clock.now() + timedelta(seconds=self.lease_seconds)

    async def keep(self, renew: Renewal, since: datetime | None = None) -> NoReturn:
        """Call ``renew`` with :meth:`until` every :attr:`renewal_seconds` from ``since`` (by
        default now), until cancelled.

        Renewals are due on that cadence however long each takes; one that came late (a
        suspended machine, a clock moved by more than a third at once) is not made up for: the
        next is due a third of a lease after it.
        """
        due = self.clock.now() if since is None else since
        step = timedelta(seconds=self.renewal_seconds)
        while True:
            due += step
            await sleep_on(self.clock, max(0.0, (due - self.clock.now()).total_seconds()))
            due = max(due, self.clock.now())
            await renew(self.until())

    async def run(self, work: Callable[[], Awaitable[T]], renew: Renewal) -> T:
        """Await ``work()`` while :meth:`keep` renews its lease beside it.

        What ``work`` returns is returned and what it raises is raised as it is (not in an
        exception group); the renewals stop when it ends. A renewal that raises cancels
        ``work`` and is raised in an exception group, as a task group raises it.
        """
        outcome: list[T] = []
        failed: list[Exception] = []
        async with anyio.create_task_group() as renewing:
            renewing.start_soon(self.keep, renew, self.clock.now())
            try:
                outcome.append(await work())
            except Exception as error:  # raised below as it is, outside the task group
                failed.append(error)
            renewing.cancel_scope.cancel()
        if failed:
            raise failed[0]
        return outcome[0]
