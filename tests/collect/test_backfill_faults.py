"""Backfills through what goes wrong upstream: a fifth of requests failing every way the
simulator can fail them, and repositories renamed since they were tracked."""

from __future__ import annotations

from pathlib import Path

import pytest

from ossgrowth.checkpoints import BackfillStatus
from ossgrowth.clock import FixedClock
from ossgrowth.collect import StarMethod, enqueue_backfill, run_backfill
from ossgrowth.errors import OssgrowthError
from ossgrowth.model import Family, RepoName
from ossgrowth.simulator import (
    FaultConfig,
    FaultKind,
    SimulatorTransport,
    World,
    WorldConfig,
    build_world,
    create_app,
)
from ossgrowth.store import SqlStore
from tests.collect.test_backfill import all_rows, sources, track

pytestmark = pytest.mark.anyio
EVERY_FAULT = FaultConfig(rate=0.2, kinds=frozenset(FaultKind), seed=31)
MAX_RUNS = 6
"""A job cut short when retries run out stays queued with its pages; a later run resumes it."""


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(WorldConfig(seed=8, repo_count=6, activity_scale=0.1, rename_share=0.3))


def fresh_store(tmp_path: Path, name: str, world: World) -> SqlStore:
    store = SqlStore(f"sqlite:///{tmp_path / name}.db", environment="dev")
    store.upgrade()
    track(store, world)
    return store


async def test_faults_of_every_kind_end_in_the_rows_of_a_clean_backfill(
    tmp_path: Path, world: World
) -> None:
    clock = FixedClock(world.config.now)
    clean = fresh_store(tmp_path, "clean", world)
    enqueue_backfill(clean, clock, None)
    clients = sources(world, clock)
    await run_backfill(clean, clients, clock)
    await clients.aclose()
    assert {job.status for job in clean.backfill_jobs()} == {BackfillStatus.DONE}

    faulty = fresh_store(tmp_path, "faulty", world)
    enqueue_backfill(faulty, clock, None)
    app = create_app(world, clock, faults=EVERY_FAULT)
    runs = 0
    while faulty.backfill_jobs(BackfillStatus.QUEUED) and runs < MAX_RUNS:
        runs += 1
        clients = sources(world, clock, transport=SimulatorTransport(app, EVERY_FAULT))
        try:
            await run_backfill(faulty, clients, clock)
        except OssgrowthError:
            pass  # interrupted jobs keep their pages; the next run goes on
        finally:
            await clients.aclose()

    assert {job.status for job in faulty.backfill_jobs()} == {BackfillStatus.DONE}
    assert all_rows(faulty, world) == all_rows(clean, world)
    met = app.state.ledger.snapshot().faults
    assert set(met) == {kind.value for kind in FaultKind}, met
    clean.close()
    faulty.close()


async def test_a_repository_tracked_under_an_old_name_is_backfilled_through_the_rename(
    tmp_path: Path, world: World
) -> None:
    """REST answers an old name with 301 to ``/repositories/{id}/…``; GraphQL resolves it."""
    clock = FixedClock(world.config.now)
    renamed = [repo for repo in world.repos if repo.previous_names]
    assert renamed, "the world should hold renamed repositories"
    old_store = SqlStore(f"sqlite:///{tmp_path / 'old.db'}", environment="dev")
    old_store.upgrade()
    new_store = fresh_store(tmp_path, "new", world)
    for repo in renamed:
        owner, name = repo.previous_names[0].split("/")
        old_store.add_subject(RepoName(owner, name), [], added_at=clock.now())
    for store in (old_store, new_store):
        enqueue_backfill(store, clock, None, [Family.STARS, Family.ISSUES, Family.PRS])
        clients = sources(world, clock, star_method=StarMethod.HISTORY)
        await run_backfill(store, clients, clock)
        await clients.aclose()

    assert {job.status for job in old_store.backfill_jobs()} == {BackfillStatus.DONE}
    for repo in renamed:
        old = RepoName(*repo.previous_names[0].split("/"))
        new = RepoName(repo.owner, repo.name)
        for family in (Family.STARS, Family.ISSUES, Family.PRS):
            through_rename = old_store.read_series(old, family).rows
            assert through_rename and through_rename == new_store.read_series(new, family).rows
    old_store.close()
    new_store.close()
