"""Writing an environment's secrets: the GitHub token pool, and staging's password.

- The GitHub token secret (``ossgrowth/ENV/github-token``) gets ``{"token": "…"}``, or with
  ``append`` the token joins the pool it holds: ``{"tokens": […, "…"]}`` (the tokens of both
  keys, each once; the secret's other keys kept). A secret that holds no JSON object yet (the
  stack starts it with a random string) starts a new pool.
- Staging's password goes to two places: the SHA-256 of ``user:password`` (UTF-8, lowercase
  hex) under ``staging-basic-auth-sha256`` in the CloudFront KeyValueStore the staging gate
  reads (``describe_key_value_store`` for its ETag, then ``put_key`` with it), and
  ``staging_password`` in the API secret (``ossgrowth/staging/api``), whose other keys (the
  admin token) are kept. The store is written first: a step that fails leaves the secret as it
  was, and running the command again finishes.

Secrets Manager's ``put_secret_value`` replaces a secret's value whole, so each write reads the
value first. No value, and no hash, is ever in a message or a result: tokens are named by their
last four characters (:func:`token_hint`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from ossgrowth.aws import names
from ossgrowth.aws.deployment import AwsError, Deployment, aws_call
from ossgrowth.config import Environment
from ossgrowth.errors import ConfigError, InputError

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "PasswordSet",
    "TokenPool",
    "credentials_hash",
    "require_staging",
    "set_github_token",
    "set_staging_password",
    "token_hint",
]

MIN_PASSWORD_LENGTH = 8
_HINT_CHARACTERS = 4
_HINTED_FROM_LENGTH = 12
"""A shorter token is named by none of its characters (four would give too much away)."""
_PUT_ATTEMPTS = 3
"""Tries of ``put_key`` when the store changed between reading its ETag and writing."""


def token_hint(token: str) -> str:
    """``…a1b2``: a token named by its last four characters (none for a short one)."""
    if len(token) < _HINTED_FROM_LENGTH:
        return "…"
    return "…" + token[-_HINT_CHARACTERS:]


def credentials_hash(user: str, password: str) -> str:
    """The SHA-256 of ``user:password`` (UTF-8), in lowercase hex: what the gate compares."""
    return hashlib.sha256(f"{user}:{password}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TokenPool:
    """The GitHub token secret after a write."""

    secret_id: str
    hints: tuple[str, ...]
    """Each token of the pool, by :func:`token_hint`, in order."""
    added: bool
    """``False``: the token was in the pool already (nothing written)."""


@dataclass(frozen=True, slots=True)
class PasswordSet:
    """Where staging's password was written."""

    user: str
    store_arn: str
    secret_id: str


def require_staging(environment: Environment) -> None:
    """Stop unless ``environment`` is staging, the one with a password.

    Raises:
        InputError: another environment.
    """
    if environment is not Environment.STAGING:
        raise InputError(
            f"{environment.value} has no password; only staging does (ossgrowth --env staging …)"
        )


def set_github_token(
    deployment: Deployment, token: SecretStr, *, append: bool = False, client: Any = None
) -> TokenPool:
    """Put ``token`` in the environment's GitHub token secret (see the module doc).

    Args:
        deployment: whose secret (``ossgrowth/ENV/github-token``).
        token: the token.
        append: add it to the pool the secret holds instead of replacing the pool.
        client: a Secrets Manager client (default: the deployment's).

    Raises:
        InputError: an empty token, or one with spaces in it.
        AwsError: the secret does not exist, or cannot be read or written.
    """
    value = token.get_secret_value().strip()
    if not value or any(character.isspace() for character in value):
        raise InputError("a GitHub token is one word: nothing given, or spaces inside it")
    client = client or deployment.client("secretsmanager")
    secret_id = names.secret_name(deployment.environment, names.GITHUB_TOKEN_SECRET)
    document: dict[str, Any] = {"token": value}
    tokens = [value]
    added = True
    if append:
        current = _read_json(client, secret_id) or {}
        tokens = _tokens_of(current)
        added = value not in tokens
        if added:
            tokens.append(value)
        document = {key: item for key, item in current.items() if key not in ("token", "tokens")}
        document["tokens"] = tokens
    if added:
        _write_json(client, secret_id, document)
    return TokenPool(secret_id, tuple(token_hint(known) for known in tokens), added)


