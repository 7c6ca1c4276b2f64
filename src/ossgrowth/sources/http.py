"""The HTTP layer under every client: retries, rate limits, tokens, one-line errors.

What :meth:`SourceHttp.send` does with an answer:

- 2xx: the body is parsed as JSON; a body that is not JSON (truncated, garbled) is retried.
- 304 to a conditional request: the remembered answer is returned (``from_cache``).
- 5xx, timeouts, refused or reset connections: retried with exponential backoff and full jitter,
  at most ``RetryPolicy.max_attempts`` tries, then :class:`SourceUnavailable`.
- 401 with a token: the token is dropped from the pool and the request goes to another one.
- 403/429 with ``retry-after``: wait that long. With ``x-ratelimit-remaining: 0`` (a primary
  limit): the token is marked spent and the request goes to the token with the most budget,
  or waits for the earliest reset. With a secondary-limit message and no ``retry-after``: wait
  at least a minute, doubling. Too many waits: :class:`~ossgrowth.errors.RateLimited`.
- Any other answer (3xx, 4xx) is returned for the client to interpret (:meth:`SourceHttp.error`).

Error messages name the service and its URL, never a token.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from ossgrowth import __version__
from ossgrowth.clock import Clock
from ossgrowth.errors import NotFound, RateLimited, SourceError
from ossgrowth.sources.etags import EtagCache
from ossgrowth.sources.retry import DEFAULT_RETRY_POLICY, RetryPolicy
from ossgrowth.sources.tokens import Exhausted, Grant, Resource, TokenPool

__all__ = [
    "DEFAULT_TIMEOUT_SECONDS",
    "MAX_REDIRECTS",
    "REDIRECTS",
    "Reply",
    "SourceHttp",
    "SourceUnavailable",
    "SourceUnreachable",
]

REDIRECTS = frozenset({301, 302, 307, 308})
MAX_REDIRECTS = 3
"""Redirects followed for one request (a rename, then a transfer …) before giving up."""

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 30.0
_USER_AGENT = f"ossgrowth/{__version__}"
_RESET_MARGIN = timedelta(seconds=1)
_MAX_RESET_WAITS = 3
_SECONDARY_WORDS = ("secondary rate limit", "abuse")


class SourceUnavailable(SourceError):
    """An upstream kept failing (5xx, timeouts, broken bodies) through every retry."""


class SourceUnreachable(SourceUnavailable):
    """No answer at all: the connection was refused or could not be made, through every retry.

    Batch callers stop at this one instead of trying the next batch against a server that is
    not there.
    """


@dataclass(frozen=True, slots=True)
class Reply:
    """One upstream answer: status, headers (lower-case names) and the parsed JSON body."""

    status: int
    url: str
    headers: Mapping[str, str]
    body: object
    """Parsed JSON; ``None`` for a body that is empty, or not JSON on a non-2xx answer."""
    from_cache: bool = False
    grant: Grant | None = field(default=None, compare=False)
    """The credential the request went out with; ``None`` without a token pool."""

    @property
    def message(self) -> str | None:
        """The upstream's own explanation (``message`` or ``error`` of a JSON body)."""
        if isinstance(self.body, Mapping):
            for key in ("message", "error"):
                text = self.body.get(key)
                if isinstance(text, str) and text:
                    return text.splitlines()[0][:200]
        return None


