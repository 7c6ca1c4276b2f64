"""Who is calling the simulated GitHub, what it costs them, and the headers every answer carries.

One gate per app: it turns ``Authorization`` into a caller (401 for an unknown token), refuses
callers whose primary budget is spent, charges answered requests (a 304 to an authorised
conditional request is free, as GitHub documents), and writes ETag and ``x-ratelimit-*``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ossgrowth.clock import Clock
from ossgrowth.model import to_epoch_seconds
from ossgrowth.simulator.github_bodies import DOCS, error_body
from ossgrowth.simulator.identifiers import request_id
from ossgrowth.simulator.ledger import Ledger
from ossgrowth.simulator.ratelimit import Budget, RateLimiter
from ossgrowth.simulator.world import World

__all__ = ["API_VERSION", "Caller", "GitHubGate", "json_bytes", "rate_headers"]

API_VERSION = "2026-03-10"
_RATE_DOCS = f"{DOCS}/rest/overview/rate-limits-for-the-rest-api"
_EXPOSED = (
    "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, "
    "X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, "
    "X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, "
    "X-GitHub-Request-Id, Deprecation, Sunset"
)


def json_bytes(body: Any) -> bytes:
    """Compact JSON, as GitHub sends to programs."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True, slots=True)
class Caller:
    """The party behind a request: a known token, or an anonymous address."""

    token: str | None
    bucket: str
    user_id: int

    @property
    def authenticated(self) -> bool:
        return self.token is not None


