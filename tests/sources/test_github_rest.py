"""The REST client: exact counts, renames, conditional requests, star history, stargazers."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.errors import InputError, NotFound, SourceError
from ossgrowth.model import RepoName
from ossgrowth.sources import (
    GitHubRest,
    MemoryEtagCache,
    Replay,
    Resource,
    RetryPolicy,
    StargazersHidden,
    TokenPool,
    load_recording,
)
from ossgrowth.sources.tokens import Grant
from ossgrowth.sources.urls import last_page

pytestmark = pytest.mark.anyio

API = "https://api.github.com"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "sources"


def rest(replay: Replay, clock: FixedClock, retry: RetryPolicy, **options: object) -> GitHubRest:
    tokens = TokenPool(["token"], clock=clock)
    return GitHubRest(
        API, clock=clock, tokens=tokens, transport=replay.transport, retry=retry, **options
    )  # type: ignore[arg-type]


def link_to_last(path: str, page: int) -> dict[str, str]:
    return {
        "link": f'<{API}{path}?per_page=1&page=2>; rel="next", '
        f'<{API}{path}?per_page=1&page={page}>; rel="last"'
    }


async def test_a_recorded_2026_repository_is_parsed(
    clock: FixedClock, retry: RetryPolicy, recorded: Callable[..., Replay]
) -> None:
    replay = recorded("github/rest/unsung-repo-2026.json")

    async with rest(replay, clock, retry) as github:
        info = await github.repository(RepoName("zaghaghi", "toolog"))

    assert info.full_name == RepoName("zaghaghi", "toolog")
    assert (info.id, info.node_id) == (1357430874, "R_kgDOUOjAWg")
    assert info.star_count == 5
    assert (info.forks, info.watchers) == (0, 0)


@pytest.mark.parametrize(
    ("fixture", "repo", "counts"),
    [
        (  # recorded: stargazers_count = watchers_count = 2256, forks_count 765, subscribers 86
            "github/rest/pygithub-Retry.testReturnsRepoAfter1Retry.json",
            RepoName("PyGithub", "PyGithub"),
            (2256, 765, 86),
        ),
        (  # recorded after a move: 5 stars (watchers_count 5), 21 forks, 7 subscribers
            "github/rest/pygithub-Repository.testGetRepositoryWith301Redirect.json",
            RepoName("protoncoin", "protoncoin"),
            (5, 21, 7),
        ),
    ],
)
async def test_forks_and_watchers_are_forks_count_and_subscribers_count_not_watchers_count(
    clock: FixedClock,
    retry: RetryPolicy,
    recorded: Callable[..., Replay],
    fixture: str,
    repo: RepoName,
    counts: tuple[int, int, int],
) -> None:
    replay = recorded(fixture)

    async with rest(replay, clock, retry) as github:
        info = await github.repository(repo)

    assert (info.star_count, info.forks, info.watchers) == counts


@pytest.mark.parametrize(
    ("fixture", "repo"),
    [
        ("github/rest/unsung-not-found.json", RepoName("unsung-fixtures", "no-such-repository")),
        ("github/rest/pygithub-Exceptions.testUnknownObject.json", RepoName("jacquev6", "Xxx")),
    ],
)
async def test_a_recorded_404_raises_not_found(
    clock: FixedClock,
    retry: RetryPolicy,
    recorded: Callable[..., Replay],
    fixture: str,
    repo: RepoName,
) -> None:
    replay = recorded(fixture)

    async with rest(replay, clock, retry) as github:
        with pytest.raises(NotFound, match=f"GitHub has no repository {repo}"):
            await github.repository(repo)


@pytest.mark.parametrize(
    ("fixture", "asked", "now_named"),
    [
        (
            "github/rest/pygithub-Repository.testGetRepositoryWith301Redirect.json",
            RepoName("protoncoin", "protoncoin"),
            RepoName("padima2", "protoncoin"),
        ),
        (
            "github/rest/octokit-rename-repository.normalized-fixture.json",
            RepoName("octokit-fixture-org", "rename-repository"),
            RepoName("octokit-fixture-org", "rename-repository-newname"),
        ),
    ],
)
async def test_a_recorded_move_is_followed_and_reports_the_new_name(
    clock: FixedClock,
    retry: RetryPolicy,
    recorded: Callable[..., Replay],
    fixture: str,
    asked: RepoName,
    now_named: RepoName,
) -> None:
    replay = recorded(fixture)

    async with rest(replay, clock, retry) as github:
        info = await github.repository(asked)

    assert (info.repo, info.full_name) == (asked, now_named)
    assert replay.requests[-1].url.path.startswith("/repositories/")


async def test_a_move_to_another_host_is_not_followed_with_the_token(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    replay = Replay().answer(
        "GET",
        "/repos/o/r",
        301,
        {"message": "Moved Permanently"},
        {"location": "https://elsewhere.example/repositories/1"},
    )

    async with rest(replay, clock, retry) as github:
        with pytest.raises(SourceError, match="another host"):
            await github.repository(RepoName("o", "r"))


async def test_a_recorded_server_error_is_retried_for_the_repository(
    clock: FixedClock, retry: RetryPolicy, recorded: Callable[..., Replay]
) -> None:
    replay = recorded("github/rest/pygithub-Retry.testReturnsRepoAfter1Retry.json")

    async with rest(replay, clock, retry) as github:
        info = await github.repository(RepoName("PyGithub", "PyGithub"))

    assert info.full_name == RepoName("PyGithub", "PyGithub")
    assert len(replay.requests) == 2


def snapshot_server(replay: Replay, closed_prs: int = 150) -> Replay:
    """A repository with 12 open issues+PRs, 5 open PRs, ``closed_prs`` and 300 closed items."""
    replay.answer(
        "GET",
        "/repos/o/r",
        200,
        {
            "id": 7,
            "node_id": "R_7",
            "full_name": "o/r",
            "stargazers_count": 50,
            "watchers_count": 50,
            "forks_count": 9,
            "open_issues_count": 12,
            "subscribers_count": 4,
        },
    )
    replay.answer("GET", "/repos/o/r/pulls", 200, [{}], link_to_last("/repos/o/r/pulls", 5))
    replay.answer(
        "GET", "/repos/o/r/pulls", 200, [{}], link_to_last("/repos/o/r/pulls", closed_prs)
    )
    replay.answer("GET", "/repos/o/r/issues", 200, [{}], link_to_last("/repos/o/r/issues", 300))
    return replay


async def test_a_snapshot_derives_issue_and_pr_counts_from_exact_totals(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    # more than 100 closed PRs: the merged count is GitHub's recorded search answer (2)
    search = load_recording(FIXTURES / "github/rest/octokit-search-issues.normalized-fixture.json")
    replay = snapshot_server(Replay(search), closed_prs=150)

    async with rest(replay, clock, retry) as github:
        snapshot = await github.snapshot(RepoName("o", "r"))

    assert snapshot.star_count == 50
    assert (snapshot.forks, snapshot.watchers) == (9, 4)  # from the repository answer
    assert snapshot.open_prs == 5
    assert snapshot.open_issues == 12 - 5
    assert snapshot.closed_issues == 300 - 150
    assert snapshot.merged_prs == 2
    assert snapshot.closed_prs == 150 - 2
    assert snapshot.node_id == "R_7" and not snapshot.renamed
    asked = [(request.url.path, dict(request.url.params)) for request in replay.requests]
    assert asked == [
        ("/repos/o/r", {}),
        ("/repos/o/r/pulls", {"state": "open", "per_page": "1"}),
        ("/repos/o/r/pulls", {"state": "closed", "per_page": "1"}),
        ("/repos/o/r/issues", {"state": "closed", "per_page": "1"}),
        ("/search/issues", {"q": "repo:o/r is:pr is:merged", "per_page": "1"}),
    ]


async def test_up_to_a_hundred_closed_prs_are_counted_from_one_page_not_search(
    clock: FixedClock, retry: RetryPolicy, recorded: Callable[..., Replay]
) -> None:
    # GitHub's recorded closed PRs: three, each with merged_at set
    closed = load_recording(
        FIXTURES / "github/rest/pygithub-Repository.testGetPullsWithArguments.json"
    )
    replay = snapshot_server(Replay(), closed_prs=3)
    replay.answer("GET", "/repos/o/r/pulls", 200, json.loads(closed[-1].body))

    async with rest(replay, clock, retry) as github:
        snapshot = await github.snapshot(RepoName("o", "r"))

    assert (snapshot.merged_prs, snapshot.closed_prs) == (3, 0)
    assert dict(replay.requests[-1].url.params) == {"state": "closed", "per_page": "100"}
    assert all(request.url.path != "/search/issues" for request in replay.requests)


async def test_without_issue_search_every_closed_page_is_walked(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    replay = snapshot_server(Replay(), closed_prs=150)
    replay.answer("GET", "/search/issues", 404, {"message": "Not Found"})
    page_two = {
        "link": f'<{API}/repositories/7/pulls?state=closed&per_page=100&page=2>; rel="next"'
    }
    replay.answer(
        "GET", "/repos/o/r/pulls", 200, [{"merged_at": "2026-01-01T00:00:00Z"}] * 100, page_two
    )
    replay.answer(
        "GET",
        "/repositories/7/pulls",
        200,
        [{"merged_at": None}] * 10 + [{"merged_at": "2026-01-02T00:00:00Z"}] * 40,
    )

    async with rest(replay, clock, retry) as github:
        snapshot = await github.snapshot(RepoName("o", "r"))

    assert (snapshot.merged_prs, snapshot.closed_prs) == (140, 10)
    assert replay.unused == 0


@pytest.mark.parametrize(("items", "count"), [([], 0), ([{"number": 1}], 1)])
async def test_without_a_link_header_the_count_is_the_body_length(
    clock: FixedClock, retry: RetryPolicy, items: list[object], count: int
) -> None:
    replay = Replay()
    replay.answer(
        "GET",
        "/repos/o/r",
        200,
        {
            "id": 7,
            "node_id": "R_7",
            "full_name": "o/r",
            "stargazers_count": 0,
            "forks_count": 0,
            "open_issues_count": count,
            "subscribers_count": 1,
        },
    )
    for path in ("/repos/o/r/pulls", "/repos/o/r/pulls", "/repos/o/r/issues", "/repos/o/r/pulls"):
        replay.answer("GET", path, 200, items)

    async with rest(replay, clock, retry) as github:
        snapshot = await github.snapshot(RepoName("o", "r"))

    assert snapshot.open_prs == count
    assert replay.unused == (1 if count == 0 else 0)  # nothing closed: merged is 0 unasked


def test_the_last_page_of_recorded_link_headers_is_the_count() -> None:
    exchanges = load_recording(
        FIXTURES
        / "github/rest/pygithub-Issue945.testReservedPaginatedListAttributePreservation.json"
    )
    links = [dict(exchange.headers)["link"] for exchange in exchanges]

    assert [last_page(link) for link in links] == [30, 216]
    assert last_page(None) is None


async def test_an_unchanged_answer_comes_from_the_etag_cache_at_no_cost(
    clock: FixedClock, retry: RetryPolicy, recorded: Callable[..., Replay]
) -> None:
    replay = recorded("github/rest/unsung-repo-2026.json")
    etag = dict(load_recording(FIXTURES / "github/rest/unsung-repo-2026.json")[0].headers)["etag"]
    replay.answer(
        "GET",
        "/repos/zaghaghi/toolog",
        304,
        None,
        {
            "x-ratelimit-remaining": "4916",
            "x-ratelimit-reset": "1789141681",
            "x-ratelimit-limit": "5000",
            "x-ratelimit-resource": "core",
        },
    )
    cache = MemoryEtagCache()
    tokens = TokenPool(["token"], clock=clock)
    github = GitHubRest(
        API, clock=clock, tokens=tokens, transport=replay.transport, retry=retry, etags=cache
    )

    first = await github.repository(RepoName("zaghaghi", "toolog"))
    second = await github.repository(RepoName("zaghaghi", "toolog"))
    await github.aclose()

    assert first == second
    assert "if-none-match" not in replay.requests[0].headers
    assert replay.requests[1].headers["if-none-match"] == etag
    assert len(cache) == 1
    budget = tokens.budget(Grant(1), Resource.CORE)
    assert budget.remaining == 4916  # as GitHub said after the 200: the 304 spent nothing


async def test_snapshots_of_many_repositories_fail_one_by_one(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    replay = snapshot_server(Replay())
    replay.answer("GET", "/search/issues", 200, {"total_count": 3, "incomplete_results": False})
    replay.answer("GET", "/repos/o/gone", 404, {"message": "Not Found"})

    async with rest(replay, clock, retry, concurrency=1) as github:
        batch = await github.snapshots(
            [RepoName("o", "r"), RepoName("o", "gone"), RepoName("O", "R")]
        )

    assert [snapshot.repo for snapshot in batch.snapshots] == [RepoName("o", "r")]
    (failure,) = batch.failures
    assert failure.subject == RepoName("o", "gone") and failure.kind == "NOT_FOUND"
    assert batch.requests_sent == 6


async def test_recorded_star_history_is_parsed_newest_week_first(
    clock: FixedClock, retry: RetryPolicy, recorded: Callable[..., Replay]
) -> None:
    replay = recorded("github/stargazers-history/unsung-stargazers-history.json")

    async with rest(replay, clock, retry) as github:
        weeks = await github.stargazer_history(RepoName("zaghaghi", "toolog"), per_page=8)

    assert [week.total for week in weeks] == [5, 0]
    assert weeks[0].week_start == datetime(2026, 9, 6, tzinfo=UTC)
    assert weeks[0].daily == (3, 1, 0, 0, 1, 0, 0)
    assert weeks[0].days[0][0].isoformat() == "2026-09-06"
    (request,) = replay.requests
    assert request.headers["x-github-api-version"] == "2026-03-10"
    assert dict(request.url.params) == {"per_page": "8", "page": "1"}


async def test_a_full_page_of_history_asks_for_the_next_until_a_short_page(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    path = FIXTURES / "github/stargazers-history/labbook-history_prism_insight.json"
    rows = json.loads(path.read_text())
    replay = Replay()
    replay.answer("GET", "/repos/dragon1086/prism-insight/stargazers/history", 200, rows)
    replay.answer("GET", "/repos/dragon1086/prism-insight/stargazers/history", 200, [])

    async with rest(replay, clock, retry) as github:
        weeks = await github.stargazer_history(RepoName("dragon1086", "prism-insight"), pages=5)

    assert len(weeks) == 30 and len(replay.requests) == 2
    assert all(sum(week.daily) == week.total for week in weeks)
    assert weeks[0].week_start > weeks[-1].week_start


@pytest.mark.parametrize(("pages", "per_page"), [(0, 30), (101, 30), (1, 0), (1, 31)])
async def test_history_bounds_are_refused_before_any_request(
    clock: FixedClock, retry: RetryPolicy, pages: int, per_page: int
) -> None:
    replay = Replay()

    async with rest(replay, clock, retry) as github:
        with pytest.raises(InputError):
            await github.stargazer_history(RepoName("o", "r"), pages=pages, per_page=per_page)

    assert replay.requests == []


async def test_recorded_stargazers_come_with_their_star_times(
    clock: FixedClock, retry: RetryPolicy, recorded: Callable[..., Replay]
) -> None:
    replay = recorded("github/rest/pygithub-Repository.testGetStargazersWithDates.json")

    async with rest(replay, clock, retry) as github:
        stars = await github.stargazers(RepoName("danvk", "comparea"))

    assert len(stars) == 6
    assert stars[0].login == "sAlexander"
    assert stars[0].starred_at == datetime(2014, 8, 13, 19, 22, 5, tzinfo=UTC)
    assert replay.requests[0].headers["accept"] == "application/vnd.github.star+json"


async def test_a_hidden_stargazer_list_says_why(clock: FixedClock, retry: RetryPolicy) -> None:
    replay = Replay().answer("GET", "/repos/o/r/stargazers", 404, {"message": "Not Found"})

    async with rest(replay, clock, retry) as github:
        with pytest.raises(StargazersHidden, match="2026 rule"):
            await github.stargazers(RepoName("o", "r"))


async def test_enterprise_server_paths_sit_under_its_api_prefix(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    replay = Replay(prefix="/api/v3")
    replay.answer(
        "GET",
        "/repos/o/r",
        200,
        {
            "id": 7,
            "node_id": "R_7",
            "full_name": "o/r",
            "stargazers_count": 1,
            "forks_count": 0,
            "open_issues_count": 0,
            "subscribers_count": 1,
        },
    )

    async with GitHubRest(
        "https://ghe.example/api/v3", clock=clock, transport=replay.transport, retry=retry
    ) as github:
        info = await github.repository(RepoName("o", "r"))

    assert info.star_count == 1
    assert str(replay.requests[0].url) == "https://ghe.example/api/v3/repos/o/r"
