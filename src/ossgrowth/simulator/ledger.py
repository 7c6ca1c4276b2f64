"""What a served world was asked: requests by endpoint and token, 304s, GraphQL points, faults.

Tests and benchmarks read ``app.state.ledger`` to check how many requests a collector spent.
Tokens appear as they were sent (they are simulator tokens, never real ones); calls without a
token are counted under ``"anonymous"``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["ANONYMOUS", "Ledger", "LedgerSnapshot"]

ANONYMOUS = "anonymous"


@dataclass(frozen=True, slots=True)
class LedgerSnapshot:
    """The ledger's counts at one moment."""

    requests: int
    by_endpoint: Mapping[str, int]
    by_token: Mapping[str, int]
    by_status: Mapping[int, int]
    not_modified: int
    rate_limited: int
    graphql_points: Mapping[str, int]
    faults: Mapping[str, int]


@dataclass
class Ledger:
    """Mutable counters owned by one app; every count starts at zero."""

    requests: int = 0
    by_endpoint: Counter[str] = field(default_factory=Counter)
    by_token: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    not_modified: int = 0
    rate_limited: int = 0
    graphql_points: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)

    def record(self, endpoint: str, token: str | None, status: int) -> None:
        """Count one answered request; ``endpoint`` is a route template such as ``GET /repos``."""
        self.requests += 1
        self.by_endpoint[endpoint] += 1
        self.by_token[token or ANONYMOUS] += 1
        self.by_status[status] += 1
        if status == 304:
            self.not_modified += 1

    def record_points(self, token: str, points: int) -> None:
        """Count GraphQL points charged to ``token``."""
        self.graphql_points[token] += points

    def record_fault(self, kind: str) -> None:
        """Count one injected fault."""
        self.faults[kind] += 1

    def snapshot(self) -> LedgerSnapshot:
        """A frozen copy, safe to keep while the app goes on serving."""
        return LedgerSnapshot(
            requests=self.requests,
            by_endpoint=MappingProxyType(dict(self.by_endpoint)),
            by_token=MappingProxyType(dict(self.by_token)),
            by_status=MappingProxyType(dict(self.by_status)),
            not_modified=self.not_modified,
            rate_limited=self.rate_limited,
            graphql_points=MappingProxyType(dict(self.graphql_points)),
            faults=MappingProxyType(dict(self.faults)),
        )
