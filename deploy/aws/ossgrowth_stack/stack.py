"""One environment's stack, ``ossgrowth-{env}``: the pieces of the other modules, wired.

Tables and secrets first, then the functions that use them, the schedules that run the
collectors, the HTTP API in front of the API function, CloudFront in front of both and the
dashboard's files, and the alarms and dashboard over all of it. The outputs name what a user
or the ``ossgrowth aws`` commands look for after a deploy.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Environment, Stack, Tags
from constructs import Construct

from ossgrowth_stack.artifact import lambda_code
from ossgrowth_stack.config import DeploymentConfig
from ossgrowth_stack.edge import Edge
from ossgrowth_stack.functions import Functions
from ossgrowth_stack.http_api import HttpApi
from ossgrowth_stack.monitoring import Monitoring
from ossgrowth_stack.schedules import Schedules
from ossgrowth_stack.secrets import Secrets
from ossgrowth_stack.tables import Tables

__all__ = ["OssgrowthStack"]


class OssgrowthStack(Stack):
    """Everything one environment runs on; prod's stack is protected from deletion."""

    def __init__(self, scope: Construct, config: DeploymentConfig) -> None:
        super().__init__(
            scope,
            config.stack_name,
            env=Environment(account=config.account, region=config.region),
            description=f"ossgrowth {config.environment}: tables, functions, schedules, API, "
            "CloudFront, alarms",
            termination_protection=config.is_prod,
        )
        self.config = config
        Tags.of(self).add("project", "ossgrowth")
        Tags.of(self).add("environment", config.environment)
        self.tables = Tables(self, "Tables", config=config)
        self.secrets = Secrets(self, "Secrets", config=config)
        self.functions = Functions(
            self,
            "Functions",
            config=config,
            code=lambda_code(self, config.lambda_artifact),
            tables=self.tables,
            secrets=self.secrets,
        )
        self.schedules = Schedules(
            self, "Schedules", config=config, functions=self.functions.scheduled
        )
        self.http_api = HttpApi(self, "HttpApi", config=config, handler=self.functions.api)
        self.edge = Edge(self, "Edge", config=config, api_domain_name=self.http_api.domain_name)
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            config=config,
            api_function=self.functions.api,
            scheduled=self.functions.scheduled,
            http_api=self.http_api.api,
            tables=self.tables,
        )
        self._outputs()

    def _outputs(self) -> None:
        outputs = {
            "Url": f"https://{self.edge.distribution.distribution_domain_name}",
            "DistributionId": self.edge.distribution.distribution_id,
            "ApiEndpoint": self.http_api.api.api_endpoint,
            "DashboardBucket": self.edge.bucket.bucket_name,
            "GithubTokenSecret": self.secrets.github_token.secret_arn,
            "ApiSecret": self.secrets.api.secret_arn,
            "AlertsSecret": self.secrets.alerts.secret_arn,
            "AlarmTopic": self.monitoring.topic.topic_arn,
        }
        if self.edge.gate is not None:
            outputs["StagingCredentialsStore"] = self.edge.gate.store.key_value_store_arn
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)
