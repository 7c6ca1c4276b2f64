"""The stargazers' account ages kept current by scheduled collection, against the simulator.

Repository 0 of each world may list its stargazers with ``sim-token-1`` (its collaborator);
repository 1 may not once the 2026 rule applies. Each world starts at its ``now``, where the
star backfill runs; what happens after it (a purchase of stars) is seen only by collections.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossgrowth.api import create_app as create_api
from ossgrowth.clock import FixedClock
from ossgrowth.collect import (
    SCHEDULES,
    CollectionScheduler,
    Upstreams,
    build_history_sources,
    build_upstreams,
    collect_once,
    enqueue_backfill,
    run_backfill,
)
from ossgrowth.collect.stargazer_reads import (
    StargazerReader,
    added_parts,
    count_new_stars,
    follow_stargazers,
)
from ossgrowth.config import load_settings
from ossgrowth.metrics.history import SECONDS_PER_DAY
from ossgrowth.metrics.unusual import StargazerDay, stargazer_days
from ossgrowth.model import Family, RepoName, RunStatus
from ossgrowth.simulator import SimulatorTransport, World, WorldConfig, build_world, create_app
from ossgrowth.simulator.config import DEFAULT_NOW, StarBurst
from ossgrowth.simulator.entities import SimStar
from ossgrowth.sources import RetryPolicy, TokenPool, clock_sleeper
from ossgrowth.sources.github_timeline import GitHubTimeline
from ossgrowth.store import SqlStore
from ossgrowth.store.base import STARGAZER_DAYS_PER_ADD, StargazerMark

pytestmark = pytest.mark.anyio
ORIGIN = "http://simulator"
NOW = DEFAULT_NOW
LAUNCH_DAY = (NOW - timedelta(days=40)).date()
PURCHASE_DAY = (NOW + timedelta(days=5)).date()
STARS_SCHEDULE = next(schedule for schedule in SCHEDULES if Family.STARS in schedule.families)


def world_of(*bursts: StarBurst, **config: Any) -> World:
    return build_world(
        WorldConfig(
            seed=3,
            repo_count=3,
            activity_scale=0.3,
            oldest_repo_age_days=400,
            bursts=bursts,
            **config,
        )
    )


def repo_of(world: World, index: int) -> RepoName:
    return RepoName(world.repos[index].owner, world.repos[index].name)


def star_count(world: World, index: int, at: datetime) -> int:
    """The star count GitHub shows for repository ``index`` at ``at``."""
    return world.snapshot(world.repos[index].full_name, at).star_count


def with_stars(world: World, index: int, stars: Sequence[SimStar]) -> World:
    """``world`` with the stars of repository ``index`` replaced by ``stars``."""
    repos = list(world.repos)
    ordered = tuple(sorted(stars, key=lambda star: star.starred_at))
    repos[index] = replace(repos[index], stars=ordered)
    return World(world.config, tuple(repos))


def advance_until_the_count_changes(world: World, index: int, clock: FixedClock) -> None:
    """Advance ``clock`` 3 hours at a time until repository ``index``'s star count changes."""
    seen = star_count(world, index, clock.now())
    for _ in range(40):
        clock.advance(timedelta(hours=3))
        if star_count(world, index, clock.now()) != seen:
            return
    raise AssertionError("the star count did not change in five days")


def quiet_after_now(world: World, index: int) -> list[SimStar]:
    """The stars of repository ``index`` given by ``NOW``, none of them taken back later."""
    return [
        replace(star, unstarred_at=None) if star.unstarred_at and star.unstarred_at > NOW else star
        for star in world.repos[index].stars
        if star.starred_at <= NOW
    ]


class Simulated:
    """The simulated GitHub of ``world`` on ``clock``, and clients of it with ``sim-token-1``."""

    def __init__(self, world: World, clock: FixedClock, **settings: Any) -> None:
        self.world, self.clock = world, clock
        self.app = create_app(world, clock)
        self.transport = SimulatorTransport(self.app)
        self.settings = load_settings(
            github_api_url=ORIGIN,
            github_tokens="sim-token-1",
            npm_downloads_url=f"{ORIGIN}/npm",
            pypistats_url=f"{ORIGIN}/pypistats",
            **settings,
        )
        self.retry = RetryPolicy(sleep=clock_sleeper(clock), seed=1)

    def upstreams(self) -> Upstreams:
        return build_upstreams(
            self.settings, self.clock, transport=self.transport, retry=self.retry
        )

    def reader(self, max_pages: int) -> StargazerReader:
        timeline = GitHubTimeline(
            f"{ORIGIN}/graphql",
            ORIGIN,
            clock=self.clock,
            tokens=TokenPool(self.settings.github_tokens, clock=self.clock),
            transport=self.transport,
            retry=self.retry,
        )
        return StargazerReader(timeline, max_pages=max_pages)

    async def backfill(self, store: SqlStore) -> None:
        """Track every repository and backfill its stars now."""
        for repo in self.world.repos:
            store.add_subject(RepoName(repo.owner, repo.name), [], added_at=self.clock.now())
        sources = build_history_sources(
            self.settings, self.clock, transport=self.transport, retry=self.retry
        )
        enqueue_backfill(store, self.clock, None, [Family.STARS])
        async with sources:
            await run_backfill(store, sources, self.clock)

    async def collect(self, store: SqlStore) -> Any:
        async with self.upstreams() as upstreams:
            return await collect_once(
                store, upstreams, self.clock, families=STARS_SCHEDULE.families, lease_seconds=None
            )


