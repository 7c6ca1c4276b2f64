"""What one deployment is: the environment, where it goes, and the choices a user may make.

Everything is read from CDK context (``-c name=value`` or ``cdk.json``), with defaults that
let the app synthesize offline: no AWS account is asked anything at synth time. The account
and region come from context ``account``/``region``, else from ``CDK_DEFAULT_ACCOUNT`` /
``CDK_DEFAULT_REGION`` (the CDK CLI sets those from the credentials it deploys with), else
``000000000000`` / ``us-west-2`` (synth only: such a template is never deployed, the CLI
synthesizes again with the real account).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_REGION",
    "DEFAULT_TIMEZONE",
    "ENVIRONMENTS",
    "REPOSITORY_ROOT",
    "DeploymentConfig",
    "stack_name",
]

ENVIRONMENTS = ("dev", "staging", "prod")
"""One stack each, in this order."""
DEFAULT_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-west-2"
DEFAULT_TIMEZONE = "America/Los_Angeles"
"""The seed's schedules are wall-clock times in this zone."""
ARCHITECTURES = ("arm64", "x86_64")
REPOSITORY_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DASHBOARD_DIR = REPOSITORY_ROOT / "src" / "ossgrowth" / "web" / "static"
"""Where ``make venv`` builds the dashboard (web/ → the package's static folder)."""

ContextReader = Callable[[str], object]


def stack_name(environment: str) -> str:
    """The CloudFormation stack of an environment: ``ossgrowth-dev`` …"""
    return f"ossgrowth-{environment}"


@dataclass(frozen=True, slots=True)
class DeploymentConfig:
    """One environment's deployment: every value the stack is built from."""

    environment: str
    account: str
    region: str
    timezone: str = DEFAULT_TIMEZONE
    """IANA zone of the schedules' wall-clock times."""
    table_prefix: str = ""
    """Put before every table name (``{table_prefix}{environment}-star-growth``)."""
    lambda_artifact: Path | None = None
    """The zip (or folder) ``ossgrowth aws package`` builds; ``None``: synth-only placeholder."""
    architecture: str = "arm64"
    """``arm64`` or ``x86_64``: must match the wheels in the artifact."""
    dashboard_dir: Path | None = None
    """The dashboard's built files (index.html, assets/); ``None``: the bucket stays empty."""
    alarm_email: str | None = None
    """Subscribed to the alarm topic when given (the address confirms by mail)."""
    smtp_host: str | None = None
    """The SMTP server of e-mail alerts; ``None``: e-mail deliveries wait (webhooks go)."""
    smtp_port: int | None = None
    smtp_from: str | None = None
    smtp_user: str | None = None
    """The SMTP login; its password is in the alerts secret (``{"smtp_password": "..."}``)."""
    smtp_starttls: bool | None = None

    def __post_init__(self) -> None:
        if self.environment not in ENVIRONMENTS:
            raise ValueError(f"environment must be one of {ENVIRONMENTS}, not {self.environment!r}")
        if self.architecture not in ARCHITECTURES:
            raise ValueError(
                f"lambda_architecture must be one of {ARCHITECTURES}, not {self.architecture!r}"
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"timezone {self.timezone!r} is not an IANA time zone") from error
        if self.smtp_host and not self.smtp_from:
            raise ValueError("smtp_host is set without smtp_from, the From address of e-mails")
        if self.smtp_port is not None and not 0 < self.smtp_port < 65536:
            raise ValueError(f"smtp_port must be a port number, not {self.smtp_port}")

    def smtp_variables(self) -> dict[str, str]:
        """The alert deliveries' ``OSSGROWTH_SMTP_*`` variables: those set, nothing else."""
        values = {
            "OSSGROWTH_SMTP_HOST": self.smtp_host,
            "OSSGROWTH_SMTP_PORT": None if self.smtp_port is None else str(self.smtp_port),
            "OSSGROWTH_SMTP_FROM": self.smtp_from,
            "OSSGROWTH_SMTP_USER": self.smtp_user,
            "OSSGROWTH_SMTP_STARTTLS": None
            if self.smtp_starttls is None
            else str(self.smtp_starttls).lower(),
        }
        return {name: value for name, value in values.items() if value is not None}

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def stack_name(self) -> str:
        """The stack's name, also the start of the names it gives (``ossgrowth-prod-api`` …)."""
        return stack_name(self.environment)

    @classmethod
    def from_context(
        cls,
        environment: str,
        context: ContextReader,
        environ: Mapping[str, str] = os.environ,
    ) -> DeploymentConfig:
        """Read a deployment from CDK context (``app.node.try_get_context``) and the
        environment variables the CDK CLI sets; relative paths are taken from the current
        directory, as a shell would."""

        def text(name: str) -> str | None:
            value = context(name)
            return None if value is None or value == "" else str(value)

        def path(name: str) -> Path | None:
            value = text(name)
            return None if value is None else Path(value).expanduser().resolve()

        def flag(name: str) -> bool | None:
            value = text(name)
            if value is None:
                return None
            if value.lower() not in ("true", "false"):
                raise ValueError(f"{name} must be true or false, not {value!r}")
            return value.lower() == "true"

        def number(name: str) -> int | None:
            value = text(name)
            if value is None:
                return None
            if not value.isdigit():
                raise ValueError(f"{name} must be a whole number, not {value!r}")
            return int(value)

        dashboard_dir = path("dashboard_dir")
        if dashboard_dir is None and (DEFAULT_DASHBOARD_DIR / "index.html").is_file():
            dashboard_dir = DEFAULT_DASHBOARD_DIR
        return cls(
            environment=environment,
            account=text("account") or environ.get("CDK_DEFAULT_ACCOUNT") or DEFAULT_ACCOUNT,
            region=text("region") or environ.get("CDK_DEFAULT_REGION") or DEFAULT_REGION,
            timezone=text("timezone") or DEFAULT_TIMEZONE,
            table_prefix=text("table_prefix") or "",
            lambda_artifact=path("lambda_artifact"),
            architecture=text("lambda_architecture") or "arm64",
            dashboard_dir=dashboard_dir,
            alarm_email=text("alarm_email"),
            smtp_host=text("smtp_host"),
            smtp_port=number("smtp_port"),
            smtp_from=text("smtp_from"),
            smtp_user=text("smtp_user"),
            smtp_starttls=flag("smtp_starttls"),
        )
