"""POSTing a delivery to a webhook or Slack URL, and saying what happened without secrets.

One try is one POST with a short timeout (5 s to connect, 10 s for the whole exchange, even
when the receiver trickles its answer), redirects not followed, the answer's body not read.
Its outcome is an :class:`~ossgrowth.delivery.backoff.Attempt` whose error shows the
receiver as scheme and host only: a URL's path, query and user info may hold tokens (a Slack
webhook URL is a secret as a whole). A target refused by the address check at send time
(:mod:`~ossgrowth.delivery.public_addresses`) fails at once: it is not retried.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlsplit

import anyio
import httpx

from ossgrowth import __version__
from ossgrowth.delivery.backoff import Attempt, outcome_of_status
from ossgrowth.delivery.public_addresses import PrivateTargetRefused

__all__ = [
    "CONNECT_TIMEOUT_SECONDS",
    "TOTAL_TIMEOUT_SECONDS",
    "http_client",
    "post",
    "scrub",
    "shown_url",
]

CONNECT_TIMEOUT_SECONDS = 5.0
TOTAL_TIMEOUT_SECONDS = 10.0


def http_client(
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    connect_timeout_seconds: float = CONNECT_TIMEOUT_SECONDS,
    total_timeout_seconds: float = TOTAL_TIMEOUT_SECONDS,
) -> httpx.AsyncClient:
    """The client deliveries are POSTed with: short timeouts, no redirects followed."""
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(total_timeout_seconds, connect=connect_timeout_seconds),
        follow_redirects=False,
        headers={"User-Agent": f"ossgrowth/{__version__}"},
    )


async def post(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    now: datetime,
    total_timeout_seconds: float = TOTAL_TIMEOUT_SECONDS,
) -> Attempt:
    """POST ``body`` as JSON to ``url``; the outcome, never an exception for a failed try.

    Args:
        client: from :func:`http_client`.
        url: the rule's target (its secrets stay out of every message).
        body: the exact bytes (the signature in ``headers`` signs them).
        headers: the delivery's headers.
        now: when the try is made (a ``Retry-After`` date is counted from it).
        total_timeout_seconds: the whole exchange's limit.
    """
    where = shown_url(url)
    try:
        with anyio.fail_after(total_timeout_seconds):
            async with client.stream(
                "POST",
                url,
                content=body,
                headers={"Content-Type": "application/json", **headers},
            ) as response:
                return outcome_of_status(
                    response.status_code, response.headers.get("Retry-After"), now=now, where=where
                )
    except TimeoutError:
        return Attempt.retry(f"{where} did not answer within {total_timeout_seconds:g} s")
    except httpx.TimeoutException as error:
        return Attempt.retry(f"{where} timed out ({_timeout_kind(error)})")
    except PrivateTargetRefused as error:
        return Attempt.failure(f"{where} {error}")
    except httpx.UnsupportedProtocol:
        return Attempt.failure(f"{where}: not an http(s) URL")
    except httpx.InvalidURL:
        return Attempt.failure("the rule's URL is not a valid URL")
    except httpx.TransportError as error:
        detail = scrub(str(error), url) or type(error).__name__
        return Attempt.retry(f"{where}: {_transport_kind(error)}: {detail}")


def shown_url(url: str) -> str:
    """``scheme://host[:port]`` of ``url``: all of it that may be shown."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return "an unreadable URL"
    if not parts.scheme or not host:
        return "an unreadable URL"
    shown_host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{shown_host}" + (f":{port}" if port else "")


def scrub(text: str, url: str) -> str:
    """``text`` (an error's message) with every secret-bearing piece of ``url`` masked, on one
    line: the URL itself, its path, query, fragment, user name and password."""
    try:
        parts = urlsplit(url)
        pieces = [url, parts.path, parts.query, parts.fragment, parts.username, parts.password]
    except ValueError:
        pieces = [url]
    for piece in sorted((piece for piece in pieces if piece and piece != "/"), key=len)[::-1]:
        text = text.replace(piece, "***")
    return " ".join(text.split())


def _timeout_kind(error: httpx.TimeoutException) -> str:
    if isinstance(error, httpx.ConnectTimeout):
        return "connecting"
    if isinstance(error, httpx.ReadTimeout):
        return "waiting for the answer"
    if isinstance(error, httpx.WriteTimeout):
        return "sending"
    return "waiting for a connection"


def _transport_kind(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.ConnectError):
        return "could not connect"
    if isinstance(error, httpx.RemoteProtocolError):
        return "the receiver broke off the exchange"
    if isinstance(error, httpx.ProxyError):
        return "the proxy failed"
    return "the exchange failed"
