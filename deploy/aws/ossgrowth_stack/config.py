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
        )
