"""The series endpoint: raw and aggregated points, gaps, downsampling, filters, CSV, ETags."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
import pytest

from ossgrowth.api.routers.series import STREAM_ABOVE_ROWS
from ossgrowth.clock import FixedClock
from ossgrowth.model import Family, Point, Provenance, RepoName
from tests.api.conftest import GAP_DAY, NOW, WIDGETS, AppFactory, assert_problem, client_of

pytestmark = pytest.mark.anyio
STARS = "/api/v1/repos/octo/widgets/series/stars"


async def test_raw_series_lists_every_point_with_utc_times_and_provenance(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(STARS)
    assert response.status_code == 200
    body = response.json()
    assert body["fields"] == ["star_count"] and body["aggregation"] == {"star_count": "last"}
    first = body["points"][0]
    assert first == {
        "time": "2026-01-30T00:00:00Z",
        "epoch_seconds": 1769731200,
        "star_count": 900,
        "provenance": "reconstructed",
        "source": "test",
    }
    assert body["count"] == len(body["points"]) == 241 - 8


async def test_a_day_without_observations_is_a_gap_not_a_zero(client: httpx.AsyncClient) -> None:
    body = (await client.get(STARS, params={"interval": "day"})).json()
    gap_time = GAP_DAY.strftime("%Y-%m-%dT%H:%M:%SZ")
    (gap,) = [point for point in body["points"] if point["time"] == gap_time]
    assert gap["star_count"] is None and gap["provenance"] is None
    day_before = body["points"][body["points"].index(gap) - 1]
    assert day_before["star_count"] == 900 + 8 * 10 - 1


async def test_weekly_downloads_and_totals_keep_their_last_value_per_month(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/api/v1/repos/octo/widgets/series/downloads", params={"interval": "month"}
    )
    body = response.json()
    assert body["package"] == "npm:widgets"
    assert body["aggregation"] == {"weekly_downloads": "last", "total_downloads": "last"}
    january, february = body["points"]
    assert january["weekly_downloads"] == 700 and january["total_downloads"] == 5000
    assert february["weekly_downloads"] == 700 and february["total_downloads"] == 7800


async def test_ratios_are_recomputed_from_the_interval_counts(client: httpx.AsyncClient) -> None:
    body = (
        await client.get("/api/v1/repos/octo/widgets/series/prs", params={"interval": "week"})
    ).json()
    for point in body["points"]:
        assert point["ratio"] == pytest.approx(point["merged_prs"] / point["open_prs"])
    issues = (
        await client.get("/api/v1/repos/octo/widgets/series/issues", params={"interval": "week"})
    ).json()
    assert all(point["ratio"] is None for point in issues["points"])


@pytest.mark.parametrize("max_points", [2, 10, 100])
async def test_downsampling_keeps_at_most_max_points_and_the_extremes(
    client: httpx.AsyncClient, max_points: int
) -> None:
    full = (await client.get(STARS)).json()["points"]
    body = (await client.get(STARS, params={"max_points": max_points})).json()
    assert body["downsampled"] and len(body["points"]) <= max_points
    counts = [point["star_count"] for point in body["points"]]
    assert min(counts) == full[0]["star_count"] and max(counts) == full[-1]["star_count"]


async def test_from_and_to_dates_cover_whole_utc_days(client: httpx.AsyncClient) -> None:
    body = (await client.get(STARS, params={"from": "2026-02-20", "to": "2026-02-21"})).json()
    times = [point["time"] for point in body["points"]]
    assert times[0] == "2026-02-20T00:00:00Z" and times[-1] == "2026-02-21T21:00:00Z"
    offset = (await client.get(STARS, params={"from": "2026-02-20T01:00:00+01:00"})).json()
    assert offset["points"][0]["time"] == "2026-02-20T00:00:00Z"


async def test_from_after_to_selects_nothing(client: httpx.AsyncClient) -> None:
    body = (await client.get(STARS, params={"from": "2026-02-21", "to": "2026-02-20"})).json()
    assert body["points"] == []


async def test_the_provenance_filter_keeps_only_points_known_that_way(
    client: httpx.AsyncClient,
) -> None:
    body = (await client.get(STARS, params={"provenance": "reconstructed"})).json()
    assert {point["provenance"] for point in body["points"]} == {"reconstructed"}
    assert len(body["points"]) == 5 * 8


@pytest.mark.parametrize(
    ("params", "headers"),
    [({"format": "csv"}, {}), ({}, {"Accept": "text/csv"})],
    ids=["format-parameter", "accept-header"],
)
async def test_csv_has_a_header_and_empty_cells_for_gaps(
    client: httpx.AsyncClient, params: dict[str, str], headers: dict[str, str]
) -> None:
    response = await client.get(STARS, params={**params, "interval": "day"}, headers=headers)
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["time", "epoch_seconds", "star_count", "provenance", "source"]
    assert ["2026-02-09T00:00:00Z", "1770595200", "", "", ""] in rows


async def test_an_unchanged_series_answers_304_to_its_etag(client: httpx.AsyncClient) -> None:
    first = await client.get(STARS)
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    again = await client.get(STARS, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = await client.get(STARS, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


async def test_large_answers_are_gzipped_when_asked(client: httpx.AsyncClient) -> None:
    response = await client.get(STARS, headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["count"] > 0


async def test_downloads_of_a_package_the_repository_lacks_are_not_found(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/api/v1/repos/octo/widgets/series/downloads", params={"package": "pypi:widgets"}
    )
    assert_problem(response, 404)
    no_packages = await client.get("/api/v1/repos/octo/gadgets/series/downloads")
    assert_problem(no_packages, 404)


async def test_a_repository_family_with_a_package_is_not_found(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get(STARS, params={"package": "npm:widgets"}), 404)


async def test_writes_through_the_api_clear_cached_answers(client: httpx.AsyncClient) -> None:
    assert (await client.get(STARS)).status_code == 200
    removed = await client.delete(
        "/api/v1/repos/octo/widgets", headers={"Authorization": "Bearer admin-secret-token"}
    )
    assert removed.status_code == 204
    assert_problem(await client.get(STARS), 404)


async def test_answers_are_cached_for_the_configured_time(
    make_app: AppFactory, clock: FixedClock
) -> None:
    app = make_app(api_cache_seconds=60)
    store = app.state.context.store
    async with client_of(app) as client:
        before = (await client.get(STARS)).json()["count"]
        store.write_points(
            [
                Point(
                    WIDGETS,
                    Family.STARS,
                    NOW + timedelta(hours=3),
                    {"star_count": 2000},
                    Provenance.MEASURED,
                    "test",
                )
            ]
        )
        assert (await client.get(STARS)).json()["count"] == before
        clock.advance(timedelta(seconds=60))
        assert (await client.get(STARS)).json()["count"] == before + 1


async def test_a_large_csv_is_streamed_whole(client: httpx.AsyncClient) -> None:
    store = client._transport.app.state.context.store  # type: ignore[attr-defined]
    many = RepoName("octo", "many")
    store.add_subject(many, [], added_at=NOW)
    store.write_points(
        Point(
            many,
            Family.STARS,
            NOW + timedelta(hours=3 * step),
            {"star_count": step},
            Provenance.ESTIMATED,
            "test",
        )
        for step in range(STREAM_ABOVE_ROWS + 1)
    )
    response = await client.get("/api/v1/repos/octo/many/series/stars", params={"format": "csv"})
    assert response.status_code == 200 and "etag" not in response.headers
    lines = response.text.splitlines()
    assert len(lines) == STREAM_ABOVE_ROWS + 2
    assert lines[-1].split(",")[2:] == [str(STREAM_ABOVE_ROWS), "estimated", "test"]
