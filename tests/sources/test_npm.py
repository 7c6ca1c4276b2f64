"""npm download counts: bulk where allowed, scoped one by one, ranges in 18-month pieces."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.errors import InputError, NotFound
from ossgrowth.model import Ecosystem, PackageRef
from ossgrowth.sources import NPM_FIRST_DAY, NpmDownloads, Replay, RetryPolicy

pytestmark = pytest.mark.anyio

API = "https://npm-downloads.example"


def npm(name: str) -> PackageRef:
    return PackageRef(Ecosystem.NPM, name)


def client(replay: Replay, clock: FixedClock, retry: RetryPolicy) -> NpmDownloads:
    return NpmDownloads(API, clock=clock, transport=replay.transport, retry=retry)


def point(name: str, downloads: int) -> dict[str, object]:
    return {"downloads": downloads, "start": "2026-09-04", "end": "2026-09-10", "package": name}


async def test_the_documented_point_answer_is_parsed(
    clock: FixedClock, retry: RetryPolicy, recorded: Callable[..., Replay]
) -> None:
    replay = recorded("npm/documented-point.json")
    async with client(replay, clock, retry) as downloads:
        batch = await downloads.downloads([npm("jquery")], "2023-01-01:2023-01-31")

    (count,) = batch.counts
    assert (count.downloads, count.start, count.end) == (31623, date(2023, 1, 1), date(2023, 1, 31))
    assert batch.failures == () and count.observed_at == clock.now()


async def test_unscoped_packages_go_128_to_a_request_and_scoped_ones_alone(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    names = [f"pkg{index}" for index in range(130)]
    replay = Replay()
    # made up: the bulk shape npm's documentation describes (an object keyed by package)
    replay.answer(
        "GET",
        "/downloads/point/last-week/" + ",".join(names[:128]),
        200,
        {name: point(name, index) for index, name in enumerate(names[:128])},
    )
    replay.answer(
        "GET",
        "/downloads/point/last-week/" + ",".join(names[128:]),
        200,
        {name: point(name, 7) for name in names[128:]},
    )
    replay.answer("GET", "/downloads/point/last-week/@scope/one", 200, point("@scope/one", 5))
    packages = [npm(name) for name in names] + [npm("@scope/one"), npm("pkg3")]

    async with client(replay, clock, retry) as downloads:
        batch = await downloads.last_week(packages)

    assert len(replay.requests) == 3 and batch.requests_sent == 3
    assert len(batch.counts) == 131 and batch.failures == ()
    assert batch.counts[3].downloads == 3
    assert batch.counts[-1].package == npm("@scope/one")


async def test_a_package_npm_does_not_know_fails_alone(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    replay = Replay()
    # made up: bulk answers hold null for an unknown package; single ones a 404 error body
    replay.answer(
        "GET",
        "/downloads/point/last-week/left-pad,no-such-pkg",
        200,
        {"left-pad": point("left-pad", 10), "no-such-pkg": None},
    )
    replay.answer(
        "GET",
        "/downloads/point/last-week/@scope/gone",
        404,
        {"error": "package @scope/gone not found"},
    )

    async with client(replay, clock, retry) as downloads:
        batch = await downloads.last_week([npm("left-pad"), npm("no-such-pkg"), npm("@scope/gone")])

    assert [count.package.name for count in batch.counts] == ["left-pad"]
    assert [(failure.subject, failure.kind) for failure in batch.failures] == [
        (npm("no-such-pkg"), "NOT_FOUND"),
        (npm("@scope/gone"), "NOT_FOUND"),
    ]
    assert batch.failures[1].message == "package @scope/gone not found"


async def test_the_documented_range_answer_gives_daily_counts(
    clock: FixedClock, retry: RetryPolicy, recorded: Callable[..., Replay]
) -> None:
    replay = recorded("npm/documented-range.json")

    async with client(replay, clock, retry) as downloads:
        span = await downloads.daily(npm("somepackage"), date(2023, 2, 25), date(2023, 3, 4))

    assert [(day.day.isoformat(), day.downloads) for day in span.days] == [
        ("2023-02-27", 1904088),
        ("2023-03-04", 7904294),
    ]
    assert span.total == 1904088 + 7904294
    assert replay.requests[0].url.path == "/downloads/range/2023-02-25:2023-03-04/somepackage"


async def test_a_total_sums_ranges_of_18_months_from_the_first_day_of_data(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    def handle_ranges(replay: Replay, windows: list[tuple[str, str]]) -> None:
        for start, end in windows:
            replay.answer(
                "GET",
                f"/downloads/range/{start}:{end}/express",
                200,
                {
                    "downloads": [{"day": start, "downloads": 1}, {"day": end, "downloads": 2}],
                    "start": start,
                    "end": end,
                    "package": "express",
                },
            )

    windows = [
        ("2015-01-10", "2016-07-02"),
        ("2016-07-03", "2017-12-24"),
        ("2017-12-25", "2018-01-31"),
    ]
    replay = Replay()
    handle_ranges(replay, windows)

    async with client(replay, clock, retry) as downloads:
        total = await downloads.total(npm("express"), until=date(2018, 1, 31))

    assert total.downloads == 9 and total.complete
    assert (total.start, total.end) == (NPM_FIRST_DAY, date(2018, 1, 31))
    assert replay.unused == 0


async def test_a_range_of_an_unknown_package_is_not_found(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    replay = Replay().answer(
        "GET",
        "/downloads/range/2026-01-01:2026-01-31/nope",
        404,
        {"error": "package nope not found"},
    )

    async with client(replay, clock, retry) as downloads:
        with pytest.raises(NotFound, match="npm has no package nope"):
            await downloads.daily(npm("nope"), date(2026, 1, 1), date(2026, 1, 31))


async def test_a_pypi_package_is_refused_before_any_request(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    replay = Replay()
    async with client(replay, clock, retry) as downloads:
        with pytest.raises(InputError, match="not an npm package"):
            await downloads.last_week([PackageRef(Ecosystem.PYPI, "requests")])
    assert replay.requests == []


@pytest.mark.parametrize("period", ["all-time", "2026-1-1", "last-week/../x", ""])
async def test_a_period_npm_does_not_take_is_refused(
    clock: FixedClock, retry: RetryPolicy, period: str
) -> None:
    async with client(Replay(), clock, retry) as downloads:
        with pytest.raises(InputError, match="npm period"):
            await downloads.downloads([npm("x")], period)
