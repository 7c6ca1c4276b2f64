"""A real local HTTP receiver of deliveries: a server on 127.0.0.1 in a thread.

It checks each POST's signature against the rule's secret and records what came; the test
says how it answers (a status per request, or hold the answer until released).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ossgrowth.delivery.signing import DELIVERY_HEADER, SIGNATURE_HEADER, verify

HOLD_LIMIT_SECONDS = 120.0
"""A held answer is given up after this, so a failing test never leaves a thread behind."""


@dataclass(frozen=True)
class Received:
    """One POST as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes
    signature_valid: bool

    @property
    def delivery_id(self) -> str:
        return self.headers[DELIVERY_HEADER.lower()]

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """What the server saw, and how it answers next."""

    def __init__(self, secret: str | None) -> None:
        self.secret = secret
        self.url = ""
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._answers: deque[tuple[int, dict[str, str]]] = deque()
        self.holding = False
        """Hold every answer until :meth:`release` (a receiver that hangs)."""
        self.arrived = threading.Event()
        """Set whenever a request has arrived."""
        self.released = threading.Event()

    def answer(self, status: int, headers: dict[str, str] | None = None) -> None:
        """Answer the next request not held with ``status`` (default afterwards: 200)."""
        with self._lock:
            self._answers.append((status, headers or {}))

    def release(self) -> None:
        self.released.set()

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    @property
    def delivery_ids(self) -> list[str]:
        return [request.delivery_id for request in self.received]

    def _take(self, request: Received) -> tuple[int, dict[str, str]]:
        with self._lock:
            self._received.append(request)
            answer = self._answers.popleft() if self._answers else (200, {})
        self.arrived.set()
        return answer


@contextmanager
def serving(secret: str | None = None) -> Iterator[Receiver]:
    """A receiver listening on 127.0.0.1 until the block ends."""
    receiver = Receiver(secret)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            valid = receiver.secret is not None and verify(
                receiver.secret, body, headers.get(SIGNATURE_HEADER.lower())
            )
            status, extra = receiver._take(Received(self.path, headers, body, valid))
            if receiver.holding:
                receiver.released.wait(HOLD_LIMIT_SECONDS)
            try:
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:  # the sender gave up waiting (a timeout) or was killed meanwhile
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Quiet: the tests read what was received, not the server's log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/ossgrowth"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
