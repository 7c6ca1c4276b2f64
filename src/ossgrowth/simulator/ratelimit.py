"""GitHub's primary rate limits: an hourly budget per token and resource, as GitHub counts it.

A window opens with the first charged request and lasts an hour; when it has passed, the next
request opens a new one. Time comes from the injected clock, so tests move through windows by
advancing a fake clock.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Budget", "RateLimiter"]

WINDOW_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Budget:
    """A bucket as the ``x-ratelimit-*`` headers show it."""

    resource: str
    limit: int
    used: int
    reset_epoch_seconds: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


@dataclass
class _Window:
    used: int
    reset_epoch_seconds: int


class RateLimiter:
    """Buckets keyed by caller (a token, or ``anonymous:<address>``) and resource."""

    def __init__(self) -> None:
        self._windows: dict[tuple[str, str], _Window] = {}

    def budget(self, caller: str, resource: str, limit: int, now_epoch_seconds: int) -> Budget:
        """The bucket now, without charging; an expired or unused one shows a fresh hour."""
        window = self._windows.get((caller, resource))
        if window is None or window.reset_epoch_seconds <= now_epoch_seconds:
            return Budget(resource, limit, 0, now_epoch_seconds + WINDOW_SECONDS)
        return Budget(resource, limit, window.used, window.reset_epoch_seconds)

    def charge(
        self, caller: str, resource: str, limit: int, amount: int, now_epoch_seconds: int
    ) -> Budget:
        """Spend ``amount`` (never beyond the limit) and return the bucket after it."""
        key = (caller, resource)
        window = self._windows.get(key)
        if window is None or window.reset_epoch_seconds <= now_epoch_seconds:
            window = _Window(0, now_epoch_seconds + WINDOW_SECONDS)
            self._windows[key] = window
        window.used = min(limit, window.used + amount)
        return Budget(resource, limit, window.used, window.reset_epoch_seconds)
