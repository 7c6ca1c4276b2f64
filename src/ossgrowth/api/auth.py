"""Who may call what: staging's HTTP Basic password on every route, the admin bearer token,
and local writes.

In the ``staging`` environment :class:`StagingGate` wraps the whole app, so every route — the
API, docs, ``/openapi.json``, embeds, static files, anything added later — answers 401 with
``WWW-Authenticate: Basic`` unless the request carries the staging user and password. Only
``/health`` stays open, so load balancers can probe it. Admin routes carry their own bearer
token in ``Authorization``, which a request cannot combine with Basic credentials, so on
staging a valid admin bearer token passes the gate too. Every comparison is constant-time.

**Local writes.** A dev server bound to a loopback address without an admin token
(``ossgrowth serve``, ``ossgrowth demo``) takes changes — the write and admin routes — from
its own machine without a token, so the dashboard it serves can add repositories. A request
counts as local only when all of these hold (:func:`is_local_request`): the client address is
a loopback address; the ``Host`` header names ``127.0.0.1``, ``localhost`` or ``[::1]`` (a
DNS-rebinding page carries its own host name there); and ``Origin`` is absent or is
``http://`` + that ``Host`` (a page of another site carries its own origin: no cross-site
request forgery); and no proxy header (``Forwarded``, ``X-Forwarded-For``…) says a proxy on
this machine relayed it from elsewhere. A proxy that relays without saying so makes remote
requests look local: such a server needs ``OSSGROWTH_ADMIN_TOKEN``, which turns local writes
off. Staging and prod never take local writes.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hmac
import ipaddress
from collections.abc import Sequence

from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ossgrowth.api.errors import Problem, problem_response
from ossgrowth.config import Environment, Settings

__all__ = [
    "LOCAL_HOST_NAMES",
    "ChangesAuthorisedFirst",
    "OPEN_PATHS",
    "PROXY_HEADERS",
    "StagingGate",
    "WritesMode",
    "admin_bearer",
    "admin_token_set",
    "is_local_request",
    "is_loopback",
    "local_writes_for",
    "require_admin",
    "secret_matches",
    "writes_mode",
]

OPEN_PATHS = frozenset({"/health"})
"""Paths that answer without the staging password."""
LOCAL_HOST_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
"""``Host`` names a local request may carry."""
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip")
"""Headers of a request relayed by a proxy: such a request is never taken as local."""


class WritesMode(enum.StrEnum):
    """Whether a server takes changes through the API, and how."""

    OPEN = "open"
    """A dev server on loopback: from its own machine, without a token."""
    TOKEN = "token"
    """With the admin token."""
    OFF = "off"
    """Not at all: the write routes do not exist."""


def admin_token_set(settings: Settings) -> bool:
    """Whether an admin token is configured (an empty one is none)."""
    return settings.admin_token is not None and bool(settings.admin_token.get_secret_value())


def writes_mode(settings: Settings, *, local_writes: bool) -> WritesMode:
    """How an app built with ``settings`` and ``local_writes`` takes changes."""
    if local_writes:
        return WritesMode.OPEN
    return WritesMode.TOKEN if admin_token_set(settings) else WritesMode.OFF


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) is this machine's loopback."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def local_writes_for(settings: Settings, host: str) -> bool:
    """Whether a server of ``settings`` bound to ``host`` takes changes from its own machine
    without a token: dev, a loopback address, and no admin token."""
    return (
        settings.environment is Environment.DEV
        and is_loopback(host)
        and not admin_token_set(settings)
    )


def _host_name(host_header: str) -> str | None:
    """The name in a ``Host`` header, lower case (``[::1]`` keeps its brackets); None when it
    is malformed."""
    if host_header.startswith("["):
        name, bracket, rest = host_header.partition("]")
        if not bracket:
            return None
        name += bracket
    else:
        name, colon, rest = host_header.partition(":")
        rest = colon + rest
    if rest and not (rest.startswith(":") and rest[1:].isdigit()):
        return None
    return name.lower()


def is_local_request(request: Request) -> bool:
    """Whether ``request`` provably comes from this machine, and not from a page of another
    site or a rebound DNS name (see the module's docstring)."""
    client = request.client
    if client is None or not _is_loopback_address(client.host):  # an address, never a name
        return False
    if any(name in request.headers for name in PROXY_HEADERS):
        return False  # relayed by a proxy on this machine: from anywhere
    host = request.headers.get("host", "")
    if _host_name(host) not in LOCAL_HOST_NAMES:
        return False
    origin = request.headers.get("origin")
    return origin is None or origin.lower() == f"http://{host.lower()}"


def _is_loopback_address(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


admin_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="AdminToken",
    description="The admin token (OSSGROWTH_ADMIN_TOKEN) as `Authorization: Bearer TOKEN`.",
)


def secret_matches(given: str, expected: SecretStr | None) -> bool:
    """Constant-time comparison of ``given`` with a configured secret (never equal when unset
    or empty)."""
    if expected is None or not expected.get_secret_value():
        return False
    return hmac.compare_digest(given.encode(), expected.get_secret_value().encode())


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, separator, password = decoded.partition(":")
    return (user, password) if separator else None


def _bearer_token(header: str) -> str | None:
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


class StagingGate:
    """ASGI middleware: HTTP Basic auth in front of every route but :data:`OPEN_PATHS`."""

    def __init__(
        self, app: ASGIApp, *, user: str, password: SecretStr, admin_token: SecretStr | None
    ) -> None:
        self._app = app
        self._user = user
        self._password = password
        self._admin_token = admin_token

    def _allowed(self, header: str) -> bool:
        credentials = _basic_credentials(header)
        if credentials is not None:
            user, password = credentials
            user_ok = hmac.compare_digest(user.encode(), self._user.encode())
            return secret_matches(password, self._password) and user_ok
        token = _bearer_token(header)
        return token is not None and secret_matches(token, self._admin_token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self._app(scope, receive, send)
            return
        header = ""
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                header = value.decode("latin-1")
                break
        if self._allowed(header):
            await self._app(scope, receive, send)
            return
        response = problem_response(
            401,
            "staging needs its user and password (HTTP Basic)",
            headers={"WWW-Authenticate": 'Basic realm="ossgrowth staging", charset="UTF-8"'},
        )
        await response(scope, receive, send)


async def require_admin(request: Request) -> None:
    """Dependency of write and admin routes: the configured admin token as a bearer token, or,
    on an app with local writes, a local request (:func:`is_local_request`); else 401."""
    credentials: HTTPAuthorizationCredentials | None = await admin_bearer(request)
    context = request.app.state.context
    if credentials is not None and secret_matches(
        credentials.credentials, context.settings.admin_token
    ):
        return
    if context.local_writes and is_local_request(request):
        return
    detail = "admin routes need the admin token as 'Authorization: Bearer TOKEN'"
    if context.local_writes:
        detail = (
            "changes are taken from this machine only (a loopback client, Host 127.0.0.1, "
            "localhost or [::1], no other site's Origin), or with the admin token as "
            "'Authorization: Bearer TOKEN'"
        )
    raise Problem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="ossgrowth admin"'})


class ChangesAuthorisedFirst:
    """ASGI middleware: a request for a write or admin route is authorised before anything
    reads its body, and no request body may pass ``max_body_bytes`` (413).

    FastAPI reads and parses a body before it runs a route's dependencies, so without this
    gate anyone could make the server parse a body of any size, or learn from a 422 how a
    body is checked, without credentials. The check is :func:`require_admin`'s, which stays
    on the routes (and in their OpenAPI).
    """

    def __init__(self, app: ASGIApp, *, routes: Sequence[BaseRoute], max_body_bytes: int) -> None:
        self._app = app
        self._routes = list(routes)
        self._max_body_bytes = max_body_bytes

    def _guarded(self, scope: Scope) -> bool:
        return any(route.matches(scope)[0] is Match.FULL for route in self._routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            await self._app(scope, receive, send)
            return
        if self._guarded(scope):
            try:
                await require_admin(Request(scope))
            except Problem as refused:
                await problem_response(refused.status, refused.detail, headers=refused.headers)(
                    scope, receive, send
                )
                return
        body = await self._body(scope, receive)
        if body is None:
            detail = f"request bodies are {self._max_body_bytes} bytes at most"
            await problem_response(413, detail)(scope, receive, send)
            return
        await self._app(scope, _replaying(body, receive), send)

    async def _body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole request body, or ``None`` when it is longer than the limit (declared
        so, or found so while it is read: a chunked body has no declared length)."""
        declared = Request(scope).headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_body_bytes:
            return None
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away: the app finds out when it reads
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body_bytes:
                return None
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` giving ``body`` whole, then what ``receive`` gives (a disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
