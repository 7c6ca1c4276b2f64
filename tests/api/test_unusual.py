"""The unusual-growth endpoint: flagged days, spike or unusual, and its errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from ossgrowth.metrics.unusual import StargazerDay
from ossgrowth.model import Family, Point, Provenance, RepoName
from ossgrowth.store import SqlStore
from tests.api.conftest import NOW, assert_problem

pytestmark = pytest.mark.anyio

ROCKETS = RepoName("octo", "rockets")
FIRST_DAY = (NOW - timedelta(days=120)).date()
LAUNCH = FIRST_DAY + timedelta(days=70)
PURCHASE = FIRST_DAY + timedelta(days=100)
ORDINARY = (18, 22, 20, 19, 21, 23, 17)


def gain_of(day: date) -> int:
    if day == LAUNCH:
        return 800
    if day == PURCHASE:
        return 500
    return ORDINARY[day.toordinal() % len(ORDINARY)]


def rocket_points() -> list[Point]:
    """A star point at 00:00 of each of 120 days: about 20 a day, a launch, a purchase."""
    points, stars = [], 100
    for offset in range(121):
        day = FIRST_DAY + timedelta(days=offset)
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        points.append(
            Point(
                ROCKETS,
                Family.STARS,
                moment,
                {"star_count": stars},
                Provenance.RECONSTRUCTED,
                "github-stargazers",
            )
        )
        stars += gain_of(day)
    return points


def rocket_ages() -> list[StargazerDay]:
    """One new account in twenty on ordinary days and at the launch; most at the purchase."""
    rows = []
    for offset in range(120):
        day = FIRST_DAY + timedelta(days=offset)
        listed = gain_of(day)
        new = 470 if day == PURCHASE else listed // 20
        rows.append(StargazerDay(day, listed, new))
    return rows


@pytest.fixture
def rockets(store: SqlStore) -> SqlStore:
    store.add_subject(ROCKETS, [], added_at=NOW)
    store.write_points(rocket_points())
    return store


async def test_a_purchase_is_unusual_and_a_launch_a_spike(
    rockets: SqlStore, client: httpx.AsyncClient
) -> None:
    rockets.write_stargazer_days(ROCKETS, rocket_ages())
    answer = await client.get("/api/v1/repos/octo/rockets/unusual")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["repo"] == "octo/rockets" and body["family"] == "stars"
    assert body["account_age_test"] == "run"
    assert "0.6745" in body["method"] and "3.5" in body["method"]
    assert [(day["day"], day["kind"]) for day in body["days"]] == [
        (LAUNCH.isoformat(), "spike"),
        (PURCHASE.isoformat(), "unusual"),
    ]
    launch, purchase = body["days"]
    assert launch["gain"] == 800 and launch["median"] == 20 and launch["score"] > 3.5
    assert launch["new_account_share"] == pytest.approx(0.05)
    assert purchase["new_account_share"] == pytest.approx(0.94)
    assert body["baseline_new_account_share"] < 0.06
    assert body["notes"] == []


async def test_without_account_ages_every_flag_is_a_spike(
    rockets: SqlStore, client: httpx.AsyncClient
) -> None:
    body = (await client.get("/api/v1/repos/octo/rockets/unusual?family=stars")).json()
    assert [day["kind"] for day in body["days"]] == ["spike", "spike"]
    assert {day["new_account_share"] for day in body["days"]} == {None}
    assert body["account_age_test"] == "not_run"
    assert "account-age test was not run" in body["notes"][0]


async def test_from_and_to_choose_the_days_shown(
    rockets: SqlStore, client: httpx.AsyncClient
) -> None:
    rockets.write_stargazer_days(ROCKETS, rocket_ages())
    after = LAUNCH + timedelta(days=1)
    body = (await client.get(f"/api/v1/repos/octo/rockets/unusual?from={after}")).json()
    assert [day["day"] for day in body["days"]] == [PURCHASE.isoformat()]
    assert body["days"][0]["kind"] == "unusual"  # the launch still left out of the baseline
    body = (await client.get(f"/api/v1/repos/octo/rockets/unusual?to={LAUNCH}")).json()
    assert [day["day"] for day in body["days"]] == [LAUNCH.isoformat()]


async def test_a_flagged_day_after_the_list_was_read_is_a_spike_and_named(
    rockets: SqlStore, client: httpx.AsyncClient
) -> None:
    rockets.write_stargazer_days(ROCKETS, [row for row in rocket_ages() if row.day < PURCHASE])
    body = (await client.get("/api/v1/repos/octo/rockets/unusual")).json()
    assert [day["kind"] for day in body["days"]] == ["spike", "spike"]
    assert body["days"][1]["new_account_share"] is None
    assert body["notes"] == [
        f"account ages are not known for {PURCHASE.isoformat()} (the stargazer list was not "
        "read for those stars: given after it was last read, or more than a collection reads): "
        "shown as spikes"
    ]


async def test_a_steady_repository_has_no_flagged_day(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/repos/octo/widgets/unusual")).json()
    assert body["days"] == []


async def test_an_untracked_repository_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/repos/octo/nothing/unusual"), 404)


@pytest.mark.parametrize("family", ["prs", "downloads", "reach", "nonsense"])
async def test_a_family_other_than_stars_is_422(client: httpx.AsyncClient, family: str) -> None:
    answer = await client.get(f"/api/v1/repos/octo/widgets/unusual?family={family}")
    assert_problem(answer, 422, "family")
    assert "stars" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("from=yesterday", "from"),
        ("to=2026-13-01", "to"),
    ],
)
async def test_a_bad_range_is_422(client: httpx.AsyncClient, query: str, parameter: str) -> None:
    assert_problem(await client.get(f"/api/v1/repos/octo/widgets/unusual?{query}"), 422, parameter)


async def test_from_after_to_selects_no_day_as_the_series_routes_do(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/api/v1/repos/octo/widgets/unusual?from=2026-02-01&to=2026-01-01")
    assert answer.status_code == 200 and answer.json()["days"] == []
