"""The one big world: 50,000 issues and pull requests, counted through the APIs cheaply."""

from __future__ import annotations

import re

import httpx
import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.simulator import SimulatorTransport, WorldConfig, build_world, create_app
from tests.simulator.conftest import TOKEN

pytestmark = pytest.mark.anyio


async def test_a_50000_item_repository_counts_right_through_rest_and_graphql() -> None:
    world = build_world(
        WorldConfig(repo_count=1, big_repo_items=50_000, activity_scale=0.05, package_share=0)
    )
    big = world.repos[-1]
    assert 49_000 <= len(big.items) <= 50_000
    clock = FixedClock(world.config.now)
    truth = world.snapshot(big.full_name, clock.now())
    app = create_app(world, clock)
    async with httpx.AsyncClient(
        transport=SimulatorTransport(app), base_url="http://sim.test"
    ) as client:
        answer = await client.get(
            f"/repos/{big.full_name}/issues?state=all&per_page=1", headers=TOKEN
        )
        last = re.search(r'page=(\d+)>; rel="last"', answer.headers["link"])
        deep = await client.get(
            f"/repos/{big.full_name}/issues?state=all&per_page=100&page=400", headers=TOKEN
        )
        graphql = await client.post(
            "/graphql",
            headers=TOKEN,
            json={
                "query": f"""{{ rateLimit {{ cost }}
                repository(owner: "{big.owner}", name: "{big.name}") {{
                  open: issues(states: OPEN) {{ totalCount }}
                  closed: issues(states: CLOSED) {{ totalCount }}
                  merged: pullRequests(states: MERGED) {{ totalCount }}
                  prs: pullRequests(first: 100, states: [OPEN, CLOSED]) {{
                    totalCount nodes {{ number }} }}
                }} }}"""
            },
        )
    assert last is not None
    total = sum(
        (truth.open_issues, truth.closed_issues, truth.open_prs, truth.merged_prs, truth.closed_prs)
    )
    assert int(last.group(1)) == total
    assert len(deep.json()) == 100
    found = graphql.json()["data"]
    assert found["repository"]["open"]["totalCount"] == truth.open_issues
    assert found["repository"]["closed"]["totalCount"] == truth.closed_issues
    assert found["repository"]["merged"]["totalCount"] == truth.merged_prs
    assert found["repository"]["prs"]["totalCount"] == truth.open_prs + truth.closed_prs
    assert found["rateLimit"]["cost"] == 1