async def unusual(store: SqlStore, clock: FixedClock, repo: RepoName) -> dict[str, Any]:
    api = create_api(load_settings(), store, clock)
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        answer = await client.get(f"/api/v1/repos/{repo}/unusual")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def merged(kept: list[StargazerDay], added: list[StargazerDay]) -> list[StargazerDay]:
    """``kept`` with the counts of ``added`` added, day by day."""
    listed: Counter[date] = Counter()
    new: Counter[date] = Counter()
    for row in (*kept, *added):
        listed[row.day] += row.listed
        new[row.day] += row.new_accounts
    return [StargazerDay(day, listed[day], new[day]) for day in sorted(listed)]


async def test_stars_bought_after_the_backfill_are_found_by_scheduled_collection(
    store: SqlStore,
) -> None:
    world = world_of(
        StarBurst(repo_index=0, day=LAUNCH_DAY, stars=250),
        StarBurst(repo_index=0, day=PURCHASE_DAY, stars=250, bought=True),
    )
    clock = FixedClock(NOW)
    simulated = Simulated(world, clock)
    repo = repo_of(world, 0)
    assert world.is_collaborator("sim-token-1", world.repos[0].full_name)
    await simulated.backfill(store)
    kept = {row.day for row in store.read_stargazer_days(repo)}
    assert LAUNCH_DAY in kept and PURCHASE_DAY not in kept

    scheduler = CollectionScheduler(
        store, clock, simulated.upstreams, ZoneInfo("UTC"), schedules=(STARS_SCHEDULE,)
    )
    for _ in range(9):  # the 00:00 slot of each day, from the day after the backfill
        clock.advance(timedelta(days=1))
        (result,) = await scheduler.run_due()
        assert result.run.status is RunStatus.SUCCEEDED
        assert result.run.counts["stargazer_lists"] == 1  # repository 0's only

    purchase = next(row for row in store.read_stargazer_days(repo) if row.day == PURCHASE_DAY)
    assert purchase.new_accounts >= 250 and purchase.new_accounts / purchase.listed > 0.9
    body = await unusual(store, clock, repo)
    kinds = {day["day"]: day["kind"] for day in body["days"]}
    assert body["account_age_test"] == "run"
    assert kinds[LAUNCH_DAY.isoformat()] == "spike"
    assert kinds[PURCHASE_DAY.isoformat()] == "unusual"
    assert [day for day, kind in kinds.items() if kind == "unusual"] == [PURCHASE_DAY.isoformat()]
    assert body["notes"] == []


async def test_stars_read_twice_are_counted_once(store: SqlStore) -> None:
    world = world_of()
    clock = FixedClock(NOW)
    simulated = Simulated(world, clock)
    repo = repo_of(world, 0)
    await simulated.backfill(store)
    clock.advance(timedelta(days=6))
    before = store.read_stargazer_days(repo)
    (mark,) = store.stargazers_read_through([repo]).values()
    reader = simulated.reader(max_pages=5)
    read = await reader.newer_than(repo, mark)  # a collection killed before it wrote
    assert read.pages == 1
    assert read.complete and read.stars and all(s > mark.timestamp() for s, _ in read.stars)

    count = star_count(world, 0, clock.now())
    again = await follow_stargazers(store, reader, {repo: count})
    assert again.counted == len(read.stars) and again.hidden == again.behind == ()
    expected = merged(before, stargazer_days(read.stars))
    assert store.read_stargazer_days(repo) == expected
    newest = datetime.fromtimestamp(read.stars[-1][0], UTC)
    assert store.stargazer_marks([repo]) == {repo.key: StargazerMark(newest, count)}

    late = count_new_stars(store, repo, read.stars, mark, count - 5)  # the first read, late
    assert late == 0
    assert store.stargazer_marks([repo]) == {repo.key: StargazerMark(newest, count)}
    quiet = await follow_stargazers(store, reader, {repo: count})  # the count seen: not read
    assert (quiet.unchanged, quiet.counted, quiet.pages) == (1, 0, 0)
    taken_back = await follow_stargazers(store, reader, {repo: count - 1})  # nothing new
    assert (taken_back.unchanged, taken_back.counted, taken_back.pages) == (0, 0, 1)
    assert store.stargazer_marks([repo]) == {repo.key: StargazerMark(newest, count - 1)}
    assert store.read_stargazer_days(repo) == expected
    await reader.aclose()


