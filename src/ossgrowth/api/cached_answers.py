"""ASGI middleware answering cached GETs before routing and parameter parsing.

It sits inside the staging gate, security headers and gzip, so every answer still passes
them; only what a router put in the cache (series, embeds) is ever answered here.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from ossgrowth.api.cache import ResponseCache, request_key
from ossgrowth.api.representation import answer

__all__ = ["ROUTE_SCOPE_KEY", "CachedAnswers"]

ROUTE_SCOPE_KEY = "ossgrowth.route"
"""Scope key naming the route template of an answer given here (for request metrics)."""


class CachedAnswers:
    """Serve a fresh cached answer (200 or 304) for the exact request it was rendered for."""

    def __init__(self, app: ASGIApp, *, cache: ResponseCache) -> None:
        self._app = app
        self._cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = request_key(scope) if scope["type"] == "http" else None
        cached = self._cache.get(key) if key is not None else None
        if cached is None:
            await self._app(scope, receive, send)
            return
        if_none_match = ""
        for name, value in scope.get("headers", ()):
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
                break
        scope[ROUTE_SCOPE_KEY] = cached.route
        await answer(cached, if_none_match)(scope, receive, send)
