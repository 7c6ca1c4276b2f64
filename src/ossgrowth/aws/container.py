"""What a Lambda container keeps between the invocations it serves.

Lambda runs a function's invocations one at a time in a container it reuses while calls keep
coming, so what is slow to make is made once per container and kept: the secrets (for a
quarter of an hour, :mod:`ossgrowth.aws.secrets`), the store and its connections, the log
handler, and the CloudWatch client. Settings are kept a minute, and built again at once when
an ``OSSGROWTH_*`` variable changes; the store is opened again only when its URL changes.

Settings come from the function's environment (``OSSGROWTH_*``, as everywhere) plus:

- ``OSSGROWTH_ENV``: the environment (``dev``, ``staging``, ``prod``), the deployment's name
  for ``OSSGROWTH_ENVIRONMENT``;
- ``OSSGROWTH_GITHUB_TOKEN_SECRET``: the secret holding the GitHub tokens (collectors);
- ``OSSGROWTH_API_SECRET``: the secret holding the admin token and staging password (API);
- ``OSSGROWTH_ALERTS_SECRET``: the secret holding the SMTP password (the delivery function),
  read only when ``OSSGROWTH_SMTP_USER`` is set (e-mail alerts log in).

Logs are JSON lines on stdout (CloudWatch keeps each as one event), at ``INFO`` unless
``OSSGROWTH_LOG_LEVEL`` says otherwise, every configured secret redacted
(:class:`~ossgrowth.logs.RedactSecrets`); the Lambda runtime's own text handler is removed so
no line is written twice.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TextIO

from ossgrowth.aws.clients import aws_client
from ossgrowth.aws.secrets import SecretCache
from ossgrowth.errors import ConfigError
from ossgrowth.logs import ContextFields, JsonFormatter, LogFormat, RedactSecrets

if TYPE_CHECKING:
    from ossgrowth.config import Settings
    from ossgrowth.sources import EtagCache
    from ossgrowth.store import Store

__all__ = [
    "ALERTS_SECRET_VARIABLE",
    "API_SECRET_VARIABLE",
    "DEFAULT_LOG_LEVEL",
    "ENVIRONMENT_VARIABLE",
    "GITHUB_TOKEN_SECRET_VARIABLE",
    "SETTINGS_TTL_SECONDS",
    "Container",
]

ENVIRONMENT_VARIABLE = "OSSGROWTH_ENV"
GITHUB_TOKEN_SECRET_VARIABLE = "OSSGROWTH_GITHUB_TOKEN_SECRET"
API_SECRET_VARIABLE = "OSSGROWTH_API_SECRET"
ALERTS_SECRET_VARIABLE = "OSSGROWTH_ALERTS_SECRET"
_SMTP_USER_VARIABLE = "OSSGROWTH_SMTP_USER"
_SETTINGS_ENVIRONMENT_VARIABLE = "OSSGROWTH_ENVIRONMENT"
_LEVEL_VARIABLE = "OSSGROWTH_LOG_LEVEL"
_TOKEN_VARIABLES = ("GH_TOKEN", "GITHUB_TOKEN")
"""Read by the settings when no token is configured (``config.GITHUB_TOKEN_VARIABLES``)."""
SETTINGS_TTL_SECONDS = 60.0
"""How long a container keeps the settings it built (a rotated secret shows within this and
the secrets' own time to live)."""
DEFAULT_LOG_LEVEL = "INFO"
"""The level of a function's logs unless ``OSSGROWTH_LOG_LEVEL`` says otherwise."""
_RUNTIME_HANDLER_PREFIX = "LambdaLoggerHandler"
"""The class names of the Python runtime's own root handlers (text lines, one per record)."""
_QUIET_LOGGERS = ("alembic", "httpx", "botocore", "boto3", "urllib3")
"""A line per request or per credential lookup: shown at DEBUG only."""


class _StdoutHandler(logging.StreamHandler[TextIO]):
    """Writes to ``sys.stdout`` as it is when a record comes (a test may have replaced it)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


class Container:
    """The state one Lambda container keeps: secrets, store, log handler, upstream ETags.

    Args:
        secrets: where secrets are read and kept (a new :class:`SecretCache` by default).
        monotonic: the clock settings are kept by.
    """

    def __init__(
        self,
        secrets: SecretCache | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.secrets = secrets or SecretCache()
        self._monotonic = monotonic
        self._settings: dict[tuple[bool, ...], tuple[float, tuple[Any, ...], Settings]] = {}
        self._store: Store | None = None
        self._store_key: tuple[str, str, str] | None = None
        self._handler: logging.Handler | None = None
        self._handler_key: tuple[str, tuple[str, ...]] | None = None
        self._etags: EtagCache | None = None
        self._cloudwatch: Any = None

    def settings(
        self, *, github_tokens: bool = False, api_secrets: bool = False, alert_secrets: bool = False
    ) -> Settings:
        """This invocation's settings: the environment's, with the secrets asked for.

        Kept for :data:`SETTINGS_TTL_SECONDS` while the environment's ``OSSGROWTH_*``
        variables stay the same (building them costs milliseconds, which a warm API request
        should not pay); the secrets are re-read as :class:`SecretCache` says.

        Args:
            github_tokens: read the tokens from ``OSSGROWTH_GITHUB_TOKEN_SECRET`` (if set).
            api_secrets: read the admin token and staging password from
                ``OSSGROWTH_API_SECRET`` (if set).
            alert_secrets: read the SMTP password from ``OSSGROWTH_ALERTS_SECRET`` (if set,
                and ``OSSGROWTH_SMTP_USER`` is set).

        Raises:
            ConfigError: invalid settings, no ``OSSGROWTH_STORE_URL``, or a secret that cannot
                be read (:class:`~ossgrowth.aws.secrets.SecretError`).
        """
        wanted = (github_tokens, api_secrets, alert_secrets)
        fingerprint = tuple(
            sorted(
                (name, value)
                for name, value in os.environ.items()
                if name.startswith("OSSGROWTH_") or name in _TOKEN_VARIABLES
            )
        )
        now = self._monotonic()
        kept = self._settings.get(wanted)
        if kept is not None and kept[1] == fingerprint and now - kept[0] < SETTINGS_TTL_SECONDS:
            return kept[2]
        settings = self._load_settings(
            github_tokens=github_tokens, api_secrets=api_secrets, alert_secrets=alert_secrets
        )
        self._settings[wanted] = (now, fingerprint, settings)
        return settings

    def _load_settings(
        self, *, github_tokens: bool, api_secrets: bool, alert_secrets: bool
    ) -> Settings:
        from ossgrowth.config import load_settings

        overrides: dict[str, Any] = {"log_format": LogFormat.JSON}
        if not os.environ.get(_LEVEL_VARIABLE):
            overrides["log_level"] = DEFAULT_LOG_LEVEL
        named = os.environ.get(ENVIRONMENT_VARIABLE)
        if named:
            configured = os.environ.get(_SETTINGS_ENVIRONMENT_VARIABLE)
            if configured and configured != named:
                raise ConfigError(
                    f"{ENVIRONMENT_VARIABLE}={named} but {_SETTINGS_ENVIRONMENT_VARIABLE}="
                    f"{configured}: set one, or both the same"
                )
            overrides["environment"] = named
        token_secret = os.environ.get(GITHUB_TOKEN_SECRET_VARIABLE)
        if github_tokens and token_secret:
            overrides["github_tokens"] = self.secrets.github_tokens(token_secret)
        api_secret = os.environ.get(API_SECRET_VARIABLE)
        if api_secrets and api_secret:
            found = self.secrets.api_secrets(api_secret)
            overrides["admin_token"] = found.admin_token
            overrides["staging_password"] = found.staging_password
        alerts_secret = os.environ.get(ALERTS_SECRET_VARIABLE)
        if alert_secrets and alerts_secret and os.environ.get(_SMTP_USER_VARIABLE):
            overrides["smtp_password"] = self.secrets.alert_secrets(alerts_secret).smtp_password
        settings = load_settings(**overrides)
        if not settings.store_url:
            raise ConfigError(
                "OSSGROWTH_STORE_URL is not set: a Lambda function has no data directory; "
                "set dynamodb://?region=REGION (docs/aws.md)"
            )
        return settings

    def store(self, settings: Settings) -> Store:
        """The store of ``settings``, opened on first use and kept while its URL stays.

        The store's tables are the deployment's to create; nothing is migrated here.

        Raises:
            ConfigError: the store URL cannot be used.
        """
        key = (
            settings.resolved_store_url,
            settings.environment.value,
            settings.resolved_store_schema,
        )
        if self._store is None or self._store_key != key:
            from ossgrowth.store import open_store

            self.close_store()
            self._store = open_store(settings)
            self._store_key = key
        return self._store

    def etags(self) -> EtagCache:
        """GitHub's conditional-request answers, kept for the container's life: an unchanged
        repository costs no budget at the next warm invocation."""
        if self._etags is None:
            from ossgrowth.sources import MemoryEtagCache

            self._etags = MemoryEtagCache()
        return self._etags

    def cloudwatch(self) -> Any:
        """The CloudWatch client (made on first use, kept).

        Raises:
            ConfigError: no AWS region is configured.
        """
        if self._cloudwatch is None:
            self._cloudwatch = aws_client("cloudwatch")
        return self._cloudwatch

    def log_to_stdout(self, level: str = DEFAULT_LOG_LEVEL, secrets: Iterable[str] = ()) -> None:
        """Log JSON lines to stdout at ``level``, ``secrets`` redacted (with anything shaped
        like a token); a handler already installed for the same level and secrets stays.

        Called before the settings are read (so even a settings error is a JSON line) and
        again with the settings' level and secrets.
        """
        key = (level, tuple(sorted(set(secrets))))
        if self._handler is not None and self._handler_key == key:
            return
        root = logging.getLogger()
        for handler in list(root.handlers):
            if handler is self._handler or type(handler).__name__.startswith(
                _RUNTIME_HANDLER_PREFIX
            ):
                root.removeHandler(handler)
        handler = _StdoutHandler()
        handler.setFormatter(JsonFormatter())
        handler.addFilter(ContextFields())
        handler.addFilter(RedactSecrets(key[1]))
        root.addHandler(handler)
        root.setLevel(level)
        quiet = logging.DEBUG if level == "DEBUG" else logging.WARNING
        for name in _QUIET_LOGGERS:
            logging.getLogger(name).setLevel(quiet)
        self._handler, self._handler_key = handler, key

    def close_store(self) -> None:
        """Close the store, if open (the next use opens it again)."""
        if self._store is not None:
            self._store.close()
        self._store = self._store_key = None

    def close(self) -> None:
        """Close the store, remove the log handler and forget the secrets read."""
        self.close_store()
        if self._handler is not None:
            logging.getLogger().removeHandler(self._handler)
            self._handler.close()
        self._handler = self._handler_key = None
        self._etags = self._cloudwatch = None
        self._settings.clear()
        self.secrets.clear()
