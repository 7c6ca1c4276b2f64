"""CloudWatch: alarms to an SNS topic, and one dashboard per environment.

Alarms: each scheduled function's errors; the stars collector silent for 6 hours (two missed
3-hourly slots: nothing runs at all, so nothing reports being late either); the HTTP API's
5xx answers; and ``CollectionOverdue`` (namespace ``ossgrowth``, dimension ``Environment``),
which the scheduled functions publish as the number of collection slots past due, at 1 or more.
The dashboard shows invocations, errors and duration per function, the API's requests, errors
and latency, the tables' consumed capacity and the overdue count.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from ossgrowth_stack.config import DeploymentConfig
from ossgrowth_stack.functions import METRICS_NAMESPACE
from ossgrowth_stack.tables import Tables

__all__ = [
    "API_5XX_THRESHOLD",
    "OVERDUE_DIMENSION",
    "OVERDUE_METRIC",
    "SILENT_COLLECTOR",
    "Monitoring",
    "overdue_metric",
]

OVERDUE_METRIC = "CollectionOverdue"
OVERDUE_DIMENSION = "Environment"
API_5XX_THRESHOLD = 5
"""5xx answers in 5 minutes that raise the alarm (a single one can be a cold start's timeout)."""
SILENT_COLLECTOR = "collect-stars"
"""The function whose silence is alarmed: it runs most often of the collectors."""
_PERIOD = Duration.minutes(5)
_SILENCE = Duration.hours(6)
_OVERDUE_PERIOD = Duration.minutes(15)


def overdue_metric(environment: str) -> cloudwatch.Metric:
    """The most collection slots past due that any scheduled function reported."""
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=OVERDUE_METRIC,
        dimensions_map={OVERDUE_DIMENSION: environment},
        statistic=cloudwatch.Stats.MAXIMUM,
        period=_OVERDUE_PERIOD,
    )


class Monitoring(Construct):
    """``topic`` (where alarms go), ``alarms`` by name, and ``dashboard``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        api_function: lambda_.Function,
        scheduled: dict[str, lambda_.Function],
        http_api: apigateway.HttpApi,
        tables: Tables,
    ) -> None:
        super().__init__(scope, construct_id)
        self._prefix = config.stack_name
        self.topic = sns.Topic(
            self,
            "Alarms",
            topic_name=f"{self._prefix}-alarms",
            display_name=f"{self._prefix} alarms",
            enforce_ssl=True,
        )
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        for name, function in scheduled.items():
            self._alarm(
                f"{name}-errors",
                f"{function.function_name} failed",
                function.metric_errors(period=_PERIOD, statistic=cloudwatch.Stats.SUM),
                threshold=1,
            )
        self._alarm(
            f"{SILENT_COLLECTOR}-silent",
            f"{SILENT_COLLECTOR} has not run for {_SILENCE.to_hours()} hours",
            scheduled[SILENT_COLLECTOR].metric_invocations(
                period=_SILENCE, statistic=cloudwatch.Stats.SUM
            ),
            threshold=1,
            comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            missing=cloudwatch.TreatMissingData.BREACHING,
        )
        self._alarm(
            "api-5xx",
            f"the API answered {API_5XX_THRESHOLD} or more 5xx in {_PERIOD.to_minutes()} minutes",
            http_api.metric_server_error(period=_PERIOD, statistic=cloudwatch.Stats.SUM),
            threshold=API_5XX_THRESHOLD,
        )
        self._alarm(
            "collection-overdue",
            "a collection slot is past due (CollectionOverdue >= 1)",
            overdue_metric(config.environment),
            threshold=1,
            # published when the scheduled functions run: between reports the state holds
            missing=cloudwatch.TreatMissingData.IGNORE,
        )
        functions = {"api": api_function, **scheduled}
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=self._prefix,
            default_interval=Duration.days(7),
            widgets=[
                [
                    cloudwatch.AlarmStatusWidget(
                        title="Alarms", alarms=list(self.alarms.values()), width=24, height=4
                    )
                ],
                *[_function_row(name, function) for name, function in functions.items()],
                _api_row(http_api),
                _tables_row(tables, config.environment),
            ],
        )

    def _alarm(
        self,
        name: str,
        description: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        comparison: cloudwatch.ComparisonOperator = (
            cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
        ),
        missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            name,
            alarm_name=f"{self._prefix}-{name}",
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=comparison,
            treat_missing_data=missing,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        alarm.add_ok_action(actions.SnsAction(self.topic))
        self.alarms[name] = alarm


def _function_row(name: str, function: lambda_.Function) -> list[cloudwatch.IWidget]:
    return [
        cloudwatch.GraphWidget(
            title=f"{name}: invocations, errors, throttles",
            left=[
                function.metric_invocations(statistic=cloudwatch.Stats.SUM),
                function.metric_errors(statistic=cloudwatch.Stats.SUM),
                function.metric_throttles(statistic=cloudwatch.Stats.SUM),
            ],
            width=12,
        ),
        cloudwatch.GraphWidget(
            title=f"{name}: duration",
            left=[
                function.metric_duration(statistic=cloudwatch.Stats.AVERAGE),
                function.metric_duration(statistic=cloudwatch.Stats.MAXIMUM),
            ],
            width=12,
        ),
    ]


def _api_row(http_api: apigateway.HttpApi) -> list[cloudwatch.IWidget]:
    return [
        cloudwatch.GraphWidget(
            title="API: requests, 4xx, 5xx",
            left=[
                http_api.metric_count(statistic=cloudwatch.Stats.SUM),
                http_api.metric_client_error(statistic=cloudwatch.Stats.SUM),
                http_api.metric_server_error(statistic=cloudwatch.Stats.SUM),
            ],
            width=12,
        ),
        cloudwatch.GraphWidget(
            title="API: latency",
            left=[
                http_api.metric_latency(statistic=cloudwatch.Stats.percentile(50)),
                http_api.metric_latency(statistic=cloudwatch.Stats.percentile(99)),
            ],
            width=12,
        ),
    ]


def _tables_row(tables: Tables, environment: str) -> list[cloudwatch.IWidget]:
    return [
        cloudwatch.GraphWidget(
            title="DynamoDB: consumed read capacity",
            left=[table.metric_consumed_read_capacity_units() for table in tables.all],
            width=9,
        ),
        cloudwatch.GraphWidget(
            title="DynamoDB: consumed write capacity",
            left=[table.metric_consumed_write_capacity_units() for table in tables.all],
            width=9,
        ),
        cloudwatch.GraphWidget(
            title="Collection slots past due", left=[overdue_metric(environment)], width=6
        ),
    ]
