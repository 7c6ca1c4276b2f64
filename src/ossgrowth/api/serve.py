"""Serve the API with uvicorn: settings → store (migrated) → app → one server process.

Stop signals are :mod:`ossgrowth.stopping`'s, not uvicorn's: the first lets the servers finish
their requests and background work, and the process exits 0.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import anyio
import uvicorn

from ossgrowth.api.app import create_app
from ossgrowth.api.auth import local_writes_for
from ossgrowth.clock import SystemClock
from ossgrowth.config import Settings
from ossgrowth.stopping import until_stopped
from ossgrowth.store import open_store

__all__ = ["quiet_server", "serve", "serve_until_stopped"]


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
        if not store.is_current() or not store.rollups_ready():
            store.upgrade()  # also goes on with a rollup build that was stopped
        app = create_app(
            settings,
            store,
            SystemClock(),
            backfill_worker=settings.backfill_poll_seconds > 0,
            collection_scheduler=settings.collect_on_schedule,
            alert_deliveries=settings.delivery_poll_seconds > 0,
            local_writes=local_writes_for(settings, host),
        )
        if on_start is not None:
            on_start()
        server = quiet_server(app, host, port, settings.log_level, proxy_headers=True)
        anyio.run(serve_until_stopped, [server])
    finally:
        store.close()


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to :func:`ossgrowth.stopping.until_stopped`."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def quiet_server(
    app: object, host: str, port: int, log_level: str, *, proxy_headers: bool = False
) -> uvicorn.Server:
    """A uvicorn server for ``app`` that installs no signal handlers of its own.

    Nor log handlers: its records (errors, and access lines at INFO) go to the root logger's
    handler, in the same format and redacted like every other (:mod:`ossgrowth.logs`).
    """
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        log_config=None,
        log_level=log_level.lower(),
        proxy_headers=proxy_headers,
        server_header=False,
    )
    return _Server(config)


async def serve_until_stopped(servers: list[uvicorn.Server]) -> None:
    """Run ``servers`` until a stop signal; then each finishes what it is doing and ends."""

    def stop() -> None:
        for server in servers:
            server.should_exit = True

    async def run_all() -> None:
        async with anyio.create_task_group() as group:
            for server in servers:
                group.start_soon(server.serve)

    await until_stopped(run_all, stop=stop)
