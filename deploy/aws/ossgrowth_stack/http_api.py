"""The HTTP API: API Gateway (HTTP API) in front of the API function, every route proxied.

One ``$default`` route and stage hand every request to the function as a payload v2 event
(Mangum turns it into ASGI), with a stage-wide throttle and JSON access logs. Viewers reach it
through CloudFront under ``/api/*`` (:mod:`ossgrowth_stack.edge`); the execute-api address
answers too, and the API itself asks staging's password there.
"""

from __future__ import annotations

import json

from aws_cdk import Fn, RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigateway
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from ossgrowth_stack.config import DeploymentConfig

__all__ = ["BURST_LIMIT", "RATE_LIMIT_PER_SECOND", "HttpApi"]

RATE_LIMIT_PER_SECOND = 50
BURST_LIMIT = 100
_ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "method": "$context.httpMethod",
    "path": "$context.path",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "latencyMs": "$context.responseLatency",
    "integrationError": "$context.integrationErrorMessage",
}


class HttpApi(Construct):
    """``api`` (the HTTP API), its ``stage`` and ``domain_name`` (its execute-api host)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        handler: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        self.api = apigateway.HttpApi(
            self,
            "Api",
            api_name=f"{config.stack_name}-api",
            description=f"ossgrowth API ({config.environment})",
            create_default_stage=False,
            default_integration=integrations.HttpLambdaIntegration(
                "Function",
                handler,
                payload_format_version=apigateway.PayloadFormatVersion.VERSION_2_0,
            ),
        )
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            log_group_name=f"/aws/apigateway/{config.stack_name}-api",
            retention=logs.RetentionDays.THREE_MONTHS
            if config.is_prod
            else logs.RetentionDays.TWO_WEEKS,
            removal_policy=RemovalPolicy.RETAIN if config.is_prod else RemovalPolicy.DESTROY,
        )
        self.stage = apigateway.HttpStage(
            self,
            "DefaultStage",
            http_api=self.api,
            stage_name="$default",
            auto_deploy=True,
            throttle=apigateway.ThrottleSettings(
                rate_limit=RATE_LIMIT_PER_SECOND, burst_limit=BURST_LIMIT
            ),
        )
        cfn_stage = self.stage.node.default_child
        assert isinstance(cfn_stage, apigateway.CfnStage)
        cfn_stage.access_log_settings = apigateway.CfnStage.AccessLogSettingsProperty(
            destination_arn=access_logs.log_group_arn,
            format=json.dumps(_ACCESS_LOG_FORMAT, separators=(",", ":")),
        )
        # https://{id}.execute-api.{region}.amazonaws.com → the host alone, for CloudFront
        self.domain_name = Fn.select(2, Fn.split("/", self.api.api_endpoint))
