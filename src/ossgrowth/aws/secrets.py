"""Secrets from AWS Secrets Manager: the GitHub tokens and the API's own secrets.

A secret is named by name or ARN and holds JSON in its ``SecretString``:

- the GitHub token secret (``ossgrowth/ENV/github-token``, read by the collectors), as the seed
  kept it: ``{"token": "..."}`` or ``{"tokens": ["...", "..."]}`` (both keys may be given;
  every token joins the pool once);
- the API secret (``ossgrowth/ENV/api``, read by the API function):
  ``{"admin_token": "...", "staging_password": "..."}``, either key optional;
- the alerts secret (``ossgrowth/ENV/alerts``, read by the delivery function when e-mail
  alerts log in to their SMTP server): ``{"smtp_password": "..."}``. A webhook rule's signing
  secret is no Secrets Manager secret: it is kept with its rule in the store, written by the
  API.

A :class:`SecretCache` reads each secret once and keeps it for :data:`SECRET_TTL_SECONDS`, so
a warm Lambda container asks Secrets Manager about once a quarter of an hour and a rotated
token is in use within that time. Values are kept only as :class:`~pydantic.SecretStr`; no
message, log line or exception of this module ever holds one: errors name the secret and the
key at fault, never what it holds.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from ossgrowth.aws.clients import aws_client
from ossgrowth.errors import ConfigError

__all__ = [
    "SECRET_TTL_SECONDS",
    "AlertSecrets",
    "ApiSecrets",
    "SecretCache",
    "SecretError",
    "parse_alert_secrets",
    "parse_api_secrets",
    "parse_github_tokens",
]

logger = logging.getLogger(__name__)

SECRET_TTL_SECONDS = 15 * 60.0
"""How long a secret read is used before it is read again (a rotation shows within it)."""

SecretValue = SecretStr | tuple[SecretStr, ...]
"""A value of a secret's JSON as kept: a string, or a list of strings."""

_ERROR_ADVICE = {
    "ResourceNotFoundException": "was not found; create it (docs/aws.md) or fix the name",
    "AccessDeniedException": (
        "may not be read by this function's role (secretsmanager:GetSecretValue)"
    ),
    "DecryptionFailure": "cannot be decrypted with its KMS key by this function's role",
    "InvalidRequestException": "cannot be read now (scheduled for deletion?)",
}


class SecretError(ConfigError):
    """A secret is missing, unreadable or not in the expected shape (its value never shown)."""


@dataclass(frozen=True, slots=True)
class ApiSecrets:
    """What the API secret holds; a key left out (or empty) is ``None``."""

    admin_token: SecretStr | None
    staging_password: SecretStr | None


@dataclass(frozen=True, slots=True)
class AlertSecrets:
    """What the alerts secret holds."""

    smtp_password: SecretStr


def parse_github_tokens(secret_id: str, document: Mapping[str, SecretValue]) -> list[SecretStr]:
    """The tokens of a GitHub token secret, in order, each once.

    Raises:
        SecretError: neither ``token`` nor ``tokens`` holds a token.
    """
    found: list[SecretStr] = []
    single = document.get("token")
    if isinstance(single, tuple):
        raise SecretError(f'secret {secret_id!r}: "token" must be one string; use "tokens"')
    listed = document.get("tokens", ())
    if isinstance(listed, SecretStr):
        listed = (listed,)
    for token in (single, *listed):
        if token is None or not token.get_secret_value():
            continue
        if token.get_secret_value() not in {known.get_secret_value() for known in found}:
            found.append(token)
    if not found:
        raise SecretError(
            f'secret {secret_id!r} holds no GitHub token: its JSON needs "token": "..." '
            'or "tokens": ["...", ...]'
        )
    return found


def parse_api_secrets(secret_id: str, document: Mapping[str, SecretValue]) -> ApiSecrets:
    """The admin token and staging password of an API secret (each optional).

    Raises:
        SecretError: a key holds a list instead of a string.
    """
    values: dict[str, SecretStr | None] = {}
    for key in ("admin_token", "staging_password"):
        value = document.get(key)
        if isinstance(value, tuple):
            raise SecretError(f"secret {secret_id!r}: {key!r} must be a string, not a list")
        values[key] = value if value is not None and value.get_secret_value() else None
    return ApiSecrets(
        admin_token=values["admin_token"], staging_password=values["staging_password"]
    )


