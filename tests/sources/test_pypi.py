"""PyPI stats: last week's downloads, the 180-day daily window, missing packages."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.errors import NotFound
from ossgrowth.model import Ecosystem, PackageRef
from ossgrowth.sources import PyPIStats, Replay, RetryPolicy

pytestmark = pytest.mark.anyio

API = "https://pypi-stats.example"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "sources" / "pypi"


def pypi(name: str) -> PackageRef:
    return PackageRef(Ecosystem.PYPI, name)


def documented(name: str) -> object:
    return json.loads((FIXTURES / name).read_text())


def client(replay: Replay, clock: FixedClock, retry: RetryPolicy) -> PyPIStats:
    return PyPIStats(API, clock=clock, transport=replay.transport, retry=retry)


async def test_the_documented_recent_answer_gives_last_week(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    replay = Replay().answer(
        "GET",
        "/api/packages/package-name/recent",
        200,
        documented("pypistats-docs-recent.example.json"),
    )

    async with client(replay, clock, retry) as stats:
        count = await stats.recent(pypi("package-name"))

    assert count.downloads == 3 and count.start is None and count.observed_at == clock.now()


async def test_the_documented_overall_rows_keep_only_downloads_without_mirrors(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    replay = Replay().answer(
        "GET",
        "/api/packages/package-name/overall",
        200,
        documented("pypistats-docs-overall.example.json"),
    )

    async with client(replay, clock, retry) as stats:
        span = await stats.daily(pypi("package-name"))
        replay.answer(
            "GET",
            "/api/packages/package-name/overall",
            200,
            documented("pypistats-docs-overall.example.json"),
        )
        total = await stats.window_total(pypi("package-name"))

    assert [(day.day, day.downloads) for day in span.days] == [(date(2018, 2, 8), 1)]
    assert dict(replay.requests[0].url.params) == {"mirrors": "false"}
    assert total.downloads == 1 and not total.complete
    assert (total.start, total.end) == (date(2018, 2, 8), date(2018, 2, 8))


async def test_a_missing_package_answers_html_and_becomes_not_found(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    page = b"<!doctype html><html><body><h1>Not Found</h1></body></html>"
    replay = Replay().answer(
        "GET", "/api/packages/nope/recent", 404, headers={"content-type": "text/html"}, raw=page
    )

    async with client(replay, clock, retry) as stats:
        with pytest.raises(NotFound, match="PyPI stats has no package nope"):
            await stats.recent(pypi("nope"))
    assert len(replay.requests) == 1


async def test_many_packages_fail_one_by_one(clock: FixedClock, retry: RetryPolicy) -> None:
    replay = Replay()
    replay.answer(
        "GET",
        "/api/packages/requests/recent",
        200,
        {
            "data": {"last_day": 1, "last_week": 70, "last_month": 300},
            "package": "requests",
            "type": "recent_downloads",
        },
    )
    replay.answer("GET", "/api/packages/nope/recent", 404, raw=b"<html></html>")

    async with client(replay, clock, retry) as stats:
        batch = await stats.last_week([pypi("requests"), pypi("nope"), pypi("requests")])

    assert [count.downloads for count in batch.counts] == [70]
    assert [failure.kind for failure in batch.failures] == ["NOT_FOUND"]
    assert batch.requests_sent == 2


async def test_a_rate_limited_answer_is_waited_out(clock: FixedClock, retry: RetryPolicy) -> None:
    replay = Replay()
    replay.answer(
        "GET",
        "/api/packages/requests/recent",
        429,
        raw=b"Too Many Requests",
        headers={"retry-after": "30", "content-type": "text/plain"},
    )
    replay.answer(
        "GET",
        "/api/packages/requests/recent",
        200,
        {"data": {"last_day": 1, "last_week": 70, "last_month": 300}},
    )
    start = clock.now()

    async with client(replay, clock, retry) as stats:
        count = await stats.recent(pypi("requests"))

    assert count.downloads == 70
    assert (clock.now() - start).total_seconds() == 30
