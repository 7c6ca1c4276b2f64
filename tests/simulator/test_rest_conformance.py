"""Simulated REST answers against GitHub's recorded ones: keys, types, headers, errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.simulator.conftest import TOKEN, Served, fixture

pytestmark = pytest.mark.anyio

LINK = re.compile(r'<(?P<url>[^>]+)>; rel="(?P<rel>prev|next|last|first)"')
RATE_HEADERS = {
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-used",
    "x-ratelimit-resource",
}


def assert_same_shape(ours: Any, recorded: Any, path: str = "body") -> None:
    """Same keys (recursively, for objects) and same JSON types; ``null`` matches anything."""
    if recorded is None or ours is None:
        return
    assert type(ours) is type(recorded), (
        f"{path}: {type(ours).__name__} vs {type(recorded).__name__}"
    )
    if isinstance(recorded, dict):
        assert set(ours) == set(recorded), f"{path}: {set(ours) ^ set(recorded)}"
        for key in recorded:
            assert_same_shape(ours[key], recorded[key], f"{path}.{key}")


def assert_keys_cover(ours: dict[str, Any], recorded: dict[str, Any]) -> None:
    """Every key of an older recording is present, with the same JSON type where both are set."""
    missing = set(recorded) - set(ours)
    assert not missing, missing
    for key, value in recorded.items():
        if value is not None and ours[key] is not None and not isinstance(value, dict):
            assert type(ours[key]) is type(value), key


async def test_a_repository_has_the_2026_body_and_headers(served: Served) -> None:
    recorded = fixture("github/rest/unsung/repo-2026.json")
    repo = served.world.repos[0]
    answer = await served.client.get(f"/repos/{repo.full_name}", headers=TOKEN)
    assert answer.status_code == 200
    assert_same_shape(answer.json(), recorded["body"])
    assert list(answer.json()) == list(recorded["body"])
    assert set(recorded["headers"]) <= set(answer.headers)
    assert answer.headers["etag"].startswith('W/"')
    assert answer.headers["x-github-api-version-selected"] == "2026-03-10"


async def test_a_missing_repository_answers_the_2026_404(served: Served) -> None:
    recorded = fixture("github/rest/unsung/not-found.json")
    answer = await served.client.get("/repos/unsung-fixtures/no-such-repository", headers=TOKEN)
    assert answer.status_code == 404
    assert answer.json() == recorded["body"]
    assert set(recorded["headers"]) <= set(answer.headers)


async def test_a_renamed_repository_answers_301_like_octokit_recorded(served: Served) -> None:
    recorded = next(
        exchange
        for exchange in fixture("github/rest/octokit/rename-repository.normalized-fixture.json")
        if exchange["status"] == 301 and exchange["method"] == "get"
    )
    repo = next(repo for repo in served.world.repos if repo.previous_names)
    answer = await served.client.get(f"/repos/{repo.previous_names[0]}", headers=TOKEN)
    assert answer.status_code == 301
    location = f"http://sim.test/repositories/{repo.database_id}"
    assert answer.headers["location"] == location
    assert answer.json() == {**recorded["response"], "url": location}
    followed = await served.client.get(answer.headers["location"], headers=TOKEN)
    assert followed.json()["full_name"] == repo.full_name


async def test_issue_pages_carry_octokits_link_header_and_keys(served: Served) -> None:
    exchanges = [
        exchange
        for exchange in fixture("github/rest/octokit/paginate-issues.normalized-fixture.json")
        if exchange["method"] == "get"
    ]
    repo = max(served.world.repos, key=lambda repo: len(repo.items))
    first = await served.client.get(
        f"/repos/{repo.full_name}/issues", params={"per_page": 3}, headers=TOKEN
    )
    second = await served.client.get(
        f"/repositories/{repo.database_id}/issues", params={"per_page": 3, "page": 2}, headers=TOKEN
    )
    for ours, recorded in ((first, exchanges[0]), (second, exchanges[1])):
        ours_links = [match["rel"] for match in LINK.finditer(ours.headers["link"])]
        recorded_links = [match["rel"] for match in LINK.finditer(recorded["headers"]["link"])]
        assert ours_links == recorded_links
        assert ours.headers["link"].count(", <") == recorded["headers"]["link"].count(", <")
    url = LINK.search(first.headers["link"])
    assert url is not None
    assert url["url"] == f"http://sim.test/repositories/{repo.database_id}/issues?per_page=3&page=2"
    issue = next(item for item in first.json() + second.json() if "pull_request" not in item)
    recorded_issue = exchanges[0]["response"][0]
    assert set(issue) == set(recorded_issue)
    assert_keys_cover(issue, recorded_issue)
    assert set(recorded_issue["user"]) <= set(issue["user"])  # 2026 adds user_view_type


async def test_pull_requests_mixed_into_issues_carry_a_pull_request_key(served: Served) -> None:
    recorded = fixture(
        "github/rest/pygithub/Issue945.testReservedPaginatedListAttributePreservation.json"
    )
    recorded_pull = next(item for item in recorded[0]["body"] if "pull_request" in item)
    repo = max(served.world.repos, key=lambda repo: len(repo.items))
    answer = await served.client.get(
        f"/repos/{repo.full_name}/issues", params={"state": "all", "per_page": 100}, headers=TOKEN
    )
    pull = next(item for item in answer.json() if "pull_request" in item)
    assert set(recorded_pull["pull_request"]) <= set(pull["pull_request"])
    assert_keys_cover(pull, recorded_pull)


async def test_pulls_have_every_key_pygithub_recorded(served: Served) -> None:
    recorded = fixture("github/rest/pygithub/Repository.testGetPullsWithArguments.json")[0]
    repo = max(served.world.repos, key=lambda repo: len(repo.items))
    answer = await served.client.get(
        f"/repos/{repo.full_name}/pulls", params={"state": "closed"}, headers=TOKEN
    )
    assert answer.status_code == 200
    for ours in answer.json()[:5]:
        assert_keys_cover(ours, recorded["body"][0])
        assert ours["state"] == "closed"


async def test_stargazers_with_dates_match_the_star_json_rows(served: Served) -> None:
    recorded = fixture(
        "github/rest/pygithub/Issue945.testReservedPaginatedListAttributePreservation.json"
    )[1]
    repo = served.repo_where(collaborator="sim-token-1")
    answer = await served.client.get(
        f"/repos/{repo.full_name}/stargazers",
        headers={**TOKEN, "Accept": "application/vnd.github.star+json"},
    )
    assert answer.status_code == 200
    row = answer.json()[0]
    assert set(row) == set(recorded["body"][0])
    assert set(recorded["body"][0]["user"]) <= set(row["user"])
    assert answer.headers["x-github-media-type"] == "github.v3; param=star; format=json"


@pytest.mark.parametrize(
    "name",
    [
        "github/stargazers-history/unsung-stargazers-history.json",
        "github/stargazers-history/labbook-history_prism_insight.json",
    ],
)
async def test_star_history_rows_have_the_recorded_shape(served: Served, name: str) -> None:
    recorded = fixture(name)
    rows = recorded["body"] if isinstance(recorded, dict) else recorded
    repo = served.world.repos[0]
    answer = await served.client.get(
        f"/repos/{repo.full_name}/stargazers/history", params={"per_page": 30}, headers=TOKEN
    )
    assert answer.status_code == 200
    for ours, theirs in zip(answer.json(), rows, strict=False):
        assert_same_shape(ours, theirs)
        assert len(ours["days"]) == 7
        assert (ours["week"] - theirs["week"]) % (7 * 86_400) == 0  # both on Sunday 00:00 UTC
    if isinstance(recorded, dict):
        assert set(recorded["headers"]) <= set(answer.headers) | {"link"}


async def test_rate_limit_has_the_recorded_resources(served: Served) -> None:
    recorded = fixture("github/rest/pygithub/RateLimiting.testGetRateLimit.json")[0]["body"]
    answer = await served.client.get("/rate_limit", headers=TOKEN)
    assert answer.status_code == 200
    assert_same_shape(answer.json(), recorded)
    assert RATE_HEADERS <= set(answer.headers)


async def test_bad_credentials_answer_401(served: Served) -> None:
    answer = await served.client.get("/rate_limit", headers={"Authorization": "token nope"})
    assert answer.status_code == 401
    assert answer.json() == {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
        "status": "401",
    }


async def test_every_github_answer_carries_rate_limit_headers(served: Served) -> None:
    repo = served.world.repos[0]
    for path in (f"/repos/{repo.full_name}", f"/repos/{repo.full_name}/pulls", "/repos/a/b"):
        answer = await served.client.get(path, headers=TOKEN)
        assert RATE_HEADERS <= set(answer.headers), path
        assert answer.headers["x-ratelimit-resource"] == "core"
