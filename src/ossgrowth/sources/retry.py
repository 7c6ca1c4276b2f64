"""When to try a request again and how long to wait first.

Every wait goes through an injectable ``sleep`` callable: the product sleeps for real, tests and
simulated runs pass :func:`clock_sleeper`, which only moves a :class:`~ossgrowth.clock.FixedClock`.
Randomness (the jitter) comes from a seeded :class:`random.Random`, so a run can be replayed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from random import Random

import anyio
import anyio.lowlevel

from ossgrowth.clock import FixedClock

__all__ = ["DEFAULT_RETRY_POLICY", "RetryPolicy", "Sleep", "clock_sleeper"]

Sleep = Callable[[float], Awaitable[None]]
"""Waits the given number of seconds."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounds on retries and waits, shared by every client.

    Transient failures (5xx answers, timeouts, resets, bodies that are not JSON) are retried
    with exponential backoff and full jitter: before attempt ``n + 1`` the client waits a
    random time in ``[0, min(max_delay_seconds, base_delay_seconds * 2**n))``.
    """

    max_attempts: int = 8
    """Tries of one request, the first included, before a transient failure is reported."""
    max_unreachable_attempts: int = 3
    """Tries when a host that never answered this client cannot even be connected to (refused,
    unknown host): it is more often misconfigured than briefly down, so the user hears about it
    within seconds. Once a host has answered, connection failures get ``max_attempts``."""
    base_delay_seconds: float = 1.0
    max_delay_seconds: float = 60.0
    secondary_limit_wait_seconds: float = 60.0
    """Least wait after a secondary rate limit that names no ``retry-after`` (GitHub: a minute)."""
    max_secondary_limit_waits: int = 6
    """Secondary-limit answers to one request before giving up with ``RateLimited``."""
    max_reset_wait_seconds: float = 3900.0
    """Longest wait for a primary budget to reset; beyond it ``RateLimited`` is raised instead."""
    sleep: Sleep = field(default=anyio.sleep, compare=False)
    seed: int | None = None
    """Seed of the jitter; ``None`` seeds from the system."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay_seconds < 0 or self.max_delay_seconds < 0:
            raise ValueError("delays cannot be negative")

    def random(self) -> Random:
        """A fresh jitter source for one client."""
        return Random(self.seed)

    def backoff_seconds(self, failures: int, random: Random) -> float:
        """The wait after ``failures`` failed attempts in a row (1 for the first)."""
        ceiling = min(self.max_delay_seconds, self.base_delay_seconds * 2.0 ** (failures - 1))
        return random.uniform(0, ceiling)

    def secondary_limit_seconds(
        self, strikes: int, retry_after_seconds: float | None, random: Random
    ) -> float:
        """The wait after the ``strikes``-th secondary rate limit of one request.

        ``retry-after`` is obeyed when given; otherwise at least a minute, doubling after each
        further strike, plus jitter so that concurrent callers do not return together.
        """
        if retry_after_seconds is not None:
            return max(0.0, retry_after_seconds)
        least = self.secondary_limit_wait_seconds * 2.0 ** (strikes - 1)
        return least + random.uniform(0, self.secondary_limit_wait_seconds)


DEFAULT_RETRY_POLICY = RetryPolicy()


def clock_sleeper(clock: FixedClock) -> Sleep:
    """A ``sleep`` that moves ``clock`` forward instead of waiting; for tests and simulations."""

    async def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=max(0.0, seconds)))
        await anyio.lowlevel.checkpoint()

    return sleep
