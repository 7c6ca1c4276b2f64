"""REST against the world's truth: pagination, conditional requests, budgets, 2026 rules."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ossgrowth.simulator import ItemState, World
from ossgrowth.simulator.star_history import week_start
from tests.simulator.conftest import TOKEN, Served

pytestmark = pytest.mark.anyio

NEXT = re.compile(r'<([^>]+)>; rel="next"')
LAST_PAGE = re.compile(r'[?&]page=(\d+)>; rel="last"')


async def walk(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> list[dict]:
    """Every row of a list, following ``rel="next"`` to the end."""
    rows: list[dict] = []
    next_url: str | None = url
    while next_url:
        answer = await client.get(next_url, headers=headers)
        assert answer.status_code == 200, answer.text
        rows.extend(answer.json())
        found = NEXT.search(answer.headers.get("link", ""))
        next_url = found.group(1) if found else None
    return rows


def busiest(world: World) -> str:
    return max(world.repos, key=lambda repo: len(repo.items)).full_name


async def test_walking_every_issue_page_reconstructs_the_truth(served: Served) -> None:
    name = busiest(served.world)
    rows = await walk(served.client, f"/repos/{name}/issues?state=all&per_page=7", TOKEN)
    truth = served.world.snapshot(name, served.clock.now())
    issues = [row for row in rows if "pull_request" not in row]
    pulls = [row for row in rows if "pull_request" in row]
    assert sum(row["state"] == "open" for row in issues) == truth.open_issues
    assert sum(row["state"] == "closed" for row in issues) == truth.closed_issues
    assert sum(row["state"] == "open" for row in pulls) == truth.open_prs
    assert sum(row["pull_request"]["merged_at"] is not None for row in pulls) == truth.merged_prs
    assert len({row["number"] for row in rows}) == len(rows)
    created = [row["created_at"] for row in rows]
    assert created == sorted(created, reverse=True)


async def test_pulls_by_state_add_up_to_the_truth(served: Served) -> None:
    name = busiest(served.world)
    truth = served.world.snapshot(name, served.clock.now())
    opened = await walk(served.client, f"/repos/{name}/pulls?state=open&per_page=100", TOKEN)
    closed = await walk(served.client, f"/repos/{name}/pulls?state=closed&per_page=100", TOKEN)
    assert len(opened) == truth.open_prs
    assert len(closed) == truth.merged_prs + truth.closed_prs
    assert sum(row["merged_at"] is not None for row in closed) == truth.merged_prs


async def test_the_last_page_number_counts_items_with_per_page_1(served: Served) -> None:
    name = busiest(served.world)
    answer = await served.client.get(f"/repos/{name}/pulls?state=open&per_page=1", headers=TOKEN)
    last = LAST_PAGE.search(answer.headers["link"])
    assert last is not None
    assert int(last.group(1)) == served.world.snapshot(name, served.clock.now()).open_prs


async def test_a_page_beyond_the_end_is_empty(served: Served) -> None:
    name = busiest(served.world)
    answer = await served.client.get(f"/repos/{name}/issues?per_page=100&page=999", headers=TOKEN)
    assert answer.status_code == 200
    assert answer.json() == []


@pytest.mark.parametrize(("per_page", "size"), [("500", 100), ("0", 30), ("x", 30), ("12", 12)])
async def test_per_page_is_clamped_like_github(served: Served, per_page: str, size: int) -> None:
    name = busiest(served.world)
    answer = await served.client.get(
        f"/repos/{name}/issues?state=all&per_page={per_page}", headers=TOKEN
    )
    truth = served.world.snapshot(name, served.clock.now())
    total = truth.open_issues + truth.closed_issues + truth.open_prs + truth.merged_prs
    assert len(answer.json()) == min(size, total + truth.closed_prs)


async def test_an_unknown_state_is_a_validation_failure(served: Served) -> None:
    answer = await served.client.get(
        f"/repos/{busiest(served.world)}/issues?state=x", headers=TOKEN
    )
    assert answer.status_code == 422
    assert answer.json()["message"] == "Validation Failed"


async def test_since_keeps_items_updated_since_then(served: Served) -> None:
    name = busiest(served.world)
    since = served.clock.now() - timedelta(days=20)
    rows = await walk(
        served.client,
        f"/repos/{name}/issues?state=all&per_page=100&since={since:%Y-%m-%dT%H:%M:%SZ}",
        TOKEN,
    )
    assert rows
    assert all(row["updated_at"] >= f"{since:%Y-%m-%dT%H:%M:%SZ}" for row in rows)


async def test_a_304_costs_nothing_and_keeps_the_etag(served: Served) -> None:
    name = served.world.repos[0].full_name
    first = await served.client.get(f"/repos/{name}", headers=TOKEN)
    again = await served.client.get(
        f"/repos/{name}", headers={**TOKEN, "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["x-ratelimit-remaining"] == first.headers["x-ratelimit-remaining"]
    assert served.app.state.ledger.not_modified == 1


async def test_an_anonymous_304_still_counts(served: Served) -> None:
    name = served.world.repos[0].full_name
    first = await served.client.get(f"/repos/{name}")
    again = await served.client.get(
        f"/repos/{name}", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert (
        int(again.headers["x-ratelimit-remaining"])
        == int(first.headers["x-ratelimit-remaining"]) - 1
    )


async def test_the_etag_changes_when_the_repository_does(served: Served) -> None:
    name = served.world.repos[0].full_name
    first = await served.client.get(f"/repos/{name}", headers=TOKEN)
    served.clock.advance(timedelta(days=10))
    later = await served.client.get(
        f"/repos/{name}", headers={**TOKEN, "If-None-Match": first.headers["etag"]}
    )
    assert later.status_code == 200
    assert later.headers["etag"] != first.headers["etag"]


async def test_budgets_fall_per_request_and_reset_after_the_hour(served: Served) -> None:
    name = served.world.repos[0].full_name
    answers = [await served.client.get(f"/repos/{name}/pulls", headers=TOKEN) for _ in range(3)]
    assert [int(a.headers["x-ratelimit-remaining"]) for a in answers] == [4999, 4998, 4997]
    assert [int(a.headers["x-ratelimit-used"]) for a in answers] == [1, 2, 3]
    reset = int(answers[0].headers["x-ratelimit-reset"])
    assert reset == int((served.clock.now() + timedelta(hours=1)).timestamp())
    served.clock.set(datetime.fromtimestamp(reset, UTC))
    fresh = await served.client.get(f"/repos/{name}/pulls", headers=TOKEN)
    assert fresh.headers["x-ratelimit-remaining"] == "4999"
    other = await served.client.get("/rate_limit", headers={"Authorization": "token sim-token-2"})
    assert other.json()["resources"]["core"]["remaining"] == 5000


async def test_rate_limit_requests_are_free(served: Served) -> None:
    for _ in range(3):
        answer = await served.client.get("/rate_limit", headers=TOKEN)
    assert answer.json()["rate"]["used"] == 0


async def test_an_anonymous_caller_gets_60_then_the_documented_403(served: Served) -> None:
    name = served.world.repos[0].full_name
    for _ in range(60):
        answer = await served.client.get(f"/repos/{name}")
        assert answer.status_code == 200
    refused = await served.client.get(f"/repos/{name}")
    assert refused.status_code == 403
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert refused.headers["x-ratelimit-limit"] == "60"
    body = refused.json()
    assert set(body) == {"message", "documentation_url", "status"}
    assert body["message"].startswith("API rate limit exceeded for 127.0.0.1.")
    assert body["status"] == "403"
    assert served.app.state.ledger.rate_limited == 1


async def test_a_spent_token_is_refused_until_its_window_resets(world: World) -> None:
    from ossgrowth.clock import FixedClock
    from ossgrowth.simulator import SimulatorTransport, WorldConfig, build_world, create_app

    tiny = build_world(
        WorldConfig(
            repo_count=1, activity_scale=0.02, core_requests_per_hour=3, rate_limited_status=429
        )
    )
    clock = FixedClock(tiny.config.now)
    app = create_app(tiny, clock)
    async with httpx.AsyncClient(
        transport=SimulatorTransport(app), base_url="http://sim.test"
    ) as client:
        path = f"/repos/{tiny.repos[0].full_name}"
        statuses = [(await client.get(path, headers=TOKEN)).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = await client.get(path, headers=TOKEN)
        assert refused.json()["message"].startswith("API rate limit exceeded for user ID ")
        clock.advance(timedelta(hours=1))
        assert (await client.get(path, headers=TOKEN)).status_code == 200


async def test_since_2026_06_30_only_collaborators_list_stargazers(served: Served) -> None:
    repo = served.repo_where(collaborator="sim-token-1", stranger="sim-token-2")
    path = f"/repos/{repo.full_name}/stargazers"
    allowed = await served.client.get(path, headers=TOKEN)
    stranger = await served.client.get(path, headers={"Authorization": "Bearer sim-token-2"})
    anonymous = await served.client.get(path)
    assert allowed.status_code == 200
    assert stranger.status_code == 404
    assert stranger.json()["message"] == "Not Found"
    assert anonymous.status_code == 401
    count = await served.client.get(f"/repos/{repo.full_name}")
    assert (
        count.json()["stargazers_count"]
        == served.world.snapshot(repo.full_name, served.clock.now()).star_count
    )


async def test_before_the_restriction_anyone_lists_stargazers(world: World) -> None:
    from ossgrowth.clock import FixedClock
    from ossgrowth.simulator import SimulatorTransport, create_app

    repo = next(
        repo
        for repo in world.repos
        if repo.stars and repo.created_at < datetime(2026, 6, 1, tzinfo=UTC)
    )
    clock = FixedClock(datetime(2026, 6, 29, tzinfo=UTC))
    app = create_app(world, clock)
    async with httpx.AsyncClient(
        transport=SimulatorTransport(app), base_url="http://sim.test"
    ) as client:
        answer = await client.get(f"/repos/{repo.full_name}/stargazers")
        history = await client.get(f"/repos/{repo.full_name}/stargazers/history")
    assert answer.status_code == 200
    assert history.status_code == 404  # the history endpoint arrived on 2026-09-04


async def test_a_collaborator_walks_every_stargazer_oldest_first(served: Served) -> None:
    repo = served.repo_where(collaborator="sim-token-1")
    rows = await walk(
        served.client,
        f"/repos/{repo.full_name}/stargazers?per_page=13",
        {**TOKEN, "Accept": "application/vnd.github.v3.star+json"},
    )
    assert len(rows) == served.world.snapshot(repo.full_name, served.clock.now()).star_count
    moments = [row["starred_at"] for row in rows]
    assert moments == sorted(moments)


async def test_history_totals_equal_the_stars_still_held(served: Served) -> None:
    repo = max(served.world.repos, key=lambda repo: len(repo.stars))
    rows = await walk(served.client, f"/repos/{repo.full_name}/stargazers/history?per_page=30", {})
    now = served.clock.now()
    assert (
        sum(row["total"] for row in rows) == served.world.snapshot(repo.full_name, now).star_count
    )
    assert all(sum(row["days"]) == row["total"] for row in rows)
    weeks = [row["week"] for row in rows]
    assert weeks == sorted(weeks, reverse=True)
    assert all(
        later - earlier == 7 * 86_400 for later, earlier in zip(weeks, weeks[1:], strict=False)
    )
    sunday = week_start(repo.created_at.date())
    assert weeks[-1] == int(datetime(sunday.year, sunday.month, sunday.day, tzinfo=UTC).timestamp())


async def test_an_unstar_lowers_the_week_the_star_was_given(served: Served) -> None:
    repo, star = next(
        (repo, star)
        for repo in served.world.repos
        for star in repo.stars
        if star.unstarred_at is not None
        and star.unstarred_at > datetime(2026, 9, 5, tzinfo=UTC)
        and star.unstarred_at - star.starred_at > timedelta(days=8)
    )
    assert star.unstarred_at is not None
    week = week_start(star.starred_at.date())
    epoch = int(datetime(week.year, week.month, week.day, tzinfo=UTC).timestamp())
    path = f"/repos/{repo.full_name}/stargazers/history?per_page=30"
    async with client_at(served, star.unstarred_at - timedelta(seconds=1)) as client:
        before = await walk(client, path, {})
    async with client_at(served, star.unstarred_at) as client:
        after = await walk(client, path, {})
    total_before = next(row["total"] for row in before if row["week"] == epoch)
    total_after = next(row["total"] for row in after if row["week"] == epoch)
    assert total_after == total_before - 1


async def test_history_pages_stop_at_100_and_30_weeks(served: Served) -> None:
    repo = served.world.repos[0]
    wide = await served.client.get(f"/repos/{repo.full_name}/stargazers/history?per_page=100")
    assert len(wide.json()) == 30
    deep = await served.client.get(f"/repos/{repo.full_name}/stargazers/history?page=101")
    assert deep.status_code == 422
    assert "pagination is limited" in deep.json()["message"]


async def test_repository_counts_follow_the_clock(served: Served) -> None:
    repo = served.world.repos[0]
    for days in (0, 5, 20):
        served.clock.set(served.world.config.now + timedelta(days=days))
        body = (await served.client.get(f"/repos/{repo.full_name}", headers=TOKEN)).json()
        truth = served.world.snapshot(repo.full_name, served.clock.now())
        assert body["stargazers_count"] == truth.star_count
        assert body["open_issues_count"] == truth.open_issues + truth.open_prs


async def test_a_repository_not_yet_created_is_not_found(served: Served) -> None:
    repo = max(served.world.repos, key=lambda repo: repo.created_at)
    async with client_at(served, repo.created_at - timedelta(days=1)) as client:
        answer = await client.get(f"/repos/{repo.full_name}", headers=TOKEN)
    assert answer.status_code == 404


def client_at(served: Served, moment: datetime) -> httpx.AsyncClient:
    """A client on a fresh app of the same world whose clock stands at ``moment``."""
    from ossgrowth.clock import FixedClock
    from ossgrowth.simulator import SimulatorTransport, create_app

    app = create_app(served.world, FixedClock(moment))
    return httpx.AsyncClient(transport=SimulatorTransport(app), base_url="http://sim.test")


async def test_the_ledger_counts_requests_by_endpoint_and_token(served: Served) -> None:
    name = served.world.repos[0].full_name
    await served.client.get(f"/repos/{name}", headers=TOKEN)
    await served.client.get(f"/repos/{name}/issues", headers=TOKEN)
    await served.client.get(f"/repos/{name}/issues")
    snapshot = served.app.state.ledger.snapshot()
    assert snapshot.requests == 3
    assert snapshot.by_token == {"sim-token-1": 2, "anonymous": 1}
    assert snapshot.by_endpoint["GET /repos/{owner}/{repo}/issues"] == 2


def test_item_states_cover_the_graphql_enum() -> None:
    assert {state.value for state in ItemState} == {"OPEN", "CLOSED", "MERGED"}
