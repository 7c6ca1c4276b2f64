"""sync: a summary of what changes, a question before writing, nothing deleted without
--prune, and a measured point never replaced by a reconstructed one; stargazer days (kept by
a target that follows the list) and collections (merged, members taken out only with
--prune) go too, into every backend."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from ossgrowth.config import load_settings
from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.metrics.unusual import StargazerDay
from ossgrowth.model import Collection, Point, Provenance, RepoName
from ossgrowth.store import SqlStore, open_store
from ossgrowth.transfer.syncing import CollectionChange, plan_sync, sync
from tests.contracts import test_store_contract as contract
from tests.test_cli import run_cli
from tests.transfer.test_export_import import T0, exported

make_store = contract.make_store
"""Every backend's fixture (SQLite, PostgreSQL, DynamoDB), shared with the store contract."""

REPO = RepoName("octo", "widgets")
LONE = RepoName("octo", "only-in-prod")
NEW = RepoName("octo", "new")
SHARED = RepoName("octo", "shared")
MARK = T0 + timedelta(days=2, hours=6)
"""Where staging has read the widgets' stargazer list to."""


def stars(step: int, count: int, provenance: Provenance, source: str = "gql") -> Point:
    return Point(
        REPO, Family.STARS, T0 + timedelta(days=step), {"star_count": count}, provenance, source
    )


def environment(name: str) -> SqlStore:
    store = open_store(load_settings(environment=name))
    store.upgrade()
    return store


@pytest.fixture
def staging_and_prod() -> None:
    staging, prod = environment("staging"), environment("prod")
    for store in (staging, prod):
        store.add_subject(REPO, [], added_at=T0)
    staging.write_points(
        [
            stars(0, 10, Provenance.MEASURED),  # same in prod
            stars(1, 11, Provenance.MEASURED),  # changed: prod's is reconstructed
            stars(2, 12, Provenance.RECONSTRUCTED),  # kept: prod's is measured
            stars(3, 13, Provenance.MEASURED),  # new
        ]
    )
    prod.write_points(
        [
            stars(0, 10, Provenance.MEASURED),
            stars(1, 99, Provenance.RECONSTRUCTED),
            stars(2, 42, Provenance.MEASURED),
            stars(9, 19, Provenance.MEASURED),  # only in prod
        ]
    )
    prod.add_subject(LONE, [], added_at=T0)
    staging.close()
    prod.close()


@pytest.mark.usefixtures("staging_and_prod")
def test_sync_summarises_then_writes_and_deletes_only_when_pruning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(capsys, "sync", "--from", "staging", "--to", "prod", "--dry-run")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split("\t") == [
        "family",
        "new",
        "changed",
        "same",
        "kept",
        "only_in_target",
    ]
    assert lines[1].split("\t") == ["stars", "1", "1", "1", "1", "1"]
    assert "only in prod, left as they are: octo/only-in-prod" in out
    assert lines[-1] == "--dry-run: nothing written"
    prod = environment("prod")
    before = exported(prod)
    code, out, _ = run_cli(capsys, "sync", "--from", "staging", "--to", "prod")  # no answer
    assert code == 1 and exported(prod) == before
    code, out, err = run_cli(capsys, "sync", "--from", "staging", "--to", "prod", "--yes")
    assert code == 0, err
    assert out.splitlines()[-1] == "synced staging into prod: 2 points written"
    rows = {row[0]: row[1:3] for row in prod.read_series(REPO, Family.STARS).rows}
    day = 86_400
    start = int(T0.timestamp())
    assert rows == {
        start: (10, 3),
        start + day: (11, 3),  # staging's measured point replaced prod's reconstructed one
        start + 2 * day: (42, 3),  # prod's measured point stayed
        start + 3 * day: (13, 3),
        start + 9 * day: (19, 3),  # only in prod: left
    }
    code, out, err = run_cli(
        capsys, "sync", "--from", "staging", "--to", "prod", "--prune", "--yes"
    )
    assert code == 0 and out.splitlines()[-1] == (
        "synced staging into prod: 0 points written, 1 deleted"
    )
    assert start + 9 * day not in {row[0] for row in prod.read_series(REPO, Family.STARS).rows}
    assert prod.get_subject(LONE) is not None  # a repository only prod tracks stays
    prod.close()
    code, out, _ = run_cli(capsys, "sync", "--from", "staging", "--to", "prod", "--yes")
    assert out.splitlines()[-1] == (
        "nothing to do: prod has every chosen point, stargazer day and collection of staging"
    )


