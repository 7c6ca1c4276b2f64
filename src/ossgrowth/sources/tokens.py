"""A pool of GitHub tokens, each with its own budget per rate-limit resource.

Each request goes to the live token with the most budget left for its resource (``core``,
``graphql``, ``search``), as read from the ``x-ratelimit-*`` headers of earlier answers. A token
that GitHub refuses (401) is dropped with a warning naming it by position only (``token #2``).
When every token is spent, the caller waits for the earliest reset. With no tokens the pool
hands out one anonymous grant (60 core requests an hour; GraphQL refuses anonymous calls).

Token values live in :class:`~pydantic.SecretStr` and leave it only to build the
``Authorization`` header: no message, log line or ``repr`` here can show one.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import SecretStr

from ossgrowth.clock import Clock
from ossgrowth.errors import SourceError
from ossgrowth.model import from_epoch_seconds

__all__ = ["Budget", "Exhausted", "Grant", "Resource", "TokenPool"]

logger = logging.getLogger(__name__)

_UNKNOWN_RESET_WAIT = timedelta(seconds=60)
"""A spent budget whose answer named no reset time is tried again after this long."""


class Resource(enum.StrEnum):
    """GitHub's separately counted rate-limit budgets (``x-ratelimit-resource``)."""

    CORE = "core"
    GRAPHQL = "graphql"
    SEARCH = "search"


@dataclass(frozen=True, slots=True)
class Budget:
    """What is known of one token's budget for one resource; ``None`` when not yet seen."""

    limit: int | None = None
    remaining: int | None = None
    resets_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Grant:
    """The credential one request is sent with: a pool position, or anonymous."""

    position: int | None
    """1-based position in the configured token list; ``None`` for anonymous."""
    secret: SecretStr | None = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        """How messages name this credential (never by value)."""
        return "anonymous" if self.position is None else f"token #{self.position}"

    def authorization(self) -> dict[str, str]:
        """The request header that carries the token, or nothing for anonymous."""
        if self.secret is None:
            return {}
        return {"Authorization": f"Bearer {self.secret.get_secret_value()}"}


@dataclass(frozen=True, slots=True)
class Exhausted:
    """Every live credential is out of budget for a resource until ``resets_at``."""

    resource: Resource
    resets_at: datetime
    credentials: int