async def test_more_new_stars_than_the_page_bound_leave_the_rest_unknown(
    store: SqlStore,
) -> None:
    burst_day = (NOW + timedelta(days=1)).date()
    world = world_of(StarBurst(repo_index=0, day=burst_day, stars=1000, bought=True))
    clock = FixedClock(NOW)
    simulated = Simulated(world, clock, stargazer_pages_per_run=2)
    repo = repo_of(world, 0)
    await simulated.backfill(store)
    before = store.read_stargazer_days(repo)
    (mark,) = store.stargazers_read_through([repo]).values()
    clock.advance(timedelta(days=2))
    reader = simulated.reader(max_pages=100)
    every = await reader.newer_than(repo, mark)
    await reader.aclose()
    assert every.complete and len(every.stars) > 1000

    result = await simulated.collect(store)
    assert result.run.status is RunStatus.SUCCEEDED
    assert (result.run.counts["stargazer_pages"], result.run.counts["stargazers_counted"]) == (
        2,
        200,
    )
    newest = every.stars[-200:]
    assert store.read_stargazer_days(repo) == merged(before, stargazer_days(newest))
    assert store.stargazers_read_through([repo]) == {
        repo.key: datetime.fromtimestamp(newest[-1][0], UTC)
    }
    seen = star_count(world, 0, clock.now())
    clock.advance(timedelta(hours=3))
    assert star_count(world, 0, clock.now()) == seen
    same = await simulated.collect(store)  # no star since: the list is not read
    assert (same.run.counts["stargazer_pages"], same.run.counts["stargazer_lists_unchanged"]) == (
        0,
        1,
    )
    advance_until_the_count_changes(world, 0, clock)
    later = await simulated.collect(store)  # starts from the newest star, not the burst
    assert later.run.counts["stargazer_pages"] == 1
    burst = next(row for row in store.read_stargazer_days(repo) if row.day == burst_day)
    assert burst.listed < 1000  # the stars left unread stay unread


async def test_a_list_hidden_since_the_backfill_is_no_longer_asked(store: SqlStore) -> None:
    world = world_of(stargazer_list_restricted_from=NOW + timedelta(days=1))
    clock = FixedClock(NOW)
    simulated = Simulated(world, clock)
    shown, hidden = repo_of(world, 0), repo_of(world, 1)
    assert not world.is_collaborator("sim-token-1", world.repos[1].full_name)
    await simulated.backfill(store)  # before the rule: every list is read
    assert set(store.stargazers_read_through([shown, hidden])) == {shown.key, hidden.key}
    kept = store.read_stargazer_days(hidden)
    assert kept

    clock.advance(timedelta(days=2))
    result = await simulated.collect(store)
    assert result.run.status is RunStatus.SUCCEEDED and result.failures == ()
    assert result.run.counts["stargazer_lists"] == 3  # asked once more; two are refused
    assert store.stargazers_read_through([shown, hidden, repo_of(world, 2)]) == {
        shown.key: store.stargazers_read_through([shown])[shown.key]
    }
    assert store.read_stargazer_days(hidden) == kept

    advance_until_the_count_changes(world, 0, clock)
    asked = simulated.app.state.ledger.requests
    again = await simulated.collect(store)
    assert again.run.status is RunStatus.SUCCEEDED
    assert again.run.counts["stargazer_lists"] == 1
    assert simulated.app.state.ledger.requests - asked == 2  # one snapshot, one stargazer page


async def test_a_list_whose_star_count_is_unchanged_is_not_read(store: SqlStore) -> None:
    generated = world_of()
    stars = quiet_after_now(generated, 0)
    stars[0] = replace(stars[0], unstarred_at=NOW + timedelta(hours=7))
    world = with_stars(generated, 0, stars)
    clock = FixedClock(NOW)
    simulated = Simulated(world, clock)
    repo = repo_of(world, 0)
    await simulated.backfill(store)
    (mark,) = store.stargazers_read_through([repo]).values()
    kept = store.read_stargazer_days(repo)
    ledger = simulated.app.state.ledger

    async def collect_at(hours: int) -> tuple[int, int, int]:
        """(requests, stargazer pages, lists not read) of a collection at NOW + hours."""
        clock.advance(NOW + timedelta(hours=hours) - clock.now())
        asked = ledger.requests
        result = await simulated.collect(store)
        assert result.run.status is RunStatus.SUCCEEDED
        counts = result.run.counts
        assert counts["stargazer_lists"] == 1
        pages, unchanged = counts["stargazer_pages"], counts["stargazer_lists_unchanged"]
        return ledger.requests - asked, pages, unchanged

    assert await collect_at(3) == (2, 1, 0)  # no count seen since the backfill: read
    before = star_count(world, 0, NOW)
    assert store.stargazer_marks([repo]) == {repo.key: StargazerMark(mark, before)}
    assert await collect_at(6) == (1, 0, 1)  # the snapshot only
    assert await collect_at(9) == (2, 1, 0)  # one star taken back at 7:00: read, none new
    assert store.stargazer_marks([repo]) == {repo.key: StargazerMark(mark, before - 1)}
    assert await collect_at(12) == (1, 0, 1)
    assert store.read_stargazer_days(repo) == kept


