"""The work that runs beside a server or in a worker: scheduled collections, backfills and
the delivery of alerts.

Built from settings in one place, so ``ossgrowth serve``, ``ossgrowth collect`` and the demo
run the same loops with the same knobs. A loop stopped by an unexpected error (a bug, not an
upstream's failure: those are handled inside) is logged with its traceback and restarted after
a pause, so one bad run never takes the server down with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from ossgrowth.clock import Clock
from ossgrowth.collect.backfill import build_history_sources
from ossgrowth.collect.backfill_families import HistorySources
from ossgrowth.collect.scheduler import CollectionScheduler
from ossgrowth.collect.upstreams import Upstreams, build_upstreams
from ossgrowth.collect.worker import BackfillWorker
from ossgrowth.config import Settings
from ossgrowth.delivery.dispatcher import DeliveryDispatcher
from ossgrowth.sources import MemoryEtagCache, TokenPool
from ossgrowth.store import Store

__all__ = ["RESTART_PAUSE_SECONDS", "BackgroundWork", "Loop", "background_work", "supervised"]

logger = logging.getLogger(__name__)

Loop = Callable[[], Coroutine[Any, Any, None]]
"""A background task: runs until cancelled."""
RESTART_PAUSE_SECONDS = 30.0
"""How long a loop that failed unexpectedly waits before it starts again."""


async def supervised(loop: Loop, name: str, pause_seconds: float = RESTART_PAUSE_SECONDS) -> None:
    """Run ``loop``; when it raises, log the traceback and start it again after a pause."""
    while True:
        try:
            await loop()
            return
        except Exception:
            logger.exception(
                "%s stopped on an unexpected error; restarting in %s s", name, pause_seconds
            )
            await anyio.sleep(pause_seconds)


@dataclass(frozen=True, slots=True)
class BackgroundWork:
    """The loops to run, and the backfill worker (routes wake it when a repository is tracked)."""

    worker: BackfillWorker | None
    scheduler: CollectionScheduler | None
    dispatcher: DeliveryDispatcher | None = None
    """Sends due alert deliveries, in a loop of its own: a slow receiver never holds up a
    collection."""

    @property
    def loops(self) -> list[Loop]:
        """Every loop to start."""
        runners: list[BackfillWorker | CollectionScheduler | DeliveryDispatcher | None] = [
            self.worker,
            self.scheduler,
            self.dispatcher,
        ]
        return [runner.run_forever for runner in runners if runner is not None]

    def tracked(self) -> None:
        """A repository was tracked: backfill it now, and collect it if no slot has run yet."""
        for runner in (self.worker, self.scheduler):
            if runner is not None:
                runner.wake()

    async def run(self, pause_seconds: float = RESTART_PAUSE_SECONDS) -> None:
        """Run every loop, each :func:`supervised`, until cancelled."""
        async with anyio.create_task_group() as group:
            for loop in self.loops:
                group.start_soon(supervised, loop, _name_of(loop), pause_seconds)


def background_work(
    settings: Settings,
    store: Store,
    clock: Clock,
    *,
    backfills: bool,
    schedule: bool,
    deliveries: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
    on_finished: Callable[[], None] | None = None,
    on_collected: Callable[[Upstreams], None] | None = None,
) -> BackgroundWork:
    """The backfill worker (``backfills``), the collection scheduler (``schedule``) and the
    alert dispatcher (``deliveries``, every ``delivery_poll_seconds`` and at once after a run
    that wrote).

    Args:
        transport: the upstream clients' transport (the simulator in tests and the demo).
        on_finished: called after every run that wrote something (the API clears its cache).
        on_collected: given the clients of each scheduled collection once it ended.

    The backfills and the collections draw on one GitHub token pool, kept for the process,
    so each sees what the other has spent of the budget and which tokens were refused.
    """
    worker = scheduler = dispatcher = None
    if deliveries:
        dispatcher = DeliveryDispatcher.from_settings(settings, store, clock)
        on_finished = _also(on_finished, dispatcher.wake)
    tokens = TokenPool(settings.github_tokens, clock=clock)
    if backfills:

        def open_sources() -> HistorySources:
            return build_history_sources(settings, clock, transport=transport, tokens=tokens)

        worker = BackfillWorker(
            store,
            clock,
            open_sources,
            poll_seconds=settings.backfill_poll_seconds,
            lease_seconds=settings.lease_seconds,
            on_finished=on_finished,
        )
    if schedule:
        etags = MemoryEtagCache()  # one for the process: a 304 next run costs no budget

        def open_upstreams() -> Upstreams:
            return build_upstreams(settings, clock, transport=transport, etags=etags, tokens=tokens)

        scheduler = CollectionScheduler(
            store,
            clock,
            open_upstreams,
            settings.zone,
            on_finished=on_finished,
            on_collected=on_collected,
            lease_seconds=settings.lease_seconds,
        )
    return BackgroundWork(worker, scheduler, dispatcher)


def _also(first: Callable[[], None] | None, then: Callable[[], None]) -> Callable[[], None]:
    """``first`` (if any), then ``then``."""

    def both() -> None:
        if first is not None:
            first()
        then()

    return both


def _name_of(loop: Loop) -> str:
    owner = getattr(loop, "__self__", None)
    return type(owner).__name__ if owner is not None else getattr(loop, "__name__", "a loop")
