"""Stopping on SIGTERM and SIGINT: the long-running commands' one way to end.

systemd, Docker and Kubernetes stop a service with SIGTERM; a terminal sends SIGINT. The first
either of them asks the work to stop: servers stop taking requests and end their background
work, collections and backfills are cancelled — a backfill keeps every page it stored, each
runner gives its leases back and records its run as stopped — and the command exits 0. A second
signal, or work still running :data:`GRACE_SECONDS` after the first, exits at once.

The handlers are installed explicitly, so they work also in a process started with a signal
ignored (a background job of a non-interactive shell starts with SIGINT ignored).
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

__all__ = [
    "ABANDONED_RUN_ERROR",
    "FORCED_EXIT_CODE",
    "GRACE_SECONDS",
    "STOPPED_RUN_ERROR",
    "STOP_SIGNALS",
    "Stopped",
    "until_stopped",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
GRACE_SECONDS = 8.0
"""How long work may take to stop after the first signal before the process exits anyway."""
STOPPED_RUN_ERROR = "stopped before it finished; what it stored is kept and a next run resumes"
"""The error recorded on a run that a stop signal cut short."""
ABANDONED_RUN_ERROR = (
    "interrupted: its runner stopped without a word (killed?); its work was taken up again"
)
"""The error recorded on a run left running by a runner that died (its leases ran out)."""
FORCED_EXIT_CODE = 130
"""The exit code of a stop that could not wait (as a shell reports a process ended by Ctrl-C)."""


class Stopped(Exception):
    """The work was stopped by a signal before it finished."""

    def __init__(self, signal_name: str) -> None:
        super().__init__(f"stopped by {signal_name}")
        self.signal_name = signal_name


async def until_stopped(
    work: Callable[[], Awaitable[T]],
    *,
    stop: Callable[[], None] | None = None,
    exit_now: Callable[[int], object] = os._exit,
    grace_seconds: float = GRACE_SECONDS,
) -> T:
    """Run ``work`` until it ends or a stop signal comes.

    Args:
        work: the command's work.
        stop: how to ask it to stop (servers: set ``should_exit``); by default it is cancelled.
        exit_now: called with :data:`FORCED_EXIT_CODE` on a second signal, or when the work is
            still running ``grace_seconds`` after the first.
        grace_seconds: see ``exit_now``.

    Raises:
        Stopped: ``work`` was cancelled by the first signal (it ended by itself otherwise,
            ``stop`` given, and its result is returned).
    """
    received: list[str] = []
    outcome: list[T] = []
    failed: list[Exception] = []
    async with anyio.create_task_group() as watching:
        with anyio.CancelScope() as working:

            async def watch() -> None:
                with anyio.open_signal_receiver(*STOP_SIGNALS) as signals:
                    async for number in signals:
                        name = signal.Signals(number).name
                        if received:
                            logger.warning("%s again: exiting at once", name)
                            exit_now(FORCED_EXIT_CODE)
                            return
                        received.append(name)
                        logger.warning("%s: stopping (again to exit at once)", name)
                        if stop is None:
                            working.cancel()
                        else:
                            stop()
                        watching.start_soon(overdue, name)

            async def overdue(name: str) -> None:
                await anyio.sleep(grace_seconds)
                logger.error("still stopping %.0f s after %s: exiting", grace_seconds, name)
                exit_now(FORCED_EXIT_CODE)

            watching.start_soon(watch)
            await anyio.sleep(0)  # the handlers are in place before the work starts
            try:
                outcome.append(await work())
            except Exception as error:  # raised as it is, not in a task group's exception group
                failed.append(error)
        watching.cancel_scope.cancel()
    if failed:
        raise failed[0]
    if not outcome:
        raise Stopped(received[0])
    return outcome[0]
