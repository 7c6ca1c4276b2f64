"""Every source client, against recorded real answers and against the simulator: same contract.

Each test runs once per upstream:

- ``recorded``: real recorded GitHub answers (PyGithub replay data, octokit fixtures, 2026
  recordings; see tests/fixtures/sources/README.md), npm's and PyPI stats' documented
  examples, replayed by :class:`~ossgrowth.sources.Replay`. No recording exists of the aliased
  GraphQL snapshot query, so that answer is reassembled from recorded parts (the values of
  zaghaghi/toolog from its 2026 REST and GraphQL recordings, GitHub's recorded NOT_FOUND error
  entry), and said so below.
- ``simulator``: the simulated world served in-process through ``httpx.ASGITransport``; there
  every value is also compared with the world's ground truth.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.errors import NotFound
from ossgrowth.model import Ecosystem, PackageRef, RepoName
from ossgrowth.simulator import World, WorldConfig, build_world, create_app
from ossgrowth.sources import (
    GitHubGraphQL,
    GitHubRest,
    NpmDownloads,
    PyPIStats,
    Replay,
    RetryPolicy,
    StargazersHidden,
    TokenPool,
    clock_sleeper,
    load_recording,
)

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).parent.parent / "fixtures" / "sources"
RECORDED_GITHUB = (
    "github/rest/unsung-repo-2026.json",
    "github/rest/unsung-not-found.json",
    "github/rest/pygithub-Repository.testGetRepositoryWith301Redirect.json",
    "github/rest/pygithub-Repository.testGetStargazersWithDates.json",
    "github/stargazers-history/unsung-stargazers-history.json",
)
SIMULATED_WORLD = WorldConfig(seed=5, repo_count=12, activity_scale=0.1, rename_share=0.3)
RECORDED_MOVED_REACH = (21, 7)
"""padima2/protoncoin as recorded: ``forks_count`` 21, ``subscribers_count`` 7 (its
``watchers_count``, 5, is its star count)."""


@dataclass
class Upstream:
    """One upstream (recorded or simulated) and what the contract tests ask of it."""

    name: str
    clock: FixedClock
    make_transport: Callable[[], httpx.AsyncBaseTransport]
    tokens: tuple[str, ...]
    repo: RepoName
    missing_repo: RepoName
    moved_repo: tuple[RepoName, RepoName]
    """A repository's old name and its current one."""
    stargazers_repo: RepoName
    npm_package: PackageRef
    npm_period: str
    pypi_package: PackageRef
    world: World | None = None
    graphql_answer: dict[str, object] | None = field(default=None, repr=False)

    @property
    def retry(self) -> RetryPolicy:
        return RetryPolicy(sleep=clock_sleeper(self.clock), seed=1)

    def pool(self, *tokens: str) -> TokenPool:
        return TokenPool(list(tokens or self.tokens), clock=self.clock)

    def rest(self, *tokens: str) -> GitHubRest:
        return GitHubRest(
            "https://api.github.com",
            clock=self.clock,
            tokens=self.pool(*tokens),
            transport=self.make_transport(),
            retry=self.retry,
        )

    def graphql(self) -> GitHubGraphQL:
        return GitHubGraphQL(
            "https://api.github.com/graphql",
            clock=self.clock,
            tokens=self.pool(),
            transport=self.make_transport(),
            retry=self.retry,
        )

    def npm(self) -> NpmDownloads:
        base = "https://api.github.com/npm" if self.world else "https://npm.example"
        return NpmDownloads(
            base, clock=self.clock, transport=self.make_transport(), retry=self.retry
        )

    def pypi(self) -> PyPIStats:
        base = "https://api.github.com/pypistats" if self.world else "https://pypistats.example"
        return PyPIStats(base, clock=self.clock, transport=self.make_transport(), retry=self.retry)


def recorded_upstream() -> Upstream:
    clock = FixedClock(datetime.fromisoformat("2026-09-11T15:30:00+00:00"))
    exchanges = [
        exchange for name in RECORDED_GITHUB for exchange in load_recording(FIXTURES / name)
    ]
    for name in ("npm/documented-point.json", "npm/documented-range.json"):
        exchanges.extend(load_recording(FIXTURES / name))
    pypi = json.loads((FIXTURES / "pypi/pypistats-docs-recent.example.json").read_text())
    overall = json.loads((FIXTURES / "pypi/pypistats-docs-overall.example.json").read_text())
    graphql = _reassembled_graphql_answer()

    def make_transport() -> httpx.AsyncBaseTransport:
        replay = Replay(exchanges)
        replay.answer("POST", "/graphql", 200, graphql)
        replay.answer("GET", "/api/packages/package-name/recent", 200, pypi)
        replay.answer("GET", "/api/packages/package-name/overall", 200, overall)
        return replay.transport

    return Upstream(
        name="recorded",
        clock=clock,
        make_transport=make_transport,
        tokens=("recorded-token",),
        repo=RepoName("zaghaghi", "toolog"),
        missing_repo=RepoName("unsung-fixtures", "no-such-repository"),
        moved_repo=(RepoName("protoncoin", "protoncoin"), RepoName("padima2", "protoncoin")),
        stargazers_repo=RepoName("danvk", "comparea"),
        npm_package=PackageRef(Ecosystem.NPM, "jquery"),
        npm_period="2023-01-01:2023-01-31",
        pypi_package=PackageRef(Ecosystem.PYPI, "package-name"),
        graphql_answer=graphql,
    )