def set_staging_password(
    deployment: Deployment,
    user: str,
    password: SecretStr,
    *,
    kvs_client: Any = None,
    secrets_client: Any = None,
) -> PasswordSet:
    """Set staging's user and password at CloudFront and in the API secret.

    Args:
        deployment: staging's deployment (its stack names the KeyValueStore).
        user: the HTTP Basic user (the API checks ``OSSGROWTH_STAGING_USER``, ``ossgrowth``
            unless the function says otherwise).
        password: the new password, at least :data:`MIN_PASSWORD_LENGTH` characters.
        kvs_client: a ``cloudfront-keyvaluestore`` client (default: the deployment's).
        secrets_client: a Secrets Manager client (default: the deployment's).

    Raises:
        InputError: not staging, a user with ``:`` in it, or a password too short.
        ConfigError: the API secret holds no JSON object; or botocore's CRT is missing
            (the KeyValueStore's calls are signed with SigV4A).
        AwsError: the stack, the store or the secret cannot be read or written.
    """
    require_staging(deployment.environment)
    text = password.get_secret_value()
    if not user or ":" in user:
        raise InputError("the staging user must be given and may not hold ':'")
    if len(text) < MIN_PASSWORD_LENGTH or any(not character.isprintable() for character in text):
        raise InputError(
            f"the staging password needs at least {MIN_PASSWORD_LENGTH} printable characters"
        )
    store_arn = deployment.stack_output(names.OUTPUT_CREDENTIALS_STORE)
    secret_id = names.secret_name(deployment.environment, names.API_SECRET)
    secrets_client = secrets_client or deployment.client("secretsmanager")
    kvs_client = kvs_client or deployment.client("cloudfront-keyvaluestore")
    current = _read_json(secrets_client, secret_id)
    if current is None:
        raise ConfigError(
            f"secret {secret_id!r} holds no JSON object (its value is not shown); put "
            '{"admin_token": "..."} in it first (docs/aws.md)'
        )
    _put_hash(kvs_client, store_arn, credentials_hash(user, text))
    try:
        _write_json(secrets_client, secret_id, {**current, "staging_password": text})
    except AwsError as error:
        raise AwsError(
            f"{error}; CloudFront already has the new password: run the command again to finish",
            error.code,
        ) from None
    return PasswordSet(user, store_arn, secret_id)


def _put_hash(client: Any, store_arn: str, digest: str) -> None:
    """Write ``digest`` under the credentials key, with the store's current ETag (read
    again when another write came between)."""
    for attempt in range(_PUT_ATTEMPTS):
        with aws_call("reading staging's CloudFront KeyValueStore"):
            etag = client.describe_key_value_store(KvsARN=store_arn)["ETag"]
        try:
            with aws_call("writing staging's CloudFront KeyValueStore"):
                client.put_key(
                    KvsARN=store_arn, Key=names.CREDENTIALS_KEY, Value=digest, IfMatch=etag
                )
            return
        except AwsError as error:
            if error.code != "ConflictException" or attempt == _PUT_ATTEMPTS - 1:
                raise


def _read_json(client: Any, secret_id: str) -> dict[str, Any] | None:
    """The secret's JSON object; ``None`` when it holds something else (the text is never
    repeated)."""
    with aws_call(f"reading secret {secret_id!r}"):
        answer = client.get_secret_value(SecretId=secret_id)
    text = answer.get("SecretString")
    if not isinstance(text, str):
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _write_json(client: Any, secret_id: str, document: dict[str, Any]) -> None:
    with aws_call(f"writing secret {secret_id!r}"):
        client.put_secret_value(SecretId=secret_id, SecretString=json.dumps(document))


def _tokens_of(document: dict[str, Any]) -> list[str]:
    """The tokens of ``token`` and ``tokens``, in order, each once."""
    listed = document.get("tokens")
    found: list[str] = []
    for candidate in [document.get("token"), *(listed if isinstance(listed, list) else [listed])]:
        if isinstance(candidate, str) and candidate.strip() and candidate.strip() not in found:
            found.append(candidate.strip())
    return found
