"""Admin routes: start a collection (against the simulator), list runs, reset staging."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ossgrowth.api import create_app
from ossgrowth.clock import FixedClock
from ossgrowth.config import load_settings
from ossgrowth.model import Family, RepoName
from ossgrowth.simulator import SimulatorTransport, World, WorldConfig, build_world
from ossgrowth.simulator import create_app as create_simulator
from ossgrowth.store import SqlStore
from tests.api.conftest import (
    ADMIN_TOKEN,
    STAGING_PASSWORD,
    AppFactory,
    admin_headers,
    assert_problem,
    client_of,
)

pytestmark = pytest.mark.anyio
ORIGIN = "http://simulator"


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(WorldConfig(seed=3, repo_count=3, activity_scale=0.1))


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path / 'admin.db'}", environment="dev")
    store.upgrade()
    yield store
    store.close()


async def test_a_triggered_collection_answers_202_records_its_run_and_its_budget(
    world: World, empty_store: SqlStore
) -> None:
    clock = FixedClock(world.config.now + timedelta(hours=1))
    settings = load_settings(
        admin_token=ADMIN_TOKEN,
        github_api_url=ORIGIN,
        npm_downloads_url=f"{ORIGIN}/npm",
        pypistats_url=f"{ORIGIN}/pypistats",
    )
    transport = SimulatorTransport(create_simulator(world, clock))
    app = create_app(settings, empty_store, clock, upstream_transport=transport)
    repo = world.repos[0]
    async with client_of(app) as client:
        added = await client.post(
            "/api/v1/repos", json={"repo": repo.full_name}, headers=admin_headers()
        )
        assert added.status_code == 201
        started = await client.post("/api/v1/admin/collect", headers=admin_headers())
        assert started.status_code == 202
        run_id = started.json()["run_id"]
        runs = (await client.get("/api/v1/admin/runs", headers=admin_headers())).json()
        metrics = (await client.get("/metrics")).text
    (run,) = [run for run in runs if run["id"] == run_id]
    assert run["status"] == "succeeded", run["error"]
    assert run["counts"]["subjects_ok"] == 1 and run["finished_at"] is not None
    stars = empty_store.read_series(RepoName(repo.owner, repo.name), Family.STARS)
    assert len(stars) == 1
    assert 'ossgrowth_rate_budget_remaining{resource="core"}' in metrics
    assert 'ossgrowth_runs{job="collect",status="succeeded"} 1.0' in metrics


async def test_admin_routes_refuse_a_missing_or_wrong_token(make_app: AppFactory) -> None:
    async with client_of(make_app(admin_token=ADMIN_TOKEN)) as client:
        assert_problem(await client.get("/api/v1/admin/runs"), 401)
        wrong = {"Authorization": "Bearer admin-secret-tokeN"}
        assert_problem(await client.post("/api/v1/admin/collect", headers=wrong), 401)


async def test_staging_data_can_be_reset_by_the_admin(make_app: AppFactory) -> None:
    app = make_app(
        environment="staging", staging_password=STAGING_PASSWORD, admin_token=ADMIN_TOKEN
    )
    async with client_of(app) as client:
        response = await client.post("/api/v1/admin/reset-staging", headers=admin_headers())
        assert response.status_code == 200
        assert response.json()["subjects"] == 2 and response.json()["star_growth"] > 0
        listed = await client.get("/api/v1/admin/runs", headers=admin_headers())
        assert listed.json() == []


async def test_outside_staging_there_is_no_reset(make_app: AppFactory) -> None:
    async with client_of(make_app(admin_token=ADMIN_TOKEN)) as client:
        response = await client.post("/api/v1/admin/reset-staging", headers=admin_headers())
        assert_problem(response, 404)


async def test_adding_a_repository_queues_its_backfill_and_the_admin_route_runs_it(
    world: World, empty_store: SqlStore
) -> None:
    clock = FixedClock(world.config.now + timedelta(hours=1))
    settings = load_settings(
        admin_token=ADMIN_TOKEN,
        github_api_url=ORIGIN,
        github_tokens="sim-token-1",
        npm_downloads_url=f"{ORIGIN}/npm",
        pypistats_url=f"{ORIGIN}/pypistats",
    )
    transport = SimulatorTransport(create_simulator(world, clock))
    app = create_app(settings, empty_store, clock, upstream_transport=transport)
    repo = world.repos[0]
    name = RepoName(repo.owner, repo.name)
    async with client_of(app) as client:
        added = await client.post(
            "/api/v1/repos", json={"repo": repo.full_name}, headers=admin_headers()
        )
        assert added.status_code == 201
        queued = {job.family for job in empty_store.backfill_jobs()}
        assert queued == set(Family)
        untracked = await client.post(
            "/api/v1/admin/backfill", params={"repo": "nobody/nothing"}, headers=admin_headers()
        )
        assert_problem(untracked, 404)
        started = await client.post(
            "/api/v1/admin/backfill", params={"repo": repo.full_name}, headers=admin_headers()
        )
        assert started.status_code == 202 and started.json()["runs"] == "/api/v1/admin/runs"
        runs = (await client.get("/api/v1/admin/runs", headers=admin_headers())).json()
    assert runs[0]["job"] == "backfill" and runs[0]["status"] in {"succeeded", "partial"}
    stars = empty_store.read_series(name, Family.STARS)
    truth = world.snapshot(repo.full_name, clock.now())
    assert len(stars) > 1 and stars.columns["star_count"][-1] == truth.star_count
    assert {source for source in stars.sources} <= {
        "github-stargazers-history",
        "github-stargazers",
    }
