"""An environment's DynamoDB tables: the seed's four point tables, ours, and three more.

``{prefix}{env}-star-growth``, ``-pr-velocity``, ``-issue-health``, ``-package-downloads``
(the seed's) and ``-reach`` (forks and watchers): partition key ``repo``, sort key
``timestamp`` (ISO-8601 UTC). ``-repositories``: ``repo``.
``-rollups``: ``series``/``bucket``. ``-operations``: ``pk``/``sk``. Every key is a string,
every table on-demand with point-in-time recovery; prod's are protected from deletion and
kept when the stack goes, the other environments' go with their stack.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from ossgrowth_stack.config import DeploymentConfig

__all__ = ["TABLES", "TableSpec", "Tables", "table_name"]


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A table's name suffix and keys (strings both)."""

    suffix: str
    partition_key: str
    sort_key: str | None


TABLES: tuple[TableSpec, ...] = (
    TableSpec("star-growth", "repo", "timestamp"),
    TableSpec("pr-velocity", "repo", "timestamp"),
    TableSpec("issue-health", "repo", "timestamp"),
    TableSpec("package-downloads", "repo", "timestamp"),
    TableSpec("reach", "repo", "timestamp"),
    TableSpec("repositories", "repo", None),
    TableSpec("rollups", "series", "bucket"),
    TableSpec("operations", "pk", "sk"),
)
"""The shared design's tables; ``ossgrowth.store.dynamo_tables.KEYS`` says the same (a test
holds them equal)."""


def table_name(config: DeploymentConfig, spec: TableSpec) -> str:
    """``{table_prefix}{environment}-{suffix}``."""
    return f"{config.table_prefix}{config.environment}-{spec.suffix}"


def _attribute(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class Tables(Construct):
    """The environment's tables, by suffix (``tables.by_suffix["operations"]``)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: DeploymentConfig) -> None:
        super().__init__(scope, construct_id)
        protected = config.is_prod
        self.by_suffix: dict[str, dynamodb.Table] = {}
        for spec in TABLES:
            self.by_suffix[spec.suffix] = dynamodb.Table(
                self,
                spec.suffix,
                table_name=table_name(config, spec),
                partition_key=_attribute(spec.partition_key),
                sort_key=_attribute(spec.sort_key) if spec.sort_key else None,
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True
                ),
                deletion_protection=protected,
                removal_policy=RemovalPolicy.RETAIN if protected else RemovalPolicy.DESTROY,
            )

    @property
    def all(self) -> list[dynamodb.Table]:
        """Every table, in :data:`TABLES` order."""
        return list(self.by_suffix.values())
