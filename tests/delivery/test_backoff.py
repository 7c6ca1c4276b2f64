"""Which outcomes retry, how long the backoff waits, and when a delivery is given up."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossgrowth.alert_types import DeliveryStatus
from ossgrowth.delivery.backoff import (
    DEFAULT_POLICY,
    Attempt,
    RetryPolicy,
    outcome_of_status,
    parse_retry_after,
)

NOW = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
WHERE = "https://hooks.example"


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_a_2xx_is_delivered(status: int) -> None:
    assert outcome_of_status(status, None, now=NOW, where=WHERE) == Attempt.success()


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 599])
def test_timeouts_rate_limits_and_server_errors_retry(status: int) -> None:
    attempt = outcome_of_status(status, None, now=NOW, where=WHERE)
    assert attempt.retryable and not attempt.delivered
    assert attempt.error == f"HTTP {status} from {WHERE}"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 410, 413, 422, 301, 302, 307, 308])
def test_other_refusals_and_redirects_fail_at_once(status: int) -> None:
    attempt = outcome_of_status(status, None, now=NOW, where=WHERE)
    assert not attempt.retryable and not attempt.delivered
    assert attempt.error is not None and attempt.error.startswith(f"HTTP {status} from {WHERE}")


def test_a_429_honours_retry_after_in_seconds_and_as_a_date() -> None:
    assert outcome_of_status(429, "120", now=NOW, where=WHERE).retry_after_seconds == 120
    date = "Mon, 30 Nov 2026 14:05:00 GMT"
    assert outcome_of_status(503, date, now=NOW, where=WHERE).retry_after_seconds == 300


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("0", 0.0),
        (" 30 ", 30.0),
        ("Mon, 30 Nov 2026 13:00:00 GMT", 0.0),  # already past
        ("Mon, 30 Nov 2026 14:00:10 GMT", 10.0),
    ],
)
def test_retry_after_is_read_or_ignored(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, NOW) == seconds


@given(attempts=st.integers(1, 200), seed=st.integers(0, 2**32))
def test_the_backoff_is_full_jitter_under_a_capped_exponential_ceiling(
    attempts: int, seed: int
) -> None:
    policy = RetryPolicy(base_seconds=60, cap_seconds=3600, floor_seconds=1)
    wait = policy.backoff_seconds(attempts, random.Random(seed))
    ceiling = min(3600.0, 60.0 * 2 ** (attempts - 1))
    assert 1.0 <= wait <= max(1.0, ceiling)


def test_the_jitter_spreads_over_the_whole_range() -> None:
    policy = RetryPolicy(base_seconds=60, cap_seconds=3600, floor_seconds=0)
    rng = random.Random(1)
    waits = [policy.backoff_seconds(3, rng) for _ in range(2000)]  # ceiling 240 s
    assert min(waits) < 24 and max(waits) > 216  # the lowest and highest tenths are reached
    assert 100 < sum(waits) / len(waits) < 140  # uniform: the mean is about half the ceiling


def test_a_retryable_failure_waits_for_its_backoff() -> None:
    settlement = DEFAULT_POLICY.settle(
        Attempt.retry("HTTP 500 from x"), attempts=1, now=NOW, rng=random.Random(3)
    )
    assert settlement.status is DeliveryStatus.PENDING
    assert settlement.next_attempt_at is not None
    assert NOW < settlement.next_attempt_at <= NOW + timedelta(seconds=60)
    assert settlement.error == "HTTP 500 from x"


def test_retry_after_beats_a_shorter_backoff_but_is_capped() -> None:
    policy = RetryPolicy(base_seconds=1, cap_seconds=1, max_retry_after_seconds=600)
    asked = policy.settle(
        Attempt.retry("HTTP 429", after_seconds=300), attempts=1, now=NOW, rng=random.Random(0)
    )
    assert asked.next_attempt_at == NOW + timedelta(seconds=300)
    greedy = policy.settle(
        Attempt.retry("HTTP 429", after_seconds=10**9), attempts=1, now=NOW, rng=random.Random(0)
    )
    assert greedy.next_attempt_at == NOW + timedelta(seconds=600)


def test_the_last_try_fails_the_delivery_for_good() -> None:
    policy = RetryPolicy(max_attempts=8)
    before_last = policy.settle(
        Attempt.retry("timed out"), attempts=7, now=NOW, rng=random.Random(0)
    )
    last = policy.settle(Attempt.retry("timed out"), attempts=8, now=NOW, rng=random.Random(0))
    assert before_last.status is DeliveryStatus.PENDING
    assert last.status is DeliveryStatus.FAILED and last.next_attempt_at is None
    assert last.error == "timed out (gave up after 8 tries)"


def test_a_refusal_fails_at_once_and_a_success_is_delivered() -> None:
    refused = DEFAULT_POLICY.settle(
        Attempt.failure("HTTP 404"), attempts=1, now=NOW, rng=random.Random(0)
    )
    assert refused.status is DeliveryStatus.FAILED and refused.error == "HTTP 404"
    done = DEFAULT_POLICY.settle(Attempt.success(), attempts=3, now=NOW, rng=random.Random(0))
    assert done.status is DeliveryStatus.DELIVERED and done.error is None


def test_the_default_policy_spends_hours_not_minutes_before_giving_up() -> None:
    ceilings = [
        min(DEFAULT_POLICY.cap_seconds, DEFAULT_POLICY.base_seconds * 2**n)
        for n in range(DEFAULT_POLICY.max_attempts - 1)
    ]
    assert 3 * 3600 < sum(ceilings) / 2 < 5 * 3600  # the documented "about four hours"


@pytest.mark.parametrize(("max_attempts", "base", "cap"), [(0, 60, 60), (3, 0, 60), (3, 61, 60)])
def test_a_policy_that_cannot_work_is_refused(max_attempts: int, base: float, cap: float) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=max_attempts, base_seconds=base, cap_seconds=cap)
