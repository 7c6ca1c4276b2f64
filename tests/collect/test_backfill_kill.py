"""``kill -9`` in the middle of a backfill, then a re-run: the same rows as an unbroken run.

Real processes: a served simulator and the ``ossgrowth backfill`` command, killed with SIGKILL
once it has stored some pages. GitHub's own budget counter (``GET /rate_limit``) shows the
resumed run asked for no stored page again.

These tests wait on wall-clock time, as a killed runner's successor does: for a process to get
far enough, and for the killed one's leases to end. Their waits look at the store, not at a
stopwatch, and their time limits are safety nets far beyond a busy machine's pace.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from ossgrowth.model import PackageRef, RepoName
from ossgrowth.simulator import World, WorldConfig, build_world
from ossgrowth.store import SqlStore
from ossgrowth.store.tables import FAMILY_TABLES

TOKEN = "sim-token-1"
CONCURRENCY = 2
LEASE_SECONDS = 1.0
"""The killed run's leases end this long after its last renewal; then the re-run takes over."""
SAFETY_NET_SECONDS = 300
"""Longest wait for a process, never reached unless one hangs (a backfill takes seconds)."""
pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
    pytest.mark.slow,  # real processes on real time: a served simulator and three backfills
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def world() -> World:
    now = datetime.now(UTC).replace(microsecond=0)
    return build_world(
        WorldConfig(seed=7, repo_count=4, activity_scale=0.2, future_days=0, now=now)
    )


@pytest.fixture
def simulator(world: World, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    config = world.config
    program = (
        "from datetime import datetime\n"
        "from ossgrowth.simulator import WorldConfig, serve\n"
        f"config = WorldConfig(seed={config.seed}, repo_count={config.repo_count},"
        f" activity_scale={config.activity_scale}, future_days=0,"
        f" now=datetime.fromisoformat({config.now.isoformat()!r}))\n"
        f"serve('127.0.0.1', {port}, config, None, latency_ms=15)\n"
    )
    log = (tmp_path / "simulator.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-c", program], stderr=log, stdout=subprocess.DEVNULL
    )
    while True:  # until it listens
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            try:
                process.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                continue
            pytest.fail(f"the simulator did not start: {(tmp_path / 'simulator.log').read_text()}")
    yield f"http://127.0.0.1:{port}"
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)
    log.close()


def environment(origin: str, store: Path) -> dict[str, str]:
    return {
        **os.environ,
        "OSSGROWTH_STORE_URL": f"sqlite:///{store}",
        "OSSGROWTH_GITHUB_API_URL": origin,
        "OSSGROWTH_GITHUB_TOKENS": TOKEN,
        "OSSGROWTH_NPM_DOWNLOADS_URL": f"{origin}/npm",
        "OSSGROWTH_PYPISTATS_URL": f"{origin}/pypistats",
        "OSSGROWTH_BACKFILL_LEASE_SECONDS": str(LEASE_SECONDS),
        "COLUMNS": "120",
    }


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "ossgrowth", *args]