def _reassembled_graphql_answer() -> dict[str, object]:
    """Recorded parts in the shape of the snapshot query's answer (no whole recording exists).

    zaghaghi/toolog: id, name and stars as recorded on 2026-09-11 (REST and GraphQL agree: 5
    stars, R_kgDOUOjAWg); ``forkCount`` as its GraphQL recording says (0, as REST's
    ``forks_count``); watchers are REST's ``subscribers_count`` (0); the issue and PR counts
    are 0, as its REST recording's ``open_issues_count`` says for open items. The missing
    repository carries GitHub's recorded NOT_FOUND error entry, with its path moved to the
    alias.
    """
    (repo,) = load_recording(FIXTURES / "github/rest/unsung-repo-2026.json")
    body = json.loads(repo.body)
    node_answer = json.loads(load_recording(FIXTURES / "github/graphql/unsung-exists.json")[0].body)
    (error,) = node_answer["errors"]
    (node,) = [n for n in node_answer["data"]["nodes"] if n and n["id"] == body["node_id"]]
    zero = {"totalCount": 0}
    return {
        "data": {
            "rateLimit": node_answer["data"]["rateLimit"],
            "r0": {
                "id": body["node_id"],
                "nameWithOwner": body["full_name"],
                "stargazerCount": body["stargazers_count"],
                "forkCount": node["forkCount"],
                "watchers": {"totalCount": body["subscribers_count"]},
                "openIssues": zero,
                "closedIssues": zero,
                "openPrs": zero,
                "mergedPrs": zero,
                "closedPrs": zero,
            },
            "r1": None,
        },
        "errors": [{**error, "path": ["r1"]}],
    }


def simulated_upstream(world: World) -> Upstream:
    clock = FixedClock(world.config.now)
    moved = next(repo for repo in world.repos if repo.previous_names)
    listed = next(repo for repo in world.repos if repo.stars)
    npm_package = next(
        package for package in world.packages() if package.ecosystem is Ecosystem.NPM
    )
    pypi_package = next(
        package for package in world.packages() if package.ecosystem is Ecosystem.PYPI
    )

    def make_transport() -> httpx.AsyncBaseTransport:
        return httpx.ASGITransport(app=create_app(world, clock))

    return Upstream(
        name="simulator",
        clock=clock,
        make_transport=make_transport,
        tokens=world.config.tokens,
        repo=RepoName(*world.repos[0].full_name.split("/")),
        missing_repo=RepoName("nobody-here", "no-such-repository"),
        moved_repo=(
            RepoName(*moved.previous_names[0].split("/")),
            RepoName(*moved.full_name.split("/")),
        ),
        stargazers_repo=RepoName(*listed.full_name.split("/")),
        npm_package=PackageRef(Ecosystem.NPM, npm_package.name),
        npm_period="last-week",
        pypi_package=PackageRef(Ecosystem.PYPI, pypi_package.name),
        world=world,
    )


@pytest.fixture(scope="module")
def simulated_world() -> World:
    return build_world(SIMULATED_WORLD)


@pytest.fixture(params=["recorded", "simulator"])
def upstream(request: pytest.FixtureRequest) -> Upstream:
    if request.param == "recorded":
        return recorded_upstream()
    return simulated_upstream(request.getfixturevalue("simulated_world"))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_a_repository_is_named_and_counted(upstream: Upstream) -> None:
    async with upstream.rest() as github:
        info = await github.repository(upstream.repo)

    assert info.full_name.key == upstream.repo.key
    assert info.node_id and info.id > 0
    assert info.star_count >= 0 and info.open_issues_and_prs >= 0
    assert info.forks >= 0 and info.watchers >= 0
    if upstream.world is not None:
        truth = upstream.world.snapshot(upstream.repo.full_name, upstream.clock.now())
        assert info.star_count == truth.star_count
        assert info.open_issues_and_prs == truth.open_issues + truth.open_prs
        assert (info.forks, info.watchers) == (truth.forks, truth.watchers)


async def test_a_missing_repository_is_not_found(upstream: Upstream) -> None:
    async with upstream.rest() as github:
        with pytest.raises(NotFound):
            await github.repository(upstream.missing_repo)


