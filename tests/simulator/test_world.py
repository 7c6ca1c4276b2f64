"""Ground truth of a built world: deterministic, internally consistent, and shaped like GitHub."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ossgrowth.errors import InputError
from ossgrowth.model import Ecosystem
from ossgrowth.simulator import (
    Closure,
    ItemState,
    SimIssue,
    TruthSnapshot,
    World,
    WorldConfig,
    build_world,
)
from ossgrowth.simulator.downloads import NPM_FIRST_DAY
from tests.simulator.conftest import SMALL


def test_the_same_seed_builds_the_same_world(world: World) -> None:
    again = build_world(SMALL)
    assert again.repos == world.repos


def test_another_seed_builds_another_world(world: World) -> None:
    other = build_world(WorldConfig(**{**_fields(SMALL), "seed": SMALL.seed + 1}))
    assert [repo.full_name for repo in other.repos] != [repo.full_name for repo in world.repos]


def test_the_first_repository_is_as_old_as_asked(world: World) -> None:
    age = world.config.now - world.repos[0].created_at
    assert timedelta(days=500) <= age < timedelta(days=501)


def test_a_ten_year_old_repository_exists_by_default() -> None:
    old = build_world(WorldConfig(repo_count=1, activity_scale=0.01))
    assert (old.config.now - old.repos[0].created_at).days >= 3650


def test_snapshot_counts_partition_every_item_created_by_then(world: World) -> None:
    for repo in world.repos:
        for moment in (repo.created_at, world.config.now - timedelta(days=40), world.config.now):
            truth = world.snapshot(repo.full_name, moment)
            created = [item for item in repo.items if item.created_at <= moment]
            issues = [item for item in created if not item.is_pull_request]
            pulls = [item for item in created if item.is_pull_request]
            assert truth.open_issues + truth.closed_issues == len(issues)
            assert truth.open_prs + truth.merged_prs + truth.closed_prs == len(pulls)
            assert truth.star_count == sum(star.held_at(moment) for star in repo.stars)


def test_snapshot_matches_each_item_state(world: World) -> None:
    repo = max(world.repos, key=lambda repo: len(repo.items))
    moment = world.config.now - timedelta(days=3)
    states = [item.state_at(moment) for item in repo.items if item.created_at <= moment]
    truth = world.snapshot(repo.full_name, moment)
    pulls = [item.is_pull_request for item in repo.items if item.created_at <= moment]
    assert truth.merged_prs == sum(
        state is ItemState.MERGED for state, pull in zip(states, pulls, strict=True) if pull
    )
    assert truth.open_issues == sum(
        state is ItemState.OPEN for state, pull in zip(states, pulls, strict=True) if not pull
    )


def test_daily_snapshots_start_after_creation_and_end_today(world: World) -> None:
    repo = world.repos[0]
    rows = world.daily_snapshots(repo.full_name)
    assert rows[0][0] == repo.created_at.date() + timedelta(days=1)
    assert rows[-1][0] == world.config.now.date()
    assert [day for day, _ in rows] == [
        rows[0][0] + timedelta(days=offset) for offset in range(len(rows))
    ]
    day, last = rows[-1]
    assert last == world.snapshot(
        repo.full_name, datetime(day.year, day.month, day.day, tzinfo=UTC)
    )


def test_some_stars_are_taken_back_and_stop_counting(world: World) -> None:
    taken_back = [
        star for repo in world.repos for star in repo.stars if star.unstarred_at is not None
    ]
    assert taken_back, "the small world should hold unstars"
    star = taken_back[0]
    assert star.unstarred_at is not None
    assert star.held_at(star.starred_at)
    assert not star.held_at(star.unstarred_at)


def test_stars_have_a_launch_spike(world: World) -> None:
    repo = max(world.repos, key=lambda repo: len(repo.stars))
    per_day: dict[date, int] = {}
    for star in repo.stars:
        per_day[star.starred_at.date()] = per_day.get(star.starred_at.date(), 0) + 1
    busiest = max(per_day.values())
    assert busiest >= 4 * len(repo.stars) / len(per_day)


def test_renamed_repositories_resolve_by_their_old_names(world: World) -> None:
    renamed = [repo for repo in world.repos if repo.previous_names]
    assert renamed
    for repo in renamed:
        owner, name = repo.previous_names[0].split("/")
        assert world.resolve(owner, name) == (repo, True)
        assert world.resolve(repo.owner.upper(), repo.name) == (repo, False)
    with pytest.raises(InputError):
        world.repo(renamed[0].previous_names[0])


def test_every_repository_has_one_collaborator_token_by_default(world: World) -> None:
    for index, repo in enumerate(world.repos):
        tokens = world.collaborator_tokens(repo.full_name)
        assert tokens == {world.config.tokens[index % len(world.config.tokens)]}


def test_extra_collaborator_grants_are_honoured(world: World) -> None:
    name = world.repos[1].full_name
    granted = build_world(
        WorldConfig(**{**_fields(SMALL), "collaborators": (("sim-token-3", name),)})
    )
    assert granted.is_collaborator("sim-token-3", name)


def test_packages_have_data_from_their_first_day(world: World) -> None:
    ecosystems = {package.ecosystem for package in world.packages()}
    assert ecosystems == {Ecosystem.NPM, Ecosystem.PYPI}
    for package in world.packages():
        series = (
            world.npm_daily(package.name)
            if package.ecosystem is Ecosystem.NPM
            else world.pypi_daily(package.name)
        )
        assert series[0][0] == package.first_day
        assert series[-1][0] == world.last_stats_day(world.config.now)
        assert all(count >= 0 for _, count in series)


def test_npm_data_never_starts_before_2015_01_10() -> None:
    old = build_world(WorldConfig(repo_count=1, oldest_repo_age_days=4700, package_share=1.0))
    npm = [package for package in old.packages() if package.ecosystem is Ecosystem.NPM]
    pypi = [package for package in old.packages() if package.ecosystem is Ecosystem.PYPI]
    assert all(package.first_day >= NPM_FIRST_DAY for package in npm)
    assert all(package.first_day < NPM_FIRST_DAY for package in pypi)


def test_stats_land_an_hour_after_midnight(world: World) -> None:
    midnight = world.config.now
    assert world.last_stats_day(midnight) == midnight.date() - timedelta(days=2)
    assert world.last_stats_day(midnight + timedelta(hours=1)) == midnight.date() - timedelta(
        days=1
    )


@pytest.mark.parametrize(
    "change",
    [
        {"repo_count": 0},
        {"activity_scale": 0},
        {"tokens": ()},
        {"tokens": ("a", "a")},
        {"rate_limited_status": 500},
        {"collaborators": (("unknown-token", "x/y"),)},
        {"now": datetime(2026, 11, 25)},
    ],
)
def test_impossible_worlds_are_refused(change: dict[str, object]) -> None:
    with pytest.raises((InputError, ValueError)):
        WorldConfig(**change)  # type: ignore[arg-type]


_MOMENTS = st.integers(min_value=0, max_value=400).map(
    lambda hours: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=hours)
)


@settings(max_examples=200, deadline=None)
@given(
    created=_MOMENTS,
    gaps=st.lists(st.integers(min_value=1, max_value=50), min_size=0, max_size=5),
    merged=st.booleans(),
    probe=_MOMENTS,
)
def test_an_item_shows_the_close_in_force_and_nothing_after_a_reopen(
    created: datetime, gaps: list[int], merged: bool, probe: datetime
) -> None:
    events = []
    moment = created
    for gap in gaps:
        moment += timedelta(hours=gap)
        events.append(moment)
    closures = tuple(
        Closure(events[index], events[index + 1] if index + 1 < len(events) else None)
        for index in range(0, len(events), 2)
    )
    final = closures[-1] if closures and closures[-1].reopened_at is None else None
    merged_at = final.closed_at if merged and final else None
    item = SimIssue(1, 1, merged_at is not None, "t", 1, created, closures, merged_at)
    state = item.state_at(probe)
    closed_at = item.closed_at_at(probe)
    in_force = [
        c
        for c in closures
        if c.closed_at <= probe and (c.reopened_at or probe + timedelta(1)) > probe
    ]
    assert (state is ItemState.OPEN) == (closed_at is None) == (not in_force)
    if in_force:
        assert closed_at == in_force[0].closed_at
    assert (state is ItemState.MERGED) == (merged_at is not None and merged_at <= probe)


def test_truth_snapshot_is_a_plain_value() -> None:
    assert TruthSnapshot(1, 2, 3, 4, 5, 6, 7, 8) == TruthSnapshot(1, 2, 3, 4, 5, 6, 7, 8)


def _fields(config: WorldConfig) -> dict[str, object]:
    return {name: getattr(config, name) for name in config.__dataclass_fields__}


def test_a_world_larger_than_its_word_lists_still_has_distinct_names() -> None:
    world = build_world(
        WorldConfig(
            seed=3, repo_count=4500, activity_scale=0.01, oldest_repo_age_days=60, package_share=0
        )
    )
    names = {repo.full_name.lower() for repo in world.repos}
    assert len(names) == len(world.repos) == 4500
    old_names = {name.lower() for repo in world.repos for name in repo.previous_names}
    assert not names & old_names
