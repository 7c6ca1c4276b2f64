"""Store calls from async code: each runs in a worker thread, never on the event loop.

Stores block (SQLite waits up to its busy timeout for the write lock; PostgreSQL for the
network). A coroutine that called one directly would stall every request the server is
answering meanwhile, so async code hands each call to :func:`off_loop` — the one way, checked
by ``tests/store/test_off_loop.py``. Worker threads are anyio's, shared with the API's sync
endpoints (40 at most by default).

Reads that answer a request go through :func:`read_off_loop` instead: the same, in at most
:data:`READ_THREADS` threads at once. Shaping a series is Python work that holds the GIL, so
sixteen requests read in sixteen threads take longer together than in two (measured in
``bench/api_load.py``: 350 series a second in one or two threads, 200 in forty); and a read
never waits for a thread held by a slow write, which has the default threads to itself.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar

__all__ = ["READ_THREADS", "off_loop", "read_off_loop"]

P = ParamSpec("P")
T = TypeVar("T")

READ_THREADS = max(2, os.cpu_count() or 1)
"""Threads reading for requests at once: one a core (two at least, so that a read waiting
on the network or the disk does not hold up the next)."""

_read_limiter: RunVar[CapacityLimiter] = RunVar("ossgrowth_read_limiter")


async def off_loop(call: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``call(*args, **kwargs)`` in a worker thread; the event loop goes on meanwhile.

    Example: ``await off_loop(store.write_points, points)``.
    """
    return await anyio.to_thread.run_sync(functools.partial(call, *args, **kwargs))


async def read_off_loop(call: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """:func:`off_loop` for a read answering a request: at most :data:`READ_THREADS` at once,
    the others waiting their turn in order."""
    try:
        limiter = _read_limiter.get()
    except LookupError:
        limiter = CapacityLimiter(READ_THREADS)
        _read_limiter.set(limiter)
    return await anyio.to_thread.run_sync(functools.partial(call, *args, **kwargs), limiter=limiter)
