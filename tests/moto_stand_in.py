"""moto in server mode as the tests and benchmarks run it: a real HTTP endpoint on 127.0.0.1,
made faithful where it matters here.

- Requests are answered one at a time, in the order they came: DynamoDB applies each
  conditional write atomically, while moto's backend takes no lock, so two requests served at
  once could both pass one condition (two runners would win one lease). First come, first
  served: with a plain lock, a client sending many requests side by side could starve one of
  them past its read timeout.
- moto answers a query by sorting every item of the table, then keeping the partition's; a
  rollup table of a few thousand items makes each query cost tens of milliseconds. A query on
  a table's own key sorts only the partition it names: the same answer, as DynamoDB finds it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["served_moto"]


@contextmanager
def served_moto() -> Iterator[str]:
    """Serve moto on a free port of 127.0.0.1; yields its URL."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    _queries_read_one_partition()
    moto_app = DomainDispatcherApplication(create_backend_app)
    one_at_a_time = _InTurn()

    def app(environ: Any, start_response: Any) -> Any:
        with one_at_a_time:
            return list(moto_app(environ, start_response))

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


class _InTurn:
    """A lock taken in the order it was asked for (a ticket each)."""

    def __init__(self) -> None:
        self._turns = threading.Condition()
        self._next_ticket = 0
        self._serving = 0

    def __enter__(self) -> None:
        with self._turns:
            ticket = self._next_ticket
            self._next_ticket += 1
            self._turns.wait_for(lambda: self._serving == ticket)

    def __exit__(self, *exc: object) -> None:
        with self._turns:
            self._serving += 1
            self._turns.notify_all()


def _queries_read_one_partition() -> None:
    from moto.dynamodb.models.table import Table

    if getattr(Table.query, "reads_one_partition", False):
        return
    original_query, original_all_items = Table.query, Table.all_items
    hint: list[Any] = [None, None]

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name or not self.range_key_attr or hash_key is None:
            return original_query(self, hash_key, *args, **kwargs)
        hint[:] = [self, hash_key]
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            hint[:] = [None, None]

    def all_items(self: Any) -> Any:
        if hint[0] is not self:
            return original_all_items(self)
        partition = self.items.get(hint[1], {})
        return sorted(partition.values(), key=lambda item: item.range_key)

    query.reads_one_partition = True  # type: ignore[attr-defined]
    Table.query, Table.all_items = query, all_items  # type: ignore[method-assign]
