"""What every request handler needs: built once per app by ``create_app``, kept on ``app.state``."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from fastapi import Request

from ossgrowth.api.cache import ResponseCache
from ossgrowth.api.telemetry import Telemetry
from ossgrowth.clock import Clock
from ossgrowth.collect.background import BackgroundWork
from ossgrowth.config import Settings
from ossgrowth.store import Store

__all__ = ["ApiContext", "context_of"]


@dataclass(frozen=True, slots=True)
class ApiContext:
    """The settings, store, clock, response cache and metrics of one app."""

    settings: Settings
    store: Store
    clock: Clock
    cache: ResponseCache
    telemetry: Telemetry
    upstream_transport: httpx.AsyncBaseTransport | None = None
    """Transport for upstream clients of admin-triggered collections (the simulator in tests)."""
    background: BackgroundWork | None = None
    """Backfills and scheduled collections beside the API (``ossgrowth serve``)."""
    local_writes: bool = False
    """Changes are taken from this machine without a token (a dev server on loopback)."""


async def context_of(request: Request) -> ApiContext:
    """Dependency: the :class:`ApiContext` of the app serving ``request``.

    Asynchronous so that FastAPI calls it in the event loop, not in a worker thread.
    """
    context = request.app.state.context
    assert isinstance(context, ApiContext)
    return context
