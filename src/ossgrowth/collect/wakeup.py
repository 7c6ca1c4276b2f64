"""A wait that another thread can cut short: a route wakes a background loop.

FastAPI runs synchronous routes in worker threads; an :class:`anyio.Event` must be set from
its event loop, so :meth:`Wakeup.set` hands the call over to that loop when it is made from
elsewhere.
"""

from __future__ import annotations

import threading

import anyio
import anyio.from_thread
import anyio.lowlevel

__all__ = ["Wakeup"]


class Wakeup:
    """Arm it before a round of work, wait on it after: a ``set`` during the work counts."""

    def __init__(self) -> None:
        self._event: anyio.Event | None = None
        self._token: anyio.lowlevel.EventLoopToken | None = None
        self._loop_thread: int | None = None

    def arm(self) -> None:
        """Start a new round (in the loop that will wait)."""
        self._token = anyio.lowlevel.current_token()
        self._loop_thread = threading.get_ident()
        self._event = anyio.Event()

    async def wait(self, seconds: float) -> None:
        """Return after ``seconds``, or as soon as :meth:`set` is called (or was, since arm)."""
        event = self._event
        if event is None:
            await anyio.sleep(seconds)
            return
        with anyio.move_on_after(seconds):
            await event.wait()

    def set(self) -> None:
        """Cut the wait short; from any thread. Before the first :meth:`arm` it does nothing."""
        event, token = self._event, self._token
        if event is None or token is None:
            return  # not running yet: its first round will see the work anyway
        if threading.get_ident() == self._loop_thread:
            event.set()
        else:
            anyio.from_thread.run_sync(event.set, token=token)
