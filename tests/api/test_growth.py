"""The growth endpoint: figures for stars and each package's downloads."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_growth_reports_rates_and_the_next_milestone(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/repos/octo/widgets/growth")).json()
    stars = body["stars"]
    assert body["now"] == "2026-03-01T00:00:00Z"
    assert stars["current"] == 1140 and stars["as_of"] == "2026-03-01T00:00:00Z"
    assert stars["per_day"] == {"1d": 8.0, "7d": 8.0, "30d": 8.0, "90d": None}
    assert stars["acceleration_per_day"] == 0.0
    assert stars["next_milestone"] == 5000
    assert stars["next_milestone_at"] == "2027-06-26T12:00:00Z"
    (downloads,) = body["downloads"]
    assert downloads["package"] == "npm:widgets" and downloads["next_milestone"] == 10000


async def test_a_repository_with_one_point_has_no_rates(client: httpx.AsyncClient) -> None:
    stars = (await client.get("/api/v1/repos/octo/gadgets/growth")).json()["stars"]
    assert stars["current"] == 3 and set(stars["per_day"].values()) == {None}
    assert stars["next_milestone"] == 1000 and stars["next_milestone_at"] is None
