"""Leaderboards over the API: every repository's or a collection's, JSON and CSV, the badge."""

from __future__ import annotations

import csv
import io
import math

import httpx
import pytest

from ossgrowth.model import RepoName
from ossgrowth.store import SqlStore
from tests.api.conftest import GADGETS, NOW, START, WIDGETS, assert_problem

pytestmark = pytest.mark.anyio
NOW_TEXT = "2026-03-01T00:00:00Z"
START_TEXT = "2026-01-30T00:00:00Z"
EMPTY = RepoName("octo", "empty")


@pytest.fixture
def tools(store: SqlStore) -> str:
    """A collection holding octo/widgets only."""
    store.create_collection("tools", name="Tools", description="Our tools", created_at=START)
    store.add_collection_members("tools", [WIDGETS])
    return "tools"


async def test_the_leaderboard_ranks_every_tracked_repository_by_gain(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/api/v1/leaderboard", params={"window": "30d", "by": "gain"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["etag"] and answer.headers["cache-control"] == "public, max-age=60"
    board = answer.json()
    assert {key: board[key] for key in ("family", "field", "window", "by", "as_of")} == {
        "family": "stars",
        "field": "star_count",
        "window": "30d",
        "by": "gain",
        "as_of": NOW_TEXT,
    }
    assert board["collection"] is None and board["ranked"] == 2
    assert board["provenance"] == ["measured", "reconstructed"]  # the ranking says so
    widgets, gadgets = board["entries"]
    assert widgets == {
        "rank": 1,
        "previous_rank": 1,  # the month before: no gain for either, a tie listed by name
        "rank_change": 0,
        "repo": "octo/widgets",
        "package": None,
        "value": 1140,
        "start_value": 900,
        "gain": 240,
        "relative_gain": round(240 / 900, 6),
        "score": round(240 / math.sqrt(901), 4),
        "age_days": 30.0,
        "provenance": ["measured", "reconstructed"],
        "points": [
            {"at": START_TEXT, "value": 900, "provenance": "reconstructed"},
            {"at": NOW_TEXT, "value": 1140, "provenance": "measured"},
        ],
    }
    assert (gadgets["repo"], gadgets["rank"], gadgets["gain"]) == ("octo/gadgets", 2, 0)
    assert (gadgets["previous_rank"], gadgets["rank_change"]) == (1, -1)
    assert gadgets["points"] == [{"at": START_TEXT, "value": 3, "provenance": "measured"}]
    assert gadgets["relative_gain"] == 0.0


async def test_a_limit_lists_the_first_entries_and_as_of_moves_the_window(
    client: httpx.AsyncClient,
) -> None:
    first = (await client.get("/api/v1/leaderboard?limit=1&by=relative")).json()
    assert [entry["repo"] for entry in first["entries"]] == ["octo/widgets"]
    assert first["ranked"] == 2
    earlier = (await client.get("/api/v1/leaderboard?window=7d&as_of=2026-02-15")).json()
    assert earlier["as_of"] == "2026-02-15T00:00:00Z"
    widgets = earlier["entries"][0]
    assert widgets["points"][-1]["at"] == "2026-02-15T00:00:00Z"
    assert widgets["gain"] == 56  # 8 stars a day, 7 days
    assert widgets["score"] == round(56 / math.sqrt(widgets["start_value"] + 1), 4)


async def test_downloads_are_ranked_per_package_on_any_field_but_a_ratio(
    client: httpx.AsyncClient,
) -> None:
    weekly = (await client.get("/api/v1/leaderboard?family=downloads")).json()
    assert weekly["field"] == "weekly_downloads"
    assert [(e["repo"], e["package"], e["gain"]) for e in weekly["entries"]] == [
        ("octo/widgets", "npm:widgets", 0)
    ]
    total = (await client.get("/api/v1/leaderboard?family=downloads&field=total_downloads")).json()
    (entry,) = total["entries"]
    assert (entry["start_value"], entry["value"], entry["gain"]) == (5000, 7800, 2800)
    assert [point["at"] for point in entry["points"]] == [START_TEXT, "2026-02-27T00:00:00Z"]
    prs = (await client.get("/api/v1/leaderboard?family=prs&field=merged_prs&by=gain")).json()
    assert prs["entries"][0]["gain"] == 30


async def test_csv_is_answered_for_format_csv_and_for_accept(client: httpx.AsyncClient) -> None:
    by_parameter = await client.get("/api/v1/leaderboard?format=csv&by=gain")
    by_header = await client.get("/api/v1/leaderboard?by=gain", headers={"Accept": "text/csv"})
    for answer in (by_parameter, by_header):
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert by_parameter.text == by_header.text
    rows = list(csv.DictReader(io.StringIO(by_parameter.text)))
    assert [row["repo"] for row in rows] == ["octo/widgets", "octo/gadgets"]
    widgets = rows[0]
    assert (widgets["rank"], widgets["value"], widgets["start_value"], widgets["gain"]) == (
        "1",
        "1140",
        "900",
        "240",
    )
    assert widgets["package"] == "" and widgets["provenance"] == "measured;reconstructed"
    assert (widgets["start_at"], widgets["end_at"]) == (START_TEXT, NOW_TEXT)


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ("family=likes", "family", "Input should be"),
        ("window=2w", "window", "'7d', '30d', '90d' or '1y'"),
        ("by=best", "by", "'gain', 'relative' or 'score'"),
        ("limit=0", "limit", "greater than or equal to 1"),
        ("limit=1001", "limit", "less than or equal to 1000"),
        ("field=likes", "field", "stars has no field 'likes'; rank one of star_count"),
        ("family=prs&field=ratio", "field", "a ratio's gain is not ranked"),
        ("as_of=yesterday", "as_of", "as_of must be a date"),
        ("as_of=0001-01-02", "as_of", "leaves no room for two 30d windows before it"),
        ("collection=Not_A_Slug", "collection", "a collection slug is"),
    ],
)
async def test_bad_parameters_are_422_problems_naming_them(
    client: httpx.AsyncClient, query: str, parameter: str, words: str
) -> None:
    answer = await client.get(f"/api/v1/leaderboard?{query}")
    assert_problem(answer, 422, parameter)
    assert words in answer.json()["detail"]