class GitHubGate:
    """Authentication, budgets and common headers of one simulated GitHub."""

    def __init__(self, world: World, clock: Clock, limiter: RateLimiter, ledger: Ledger) -> None:
        self.world = world
        self.clock = clock
        self.limiter = limiter
        self.ledger = ledger
        self._user_ids = {
            token: 7_000_000 + index for index, token in enumerate(world.config.tokens)
        }

    # Who ----------------------------------------------------------------------------------

    def identify(self, request: Request, endpoint: str) -> Caller | Response:
        """The caller, or the 401 GitHub answers to a token it does not know."""
        header = request.headers.get("authorization", "").strip()
        if not header:
            address = request.client.host if request.client else "127.0.0.1"
            return Caller(None, f"anonymous:{address}", 0)
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() not in {"token", "bearer"} or token not in self._user_ids:
            body = error_body("Bad credentials", f"{DOCS}/rest", 401)
            return self.plain(request, endpoint, None, 401, body)
        return Caller(token, token, self._user_ids[token])

    def limit_of(self, caller: Caller, resource: str) -> int:
        config = self.world.config
        if not caller.authenticated:
            return config.anonymous_requests_per_hour
        return (
            config.graphql_points_per_hour
            if resource == "graphql"
            else config.core_requests_per_hour
        )

    def budget(self, caller: Caller, resource: str, now: datetime) -> Budget:
        """The caller's bucket now, uncharged."""
        limit = self.limit_of(caller, resource)
        return self.limiter.budget(caller.bucket, resource, limit, to_epoch_seconds(now))

    def charge(self, caller: Caller, resource: str, amount: int, now: datetime) -> Budget:
        """Spend ``amount`` of the caller's bucket."""
        limit = self.limit_of(caller, resource)
        return self.limiter.charge(caller.bucket, resource, limit, amount, to_epoch_seconds(now))

    # Refusals ------------------------------------------------------------------------------

    def refuse_if_exhausted(
        self, request: Request, endpoint: str, caller: Caller, resource: str
    ) -> Response | None:
        """The primary-limit refusal when the caller has nothing left, else ``None``."""
        now = self.clock.now()
        budget = self.budget(caller, resource, now)
        if budget.remaining > 0:
            return None
        status = self.world.config.rate_limited_status
        who = (
            f"user ID {caller.user_id}."
            if caller.authenticated
            else f"{caller.bucket.removeprefix('anonymous:')}. (But here's the good news: "
            "Authenticated requests get a higher rate limit. Check out the documentation for "
            "more details.)"
        )
        sequence = self.sequence(request)
        message = (
            f"API rate limit exceeded for {who} If you reach out to GitHub Support for help, "
            f"please include the request ID {request_id(sequence)} and timestamp "
            f"{now.strftime('%Y-%m-%d %H:%M:%S')} UTC."
        )
        self.ledger.rate_limited += 1
        return self.plain(
            request, endpoint, caller, status, error_body(message, _RATE_DOCS, status), budget
        )

    # Answers --------------------------------------------------------------------------------

    def reply(
        self,
        request: Request,
        endpoint: str,
        caller: Caller,
        body: Any,
        *,
        resource: str = "core",
        status: int = 200,
        headers: dict[str, str] | None = None,
        media_type: str = "github.v3; format=json",
    ) -> Response:
        """A charged answer; a 200 gets an ETag, and a matching ``If-None-Match`` a 304."""
        now = self.clock.now()
        payload = json_bytes(body)
        extra = dict(headers or {})
        extra["x-github-media-type"] = media_type
        if status == 200:
            vary = f"{caller.bucket}|{request.headers.get('accept', '')}".encode()
            digest = hashlib.sha256(payload + b"|" + vary).hexdigest()
            etag = f'W/"{digest}"'
            extra["etag"] = etag
            if etag in _etags(request.headers.get("if-none-match", "")):
                cost = 0 if caller.authenticated else 1
                budget = self.charge(caller, resource, cost, now)
                extra.pop("link", None)
                return self._finish(request, endpoint, caller, 304, b"", extra, budget, now)
        budget = self.charge(caller, resource, 1, now)
        return self._finish(request, endpoint, caller, status, payload, extra, budget, now)

    def plain(
        self,
        request: Request,
        endpoint: str,
        caller: Caller | None,
        status: int,
        body: Any,
        budget: Budget | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """An uncharged answer (errors before the budget is touched)."""
        return self._finish(
            request, endpoint, caller, status, json_bytes(body), dict(headers or {}), budget,
            self.clock.now(),
        )  # fmt: skip

    def _finish(
        self,
        request: Request,
        endpoint: str,
        caller: Caller | None,
        status: int,
        payload: bytes,
        headers: dict[str, str],
        budget: Budget | None,
        now: datetime,
    ) -> Response:
        common = {
            "date": format_datetime(now, usegmt=True),
            "x-github-api-version-selected": API_VERSION,
            "x-github-request-id": request_id(self.sequence(request)),
            "access-control-expose-headers": _EXPOSED,
            "access-control-allow-origin": "*",
            "cache-control": "private, max-age=60, s-maxage=60",
            "vary": "Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding",
        }
        if budget is not None:
            common.update(rate_headers(budget))
        common.update(headers)
        self.ledger.record(endpoint, caller.token if caller else None, status)
        media = None if status == 304 else "application/json; charset=utf-8"
        return Response(payload, status_code=status, headers=common, media_type=media)

    @staticmethod
    def sequence(request: Request) -> int:
        """The app-wide number of this request (set by the simulator middleware)."""
        return int(request.scope.get("state", {}).get("simulator_sequence", 0))


def rate_headers(budget: Budget) -> dict[str, str]:
    """The five ``x-ratelimit-*`` headers of a bucket."""
    return {
        "x-ratelimit-limit": str(budget.limit),
        "x-ratelimit-remaining": str(budget.remaining),
        "x-ratelimit-reset": str(budget.reset_epoch_seconds),
        "x-ratelimit-used": str(budget.used),
        "x-ratelimit-resource": budget.resource,
    }


def _etags(header: str) -> set[str]:
    tags = {part.strip() for part in header.split(",") if part.strip()}
    return tags | {f"W/{tag}" for tag in tags if not tag.startswith("W/")}
