"""The seed's HTTP contract, checked as a client written against ../shared/seed-api.md would
use it: its paths, methods, bodies, field names and CORS headers, answered by ossgrowth."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import ADMIN_TOKEN, AppFactory, client_of

pytestmark = pytest.mark.anyio

SEED_HEADERS = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "GET,POST,OPTIONS",
    "access-control-allow-headers": "Content-Type,X-Amz-Date,Authorization,X-Api-Key",
}


def seed_cors(response: httpx.Response) -> None:
    for name, value in SEED_HEADERS.items():
        assert response.headers.get(name) == value, name


@pytest.mark.parametrize(
    ("path", "theirs", "ours"),
    [
        ("/api/star-history", {"timestamp", "displayTimestamp", "count"}, {"star_count"}),
        (
            "/api/pr-velocity",
            {"date", "open_count", "merged_count", "ratio"},
            {"open_prs", "merged_prs"},
        ),
        (
            "/api/issue-health",
            {"date", "open_count", "closed_count", "ratio"},
            {"open_issues", "closed_issues"},
        ),
        (
            "/api/package-downloads",
            {"week_start", "downloads"},
            {"package", "weekly_downloads", "total_downloads"},
        ),
    ],
)
async def test_each_read_path_answers_the_seeds_field_names_beside_ours(
    client: httpx.AsyncClient, path: str, theirs: set[str], ours: set[str]
) -> None:
    response = await client.get(path, params={"repo": "octo/widgets"})
    assert response.status_code == 200
    seed_cors(response)
    records = response.json()
    assert records and all(record["repo"] == "octo/widgets" for record in records)
    for record in records:
        assert theirs | ours | {"repo", "timestamp"} <= set(record)
        assert record["timestamp"].endswith("Z")
    assert records == sorted(records, key=lambda record: record["timestamp"])


async def test_records_are_one_a_day_or_a_week_with_the_seeds_values(
    client: httpx.AsyncClient,
) -> None:
    prs = (await client.get("/api/pr-velocity", params={"repo": "octo/widgets"})).json()
    days = [record["date"] for record in prs]
    assert len(days) == len(set(days)) == 31
    first = prs[0]
    assert (first["open_count"], first["merged_count"]) == (first["open_prs"], first["merged_prs"])
    issues = (await client.get("/api/issue-health", params={"repo": "octo/widgets"})).json()
    assert issues[0]["ratio"] is None  # 0 open issues: no ratio, never a fake 0
    stars = (await client.get("/api/star-history", params={"repo": "octo/widgets"})).json()
    assert stars[-1]["displayTimestamp"] == "February 28, 2026 at 04:00 PM"  # Pacific time
    assert stars[-1]["count"] == stars[-1]["star_count"]
    downloads = (await client.get("/api/package-downloads", params={"repo": "octo/widgets"})).json()
    weeks = [(record["package"], record["week_start"]) for record in downloads]
    assert len(weeks) == len(set(weeks))
    assert all(record["downloads"] == record["weekly_downloads"] for record in downloads)


async def test_stars_answers_the_live_count_and_needs_a_repo(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/stars", params={"repo": "octo/widgets"})
    assert response.json() == {
        "count": 1140,
        "star_count": 1140,
        "repo": "octo/widgets",
        "timestamp": "2026-03-01T00:00:00Z",
    }
    missing = await client.get("/api/stars")
    assert missing.status_code == 400 and missing.json() == {"error": "Missing repo parameter"}
    seed_cors(missing)


async def test_errors_on_the_seeds_paths_are_its_error_objects(client: httpx.AsyncClient) -> None:
    untracked = await client.get("/api/star-history", params={"repo": "no/body"})
    assert untracked.status_code == 404 and untracked.json() == {"error": "no/body is not tracked"}
    unknown = await client.get("/api/nothing-here")
    assert unknown.status_code == 404 and set(unknown.json()) == {"error"}
    v1 = await client.get("/api/v1/repos/no/body")  # the versioned API keeps problem+json
    assert v1.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("path", ["/api/stars", "/api/collection-repos", "/api/anything"])
async def test_options_on_any_seed_path_is_200_with_cors(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.options(path)
    assert response.status_code == 200 and response.content == b""
    seed_cors(response)


async def test_the_repository_list_is_read_and_added_to_with_the_admin_token(
    client: httpx.AsyncClient,
) -> None:
    listed = (await client.get("/api/collection-repos")).json()
    assert listed == {"repositories": ["octo/gadgets", "octo/widgets"], "environment": "dev"}
    refused = await client.post("/api/collection-repos", json={"repo": "octo/newcomer"})
    assert refused.status_code == 401 and set(refused.json()) == {"error"}
    token = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    added = await client.post(
        "/api/collection-repos", json={"repo": "octo/newcomer"}, headers=token
    )
    assert added.json() == {
        "success": True,
        "message": "Repository octo/newcomer added to automated collection",
        "repo": "octo/newcomer",
    }
    seed_cors(added)
    missing = await client.post("/api/collection-repos", json={}, headers=token)
    assert missing.status_code == 400 and missing.json() == {"error": "Missing repo parameter"}
    listed = (await client.get("/api/collection-repos")).json()
    assert "octo/newcomer" in listed["repositories"]


async def test_without_repo_the_first_tracked_repository_is_used(
    client: httpx.AsyncClient,
) -> None:
    records = (await client.get("/api/star-history")).json()
    assert {record["repo"] for record in records} == {"octo/gadgets"}


async def test_with_nothing_tracked_the_default_is_404(make_app: AppFactory) -> None:
    app = make_app()
    app.state.context.store.delete_all()
    async with client_of(app) as client:
        response = await client.get("/api/star-history")
        assert response.status_code == 404
        assert response.json() == {"error": "no repository is tracked yet"}


async def test_a_bad_repository_name_is_a_422_error_object(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/star-history", params={"repo": "not-a-repo"})
    assert response.status_code == 422
    assert set(response.json()) == {"error"} and "repo" in response.json()["error"]
