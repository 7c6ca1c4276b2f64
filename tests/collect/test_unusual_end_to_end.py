"""Unusual growth end to end: a simulated purchase of stars and a launch, backfilled from the
simulated GitHub and read from the API.

Repository 0 may list its stargazers (``sim-token-1`` is its collaborator), so the purchase is
told apart from the launch by the stargazers' account ages. Repository 1 may not: its star
history comes from the weekly counts and both of its bursts are spikes, with the answer saying
the account-age test was not run.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from ossgrowth.api import create_app as create_api
from ossgrowth.clock import FixedClock
from ossgrowth.collect import build_history_sources, enqueue_backfill, run_backfill
from ossgrowth.config import load_settings
from ossgrowth.model import RepoName
from ossgrowth.simulator import SimulatorTransport, World, WorldConfig, build_world, create_app
from ossgrowth.simulator.config import DEFAULT_NOW, StarBurst
from ossgrowth.sources import RetryPolicy, clock_sleeper
from ossgrowth.store import SqlStore

pytestmark = pytest.mark.anyio
ORIGIN = "http://simulator"
LAUNCH_DAY = (DEFAULT_NOW - timedelta(days=45)).date()
PURCHASE_DAY = (DEFAULT_NOW - timedelta(days=20)).date()
BURSTS = tuple(
    StarBurst(repo_index=index, day=day, stars=250, bought=bought)
    for index in (0, 1)
    for day, bought in ((LAUNCH_DAY, False), (PURCHASE_DAY, True))
)


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(
        WorldConfig(
            seed=3, repo_count=3, activity_scale=0.3, oldest_repo_age_days=400, bursts=BURSTS
        )
    )


async def unusual_of(store: SqlStore, world: World, index: int) -> dict[str, Any]:
    """Backfill the world's repositories with ``sim-token-1`` and ask the API for one's flags."""
    clock = FixedClock(world.config.now)
    for repo in world.repos:
        store.add_subject(RepoName(repo.owner, repo.name), [], added_at=clock.now())
    settings = load_settings(
        github_api_url=ORIGIN,
        github_tokens="sim-token-1",
        npm_downloads_url=f"{ORIGIN}/npm",
        pypistats_url=f"{ORIGIN}/pypistats",
    )
    sources = build_history_sources(
        settings,
        clock,
        transport=SimulatorTransport(create_app(world, clock)),
        retry=RetryPolicy(sleep=clock_sleeper(clock), seed=1),
    )
    enqueue_backfill(store, clock, None)
    async with sources:
        await run_backfill(store, sources, clock)
    api = create_api(load_settings(), store, clock)
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        answer = await client.get(f"/api/v1/repos/{world.repos[index].full_name}/unusual")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_the_purchase_is_unusual_and_the_launch_a_spike(
    store: SqlStore, world: World
) -> None:
    assert world.is_collaborator("sim-token-1", world.repos[0].full_name)
    body = await unusual_of(store, world, 0)
    kinds = {day["day"]: day["kind"] for day in body["days"]}
    assert body["account_age_test"] == "run"
    assert kinds[LAUNCH_DAY.isoformat()] == "spike"
    assert kinds[PURCHASE_DAY.isoformat()] == "unusual"
    assert [day for day, kind in kinds.items() if kind == "unusual"] == [PURCHASE_DAY.isoformat()]
    shares = {day["day"]: day["new_account_share"] for day in body["days"]}
    assert shares[PURCHASE_DAY.isoformat()] > 0.9
    assert shares[LAUNCH_DAY.isoformat()] < 0.2
    assert body["baseline_new_account_share"] < 0.15


async def test_without_the_stargazer_list_both_bursts_are_spikes(
    store: SqlStore, world: World
) -> None:
    assert not world.is_collaborator("sim-token-1", world.repos[1].full_name)
    body = await unusual_of(store, world, 1)
    kinds = {day["day"]: day["kind"] for day in body["days"]}
    assert body["account_age_test"] == "not_run"
    assert kinds[LAUNCH_DAY.isoformat()] == "spike"
    assert kinds[PURCHASE_DAY.isoformat()] == "spike"
    assert set(kinds.values()) == {"spike"}
    assert "account-age test was not run" in body["notes"][0]
