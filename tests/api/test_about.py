"""``/api/v1/about``: what the server is, whether it takes changes, and each family's schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ossgrowth import __version__
from ossgrowth.clock import FixedClock
from ossgrowth.store import SqlStore
from tests.api.conftest import ADMIN_TOKEN, NOW, STAGING_PASSWORD, AppFactory, client_of

pytestmark = pytest.mark.anyio


async def test_about_tells_the_version_environment_clock_and_every_family_in_order(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/about")
    assert response.status_code == 200
    about = response.json()
    assert {key: about[key] for key in ("name", "version", "environment", "timezone", "now")} == {
        "name": "ossgrowth",
        "version": __version__,
        "environment": "dev",
        "timezone": "America/Los_Angeles",
        "now": "2026-03-01T00:00:00Z",
    }
    assert [family["family"] for family in about["families"]] == [
        "stars",
        "prs",
        "issues",
        "downloads",
        "reach",
    ]
    stars, prs, _, downloads, reach = about["families"]
    assert reach["schedule"]["job"] == "collect:stars"  # collected with the stars
    assert [field["name"] for field in reach["fields"]] == ["forks", "watchers"]
    assert stars["fields"] == [
        {"name": "star_count", "kind": "count", "description": "stars held at that moment"}
    ]
    assert (stars["cadence_interval"], prs["cadence_interval"], downloads["cadence_interval"]) == (
        "3h",
        "day",
        "week",
    )
    assert downloads["per_package"] and not stars["per_package"]
    assert stars["schedule"] == {
        "job": "collect:stars",
        "description": "every 3 hours from 00:00",
        "timezone": "America/Los_Angeles",
        "last_slot_at": "2026-02-28T23:00:00Z",  # 15:00 in Los Angeles
        "next_slot_at": "2026-03-01T02:00:00Z",
        "last_taken_at": None,
    }
    assert prs["schedule"]["description"] == "daily at 23:50"
    assert downloads["schedule"]["description"] == "Sundays at 23:50"
    assert downloads["schedule"]["next_slot_at"] == "2026-03-02T07:50:00Z"


@pytest.mark.parametrize(
    ("settings", "writes", "hint"),
    [
        ({"admin_token": ADMIN_TOKEN}, "token", "changes need the admin token"),
        ({}, "off", "changes are off: start the server with OSSGROWTH_ADMIN_TOKEN set"),
        ({"admin_token": ""}, "off", "changes are off"),
    ],
)
async def test_about_tells_whether_and_how_changes_are_taken(
    make_app: AppFactory, settings: dict[str, str], writes: str, hint: str
) -> None:
    async with client_of(make_app(**settings)) as client:
        about = (await client.get("/api/v1/about")).json()
    assert about["writes"] == writes
    assert about["writes_hint"].startswith(hint)


async def test_about_never_carries_a_secret(make_app: AppFactory) -> None:
    app = make_app(
        admin_token=ADMIN_TOKEN,
        github_tokens="ghp_secret_one",
        environment="staging",
        staging_password=STAGING_PASSWORD,
    )
    async with client_of(app) as client:
        body = (await client.get("/api/v1/about", auth=("ossgrowth", STAGING_PASSWORD))).text
    assert '"environment":"staging"' in body
    for secret in (ADMIN_TOKEN, "ghp_secret_one", STAGING_PASSWORD):
        assert secret not in body


async def test_about_is_never_kept_so_its_clock_stays_current(
    make_app: AppFactory, clock: FixedClock
) -> None:
    async with client_of(make_app()) as client:
        first = await client.get("/api/v1/about")
        clock.advance(timedelta(minutes=5))
        second = await client.get("/api/v1/about")
    assert first.headers["cache-control"] == "no-cache" and "etag" not in first.headers
    assert first.json()["now"] == "2026-03-01T00:00:00Z"
    assert second.json()["now"] == "2026-03-01T00:05:00Z"


async def test_about_names_the_newest_slot_a_runner_took(
    client: httpx.AsyncClient, store: SqlStore
) -> None:
    slot = datetime(2026, 2, 28, 23, tzinfo=UTC)
    assert store.claim_slot(
        "collect:stars", slot, owner="test", now=NOW, until=NOW + timedelta(minutes=1)
    )
    families = (await client.get("/api/v1/about")).json()["families"]
    assert families[0]["schedule"]["last_taken_at"] == "2026-02-28T23:00:00Z"
    assert families[1]["schedule"]["last_taken_at"] is None
