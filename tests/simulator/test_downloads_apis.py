"""npm's downloads API and PyPI stats as simulated: documented shapes, windows, limits, errors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ossgrowth.model import Ecosystem
from ossgrowth.simulator import SimPackage, World
from ossgrowth.simulator.npm_api import months_before
from tests.simulator.conftest import Served, fixture

pytestmark = pytest.mark.anyio

# npm's documented answers (docs/download-counts.md of npm's registry repository).
NPM_POINT_KEYS = {"downloads", "start", "end", "package"}
NPM_DAY_KEYS = {"downloads", "day"}


def npm_packages(world: World, scoped: bool | None = None) -> list[SimPackage]:
    return [
        package
        for package in world.packages()
        if package.ecosystem is Ecosystem.NPM
        and (scoped is None or package.name.startswith("@") == scoped)
    ]


def pypi_package(world: World) -> SimPackage:
    return next(package for package in world.packages() if package.ecosystem is Ecosystem.PYPI)


def last_day(served: Served) -> date:
    return served.world.last_stats_day(served.clock.now())


async def test_a_point_total_has_the_documented_shape_and_the_true_sum(served: Served) -> None:
    package = npm_packages(served.world)[0]
    answer = await served.client.get(f"/npm/downloads/point/last-week/{package.name}")
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == NPM_POINT_KEYS
    end = last_day(served)
    assert body["end"] == end.isoformat()
    assert body["start"] == (end - timedelta(days=6)).isoformat()
    truth = dict(served.world.npm_daily(package.name))
    assert body["downloads"] == sum(truth.get(end - timedelta(days=back), 0) for back in range(7))


@pytest.mark.parametrize(
    ("period", "days"), [("last-day", 1), ("last-month", 30), ("last-year", 365)]
)
async def test_relative_periods_count_back_from_the_last_landed_day(
    served: Served, period: str, days: int
) -> None:
    package = npm_packages(served.world)[0]
    body = (await served.client.get(f"/npm/downloads/range/{period}/{package.name}")).json()
    assert len(body["downloads"]) == days
    assert body["downloads"][-1]["day"] == last_day(served).isoformat()
    assert all(set(row) == NPM_DAY_KEYS for row in body["downloads"])


async def test_a_day_lands_an_hour_after_utc_midnight(served: Served) -> None:
    package = npm_packages(served.world)[0]
    before = (await served.client.get(f"/npm/downloads/point/last-day/{package.name}")).json()
    served.clock.advance(timedelta(hours=1))
    after = (await served.client.get(f"/npm/downloads/point/last-day/{package.name}")).json()
    assert date.fromisoformat(after["end"]) - date.fromisoformat(before["end"]) == timedelta(days=1)


async def test_a_range_equals_the_true_daily_series(served: Served) -> None:
    package = npm_packages(served.world)[0]
    end = last_day(served)
    start = end - timedelta(days=59)
    body = (await served.client.get(f"/npm/downloads/range/{start}:{end}/{package.name}")).json()
    truth = dict(served.world.npm_daily(package.name))
    assert [(row["day"], row["downloads"]) for row in body["downloads"]] == [
        ((start + timedelta(days=offset)).isoformat(), truth.get(start + timedelta(days=offset), 0))
        for offset in range(60)
    ]


async def test_a_single_range_is_cut_to_its_last_18_months(served: Served) -> None:
    package = npm_packages(served.world)[0]
    end = last_day(served)
    body = (await served.client.get(f"/npm/downloads/range/2015-01-01:{end}/{package.name}")).json()
    assert body["start"] == months_before(end, 18).isoformat()
    assert body["end"] == end.isoformat()


async def test_data_starts_on_2015_01_10(served: Served) -> None:
    package = npm_packages(served.world)[0]
    body = (
        await served.client.get(f"/npm/downloads/range/2014-12-01:2015-01-31/{package.name}")
    ).json()
    assert body["start"] == "2015-01-10"


@pytest.mark.parametrize("encode", [False, True])
async def test_scoped_packages_answer_encoded_or_not(served: Served, encode: bool) -> None:
    package = npm_packages(served.world, scoped=True)[0]
    name = package.name.replace("/", "%2F").replace("@", "%40") if encode else package.name
    answer = await served.client.get(f"/npm/downloads/point/last-month/{name}")
    assert answer.status_code == 200
    assert answer.json()["package"] == package.name


async def test_bulk_answers_an_object_keyed_by_package_with_null_for_unknown(
    served: Served,
) -> None:
    names = [package.name for package in npm_packages(served.world, scoped=False)][:2]
    answer = await served.client.get(
        f"/npm/downloads/point/last-week/{','.join([*names, 'no-such-pkg'])}"
    )
    assert answer.status_code == 200
    body = answer.json()
    assert list(body) == [*names, "no-such-pkg"]
    assert body["no-such-pkg"] is None
    assert all(set(body[name]) == NPM_POINT_KEYS for name in names)


@pytest.mark.parametrize(
    ("packages", "period", "message"),
    [
        (
            ",".join(f"pkg{index}" for index in range(129)),
            "last-week",
            "bulk queries are limited to 128 packages",
        ),
        ("a,@scope/b", "last-week", "scoped packages are not currently supported in bulk lookups"),
        ("a,b", "2025-01-01:2026-01-01", "exceeded max days of 365"),
    ],
)
async def test_bulk_limits_are_refused_with_400(
    served: Served, packages: str, period: str, message: str
) -> None:
    answer = await served.client.get(f"/npm/downloads/range/{period}/{packages}")
    assert answer.status_code == 400
    assert answer.json() == {"error": message}


async def test_a_bulk_range_of_365_days_is_allowed(served: Served) -> None:
    end = last_day(served)
    start = end - timedelta(days=364)
    answer = await served.client.get(f"/npm/downloads/range/{start}:{end}/a,b")
    assert answer.status_code == 200


async def test_a_missing_npm_package_answers_the_known_404(served: Served) -> None:
    answer = await served.client.get("/npm/downloads/point/last-week/@nobody/nothing")
    assert answer.status_code == 404
    assert answer.json() == {"error": "package @nobody/nothing not found"}


@pytest.mark.parametrize("period", ["yesterday", "2026-13-01", "2026-02-01:2026-01-01", "a:b:c"])
async def test_a_bad_period_is_a_400(served: Served, period: str) -> None:
    package = npm_packages(served.world)[0]
    answer = await served.client.get(f"/npm/downloads/point/{period}/{package.name}")
    assert answer.status_code == 400
    assert set(answer.json()) == {"error"}


async def test_pypi_recent_has_the_documented_shape_and_true_sums(served: Served) -> None:
    recorded = fixture("pypi/pypistats-docs-recent.example.json")
    package = pypi_package(served.world)
    body = (await served.client.get(f"/pypistats/api/packages/{package.name}/recent")).json()
    assert set(body) == set(recorded) and set(body["data"]) == set(recorded["data"])
    assert body["type"] == "recent_downloads"
    truth = served.world.pypi_daily(package.name)
    assert body["data"]["last_day"] == truth[-1][1]
    assert body["data"]["last_week"] == sum(count for _, count in truth[-7:])
    assert body["data"]["last_month"] == sum(count for _, count in truth[-30:])
    week = (
        await served.client.get(f"/pypistats/api/packages/{package.name}/recent?period=week")
    ).json()
    assert week["data"] == {"last_week": body["data"]["last_week"]}


async def test_pypi_overall_keeps_180_days_in_both_categories(served: Served) -> None:
    recorded = fixture("pypi/pypistats-docs-overall.example.json")
    package = pypi_package(served.world)
    body = (await served.client.get(f"/pypistats/api/packages/{package.name}/overall")).json()
    assert set(body) == set(recorded)
    assert {frozenset(row) for row in body["data"]} == {frozenset(recorded["data"][0])}
    without = [row for row in body["data"] if row["category"] == "without_mirrors"]
    with_mirrors = [row for row in body["data"] if row["category"] == "with_mirrors"]
    assert len(without) == len(with_mirrors) == min(180, len(served.world.pypi_daily(package.name)))
    assert without[-1]["date"] == last_day(served).isoformat()
    truth = dict(served.world.pypi_daily(package.name))
    assert all(row["downloads"] == truth[date.fromisoformat(row["date"])] for row in without)
    assert all(a["downloads"] >= b["downloads"] for a, b in zip(with_mirrors, without, strict=True))


@pytest.mark.parametrize(
    ("mirrors", "category"), [("true", "with_mirrors"), ("false", "without_mirrors")]
)
async def test_pypi_mirrors_parameter_picks_one_category(
    served: Served, mirrors: str, category: str
) -> None:
    package = pypi_package(served.world)
    body = (
        await served.client.get(f"/pypistats/api/packages/{package.name}/overall?mirrors={mirrors}")
    ).json()
    assert {row["category"] for row in body["data"]} == {category}


async def test_pypi_category_series_split_the_daily_total(served: Served) -> None:
    package = pypi_package(served.world)
    body = (await served.client.get(f"/pypistats/api/packages/{package.name}/system")).json()
    assert body["type"] == "system_downloads"
    per_day: dict[str, int] = {}
    for row in body["data"]:
        per_day[row["date"]] = per_day.get(row["date"], 0) + row["downloads"]
    truth = dict(served.world.pypi_daily(package.name))
    assert all(total == truth[date.fromisoformat(day)] for day, total in per_day.items())


async def test_pypi_names_are_compared_normalised(served: Served) -> None:
    package = pypi_package(served.world)
    answer = await served.client.get(
        f"/pypistats/api/packages/{package.name.upper().replace('-', '_')}/recent"
    )
    assert answer.status_code == 200
    assert answer.json()["package"] == package.name


async def test_a_missing_pypi_package_answers_an_html_404(served: Served) -> None:
    answer = await served.client.get("/pypistats/api/packages/no-such-package/recent")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "<html" in answer.text


def test_months_before_clamps_to_the_end_of_short_months() -> None:
    assert months_before(date(2017, 8, 29), 18) == date(2016, 2, 29)
    assert months_before(date(2026, 8, 31), 18) == date(2025, 2, 28)
