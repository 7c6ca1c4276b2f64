"""The ossgrowth CDK app: one stack per environment (``ossgrowth-dev|staging|prod``).

Infrastructure only: it names the Lambda entry points of ``ossgrowth.aws.handlers`` and the
tables the DynamoDB store reads, nothing more. docs/aws.md tells how to synthesize and deploy.
"""

from __future__ import annotations

from aws_cdk import App

from ossgrowth_stack.config import ENVIRONMENTS, DeploymentConfig, stack_name
from ossgrowth_stack.stack import OssgrowthStack

__all__ = ["ENVIRONMENTS", "DeploymentConfig", "OssgrowthStack", "build_stacks", "stack_name"]


def build_stacks(app: App) -> dict[str, OssgrowthStack]:
    """Add every environment's stack to ``app``, configured from its context; by environment."""
    return {
        environment: OssgrowthStack(
            app, DeploymentConfig.from_context(environment, app.node.try_get_context)
        )
        for environment in ENVIRONMENTS
    }
