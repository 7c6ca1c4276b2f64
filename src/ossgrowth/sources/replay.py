"""Recorded upstream answers, replayed through an httpx transport.

Test tooling, not product code: no client depends on it and it is not in ``ossgrowth.sources``'
``__all__``; tests import it from here (or, as before, from ``ossgrowth.sources``).

The conformance suite runs every client against real recorded responses (PyGithub's replay
data, octokit's fixtures, 2026 recordings) as well as against the simulator. This module reads
those recordings, whatever their format, and answers requests from them in order, per method
and path, recording what was asked so tests can check the requests too.

Formats read by :func:`load_recording`:

- a JSON list of ``{protocol, method, host, port, path, request_headers, request_body, status,
  response_headers: [[name, value]…], body}`` (PyGithub's replay data, converted);
- a JSON list of nock recordings ``{scope, method, path, status, response, headers}`` (octokit);
- one ``{request: {path} | {query, variables}, status, headers, body}`` envelope (a request with
  a ``query`` is a ``POST /graphql``).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

__all__ = ["RecordedExchange", "Replay", "load_recording"]

_DROPPED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
"""Recorded bodies are stored decoded, so these no longer describe them."""


@dataclass(frozen=True, slots=True)
class RecordedExchange:
    """One recorded answer to one request."""

    method: str
    path: str
    """Path and query as recorded, e.g. ``/repos/o/r/issues?page=2``."""
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def route(self) -> tuple[str, str]:
        """``(METHOD, path without query)``: what a request is matched on."""
        return self.method.upper(), urlsplit(self.path).path


def load_recording(path: Path) -> tuple[RecordedExchange, ...]:
    """Read a recording file in any of the formats of the module docstring.

    Raises:
        ValueError: the file is in none of them.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, list) and data and isinstance(data[0], Mapping):
        if "protocol" in data[0]:
            return tuple(_from_pygithub(item) for item in data)
        if "scope" in data[0]:
            return tuple(_from_nock(item) for item in data)
    if isinstance(data, Mapping) and {"request", "status", "body"} <= data.keys():
        return (_from_envelope(data),)
    raise ValueError(f"{path.name} is not a recording this module reads")


class Replay:
    """An httpx transport answering from recorded exchanges, in recorded order per route.

    Args:
        exchanges: the answers, matched on method and path (the query is not compared).
        prefix: a base path the client puts before recorded paths (``/api/v3``), stripped.
    """

    def __init__(self, exchanges: Iterable[RecordedExchange] = (), *, prefix: str = "") -> None:
        self.requests: list[httpx.Request] = []
        """Every request received, in order."""
        self._prefix = prefix.rstrip("/")
        self._queues: dict[tuple[str, str], deque[RecordedExchange]] = {}
        for exchange in exchanges:
            self.add(exchange)

    def add(self, exchange: RecordedExchange) -> Replay:
        """Queue one more answer for its route."""
        self._queues.setdefault(exchange.route, deque()).append(exchange)
        return self

    def answer(
        self,
        method: str,
        path: str,
        status: int,
        body: object = None,
        headers: Mapping[str, str] | None = None,
        *,
        raw: bytes | None = None,
    ) -> Replay:
        """Queue a made-up answer (a fault before a recorded one, say)."""
        content = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        pairs = {"content-type": "application/json; charset=utf-8", **(headers or {})}
        return self.add(RecordedExchange(method, path, status, tuple(pairs.items()), content))

    @property
    def unused(self) -> int:
        """Answers queued but not yet asked for."""
        return sum(len(queue) for queue in self._queues.values())

    @property
    def transport(self) -> httpx.MockTransport:
        """The transport to give a client."""
        return httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if self._prefix and path.startswith(self._prefix):
            path = path[len(self._prefix) :] or "/"
        queue = self._queues.get((request.method, path))
        if not queue:
            raise LookupError(f"no recorded answer left for {request.method} {path}")
        exchange = queue.popleft()
        return httpx.Response(
            exchange.status, headers=list(exchange.headers), content=exchange.body
        )


def _headers(pairs: Iterable[tuple[str, object]]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (name.lower(), str(value)) for name, value in pairs if name.lower() not in _DROPPED_HEADERS
    )


def _content(body: object) -> bytes:
    if body is None or body == "":
        return b""
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


def _from_pygithub(item: Mapping[str, object]) -> RecordedExchange:
    headers = item["response_headers"]
    if not isinstance(headers, list):
        raise ValueError("response_headers is not a list of pairs")
    return RecordedExchange(
        method=str(item["method"]).upper(),
        path=str(item["path"]),
        status=int(str(item["status"])),
        headers=_headers((str(name), value) for name, value in headers),
        body=_content(item["body"]),
    )


def _from_nock(item: Mapping[str, object]) -> RecordedExchange:
    headers = item.get("headers") or {}
    if not isinstance(headers, Mapping):
        raise ValueError("headers is not an object")
    return RecordedExchange(
        method=str(item["method"]).upper(),
        path=str(item["path"]),
        status=int(str(item["status"])),
        headers=_headers(headers.items()),
        body=_content(item.get("response")),
    )


def _from_envelope(data: Mapping[str, object]) -> RecordedExchange:
    request = data["request"]
    headers = data.get("headers") or {}
    if not isinstance(request, Mapping) or not isinstance(headers, Mapping):
        raise ValueError("request and headers must be objects")
    is_graphql = "query" in request
    return RecordedExchange(
        method="POST" if is_graphql else str(request.get("method", "GET")).upper(),
        path="/graphql" if is_graphql else str(request["path"]),
        status=int(str(data["status"])),
        headers=_headers(headers.items()),
        body=_content(data["body"]),
    )
