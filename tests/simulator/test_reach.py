"""Forks and watchers: ground truth, and the GraphQL and REST answers served from it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from graphql import parse

from ossgrowth.clock import FixedClock
from ossgrowth.simulator import (
    SimFork,
    SimRepo,
    SimulatorTransport,
    World,
    WorldConfig,
    build_world,
    create_app,
)
from ossgrowth.simulator.graphql_cost import query_cost
from ossgrowth.simulator.graphql_schema import build_github_schema
from ossgrowth.sources.github_graphql import snapshot_query
from tests.simulator.conftest import TOKEN

pytestmark = pytest.mark.anyio

BUSY = WorldConfig(seed=3, repo_count=6, activity_scale=0.3, oldest_repo_age_days=900)
FORKS_PAGE = """query($owner: String!, $name: String!, $first: Int, $last: Int,
                     $after: String, $before: String, $direction: OrderDirection!) {
  repository(owner: $owner, name: $name) {
    forkCount
    forks(first: $first, last: $last, after: $after, before: $before,
          orderBy: {field: CREATED_AT, direction: $direction}) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      nodes { createdAt databaseId isFork nameWithOwner }
    }
  }
}"""


@pytest.fixture(scope="module")
def busy() -> World:
    return build_world(BUSY)


@asynccontextmanager
async def served_at(world: World, moment: datetime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(world, FixedClock(moment))
    async with httpx.AsyncClient(
        transport=SimulatorTransport(app), base_url="http://sim.test"
    ) as client:
        yield client


async def ask(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    answer = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": "bearer sim-token-1"},
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


async def walk_forks(
    client: httpx.AsyncClient, repo: SimRepo, *, backward: bool, size: int = 7
) -> tuple[list[dict[str, Any]], int, int]:
    """Every fork node read page by page, in creation order; totalCount and forkCount."""
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    while True:
        paging = {"last": size, "before": cursor} if backward else {"first": size, "after": cursor}
        data = await ask(
            client, FORKS_PAGE, owner=repo.owner, name=repo.name, direction="ASC", **paging
        )
        connection = data["repository"]["forks"]
        pages.append(connection["nodes"])
        info = connection["pageInfo"]
        more = info["hasPreviousPage"] if backward else info["hasNextPage"]
        if not more:
            break
        cursor = info["startCursor"] if backward else info["endCursor"]
    ordered = [node for page in (reversed(pages) if backward else pages) for node in page]
    return ordered, connection["totalCount"], data["repository"]["forkCount"]


def deleted_fork(world: World) -> tuple[SimRepo, SimFork]:
    """A fork deleted before the world's present, and its repository."""
    for repo in world.repos:
        for fork in repo.forks:
            if fork.deleted_at is not None and fork.deleted_at <= world.config.now:
                return repo, fork
    raise AssertionError("the busy world has no deleted fork")


# Ground truth ------------------------------------------------------------------------------


def test_fork_and_watcher_counts_follow_every_fork_and_subscription(busy: World) -> None:
    for repo in busy.repos:
        for moment in (
            repo.created_at,
            repo.created_at + (busy.config.now - repo.created_at) / 2,
            busy.config.now,
            busy.config.horizon,
        ):
            truth = busy.snapshot(repo.full_name, moment)
            assert truth.forks == sum(fork.exists_at(moment) for fork in repo.forks)
            assert truth.forks == len(busy.forks(repo.full_name, moment))
            assert truth.watchers == sum(w.watching_at(moment) for w in repo.watchers)
            assert truth.watchers == len(busy.watchers(repo.full_name, moment))


def test_forks_are_listed_oldest_first_and_ids_are_shared_with_no_repository(busy: World) -> None:
    ids = [repo.database_id for repo in busy.repos]
    for repo in busy.repos:
        created = [fork.created_at for fork in repo.forks]
        assert created == sorted(created)
        assert all(fork.created_at >= repo.created_at for fork in repo.forks)
        ids.extend(fork.database_id for fork in repo.forks)
    assert len(ids) == len(set(ids))


def test_forks_get_deleted_and_watchers_stop_so_both_counts_can_fall(busy: World) -> None:
    repo = max(busy.repos, key=lambda repo: len(repo.forks))
    days = busy.daily_snapshots(repo.full_name)
    forks = [truth.forks for _, truth in days]
    watchers = [truth.watchers for _, truth in days]
    assert any(later < earlier for earlier, later in zip(forks, forks[1:], strict=False))
    assert any(later < earlier for earlier, later in zip(watchers, watchers[1:], strict=False))
    assert watchers[0] >= 1  # whoever made it watches from the start


def test_the_same_seed_draws_the_same_forks_and_watchers(busy: World) -> None:
    again = build_world(BUSY)
    assert [repo.forks for repo in again.repos] == [repo.forks for repo in busy.repos]
    assert [repo.watchers for repo in again.repos] == [repo.watchers for repo in busy.repos]


# GraphQL -----------------------------------------------------------------------------------


