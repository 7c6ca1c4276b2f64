"""The token pool: most budget first, refused tokens dropped, waits for the earliest reset."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import anyio
import httpx
import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.errors import RateLimited, SourceError
from ossgrowth.sources import Replay, Resource, RetryPolicy, SourceHttp, TokenPool
from ossgrowth.sources.tokens import Exhausted, Grant

pytestmark = pytest.mark.anyio

START = datetime(2026, 9, 11, 15, 0, tzinfo=UTC)  # the clock fixture's start


def budget_headers(
    remaining: int, resets_in_seconds: int, resource: str = "core"
) -> dict[str, str]:
    return {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-reset": str(int((START + timedelta(seconds=resets_in_seconds)).timestamp())),
        "x-ratelimit-resource": resource,
    }


def used_tokens(replay: Replay) -> list[str]:
    return [request.headers.get("authorization", "") for request in replay.requests]


def test_each_request_goes_to_the_token_with_the_most_budget_left(clock: FixedClock) -> None:
    pool = TokenPool(["one", "two", "three"], clock=clock)
    for position, remaining in ((1, 10), (2, 4000), (3, 300)):
        pool.settle(Grant(position), Resource.CORE, budget_headers(remaining, 600))

    chosen = pool.choose(Resource.CORE)

    assert isinstance(chosen, Grant) and chosen.label == "token #2"


def test_a_preferred_token_is_taken_while_it_has_budget_left(clock: FixedClock) -> None:
    pool = TokenPool(["one", "two"], clock=clock)
    pool.settle(Grant(1), Resource.CORE, budget_headers(10, 600))
    pool.settle(Grant(2), Resource.CORE, budget_headers(4000, 600))

    preferred = pool.choose(Resource.CORE, prefer=1)  # the token a kept ETag was answered to
    assert isinstance(preferred, Grant) and preferred.position == 1

    pool.settle(Grant(1), Resource.CORE, budget_headers(0, 600))
    spent = pool.choose(Resource.CORE, prefer=1)
    assert isinstance(spent, Grant) and spent.position == 2  # no budget: the rule is most left


def test_budgets_are_kept_per_resource(clock: FixedClock) -> None:
    pool = TokenPool(["one", "two"], clock=clock)
    pool.settle(Grant(1), Resource.CORE, budget_headers(0, 600))
    pool.settle(Grant(2), Resource.CORE, budget_headers(0, 900))
    pool.settle(Grant(1), Resource.GRAPHQL, budget_headers(50, 600, "graphql"))

    assert isinstance(pool.choose(Resource.CORE), Exhausted)
    graphql = pool.choose(Resource.GRAPHQL)
    assert isinstance(graphql, Grant) and graphql.position == 2  # unknown budget beats 50


def test_an_older_answer_arriving_late_does_not_raise_a_budget(clock: FixedClock) -> None:
    pool = TokenPool(["one"], clock=clock)
    pool.settle(Grant(1), Resource.CORE, budget_headers(100, 600))
    pool.settle(Grant(1), Resource.CORE, budget_headers(120, 600))

    assert pool.budget(Grant(1), Resource.CORE).remaining == 100


def test_a_normalised_reset_in_milliseconds_is_ignored_not_fatal(clock: FixedClock) -> None:
    pool = TokenPool(["one"], clock=clock)
    headers = {"x-ratelimit-remaining": "4999", "x-ratelimit-reset": "1507651200000"}

    pool.settle(Grant(1), Resource.CORE, headers)

    assert pool.budget(Grant(1), Resource.CORE).resets_at is None


async def test_the_request_carries_the_chosen_token(clock: FixedClock, retry: RetryPolicy) -> None:
    pool = TokenPool(["one", "two"], clock=clock)
    pool.settle(Grant(1), Resource.CORE, budget_headers(5, 600))
    pool.settle(Grant(2), Resource.CORE, budget_headers(4000, 600))
    replay = Replay().answer("GET", "/rate_limit", 200, {}, budget_headers(3999, 600))
    http = SourceHttp(
        "GitHub",
        "https://api.github.com",
        clock=clock,
        transport=replay.transport,
        tokens=pool,
        retry=retry,
    )

    await http.send("GET", "/rate_limit")

    assert used_tokens(replay) == ["Bearer two"]
    assert pool.budget(Grant(2), Resource.CORE).remaining == 3999


async def test_a_refused_token_is_dropped_and_named_by_position_only(
    clock: FixedClock, retry: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    replay = Replay()
    replay.answer("GET", "/repos/o/r", 401, {"message": "Bad credentials"})
    replay.answer("GET", "/repos/o/r", 200, {"id": 1})
    replay.answer("GET", "/repos/o/r", 200, {"id": 1})
    pool = TokenPool(["secret-one", "secret-two"], clock=clock)
    http = SourceHttp(
        "GitHub",
        "https://api.github.com",
        clock=clock,
        transport=replay.transport,
        tokens=pool,
        retry=retry,
    )

    with caplog.at_level(logging.WARNING):
        await http.send("GET", "/repos/o/r")
        await http.send("GET", "/repos/o/r")

    assert used_tokens(replay) == ["Bearer secret-one", "Bearer secret-two", "Bearer secret-two"]
    assert pool.size == 1
    assert "token #1" in caplog.text and "401 Bad credentials" in caplog.text
    assert "secret" not in caplog.text


async def test_when_every_token_is_refused_the_error_says_so(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    replay = Replay()
    for _ in range(2):
        replay.answer("GET", "/repos/o/r", 401, {"message": "Bad credentials"})
    pool = TokenPool(["a", "b"], clock=clock)
    http = SourceHttp(
        "GitHub",
        "https://api.github.com",
        clock=clock,
        transport=replay.transport,
        tokens=pool,
        retry=retry,
    )

    with pytest.raises(SourceError, match="every GitHub token was refused"):
        await http.send("GET", "/repos/o/r")


async def test_a_spent_pool_waits_until_the_earliest_reset_and_says_until_when(
    clock: FixedClock, retry: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    pool = TokenPool(["one", "two"], clock=clock)
    pool.settle(Grant(1), Resource.CORE, budget_headers(0, 600))
    pool.settle(Grant(2), Resource.CORE, budget_headers(0, 300))
    replay = Replay().answer("GET", "/repos/o/r", 200, {"id": 1}, budget_headers(4999, 3900))
    http = SourceHttp(
        "GitHub",
        "https://api.github.com",
        clock=clock,
        transport=replay.transport,
        tokens=pool,
        retry=retry,
    )

    with caplog.at_level(logging.WARNING):
        await http.send("GET", "/repos/o/r")

    assert clock.now() == START + timedelta(seconds=301)
    assert used_tokens(replay) == ["Bearer two"]
    assert "waiting until 2026-09-11T15:05:00+00:00" in caplog.text


async def test_a_reset_beyond_the_longest_wait_raises_rate_limited_with_its_time(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    pool = TokenPool(["one"], clock=clock)
    pool.settle(Grant(1), Resource.CORE, budget_headers(0, 7200))
    http = SourceHttp(
        "GitHub",
        "https://api.github.com",
        clock=clock,
        transport=Replay().transport,
        tokens=pool,
        retry=retry,
    )

    with pytest.raises(RateLimited) as caught:
        await http.send("GET", "/repos/o/r")

    assert caught.value.resets_at == START + timedelta(seconds=7200)
    assert clock.now() == START


async def test_a_recorded_primary_limit_moves_requests_off_the_spent_token(
    clock: FixedClock, retry: RetryPolicy, recorded: Callable[..., Replay]
) -> None:
    replay = recorded("github/rest/pygithub-SpecificExceptions.testRateLimitExceeded.json")
    replay.answer("GET", "/users/jacquev6", 200, {"login": "jacquev6"})
    pool = TokenPool(["one", "two"], clock=clock)
    http = SourceHttp(
        "GitHub",
        "https://api.github.com",
        clock=clock,
        transport=replay.transport,
        tokens=pool,
        retry=retry,
    )

    first = await http.send("GET", "/users/jacquev6")  # 200 with remaining 0: token #1 spent
    second = await http.send("GET", "/users/jacquev6")  # token #2: recorded 403, then a wait

    assert (first.status, second.status) == (200, 200)
    assert used_tokens(replay)[:2] == ["Bearer one", "Bearer two"]
    # neither answer named a reset time: the pool tried again a minute later
    assert clock.now() - START == timedelta(seconds=61)


async def test_anonymous_calls_send_no_authorization(clock: FixedClock, retry: RetryPolicy) -> None:
    replay = Replay().answer("GET", "/repos/o/r", 200, {"id": 1})
    pool = TokenPool([], clock=clock)
    http = SourceHttp(
        "GitHub",
        "https://api.github.com",
        clock=clock,
        transport=replay.transport,
        tokens=pool,
        retry=retry,
    )

    await http.send("GET", "/repos/o/r")

    assert pool.anonymous and pool.describe() == "anonymous"
    assert "authorization" not in replay.requests[0].headers


def test_reprs_count_tokens_and_show_none(clock: FixedClock) -> None:
    pool = TokenPool(["abcdef123456"], clock=clock)
    grant = pool.choose(Resource.CORE)

    assert repr(pool) == "TokenPool(1 token(s) live)"
    assert repr(grant) == "Grant(position=1)"


class _Hanging(httpx.AsyncBaseTransport):
    """Takes a request and never answers (until cancelled)."""

    def __init__(self) -> None:
        self.started = anyio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.started.set()
        await anyio.sleep_forever()
        raise AssertionError("unreachable")


async def test_a_request_cancelled_mid_flight_gives_its_budget_back(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    """A pool lives as long as the process: a request cancelled before its answer must not
    keep counting as in flight, or each one would hide a unit of budget until a restart."""
    pool = TokenPool(["one"], clock=clock)
    pool.settle(Grant(1), Resource.CORE, budget_headers(1, 600))
    hanging = _Hanging()
    http = SourceHttp(
        "GitHub", "https://api.github.com", clock=clock, transport=hanging, tokens=pool, retry=retry
    )
    async with anyio.create_task_group() as group:
        group.start_soon(http.send, "GET", "/rate_limit")
        await hanging.started.wait()
        assert isinstance(pool.choose(Resource.CORE), Exhausted)  # the one unit is in flight
        group.cancel_scope.cancel()

    assert pool.choose(Resource.CORE) == Grant(1)
