"""Store calls from async code: each runs in a worker thread, never on the event loop.

Stores block (SQLite waits up to its busy timeout for the write lock; PostgreSQL for the
network). A coroutine that called one directly would stall every request the server is
answering meanwhile, so async code hands each call to :func:`off_loop` — the one way, checked
by ``tests/store/test_off_loop.py``. Worker threads are anyio's, shared with the API's sync
endpoints (40 at most by default).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import anyio.to_thread

__all__ = ["off_loop"]

P = ParamSpec("P")
T = TypeVar("T")


async def off_loop(call: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``call(*args, **kwargs)`` in a worker thread; the event loop goes on meanwhile.

    Example: ``await off_loop(store.write_points, points)``.
    """
    return await anyio.to_thread.run_sync(functools.partial(call, *args, **kwargs))
