"""The seed's read paths: arrays of {repo, timestamp, …fields} with the seed's field names."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import AppFactory, assert_problem, client_of

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/api/star-history", {"star_count"}),
        ("/api/pr-velocity", {"open_prs", "merged_prs", "ratio"}),
        ("/api/issue-health", {"open_issues", "closed_issues", "ratio"}),
        ("/api/package-downloads", {"package", "weekly_downloads", "total_downloads"}),
    ],
)
async def test_each_seed_path_returns_records_with_the_seed_field_names(
    client: httpx.AsyncClient, path: str, fields: set[str]
) -> None:
    records = (await client.get(path, params={"repo": "octo/widgets"})).json()
    assert records
    for record in records:
        assert set(record) == {"repo", "timestamp", *fields}
        assert record["repo"] == "octo/widgets" and record["timestamp"].endswith("Z")
    assert records == sorted(records, key=lambda record: record["timestamp"])


async def test_stars_is_the_newest_point_only(client: httpx.AsyncClient) -> None:
    records = (await client.get("/api/stars", params={"repo": "octo/widgets"})).json()
    assert records == [
        {"repo": "octo/widgets", "timestamp": "2026-03-01T00:00:00Z", "star_count": 1140}
    ]


async def test_without_repo_the_first_tracked_repository_is_used(
    client: httpx.AsyncClient,
) -> None:
    records = (await client.get("/api/star-history")).json()
    assert {record["repo"] for record in records} == {"octo/gadgets"}


async def test_an_untracked_repo_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/stars", params={"repo": "no/body"}), 404)


async def test_with_nothing_tracked_the_default_is_404(make_app: AppFactory) -> None:
    app = make_app()
    app.state.context.store.delete_all()
    async with client_of(app) as client:
        assert_problem(await client.get("/api/stars"), 404)
