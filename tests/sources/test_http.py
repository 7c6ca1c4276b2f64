"""The HTTP layer: retries, backoff, secondary limits, one-line errors that never show a token."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from random import Random

import httpx
import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.errors import NotFound, RateLimited, SourceError
from ossgrowth.sources import (
    Replay,
    Resource,
    RetryPolicy,
    SourceHttp,
    SourceUnavailable,
    SourceUnreachable,
    TokenPool,
)

pytestmark = pytest.mark.anyio

START = datetime(2026, 9, 11, 15, 0, tzinfo=UTC)  # the clock fixture's start

CANARY = "ghp_CANARY0123456789abcdefghijklmnopqrstuv"
GITHUB = "https://api.github.com"


def github(
    transport: httpx.AsyncBaseTransport, clock: FixedClock, retry: RetryPolicy, *tokens: str
) -> SourceHttp:
    return SourceHttp(
        "GitHub",
        GITHUB,
        clock=clock,
        transport=transport,
        tokens=TokenPool(list(tokens), clock=clock),
        retry=retry,
    )


def failing_with(*errors: Exception, then: httpx.Response | None = None) -> httpx.MockTransport:
    """A transport raising ``errors`` one per request, then answering ``then``."""
    remaining = list(errors)

    def handle(request: httpx.Request) -> httpx.Response:
        if remaining:
            raise remaining.pop(0)
        if then is None:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        return then

    return httpx.MockTransport(handle)


async def test_a_server_error_is_retried_until_the_recorded_success(
    clock: FixedClock, retry: RetryPolicy, recorded: Callable[..., Replay]
) -> None:
    replay = recorded("github/rest/pygithub-Retry.testReturnsRepoAfter1Retry.json")
    http = github(replay.transport, clock, retry, CANARY)

    reply = await http.send("GET", "/repos/PyGithub/PyGithub")

    assert reply.status == 200
    assert isinstance(reply.body, dict) and reply.body["full_name"] == "PyGithub/PyGithub"
    assert len(replay.requests) == 2
    assert START < clock.now() <= START + timedelta(seconds=retry.base_delay_seconds)


async def test_server_errors_give_up_after_the_last_attempt_with_one_line(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    replay = Replay()
    for _ in range(retry.max_attempts):
        replay.answer("GET", "/repos/o/r", 502, {"message": "Server Error"})
    http = github(replay.transport, clock, retry)

    with pytest.raises(SourceUnavailable) as caught:
        await http.send("GET", "/repos/o/r")

    assert str(caught.value) == (
        f"GitHub at {GITHUB} answered 502 Bad Gateway (tried {retry.max_attempts} times)"
    )
    assert len(replay.requests) == retry.max_attempts
    assert replay.unused == 0


async def test_a_refused_connection_is_reported_as_unreachable_in_one_line(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    http = SourceHttp(
        "GitHub", "http://127.0.0.1:9", clock=clock, transport=failing_with(), retry=retry
    )

    with pytest.raises(SourceUnreachable) as caught:
        await http.send("GET", "/repos/o/r")

    message = str(caught.value)
    assert message.startswith("cannot reach GitHub at http://127.0.0.1:9: connection refused")
    assert "\n" not in message
    assert http.requests_sent == retry.max_unreachable_attempts < retry.max_attempts
    assert f"(tried {retry.max_unreachable_attempts} times)" in message


async def test_timeouts_and_broken_connections_are_retried(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    transport = failing_with(
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
        httpx.ReadError("connection reset by peer"),
        then=httpx.Response(200, json={"ok": True}),
    )
    http = github(transport, clock, retry)

    reply = await http.send("GET", "/repos/o/r")

    assert reply.body == {"ok": True}
    assert http.requests_sent == 4


async def test_a_truncated_json_body_is_retried(clock: FixedClock, retry: RetryPolicy) -> None:
    replay = Replay()
    replay.answer("GET", "/repos/o/r", 200, raw=b'{"id": 1, "full_na')
    replay.answer("GET", "/repos/o/r", 200, {"id": 1})
    http = github(replay.transport, clock, retry)

    reply = await http.send("GET", "/repos/o/r")

    assert reply.body == {"id": 1}
    assert len(replay.requests) == 2


@pytest.mark.parametrize("status", [400, 404, 410, 422])
async def test_client_errors_are_answered_once_and_never_retried(
    clock: FixedClock, retry: RetryPolicy, status: int
) -> None:
    replay = Replay().answer("GET", "/repos/o/r", status, {"message": "no"})
    http = github(replay.transport, clock, retry)

    reply = await http.send("GET", "/repos/o/r")

    assert reply.status == status
    assert len(replay.requests) == 1
    assert clock.now() == START


async def test_a_recorded_404_becomes_not_found(
    clock: FixedClock, retry: RetryPolicy, recorded: Callable[..., Replay]
) -> None:
    replay = recorded("github/rest/unsung-not-found.json")
    http = github(replay.transport, clock, retry)

    reply = await http.send("GET", "/repos/unsung-fixtures/no-such-repository")
    error = http.error(reply, "repository unsung-fixtures/no-such-repository")

    assert isinstance(error, NotFound)
    assert str(error) == (
        "GitHub has no repository unsung-fixtures/no-such-repository (404: Not Found)"
    )


async def test_a_recorded_secondary_limit_waits_exactly_its_retry_after(
    clock: FixedClock, retry: RetryPolicy, recorded: Callable[..., Replay]
) -> None:
    replay = recorded(
        "github/rest/pygithub-SpecificExceptions.testAuthenticatedRateLimitExceeded.json"
    )
    replay.answer("GET", "/search/code", 200, {"total_count": 0, "items": []})
    http = github(replay.transport, clock, retry, CANARY)

    first = await http.send("GET", "/search/code", params={"q": "jacquev6"})
    assert first.status == 200 and clock.now() == START
    second = await http.send("GET", "/search/code", params={"q": "jacquev6"})

    assert second.status == 200
    assert clock.now() - START == timedelta(seconds=60)
    assert len(replay.requests) == 3


async def test_a_secondary_limit_without_retry_after_waits_at_least_a_minute(
    clock: FixedClock, retry: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    replay = Replay()
    message = "You have exceeded a secondary rate limit. Please wait a few minutes."
    replay.answer("GET", "/repos/o/r", 403, {"message": message})
    replay.answer("GET", "/repos/o/r", 200, {"id": 1})
    http = github(replay.transport, clock, retry, CANARY)

    with caplog.at_level(logging.WARNING):
        reply = await http.send("GET", "/repos/o/r")

    assert reply.status == 200
    waited = clock.now() - START
    assert timedelta(seconds=60) <= waited < timedelta(seconds=120)
    assert "secondary rate limit" in caplog.text


async def test_secondary_limits_that_never_lift_end_in_rate_limited(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    replay = Replay()
    for _ in range(retry.max_secondary_limit_waits + 1):
        replay.answer("GET", "/repos/o/r", 429, {"message": "slow down"})
    http = github(replay.transport, clock, retry)

    with pytest.raises(RateLimited, match="secondary rate limit"):
        await http.send("GET", "/repos/o/r")

    assert clock.now() - START >= timedelta(minutes=60)  # 1+2+4+8+16+32 minutes at least


async def test_the_token_never_appears_in_errors_logs_or_reprs(
    clock: FixedClock, retry: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    seen_authorization: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen_authorization.append(request.headers.get("authorization", ""))
        if len(seen_authorization) == 1:
            return httpx.Response(401, json={"message": "Bad credentials"})
        if len(seen_authorization) == 2:
            return httpx.Response(403, headers={"retry-after": "5"}, json={"message": "abuse"})
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    pool = TokenPool([CANARY, CANARY + "2"], clock=clock)
    transport = httpx.MockTransport(handle)
    http = SourceHttp("GitHub", GITHUB, clock=clock, transport=transport, tokens=pool, retry=retry)
    grant = pool.choose(Resource.CORE)

    with caplog.at_level(logging.DEBUG), pytest.raises(SourceError) as caught:
        await http.send("GET", "/repos/o/r")

    assert seen_authorization[:2] == [f"Bearer {CANARY}", f"Bearer {CANARY}2"]  # really sent
    assert "token #1" in caplog.text and "secondary rate limit" in caplog.text
    texts = [caplog.text, repr(pool), repr(http), repr(grant), str(caught.value)]
    texts += [repr(caught.value), str(caught.getrepr())]
    texts += [record.getMessage() for record in caplog.records]
    for text in texts:
        assert CANARY not in text
        assert CANARY[4:20] not in text


@pytest.mark.parametrize("failures", [1, 2, 3, 6, 10])
def test_backoff_is_full_jitter_under_a_doubling_ceiling(failures: int) -> None:
    policy = RetryPolicy(base_delay_seconds=1.0, max_delay_seconds=30.0)
    random = Random(3)
    ceiling = min(30.0, 2.0 ** (failures - 1))

    delays = [policy.backoff_seconds(failures, random) for _ in range(200)]

    assert all(0 <= delay <= ceiling for delay in delays)
    assert max(delays) > ceiling / 2  # jitter spreads over the whole range


def test_the_same_seed_gives_the_same_waits() -> None:
    policy = RetryPolicy(seed=11)

    first, second = policy.random(), policy.random()

    assert [policy.backoff_seconds(n, first) for n in range(1, 6)] == [
        policy.backoff_seconds(n, second) for n in range(1, 6)
    ]
