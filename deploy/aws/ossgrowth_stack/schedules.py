"""EventBridge Scheduler schedules: the seed's collection times, on the wall clock of a zone.

Each schedule is a cron expression in the configured IANA zone (``America/Los_Angeles`` by
default), which EventBridge Scheduler evaluates in that zone, so 03:00 and 23:50 stay local
through both daylight saving changes: stars every 3 hours from 03:00 (00, 03 … 21), pull
requests and issues daily at 23:50, downloads on Sundays at 23:50, as
``ossgrowth.collect.slots.SCHEDULES`` has them. Backfills run every 5 minutes, taking up
queued work only, and so do alert deliveries, sending what the outbox holds due. Every
schedule fires at its minute (no flexible window), delivers to its function with retries, and
passes ``{"job": ..., "scheduled_time": ...}`` as the event. One role, which only the
Scheduler of this account may assume, may invoke these functions and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, TimeZone
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from constructs import Construct

from ossgrowth_stack.config import DeploymentConfig

__all__ = ["SCHEDULES", "ScheduleSpec", "Schedules"]


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """One schedule: the job it runs, the function that runs it, and when."""

    name: str
    """``ossgrowth-{env}-{name}`` is the schedule's name."""
    job: str
    """The job its runs are recorded under (``collect:stars`` …), passed in the event."""
    function: str
    """The name of the function it invokes (``functions.FUNCTIONS``)."""
    hour: str | None = None
    """Cron hours, local; with :attr:`minute`, and :attr:`week_day` if weekly."""
    minute: str | None = None
    week_day: str | None = None
    every_minutes: int | None = None
    """A rate instead of wall-clock times (time zones do not matter to a rate)."""
    max_event_age_minutes: int = 60
    """How long Scheduler keeps retrying to deliver one firing."""

    def expression(self, timezone: str) -> scheduler.ScheduleExpression:
        if self.every_minutes is not None:
            return scheduler.ScheduleExpression.rate(Duration.minutes(self.every_minutes))
        return scheduler.ScheduleExpression.cron(
            minute=self.minute,
            hour=self.hour,
            week_day=self.week_day,
            time_zone=TimeZone.of(timezone),
        )


SCHEDULES: tuple[ScheduleSpec, ...] = (
    ScheduleSpec(
        "collect-stars",
        "collect:stars",
        "collect-stars",
        hour="0,3,6,9,12,15,18,21",
        minute="0",
    ),
    ScheduleSpec(
        "collect-activity", "collect:prs+issues", "collect-activity", hour="23", minute="50"
    ),
    ScheduleSpec(
        "collect-downloads",
        "collect:downloads",
        "collect-downloads",
        hour="23",
        minute="50",
        week_day="SUN",
    ),
    ScheduleSpec(
        "run-backfills",
        "backfill",
        "run-backfills",
        every_minutes=5,
        max_event_age_minutes=4,  # a firing older than the next one is not worth delivering
    ),
    ScheduleSpec(
        "deliver-alerts",
        "alerts:deliver",
        "deliver-alerts",
        every_minutes=5,
        max_event_age_minutes=4,  # the next firing sends whatever this one would have
    ),
)
_DELIVERY_RETRIES = 2


class Schedules(Construct):
    """The environment's schedules by spec name, and the role they invoke with."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        functions: dict[str, lambda_.Function],
    ) -> None:
        super().__init__(scope, construct_id)
        self.role = iam.Role(
            self,
            "InvokeRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": config.account}},
            ),
            description=f"{config.stack_name}'s schedules: invoke its scheduled functions only",
        )
        self.by_name: dict[str, scheduler.Schedule] = {}
        for spec in SCHEDULES:
            target = targets.LambdaInvoke(
                functions[spec.function],
                input=scheduler.ScheduleTargetInput.from_object(
                    {"job": spec.job, "scheduled_time": scheduler.ContextAttribute.scheduled_time}
                ),
                retry_attempts=_DELIVERY_RETRIES,
                max_event_age=Duration.minutes(spec.max_event_age_minutes),
                role=self.role,
            )
            self.by_name[spec.name] = scheduler.Schedule(
                self,
                spec.name,
                schedule_name=f"{config.stack_name}-{spec.name}",
                description=f"{spec.job} for {config.environment}",
                schedule=spec.expression(config.timezone),
                target=target,
                time_window=scheduler.TimeWindow.off(),
            )
