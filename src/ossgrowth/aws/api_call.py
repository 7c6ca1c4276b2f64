"""One call to a deployed environment's API, with the credentials it needs: ``aws call``.

The API is reached at the stack's ``Url`` output (CloudFront, as viewers reach it), or its
``ApiEndpoint`` (API Gateway's own address), or a URL given. Credentials come from the API
secret (``ossgrowth/ENV/api``) and only when the call needs them (:func:`credentials_needed`):

- a change (any method but GET, HEAD, OPTIONS) or an admin route (``/api/v1/admin/…``):
  the admin token, as ``Authorization: Bearer``; on staging it passes the gate too;
- any other route on staging but ``/health``: the staging user and password, HTTP Basic;
- otherwise none.

Neither is ever part of what is returned or raised.
"""

from __future__ import annotations

import base64
import enum
import json
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from ossgrowth.aws import names
from ossgrowth.aws.secrets import ApiSecrets
from ossgrowth.config import Environment
from ossgrowth.errors import ConfigError, InputError, OssgrowthError

__all__ = [
    "ADMIN_PATH_PREFIX",
    "METHODS",
    "OPEN_PATHS",
    "SAFE_METHODS",
    "TIMEOUT_SECONDS",
    "ApiAnswer",
    "ApiRequest",
    "ApiUnreachable",
    "Credentials",
    "authorization_header",
    "call_api",
    "credentials_needed",
]

ADMIN_PATH_PREFIX = "/api/v1/admin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
METHODS = SAFE_METHODS | {"POST", "PUT", "PATCH", "DELETE"}
OPEN_PATHS = frozenset({"/health"})
"""Paths staging answers without its password."""
TIMEOUT_SECONDS = 30.0


class ApiUnreachable(OssgrowthError):
    """The API did not answer (no connection, a timeout)."""


class Credentials(enum.StrEnum):
    """What a call carries."""

    NONE = "none"
    STAGING = "staging password"
    ADMIN = "admin token"


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """A call as the user asked for it."""

    method: str
    path: str
    """``/api/v1/repos?limit=5``: the path and query, from the API's root."""
    data: str | None = None
    """A JSON body."""
    base_url: str | None = None
    """Where the API is; ``None``: the stack's output."""
    gateway: bool = False
    """Call API Gateway's address (``ApiEndpoint``) instead of the site's (``Url``)."""
    staging_user: str = "ossgrowth"

    def checked(self) -> ApiRequest:
        """The request with its method in capitals and its path from ``/``.

        Raises:
            InputError: an unknown method, a URL for a path, or a body that is not JSON.
        """
        method = self.method.upper()
        if method not in METHODS:
            raise InputError(f"--method {self.method!r}: one of {', '.join(sorted(METHODS))}")
        path = self.path.strip()
        if "://" in path:
            raise InputError("PATH is a path such as /api/v1/repos; give the address with --url")
        if not path.startswith("/"):
            path = "/" + path
        if self.data is not None:
            try:
                json.loads(self.data)
            except ValueError as error:
                raise InputError(f"--data is not JSON: {error}") from None
        return ApiRequest(method, path, self.data, self.base_url, self.gateway, self.staging_user)


@dataclass(frozen=True, slots=True)
class ApiAnswer:
    """What the API answered."""

    url: str
    status: int
    reason: str
    content_type: str
    body: str
    credentials: Credentials

    @property
    def ok(self) -> bool:
        return self.status < 400

    def shown_body(self) -> str:
        """The body for people: JSON indented, anything else as it came."""
        if "json" in self.content_type and self.body:
            try:
                return json.dumps(json.loads(self.body), ensure_ascii=False, indent=2)
            except ValueError:
                return self.body
        return self.body


def credentials_needed(method: str, path: str, environment: Environment) -> Credentials:
    """What a call of ``method`` on ``path`` needs in ``environment`` (see the module doc)."""
    route = path.split("?", 1)[0]
    if method.upper() not in SAFE_METHODS or route.startswith(ADMIN_PATH_PREFIX):
        return Credentials.ADMIN
    if environment is Environment.STAGING and route not in OPEN_PATHS:
        return Credentials.STAGING
    return Credentials.NONE


def authorization_header(
    needed: Credentials, secrets: ApiSecrets, *, secret_id: str, user: str
) -> str | None:
    """The ``Authorization`` value for ``needed``, from the API secret.

    Raises:
        ConfigError: the secret does not hold what the call needs.
    """
    if needed is Credentials.ADMIN:
        if secrets.admin_token is None:
            raise ConfigError(f"secret {secret_id!r} holds no admin_token; changes need it")
        return f"Bearer {secrets.admin_token.get_secret_value()}"
    if needed is Credentials.STAGING:
        if secrets.staging_password is None:
            raise ConfigError(
                f"secret {secret_id!r} holds no staging_password; set it with: "
                "ossgrowth --env staging aws set-staging-password"
            )
        pair = f"{user}:{secrets.staging_password.get_secret_value()}".encode()
        return f"Basic {base64.b64encode(pair).decode('ascii')}"
    return None


def call_api(
    request: ApiRequest,
    environment: Environment,
    *,
    client: httpx.Client,
    outputs: Callable[[], dict[str, str]],
    api_secrets: Callable[[str], ApiSecrets],
) -> ApiAnswer:
    """Call the API of ``environment`` as ``request`` says.

    Args:
        request: the call.
        environment: whose API (decides the credentials).
        client: sends the request (a test passes one over the app in-process).
        outputs: the stack's outputs, asked only when the request names no URL.
        api_secrets: reads the API secret by name, asked only when credentials are needed.

    Raises:
        InputError: a bad method, path or body.
        AwsError: the stack or its output cannot be read.
        ConfigError: the API secret lacks what the call needs.
        ApiUnreachable: the API did not answer.
    """
    request = request.checked()
    base = request.base_url
    if base is None:
        key = names.OUTPUT_API_ENDPOINT if request.gateway else names.OUTPUT_URL
        found = outputs()
        if key not in found:
            raise ConfigError(
                f"stack {names.stack_name(environment)} has no output {key!r}; pass --url"
            )
        base = found[key]
    url = base.rstrip("/") + request.path
    needed = credentials_needed(request.method, request.path, environment)
    headers = {"accept": "application/json"}
    if needed is not Credentials.NONE:
        secret_id = names.secret_name(environment, names.API_SECRET)
        header = authorization_header(
            needed, api_secrets(secret_id), secret_id=secret_id, user=request.staging_user
        )
        if header is not None:
            headers["authorization"] = header
    content = None
    if request.data is not None:
        content = request.data.encode()
        headers["content-type"] = "application/json"
    try:
        response = client.request(
            request.method,
            url,
            content=content,
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            follow_redirects=False,
        )
    except httpx.HTTPError as error:
        raise ApiUnreachable(f"{request.method} {url}: {type(error).__name__}: {error}") from None
    return ApiAnswer(
        url=url,
        status=response.status_code,
        reason=response.reason_phrase,
        content_type=response.headers.get("content-type", ""),
        body=response.text,
        credentials=needed,
    )
