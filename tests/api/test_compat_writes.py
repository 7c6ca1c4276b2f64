"""The seed's writes answered as it did: collect now, initialize a repository, reset staging,
with the admin token and a per-client limit that the seed did not have."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ossgrowth.api import create_app
from ossgrowth.clock import FixedClock
from ossgrowth.config import load_settings
from ossgrowth.model import RepoName
from ossgrowth.simulator import SimulatorTransport, World, WorldConfig, build_world
from ossgrowth.simulator import create_app as create_simulator
from ossgrowth.store import SqlStore, open_store
from tests.api.conftest import ADMIN_TOKEN, client_of
from tests.transfer.test_export_import import exported, seeded

pytestmark = pytest.mark.anyio
ORIGIN = "http://simulator"
TOKEN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(WorldConfig(seed=5, repo_count=3, activity_scale=0.1))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path / 'seed.db'}", environment="dev")
    store.upgrade()
    yield store
    store.close()


def client(world: World, store: SqlStore) -> httpx.AsyncClient:
    clock = FixedClock(world.config.now + timedelta(hours=1))
    settings = load_settings(
        admin_token=ADMIN_TOKEN,
        github_api_url=ORIGIN,
        github_tokens="sim-token-1",
        npm_downloads_url=f"{ORIGIN}/npm",
        pypistats_url=f"{ORIGIN}/pypistats",
    )
    transport = SimulatorTransport(create_simulator(world, clock))
    return client_of(create_app(settings, store, clock, upstream_transport=transport))


async def test_initialize_repo_tracks_a_known_repository_with_its_first_values(
    world: World, store: SqlStore
) -> None:
    real = world.repos[0]
    name = f"{real.owner}/{real.name}"
    async with client(world, store) as api:
        answer = await api.post("/api/initialize-repo", json={"repo": name}, headers=TOKEN)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["success"] is True and body["repo"] == name
        assert {"starCount", "openPRs", "mergedPRs", "openIssues", "closedIssues"} <= set(body)
        missing = await api.post(
            "/api/initialize-repo", json={"repo": "nobody-here/missing"}, headers=TOKEN
        )
        assert missing.status_code == 404
        assert missing.json() == {
            "success": False,
            "error": "Repository not found or not accessible",
        }
    assert store.get_subject(RepoName("nobody-here", "missing")) is None  # not tracked
    assert store.get_subject(RepoName(real.owner, real.name)) is not None


async def test_triggers_collect_now_and_answer_the_values(world: World, store: SqlStore) -> None:
    for repo in world.repos:
        store.add_subject(RepoName(repo.owner, repo.name), [], added_at=world.config.now)
    first = f"{world.repos[0].owner}/{world.repos[0].name}"
    async with client(world, store) as api:
        one = await api.post("/api/trigger-star-collection", json={"repo": first}, headers=TOKEN)
        assert one.status_code == 200, one.text
        body = one.json()
        assert body["success"] is True and body["repo"] == first and "starCount" in body
        assert body["timestamp"].endswith("Z")
        every = await api.post("/api/trigger-unified-collection", headers=TOKEN)
        assert every.json()["message"] == "every family collected for 3 repositories"
        prs = await api.post("/api/trigger-pr-velocity", json={"repo": first}, headers=TOKEN)
        assert {"openPRs", "mergedPRs"} <= set(prs.json())
        refused = await api.post("/api/trigger-issue-health")
        assert refused.status_code == 401 and set(refused.json()) == {"error"}
        unknown = await api.post(
            "/api/manual-star-collection", json={"repo": "no/body"}, headers=TOKEN
        )
        assert unknown.status_code == 404 and unknown.json() == {"error": "no/body is not tracked"}


async def test_a_client_may_make_ten_changes_a_minute(world: World, store: SqlStore) -> None:
    async with client(world, store) as api:
        answers = [await api.post("/api/trigger-star-collection", headers=TOKEN) for _ in range(11)]
    assert [answer.status_code for answer in answers[:10]] == [200] * 10
    assert answers[10].status_code == 429 and answers[10].headers["retry-after"] == "60"
    assert "more than 10 changes a minute" in answers[10].json()["error"]


async def test_staging_data_is_replaced_with_a_copy_of_prods(tmp_path: Path) -> None:
    prod = seeded(open_store(load_settings(environment="prod")))
    prod_lines = exported(prod)
    settings = load_settings(
        environment="staging", staging_password="staging-pass", admin_token=ADMIN_TOKEN
    )
    staging = open_store(settings)
    staging.upgrade()
    staging.add_subject(RepoName("only", "staging"), [], added_at=world_now())
    async with client_of(create_app(settings, staging, FixedClock(world_now()))) as api:
        answer = await api.post("/api/reset-staging-data", headers=TOKEN)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"success": True, "itemsCopied": 2 + 36}
    assert exported(staging)[1:] == prod_lines[1:]
    dev = create_app(load_settings(admin_token=ADMIN_TOKEN), prod, FixedClock(world_now()))
    async with client_of(dev) as api:  # anywhere else the path does not exist
        assert (await api.post("/api/reset-staging-data", headers=TOKEN)).status_code == 404
    prod.close()
    staging.close()


def world_now() -> datetime:
    return datetime(2026, 3, 1, tzinfo=UTC)


async def test_writes_that_cannot_reach_github_say_so_in_the_seeds_shape(
    store: SqlStore,
) -> None:
    settings = load_settings(admin_token=ADMIN_TOKEN, github_api_url="http://127.0.0.1:9")
    store.add_subject(RepoName("octo", "widgets"), [], added_at=world_now())
    app = create_app(settings, store, FixedClock(world_now()))
    async with client_of(app) as api:
        answer = await api.post(
            "/api/trigger-star-collection", json={"repo": "octo/widgets"}, headers=TOKEN
        )
        assert answer.status_code == 200
        assert answer.json()["success"] is False
        assert answer.json()["message"].startswith("the collection could not run: cannot reach")
        initialized = await api.post(
            "/api/initialize-repo", json={"repo": "octo/gadgets"}, headers=TOKEN
        )
        assert initialized.json()["success"] is False
    assert store.get_subject(RepoName("octo", "gadgets")) is None