class SourceHttp:
    """An HTTP client for one upstream service; clients build one each.

    Args:
        service: the name messages use ("GitHub", "npm downloads API", "PyPI stats").
        base_url: the service root; relative targets are joined to it.
        clock: tells the time for rate-limit resets.
        transport: an httpx transport (tests, the simulator); default the network.
        tokens: GitHub's token pool; ``None`` for services without authentication.
        retry: retry bounds, the sleeper and the jitter seed.
        timeout_seconds: per-request timeout.
        headers: sent with every request (e.g. GitHub's ``Accept``).
    """

    def __init__(
        self,
        service: str,
        base_url: str,
        *,
        clock: Clock,
        transport: httpx.AsyncBaseTransport | None = None,
        tokens: TokenPool | None = None,
        retry: RetryPolicy = DEFAULT_RETRY_POLICY,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        self.retry = retry
        self.requests_sent = 0
        """HTTP requests made, retries included; what a run spent."""
        self._answered = False
        """Whether the host ever answered; see ``RetryPolicy.max_unreachable_attempts``."""
        self._clock = clock
        self._random = retry.random()
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout_seconds),
            follow_redirects=False,
            headers={"User-Agent": _USER_AGENT, **(headers or {})},
        )

    def __repr__(self) -> str:
        return f"SourceHttp({self.service!r}, {self.base_url!r})"

    async def aclose(self) -> None:
        """Close the connections."""
        await self._client.aclose()

    def url(self, target: str) -> str:
        """``target`` joined to the base URL, unless it is already absolute."""
        if target.startswith(("http://", "https://")):
            return target
        if not target:
            return self.base_url
        return f"{self.base_url}/{target.lstrip('/')}"

    def redirect_target(self, reply: Reply, what: str) -> str:
        """Where a redirect answer (301, 302, 307, 308) points, on this client's host only.

        A renamed or transferred GitHub repository answers 301 to ``/repositories/{id}/…``.
        A redirect to another host is refused: the token is not sent elsewhere.

        Raises:
            SourceError: no ``location``, or one on another host.
        """
        location = reply.headers.get("location")
        if not location:
            raise SourceError(
                f"{self.service} answered {reply.status} for {what} without a location"
            )
        moved = urlsplit(self.url(location))
        home = urlsplit(self.base_url)
        if (moved.scheme, moved.netloc) != (home.scheme, home.netloc):
            raise SourceError(
                f"{self.service} redirected {what} to another host ({moved.netloc}); not "
                "following with the token"
            )
        return moved.geturl()

    def error(self, reply: Reply, what: str) -> SourceError:
        """The error for an answer a client cannot use: 404 → ``NotFound``."""
        detail = f": {reply.message}" if reply.message else ""
        if reply.status == 404:
            return NotFound(f"{self.service} has no {what} (404{detail})")
        return SourceError(f"{self.service} answered {reply.status} for {what}{detail}")

    async def pause(self, failures: int) -> None:
        """Back off before a client-level retry (e.g. a GraphQL partial error)."""
        await self.retry.sleep(self.retry.backoff_seconds(failures, self._random))

    async def send(
        self,
        method: str,
        target: str,
        *,
        resource: Resource = Resource.CORE,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        etags: EtagCache | None = None,
    ) -> Reply:
        """Send one request, retrying as the module docstring says.

        Raises:
            SourceUnavailable: transient failures outlasted every retry.
            RateLimited: rate limits outlasted the allowed waits.
            SourceError: every token was refused.
        """
        url = self.url(target)
        cache_key = _cache_key(method, url, params, headers) if etags is not None else None
        cached = etags.get(cache_key) if etags is not None and cache_key is not None else None
        failures = 0
        secondary_strikes = 0
        primary_strikes = 0
        kept_for = cached.grant.position if cached is not None and cached.grant else None
        while True:
            grant = await self._grant(resource, prefer=kept_for)
            request_headers = {**(headers or {}), **(grant.authorization() if grant else {})}
            if cached is not None and (etag := cached.headers.get("etag")):
                request_headers["If-None-Match"] = etag
            self.requests_sent += 1
            try:
                response = await self._client.request(
                    method, url, params=params, json=json_body, headers=request_headers
                )
            except httpx.TransportError as error:
                if grant is not None and self.tokens is not None:
                    self.tokens.settle(grant, resource, {})
                failures += 1
                problem = _describe_transport_error(error)
                await self._retry_or_raise(
                    failures,
                    f"cannot reach {self.service} at {self.base_url}: {problem}",
                    unreachable=isinstance(error, httpx.ConnectError),
                )
                continue
            except BaseException:  # cancelled mid-request: it is in flight no more
                if grant is not None and self.tokens is not None:
                    self.tokens.settle(grant, resource, {})
                raise
            self._answered = True
            reply_headers = MappingProxyType(
                {name.lower(): value for name, value in response.headers.items()}
            )
            if grant is not None and self.tokens is not None:
                self.tokens.settle(grant, resource, reply_headers)
            status = response.status_code
            if status == 304 and cached is not None:
                return replace(cached, from_cache=True)
            if status >= 500:
                failures += 1
                await self._retry_or_raise(
                    failures,
                    f"{self.service} at {self.base_url} answered {status} "
                    f"{response.reason_phrase}".rstrip(),
                )
                continue
            if 200 <= status < 300:
                try:
                    body = json.loads(response.content) if response.content else None
                except ValueError as error:
                    failures += 1
                    await self._retry_or_raise(
                        failures,
                        f"{self.service} at {self.base_url} sent a body that is not JSON "
                        f"({str(error)[:80]})",
                    )
                    continue
                reply = Reply(status, str(response.url), reply_headers, body, grant=grant)
                if etags is not None and cache_key is not None and "etag" in reply_headers:
                    etags.put(cache_key, reply)
                return reply
            reply = Reply(
                status, str(response.url), reply_headers, _json_or_none(response), grant=grant
            )
            if status == 401 and grant is not None and self.tokens is not None and grant.secret:
                self.tokens.drop(grant, f"401 {reply.message or 'Unauthorized'}")
                continue
            if status in (403, 429):
                limit = _limit_kind(reply)
                if limit == "primary" and grant is not None and self.tokens is not None:
                    primary_strikes += 1
                    if primary_strikes <= self.retry.max_attempts + self.tokens.size:
                        self.tokens.exhaust(grant, resource, _reset_time(reply))
                        continue
                if limit is not None:
                    secondary_strikes += 1
                    await self._wait_secondary(secondary_strikes, reply)
                    continue
            return reply

    async def _grant(self, resource: Resource, *, prefer: int | None = None) -> Grant | None:
        if self.tokens is None:
            return None
        for _ in range(_MAX_RESET_WAITS):
            choice = self.tokens.choose(resource, prefer=prefer)
            if isinstance(choice, Grant):
                return choice
            await self._wait_for_reset(choice)
        raise RateLimited(
            f"{self.service} budget for {resource.value} did not come back after waiting",
            resets_at=None,
        )

    async def _wait_for_reset(self, exhausted: Exhausted) -> None:
        resume_at = exhausted.resets_at + _RESET_MARGIN
        seconds = max(0.0, (resume_at - self._clock.now()).total_seconds())
        stamp = exhausted.resets_at.isoformat(timespec="seconds")
        if seconds > self.retry.max_reset_wait_seconds:
            raise RateLimited(
                f"every {self.service} credential is out of {exhausted.resource.value} budget "
                f"until {stamp}",
                resets_at=exhausted.resets_at,
            )
        logger.warning(
            "every %s credential (%d) is out of %s budget; waiting until %s (%.0f s)",
            self.service,
            exhausted.credentials,
            exhausted.resource.value,
            stamp,
            seconds,
        )
        await self.retry.sleep(seconds)

    async def _wait_secondary(self, strikes: int, reply: Reply) -> None:
        if strikes > self.retry.max_secondary_limit_waits:
            raise RateLimited(
                f"{self.service} at {self.base_url} kept answering {reply.status} "
                f"(secondary rate limit) after {strikes - 1} waits"
            )
        seconds = self.retry.secondary_limit_seconds(
            strikes, _retry_after_seconds(reply, self._clock.now()), self._random
        )
        logger.warning(
            "%s answered %d (secondary rate limit%s); waiting %.0f s",
            self.service,
            reply.status,
            f": {reply.message}" if reply.message else "",
            seconds,
        )
        await self.retry.sleep(seconds)

    async def _retry_or_raise(
        self, failures: int, problem: str, *, unreachable: bool = False
    ) -> None:
        limit = (
            min(self.retry.max_attempts, self.retry.max_unreachable_attempts)
            if unreachable and not self._answered
            else self.retry.max_attempts
        )
        if failures >= limit:
            kind = SourceUnreachable if unreachable else SourceUnavailable
            raise kind(f"{problem} (tried {failures} times)")
        seconds = self.retry.backoff_seconds(failures, self._random)
        logger.info(
            "%s; retrying in %.1f s (attempt %d of %d)",
            problem,
            seconds,
            failures + 1,
            limit,
        )
        await self.retry.sleep(seconds)


