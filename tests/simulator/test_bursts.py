"""Scenario bursts (a purchase of stars, a launch) and the users' account creation times."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.errors import InputError
from ossgrowth.simulator import SimulatorTransport, build_world, create_app
from ossgrowth.simulator.accounts import NEW_ACCOUNT_SHARE
from ossgrowth.simulator.config import StarBurst
from ossgrowth.simulator.world import World
from tests.simulator.conftest import SMALL

pytestmark = pytest.mark.anyio

DAY = (SMALL.now - timedelta(days=20)).date()
BOUGHT = StarBurst(repo_index=1, day=DAY, stars=300, bought=True)
LAUNCH = StarBurst(repo_index=2, day=DAY, stars=300)
WITH_BURSTS = replace(SMALL, bursts=(BOUGHT, LAUNCH))


@pytest.fixture(scope="module")
def burst_world() -> World:
    return build_world(WITH_BURSTS)


def burst_users(world: World, index: int) -> list[int]:
    start = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC)
    repo = world.repos[index]
    return [
        star.user_id
        for star in repo.stars
        if start <= star.starred_at < start + timedelta(days=1) and star.user_id >= 20_000_000
    ]


def test_bursts_add_their_stars_and_change_nothing_else(burst_world: World) -> None:
    plain = build_world(SMALL)
    assert burst_world.repos[0] == plain.repos[0]
    assert burst_world.repos[3:] == plain.repos[3:]
    for index in (1, 2):
        ours, before = burst_world.repos[index], plain.repos[index]
        assert len(ours.stars) == len(before.stars) + 300
        assert ours.items == before.items and ours.forks == before.forks
        assert [star.starred_at for star in ours.stars] == sorted(
            star.starred_at for star in ours.stars
        )
        assert len(burst_users(burst_world, index)) == 300


def test_bought_stars_come_from_accounts_made_days_before(burst_world: World) -> None:
    start = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC)
    for user_id in burst_users(burst_world, 1):
        created = burst_world.account_created_at(user_id)
        assert start - timedelta(days=7) <= created <= start - timedelta(days=1)


def test_launch_stars_come_from_accounts_of_all_ages(burst_world: World) -> None:
    start = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC)
    ages = [
        (start - burst_world.account_created_at(user_id)).days
        for user_id in burst_users(burst_world, 2)
    ]
    new_share = sum(age < 30 for age in ages) / len(ages)
    assert new_share < 4 * NEW_ACCOUNT_SHARE
    assert max(ages) > 365 * 3


def test_no_account_is_created_after_its_first_star(burst_world: World) -> None:
    for repo in burst_world.repos:
        for star in repo.stars[:200]:
            assert burst_world.account_created_at(star.user_id) <= star.starred_at


def test_a_burst_before_its_repository_existed_is_refused() -> None:
    early = StarBurst(repo_index=0, day=(SMALL.now - timedelta(days=4000)).date(), stars=5)
    with pytest.raises(InputError, match="before its repository was created"):
        build_world(replace(SMALL, bursts=(early,)))


def test_a_burst_of_an_unknown_repository_is_refused() -> None:
    with pytest.raises(InputError, match="names repository 9"):
        replace(SMALL, bursts=(StarBurst(repo_index=9, day=DAY, stars=5),))
    with pytest.raises(InputError, match="1 to 100,000 stars"):
        StarBurst(repo_index=0, day=DAY, stars=0)


@pytest.fixture
async def client(burst_world: World) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(burst_world, FixedClock(burst_world.config.now))
    async with httpx.AsyncClient(
        transport=SimulatorTransport(app), base_url="http://sim.test"
    ) as served:
        yield served


async def test_graphql_serves_each_stargazer_account_creation(
    burst_world: World, client: httpx.AsyncClient
) -> None:
    repo = burst_world.repos[1]
    token = sorted(burst_world.collaborator_tokens(repo.full_name))[0]
    query = """query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) {
      stargazers(last: 100, orderBy: {field: STARRED_AT, direction: ASC}) {
        edges { starredAt node { login createdAt } } } } }"""
    answer = await client.post(
        "/graphql",
        json={"query": query, "variables": {"owner": repo.owner, "name": repo.name}},
        headers={"Authorization": f"bearer {token}"},
    )
    edges = answer.json()["data"]["repository"]["stargazers"]["edges"]
    held = [star for star in repo.stars if star.held_at(burst_world.config.now)][-100:]
    assert len(edges) == len(held)
    for edge, star in zip(edges, held, strict=True):
        created = datetime.fromisoformat(edge["node"]["createdAt"].replace("Z", "+00:00"))
        assert created == burst_world.account_created_at(star.user_id).replace(microsecond=0)
        assert created <= datetime.fromisoformat(edge["starredAt"].replace("Z", "+00:00"))
