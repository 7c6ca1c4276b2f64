"""When to try a delivery again: which outcomes retry, and after how long.

Pure: the random source and the time come in as arguments.

- Retried: timeouts, connection errors, HTTP 5xx, 408 and 429 (after ``Retry-After`` when the
  receiver sends one, if that is later than the backoff would wait).
- Failed at once: any other 4xx (the receiver refuses this request; asking again will not
  change its mind) and 3xx (redirects are not followed: the rule needs the final URL).
- Backoff: exponential with full jitter, a random wait between 0 and
  ``min(cap, base × 2^(tries − 1))``, so receivers that come back are not hit by every
  sender at once; after :attr:`RetryPolicy.max_attempts` tries the delivery is failed.
"""

from __future__ import annotations

import email.utils
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ossgrowth.alert_types import DeliveryStatus

__all__ = [
    "DEFAULT_POLICY",
    "Attempt",
    "RetryPolicy",
    "Settlement",
    "outcome_of_status",
    "parse_retry_after",
]


@dataclass(frozen=True, slots=True)
class Attempt:
    """The outcome of one try to send a delivery."""

    delivered: bool
    retryable: bool = False
    error: str | None = None
    """One line, with no secret in it (never a URL's path, query or user info)."""
    retry_after_seconds: float | None = None
    """How long the receiver asked to be left alone (``Retry-After``), if it said."""

    @classmethod
    def success(cls) -> Attempt:
        return cls(delivered=True)

    @classmethod
    def retry(cls, error: str, *, after_seconds: float | None = None) -> Attempt:
        return cls(delivered=False, retryable=True, error=error, retry_after_seconds=after_seconds)

    @classmethod
    def failure(cls, error: str) -> Attempt:
        return cls(delivered=False, retryable=False, error=error)


@dataclass(frozen=True, slots=True)
class Settlement:
    """What to record after a try: the delivery's new status and, if pending, when next."""

    status: DeliveryStatus
    next_attempt_at: datetime | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long a delivery is tried.

    With the defaults a receiver that stays down is tried 10 times over about four hours on
    average (at most eight hours and a quarter) before the delivery is failed.
    """

    max_attempts: int = 10
    base_seconds: float = 60.0
    cap_seconds: float = 4 * 3600.0
    floor_seconds: float = 1.0
    """The shortest wait, so a jitter of zero does not retry in a tight loop."""
    max_retry_after_seconds: float = 24 * 3600.0
    """A ``Retry-After`` longer than this is shortened to it."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("a delivery is tried at least once")
        if not 0 < self.base_seconds <= self.cap_seconds:
            raise ValueError("the backoff's base must be positive and at most its cap")

    def backoff_seconds(self, attempts: int, rng: random.Random) -> float:
        """The wait after the ``attempts``-th try failed: full jitter under the ceiling."""
        exponent = min(max(attempts, 1) - 1, 62)  # 2**62 × base is past any cap
        ceiling = min(self.cap_seconds, self.base_seconds * 2.0**exponent)
        return max(self.floor_seconds, rng.uniform(0.0, ceiling))

    def settle(
        self, attempt: Attempt, *, attempts: int, now: datetime, rng: random.Random
    ) -> Settlement:
        """What becomes of a delivery whose ``attempts``-th try (counting this one) had
        ``attempt`` as its outcome, at ``now``."""
        if attempt.delivered:
            return Settlement(DeliveryStatus.DELIVERED)
        if not attempt.retryable:
            return Settlement(DeliveryStatus.FAILED, error=attempt.error)
        if attempts >= self.max_attempts:
            return Settlement(
                DeliveryStatus.FAILED,
                error=f"{attempt.error} (gave up after {attempts} tries)",
            )
        wait = self.backoff_seconds(attempts, rng)
        if attempt.retry_after_seconds is not None:
            wait = max(wait, min(attempt.retry_after_seconds, self.max_retry_after_seconds))
        return Settlement(
            DeliveryStatus.PENDING,
            next_attempt_at=now + timedelta(seconds=wait),
            error=attempt.error,
        )


DEFAULT_POLICY = RetryPolicy()


def outcome_of_status(
    status_code: int, retry_after: str | None, *, now: datetime, where: str
) -> Attempt:
    """The outcome of an HTTP answer with ``status_code``.

    Args:
        status_code: the answer's status.
        retry_after: its ``Retry-After`` header, if any.
        now: when it came (an HTTP date in ``Retry-After`` is counted from it).
        where: the receiver as it may be shown (scheme and host), for the error line.
    """
    if 200 <= status_code < 300:
        return Attempt.success()
    error = f"HTTP {status_code} from {where}"
    if status_code in (408, 429) or status_code >= 500:
        return Attempt.retry(error, after_seconds=parse_retry_after(retry_after, now))
    if 300 <= status_code < 400:
        return Attempt.failure(
            f"{error}: a redirect, which is not followed; give the rule the final URL"
        )
    return Attempt.failure(f"{error}: the receiver refused the delivery")


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number of seconds or an HTTP date.

    ``None`` when absent or unreadable; a date in the past is ``0``.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())