async def test_an_unknown_collection_is_a_404(client: httpx.AsyncClient) -> None:
    for path in (
        "/api/v1/leaderboard?collection=nothing",
        "/api/v1/collections/nothing/leaderboard",
    ):
        answer = await client.get(path)
        assert_problem(answer, 404)
        assert "there is no collection 'nothing'" in answer.json()["detail"]


async def test_a_collection_ranks_its_members_only(client: httpx.AsyncClient, tools: str) -> None:
    own = (await client.get(f"/api/v1/collections/{tools}/leaderboard?by=gain")).json()
    through_filter = (await client.get(f"/api/v1/leaderboard?collection={tools}&by=gain")).json()
    assert own == through_filter
    assert (own["collection"], own["collection_name"], own["ranked"]) == ("tools", "Tools", 1)
    assert [(e["repo"], e["rank"], e["gain"]) for e in own["entries"]] == [("octo/widgets", 1, 240)]
    csv_answer = await client.get(f"/api/v1/collections/{tools}/leaderboard?format=csv")
    assert csv_answer.text.splitlines()[1].startswith("1,1,0,octo/widgets,")


async def test_the_badge_tells_a_repository_s_rank_in_its_collection(
    client: httpx.AsyncClient, store: SqlStore, tools: str
) -> None:
    store.add_collection_members(tools, [GADGETS])
    month = await client.get(f"/api/v1/collections/{tools}/badge/octo/gadgets.svg?by=gain")
    assert month.status_code == 200 and month.headers["content-type"] == "image/svg+xml"
    assert "stars: #2 in Tools this month" in month.text
    week = await client.get(f"/api/v1/collections/{tools}/badge/Octo/Widgets.svg?window=7d")
    assert "stars: #1 in Tools this week" in week.text
    assert week.headers["cache-control"] == "public, max-age=900"


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/api/v1/collections/tools/badge/octo/unknown.svg", 404, "not found"),
        ("/api/v1/collections/nothing/badge/octo/widgets.svg", 404, "not found"),
        ("/api/v1/collections/tools/badge/octo/widgets.svg?window=2w", 422, "invalid window"),
    ],
)
async def test_badge_errors_are_badges(
    client: httpx.AsyncClient, tools: str, path: str, status: int, message: str
) -> None:
    answer = await client.get(path)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "image/svg+xml"
    assert f"stars: {message}" in answer.text


async def test_a_member_without_points_has_a_no_data_badge(
    client: httpx.AsyncClient, store: SqlStore, tools: str
) -> None:
    store.add_subject(EMPTY, [], added_at=NOW)
    store.add_collection_members(tools, [EMPTY])
    answer = await client.get(f"/api/v1/collections/{tools}/badge/octo/empty.svg")
    assert answer.status_code == 200 and "stars: no data" in answer.text