def parse_alert_secrets(secret_id: str, document: Mapping[str, SecretValue]) -> AlertSecrets:
    """The SMTP password of an alerts secret.

    Raises:
        SecretError: ``smtp_password`` is missing, empty or a list.
    """
    value = document.get("smtp_password")
    if isinstance(value, tuple):
        raise SecretError(f"secret {secret_id!r}: 'smtp_password' must be a string, not a list")
    if value is None or not value.get_secret_value():
        raise SecretError(
            f'secret {secret_id!r} holds no SMTP password: its JSON needs "smtp_password": '
            '"..." (OSSGROWTH_SMTP_USER is set, so e-mail alerts log in)'
        )
    return AlertSecrets(smtp_password=value)


class SecretCache:
    """Secrets read from Secrets Manager, each kept for ``ttl_seconds``; safe across threads.

    Args:
        ttl_seconds: how long a read is used before the secret is read again.
        monotonic: the clock of the expiry (tests pass one they move).
        client_factory: makes the Secrets Manager client (made once, on first use).
    """

    def __init__(
        self,
        ttl_seconds: float = SECRET_TTL_SECONDS,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        client_factory: Callable[[], Any] = lambda: aws_client("secretsmanager"),
    ) -> None:
        self._ttl_seconds = ttl_seconds
        self._monotonic = monotonic
        self._client_factory = client_factory
        self._client: Any = None
        self._read: dict[str, tuple[float, Mapping[str, SecretValue]]] = {}
        self._lock = threading.Lock()

    def github_tokens(self, secret_id: str) -> list[SecretStr]:
        """The GitHub tokens of ``secret_id`` (see :func:`parse_github_tokens`).

        Raises:
            SecretError: the secret is missing, unreadable or holds no token.
            ConfigError: no AWS region is configured.
        """
        return parse_github_tokens(secret_id, self.document(secret_id))

    def api_secrets(self, secret_id: str) -> ApiSecrets:
        """The admin token and staging password of ``secret_id``.

        Raises:
            SecretError: the secret is missing, unreadable or not in the API secret's shape.
            ConfigError: no AWS region is configured.
        """
        return parse_api_secrets(secret_id, self.document(secret_id))

    def alert_secrets(self, secret_id: str) -> AlertSecrets:
        """The SMTP password of ``secret_id``.

        Raises:
            SecretError: the secret is missing, unreadable or holds no SMTP password.
            ConfigError: no AWS region is configured.
        """
        return parse_alert_secrets(secret_id, self.document(secret_id))

    def document(self, secret_id: str) -> Mapping[str, SecretValue]:
        """The JSON object of ``secret_id``, its strings wrapped; from the cache while fresh.

        Raises:
            SecretError: as :meth:`github_tokens`.
        """
        with self._lock:
            now = self._monotonic()
            kept = self._read.get(secret_id)
            if kept is not None and now - kept[0] < self._ttl_seconds:
                return kept[1]
            document = _parse_document(secret_id, self._fetch(secret_id))
            self._read[secret_id] = (now, document)
            logger.info("read secret %s (%d keys)", secret_id, len(document))
            return document

    def clear(self) -> None:
        """Forget every secret read: the next use reads it again."""
        with self._lock:
            self._read.clear()

    def _fetch(self, secret_id: str) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        if self._client is None:
            self._client = self._client_factory()
        try:
            answer = self._client.get_secret_value(SecretId=secret_id)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", "an error"))
            advice = _ERROR_ADVICE.get(code, f"cannot be read ({code})")
            raise SecretError(f"secret {secret_id!r} {advice}") from None
        except BotoCoreError as error:  # no endpoint, no credentials: names no secret value
            raise SecretError(f"cannot reach Secrets Manager for {secret_id!r}: {error}") from None
        text = answer.get("SecretString")
        if not isinstance(text, str):
            raise SecretError(
                f"secret {secret_id!r} has no SecretString (a binary secret?); store its JSON "
                "as text"
            )
        return text


def _parse_document(secret_id: str, text: str) -> dict[str, SecretValue]:
    """The secret's JSON object with each string (or list of strings) wrapped; the text and
    the parser's message (which may quote it) are never repeated."""
    shape = f"secret {secret_id!r} is not a JSON object (its value is not shown)"
    try:
        parsed = json.loads(text)
    except ValueError:
        raise SecretError(shape) from None
    if not isinstance(parsed, dict):
        raise SecretError(shape)
    document: dict[str, SecretValue] = {}
    for key, value in parsed.items():
        if isinstance(value, str):
            document[key] = SecretStr(value.strip())
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            document[key] = tuple(SecretStr(item.strip()) for item in value)
        # other values (numbers, objects) are notes of whoever stored the secret: not ours
    return document
