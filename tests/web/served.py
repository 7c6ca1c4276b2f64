"""``ossgrowth serve`` in a subprocess over a seeded store, and Chromium to look at it.

Shared by the browser tests, ``bench/dashboard.py`` and ``docs/screenshots/make_screenshots.py``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

from ossgrowth.store import SqlStore
from tests.web.seed import WORLD, SeededRepo, seed_store

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "free_port",
    "running_command",
    "running_server",
    "seeded_store",
]

CHROMIUM = "/usr/bin/chromium"
"""Debian's chromium; no browser is ever downloaded."""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_QUIET = {
    "OSSGROWTH_COLLECT_ON_SCHEDULE": "false",
    "OSSGROWTH_BACKFILL_POLL_SECONDS": "0",
    "OSSGROWTH_DELIVERY_POLL_SECONDS": "0",
    "OSSGROWTH_LOG_LEVEL": "WARNING",
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seeded_store(
    path: Path,
    world: tuple[SeededRepo, ...] = WORLD,
    *,
    environment: str = "dev",
    now: datetime | None = None,
) -> str:
    """A new SQLite store at ``path`` holding ``world``'s history up to ``now``; its URL."""
    url = f"sqlite:///{path}"
    store = SqlStore(url, environment=environment)
    try:
        store.upgrade()
        seed_store(store, now or datetime.now(UTC), world)
    finally:
        store.close()
    return url


@contextmanager
def running_command(
    arguments: list[str],
    *,
    ready_url: str,
    settings: Mapping[str, str] | None = None,
    startup_seconds: float = 60,
) -> Iterator[None]:
    """``python -m ossgrowth ARGUMENTS`` until the block ends, entered once ``ready_url``
    answers 200.

    The environment is this one without any ``OSSGROWTH_*`` variable, plus ``settings``. What
    the process writes goes to a file (a pipe nobody reads could fill up and stall it) that is
    quoted when it exits or does not answer in time.
    """
    environment = {name: value for name, value in os.environ.items() if "OSSGROWTH_" not in name}
    environment.update(settings or {})
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "ossgrowth", *arguments],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )

        def said() -> str:
            output.seek(0)
            return output.read().decode(errors="replace")[-2000:]

        try:
            deadline = time.monotonic() + startup_seconds
            while not _answers(ready_url):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"ossgrowth {arguments[0]} did not answer:\n{said()}")
                try:  # waits on the process's exit, a tenth of a second at most
                    code = process.wait(timeout=0.1)
                except subprocess.TimeoutExpired:
                    continue
                raise RuntimeError(f"ossgrowth {arguments[0]} exited ({code}):\n{said()}")
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def running_server(
    store_url: str,
    settings: Mapping[str, str] | None = None,
    *,
    startup_seconds: float = 60,
) -> Iterator[str]:
    """``ossgrowth serve`` on a free port of 127.0.0.1 until the block ends; its base URL.

    ``settings`` are ``OSSGROWTH_*`` variables on top of a quiet server (no scheduled
    collection, no backfill worker); every other ``OSSGROWTH_*`` variable is left out.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_command(
        ["serve", "--host", "127.0.0.1", "--port", str(port)],
        ready_url=f"{base}/health",
        settings={**_QUIET, "OSSGROWTH_STORE_URL": store_url, **(settings or {})},
        startup_seconds=startup_seconds,
    ):
        yield base
