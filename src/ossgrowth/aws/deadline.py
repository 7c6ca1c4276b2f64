"""The Lambda invocation's context and its time limit, as the handlers use them.

An invocation stops its work :data:`FINISH_MARGIN_SECONDS` before Lambda would end it, so it
still has time to give its leases back, record its run as stopped and return its summary; the
next invocation takes up what is left. Nothing here reads the wall clock: the remaining time is
what the context says each time it is asked.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["FINISH_MARGIN_SECONDS", "Deadline", "LambdaContext"]

FINISH_MARGIN_SECONDS = 15.0
"""Time kept at the end of an invocation to stop cleanly: a store write in flight finishes,
leases are given back, the run and the metric recorded, the summary returned."""


class LambdaContext(Protocol):
    """What the handlers read of the context object Lambda passes with each event."""

    @property
    def aws_request_id(self) -> str:
        """The invocation's request id (in every log line of it)."""
        ...

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before Lambda ends the invocation."""
        ...


class Deadline:
    """When an invocation must stop working: its remaining time less a margin.

    Args:
        context: the invocation's context.
        margin_seconds: time kept for stopping cleanly.
    """

    def __init__(
        self, context: LambdaContext, margin_seconds: float = FINISH_MARGIN_SECONDS
    ) -> None:
        self._context = context
        self._margin_seconds = margin_seconds

    def seconds_left(self) -> float:
        """Seconds of work left (negative once the margin has begun)."""
        return self._context.get_remaining_time_in_millis() / 1000 - self._margin_seconds

    def allows(self, seconds: float) -> bool:
        """Whether ``seconds`` of work still fit before the margin."""
        return self.seconds_left() >= seconds
