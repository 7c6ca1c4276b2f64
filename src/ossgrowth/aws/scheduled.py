"""What every scheduled function does around its work: event, settings, store, logs, work,
metric, summary — and how a failure reaches Lambda.

A scheduled invocation returns its summary (a JSON object: ``status``, counts, what is
``remaining``, the ``overdue_schedules`` …) when its work succeeded, was partial, stopped for
time or had nothing to do. It **raises** :class:`ScheduledWorkFailed` when the work failed (a
collection or backfill recorded ``failed``, the store unreachable, a bad event, settings or
secret): Lambda then counts an error, so the function's ``Errors`` alarm fires, and retries the
asynchronous invocation with the same event (twice by default), which takes up what was given
back. The exception's message is one line naming what failed, secrets redacted; the details
are in the JSON log lines. The ``CollectionOverdue`` metric is published either way.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from ossgrowth.aws.container import GITHUB_TOKEN_SECRET_VARIABLE, Container
from ossgrowth.aws.deadline import Deadline, LambdaContext
from ossgrowth.aws.events import ScheduledEvent, scheduled_event
from ossgrowth.errors import OssgrowthError
from ossgrowth.logs import RedactSecrets, log_context

if TYPE_CHECKING:
    from ossgrowth.clock import Clock
    from ossgrowth.config import Settings
    from ossgrowth.store import Store

__all__ = ["ScheduledWorkFailed", "Summary", "Work", "run_scheduled"]

logger = logging.getLogger(__name__)


class ScheduledWorkFailed(OssgrowthError):
    """A scheduled invocation's work failed; raised so Lambda counts an error and retries."""


class Summary(Protocol):
    """What a scheduled work returns: a status, and itself as JSON."""

    @property
    def status(self) -> str: ...

    @property
    def error(self) -> str | None: ...

    def as_dict(self) -> dict[str, Any]: ...


Work = Callable[["Store", "Settings", ScheduledEvent, Deadline, "Clock"], Awaitable[Summary]]
"""The work of one invocation: given the store, settings, event, deadline and clock."""


def run_scheduled(
    container: Container,
    job: str,
    event: object,
    context: LambdaContext,
    work: Work,
    *,
    github_tokens: bool = True,
    alert_secrets: bool = False,
) -> dict[str, Any]:
    """Run one scheduled invocation of ``job`` (see the module doc).

    Args:
        github_tokens: the work asks GitHub: read the token secret.
        alert_secrets: the work sends alerts: read the alerts secret (the SMTP password).

    Raises:
        ScheduledWorkFailed: the event, settings, secret or store could not be used, or the
            work failed.
    """
    import anyio

    from ossgrowth.clock import SystemClock

    container.log_to_stdout()
    with log_context(aws_request_id=context.aws_request_id, function_job=job):
        try:
            parsed = scheduled_event(event, expected_job=job)
            settings = container.settings(github_tokens=github_tokens, alert_secrets=alert_secrets)
            container.log_to_stdout(settings.log_level, settings.secret_values())
            store = container.store(settings)
        except OssgrowthError as error:
            logger.error("%s cannot start: %s", job, error)
            raise ScheduledWorkFailed(f"{job}: {error}") from None
        redact = RedactSecrets(settings.secret_values()).redact
        if github_tokens and not settings.github_tokens:
            logger.warning(
                "no GitHub token (%s is not set): GitHub is asked anonymously, 60 requests an hour",
                GITHUB_TOKEN_SECRET_VARIABLE,
            )
        clock = SystemClock()
        summary: Summary | None = None
        failure: str | None = None
        try:
            summary = anyio.run(work, store, settings, parsed, Deadline(context), clock)
        except OssgrowthError as error:
            failure = f"{job}: {error}"
            logger.error("%s failed: %s", job, error)
        except Exception as error:  # a bug, or errors of concurrent tasks: logged with traces
            known = _first_ossgrowth_error(error)
            failure = f"{job}: {known or f'unexpected {type(error).__name__}: {error}'}"
            logger.exception("%s stopped: %s", job, known or "an unexpected error")
        overdue = _publish_overdue(container, store, settings, clock)
        if summary is not None and summary.status == "failed":
            failure = f"{job}: {summary.error or 'failed'}"
        result = {
            **(summary.as_dict() if summary is not None else {"job": job, "status": "failed"}),
            "overdue_schedules": overdue,
            "request_id": context.aws_request_id,
        }
        logger.info("%s: %s", job, result["status"], extra={"summary": result})
        if failure is not None:
            raise ScheduledWorkFailed(redact(failure)) from None
        return result


def _publish_overdue(
    container: Container, store: Store, settings: Settings, clock: Clock
) -> list[str] | None:
    """Publish how many schedules are overdue; their jobs, or ``None`` when it could not."""
    from ossgrowth.aws.overdue import overdue_schedules, publish_overdue

    try:
        overdue = overdue_schedules(store, clock.now(), settings.zone)
        publish_overdue(container.cloudwatch(), settings.environment.value, len(overdue))
    except OssgrowthError as error:
        logger.error("the CollectionOverdue metric was not published: %s", error)
        return None
    return overdue


def _first_ossgrowth_error(error: Exception) -> OssgrowthError | None:
    """The ossgrowth error a group of concurrent tasks' errors holds when it holds nothing else
    (a store that stopped answering fails every task at once); ``None`` otherwise."""
    if not isinstance(error, ExceptionGroup):
        return None
    ours, others = error.split(OssgrowthError)
    if ours is None or others is not None:
        return None
    found: BaseException = ours
    while isinstance(found, BaseExceptionGroup):
        found = found.exceptions[0]
    return found if isinstance(found, OssgrowthError) else None
