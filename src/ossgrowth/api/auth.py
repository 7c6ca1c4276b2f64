"""Who may call what: staging's HTTP Basic password on every route, the admin bearer token.

In the ``staging`` environment :class:`StagingGate` wraps the whole app, so every route — the
API, docs, ``/openapi.json``, embeds, static files, anything added later — answers 401 with
``WWW-Authenticate: Basic`` unless the request carries the staging user and password. Only
``/health`` stays open, so load balancers can probe it. Admin routes carry their own bearer
token in ``Authorization``, which a request cannot combine with Basic credentials, so on
staging a valid admin bearer token passes the gate too. Every comparison is constant-time.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send

from ossgrowth.api.errors import Problem, problem_response

__all__ = ["OPEN_PATHS", "StagingGate", "admin_bearer", "require_admin", "secret_matches"]

OPEN_PATHS = frozenset({"/health"})
"""Paths that answer without the staging password."""

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
    """Dependency of admin routes: the configured admin token as a bearer token, else 401."""
    credentials: HTTPAuthorizationCredentials | None = await admin_bearer(request)
    expected = request.app.state.context.settings.admin_token
    if credentials is None or not secret_matches(credentials.credentials, expected):
        raise Problem(
            401,
            "admin routes need the admin token as 'Authorization: Bearer TOKEN'",
            headers={"WWW-Authenticate": 'Bearer realm="ossgrowth admin"'},
        )
