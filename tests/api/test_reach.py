"""The fifth family through the API: series, CSV, growth, compare and the badge."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from ossgrowth.model import Family, Point, Provenance
from ossgrowth.store import SqlStore
from tests.api.conftest import GADGETS, NOW, WIDGETS

pytestmark = pytest.mark.anyio
WATCHERS_NOTE = (
    "watchers: nothing upstream keeps its past, so its series starts at the first measurement"
)


@pytest.fixture(autouse=True)
def reach_points(store: SqlStore) -> None:
    """Forks rebuilt for ten days (no watchers), then measured every day with watchers."""
    points = []
    for day in range(20):
        moment = NOW - timedelta(days=20 - day)
        measured = day >= 10
        points.append(
            Point(
                WIDGETS,
                Family.REACH,
                moment,
                {"forks": 100 + 2 * day, "watchers": 40 + day if measured else None},
                Provenance.MEASURED if measured else Provenance.RECONSTRUCTED,
                "github-graphql" if measured else "github-forks",
            )
        )
    store.write_points(points)


async def test_the_series_holds_forks_from_history_and_watchers_from_the_first_measurement(
    client: httpx.AsyncClient,
) -> None:
    answer = (await client.get(f"/api/v1/repos/{WIDGETS.full_name}/series/reach")).json()
    assert answer["fields"] == ["forks", "watchers"]
    assert answer["aggregation"] == {"forks": "last", "watchers": "last"}
    assert answer["notes"] == [WATCHERS_NOTE]
    points = answer["points"]
    assert [p["forks"] for p in points] == [100 + 2 * day for day in range(20)]
    assert [p["watchers"] for p in points[:10]] == [None] * 10
    assert points[10]["watchers"] == 50 and points[10]["provenance"] == "measured"
    assert points[0]["provenance"] == "reconstructed" and points[0]["source"] == "github-forks"


async def test_the_csv_has_both_columns_and_the_note_in_a_header(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get(f"/api/v1/repos/{WIDGETS.full_name}/series/reach?format=csv")
    lines = answer.text.splitlines()
    assert lines[0] == "time,epoch_seconds,forks,watchers,provenance,source"
    assert lines[1].split(",")[2:4] == ["100", ""]
    assert answer.headers["ossgrowth-note"] == WATCHERS_NOTE


async def test_growth_gives_forks_and_watchers_figures(client: httpx.AsyncClient) -> None:
    reach = (await client.get(f"/api/v1/repos/{WIDGETS.full_name}/growth")).json()["reach"]
    assert reach["forks"]["current"] == 138.0
    assert reach["forks"]["per_day"]["7d"] == 2.0
    assert reach["watchers"]["current"] == 59.0
    assert reach["watchers"]["per_day"]["30d"] is None  # ten days measured: no 30 days back
    assert reach["notes"] == [WATCHERS_NOTE]


async def test_compare_and_the_badge_take_reach(client: httpx.AsyncClient) -> None:
    compared = await client.get(
        "/api/v1/compare",
        params={"repo": [WIDGETS.full_name, GADGETS.full_name], "family": "reach"},
    )
    assert compared.status_code == 200, compared.text
    assert compared.json()["fields"] == ["forks", "watchers"]
    badge = await client.get(
        f"/api/v1/repos/{WIDGETS.full_name}/shields.json", params={"family": "reach"}
    )
    assert badge.status_code == 200, badge.text
    assert (badge.json()["label"], badge.json()["message"]) == ("forks", "138")