async def test_a_moved_repository_reports_its_current_name(upstream: Upstream) -> None:
    old, current = upstream.moved_repo

    async with upstream.rest() as github:
        info = await github.repository(old)

    assert info.repo == old
    assert info.full_name.key == current.key
    if upstream.world is not None:
        truth = upstream.world.snapshot(current.full_name, upstream.clock.now())
        assert (info.forks, info.watchers) == (truth.forks, truth.watchers)
    else:
        assert (info.forks, info.watchers) == RECORDED_MOVED_REACH


async def test_star_history_is_weekly_newest_first_and_adds_up(upstream: Upstream) -> None:
    async with upstream.rest() as github:
        weeks = await github.stargazer_history(upstream.repo, per_page=8)

    assert weeks
    for week in weeks:
        assert sum(week.daily) == week.total
        assert week.week_start.weekday() == 6 and week.week_start.hour == 0  # Sunday, 00:00
    starts = [week.week_start for week in weeks]
    assert all(
        newer - older == timedelta(days=7) for newer, older in zip(starts, starts[1:], strict=False)
    )
    if upstream.world is not None:
        truth = upstream.world.snapshot(upstream.repo.full_name, upstream.clock.now())
        assert sum(week.total for week in weeks) <= truth.star_count


async def test_the_stargazer_list_has_star_times_or_says_it_is_hidden(upstream: Upstream) -> None:
    repo = upstream.stargazers_repo
    if upstream.world is not None:
        outsiders = set(upstream.tokens) - upstream.world.collaborator_tokens(repo.full_name)
        async with upstream.rest(*sorted(outsiders)) as github:
            with pytest.raises(StargazersHidden):
                await github.stargazers(repo)
        allowed = sorted(upstream.world.collaborator_tokens(repo.full_name))
    else:
        allowed = list(upstream.tokens)  # recorded before the 2026 rule

    async with upstream.rest(*allowed) as github:
        stars = await github.stargazers(repo)

    assert stars and all(star.login for star in stars)
    times = [star.starred_at for star in stars]
    assert times == sorted(times)
    if upstream.world is not None:
        truth = upstream.world.snapshot(repo.full_name, upstream.clock.now())
        assert len(stars) == truth.star_count


async def test_graphql_snapshots_each_repository_once_and_fails_the_missing_alone(
    upstream: Upstream,
) -> None:
    asked = [upstream.repo, upstream.missing_repo, upstream.repo]

    async with upstream.graphql() as github:
        batch = await github.snapshots(asked)

    (snapshot,) = batch.snapshots
    (failure,) = batch.failures
    assert snapshot.repo == upstream.repo and failure.subject == upstream.missing_repo
    assert failure.kind == "NOT_FOUND"
    counts = (
        snapshot.star_count,
        snapshot.open_issues,
        snapshot.closed_issues,
        snapshot.open_prs,
        snapshot.merged_prs,
        snapshot.closed_prs,
        snapshot.forks,
        snapshot.watchers,
    )
    assert min(counts) >= 0 and snapshot.node_id
    assert batch.requests_sent == 1 and (batch.points_spent or 0) >= 1
    if upstream.world is not None:
        truth = upstream.world.snapshot(upstream.repo.full_name, upstream.clock.now())
        assert counts == (
            truth.star_count,
            truth.open_issues,
            truth.closed_issues,
            truth.open_prs,
            truth.merged_prs,
            truth.closed_prs,
            truth.forks,
            truth.watchers,
        )


async def test_npm_counts_cover_their_period(upstream: Upstream) -> None:
    async with upstream.npm() as npm:
        batch = await npm.downloads([upstream.npm_package], upstream.npm_period)

    (count,) = batch.counts
    assert count.downloads >= 0 and count.start is not None and count.end is not None
    assert count.start <= count.end
    if upstream.world is not None:
        assert (count.end - count.start).days == 6
        daily = dict(upstream.world.npm_daily(upstream.npm_package.name))
        expected = sum(daily.get(count.start + timedelta(days=n), 0) for n in range(7))
        assert count.downloads == expected


async def test_npm_daily_ranges_are_in_day_order(upstream: Upstream) -> None:
    end = date(2023, 3, 4) if upstream.world is None else upstream.clock.now().date()
    start = end - timedelta(days=7)
    package = upstream.npm_package if upstream.world else PackageRef(Ecosystem.NPM, "somepackage")

    async with upstream.npm() as npm:
        span = await npm.daily(package, start, end)

    days = [day.day for day in span.days]
    assert days == sorted(set(days)) and all(start <= day <= end for day in days)
    assert span.total == sum(day.downloads for day in span.days)


async def test_pypi_recent_and_daily_window(upstream: Upstream) -> None:
    async with upstream.pypi() as pypi:
        recent = await pypi.recent(upstream.pypi_package)
        span = await pypi.daily(upstream.pypi_package)

    assert recent.downloads >= 0
    days = [day.day for day in span.days]
    assert days and days == sorted(set(days)) and len(days) <= 180
    if upstream.world is not None:
        truth = dict(upstream.world.pypi_daily(upstream.pypi_package.name))
        assert all(truth.get(day.day, 0) == day.downloads for day in span.days)