async def test_a_star_given_as_another_was_taken_back_is_counted_at_the_next_change(
    store: SqlStore,
) -> None:
    generated = world_of()
    stars = quiet_after_now(generated, 0)
    first_day, second_day = NOW + timedelta(days=1), NOW + timedelta(days=2)
    stars[0] = replace(stars[0], unstarred_at=first_day + timedelta(hours=1))
    replacing = SimStar(9_900_001, first_day + timedelta(hours=2))
    later = SimStar(9_900_002, second_day + timedelta(hours=1))
    world = with_stars(generated, 0, [*stars, replacing, later])
    clock = FixedClock(NOW)
    simulated = Simulated(world, clock)
    repo = repo_of(world, 0)
    await simulated.backfill(store)
    kept = store.read_stargazer_days(repo)

    clock.advance(timedelta(days=1))
    first = await simulated.collect(store)  # no count seen since the backfill; nothing new
    assert (first.run.counts["stargazer_pages"], first.run.counts["stargazers_counted"]) == (1, 0)
    seen = star_count(world, 0, clock.now())
    clock.advance(timedelta(hours=3))
    assert star_count(world, 0, clock.now()) == seen  # one star taken back, one given
    same = await simulated.collect(store)
    assert (same.run.counts["stargazer_pages"], same.run.counts["stargazer_lists_unchanged"]) == (
        0,
        1,
    )
    assert store.read_stargazer_days(repo) == kept  # the new star waits

    clock.advance(timedelta(days=1))
    assert star_count(world, 0, clock.now()) == seen + 1
    changed = await simulated.collect(store)  # back from the newest star to the mark
    assert (changed.run.counts["stargazer_pages"], changed.run.counts["stargazers_counted"]) == (
        1,
        2,
    )
    given = [
        (int(star.starred_at.timestamp()), int(world.account_created_at(star.user_id).timestamp()))
        for star in (replacing, later)
    ]
    expected = merged(kept, stargazer_days(given))
    assert store.read_stargazer_days(repo) == expected
    new_days = store.read_stargazer_days(repo, first=first_day.date())
    assert [(row.day, row.listed) for row in new_days] == [
        (first_day.date(), 1),  # the star given as another was taken back
        (second_day.date(), 1),
    ]
    assert store.stargazer_marks([repo]) == {repo.key: StargazerMark(later.starred_at, seen + 1)}

    clock.advance(timedelta(hours=3))
    again = await simulated.collect(store)  # the same count: counted once
    assert (again.run.counts["stargazer_pages"], again.run.counts["stargazers_counted"]) == (0, 0)
    assert store.read_stargazer_days(repo) == expected


def test_a_write_moves_the_mark_to_its_newest_star_one_bounded_part_at_a_time() -> None:
    day = SECONDS_PER_DAY
    stars = [(n * day + 5, None) for n in range(1, 2 * STARGAZER_DAYS_PER_ADD + 2)]
    parts = added_parts(stars, 0)
    assert [len(part) for part, _ in parts] == [STARGAZER_DAYS_PER_ADD] * 2 + [1]
    assert [through for _, through in parts] == [part[-1][0] for part, _ in parts]
    with pytest.raises(ValueError, match="after the mark"):
        added_parts(stars, stars[0][0])


@given(st.lists(st.integers(1, 400 * SECONDS_PER_DAY), max_size=400).map(sorted))
def test_parts_hold_every_star_once_and_never_split_a_day(moments: list[int]) -> None:
    stars = [(moment, None) for moment in moments]
    parts = added_parts(stars, 0)
    assert [star for part, _ in parts for star in part] == stars
    days = [{moment // SECONDS_PER_DAY for moment, _ in part} for part, _ in parts]
    assert all(1 <= len(each) <= STARGAZER_DAYS_PER_ADD for each in days)
    assert all(max(a) < min(b) for a, b in zip(days, days[1:], strict=False))