def backfill(origin: str, store: Path) -> str:
    """Run a whole backfill of every tracked repository; what it printed."""
    done = subprocess.run(
        command("backfill", "--all", "--concurrency", str(CONCURRENCY)),
        env=environment(origin, store),
        capture_output=True,
        text=True,
        timeout=SAFETY_NET_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def track_world(world: World, location: Path) -> None:
    store = SqlStore(f"sqlite:///{location}", environment="dev")
    store.upgrade()
    for repo in world.repos:
        packages = [PackageRef(package.ecosystem, package.name) for package in repo.packages]
        store.add_subject(RepoName(repo.owner, repo.name), packages, added_at=world.config.now)
    store.close()


def used(origin: str) -> tuple[int, int]:
    answer = httpx.get(f"{origin}/rate_limit", headers={"Authorization": f"token {TOKEN}"})
    resources = answer.json()["resources"]
    return resources["core"]["used"], resources["graphql"]["used"]


def stored_rows(store: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(store) as connection:
        return {
            table.name: connection.execute(
                f"SELECT * FROM {table.name} ORDER BY 1, 2, 3"  # noqa: S608 - our table names
            ).fetchall()
            for table in FAMILY_TABLES.values()
        }


def leased_jobs(store: Path) -> int:
    with sqlite3.connect(store) as connection:
        query = "SELECT count(*) FROM backfill_jobs WHERE lease_owner IS NOT NULL"
        return int(connection.execute(query).fetchone()[0])


def until_leases_ended(store: Path) -> None:
    """Wait until every lease held in ``store`` has ended, by the time each names (a runner
    that is gone renews nothing, so nothing moves them)."""
    with sqlite3.connect(store) as connection:
        query = "SELECT max(lease_expires_ms) FROM backfill_jobs WHERE lease_owner IS NOT NULL"
        ends_ms = int(connection.execute(query).fetchone()[0])
    while time.time() * 1000 <= ends_ms:
        time.sleep(0.05)


def stored_pages(store: Path) -> int:
    try:
        with sqlite3.connect(store) as connection:
            return int(connection.execute("SELECT count(*) FROM backfill_pages").fetchone()[0])
    except sqlite3.OperationalError:  # not migrated yet, or busy
        return 0


def test_a_backfill_killed_midway_resumes_to_the_same_rows_without_asking_stored_pages(
    world: World, simulator: str, tmp_path: Path
) -> None:
    whole, broken = tmp_path / "whole.db", tmp_path / "broken.db"
    for store in (whole, broken):
        track_world(world, store)

    before = used(simulator)
    backfill(simulator, whole)
    after_whole = used(simulator)

    victim = subprocess.Popen(
        command("backfill", "--all", "--concurrency", str(CONCURRENCY)),
        env=environment(simulator, broken),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while stored_pages(broken) < 8:
        try:
            victim.wait(timeout=0.02)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail("the backfill ended before it could be killed")
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=SAFETY_NET_SECONDS)
    assert stored_pages(broken) >= 8
    held = leased_jobs(broken)
    assert held, "the killed run held leases on the jobs it was running"
    until_leases_ended(broken)
    backfill(simulator, broken)
    after_broken = used(simulator)

    assert stored_rows(broken) == stored_rows(whole)
    assert sum(stored_rows(whole).values(), [])
    spent_whole = [late - early for late, early in zip(after_whole, before, strict=True)]
    spent_broken = [late - early for late, early in zip(after_broken, after_whole, strict=True)]
    for resource in (0, 1):  # core, graphql: at most the pages in flight at the kill again
        assert spent_whole[resource] <= spent_broken[resource]
        assert spent_broken[resource] <= spent_whole[resource] + CONCURRENCY


def test_a_backfill_stopped_by_sigterm_keeps_its_pages_gives_its_leases_back_and_exits_0(
    world: World, simulator: str, tmp_path: Path
) -> None:
    whole, stopped = tmp_path / "whole.db", tmp_path / "stopped.db"
    for store in (whole, stopped):
        track_world(world, store)
    before = used(simulator)
    backfill(simulator, whole)
    after_whole = used(simulator)

    running = subprocess.Popen(
        command("backfill", "--all", "--concurrency", str(CONCURRENCY)),
        env=environment(simulator, stopped),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while stored_pages(stopped) < 8:
        try:
            running.wait(timeout=0.02)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail("the backfill ended before it could be stopped")
    running.send_signal(signal.SIGTERM)
    out, err = running.communicate(timeout=SAFETY_NET_SECONDS)
    assert running.returncode == 0, err
    assert "stopped by SIGTERM" in err and "Traceback" not in err
    assert leased_jobs(stopped) == 0, "a stopped run gives its leases back"
    with sqlite3.connect(stopped) as connection:
        status, error = connection.execute(
            "SELECT status, error FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert status == "failed" and "stopped before it finished" in error

    backfill(simulator, stopped)  # no lease to wait for: it resumes at once
    after_stopped = used(simulator)
    assert stored_rows(stopped) == stored_rows(whole)
    spent_whole = [late - early for late, early in zip(after_whole, before, strict=True)]
    spent_stopped = [late - early for late, early in zip(after_stopped, after_whole, strict=True)]
    for resource in (0, 1):  # every page kept: at most the pages in flight are asked again
        assert spent_stopped[resource] <= spent_whole[resource] + CONCURRENCY
