"""``ossgrowth demo``: the product offline on a simulated world, in one real process."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from ossgrowth.cli import main
from ossgrowth.config import load_settings
from ossgrowth.demo import DEMO_COLLECTION, DemoPlan, demo_settings, demo_world, seed_demo
from ossgrowth.metrics.unusual import FlagKind
from ossgrowth.model import Family, RepoName
from ossgrowth.store import SqlStore
from ossgrowth.unusual_growth import read_unusual_growth
from tests.test_cli import run_cli

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
SAFETY_NET_SECONDS = 300
"""Longest wait for a process to get somewhere, never reached unless it hangs: the demo's
backfill and first collections take seconds, a few times that on a busy machine."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def jobs_by_status(store: Path) -> dict[str, int]:
    try:
        with sqlite3.connect(store) as connection:
            query = "SELECT status, count(*) FROM backfill_jobs GROUP BY status"
            return dict(connection.execute(query).fetchall())
    except sqlite3.OperationalError:  # not created yet, or busy
        return {}


def scheduled_runs(store: Path) -> set[tuple[str, str]]:
    try:
        with sqlite3.connect(store) as connection:
            query = "SELECT job, status FROM runs WHERE job LIKE 'collect:%'"
            return set(connection.execute(query).fetchall())
    except sqlite3.OperationalError:
        return set()


def a_worker_collects_on_schedule(tmp_path: Path, environment: dict[str, str], port: int) -> None:
    """``ossgrowth collect`` (no --once) against the demo's simulated APIs: a worker process."""
    origin = f"http://127.0.0.1:{port}"
    worker_store = tmp_path / "worker.db"
    settings = {
        **environment,
        "OSSGROWTH_STORE_URL": f"sqlite:///{worker_store}",
        "OSSGROWTH_GITHUB_API_URL": origin,
        "OSSGROWTH_GITHUB_TOKENS": "sim-token-1",
        "OSSGROWTH_NPM_DOWNLOADS_URL": f"{origin}/npm",
        "OSSGROWTH_PYPISTATS_URL": f"{origin}/pypistats",
    }
    command = [sys.executable, "-m", "ossgrowth"]
    tracked = subprocess.run(
        [*command, "track", "ironbark/fast-graph"], env=settings, capture_output=True, check=False
    )
    assert tracked.returncode == 0, tracked.stderr
    worker = subprocess.Popen(
        [*command, "collect"], env=settings, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + SAFETY_NET_SECONDS
        while len(scheduled_runs(worker_store)) < 3 or jobs_by_status(worker_store).get(
            "done", 0
        ) < len(Family):
            assert worker.poll() is None, worker.communicate()
            assert time.monotonic() < deadline, scheduled_runs(worker_store)
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGINT)
        out, err = worker.communicate(timeout=SAFETY_NET_SECONDS)
    assert worker.returncode == 0, err
    assert b"on schedule (America/Los_Angeles)" in out and b"Traceback" not in err
    assert b"next collect:downloads: Sun " in out  # Sundays at 23:50, local time
    assert b" 23:50 P" in out  # PST or PDT, as the day of the slot has it


@pytest.mark.slow  # real processes on real time: the demo, its simulator and a worker
def test_the_demo_tracks_the_world_backfills_it_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port, simulator_port, repos = free_port(), free_port(), 3
    environment = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "COLUMNS": "120"}
    for name in list(environment):
        if name.startswith("OSSGROWTH_"):
            del environment[name]
    demo = subprocess.Popen(
        [sys.executable, "-m", "ossgrowth", "demo", "--port", str(port)]
        + ["--simulator-port", str(simulator_port), "--repos", str(repos)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    store = tmp_path / "ossgrowth" / "demo.db"
    try:
        deadline = time.monotonic() + SAFETY_NET_SECONDS
        while jobs_by_status(store).get("done", 0) < len(Family) * repos:
            assert demo.poll() is None, demo.communicate()
            assert time.monotonic() < deadline, jobs_by_status(store)
            time.sleep(0.2)
        api = f"http://127.0.0.1:{port}"
        listed = httpx.get(f"{api}/api/v1/repos").json()["items"]
        assert len(listed) == repos
        stars = httpx.get(f"{api}/api/v1/repos/{listed[0]['repo']}/series/stars").json()
        assert stars["count"] > 30 and stars["points"][0]["provenance"] == "reconstructed"
        upstream = httpx.get(
            f"http://127.0.0.1:{simulator_port}/repos/{listed[0]['repo']}",
            headers={"Authorization": "token sim-token-1"},
        )
        assert upstream.status_code == 200
        while len(scheduled_runs(store)) < 3:  # the latest slot of each schedule, at start
            assert time.monotonic() < deadline, scheduled_runs(store)
            time.sleep(0.2)
        assert scheduled_runs(store) == {
            ("collect:stars", "succeeded"),
            ("collect:prs+issues", "succeeded"),
            ("collect:downloads", "succeeded"),
        }
        a_worker_collects_on_schedule(tmp_path, environment, simulator_port)
    finally:
        demo.send_signal(signal.SIGINT)
        out, err = demo.communicate(timeout=SAFETY_NET_SECONDS)
    assert demo.returncode == 0, err
    assert f"http://127.0.0.1:{port}/docs" in out and "demo store" in out
    assert "Traceback" not in err


def test_a_taken_port_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as exited:
            main(["demo", "--port", str(port), "--simulator-port", str(free_port())])
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        f"Error: port {port} on 127.0.0.1 is taken; stop what uses it or pick another port\n"
    )


def test_the_demo_runs_in_dev_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--env", "prod", "demo"])
    assert exited.value.code == 2
    assert "the demo runs in the dev environment only" in capsys.readouterr().err


@pytest.mark.slow  # backfills three simulated repositories in-process: CPU, no waiting
def test_seed_only_fills_an_environment_with_the_worlds_history_and_exits(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(capsys, "--env", "staging", "demo", "--seed-only", "--repos", "3")
    assert code == 0, err
    assert out.startswith("seeded staging with 3 simulated repositories: ")
    listed = json.loads(run_cli(capsys, "--env", "staging", "list", "--json")[1])
    assert len(listed) == 3 and all(entry["stars"] is not None for entry in listed)
    first = listed[0]["repository"]
    shown = json.loads(run_cli(capsys, "--env", "staging", "show", first, "--json")[1])
    assert {job["status"] for job in shown["history"].values()} == {"done"}
    assert next(e for e in shown["newest"] if e["family"] == "stars")["provenance"] == "measured"
    stars = json.loads(
        run_cli(capsys, "--env", "staging", "rows", first, "stars", "--json", "--limit", "100000")[
            1
        ]
    )
    assert {row["provenance"] for row in stars} >= {"reconstructed", "measured"}
    assert json.loads(run_cli(capsys, "list", "--json")[1]) == []  # dev untouched
    code, _, err = run_cli(capsys, "--env", "prod", "demo", "--seed-only")
    assert code == 2 and "never goes into prod" in err


@pytest.mark.slow  # backfills four simulated repositories in-process: CPU, no waiting
def test_the_demo_world_shows_a_purchase_a_launch_and_a_collection(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'demo.db'}", environment="dev")
    store.upgrade()
    try:
        seeded = seed_demo(load_settings(), store, repos=4, seed=0)
        names = [subject.repo for subject in store.list_subjects()]
        collection = store.get_collection(DEMO_COLLECTION)
        assert seeded.repos == 4 and collection is not None and collection.created_at is not None
        world = demo_world(0, 4, collection.created_at)  # made when the world was
        readable = [RepoName(repo.owner, repo.name) for repo in world.repos[::3]]
        assert sorted(member.key for member in collection.members) == sorted(
            RepoName(repo.owner, repo.name).key for repo in world.repos[::2]
        )
        assert {name.key for name in readable} <= {name.key for name in names}
        today = collection.created_at.date()
        purchase, launch = (
            read_unusual_growth(store, repo, Family.STARS, first=today - timedelta(days=60)).days
            for repo in readable
        )
    finally:
        store.close()
    assert [(day.day, day.kind) for day in purchase if day.gain >= 100] == [
        (today - timedelta(days=12), FlagKind.UNUSUAL)
    ]
    assert [(day.day, day.kind) for day in launch if day.gain >= 100] == [
        (today - timedelta(days=25), FlagKind.SPIKE)
    ]


def test_the_demo_lets_alert_webhooks_reach_this_machine() -> None:
    plan = DemoPlan(port=free_port(), simulator_port=free_port())
    base = load_settings(alerts_allow_private_targets=False)
    assert demo_settings(base, plan).alerts_allow_private_targets
