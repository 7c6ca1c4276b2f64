"""The conventions of the seed's paths (``/api/…`` outside ``/api/v1``), so its clients work
unchanged: errors as ``{"error": "…"}`` (problem+json everywhere else), CORS open to any
origin with the seed's methods and headers, and ``OPTIONS`` answering 200 on any of them.

The bodies our routes answer elsewhere as RFC 9457 problems are rewritten here, status kept,
so one set of checks serves both shapes.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ossgrowth.api.errors import PROBLEM_MEDIA_TYPE

__all__ = ["SEED_CORS_HEADERS", "SeedConventions", "is_seed_path"]

SEED_CORS_HEADERS = (
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET,POST,OPTIONS"),
    (b"access-control-allow-headers", b"Content-Type,X-Amz-Date,Authorization,X-Api-Key"),
)


def is_seed_path(path: str) -> bool:
    """Whether ``path`` is one of the seed's (``/api/…``, not ``/api/v1/…``)."""
    return path.startswith("/api/") and not (path == "/api/v1" or path.startswith("/api/v1/"))


class SeedConventions:
    """ASGI middleware applying the seed's conventions to its paths."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_seed_path(scope["path"]):
            await self._app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [*SEED_CORS_HEADERS, (b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        start: Message | None = None
        problem = False
        chunks: list[bytes] = []

        async def seed_shaped(message: Message) -> None:
            nonlocal start, problem
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message["headers"]
                    if not name.lower().startswith(b"access-control-")
                ]
                problem = any(
                    name.lower() == b"content-type"
                    and value.startswith(PROBLEM_MEDIA_TYPE.encode())
                    for name, value in headers
                )
                start = {**message, "headers": [*headers, *SEED_CORS_HEADERS]}
                if not problem:
                    await send(start)
                return
            if not problem:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = _error_body(b"".join(chunks))
            assert start is not None
            headers = [
                (name, value)
                for name, value in start["headers"]
                if name.lower() not in {b"content-type", b"content-length"}
            ]
            headers += [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self._app(scope, receive, seed_shaped)


def _error_body(problem: bytes) -> bytes:
    """``{"error": detail}`` of a problem+json body."""
    try:
        detail = json.loads(problem).get("detail") or "error"
    except (ValueError, AttributeError):
        detail = "error"
    return json.dumps({"error": detail}).encode()
