"""SIGTERM and SIGINT stop the long-running commands cleanly; a second signal at once.

In-process: :func:`ossgrowth.stopping.until_stopped` with the process sending itself signals.
Real processes: ``ossgrowth serve`` started with SIGINT ignored (as a background job of a
non-interactive shell is) still stops on it, and on SIGTERM, exiting 0 within 10 s; so does
``ossgrowth collect`` on its schedules. The backfill's own stop, mid-run, is tested beside its
kill test (``tests/collect/test_backfill_kill.py``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import anyio
import httpx
import pytest

from ossgrowth.stopping import FORCED_EXIT_CODE, Stopped, until_stopped
from tests.web.served import free_port, seeded_store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def test_work_that_ends_gives_its_result() -> None:
    async def work() -> int:
        return 7

    assert anyio.run(until_stopped, work) == 7


def test_the_first_signal_cancels_the_work() -> None:
    cleaned: list[str] = []

    async def work() -> None:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            await anyio.sleep(30)
        finally:
            cleaned.append("done")

    with pytest.raises(Stopped, match="SIGTERM"):
        anyio.run(until_stopped, work)
    assert cleaned == ["done"]


def test_a_second_signal_exits_at_once() -> None:
    exits: list[int] = []

    async def stubborn() -> None:
        with anyio.CancelScope(shield=True):  # work that takes its time to stop
            os.kill(os.getpid(), signal.SIGINT)
            await anyio.sleep(0.2)
            os.kill(os.getpid(), signal.SIGINT)
            await anyio.sleep(0.2)

    async def run() -> None:
        await until_stopped(stubborn, exit_now=exits.append)

    anyio.run(run)  # the stub's exit returns; the real one ends the process there
    assert exits == [FORCED_EXIT_CODE]


def test_work_still_stopping_after_the_grace_time_is_ended() -> None:
    exits: list[int] = []

    async def stubborn() -> None:
        with anyio.CancelScope(shield=True):
            os.kill(os.getpid(), signal.SIGTERM)
            await anyio.sleep(0.5)

    async def run() -> None:
        await until_stopped(stubborn, exit_now=exits.append, grace_seconds=0.1)

    anyio.run(run)
    assert exits == [FORCED_EXIT_CODE]


def test_stop_asks_servers_instead_of_cancelling() -> None:
    stopping = anyio.Event()

    async def server() -> str:
        os.kill(os.getpid(), signal.SIGTERM)
        await stopping.wait()
        return "finished its requests"

    async def run() -> str:
        return await until_stopped(server, stop=stopping.set)

    assert anyio.run(run) == "finished its requests"


def ignoring_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def stop_and_wait(process: subprocess.Popen[bytes], signum: signal.Signals) -> tuple[int, float]:
    began = time.monotonic()
    process.send_signal(signum)
    code = process.wait(timeout=20)
    return code, time.monotonic() - began


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_serve_started_with_sigint_ignored_stops_on_a_signal(
    tmp_path: Path, signum: signal.Signals
) -> None:
    url = seeded_store(tmp_path / "served.db")
    port = free_port()
    environment = {
        **{name: value for name, value in os.environ.items() if "OSSGROWTH_" not in name},
        "OSSGROWTH_STORE_URL": url,
        "OSSGROWTH_COLLECT_ON_SCHEDULE": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "ossgrowth", "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=ignoring_sigint,  # noqa: PLW1509 - the point of the test
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "serve did not start"
            time.sleep(0.1)
        code, seconds = stop_and_wait(process, signum)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code == 0 and seconds < 10, (code, seconds)


def test_collect_on_schedule_stops_on_sigterm(tmp_path: Path) -> None:
    url = seeded_store(tmp_path / "collect.db")
    unreachable = f"http://127.0.0.1:{free_port()}"
    environment = {
        **{name: value for name, value in os.environ.items() if "OSSGROWTH_" not in name},
        "OSSGROWTH_STORE_URL": url,
        "OSSGROWTH_GITHUB_API_URL": unreachable,
        "OSSGROWTH_NPM_DOWNLOADS_URL": unreachable,
        "OSSGROWTH_PYPISTATS_URL": unreachable,
        "PYTHONUNBUFFERED": "1",
    }
    said = tmp_path / "collect.out"
    with said.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "ossgrowth", "collect"],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while b"next collect:stars" not in said.read_bytes():
                assert time.monotonic() < deadline and process.poll() is None, said.read_text()
                time.sleep(0.1)
            time.sleep(0.5)  # its first look at the schedules is under way
            code, seconds = stop_and_wait(process, signal.SIGTERM)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert code == 0 and seconds < 10, (code, seconds, said.read_text())
    assert "stopped by SIGTERM" in said.read_text()


def test_an_error_of_the_work_is_raised_as_it_is() -> None:
    async def work() -> None:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        anyio.run(until_stopped, work)
