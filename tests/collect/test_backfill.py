"""A backfill against the simulated world stores the history its daily snapshots recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ossgrowth.checkpoints import BackfillStatus
from ossgrowth.clock import FixedClock
from ossgrowth.collect import (
    HistorySources,
    StarMethod,
    build_history_sources,
    enqueue_backfill,
    run_backfill,
)
from ossgrowth.config import load_settings
from ossgrowth.errors import SourceError
from ossgrowth.metrics.history import ItemTimes, issue_history, pull_request_history
from ossgrowth.model import Ecosystem, Family, PackageRef, Provenance, RepoName, to_epoch_seconds
from ossgrowth.simulator import (
    SimRepo,
    SimulatorTransport,
    World,
    WorldConfig,
    build_world,
    create_app,
)
from ossgrowth.sources import RetryPolicy, clock_sleeper
from ossgrowth.store import SqlStore

pytestmark = pytest.mark.anyio
ORIGIN = "http://simulator"


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(WorldConfig(seed=3, repo_count=6, activity_scale=0.1))


def track(store: SqlStore, world: World, repos: list[SimRepo] | None = None) -> None:
    for repo in repos or world.repos:
        packages = [PackageRef(package.ecosystem, package.name) for package in repo.packages]
        store.add_subject(RepoName(repo.owner, repo.name), packages, added_at=world.config.now)


def sources(
    world: World,
    clock: FixedClock,
    *,
    tokens: str | None = "sim-token-1",
    transport: httpx.AsyncBaseTransport | None = None,
    star_method: StarMethod = StarMethod.AUTO,
) -> HistorySources:
    settings = load_settings(
        github_api_url=ORIGIN,
        github_tokens=tokens,
        npm_downloads_url=f"{ORIGIN}/npm",
        pypistats_url=f"{ORIGIN}/pypistats",
    )
    return build_history_sources(
        settings,
        clock,
        transport=transport or SimulatorTransport(create_app(world, clock)),
        retry=RetryPolicy(sleep=clock_sleeper(clock), seed=1),
        star_method=star_method,
    )


def hidden_from(repo: SimRepo, now: datetime) -> datetime:
    """The first moment at which today's API answers no longer tell the whole story."""
    moments = [
        item.closures[0].closed_at
        for item in repo.items
        if any(c.reopened_at is not None and c.reopened_at <= now for c in item.closures)
    ]
    moments += [s.starred_at for s in repo.stars if s.unstarred_at and s.unstarred_at <= now]
    return min(moments, default=datetime.max.replace(tzinfo=UTC))


def all_rows(store: SqlStore, world: World) -> dict[tuple[str, str, str], list[tuple[object, ...]]]:
    rows = {}
    for repo in world.repos:
        name = RepoName(repo.owner, repo.name)
        for family in (Family.STARS, Family.ISSUES, Family.PRS):
            rows[(name.key, family.value, "")] = list(store.read_series(name, family).rows)
        for package in repo.packages:
            reference = PackageRef(package.ecosystem, package.name)
            series = store.read_series(name, Family.DOWNLOADS, package=reference)
            rows[(name.key, "downloads", str(reference))] = list(series.rows)
    return rows


