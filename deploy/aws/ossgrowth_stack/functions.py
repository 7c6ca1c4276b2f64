"""The Lambda functions and their roles, each allowed only what it does.

Six functions run the ``ossgrowth.aws.handlers`` entry points from one artifact: the API and
the five scheduled jobs. Each has its own role, which may write to its own log group, read and
write its environment's tables (named item actions on those table ARNs: no ``dynamodb:*``, no
``*`` resource) and read one secret: the API the API secret, the alert deliveries the alerts
secret (the SMTP password; they get the SMTP server's settings as variables), every other
function the GitHub token. The scheduled ones may also publish metrics in the ``ossgrowth``
namespace (``CollectionOverdue``), which CloudWatch allows only on resource ``*``, so a
condition pins the namespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from ossgrowth_stack.config import DeploymentConfig
from ossgrowth_stack.secrets import Secrets
from ossgrowth_stack.tables import Tables

__all__ = [
    "ALERTS",
    "FUNCTIONS",
    "SECRET_VARIABLES",
    "METRICS_NAMESPACE",
    "TABLE_ACTIONS",
    "FunctionSpec",
    "Functions",
    "store_url",
]

METRICS_NAMESPACE = "ossgrowth"
"""The namespace the scheduled functions publish their own metrics in."""
TABLE_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
)
"""What the DynamoDB store calls (transactions are authorised item by item by these)."""


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """One function: its name in the stack, its entry point and its size."""

    name: str
    """``ossgrowth-{env}-{name}`` is the function's name."""
    handler: str
    description: str
    memory_mb: int
    timeout_seconds: int
    scheduled: bool
    """Run by a schedule (publishes metrics, alarmed on errors); else the API."""
    secret: str = "github-token"
    """The one secret it reads: ``github-token``, ``api`` or ``alerts``."""
    async_retries: int = 2
    """Lambda's own retries of a failed asynchronous (scheduled) invocation."""


API = "api"
ALERTS = "alerts"
"""The secret (and the purpose) of the alert deliveries' function."""
SECRET_VARIABLES = {
    "github-token": "OSSGROWTH_GITHUB_TOKEN_SECRET",
    "api": "OSSGROWTH_API_SECRET",
    ALERTS: "OSSGROWTH_ALERTS_SECRET",
}
"""The variable that names each secret to the function reading it."""
FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        API,
        "ossgrowth.aws.handlers.api",
        "ossgrowth HTTP API (API Gateway HTTP API, payload v2)",
        memory_mb=1024,
        timeout_seconds=29,  # API Gateway gives an integration 30 s at most
        scheduled=False,
        secret=API,
    ),
    FunctionSpec(
        "collect-stars",
        "ossgrowth.aws.handlers.collect_stars",
        "ossgrowth: collects stars (every 3 hours from 03:00 local)",
        memory_mb=512,
        timeout_seconds=300,
        scheduled=True,
    ),
    FunctionSpec(
        "collect-activity",
        "ossgrowth.aws.handlers.collect_activity",
        "ossgrowth: collects pull requests and issues (daily 23:50 local)",
        memory_mb=512,
        timeout_seconds=900,  # two families, the most GitHub calls per repository
        scheduled=True,
    ),
    FunctionSpec(
        "collect-downloads",
        "ossgrowth.aws.handlers.collect_downloads",
        "ossgrowth: collects package downloads (Sundays 23:50 local)",
        memory_mb=512,
        timeout_seconds=300,
        scheduled=True,
    ),
    FunctionSpec(
        "run-backfills",
        "ossgrowth.aws.handlers.run_backfills",
        "ossgrowth: works through queued backfills (every 5 minutes)",
        memory_mb=512,
        timeout_seconds=900,
        scheduled=True,
        async_retries=0,  # the next run comes 5 minutes later and takes up the same queue
    ),
    FunctionSpec(
        "deliver-alerts",
        "ossgrowth.aws.handlers.deliver_alerts",
        "ossgrowth: sends the due alert deliveries (every 5 minutes)",
        memory_mb=512,
        timeout_seconds=300,
        scheduled=True,
        secret=ALERTS,
        async_retries=0,  # the next run comes 5 minutes later; the outbox keeps what is due
    ),
)
"""The functions, in the order the stack creates them."""


def store_url(config: DeploymentConfig) -> str:
    """The functions' ``OSSGROWTH_STORE_URL``: ``dynamodb://?region=R[&table_prefix=P]``."""
    query = {"region": config.region}
    if config.table_prefix:
        query["table_prefix"] = config.table_prefix
    return f"dynamodb://?{urlencode(query)}"


class Functions(Construct):
    """The functions by spec name (``functions.by_name["api"]``) and their roles."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        code: lambda_.Code,
        tables: Tables,
        secrets: Secrets,
    ) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        self.by_name: dict[str, lambda_.Function] = {}
        self.roles: dict[str, iam.Role] = {}
        by_purpose = {
            "github-token": secrets.github_token,
            API: secrets.api,
            ALERTS: secrets.alerts,
        }
        for spec in FUNCTIONS:
            self.by_name[spec.name] = self._function(spec, code, tables, by_purpose[spec.secret])

    @property
    def api(self) -> lambda_.Function:
        return self.by_name[API]

    @property
    def scheduled(self) -> dict[str, lambda_.Function]:
        """The functions run by schedules, by spec name."""
        return {spec.name: self.by_name[spec.name] for spec in FUNCTIONS if spec.scheduled}

    def _function(
        self,
        spec: FunctionSpec,
        code: lambda_.Code,
        tables: Tables,
        secret: secretsmanager.Secret,
    ) -> lambda_.Function:
        config = self._config
        function_name = f"{config.stack_name}-{spec.name}"
        log_group = logs.LogGroup(
            self,
            f"{spec.name}-logs",
            log_group_name=f"/aws/lambda/{function_name}",
            retention=logs.RetentionDays.THREE_MONTHS
            if config.is_prod
            else logs.RetentionDays.TWO_WEEKS,
            removal_policy=RemovalPolicy.RETAIN if config.is_prod else RemovalPolicy.DESTROY,
        )
        role = iam.Role(
            self,
            f"{spec.name}-role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{function_name}: its logs, {config.environment}'s tables, one secret",
        )
        log_group.grant_write(role)
        role.add_to_policy(
            iam.PolicyStatement(
                actions=list(TABLE_ACTIONS), resources=[table.table_arn for table in tables.all]
            )
        )
        secret.grant_read(role)
        environment = {
            "OSSGROWTH_ENV": config.environment,
            "OSSGROWTH_STORE_URL": store_url(config),
            "OSSGROWTH_TIMEZONE": config.timezone,
            SECRET_VARIABLES[spec.secret]: secret.secret_arn,
        }
        if spec.secret == ALERTS:
            environment.update(config.smtp_variables())
        if spec.scheduled:
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["cloudwatch:PutMetricData"],
                    resources=["*"],  # PutMetricData has no resource; the namespace is pinned
                    conditions={"StringEquals": {"cloudwatch:namespace": METRICS_NAMESPACE}},
                )
            )
        self.roles[spec.name] = role
        return lambda_.Function(
            self,
            spec.name,
            function_name=function_name,
            description=spec.description,
            code=code,
            handler=spec.handler,
            runtime=lambda_.Runtime.PYTHON_3_11,
            architecture=lambda_.Architecture.ARM_64
            if config.architecture == "arm64"
            else lambda_.Architecture.X86_64,
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_seconds),
            role=role,
            log_group=log_group,
            environment=environment,
            retry_attempts=spec.async_retries if spec.scheduled else None,
        )
