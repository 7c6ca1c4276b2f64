"""Conditional requests: remembered ``ETag`` answers, so an unchanged resource costs no budget.

GitHub answers ``304 Not Modified`` to ``If-None-Match: <etag>`` when nothing changed, and a 304
to an authorised request does not count against the primary rate limit. The cache is a protocol
so a deployment can keep it in its store; :class:`MemoryEtagCache` keeps it for one process.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ossgrowth.sources.http import Reply

__all__ = ["EtagCache", "MemoryEtagCache"]


class EtagCache(Protocol):
    """Where answers that carried an ``ETag`` are kept, keyed by request."""

    def get(self, key: str) -> Reply | None:
        """The answer kept for ``key``, if any."""
        ...

    def put(self, key: str, reply: Reply) -> None:
        """Keep ``reply`` (it has an ``etag`` header) for ``key``."""
        ...


class MemoryEtagCache:
    """An in-memory cache holding the most recently used ``max_entries`` answers."""

    def __init__(self, max_entries: int = 10_000) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._entries: OrderedDict[str, Reply] = OrderedDict()
        self._max_entries = max_entries

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> Reply | None:
        reply = self._entries.get(key)
        if reply is not None:
            self._entries.move_to_end(key)
        return reply

    def put(self, key: str, reply: Reply) -> None:
        self._entries[key] = reply
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
