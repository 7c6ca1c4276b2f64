"""Serve the API with uvicorn: settings → store (migrated) → app → one server process."""

from __future__ import annotations

from collections.abc import Callable

import uvicorn

from ossgrowth.api.app import create_app
from ossgrowth.api.auth import local_writes_for
from ossgrowth.clock import SystemClock
from ossgrowth.config import Settings
from ossgrowth.store import open_store

__all__ = ["serve"]


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    on_start: Callable[[], None] | None = None,
) -> None:
    """Open the environment's store, migrate it when behind, and serve until interrupted.

    ``on_start`` is called once the app is built, just before the server starts listening. A
    dev server bound to a loopback address without an admin token takes changes from this
    machine without a token (see :mod:`ossgrowth.api.auth`).

    Raises:
        ConfigError: staging without a password, or a store URL that cannot be used.
        StoreUnreachable: the database does not answer.
    """
    store = open_store(settings)
    try:
        if not store.is_current():
            store.upgrade()
        app = create_app(
            settings,
            store,
            SystemClock(),
            backfill_worker=settings.backfill_poll_seconds > 0,
            collection_scheduler=settings.collect_on_schedule,
            local_writes=local_writes_for(settings, host),
        )
        if on_start is not None:
            on_start()
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level=settings.log_level.lower(),
            proxy_headers=True,
            server_header=False,
        )
    finally:
        store.close()
