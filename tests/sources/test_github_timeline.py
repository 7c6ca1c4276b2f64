"""Fork history pages: every fork that still exists, with its creation time, from either end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime, timedelta

import httpx
import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.errors import NotFound, SourceError
from ossgrowth.model import RepoName, to_epoch_seconds
from ossgrowth.simulator import SimRepo, World, WorldConfig, build_world, create_app
from ossgrowth.sources import GitHubTimeline, RetryPolicy, TokenPool, clock_sleeper
from ossgrowth.sources.github_stars import StargazersHidden
from ossgrowth.sources.github_timeline import PAGE_SIZE, Direction, ForkPage
from ossgrowth.sources.replay import Replay

pytestmark = pytest.mark.anyio

BUSY = WorldConfig(
    seed=3, repo_count=6, activity_scale=0.3, oldest_repo_age_days=900, rename_share=0.5
)


@pytest.fixture(scope="module")
def busy() -> World:
    return build_world(BUSY)


@asynccontextmanager
async def timeline(
    transport: httpx.AsyncBaseTransport, clock: FixedClock
) -> AsyncIterator[GitHubTimeline]:
    github = GitHubTimeline(
        "http://simulator/graphql",
        "http://simulator",
        clock=clock,
        tokens=TokenPool(["sim-token-1"], clock=clock),
        transport=transport,
        retry=RetryPolicy(sleep=clock_sleeper(clock), seed=2),
    )
    try:
        yield github
    finally:
        await github.aclose()


def served(world: World, moment: datetime) -> AbstractAsyncContextManager[GitHubTimeline]:
    """The timeline client on ``world`` served in-process at ``moment``."""
    clock = FixedClock(moment)
    return timeline(httpx.ASGITransport(app=create_app(world, clock)), clock)


async def read_all(
    github: GitHubTimeline, repo: RepoName, direction: Direction
) -> tuple[list[int], list[ForkPage]]:
    """Every fork time, oldest first, and the pages they came in."""
    pages = [await github.forks(repo, direction, None)]
    while pages[-1].next_cursor is not None:
        pages.append(await github.forks(repo, direction, pages[-1].next_cursor))
    ordered = pages if direction is Direction.FORWARD else pages[::-1]
    return [moment for page in ordered for moment in page.forked_at], pages


def name_of(repo: SimRepo) -> RepoName:
    return RepoName(repo.owner, repo.name)


def most_forked(world: World) -> SimRepo:
    return max(world.repos, key=lambda repo: len(repo.forks))


@pytest.mark.parametrize("direction", list(Direction))
async def test_fork_pages_give_every_existing_fork_once_with_its_creation_time(
    busy: World, direction: Direction
) -> None:
    repo, now = most_forked(busy), busy.config.now
    async with served(busy, now) as github:
        forked_at, pages = await read_all(github, name_of(repo), direction)
        requests = github.requests_sent

    truth = busy.forks(repo.full_name, now)
    assert len(truth) > 2 * PAGE_SIZE  # three pages at least
    assert forked_at == [to_epoch_seconds(fork.created_at) for fork in truth]
    assert requests == len(pages) == -(-len(truth) // PAGE_SIZE)
    for page in pages:
        assert page.total == page.fork_count == busy.snapshot(repo.full_name, now).forks
        assert list(page.forked_at) == sorted(page.forked_at)
        assert page.created_at == repo.created_at.replace(microsecond=0)


async def test_the_newest_forks_come_first_when_read_backward(busy: World) -> None:
    repo, now = most_forked(busy), busy.config.now
    async with served(busy, now) as github:
        newest = await github.forks(name_of(repo), Direction.BACKWARD, None)

    truth = [to_epoch_seconds(fork.created_at) for fork in busy.forks(repo.full_name, now)]
    assert list(newest.forked_at) == truth[-PAGE_SIZE:]


async def test_history_from_fork_times_misses_only_the_forks_deleted_since(busy: World) -> None:
    """What deleted forks do to a history rebuilt from today's list: at any past moment it
    counts the forks of then that still exist now, short by those deleted in between."""
    repo, now = most_forked(busy), busy.config.now
    async with served(busy, now) as github:
        forked_at, _ = await read_all(github, name_of(repo), Direction.FORWARD)

    short_somewhere = False
    for days_ago in (600, 365, 180, 90, 30, 7, 0):
        moment = now - timedelta(days=days_ago)
        rebuilt = sum(created <= to_epoch_seconds(moment) for created in forked_at)
        deleted_since = sum(
            fork.exists_at(moment) and not fork.exists_at(now) for fork in repo.forks
        )
        assert rebuilt == busy.snapshot(repo.full_name, moment).forks - deleted_since
        short_somewhere |= deleted_since > 0
    assert short_somewhere  # the world does delete forks


async def test_a_fork_deleted_between_two_readings_is_gone_from_the_later(busy: World) -> None:
    repo = most_forked(busy)
    fork = next(
        fork
        for fork in repo.forks
        if fork.deleted_at is not None and fork.deleted_at <= busy.config.now
    )
    assert fork.deleted_at is not None
    moments = (fork.deleted_at - timedelta(seconds=1), fork.deleted_at)
    readings = []
    for moment in moments:
        async with served(busy, moment) as github:
            forked_at, pages = await read_all(github, name_of(repo), Direction.FORWARD)
        readings.append((forked_at, pages[0].fork_count))

    (before, count_before), (after, count_after) = readings
    assert to_epoch_seconds(fork.created_at) in before
    assert len(before) - len(after) == count_before - count_after == 1


async def test_an_old_name_gives_the_forks_of_the_renamed_repository(busy: World) -> None:
    repo = next(repo for repo in busy.repos if repo.previous_names and repo.forks)
    old = RepoName(*repo.previous_names[0].split("/"))
    async with served(busy, busy.config.now) as github:
        forked_at, _ = await read_all(github, old, Direction.FORWARD)

    truth = busy.forks(repo.full_name, busy.config.now)
    assert forked_at == [to_epoch_seconds(fork.created_at) for fork in truth]


async def test_a_missing_repository_is_not_found(busy: World) -> None:
    async with served(busy, busy.config.now) as github:
        with pytest.raises(NotFound):
            await github.forks(RepoName("nobody-here", "nothing"), Direction.FORWARD, None)


async def test_a_forbidden_fork_list_is_a_source_error_not_the_stargazer_rule() -> None:
    clock = FixedClock(BUSY.now)
    refusal = {
        "data": {"repository": None},
        "errors": [{"type": "FORBIDDEN", "path": ["repository"], "message": "Resource protected"}],
    }
    replay = Replay().answer("POST", "/graphql", 200, refusal)

    async with timeline(replay.transport, clock) as github:
        with pytest.raises(SourceError, match="Resource protected") as raised:
            await github.forks(RepoName("o", "r"), Direction.FORWARD, None)

    assert not isinstance(raised.value, StargazersHidden)
