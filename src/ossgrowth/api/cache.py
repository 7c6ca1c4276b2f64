"""A small in-process cache of rendered answers, per app, with a time to live.

Series and embeds are read far more often than points arrive (every 3 hours at the fastest),
so a rendered answer is kept for ``OSSGROWTH_API_CACHE_SECONDS`` (default 60), keyed by the
request itself (:func:`request_key`), and any write through this app (subjects added or
removed, a collection it ran, staging reset) clears it. Each replica or Lambda instance has its
own cache; none outlives its app. :class:`~ossgrowth.api.cached_answers.CachedAnswers` answers from
it before routing; the routers fill it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.types import Scope

from ossgrowth.clock import Clock

__all__ = ["CachedBody", "ResponseCache", "request_key"]


@dataclass(frozen=True, slots=True)
class CachedBody:
    """A rendered answer: body, media type, entity tag, caching policy and route template."""

    body: bytes
    media_type: str
    etag: str
    cache_control: str = "no-cache"
    route: str = ""
    """The route template that rendered it, for request metrics."""
    headers: tuple[tuple[str, str], ...] = ()
    """More headers of the answer (``Ossgrowth-Note`` on a CSV whose totals are windowed)."""


def request_key(scope: Scope) -> str | None:
    """What identifies a cacheable request: a GET's path, query and CSV preference."""
    if scope.get("method") != "GET":
        return None
    accept = b""
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            accept = value
            break
    wants_csv = accept.split(b",")[0].strip().startswith(b"text/csv")
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{scope['path']}?{query}|{'csv' if wants_csv else ''}"


class ResponseCache:
    """Least-recently-used entries that expire ``ttl_seconds`` after they were stored."""

    def __init__(self, clock: Clock, *, ttl_seconds: float, max_entries: int = 512) -> None:
        self._clock = clock
        self._ttl = timedelta(seconds=ttl_seconds)
        self._max_entries = max_entries
        self._entries: OrderedDict[str, tuple[datetime, CachedBody]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedBody | None:
        """The entry of ``key`` when it is still fresh."""
        if self._ttl <= timedelta(0):
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            stored_at, body = found
            if self._clock.now() - stored_at >= self._ttl:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return body

    def put(self, key: str, body: CachedBody) -> None:
        """Keep ``body`` under ``key``, dropping the least recently used entry when full."""
        if self._ttl <= timedelta(0):
            return
        with self._lock:
            self._entries[key] = (self._clock.now(), body)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry (after a write through this app)."""
        with self._lock:
            self._entries.clear()
