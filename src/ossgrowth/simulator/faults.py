"""Injected failures, reproducible from a seed: which request fails, and how.

Whether request number ``n`` fails is a pure function of the seed and ``n`` (never of wall
time), so a run with the same seed and the same request order meets the same faults. Faults
an ASGI app cannot produce in-process (timeouts, resets, refused connections) are raised by
:class:`~ossgrowth.simulator.transport.SimulatorTransport`; a served app (uvicorn) produces
timeouts by sleeping and resets by breaking off the response.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field

from ossgrowth.errors import InputError

__all__ = [
    "HTTP_FAULTS",
    "TRANSPORT_FAULTS",
    "FaultConfig",
    "FaultKind",
    "fault_for",
    "variant_for",
]


class FaultKind(enum.StrEnum):
    """The ways a request can fail."""

    SERVER_ERROR = "server_error"
    """500, 502 or 503 with the upstream's error body."""
    SECONDARY_RATE_LIMIT = "secondary_rate_limit"
    """403 or 429 with ``retry-after`` (GitHub's secondary limit; a CDN refusal elsewhere)."""
    TRUNCATED_BODY = "truncated_body"
    """A 200 whose body is cut in half: it does not parse."""
    PARTIAL_GRAPHQL_ERROR = "partial_graphql_error"
    """GraphQL only: some top-level fields null with a transient error entry."""
    TIMEOUT = "timeout"
    """No answer in time: ``httpx.ReadTimeout`` in-process, a long sleep when served."""
    CONNECTION_RESET = "connection_reset"
    """The connection drops mid-answer: ``httpx.RemoteProtocolError``."""
    CONNECTION_REFUSED = "connection_refused"
    """The request never arrives: ``httpx.ConnectError``."""


TRANSPORT_FAULTS = frozenset(
    {FaultKind.TIMEOUT, FaultKind.CONNECTION_RESET, FaultKind.CONNECTION_REFUSED}
)
HTTP_FAULTS = frozenset(FaultKind) - TRANSPORT_FAULTS


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """How often requests fail, which ways, and the seed that picks them."""

    rate: float
    kinds: frozenset[FaultKind] = field(default_factory=lambda: frozenset(FaultKind))
    seed: int = 0
    timeout_seconds: float = 30.0
    """How long a served app sleeps for a TIMEOUT fault."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise InputError(f"fault rate must be between 0 and 1, not {self.rate}")
        if self.rate > 0 and not self.kinds:
            raise InputError("a fault rate above 0 needs at least one fault kind")
        if self.timeout_seconds < 0:
            raise InputError("timeout_seconds cannot be negative")


def fault_for(config: FaultConfig | None, sequence: int) -> FaultKind | None:
    """The fault request number ``sequence`` meets under ``config``, or ``None``."""
    if config is None or config.rate <= 0:
        return None
    digest = hashlib.sha256(f"{config.seed}:{sequence}".encode()).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    if draw >= config.rate:
        return None
    kinds = sorted(config.kinds)
    return kinds[int.from_bytes(digest[8:12], "big") % len(kinds)]


def variant_for(config: FaultConfig, sequence: int, choices: int) -> int:
    """A second reproducible draw for the same request: which status of a fault kind."""
    digest = hashlib.sha256(f"{config.seed}:{sequence}:variant".encode()).digest()
    return int.from_bytes(digest[:4], "big") % choices
