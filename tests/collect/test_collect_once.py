"""One collection against the simulated world ends with the world's values in the store."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.collect import Upstreams, build_upstreams, collect_once
from ossgrowth.config import Settings, load_settings
from ossgrowth.errors import SourceError
from ossgrowth.model import Ecosystem, Family, PackageRef, RepoName, RunStatus
from ossgrowth.simulator import SimulatorTransport, World, WorldConfig, build_world, create_app
from ossgrowth.sources import RetryPolicy, clock_sleeper
from ossgrowth.store import SqlStore

pytestmark = pytest.mark.anyio
ORIGIN = "http://simulator"


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(WorldConfig(seed=5, repo_count=12, activity_scale=0.1, rename_share=0.3))


def simulator_settings(tokens: str | None) -> Settings:
    return load_settings(
        github_api_url=ORIGIN,
        github_tokens=tokens,
        npm_downloads_url=f"{ORIGIN}/npm",
        pypistats_url=f"{ORIGIN}/pypistats",
    )


def track_world(store: SqlStore, world: World) -> dict[str, str]:
    """Track every repository, renamed ones by an old name; returns tracked name → true name."""
    tracked: dict[str, str] = {}
    for repo in world.repos:
        name = repo.previous_names[0] if repo.previous_names else repo.full_name
        owner, _, short = name.partition("/")
        packages = [PackageRef(package.ecosystem, package.name) for package in repo.packages]
        store.add_subject(RepoName(owner, short), packages, added_at=world.config.now)
        tracked[name] = repo.full_name
    return tracked


@pytest.mark.parametrize("tokens", ["sim-token-1,sim-token-2", None], ids=["graphql", "rest"])
async def test_a_collection_stores_the_worlds_values_and_follows_renames(
    store: SqlStore, world: World, tokens: str | None
) -> None:
    clock = FixedClock(world.config.now + timedelta(hours=5))
    tracked = track_world(store, world)
    assert any(old != new for old, new in tracked.items()), "the world should hold a rename"
    app = create_app(world, clock)
    upstreams = build_upstreams(
        simulator_settings(tokens),
        clock,
        transport=SimulatorTransport(app),
        retry=RetryPolicy(sleep=clock_sleeper(clock), seed=1),
    )

    result = await collect_once(store, upstreams, clock)
    await upstreams.aclose()

    assert result.run.status is RunStatus.SUCCEEDED, result.run.error
    assert result.run.counts["subjects_ok"] == len(world.repos)
    assert result.run.requests_spent > 0
    assert {(old.full_name, new.full_name) for old, new in result.renamed} == {
        (old, new) for old, new in tracked.items() if old != new
    }
    for repo in world.repos:
        name = RepoName(repo.owner, repo.name)
        subject = store.get_subject(name)
        assert subject is not None and subject.github_node_id == repo.node_id
        truth = world.snapshot(repo.full_name, clock.now())
        stars = store.read_series(name, Family.STARS)
        assert stars.columns["star_count"] == [truth.star_count]
        prs = list(store.read_series(name, Family.PRS).points())[0]
        assert prs.values["open_prs"] == truth.open_prs
        assert prs.values["merged_prs"] == truth.merged_prs
        issues = list(store.read_series(name, Family.ISSUES).points())[0]
        assert (issues.values["open_issues"], issues.values["closed_issues"]) == (
            truth.open_issues,
            truth.closed_issues,
        )
        for package in repo.packages:
            reference = PackageRef(package.ecosystem, package.name)
            downloads = store.read_series(name, Family.DOWNLOADS, package=reference)
            assert len(downloads) == 1
            total = downloads.columns["total_downloads"][0]
            if package.ecosystem is Ecosystem.PYPI:
                assert total is None  # PyPI stats keep 180 days: no all-time total
            else:
                assert total is not None and total > 0


async def test_a_missing_repository_fails_alone_and_the_run_says_so(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(world.config.now)
    store.add_subject(RepoName("nobody", "no-such-repository"), [], added_at=clock.now())
    real = world.repos[0]
    store.add_subject(RepoName(real.owner, real.name), [], added_at=clock.now())
    upstreams = build_upstreams(
        simulator_settings("sim-token-1"),
        clock,
        transport=SimulatorTransport(create_app(world, clock)),
        retry=RetryPolicy(sleep=clock_sleeper(clock), seed=1),
    )

    result = await collect_once(store, upstreams, clock)
    await upstreams.aclose()

    assert result.run.status is RunStatus.PARTIAL
    assert result.run.counts["subjects_failed"] == 1 and result.run.counts["subjects_ok"] == 1
    assert result.run.error is not None and "nobody/no-such-repository" in result.run.error
    assert len(store.read_series(RepoName(real.owner, real.name), Family.STARS)) == 1
    assert store.list_runs()[0] == result.run


async def test_an_unreachable_upstream_fails_the_run_with_one_clear_error(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(world.config.now)
    store.add_subject(RepoName("octo", "widgets"), [], added_at=clock.now())
    settings = load_settings(github_api_url="http://127.0.0.1:9", github_tokens="canary-token-xyz")
    upstreams = build_upstreams(settings, clock, retry=RetryPolicy(sleep=clock_sleeper(clock)))

    with pytest.raises(
        SourceError, match=r"cannot reach GitHub at http://127\.0\.0\.1:9"
    ) as raised:
        await collect_once(store, upstreams, clock)
    await upstreams.aclose()

    run = store.list_runs()[0]
    assert run.status is RunStatus.FAILED and run.error == str(raised.value)
    assert "canary-token-xyz" not in str(raised.value)


async def test_a_later_collection_adds_the_new_days_to_the_stored_npm_total(
    store: SqlStore, world: World
) -> None:
    """The first total reads every range since 2015; the next one only the days since then,
    and still equals a count from scratch."""
    clock = FixedClock(world.config.now + timedelta(hours=5))
    npm_repos = [
        repo
        for repo in world.repos
        if any(p.ecosystem is Ecosystem.NPM for p in repo.packages) and not repo.previous_names
    ]
    for repo in npm_repos:
        packages = [PackageRef(package.ecosystem, package.name) for package in repo.packages]
        store.add_subject(RepoName(repo.owner, repo.name), packages, added_at=clock.now())
    packages = [
        PackageRef(p.ecosystem, p.name)
        for repo in npm_repos
        for p in repo.packages
        if p.ecosystem is Ecosystem.NPM
    ]
    assert packages, "the world should publish npm packages"
    app = create_app(world, clock)

    def upstreams_now() -> Upstreams:
        return build_upstreams(
            simulator_settings("sim-token-1"),
            clock,
            transport=SimulatorTransport(app),
            retry=RetryPolicy(sleep=clock_sleeper(clock), seed=1),
        )

    requests = []
    for _ in range(2):
        upstreams = upstreams_now()
        await collect_once(store, upstreams, clock, families=[Family.DOWNLOADS])
        requests.append(upstreams.npm.requests_sent)
        await upstreams.aclose()
        clock.advance(timedelta(days=7))

    bulk = math.ceil(len([p for p in packages if not p.name.startswith("@")]) / 128)
    scoped = len([p for p in packages if p.name.startswith("@")])
    assert requests[1] == bulk + scoped + len(packages)  # last week's counts, then one range each
    assert requests[0] > requests[1] + len(packages)  # from scratch: several ranges each
    fresh = upstreams_now()
    for repo in npm_repos:
        name = RepoName(repo.owner, repo.name)
        for package in repo.packages:
            if package.ecosystem is not Ecosystem.NPM:
                continue
            reference = PackageRef(package.ecosystem, package.name)
            series = store.read_series(name, Family.DOWNLOADS, package=reference)
            stored = series.columns["total_downloads"][-1]
            last_day = list(series.points())[-1].observed_at.date() - timedelta(days=1)
            recount = await fresh.npm.total(reference, until=last_day)
            assert stored == recount.downloads, reference
    await fresh.aclose()


async def test_a_total_asked_before_yesterday_landed_is_not_stored_and_never_skips_a_day(
    store: SqlStore, world: World
) -> None:
    """npm publishes a day's numbers some time after UTC midnight (an hour in the world)."""
    repo = next(r for r in world.repos if any(p.ecosystem is Ecosystem.NPM for p in r.packages))
    package = next(
        PackageRef(p.ecosystem, p.name) for p in repo.packages if p.ecosystem is Ecosystem.NPM
    )
    name = RepoName(repo.owner, repo.name)
    store.add_subject(name, [package], added_at=world.config.now)
    midnight = world.config.now.replace(hour=0, minute=0, second=0, microsecond=0)
    clock = FixedClock(midnight + timedelta(days=1, minutes=20))  # yesterday has not landed
    app = create_app(world, clock)

    async def collect() -> None:
        upstreams = build_upstreams(
            simulator_settings("sim-token-1"),
            clock,
            transport=SimulatorTransport(app),
            retry=RetryPolicy(sleep=clock_sleeper(clock), seed=1),
        )
        await collect_once(store, upstreams, clock, families=[Family.DOWNLOADS])
        await upstreams.aclose()

    await collect()
    early = store.read_series(name, Family.DOWNLOADS, package=package)
    assert early.columns["total_downloads"] == [None]
    clock.advance(timedelta(hours=2))  # landed now
    await collect()
    totals = store.read_series(name, Family.DOWNLOADS, package=package).columns["total_downloads"]
    truth = sum(count for _, count in world.npm_daily(package.name, through=midnight.date()))
    assert totals == [None, truth]
