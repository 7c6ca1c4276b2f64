"""An httpx transport into a simulator app that can also fail the way networks fail.

``httpx.ASGITransport`` can only deliver what the app answers; timeouts, dropped connections
and refused connections have to be raised by the transport. This one numbers each request
(header ``x-simulator-sequence``, so the app draws HTTP-level faults for the same number) and
raises the transport-level faults its :class:`~ossgrowth.simulator.faults.FaultConfig` draws.
A timed-out or reset request still reaches the app first, as on a real network: the server
did the work and counted it; the client never saw the answer.
"""

from __future__ import annotations

import itertools

import httpx
from starlette.applications import Starlette

from ossgrowth.simulator.faults import FaultConfig, FaultKind, fault_for
from ossgrowth.simulator.middleware import SEQUENCE_HEADER

__all__ = ["SimulatorTransport"]


class SimulatorTransport(httpx.AsyncBaseTransport):
    """Forward requests to ``app`` in-process, raising the transport faults ``faults`` draws.

    Give the app the same ``FaultConfig`` (``create_app(..., faults=...)``) for HTTP-level
    faults: each request then meets at most one fault, at the configured rate.
    """

    def __init__(
        self,
        app: Starlette,
        faults: FaultConfig | None = None,
        client: tuple[str, int] = ("127.0.0.1", 40_000),
    ) -> None:
        self._app = app
        self._inner = httpx.ASGITransport(app=app, client=client)
        self._faults = faults
        self._counter = itertools.count(1)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sequence = next(self._counter)
        request.headers[SEQUENCE_HEADER] = str(sequence)
        kind = fault_for(self._faults, sequence)
        if kind is FaultKind.CONNECTION_REFUSED:
            self._count(kind)
            raise httpx.ConnectError("simulated: connection refused", request=request)
        response = await self._inner.handle_async_request(request)
        if kind is FaultKind.TIMEOUT:
            self._count(kind)
            await response.aclose()
            raise httpx.ReadTimeout("simulated: the read timed out", request=request)
        if kind is FaultKind.CONNECTION_RESET:
            self._count(kind)
            await response.aclose()
            raise httpx.RemoteProtocolError(
                "simulated: peer closed connection without sending complete message body",
                request=request,
            )
        return response

    def _count(self, kind: FaultKind) -> None:
        self._app.state.ledger.record_fault(kind.value)

    async def aclose(self) -> None:
        await self._inner.aclose()