def _describe_transport_error(error: httpx.TransportError) -> str:
    text = str(error).strip()
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    if "refused" in text.lower():
        return "connection refused"
    if isinstance(error, httpx.ConnectError):
        return f"cannot connect ({text})" if text else "cannot connect"
    if isinstance(error, (httpx.ReadError, httpx.WriteError)):
        return "connection reset"
    if isinstance(error, httpx.RemoteProtocolError):
        return f"connection broke off ({text})" if text else "connection broke off"
    return text or type(error).__name__


def _json_or_none(response: httpx.Response) -> object:
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return None  # e.g. an HTML 404 page


def _limit_kind(reply: Reply) -> str | None:
    """``primary``, ``secondary`` or ``None`` (a 403/429 that is not a rate limit)."""
    if "retry-after" in reply.headers:
        return "secondary"
    if reply.headers.get("x-ratelimit-remaining") == "0":
        return "primary"
    message = (reply.message or "").lower()
    if reply.status == 429 or any(word in message for word in _SECONDARY_WORDS):
        return "secondary"
    if "rate limit" in message:
        return "primary"
    return None


def _reset_time(reply: Reply) -> datetime | None:
    value = reply.headers.get("x-ratelimit-reset")
    try:
        return datetime.fromtimestamp(int(value), UTC) if value else None
    except (ValueError, OverflowError, OSError):
        return None


def _retry_after_seconds(reply: Reply, now: datetime) -> float | None:
    value = reply.headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return (parsedate_to_datetime(value) - now).total_seconds()
    except (TypeError, ValueError):
        return None


def _cache_key(
    method: str,
    url: str,
    params: Mapping[str, str | int] | None,
    headers: Mapping[str, str] | None,
) -> str:
    query = urlencode(sorted((params or {}).items()))
    accept = (headers or {}).get("Accept", "")
    return f"{method} {url}?{query} {accept}"
