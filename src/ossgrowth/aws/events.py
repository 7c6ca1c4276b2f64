"""The events the Lambda handlers take, checked before anything else is done with them.

**Scheduled functions** (collectors, backfills and alert deliveries) are invoked by
EventBridge Scheduler with the schedule's input as the event, a JSON object::

    {"job": "collect:stars", "scheduled_time": "<aws.scheduler.scheduled-time>"}

``job`` (or ``schedule``) names the schedule (``collect:stars``, ``collect:prs+issues``,
``collect:downloads``, ``backfill`` or ``alerts:deliver``); when given it must be the
function's own, so a schedule wired to the wrong function fails loudly. ``scheduled_time``
is filled in by the Scheduler (``2026-12-03T11:00:00Z``); an EventBridge rule's envelope
(``"time"``) is taken too.
Without either, the invocation's own time is used. Optional: ``part_size`` (repositories per
part of a slot, :data:`~ossgrowth.collect.slot_parts.PART_SIZE` by default; keep it constant
per schedule, parts are named by it).

**The API function** takes API Gateway HTTP API events, payload format 2.0. Anything else is
answered ``400`` with an ``application/problem+json`` body saying what is missing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ossgrowth.clock import utc
from ossgrowth.errors import InputError

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "InvalidEvent",
    "ScheduledEvent",
    "http_api_event_problem",
    "problem_response",
    "scheduled_event",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TITLES = {400: "Bad request", 500: "Internal error", 503: "Unavailable"}
_UNFILLED = "<aws.scheduler."
_MAX_PART_SIZE = 100_000


class InvalidEvent(InputError):
    """The event is not one this function takes; the message says what is wrong with it."""


@dataclass(frozen=True, slots=True)
class ScheduledEvent:
    """What a scheduled invocation was asked to do."""

    job: str | None
    """The schedule named by the event, if it names one."""
    scheduled_time: datetime | None
    """When the Scheduler fired (UTC), if the event says."""
    part_size: int | None = None
    """Repositories per part of a slot, if the event sets it."""


def scheduled_event(event: object, *, expected_job: str) -> ScheduledEvent:
    """Read a scheduled function's event.

    Raises:
        InvalidEvent: not a JSON object; a job that is not ``expected_job``; a time that is not
            ISO 8601 with an offset (or a Scheduler placeholder left unfilled); a bad part size.
    """
    if not isinstance(event, Mapping):
        raise InvalidEvent(
            f"the event must be a JSON object such as "
            f'{{"job": "{expected_job}", "scheduled_time": "2026-12-03T11:00:00Z"}}, '
            f"not {type(event).__name__}"
        )
    job = event.get("job", event.get("schedule"))
    if job is not None and job != expected_job:
        raise InvalidEvent(
            f"this function runs {expected_job!r}, but the event names {job!r}: "
            "is the schedule wired to the wrong function?"
        )
    return ScheduledEvent(
        job=job,
        scheduled_time=_time_of(event),
        part_size=_part_size_of(event),
    )


def _time_of(event: Mapping[str, Any]) -> datetime | None:
    key = "scheduled_time" if "scheduled_time" in event else "time"
    text = event.get(key)
    if text is None:
        return None
    if not isinstance(text, str):
        raise InvalidEvent(f"{key!r} must be an ISO 8601 time such as 2026-12-03T11:00:00Z")
    if text.startswith(_UNFILLED):
        raise InvalidEvent(
            f"{key!r} is the placeholder {text!r}: only EventBridge Scheduler fills it in; "
            "give a time such as 2026-12-03T11:00:00Z to invoke the function by hand"
        )
    try:
        moment = datetime.fromisoformat(text)
        return utc(moment)
    except ValueError:
        raise InvalidEvent(
            f"{key!r} is {text!r}, not an ISO 8601 time with an offset such as 2026-12-03T11:00:00Z"
        ) from None


def _part_size_of(event: Mapping[str, Any]) -> int | None:
    size = event.get("part_size")
    if size is None:
        return None
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= _MAX_PART_SIZE:
        raise InvalidEvent(f"'part_size' must be a whole number from 1 to {_MAX_PART_SIZE:,}")
    return size


def http_api_event_problem(event: object) -> str | None:
    """Why ``event`` is not an API Gateway HTTP API request (payload 2.0); ``None`` if it is."""
    if not isinstance(event, Mapping):
        return f"the event is {type(event).__name__}, not a JSON object"
    if event.get("version") != "2.0":
        return (
            f"the event's version is {event.get('version')!r}: this function takes API Gateway "
            'HTTP API events, payload format "2.0"'
        )
    context = event.get("requestContext")
    http = context.get("http") if isinstance(context, Mapping) else None
    if not isinstance(http, Mapping):
        return "the event has no requestContext.http (method, path, sourceIp)"
    for key in ("method", "path", "sourceIp"):
        if not isinstance(http.get(key), str):
            return f"the event's requestContext.http.{key} is missing or not a string"
    expected: tuple[tuple[str, type | tuple[type, ...]], ...] = (
        ("rawPath", str),
        ("rawQueryString", str),
        ("headers", Mapping),
        ("cookies", list),
        ("body", str),
        ("isBase64Encoded", bool),
    )
    for key, kind in expected:
        if key in event and event[key] is not None and not isinstance(event[key], kind):
            return f"the event's {key} has the wrong type ({type(event[key]).__name__})"
    headers = event.get("headers") or {}
    if not all(isinstance(value, str) for value in headers.values()):
        return "the event's headers must all be strings"
    return None


def problem_response(status: int, detail: str) -> dict[str, Any]:
    """An API Gateway (payload 2.0) response whose body is the API's problem+json shape."""
    body = {
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "parameter": None,
    }
    return {
        "statusCode": status,
        "headers": {"content-type": PROBLEM_MEDIA_TYPE},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }
