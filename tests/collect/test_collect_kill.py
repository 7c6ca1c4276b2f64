"""``kill -9`` in the middle of ``ossgrowth collect --once``, then another: the first run ends
``failed`` (abandoned), the second succeeds, and ``/metrics`` counts no run as running.

Real processes: two served simulators of one world, a slow one (every answer 4 s late) for the
run that is killed while it waits, and a prompt one for the next run.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import anyio
import httpx
import pytest

from ossgrowth.api import create_app
from ossgrowth.clock import SystemClock
from ossgrowth.collect.abandoned import lease_job
from ossgrowth.config import load_settings
from ossgrowth.model import Run, RunStatus, SlotClaim
from ossgrowth.simulator import WorldConfig, build_world
from ossgrowth.stopping import ABANDONED_RUN_ERROR
from ossgrowth.store import SqlStore
from tests.collect.test_backfill_kill import command, environment, free_port, track_world

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
SLOW_LATENCY_MS = 4000
"""Far longer than finding the run and killing it takes: the kill lands while it waits."""


@contextmanager
def served_simulator(config: WorldConfig, latency_ms: int, log: Path) -> Iterator[str]:
    """A simulator of ``config`` in its own process until the block ends; its origin."""
    port = free_port()
    program = (
        "from datetime import datetime\n"
        "from ossgrowth.simulator import WorldConfig, serve\n"
        f"config = WorldConfig(seed={config.seed}, repo_count={config.repo_count},"
        f" activity_scale={config.activity_scale}, future_days=0,"
        f" now=datetime.fromisoformat({config.now.isoformat()!r}))\n"
        f"serve('127.0.0.1', {port}, config, None, latency_ms={latency_ms})\n"
    )
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", program], stderr=output, stdout=subprocess.DEVNULL
        )
        try:
            while True:  # until it listens
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    try:
                        process.wait(timeout=0.05)
                    except subprocess.TimeoutExpired:
                        continue
                    pytest.fail(f"the simulator did not start: {log.read_text()}")
            yield f"http://127.0.0.1:{port}"
        finally:
            process.kill()  # a slow one still sleeps over the killed run's request
            process.wait(timeout=10)


def running_with_lease(store: SqlStore) -> tuple[Run, SlotClaim] | None:
    """The run of ``collect`` under way and its lease, once both are stored."""
    running = store.list_runs(job="collect", status=RunStatus.RUNNING)
    if not running:
        return None
    claims = store.slot_claims(lease_job(running[0]), running[0].started_at)
    return (running[0], claims[0]) if claims else None


def metrics(store: SqlStore) -> str:
    """What ``/metrics`` of a server on ``store`` shows."""

    async def scrape() -> str:
        app = create_app(load_settings(), store, SystemClock())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            return (await client.get("/metrics")).text

    return anyio.run(scrape)


def test_a_collection_killed_midway_ends_failed_when_the_next_one_starts(tmp_path: Path) -> None:
    config = WorldConfig(
        seed=7, repo_count=3, activity_scale=0.1, future_days=0, now=datetime.now(UTC)
    )
    location = tmp_path / "dev.db"
    track_world(build_world(config), location)
    with ExitStack() as resources:
        slow = resources.enter_context(
            served_simulator(config, SLOW_LATENCY_MS, tmp_path / "slow.log")
        )
        prompt = resources.enter_context(served_simulator(config, 0, tmp_path / "prompt.log"))
        store = SqlStore(f"sqlite:///{location}", environment="dev")
        resources.callback(store.close)

        victim = subprocess.Popen(
            command("collect", "--once"),
            env=environment(slow, location),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while (leased := running_with_lease(store)) is None:
            try:
                victim.wait(timeout=0.02)
            except subprocess.TimeoutExpired:
                continue
            pytest.fail("the collection ended before it could be killed")
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        killed, lease = leased
        assert store.list_runs(status=RunStatus.RUNNING) == [killed]
        assert 'ossgrowth_runs{job="collect",status="running"} 1.0' in metrics(store)

        assert lease.lease_until is not None and lease.finished_at is None
        time.sleep(max(0.0, (lease.lease_until - datetime.now(UTC)).total_seconds()) + 0.2)
        done = subprocess.run(  # a dead runner renews nothing: its lease has ended
            command("collect", "--once"),
            env=environment(prompt, location),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

        assert done.returncode == 0, done.stderr
        assert "succeeded" in done.stdout
        runs = {run.id: run for run in store.list_runs(job="collect")}
        assert len(runs) == 2 and killed.id in runs
        closed = runs.pop(killed.id)
        assert closed.status is RunStatus.FAILED and closed.error == ABANDONED_RUN_ERROR
        assert closed.finished_at is not None
        ((_, next_run),) = runs.items()
        assert next_run.status is RunStatus.SUCCEEDED and next_run.counts["points"] > 0
        shown = metrics(store)
        assert 'status="running"' not in shown
        assert 'ossgrowth_runs{job="collect",status="failed"} 1.0' in shown
        assert 'ossgrowth_runs{job="collect",status="succeeded"} 1.0' in shown
