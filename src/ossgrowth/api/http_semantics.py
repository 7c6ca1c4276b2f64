"""HTTP as clients expect it, where the framework falls short: ``HEAD`` on every ``GET``
route, and redirects that never name a host a client made up.

- FastAPI routes answer only the methods they declare, so ``HEAD /api/v1/repos`` was a 405
  (RFC 9110 asks every server that answers ``GET`` to answer ``HEAD``). :class:`HeadAsGet`
  runs a ``HEAD`` as the ``GET`` and sends its status and headers without the body.
- Starlette's trailing-slash redirect builds its ``Location`` from the request's ``Host``
  header, so ``Host: evil.example`` got ``Location: http://evil.example/…`` (a cache or a
  proxy in front would send other clients there). :class:`RelativeRedirects` cuts a
  ``Location`` naming the request's own host down to its path and query.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadAsGet", "RelativeRedirects"]


class HeadAsGet:
    """ASGI middleware: ``HEAD`` answered as ``GET`` without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self._app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the rest of the body follows; only its end is sent
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self._app({**scope, "method": "GET"}, receive, headers_only)


class RelativeRedirects:
    """ASGI middleware: a redirect's ``Location`` on the request's own host becomes a path."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        host = next((value for name, value in scope["headers"] if name == b"host"), b"")
        own = host.decode("latin-1").lower()

        async def relative(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                headers = [_relative(name, value, own) for name, value in message["headers"]]
                message = {**message, "headers": headers}
            await send(message)

        await self._app(scope, receive, relative)


def _relative(name: bytes, value: bytes, own_host: str) -> tuple[bytes, bytes]:
    if name.lower() != b"location":
        return name, value
    parts = urlsplit(value.decode("latin-1"))
    if not parts.netloc or parts.netloc.lower() != own_host:
        return name, value
    path = parts.path or "/"
    if path.startswith("//"):  # would read as a host of its own
        path = "/" + path.lstrip("/")
    return name, (path + (f"?{parts.query}" if parts.query else "")).encode("latin-1")
