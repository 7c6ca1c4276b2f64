"""The staleness signal in CloudWatch: how many schedules are overdue, per environment.

After every scheduled invocation (the collectors', and the backfill function's every five
minutes, so the figure is fresh even when a collector never ran) the number of schedules whose
latest slot is overdue (:mod:`ossgrowth.collect.staleness`, the verdict ``/ready`` and
``/metrics`` show) is put as the metric ``CollectionOverdue`` in the namespace ``ossgrowth``,
dimension ``Environment``. An alarm on its maximum above 0 says a collection was missed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ossgrowth.collect.staleness import staleness
from ossgrowth.errors import OssgrowthError
from ossgrowth.store import Store

__all__ = [
    "ENVIRONMENT_DIMENSION",
    "METRIC_NAMESPACE",
    "OVERDUE_METRIC",
    "MetricNotPublished",
    "overdue_schedules",
    "publish_overdue",
]

METRIC_NAMESPACE = "ossgrowth"
OVERDUE_METRIC = "CollectionOverdue"
ENVIRONMENT_DIMENSION = "Environment"


class MetricNotPublished(OssgrowthError):
    """CloudWatch did not take the metric (no permission, unreachable)."""


def overdue_schedules(store: Store, now: datetime, zone: ZoneInfo) -> list[str]:
    """The jobs of the schedules overdue at ``now``, in the schedules' order."""
    return [job.job for job in staleness(store, now, zone) if job.overdue]


def publish_overdue(cloudwatch: Any, environment: str, overdue: int) -> None:
    """Put ``overdue`` as ``ossgrowth/CollectionOverdue`` for ``environment``.

    Raises:
        MetricNotPublished: CloudWatch refused it or could not be reached.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        cloudwatch.put_metric_data(
            Namespace=METRIC_NAMESPACE,
            MetricData=[
                {
                    "MetricName": OVERDUE_METRIC,
                    "Dimensions": [{"Name": ENVIRONMENT_DIMENSION, "Value": environment}],
                    "Value": float(overdue),
                    "Unit": "Count",
                }
            ],
        )
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "an error")
        raise MetricNotPublished(
            f"CloudWatch refused {METRIC_NAMESPACE}/{OVERDUE_METRIC} ({code}): the role needs "
            f"cloudwatch:PutMetricData on namespace {METRIC_NAMESPACE}"
        ) from None
    except BotoCoreError as error:
        raise MetricNotPublished(
            f"cannot reach CloudWatch for {METRIC_NAMESPACE}/{OVERDUE_METRIC}: {error}"
        ) from None
