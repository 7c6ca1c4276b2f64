"""Reads are answered while a write waits: the server's background work never holds the
event loop while the store blocks.

A test process holds SQLite's write lock (``BEGIN IMMEDIATE``) from before ``ossgrowth serve``
starts; the server's backfill worker finds a queued job at once and tries to record its run,
which waits for the lock. Meanwhile 50 series reads, each of a different range, are answered,
each well under a second. Then the lock is let go and the waiting write lands, recorded as
started while the lock was held: the worker was writing all along.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ossgrowth.model import Family, RepoName
from ossgrowth.store import SqlStore
from tests.web.served import free_port, running_server, seeded_store

REPO = RepoName("octo", "widgets")
HOLD_SECONDS = 5.0


@pytest.mark.slow  # holds the write lock for 5 s of wall-clock time, as it would in real life
def test_reads_are_answered_while_the_worker_waits_for_the_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    url = seeded_store(path)
    store = SqlStore(url, environment="dev")
    store.enqueue_backfill(REPO, [Family.STARS], enqueued_at=datetime.now(UTC))
    runs_before = len(store.list_runs())
    store.close()
    locker = sqlite3.connect(path, isolation_level=None, timeout=30)
    locker.execute("BEGIN IMMEDIATE")
    held_from = time.time()
    unreachable = f"http://127.0.0.1:{free_port()}"
    settings = {
        "OSSGROWTH_BACKFILL_POLL_SECONDS": "0.2",
        "OSSGROWTH_GITHUB_API_URL": unreachable,
    }
    latencies: list[float] = []
    try:
        with (
            running_server(url, settings) as base,
            httpx.Client(base_url=base, timeout=30) as client,
        ):
            end = datetime.now(UTC)
            while len(latencies) < 50:
                start = end - timedelta(days=30 + 20 * len(latencies))
                started = time.perf_counter()
                answer = client.get(
                    "/api/v1/repos/octo/widgets/series/stars",
                    params={"from": start.isoformat(), "max_points": 500, "interval": "day"},
                )
                latencies.append(time.perf_counter() - started)
                assert answer.status_code == 200, answer.text
                assert answer.json()["points"]
                time.sleep(HOLD_SECONDS / 50)
            still_held = time.time()
            locker.execute("ROLLBACK")
            deadline = time.monotonic() + 30
            store = SqlStore(url, environment="dev")
            while len(store.list_runs()) == runs_before and time.monotonic() < deadline:
                time.sleep(0.1)
            runs = store.list_runs()
            store.close()
    finally:
        locker.close()
    assert max(latencies) < 1.0, sorted(latencies)[-5:]
    assert len(runs) > runs_before, "the worker never wrote"
    first_run = runs[len(runs) - runs_before - 1]
    assert held_from - 1 <= first_run.started_at.timestamp() <= still_held, (
        "the worker's first write was not waiting on the lock"
    )
