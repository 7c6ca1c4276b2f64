"""Settings: ``OSSGROWTH_*`` environment variables, an optional ``ossgrowth.toml``, CLI flags.

Precedence, highest first: CLI flags (passed to :func:`load_settings`), environment variables,
the TOML file (``--config PATH``, else ``$OSSGROWTH_CONFIG``, else ``./ossgrowth.toml``
when it exists), defaults. Secrets are :class:`~pydantic.SecretStr`: they are never logged and
:meth:`Settings.public_view` masks them.
"""

from __future__ import annotations

import enum
import os
from pathlib import Path
from typing import Annotated, Any, cast
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ossgrowth.errors import ConfigError
from ossgrowth.logs import LogFormat

__all__ = [
    "DEFAULT_CONFIG_FILE",
    "GITHUB_TOKEN_VARIABLES",
    "Environment",
    "Settings",
    "default_data_dir",
    "load_settings",
    "mask_url_password",
]

DEFAULT_CONFIG_FILE = Path("ossgrowth.toml")


class Environment(enum.StrEnum):
    """Deployments with separate data: dev (default), staging (password-protected), prod."""

    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/ossgrowth``, else ``~/.local/share/ossgrowth``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ossgrowth"


def mask_url_password(url: str) -> str:
    """The URL with any password replaced by ``***``, for messages and ``config show``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


GITHUB_TOKEN_VARIABLES = ("GH_TOKEN", "GITHUB_TOKEN")
"""Where GitHub's own tools find a token, in their order; read when no token is configured."""


