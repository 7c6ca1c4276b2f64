"""``create_app(settings, store, clock)``: the one ASGI app of the API, docs and operations.

Everything the app needs lives on ``app.state.context`` (an :class:`ApiContext`); nothing is
module-global, so several apps (tests, Lambda instances) live side by side.

Middleware, outermost first: request metrics → CORS (when origins are configured) → the
staging gate (staging only) → security headers → gzip → cached answers → FastAPI's error
handlers → routes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime

import anyio
import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import BaseRoute

from ossgrowth import __version__
from ossgrowth.api.auth import ChangesAuthorisedFirst, StagingGate, admin_token_set
from ossgrowth.api.cache import ResponseCache
from ossgrowth.api.cached_answers import CachedAnswers
from ossgrowth.api.context import ApiContext
from ossgrowth.api.errors import install_error_handlers
from ossgrowth.api.headers import SecurityHeaders
from ossgrowth.api.http_semantics import HeadAsGet, RelativeRedirects
from ossgrowth.api.openapi import install_openapi
from ossgrowth.api.routers import (
    about,
    admin,
    alerts,
    compare,
    compat,
    compat_writes,
    embeds,
    growth,
    leaderboard,
    operations,
    overview,
    repos,
    series,
    unusual,
)
from ossgrowth.api.routers import collections as repo_collections
from ossgrowth.api.routers.series import NOTE_HEADER
from ossgrowth.api.seed_conventions import SeedConventions
from ossgrowth.api.telemetry import RequestMetrics, Telemetry
from ossgrowth.clock import Clock
from ossgrowth.collect.background import BackgroundWork, background_work
from ossgrowth.collect.staleness import JobStaleness, staleness
from ossgrowth.config import Environment, Settings
from ossgrowth.errors import ConfigError
from ossgrowth.store import Store
from ossgrowth.web import install_dashboard

__all__ = ["MAX_BODY_BYTES", "create_app"]

_DESCRIPTION = """\
The Open Source Growth Tracker's HTTP API. Times are ISO-8601 UTC with `Z` (plus
`epoch_seconds`); `from` and `to` take a date or a datetime, and either without an offset
means UTC. Every error is `application/problem+json`. See docs/api.md.
"""
MAX_BODY_BYTES = 64 * 1024
"""The largest request body taken (413 above): every body the API takes is a few hundred
bytes (a repository and its packages)."""
_GZIP_MINIMUM_BYTES = 1000
_GZIP_LEVEL = 5


def create_app(
    settings: Settings,
    store: Store,
    clock: Clock,
    *,
    upstream_transport: httpx.AsyncBaseTransport | None = None,
    backfill_worker: bool = False,
    collection_scheduler: bool = False,
    alert_deliveries: bool = False,
    local_writes: bool = False,
) -> FastAPI:
    """Build the app serving ``store`` under ``settings``.

    Args:
        settings: environment, staging password, admin token, CORS origins, cache period.
        store: the environment's store, already migrated.
        clock: what "now" is (growth figures, run times, cache expiry).
        upstream_transport: transport of the upstream clients of admin-triggered collections
            (the simulator in tests); default: the network.
        backfill_worker: run queued backfills beside the API while it serves (every
            ``backfill_poll_seconds``, and at once when a repository is tracked).
        collection_scheduler: collect every family on its schedule while it serves.
        alert_deliveries: send the alert outbox's due deliveries while it serves (every
            ``delivery_poll_seconds``, and at once after a collection wrote).
        local_writes: take changes (the write and admin routes) from this machine without a
            token: for a dev server bound to loopback (``ossgrowth serve`` decides with
            :func:`~ossgrowth.api.auth.local_writes_for`). A valid admin token works too.

    Raises:
        ConfigError: staging without a staging password; local writes outside dev.
    """
    staging = settings.environment is Environment.STAGING
    if local_writes and settings.environment is not Environment.DEV:
        raise ConfigError(
            f"{settings.environment.value} never takes changes without the admin token; "
            "local writes are for a dev server on loopback"
        )
    if staging and not (settings.staging_password and settings.staging_password.get_secret_value()):
        raise ConfigError(
            "staging needs a password: set OSSGROWTH_STAGING_PASSWORD (every route asks for it)"
        )

    def schedules_now() -> tuple[datetime, list[JobStaleness]]:
        now = clock.now()
        return now, staleness(store, now, settings.zone)

    telemetry = Telemetry(store.list_runs, schedules_now)
    cache = ResponseCache(clock, ttl_seconds=settings.api_cache_seconds)
    background = background_work(
        settings,
        store,
        clock,
        backfills=backfill_worker,
        schedule=collection_scheduler,
        deliveries=alert_deliveries,
        transport=upstream_transport,
        on_finished=cache.clear,
        on_collected=lambda upstreams: telemetry.record_budget(upstreams.tokens),
    )
    app = FastAPI(
        title="ossgrowth",
        version=__version__,
        description=_DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # served by install_dashboard from the package's own assets
        redoc_url=None,
        lifespan=_running(background) if background.loops else None,
    )
    app.state.context = ApiContext(
        settings=settings,
        store=store,
        clock=clock,
        cache=cache,
        telemetry=telemetry,
        upstream_transport=upstream_transport,
        background=background if background.loops else None,
        local_writes=local_writes,
    )
    install_error_handlers(app)
    for module in (operations, about, repos, overview, series, compare, growth, embeds, compat):
        app.include_router(module.router)
    app.include_router(repo_collections.router)
    app.include_router(unusual.router)
    app.include_router(leaderboard.router)
    app.include_router(leaderboard.badge_router)
    guarded: list[BaseRoute] = []
    if local_writes or admin_token_set(settings):
        writers = (
            repos.write_router,
            repo_collections.write_router,
            compat.write_router,
            compat_writes.router,
            admin.router,
            alerts.router,
        )
        staging_only = (admin.staging_router, compat_writes.staging_router)
        for router in (*writers, *(staging_only if staging else ())):
            app.include_router(router)
            guarded.extend(router.routes)
    app.add_middleware(CachedAnswers, cache=app.state.context.cache)
    app.add_middleware(RelativeRedirects)
    app.add_middleware(HeadAsGet)
    app.add_middleware(ChangesAuthorisedFirst, routes=guarded, max_body_bytes=MAX_BODY_BYTES)
    app.add_middleware(SeedConventions)
    app.add_middleware(GZipMiddleware, minimum_size=_GZIP_MINIMUM_BYTES, compresslevel=_GZIP_LEVEL)
    app.add_middleware(SecurityHeaders)
    if staging:
        assert settings.staging_password is not None
        app.add_middleware(
            StagingGate,
            user=settings.staging_user,
            password=settings.staging_password,
            admin_token=settings.admin_token,
        )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-None-Match"],
            expose_headers=["ETag", NOTE_HEADER],
        )
    app.add_middleware(RequestMetrics, telemetry=telemetry)
    install_dashboard(app, api_base_url=settings.dashboard_api_url)
    install_openapi(app, staging=staging, local_writes=local_writes)
    return app


def _running(background: BackgroundWork) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A lifespan that runs ``background`` while the app serves and stops it on shutdown."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with anyio.create_task_group() as group:
            group.start_soon(background.run)
            yield
            group.cancel_scope.cancel()

    return lifespan
