"""The API in Lambda: the app ``ossgrowth serve`` runs, behind API Gateway through Mangum.

The app is :func:`ossgrowth.api.app.create_app` over the environment's store, built at the
container's first request (its imports are the bulk of a cold start, and a function that
never answers a request never pays them) and kept while the settings stay the same; a rotated
admin token or staging password (the API secret, re-read every quarter of an hour) builds it
again. It runs no background work: scheduled collections and backfills are the scheduled
functions' (``collect_on_schedule`` and ``backfill_poll_seconds`` do not apply here).

Mangum runs each request on one event loop the container keeps, so the app's caches live
across requests. An event that is not an API Gateway HTTP API request (payload 2.0) is
answered ``400``; settings or a secret that cannot be used, ``503`` with a generic detail (the
log line says what is wrong; the public answer names no secret or account). Both are
``application/problem+json``, the API's own error shape.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ossgrowth.aws.container import Container
from ossgrowth.aws.deadline import LambdaContext
from ossgrowth.aws.events import http_api_event_problem, problem_response
from ossgrowth.errors import OssgrowthError
from ossgrowth.logs import log_context

if TYPE_CHECKING:
    from ossgrowth.config import Settings

__all__ = ["EXTRA_TEXT_MEDIA_TYPES", "ApiFunction"]

logger = logging.getLogger(__name__)

EXTRA_TEXT_MEDIA_TYPES = ("application/problem+json", "image/svg+xml")
"""Answered as text, not base64, besides Mangum's own (``text/*``, JSON, JavaScript …)."""
_UNCONFIGURED = "the API is not configured correctly; its logs say why"


class ApiFunction:
    """The API app of one container, through Mangum; call it with each event."""

    def __init__(self) -> None:
        self._adapter: Any = None
        self._settings: Settings | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __call__(
        self, container: Container, event: object, context: LambdaContext
    ) -> dict[str, Any]:
        """The API Gateway response to ``event`` (payload 2.0)."""
        container.log_to_stdout()
        with log_context(aws_request_id=context.aws_request_id):
            problem = http_api_event_problem(event)
            if problem is not None:
                logger.warning("not an API Gateway HTTP API event: %s", problem)
                return problem_response(400, problem)
            assert isinstance(event, Mapping)
            try:
                settings = container.settings(api_secrets=True)
                container.log_to_stdout(settings.log_level, settings.secret_values())
                adapter = self._adapter_for(container, settings)
            except OssgrowthError as error:
                logger.error("the API cannot start: %s", error)
                return problem_response(503, _UNCONFIGURED)
            started = time.perf_counter()
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)  # Mangum runs the app on the current loop
            response: dict[str, Any] = adapter(dict(event), context)
            http = event["requestContext"]["http"]
            logger.info(
                "%s %s %s",
                http["method"],
                http["path"],
                response.get("statusCode"),
                extra={
                    "method": http["method"],
                    "path": http["path"],
                    "status": response.get("statusCode"),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response

    def _adapter_for(self, container: Container, settings: Settings) -> Any:
        """Mangum over the app for ``settings``: the one built before while they are equal.

        Raises:
            ConfigError: staging without a staging password, or a store URL that cannot be
                used.
        """
        if self._adapter is not None and settings == self._settings:
            return self._adapter
        from mangum import Mangum
        from mangum.adapter import DEFAULT_TEXT_MIME_TYPES

        from ossgrowth.api.app import create_app
        from ossgrowth.clock import SystemClock

        store = container.store(settings)
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        app = create_app(settings, store, SystemClock())
        self._adapter = Mangum(
            app,
            lifespan="off",
            text_mime_types=[*DEFAULT_TEXT_MIME_TYPES, *EXTRA_TEXT_MEDIA_TYPES],
        )
        self._settings = settings
        return self._adapter

    def close(self) -> None:
        """Forget the app and close its event loop (the next request builds both again)."""
        self._adapter = self._settings = None
        if self._loop is not None:
            asyncio.set_event_loop(None)
            self._loop.close()
            self._loop = None