@pytest.mark.usefixtures("staging_and_prod")
def test_sync_takes_a_subset_and_refuses_nonsense(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "sync", "--from", "staging", "--to", "prod", "--family", "prs", "--dry-run"
    )
    assert code == 0 and "prs\t0\t0\t0\t0\t0" in out
    code, _, err = run_cli(capsys, "sync", "--from", "prod", "--to", "prod")
    assert code == 2 and "the same environment" in err
    code, _, err = run_cli(capsys, "sync", "--from", "dev", "--to", "prod", "--yes")
    assert code == 2 and "the store of dev has no schema yet" in err


def test_a_sync_killed_midway_ends_as_an_uninterrupted_one_when_run_again() -> None:
    staging = environment("staging")
    names = [RepoName("big", f"repo-{index:03d}") for index in range(100)]
    for name in names:
        staging.add_subject(name, [], added_at=T0)
        staging.write_points(
            Point(
                name,
                Family.STARS,
                T0 + timedelta(hours=3 * step),
                {"star_count": step},
                Provenance.MEASURED,
                "test",
            )
            for step in range(1500)
        )
    wanted = exported(staging)
    prod = environment("prod")
    command = [
        sys.executable,
        "-m",
        "ossgrowth",
        "sync",
        "--from",
        "staging",
        "--to",
        "prod",
        "--yes",
    ]
    running = subprocess.Popen(
        command, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and running.poll() is None:
        if len(prod.list_subjects()) >= 5:
            break
        time.sleep(0.05)
    running.send_signal(signal.SIGKILL)
    running.wait()
    assert running.returncode == -signal.SIGKILL, "the sync ended before it was killed"
    assert exported(prod)[1:] != wanted[1:]
    again = subprocess.run(command, env=dict(os.environ), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert exported(prod)[1:] == wanted[1:]
    staging.close()
    prod.close()


def ages(count: int, listed: int = 10) -> list[StargazerDay]:
    return [
        StargazerDay(T0.date() + timedelta(days=offset), listed + offset, offset % 2)
        for offset in range(count)
    ]


def with_collections_and_days(staging: SqlStore, prod: SqlStore) -> None:
    """staging: widgets (list followed), new, shared; "tools" and "fresh". prod: widgets,
    shared and one of its own; its "tools" (another name, other members) and "mine"."""
    for repo in (REPO, NEW, SHARED):
        staging.add_subject(repo, [], added_at=T0)
    for repo in (REPO, SHARED, LONE):
        prod.add_subject(repo, [], added_at=T0)
    staging.create_collection("tools", name="Tools", description="Build tools", created_at=T0)
    staging.add_collection_members("tools", [REPO])
    staging.create_collection("fresh", name="Fresh", created_at=T0 + timedelta(days=1))
    staging.add_collection_members("fresh", [REPO, NEW])
    prod.create_collection("tools", name="Old", created_at=T0)
    prod.add_collection_members("tools", [SHARED, LONE])
    prod.create_collection("mine", name="Mine", created_at=T0)
    prod.add_collection_members("mine", [LONE])
    staging.write_stargazer_days(REPO, ages(3), read_through=MARK)


def test_sync_merges_collections_and_copies_stargazer_days_taking_out_members_only_when_pruning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    staging, prod = environment("staging"), environment("prod")
    with_collections_and_days(staging, prod)
    staging.close()
    code, out, err = run_cli(capsys, "sync", "--from", "staging", "--to", "prod", "--dry-run")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[1 + len(FAMILIES) :] == [
        "stargazer days: 3 new, 0 changed, 0 same, 0 kept (prod follows those lists), 0 only "
        "in prod (left); prod takes staging's place in 1 stargazer lists",
        "tracked in prod by this sync: octo/new",
        "only in prod, left as they are: octo/only-in-prod",
        "collection\tchange\tname_and_description\tmembers_added\tmembers_only_in_target",
        "fresh\tnew\twritten\t2\t0",
        "tools\tchanged\twritten\t1\t1",  # shared: staging tracks it, its "tools" lacks it
        "collections only in prod, left as they are: mine",
        "--dry-run: nothing written",
    ]
    assert prod.get_collection("fresh") is None and prod.read_stargazer_days(REPO) == []
    code, out, err = run_cli(capsys, "sync", "--from", "staging", "--to", "prod", "--yes")
    assert code == 0, err
    assert out.splitlines()[-1] == (
        "synced staging into prod: 0 points and 3 stargazer days written, 1 stargazer lists "
        "followed from staging's place, collections: 1 made, 1 changed"
    )
    assert prod.get_collection("fresh") == Collection(
        "fresh", "Fresh", "", (NEW, REPO), T0 + timedelta(days=1)
    )
    assert prod.get_collection("tools") == Collection(
        "tools", "Tools", "Build tools", (LONE, SHARED, REPO), T0
    )  # staging's name, description and members added; prod's members stay
    assert prod.read_stargazer_days(REPO) == ages(3)
    assert prod.stargazers_read_through([REPO]) == {REPO.key: MARK}
    code, out, err = run_cli(
        capsys, "sync", "--from", "staging", "--to", "prod", "--prune", "--yes"
    )
    assert code == 0, err
    assert "tools\tsame\tsame\t0\t1" in out.splitlines()
    assert out.splitlines()[-1] == (
        "synced staging into prod: 0 points written, 0 deleted, 1 members taken out of collections"
    )
    assert prod.get_collection("tools").members == (LONE, REPO)  # prod's own repository stays
    assert prod.get_collection("mine").members == (LONE,)
    code, out, _ = run_cli(capsys, "sync", "--from", "staging", "--to", "prod", "--prune")
    assert out.splitlines()[-1] == (
        "nothing to do: prod has every chosen point, stargazer day and collection of staging"
    )
    prod.close()


def test_a_sync_of_one_repository_touches_only_its_memberships_and_other_families_no_days(
    tmp_path: Path,
) -> None:
    staging = SqlStore(f"sqlite:///{tmp_path}/staging.db", environment="staging")
    prod = SqlStore(f"sqlite:///{tmp_path}/prod.db", environment="prod")
    for store in (staging, prod):
        store.upgrade()
    with_collections_and_days(staging, prod)
    plan = plan_sync(staging, prod, repos=[REPO])
    assert plan.collections == [
        CollectionChange("fresh", new=True, renamed=False, added=(REPO,), only_in_target=()),
        CollectionChange("tools", new=False, renamed=True, added=(REPO,), only_in_target=()),
    ]  # new and shared were not chosen: no member of theirs is added or taken out
    assert plan.stargazer_days.new == 3
    assert not plan_sync(staging, prod, families=[Family.PRS]).stargazer_days.any
    sync(staging, prod, families=[Family.PRS], prune=True)
    assert prod.read_stargazer_days(REPO) == []
    assert prod.get_collection("tools").members == (LONE, REPO)  # shared taken out: pruned


def test_sync_carries_collections_and_stargazer_days_into_every_backend(
    tmp_path: Path, make_store: contract.StoreFactory
) -> None:
    staging = SqlStore(f"sqlite:///{tmp_path}/source-staging.db", environment="staging")
    staging.upgrade()
    prod = make_store("prod")
    with_collections_and_days(staging, prod)
    staging.write_stargazer_days(SHARED, ages(2))
    own = ages(4, listed=70)
    prod.write_stargazer_days(SHARED, own, read_through=MARK + timedelta(days=1))
    plan = plan_sync(staging, prod)
    days = plan.stargazer_days
    assert (days.new, days.kept, days.marks) == (3, 2, 1)
    done = sync(staging, prod, prune=True)
    assert done.collections == plan.collections
    assert [c.slug for c in prod.list_collections()] == ["fresh", "mine", "tools"]
    assert prod.get_collection("tools") == Collection(
        "tools", "Tools", "Build tools", (LONE, REPO), T0
    )
    assert prod.get_collection("fresh").members == (NEW, REPO)
    assert prod.read_stargazer_days(REPO) == ages(3)
    assert prod.read_stargazer_days(SHARED) == own  # prod follows that list: its own stay
    assert prod.stargazers_read_through([REPO, SHARED]) == {
        REPO.key: MARK,
        SHARED.key: MARK + timedelta(days=1),
    }
    again = plan_sync(staging, prod)
    assert not again.changes_anything(prune=True)
    assert all(change.same for change in again.collections)