@pytest.mark.parametrize("backward", [False, True], ids=["forward", "backward"])
async def test_fork_pages_list_every_fork_once_and_agree_with_fork_count(
    busy: World, backward: bool
) -> None:
    now = busy.config.now
    repo = max(busy.repos, key=lambda repo: len(repo.forks))
    async with served_at(busy, now) as client:
        nodes, total, fork_count = await walk_forks(client, repo, backward=backward)

    truth = busy.forks(repo.full_name, now)
    assert len(nodes) == total == fork_count == busy.snapshot(repo.full_name, now).forks
    assert [node["databaseId"] for node in nodes] == [fork.database_id for fork in truth]
    assert [node["createdAt"] for node in nodes] == sorted(node["createdAt"] for node in nodes)
    assert all(node["isFork"] and node["nameWithOwner"].endswith(f"/{repo.name}") for node in nodes)


async def test_forks_read_newest_first_are_the_same_forks_reversed(busy: World) -> None:
    repo = max(busy.repos, key=lambda repo: len(repo.forks))
    async with served_at(busy, busy.config.now) as client:
        data = await ask(
            client, FORKS_PAGE, owner=repo.owner, name=repo.name, first=5, direction="DESC"
        )
    newest = [fork.database_id for fork in busy.forks(repo.full_name, busy.config.now)][-5:]
    assert [node["databaseId"] for node in data["repository"]["forks"]["nodes"]] == newest[::-1]


async def test_a_deleted_fork_is_gone_from_the_list_and_from_fork_count(busy: World) -> None:
    repo, fork = deleted_fork(busy)
    assert fork.deleted_at is not None
    seen = {}
    for label, moment in (
        ("before", fork.deleted_at - timedelta(seconds=1)),
        ("after", fork.deleted_at),
    ):
        async with served_at(busy, moment) as client:
            nodes, total, fork_count = await walk_forks(client, repo, backward=False, size=100)
        assert total == fork_count == busy.snapshot(repo.full_name, moment).forks
        seen[label] = ({node["databaseId"] for node in nodes}, fork_count)

    (ids_before, count_before), (ids_after, count_after) = seen["before"], seen["after"]
    assert fork.database_id in ids_before and fork.database_id not in ids_after
    assert ids_before - ids_after == {fork.database_id}
    assert count_after == count_before - 1


async def test_watchers_total_count_and_pages_equal_the_truth_as_it_changes(busy: World) -> None:
    repo = max(busy.repos, key=lambda repo: len(repo.watchers))
    query = """query($owner: String!, $name: String!, $after: String) {
      repository(owner: $owner, name: $name) {
        watchers(first: 25, after: $after) {
          totalCount pageInfo { hasNextPage endCursor } nodes { login databaseId }
        } } }"""
    counts = []
    for moment in (busy.config.now - timedelta(days=200), busy.config.now):
        users: list[int] = []
        after = None
        async with served_at(busy, moment) as client:
            while True:
                data = await ask(client, query, owner=repo.owner, name=repo.name, after=after)
                connection = data["repository"]["watchers"]
                users.extend(node["databaseId"] for node in connection["nodes"])
                if not connection["pageInfo"]["hasNextPage"]:
                    break
                after = connection["pageInfo"]["endCursor"]
        truth = busy.snapshot(repo.full_name, moment).watchers
        assert connection["totalCount"] == len(users) == truth
        assert users == [w.user_id for w in busy.watchers(repo.full_name, moment)]
        counts.append(truth)
    assert counts[0] != counts[1]


async def test_a_fork_answers_as_a_repository_with_nothing_of_its_own(busy: World) -> None:
    repo = max(busy.repos, key=lambda repo: len(repo.forks))
    query = """query($owner: String!, $name: String!) {
      repository(owner: $owner, name: $name) {
        isFork forks(first: 1) { nodes {
          isFork forkCount stargazerCount owner { login } primaryLanguage { name }
          forks { totalCount } watchers { totalCount } issues { totalCount }
        } } } }"""
    async with served_at(busy, busy.config.now) as client:
        data = await ask(client, query, owner=repo.owner, name=repo.name)
    assert data["repository"]["isFork"] is False
    (node,) = data["repository"]["forks"]["nodes"]
    assert node["isFork"] is True and node["primaryLanguage"] == {"name": repo.language}
    assert (node["forkCount"], node["stargazerCount"]) == (0, 0)
    assert node["forks"] == node["watchers"] == node["issues"] == {"totalCount": 0}


def test_the_snapshot_query_with_reach_costs_six_points_a_hundred_repositories() -> None:
    """forkCount is a scalar (free); watchers is a sixth totalCount-only connection."""
    schema = build_github_schema()
    cost = query_cost(schema, parse(snapshot_query(100)), None, None)
    assert cost.requests == 600 and cost.points == 6


# REST --------------------------------------------------------------------------------------


async def test_rest_counts_forks_and_subscribers_and_watchers_count_is_stars(busy: World) -> None:
    repo = max(busy.repos, key=lambda repo: len(repo.forks))
    for moment in (busy.config.now - timedelta(days=90), busy.config.now):
        async with served_at(busy, moment) as client:
            body = (await client.get(f"/repos/{repo.full_name}", headers=TOKEN)).json()
        truth = busy.snapshot(repo.full_name, moment)
        assert body["forks_count"] == body["forks"] == body["network_count"] == truth.forks
        assert body["subscribers_count"] == truth.watchers
        assert body["watchers_count"] == body["watchers"] == body["stargazers_count"]
        assert body["stargazers_count"] == truth.star_count
