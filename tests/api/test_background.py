"""Work beside the API: a server's backfill worker brings a tracked repository's history by
itself (`/backfill` tells how far it got), and its scheduler collects it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import anyio
import pytest
from fastapi import FastAPI

from ossgrowth.api import create_app
from ossgrowth.checkpoints import BackfillStatus, PageCheckpoint
from ossgrowth.clock import FixedClock
from ossgrowth.collect.scheduler import MAX_SLEEP_SECONDS
from ossgrowth.config import load_settings
from ossgrowth.metrics.registry import FAMILIES
from ossgrowth.model import Family, RepoName, RunStatus
from ossgrowth.simulator import SimulatorTransport, World, WorldConfig, build_world
from ossgrowth.simulator import create_app as create_simulator
from ossgrowth.store import SqlStore
from tests.api.conftest import ADMIN_TOKEN, admin_headers, client_of

pytestmark = pytest.mark.anyio
ORIGIN = "http://simulator"
SAFETY_NET_SECONDS = 300
"""Longest wait for the server's loops to finish their work, never reached unless they hang:
they take a few seconds, a few times that on a busy machine."""
SERVER_LOOPS = pytest.mark.slow
"""The server's background loops run as they do in ``serve``, on real time: the tests wait for
what they write to the store (not for a duration), and wake them through the API."""


async def until_no_job_is_queued(store: SqlStore) -> None:
    """Until every job is done and the runs that did them are recorded as ended (the worker
    writes from a thread, so a run may still be recording its end when its jobs are done)."""
    with anyio.fail_after(SAFETY_NET_SECONDS):
        while store.backfill_jobs(BackfillStatus.QUEUED) or any(
            run.status is RunStatus.RUNNING for run in store.list_runs()
        ):
            await anyio.sleep(0.02)


def app_with_worker(world: World, store: SqlStore, *, schedule: bool = False) -> FastAPI:
    """The app as ``ossgrowth serve`` builds it, its upstreams simulated.

    The worker looks at the queue only when it starts and when woken: its next poll is an
    hour away, so a backfill done in time was started by the request that woke it.
    """
    clock = FixedClock(world.config.now)
    settings = load_settings(
        admin_token=ADMIN_TOKEN,
        github_api_url=ORIGIN,
        github_tokens="sim-token-1",
        npm_downloads_url=f"{ORIGIN}/npm",
        pypistats_url=f"{ORIGIN}/pypistats",
        backfill_poll_seconds=3600,
    )
    transport = SimulatorTransport(create_simulator(world, clock))
    return create_app(
        settings,
        store,
        clock,
        upstream_transport=transport,
        backfill_worker=True,
        collection_scheduler=schedule,
    )


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(WorldConfig(seed=4, repo_count=2, activity_scale=0.1))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path / 'worker.db'}", environment="dev")
    store.upgrade()
    yield store
    store.close()


@SERVER_LOOPS
async def test_tracking_through_the_api_backfills_the_history_without_another_request(
    world: World, store: SqlStore
) -> None:
    app = app_with_worker(world, store)
    repo = world.repos[0]
    series = f"/api/v1/repos/{repo.full_name}/series/stars"
    async with app.router.lifespan_context(app), client_of(app) as client:
        added = await client.post(
            "/api/v1/repos", json={"repo": repo.full_name}, headers=admin_headers()
        )
        assert added.status_code == 201
        await until_no_job_is_queued(store)
        assert {job.status for job in store.backfill_jobs()} == {BackfillStatus.DONE}
        answer = await client.get(series, params={"max_points": 100_000})
        progress = (await client.get(f"/api/v1/repos/{repo.full_name}/backfill")).json()
        runs = (await client.get("/api/v1/admin/runs", headers=admin_headers())).json()
    assert answer.status_code == 200
    points = answer.json()["points"]
    assert len(points) > 30 and {p["provenance"] for p in points} == {"reconstructed"}
    assert [run["job"] for run in runs] == ["backfill"]
    assert progress["complete"] is True
    assert [job["family"] for job in progress["jobs"]] == [family.value for family in FAMILIES]
    assert all(job["status"] == "done" and not job["running"] for job in progress["jobs"])
    assert progress["jobs"][0]["method"] in {"github-stargazers", "github-stargazers-history"}
    assert runs[0]["status"] == "succeeded"


@SERVER_LOOPS
async def test_the_admin_backfill_route_wakes_the_worker_instead_of_running_its_own(
    world: World, store: SqlStore
) -> None:
    app = app_with_worker(world, store)
    async with app.router.lifespan_context(app), client_of(app) as client:
        for repo in world.repos:
            await client.post(
                "/api/v1/repos", json={"repo": repo.full_name}, headers=admin_headers()
            )
        started = await client.post("/api/v1/admin/backfill", headers=admin_headers())
        assert started.status_code == 202
        await until_no_job_is_queued(store)
        runs = (await client.get("/api/v1/admin/runs", headers=admin_headers())).json()
    assert {job.status for job in store.backfill_jobs()} == {BackfillStatus.DONE}
    assert all(run["job"] == "backfill" and run["status"] == "succeeded" for run in runs), runs
    assert sum(run["counts"]["jobs_done"] for run in runs) == len(FAMILIES) * len(world.repos)
    assert all(run["counts"]["jobs_elsewhere"] == 0 for run in runs)


async def test_backfill_progress_tells_queued_running_and_stored_pages(
    world: World, store: SqlStore
) -> None:
    clock = FixedClock(world.config.now)
    repo = RepoName(world.repos[0].owner, world.repos[0].name)
    store.add_subject(repo, [], added_at=clock.now())
    store.enqueue_backfill(repo, [Family.STARS, Family.ISSUES], enqueued_at=clock.now())
    for number in (1, 2):
        store.save_backfill_page(
            PageCheckpoint(repo, Family.ISSUES, "issues/OPEN/forward", number, f"c{number}", "{}")
        )
    now = clock.now()
    store.claim_backfill(repo, Family.ISSUES, owner="w", now=now, until=now + timedelta(minutes=1))
    app = create_app(load_settings(), store, clock)
    async with client_of(app) as client:
        progress = (await client.get(f"/api/v1/repos/{repo}/backfill")).json()
        missing = await client.get("/api/v1/repos/octo/nothing/backfill")
    assert progress["complete"] is False
    stars, issues = progress["jobs"]
    assert (stars["family"], stars["status"], stars["running"], stars["pages_stored"]) == (
        "stars",
        "queued",
        False,
        0,
    )
    assert (issues["status"], issues["running"], issues["pages_stored"]) == ("queued", True, 2)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


@SERVER_LOOPS
async def test_tracking_wakes_the_scheduler_which_collects_the_new_repository_at_once(
    world: World, store: SqlStore
) -> None:
    """Nothing was tracked when the server started: no slot was taken, so the latest slot of
    each schedule is collected as soon as the first repository arrives, not up to 5 min later.

    The loops are given a tenth of a second to look once first. On a machine too busy for that
    they look after the repository arrived and collect it then: the test still passes, having
    shown less (that a first look collects, not that a wake cuts a wait short)."""
    app = app_with_worker(world, store, schedule=True)
    repo = world.repos[0]
    async with app.router.lifespan_context(app), client_of(app) as client:
        await anyio.sleep(0.1)  # both loops look once and wait (see above)
        assert store.list_runs() == []
        added = await client.post(
            "/api/v1/repos", json={"repo": repo.full_name}, headers=admin_headers()
        )
        assert added.status_code == 201
        with anyio.fail_after(MAX_SLEEP_SECONDS / 2):  # unwoken, it would sleep up to that
            while {run.job for run in store.list_runs() if run.finished_at} < {
                "collect:stars",
                "collect:prs+issues",
                "collect:downloads",
                "backfill",
            }:
                await anyio.sleep(0.02)
        metrics = (await client.get("/metrics")).text
    assert 'ossgrowth_rate_budget_remaining{resource="graphql"}' in metrics
    assert 'ossgrowth_runs{job="collect:stars",status="succeeded"} 1.0' in metrics
    name = RepoName(repo.owner, repo.name)
    stars = store.read_series(name, Family.STARS)
    assert "measured" in {point.provenance.label for point in stars.points()}
