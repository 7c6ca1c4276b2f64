"""An upstream that holds every request until the test lets them through, and a wait for what
another task or thread does, for tests that move a fake clock while work is under way."""

from __future__ import annotations

from collections.abc import Callable

import anyio
import httpx

SAFETY_NET_SECONDS = 120
"""How long :func:`until_true` waits before it fails; never reached unless something hangs."""


class HeldUpstream(httpx.AsyncBaseTransport):
    """Holds each request until :meth:`let_through`; :attr:`reached` is set by the first one.

    Create it inside the test's event loop (it holds anyio events).
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner
        self.reached = anyio.Event()
        self._open = anyio.Event()

    def let_through(self) -> None:
        """Answer the held requests and every later one."""
        self._open.set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.reached.set()
        await self._open.wait()
        return await self._inner.handle_async_request(request)


async def until_true(condition: Callable[[], bool]) -> None:
    """Return once ``condition()`` holds: what a worker thread writes to the store shows when
    it shows, so the test looks again until then (a slow machine only makes it look longer)."""
    with anyio.fail_after(SAFETY_NET_SECONDS):
        while not condition():
            await anyio.sleep(0.01)
