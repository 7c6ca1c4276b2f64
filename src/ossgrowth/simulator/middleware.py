"""The outermost layer of the simulator app: request numbering, latency and injected faults.

Request ``n`` is numbered by the app, or by ``SimulatorTransport`` (header
``x-simulator-sequence``) so that the transport and the app agree on which request
meets which fault. HTTP-level faults are produced here; transport-level ones are produced by
the transport in-process, and here only when the app is served by uvicorn.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ossgrowth.simulator.faults import FaultConfig, FaultKind, fault_for, variant_for
from ossgrowth.simulator.github_gate import json_bytes
from ossgrowth.simulator.identifiers import request_id
from ossgrowth.simulator.ledger import Ledger

__all__ = ["SEQUENCE_HEADER", "SimulatorMiddleware"]

SEQUENCE_HEADER = "x-simulator-sequence"
_RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
_GRAPHQL_TROUBLE = (
    "Something went wrong while executing your query. This may be the result of a timeout, or "
    "it could be a GitHub bug. Please include `{request}` when reporting this issue."
)


class SimulatorMiddleware:
    """Numbers requests, sleeps ``latency_ms``, and injects the faults ``faults`` draws."""

    def __init__(
        self, app: ASGIApp, ledger: Ledger, faults: FaultConfig | None, latency_ms: float
    ) -> None:
        self.app = app
        self.ledger = ledger
        self.faults = faults
        self.latency_seconds = latency_ms / 1000.0
        self._counter = itertools.count(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {
            key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]
        }
        given = headers.get(SEQUENCE_HEADER, "")
        sequence = int(given) if given.isdigit() else next(self._counter)
        scope.setdefault("state", {})["simulator_sequence"] = sequence
        if self.latency_seconds > 0:
            await anyio.sleep(self.latency_seconds)
        kind = fault_for(self.faults, sequence)
        served = bool(getattr(scope["app"].state, "served", False)) if "app" in scope else False
        if kind is None or self.faults is None:
            await self.app(scope, receive, send)
        elif kind in (FaultKind.SERVER_ERROR, FaultKind.SECONDARY_RATE_LIMIT):
            canned = _canned(kind, scope, self.faults, sequence)
            self.ledger.record_fault(kind.value)
            self.ledger.record(f"fault {_service(scope)}", _token(headers), canned[0])
            await _send_canned(send, *canned)
        elif kind is FaultKind.TRUNCATED_BODY:
            self.ledger.record_fault(kind.value)
            status, response_headers, body = await _capture(self.app, scope, receive)
            await _send(send, status, response_headers, body[: len(body) // 2])
        elif kind is FaultKind.PARTIAL_GRAPHQL_ERROR and scope["path"] == "/graphql":
            status, response_headers, body = await _capture(self.app, scope, receive)
            damaged = _damage_graphql(body, self.faults, sequence)
            if damaged is not None:
                self.ledger.record_fault(kind.value)
                body = damaged
            await _send(send, status, response_headers, body)
        elif kind in (FaultKind.TIMEOUT, FaultKind.CONNECTION_RESET, FaultKind.CONNECTION_REFUSED):
            await self._transport_fault(kind, served and not given, scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _transport_fault(
        self, kind: FaultKind, here: bool, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Served by uvicorn: do it here. In-process: the transport does it (or nothing can)."""
        if not here or self.faults is None:
            await self.app(scope, receive, send)
            return
        self.ledger.record_fault(kind.value)
        if kind is FaultKind.TIMEOUT:
            await anyio.sleep(self.faults.timeout_seconds)
            await self.app(scope, receive, send)
            return
        status, response_headers, body = await _capture(self.app, scope, receive)
        declared = [(k, v) for k, v in response_headers if k.lower() != b"content-length"]
        declared.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": declared})
        await send(
            {"type": "http.response.body", "body": body[: len(body) // 3], "more_body": True}
        )
        raise ConnectionResetError("simulated connection reset")  # uvicorn drops the connection


def _service(scope: Scope) -> str:
    path: str = scope["path"]
    if path.startswith("/npm/"):
        return "npm"
    if path.startswith("/pypistats/"):
        return "pypistats"
    return "graphql" if path == "/graphql" else "github"


def _token(headers: dict[str, str]) -> str | None:
    value = headers.get("authorization", "").partition(" ")[2].strip()
    return value or None


def _canned(
    kind: FaultKind, scope: Scope, faults: FaultConfig, sequence: int
) -> tuple[int, str, bytes, dict[str, str]]:
    """Status, content type, body and headers of a server error or a throttle."""
    service = _service(scope)
    json_type = "application/json; charset=utf-8"
    if kind is FaultKind.SECONDARY_RATE_LIMIT:
        status = (403, 429)[variant_for(faults, sequence, 2)]
        if service in ("github", "graphql"):
            message = (
                "You have exceeded a secondary rate limit. Please wait a few minutes before you "
                "try again. If you reach out to GitHub Support for help, please include the "
                f"request ID {request_id(sequence)}."
            )
            body = {
                "message": message,
                "documentation_url": f"{_RATE_DOCS}#about-secondary-rate-limits",
                "status": str(status),
            }
            return status, json_type, json_bytes(body), {"retry-after": "60"}
        return 429, "text/plain; charset=utf-8", b"error code: 1015", {"retry-after": "60"}
    status = (500, 502, 503)[variant_for(faults, sequence, 3)]
    if service == "graphql" and status == 502:
        trouble = {
            "data": None,
            "errors": [{"message": _GRAPHQL_TROUBLE.format(request=request_id(sequence))}],
        }
        return status, json_type, json_bytes(trouble), {}
    if service in ("github", "graphql"):
        message = {500: "Server Error", 502: "Server Error", 503: "Service Unavailable"}[status]
        return status, json_type, json_bytes({"message": message}), {}
    page = f"<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>"
    return status, "text/html; charset=utf-8", page.encode(), {}


async def _send_canned(
    send: Send, status: int, content_type: str, body: bytes, headers: dict[str, str]
) -> None:
    pairs = [(b"content-type", content_type.encode())]
    pairs += [(key.encode(), value.encode()) for key, value in headers.items()]
    await _send(send, status, pairs, body)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    kept = [(key, value) for key, value in headers if key.lower() != b"content-length"]
    kept.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": kept})
    await send({"type": "http.response.body", "body": body})


async def _capture(
    app: ASGIApp, scope: Scope, receive: Receive
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Run ``app`` and keep its whole response instead of sending it."""
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    return int(start.get("status", 500)), list(start.get("headers", [])), b"".join(chunks)


def _damage_graphql(body: bytes, faults: FaultConfig, sequence: int) -> bytes | None:
    """The answer with some top-level fields nulled and a transient error each; ``None`` if
    there is no data to damage."""
    try:
        answer = json.loads(body)
    except json.JSONDecodeError:
        return None
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict):
        return None
    present = [key for key, value in data.items() if value is not None]
    if not present:
        return None
    count = max(1, len(present) // 3)
    first = variant_for(faults, sequence, len(present))
    chosen = [present[(first + step) % len(present)] for step in range(count)]
    errors = list(answer.get("errors", []))
    for key in chosen:
        data[key] = None
        errors.append({
            "type": "SERVICE_UNAVAILABLE",
            "path": [key],
            "message": _GRAPHQL_TROUBLE.format(request=request_id(sequence)),
        })  # fmt: skip
    answer["errors"] = errors
    return json_bytes(answer)