class TokenPool:
    """Spreads requests over tokens by remaining budget; see the module docstring."""

    def __init__(self, tokens: Sequence[SecretStr | str], *, clock: Clock) -> None:
        secrets = [token if isinstance(token, SecretStr) else SecretStr(token) for token in tokens]
        self._clock = clock
        self._anonymous = not secrets
        self._live: list[Grant] = (
            [Grant(position, secret) for position, secret in enumerate(secrets, start=1)]
            if secrets
            else [Grant(None)]
        )
        self._budgets: dict[tuple[int | None, Resource], Budget] = {}
        self._in_flight: dict[tuple[int | None, Resource], int] = {}
        """Requests granted and not yet settled, per credential and resource."""

    def __repr__(self) -> str:
        return f"TokenPool({self.describe()})"

    @property
    def anonymous(self) -> bool:
        """True when no token was configured."""
        return self._anonymous

    @property
    def size(self) -> int:
        """Live credentials (tokens not dropped, or 1 for anonymous)."""
        return len(self._live)

    def describe(self) -> str:
        """One line for logs: how many tokens, never their values."""
        if self._anonymous:
            return "anonymous"
        return f"{len(self._live)} token(s) live"

    def budget(self, grant: Grant, resource: Resource) -> Budget:
        """The known budget of ``grant`` for ``resource``."""
        return self._budgets.get((grant.position, resource), Budget())

    def remaining(self, resource: Resource | None = None) -> int | None:
        """What the live credentials are known to have left (of one resource, or of all);
        ``None`` before any answer said."""
        known = [
            budget.remaining
            for (position, kind), budget in self._budgets.items()
            if budget.remaining is not None
            and (resource is None or kind is resource)
            and any(grant.position == position for grant in self._live)
        ]
        return sum(known) if known else None

    def choose(self, resource: Resource, *, prefer: int | None = None) -> Grant | Exhausted:
        """The live credential with the most budget left, or when the first one frees up.

        Args:
            resource: the budget the request spends.
            prefer: the position of a token to take while it has budget left: the one a kept
                ``ETag`` was answered to, since GitHub's ETags vary with the credential and
                only a 304 to the same one is free.

        Raises:
            SourceError: every configured token has been refused by GitHub.
        """
        if not self._live:
            raise SourceError("every GitHub token was refused (401); check OSSGROWTH_GITHUB_TOKENS")
        now = self._clock.now()
        best: Grant | None = None
        best_remaining = -1.0
        earliest: datetime | None = None
        for grant in self._live:
            budget = self.budget(grant, resource)
            remaining = _usable(budget, now) - self._in_flight.get((grant.position, resource), 0)
            if prefer is not None and grant.position == prefer and remaining > 0:
                best, best_remaining = grant, remaining
                break
            if remaining > best_remaining:
                best, best_remaining = grant, remaining
            if remaining <= 0 and budget.resets_at is not None:
                earliest = budget.resets_at if earliest is None else min(earliest, budget.resets_at)
        if best is not None and best_remaining > 0:
            key = (best.position, resource)
            self._in_flight[key] = self._in_flight.get(key, 0) + 1
            return best
        return Exhausted(resource, earliest or now + _UNKNOWN_RESET_WAIT, len(self._live))

    def settle(self, grant: Grant, resource: Resource, headers: Mapping[str, str]) -> None:
        """End a request :meth:`choose` granted; learn the budget from its answer's headers.

        Call it once per granted request, with empty headers when no answer came.
        """
        key = (grant.position, resource)
        if self._in_flight.get(key, 0) > 0:
            self._in_flight[key] -= 1
        named = headers.get("x-ratelimit-resource")
        try:
            resource = Resource(named) if named else resource
        except ValueError:
            return  # a budget this pool does not schedule (e.g. code_search)
        remaining = _header_int(headers, "x-ratelimit-remaining")
        if remaining is None:
            return
        limit = _header_int(headers, "x-ratelimit-limit")
        resets_at = _epoch(_header_int(headers, "x-ratelimit-reset"))
        if remaining == 0 and resets_at is None:
            resets_at = self._clock.now() + _UNKNOWN_RESET_WAIT
        known = self.budget(grant, resource)
        same_window = known.resets_at is not None and known.resets_at == resets_at
        if same_window and known.remaining is not None and remaining > known.remaining:
            return  # an older answer arriving after a newer one
        self._budgets[(grant.position, resource)] = Budget(limit, remaining, resets_at)

    def exhaust(self, grant: Grant, resource: Resource, resets_at: datetime | None) -> None:
        """Mark ``grant`` out of budget for ``resource`` (it answered a primary rate limit)."""
        known = self.budget(grant, resource)
        when = resets_at or known.resets_at
        if when is None or when <= self._clock.now():
            when = self._clock.now() + _UNKNOWN_RESET_WAIT
        self._budgets[(grant.position, resource)] = Budget(known.limit, 0, when)

    def drop(self, grant: Grant, reason: str) -> None:
        """Remove a token GitHub refused; later requests use the others."""
        if grant not in self._live:
            return
        self._live.remove(grant)
        logger.warning(
            "GitHub refused %s (%s); dropped it from the pool, %d token(s) left",
            grant.label,
            reason,
            len(self._live),
        )


def _usable(budget: Budget, now: datetime) -> float:
    """Requests left: unknown or reset budgets count as unlimited until an answer says more."""
    if budget.remaining is None:
        return float("inf")
    if budget.resets_at is not None and budget.resets_at <= now:
        return float("inf")
    return float(budget.remaining)


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _epoch(seconds: int | None) -> datetime | None:
    if seconds is None:
        return None
    try:
        return from_epoch_seconds(seconds)
    except (OverflowError, OSError, ValueError):
        return None  # some recordings hold normalised values such as milliseconds
