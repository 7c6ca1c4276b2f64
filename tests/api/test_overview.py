"""``/api/v1/overview``: every tracked repository with what an overview table shows, at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from ossgrowth.checkpoints import BackfillStatus
from ossgrowth.clock import FixedClock
from ossgrowth.model import (
    Ecosystem,
    Family,
    PackageRef,
    Point,
    Provenance,
    RepoName,
    Run,
    RunStatus,
)
from ossgrowth.store import SqlStore
from tests.api.conftest import GAP_DAY, NOW, START, WIDGETS, admin_headers

pytestmark = pytest.mark.anyio


def expected_sparkline() -> list[int | None]:
    """The fixture's stars (900, one more every 3 hours from START) at each day's last point."""
    days = [NOW.date() - timedelta(days=29 - index) for index in range(30)]
    return [
        None
        if day == GAP_DAY.date()
        else min(900 + 8 * (day - START.date()).days + 7, 900 + 8 * 30)
        for day in days
    ]


async def overview_of(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    response = await client.get("/api/v1/overview")
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["now"] == "2026-03-01T00:00:00Z" and document["sparkline_days"] == 30
    return {item["repo"]: item for item in document["items"]}


async def test_the_overview_gives_each_repository_its_figures_by_name(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/overview")
    assert [item["repo"] for item in response.json()["items"]] == ["octo/gadgets", "octo/widgets"]
    widgets = (await overview_of(client))["octo/widgets"]
    assert widgets == {
        "repo": "octo/widgets",
        "packages": ["npm:widgets"],
        "added_at": "2026-01-30T00:00:00Z",
        "stars": 1140,
        "stars_as_of": "2026-03-01T00:00:00Z",
        "stars_change": {"1d": 8, "7d": 56, "30d": 240},
        "sparkline": expected_sparkline(),
        "sparkline_start": "2026-01-31",
        "open_issues": 0,
        "open_prs": 10,
        "pr_ratio": 13.0,
        "weekly_downloads": 700,
        "collection": {
            "status": "ok",
            "last_measured_at": "2026-03-01T00:00:00Z",
            "message": None,
        },
        "backfill": {
            "status": "queued",
            "families_done": 1,
            "families_total": 2,
            "pages_stored": 2,
            "message": None,
        },
    }


async def test_missing_data_is_null_never_a_fake_zero(client: httpx.AsyncClient) -> None:
    gadgets = (await overview_of(client))["octo/gadgets"]
    assert gadgets["stars"] == 3 and gadgets["stars_as_of"] == "2026-01-30T00:00:00Z"
    assert gadgets["stars_change"] == {"1d": None, "7d": None, "30d": None}
    assert gadgets["sparkline"] == [None] * 30
    for field in ("open_issues", "open_prs", "pr_ratio", "weekly_downloads"):
        assert gadgets[field] is None, field
    assert gadgets["collection"] == {
        "status": "overdue",
        "last_measured_at": "2026-01-30T00:00:00Z",
        "message": "stars last measured 30 days ago",
    }
    assert gadgets["backfill"] == {
        "status": "none",
        "families_done": 0,
        "families_total": 0,
        "pages_stored": 0,
        "message": None,
    }


async def test_a_repository_named_by_a_partial_run_shows_its_part_of_the_error(
    client: httpx.AsyncClient, store: SqlStore
) -> None:
    error = "octo/widgets: FORBIDDEN: Resource not accessible; octo/else: NOT_FOUND: gone"
    store.record_run(
        Run(
            "collect:prs+issues",
            "dev",
            NOW - timedelta(minutes=20),
            RunStatus.PARTIAL,
            NOW - timedelta(minutes=19),
            error=error,
        )
    )
    widgets = (await overview_of(client))["octo/widgets"]
    assert widgets["collection"]["status"] == "failed"
    assert widgets["collection"]["message"] == "octo/widgets: FORBIDDEN: Resource not accessible"


async def test_a_repository_tracked_since_the_last_slot_is_pending(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    clock.advance(timedelta(minutes=30))
    added = await client.post("/api/v1/repos", json={"repo": "octo/fresh"}, headers=admin_headers())
    assert added.status_code == 201
    response = await client.get("/api/v1/overview")
    fresh = {item["repo"]: item for item in response.json()["items"]}["octo/fresh"]
    assert fresh["collection"] == {
        "status": "pending",
        "last_measured_at": None,
        "message": "first collection at 2026-03-01T02:00:00Z",
    }
    assert fresh["backfill"]["status"] == "queued"
    assert fresh["backfill"]["families_total"] == 5


async def test_a_backfill_held_by_a_runner_is_running_and_a_failed_one_says_why(
    client: httpx.AsyncClient, store: SqlStore
) -> None:
    assert store.claim_backfill(
        WIDGETS, Family.ISSUES, owner="worker", now=NOW, until=NOW + timedelta(minutes=1)
    )
    assert (await overview_of(client))["octo/widgets"]["backfill"]["status"] == "running"
    store.finish_backfill(
        WIDGETS,
        Family.ISSUES,
        [],
        status=BackfillStatus.FAILED,
        finished_at=NOW,
        message="octo/widgets is gone from GitHub",
    )
    await client.post("/api/v1/repos", json={"repo": "octo/other"}, headers=admin_headers())
    backfill = (await overview_of(client))["octo/widgets"]["backfill"]
    assert backfill["status"] == "failed"
    assert backfill["message"] == "octo/widgets is gone from GitHub"


async def test_the_overview_is_cached_with_an_etag_until_a_write(
    client: httpx.AsyncClient, store: SqlStore
) -> None:
    first = await client.get("/api/v1/overview")
    assert first.headers["cache-control"] == "public, max-age=60"
    again = await client.get("/api/v1/overview", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    store.add_subject(RepoName("octo", "behind"), [], added_at=NOW)  # not through the API
    assert len((await client.get("/api/v1/overview")).json()["items"]) == 2
    await client.post("/api/v1/repos", json={"repo": "octo/through"}, headers=admin_headers())
    assert len((await client.get("/api/v1/overview")).json()["items"]) == 4


async def test_weekly_downloads_sum_each_package_s_newest_known_count(
    client: httpx.AsyncClient, store: SqlStore
) -> None:
    pypi = PackageRef(Ecosystem.PYPI, "widgets")
    store.add_subject(WIDGETS, [pypi], added_at=START)

    def downloads(at: datetime, weekly: int | None) -> Point:
        values = {"weekly_downloads": weekly, "total_downloads": None}
        return Point(WIDGETS, Family.DOWNLOADS, at, values, Provenance.MEASURED, "pypistats", pypi)

    store.write_points([downloads(NOW - timedelta(days=1), 50), downloads(NOW, None)])
    await client.post("/api/v1/repos", json={"repo": "octo/other"}, headers=admin_headers())
    widgets = (await overview_of(client))["octo/widgets"]
    assert widgets["packages"] == ["npm:widgets", "pypi:widgets"]
    assert widgets["weekly_downloads"] == 700 + 50