class Settings(BaseSettings):
    """Everything ossgrowth can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="OSSGROWTH_",
        extra="forbid",
        toml_file=DEFAULT_CONFIG_FILE,
        validate_default=True,
        validate_by_name=True,  # lease_seconds has aliases (env names) and its own name
    )

    environment: Environment = Field(
        Environment.DEV, description="dev, staging or prod; each has its own data."
    )
    store_url: str | None = Field(
        None,
        repr=False,  # may carry a database password
        description=(
            "sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DB. Default: a SQLite file "
            "per environment in the data directory ($XDG_DATA_HOME/ossgrowth/ENV.db)."
        ),
    )
    store_schema: str | None = Field(
        None,
        description="PostgreSQL schema of this environment's tables. Default: the environment.",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
    )
    github_api_url: str = Field(
        "https://api.github.com",
        description="GitHub REST base URL; for GitHub Enterprise Server, https://HOST/api/v3.",
    )
    github_graphql_url: str | None = Field(
        None,
        description=(
            "GitHub GraphQL endpoint. Default: GITHUB_API_URL + /graphql; for GitHub Enterprise "
            "Server, https://HOST/api/graphql."
        ),
    )
    npm_downloads_url: str = Field(
        "https://api.npmjs.org", description="Base URL of npm's download counts API."
    )
    pypistats_url: str = Field(
        "https://pypistats.org", description="Base URL of the PyPI download stats API."
    )
    github_tokens: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="GitHub tokens, comma-separated; requests spread over them as a pool. "
        "Unset: GH_TOKEN or GITHUB_TOKEN, as GitHub's own tools read them.",
    )
    timezone: str = Field(
        "America/Los_Angeles", description="IANA time zone for schedules and displayed times."
    )
    staging_user: str = Field("ossgrowth", description="User name for staging's HTTP Basic auth.")
    staging_password: SecretStr | None = Field(
        None, description="Password that protects every staging page and API route."
    )
    admin_token: SecretStr | None = Field(
        None, description="Bearer token for admin API routes; unset disables them."
    )
    log_level: str = Field(
        "WARNING", description="Python logging level (DEBUG, INFO, WARNING, ERROR)."
    )
    log_format: LogFormat = Field(
        LogFormat.TEXT,
        description="text (LEVEL logger: message) or json (one object a line, with context).",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (CORS), comma-separated.",
    )
    dashboard_api_url: str | None = Field(
        None,
        description=(
            "The API's /api/v1 as the dashboard calls it, when the page is served from another "
            "origin than the API (it is written to the page's config.json). Default: the same "
            "server."
        ),
    )
    api_cache_seconds: float = Field(
        60,
        ge=0,
        le=86400,
        description="How long the API keeps a rendered series or embed; 0 turns the cache off.",
    )
    collect_on_schedule: bool = Field(
        True,
        description="ossgrowth serve collects every family on the seed's schedules, local time.",
    )
    backfill_poll_seconds: float = Field(
        60,
        ge=0,
        le=86400,
        description="How often a server looks for queued backfills; 0: the server runs none.",
    )
    lease_seconds: float = Field(
        60,
        ge=0.1,
        le=3600,
        validation_alias=AliasChoices(
            "OSSGROWTH_LEASE_SECONDS",
            "OSSGROWTH_BACKFILL_LEASE_SECONDS",  # its old name, deprecated
        ),
        description=(
            "How long a runner holds a backfill job, a scheduled collection's slot or a "
            "standalone collection unrenewed. OSSGROWTH_BACKFILL_LEASE_SECONDS, its old name, "
            "is still read (deprecated)."
        ),
    )
    stargazer_pages_per_run: int = Field(
        5,
        ge=1,
        le=100,
        description=(
            "Pages of 100 stargazers a collection of stars reads at most per repository whose "
            "stargazer list it follows, to keep the account ages of unusual growth current."
        ),
    )
    delivery_poll_seconds: float = Field(
        10,
        ge=0,
        le=86400,
        description=(
            "How often a server or `ossgrowth collect` sends the alert deliveries that are due "
            "(at once after a collection too); 0: it sends none, leave them to "
            "`ossgrowth alerts deliver`."
        ),
    )
    smtp_host: str | None = Field(
        None, description="SMTP server that sends e-mail alerts; unset: e-mail alerts wait."
    )
    smtp_port: int = Field(
        587, ge=1, le=65535, description="SMTP port; 465 is TLS from the start (no STARTTLS)."
    )
    smtp_user: str | None = Field(None, description="SMTP login name; unset: no login.")
    smtp_password: SecretStr | None = Field(None, description="SMTP login password.")
    smtp_from: str | None = Field(
        None, description="The From address of e-mail alerts; needed when SMTP_HOST is set."
    )
    smtp_starttls: bool = Field(
        True, description="Upgrade the SMTP connection with STARTTLS (ports other than 465)."
    )
    alerts_allow_private_targets: bool = Field(
        False,
        description=(
            "Let alert rules post to webhook or Slack URLs whose host is a private, loopback or "
            "link-local address (a receiver on this machine or network); off by default."
        ),
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @field_validator("github_tokens", "cors_origins", mode="before")
    @classmethod
    def _split_tokens(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [token.strip() for token in value.split(",") if token.strip()]
        return value

    @field_validator("github_tokens", "admin_token", "staging_password", "smtp_password")
    @classmethod
    def _printable_secret(cls, value: Any) -> Any:
        """A secret goes into HTTP headers: a control character (CR, LF …) or a space in one
        would split a header or a log line. The message never repeats the secret."""
        secrets = value if isinstance(value, list) else [value]
        for position, secret in enumerate(secrets, start=1):
            text = "" if secret is None else secret.get_secret_value()
            if any(not character.isprintable() for character in text):
                where = f"token {position}" if isinstance(value, list) else "the value"
                raise ValueError(
                    f"{where} holds a control character (a line break?); "
                    "set it again without one (it is not shown here)"
                )
            if isinstance(value, list) and any(character.isspace() for character in text):
                raise ValueError(f"token {position} holds a space; tokens are one word each")
        return value

    @model_validator(mode="after")
    def _tokens_of_githubs_tools(self) -> Settings:
        """No tokens configured: the one GitHub's CLI and Actions use (``GH_TOKEN``, then
        ``GITHUB_TOKEN``), if set."""
        if not self.github_tokens:
            for name in GITHUB_TOKEN_VARIABLES:
                token = os.environ.get(name, "").strip()
                if token:
                    self.github_tokens = self._printable_secret([SecretStr(token)])
                    break
        return self

    @model_validator(mode="after")
    def _smtp_sender(self) -> Settings:
        """E-mail needs a From address; without one every message would be refused."""
        if self.smtp_host and not self.smtp_from:
            raise ValueError(
                "smtp_host is set without smtp_from, the From address of e-mail alerts"
            )
        return self

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from None
        return value

    @field_validator(
        "github_api_url",
        "github_graphql_url",
        "npm_downloads_url",
        "pypistats_url",
        "dashboard_api_url",
    )
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}")
        return level

    @field_validator("log_format", mode="before")
    @classmethod
    def _known_format(cls, value: Any) -> Any:
        if isinstance(value, str) and not isinstance(value, LogFormat):
            if value.lower() not in {member.value for member in LogFormat}:
                raise ValueError(f"unknown log format {value!r}; use text or json")
            return value.lower()
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def resolved_store_url(self) -> str:
        """The store URL in force: the configured one, or this environment's SQLite file."""
        if self.store_url:
            return self.store_url
        return f"sqlite:///{default_data_dir() / f'{self.environment.value}.db'}"

    @property
    def resolved_store_schema(self) -> str:
        """The PostgreSQL schema of this environment."""
        return self.store_schema or self.environment.value

    @property
    def resolved_graphql_url(self) -> str:
        return self.github_graphql_url or f"{self.github_api_url}/graphql"

    def secret_values(self) -> list[str]:
        """Every configured secret in clear: tokens, passwords, the store URL's password.

        For the log filter that hides them; nothing else should need them as text.
        """
        values = [token.get_secret_value() for token in self.github_tokens]
        for secret in (self.staging_password, self.admin_token, self.smtp_password):
            if secret is not None:
                values.append(secret.get_secret_value())
        try:
            password = urlsplit(self.store_url).password if self.store_url else None
        except ValueError:  # not a URL at all; opening the store says so
            password = None
        if password:
            values += [password, unquote(password)]
        return [value for value in values if value]

    def public_view(self) -> dict[str, str]:
        """Every setting as text, secrets masked; what ``ossgrowth config show`` prints."""
        tokens = len(self.github_tokens)
        return {
            "environment": self.environment.value,
            "store_url": mask_url_password(self.resolved_store_url),
            "store_schema": self.resolved_store_schema,
            "github_api_url": self.github_api_url,
            "github_graphql_url": self.resolved_graphql_url,
            "npm_downloads_url": self.npm_downloads_url,
            "pypistats_url": self.pypistats_url,
            "github_tokens": f"{tokens} set (values hidden)" if tokens else "none",
            "timezone": self.timezone,
            "staging_user": self.staging_user,
            "staging_password": "set (hidden)" if self.staging_password else "not set",
            "admin_token": "set (hidden)" if self.admin_token else "not set",
            "log_level": self.log_level,
            "log_format": self.log_format.value,
            "cors_origins": ", ".join(self.cors_origins) or "none",
            "dashboard_api_url": self.dashboard_api_url or "this server (api/v1)",
            "api_cache_seconds": str(self.api_cache_seconds),
            "collect_on_schedule": str(self.collect_on_schedule).lower(),
            "backfill_poll_seconds": str(self.backfill_poll_seconds),
            "lease_seconds": str(self.lease_seconds),
            "delivery_poll_seconds": str(self.delivery_poll_seconds),
            "smtp_host": self.smtp_host or "not set (e-mail alerts wait)",
            "smtp_port": str(self.smtp_port),
            "smtp_user": self.smtp_user or "not set",
            "smtp_password": "set (hidden)" if self.smtp_password else "not set",
            "smtp_from": self.smtp_from or "not set",
            "smtp_starttls": str(self.smtp_starttls).lower(),
            "alerts_allow_private_targets": str(self.alerts_allow_private_targets).lower(),
        }


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Load settings from every source; CLI flags come in as ``overrides``.

    Args:
        config_file: a TOML file; default ``$OSSGROWTH_CONFIG`` or ``./ossgrowth.toml``.
        overrides: values that beat every other source; ``None`` values are ignored.

    Raises:
        ConfigError: a named file is missing or unreadable, or a value is invalid.
    """
    chosen = config_file or (
        Path(os.environ["OSSGROWTH_CONFIG"]) if os.environ.get("OSSGROWTH_CONFIG") else None
    )
    if chosen is not None and not chosen.is_file():
        raise ConfigError(f"config file {chosen} does not exist")
    toml_file = chosen or DEFAULT_CONFIG_FILE
    layered = cast(
        type[Settings],
        type(
            "Settings",
            (Settings,),
            {"model_config": {**Settings.model_config, "toml_file": toml_file}},
        ),
    )
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return layered(**given)
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None
    except (OSError, ValueError) as error:
        raise ConfigError(f"cannot read config file {toml_file}: {error}") from None
    except RecursionError:  # tomllib recurses once per nesting level
        raise ConfigError(
            f"cannot read config file {toml_file}: it is nested too deeply to be settings"
        ) from None


def _describe(error: ValidationError) -> str:
    problems = []
    for detail in error.errors(include_input=False, include_url=False):
        location = ".".join(str(part) for part in detail["loc"]) or "settings"
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "extra_forbidden":
            message = "unknown setting"
        problems.append(f"{location}: {message}")
    return "invalid settings: " + "; ".join(problems)