async def test_a_backfill_reproduces_the_daily_snapshots_wherever_the_api_still_tells(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(world.config.now)
    track(store, world)
    clients = sources(world, clock)
    enqueue_backfill(store, clock, None)

    result = await run_backfill(store, clients, clock)
    await clients.aclose()

    assert {o.status for o in result.outcomes} == {BackfillStatus.DONE}, result.outcomes
    assert store.backfill_jobs(BackfillStatus.QUEUED) == []
    methods = {o.method for o in result.outcomes if o.family is Family.STARS}
    assert methods == {"github-stargazers", "github-stargazers-history"}
    exact_days = 0
    for repo in world.repos:
        name = RepoName(repo.owner, repo.name)
        truth = dict(world.daily_snapshots(repo.full_name))
        horizon = hidden_from(repo, world.config.now)
        stars = store.read_series(name, Family.STARS)
        assert set(stars.provenance) == {Provenance.RECONSTRUCTED}
        rebuilt = {
            point.observed_at.date(): point.values
            for family in (Family.STARS, Family.ISSUES, Family.PRS)
            for point in store.read_series(name, family).points()
        }
        by_day = {}
        for family in (Family.STARS, Family.ISSUES, Family.PRS):
            for point in store.read_series(name, family).points():
                by_day.setdefault(point.observed_at.date(), {}).update(point.values)
        for day, snapshot in truth.items():
            midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
            values = by_day[day]
            got = tuple(
                values[key]
                for key in ("star_count", "open_issues", "closed_issues", "open_prs", "merged_prs")
            )
            expected = (
                snapshot.star_count,
                snapshot.open_issues,
                snapshot.closed_issues,
                snapshot.open_prs,
                snapshot.merged_prs,
            )
            if midnight < horizon or day == world.config.now.date():
                assert got == expected, (repo.full_name, day)
                exact_days += 1
        assert rebuilt
    assert exact_days > 1000


async def test_downloads_are_daily_weeks_and_running_totals_with_pypi_marked_as_a_window(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(world.config.now)
    with_packages = [repo for repo in world.repos if repo.packages]
    track(store, world, with_packages)
    clients = sources(world, clock)
    enqueue_backfill(store, clock, None, [Family.DOWNLOADS])

    await run_backfill(store, clients, clock)
    await clients.aclose()

    seen = set()
    for repo in with_packages:
        for package in repo.packages:
            reference = PackageRef(package.ecosystem, package.name)
            series = store.read_series(
                RepoName(repo.owner, repo.name), Family.DOWNLOADS, package=reference
            )
            daily = (
                world.npm_daily(package.name)
                if package.ecosystem is Ecosystem.NPM
                else world.pypi_daily(package.name)[-180:]
            )
            counts = [count for _, count in daily]
            assert series.columns["weekly_downloads"][-1] == sum(counts[-7:])
            assert series.columns["total_downloads"][-1] == sum(counts)
            expected_source = (
                "npm-downloads" if reference.ecosystem is Ecosystem.NPM else ("pypistats-180d")
            )
            assert set(series.sources) == {expected_source}
            seen.add(reference.ecosystem)
    assert seen == {Ecosystem.NPM, Ecosystem.PYPI}


class Breaking(httpx.AsyncBaseTransport):
    """Passes requests to the simulator, then refuses every connection after ``allowed``."""

    def __init__(self, inner: httpx.AsyncBaseTransport, allowed: int) -> None:
        self.inner = inner
        self.allowed = allowed
        self.answered = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.answered >= self.allowed:
            raise httpx.ConnectError("connection refused", request=request)
        self.answered += 1
        return await self.inner.handle_async_request(request)


async def test_an_interrupted_backfill_resumes_without_asking_a_stored_page_again(
    tmp_path: Path, world: World
) -> None:
    clock = FixedClock(world.config.now)
    whole = SqlStore(f"sqlite:///{tmp_path / 'whole.db'}", environment="dev")
    whole.upgrade()
    track(whole, world)
    enqueue_backfill(whole, clock, None)
    counting = Breaking(SimulatorTransport(create_app(world, clock)), allowed=10**9)
    clients = sources(world, clock, transport=counting)
    await run_backfill(whole, clients, clock)
    await clients.aclose()

    resumed = SqlStore(f"sqlite:///{tmp_path / 'resumed.db'}", environment="dev")
    resumed.upgrade()
    track(resumed, world)
    enqueue_backfill(resumed, clock, None)
    breaking = Breaking(SimulatorTransport(create_app(world, clock)), allowed=40)
    clients = sources(world, clock, transport=breaking)
    with pytest.raises(SourceError, match="cannot reach GitHub|cannot reach npm|cannot reach"):
        await run_backfill(resumed, clients, clock)
    await clients.aclose()
    assert resumed.backfill_jobs(BackfillStatus.QUEUED), "some jobs should be left to resume"
    finishing = Breaking(SimulatorTransport(create_app(world, clock)), allowed=10**9)
    clients = sources(world, clock, transport=finishing)
    await run_backfill(resumed, clients, clock)
    await clients.aclose()

    assert all_rows(resumed, world) == all_rows(whole, world)
    assert breaking.answered + finishing.answered == counting.answered
    whole.close()
    resumed.close()


async def test_missing_repositories_and_packages_fail_alone_with_a_clear_message(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(world.config.now)
    store.add_subject(
        RepoName("nobody", "nothing"), [PackageRef(Ecosystem.NPM, "no-such-pkg")], added_at=T0
    )
    real = world.repos[0]
    store.add_subject(RepoName(real.owner, real.name), [], added_at=T0)
    clients = sources(world, clock)
    enqueue_backfill(store, clock, None)

    result = await run_backfill(store, clients, clock)
    await clients.aclose()

    failed = {(o.repo.name, o.family): o for o in result.outcomes if o.status.value == "failed"}
    assert set(failed) == {("nothing", family) for family in Family}
    assert "no repository nobody/nothing" in failed[("nothing", Family.ISSUES)].messages[0]
    assert "no-such-pkg" in failed[("nothing", Family.DOWNLOADS)].messages[0]
    assert result.run.status.value == "partial"
    assert all(o.status is BackfillStatus.DONE for o in result.outcomes if o.repo.name != "nothing")


async def test_without_rights_to_the_stargazer_list_the_star_history_is_used_and_said(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(world.config.now)
    outsider = next(
        r for r in world.repos if "sim-token-1" not in world.collaborator_tokens(r.full_name)
    )
    track(store, world, [outsider])
    clients = sources(world, clock)
    enqueue_backfill(store, clock, None, [Family.STARS])

    result = await run_backfill(store, clients, clock)
    await clients.aclose()

    (outcome,) = result.outcomes
    assert outcome.method == "github-stargazers-history"
    assert "used the weekly star history instead" in outcome.messages[0]


async def test_star_history_takes_exactly_one_request_per_thirty_weeks(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(world.config.now)
    oldest = min(world.repos, key=lambda r: r.created_at)
    track(store, world, [oldest])
    clients = sources(world, clock, tokens=None)
    enqueue_backfill(store, clock, None, [Family.STARS])

    await run_backfill(store, clients, clock)
    await clients.aclose()

    first_week = oldest.created_at.date() - timedelta(days=(oldest.created_at.weekday() + 1) % 7)
    this_week = clock.now().date() - timedelta(days=(clock.now().weekday() + 1) % 7)
    weeks = (this_week - first_week).days // 7 + 1
    assert clients.github.history_requests_sent == -(-weeks // 30)


async def test_without_a_token_issue_history_fails_with_what_to_configure(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(world.config.now)
    track(store, world, [world.repos[0]])
    clients = sources(world, clock, tokens=None)
    enqueue_backfill(store, clock, None, [Family.ISSUES])

    result = await run_backfill(store, clients, clock)
    await clients.aclose()

    assert "OSSGROWTH_GITHUB_TOKENS" in result.outcomes[0].messages[0]


async def test_a_spent_budget_is_waited_out_until_its_reset(tmp_path: Path) -> None:
    world = build_world(
        WorldConfig(seed=4, repo_count=3, activity_scale=0.05, core_requests_per_hour=4)
    )
    clock = FixedClock(world.config.now)
    store = SqlStore(f"sqlite:///{tmp_path / 'budget.db'}", environment="dev")
    store.upgrade()
    track(store, world)
    app = create_app(world, clock)
    clients = sources(
        world, clock, transport=SimulatorTransport(app), star_method=StarMethod.HISTORY
    )
    enqueue_backfill(store, clock, None, [Family.STARS])

    result = await run_backfill(store, clients, clock, concurrency=8)
    await clients.aclose()
    store.close()

    assert {o.status for o in result.outcomes} == {BackfillStatus.DONE}
    assert clock.now() - world.config.now >= timedelta(hours=1)
    assert set(app.state.ledger.snapshot().by_status) == {200}, "no request beyond the budget"


T0 = datetime(2026, 11, 1, tzinfo=UTC)


async def test_long_issue_lists_read_in_time_slices_and_from_both_ends_lose_no_issue(
    tmp_path: Path,
) -> None:
    world = build_world(WorldConfig(seed=2, repo_count=1, big_repo_items=4000, activity_scale=0.05))
    big = max(world.repos, key=lambda repo: len(repo.items))
    clock = FixedClock(world.config.now)
    store = SqlStore(f"sqlite:///{tmp_path / 'big.db'}", environment="dev")
    store.upgrade()
    track(store, world, [big])
    clients = sources(world, clock)
    enqueue_backfill(store, clock, None, [Family.ISSUES, Family.PRS])

    result = await run_backfill(store, clients, clock)
    await clients.aclose()

    truth = world.snapshot(big.full_name, clock.now())
    assert truth.closed_issues > 600, "the closed issues should need time slices"
    assert {outcome.status for outcome in result.outcomes} == {BackfillStatus.DONE}
    name = RepoName(big.owner, big.name)
    now = world.config.now
    shown = {  # every item as today's API shows it, straight from the world
        pull: [
            ItemTimes(
                to_epoch_seconds(item.created_at),
                None
                if item.closed_at_at(now) is None
                else to_epoch_seconds(item.closed_at_at(now)),
                None
                if item.merged_at_at(now) is None
                else to_epoch_seconds(item.merged_at_at(now)),
            )
            for item in big.items
            if item.is_pull_request == pull and item.created_at <= now
        ]
        for pull in (False, True)
    }
    first, last = big.created_at.date() + timedelta(days=1), now.date()
    expected_issues = [
        (row.open_issues, row.closed_issues) for row in issue_history(shown[False], first, last)
    ]
    expected_prs = [
        (row.open_prs, row.merged_prs) for row in pull_request_history(shown[True], first, last)
    ]
    issues = store.read_series(name, Family.ISSUES).columns
    prs = store.read_series(name, Family.PRS).columns
    assert list(zip(issues["open_issues"], issues["closed_issues"], strict=True)) == expected_issues
    assert list(zip(prs["open_prs"], prs["merged_prs"], strict=True)) == expected_prs
    assert expected_issues[-1] == (truth.open_issues, truth.closed_issues)
    store.close()


async def test_reach_history_counts_todays_forks_at_each_midnight_and_no_watchers(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(world.config.now)
    track(store, world)
    clients = sources(world, clock)
    enqueue_backfill(store, clock, None)

    result = await run_backfill(store, clients, clock)
    await clients.aclose()

    reach = [outcome for outcome in result.outcomes if outcome.family is Family.REACH]
    assert {(o.status, o.method) for o in reach} == {(BackfillStatus.DONE, "github-forks")}
    now = world.config.now
    short_somewhere = False
    for repo in world.repos:
        name = RepoName(repo.owner, repo.name)
        today = world.forks(repo.full_name, now)
        points = list(store.read_series(name, Family.REACH).points())
        assert points, repo.full_name
        for point in points:
            assert point.provenance is Provenance.RECONSTRUCTED and point.source == "github-forks"
            assert point.values["watchers"] is None  # nothing upstream keeps their past
            midnight = point.observed_at
            assert point.values["forks"] == sum(1 for f in today if f.created_at <= midnight)
            short_by = len(world.forks(repo.full_name, midnight)) - point.values["forks"]
            assert short_by == sum(
                1 for f in repo.forks if f.exists_at(midnight) and not f.exists_at(now)
            )
            short_somewhere |= short_by > 0
    assert short_somewhere, "the world deletes no fork: the test shows nothing of deletions"
