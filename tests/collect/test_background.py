"""Background loops survive their own bugs: logged with a traceback, started again."""

from __future__ import annotations

import logging

import anyio
import pytest

from ossgrowth.collect.background import supervised

pytestmark = pytest.mark.anyio


async def test_a_loop_that_fails_unexpectedly_is_logged_and_started_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    starts = 0

    async def flaky() -> None:
        nonlocal starts
        starts += 1
        if starts < 3:
            raise RuntimeError(f"bug number {starts}")

    with caplog.at_level(logging.ERROR, logger="ossgrowth.collect.background"):
        with anyio.fail_after(10):
            await supervised(flaky, "the flaky loop", pause_seconds=0)
    assert starts == 3
    failures = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(failures) == 2 and failures[0].exc_info is not None
    assert "the flaky loop stopped on an unexpected error" in failures[0].getMessage()


async def test_cancelling_a_supervised_loop_stops_it() -> None:
    started = anyio.Event()
    starts = 0

    async def forever() -> None:
        nonlocal starts
        starts += 1
        started.set()
        await anyio.sleep_forever()

    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(supervised, forever, "forever", 0)
            await started.wait()
            group.cancel_scope.cancel()  # no restart: cancellation is not a failure
        await anyio.sleep(0.05)
    assert starts == 1
