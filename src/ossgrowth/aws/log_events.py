"""A function's CloudWatch Logs, read and followed, its JSON lines shown for people.

Every function writes JSON lines (``time``, ``level``, ``message``, ``run_id``,
``aws_request_id``, ``exc`` …; docs/aws.md), and the Lambda runtime adds its own text lines
(``START``, ``END``, ``REPORT``). :class:`LogLine` reads either; :meth:`LogLine.render` shows
one as ``2026-12-03 01:31:10 PST INFO    message (run 1, request 60116b04)`` in a time zone,
a traceback indented below it.

:class:`LogReader` reads a log group with ``filter_log_events`` (every page, an optional
CloudWatch filter pattern). :func:`tail_log` prints what a group holds since a moment and, to
follow it, polls again every few seconds: each poll reads again the last
:data:`LATE_SECONDS` (CloudWatch may take in an event after later ones) and shows each event
once. The clock and the sleep are injected.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from ossgrowth.aws.deployment import aws_call
from ossgrowth.clock import Clock
from ossgrowth.errors import InputError

__all__ = [
    "DEFAULT_POLL_SECONDS",
    "LATE_SECONDS",
    "LogFunction",
    "LogLine",
    "LogReader",
    "LogTail",
    "parse_since",
    "tail_log",
]

DEFAULT_POLL_SECONDS = 5.0
"""How often a followed log is read again (CloudWatch allows a few reads a second)."""
LATE_SECONDS = 60
"""How far back each poll reads again, for events CloudWatch takes in late."""
_SINCE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_LEVEL_WIDTH = 7
_REQUEST_ID_SHOWN = 8


class LogFunction(enum.StrEnum):
    """The functions whose logs can be read, by the names the command takes."""

    API = "api"
    COLLECT_STARS = "collect-stars"
    COLLECT_ACTIVITY = "collect-activity"
    COLLECT_DOWNLOADS = "collect-downloads"
    BACKFILLS = "backfills"
    DELIVERIES = "deliveries"

    @property
    def function(self) -> str:
        """The function's name in the stack (after ``ossgrowth-{env}-``)."""
        if self is LogFunction.BACKFILLS:
            return "run-backfills"
        if self is LogFunction.DELIVERIES:
            return "deliver-alerts"
        return self.value


def parse_since(text: str) -> timedelta:
    """``90s``, ``15m``, ``1h``, ``2d``, ``1w`` as a duration.

    Raises:
        InputError: not a whole number and one of the units s, m, h, d, w.
    """
    matched = _SINCE.match(text)
    if matched is None or int(matched.group(1)) == 0:
        raise InputError(f"--since {text!r}: give a duration such as 90s, 15m, 1h, 2d or 1w")
    return timedelta(seconds=int(matched.group(1)) * _UNIT_SECONDS[matched.group(2)])


@dataclass(frozen=True, slots=True)
class LogLine:
    """One log event, read: a function's JSON line, or a text line (``level`` ``None``)."""

    at: datetime
    level: str | None
    message: str
    run_id: str | None = None
    request_id: str | None = None
    detail: str | None = None
    """A traceback (the JSON line's ``exc``), shown below the line."""

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> LogLine:
        """Read an event of ``filter_log_events`` (``timestamp`` in ms, ``message``)."""
        received = datetime.fromtimestamp(int(event.get("timestamp", 0)) / 1000, UTC)
        text = str(event.get("message", "")).rstrip("\n")
        document = _json_object(text)
        if document is None or not isinstance(document.get("message"), str):
            return cls(at=received, level=None, message=text.replace("\t", "  ").strip())
        return cls(
            at=_time_of(document.get("time")) or received,
            level=str(document.get("level") or "") or None,
            message=document["message"],
            run_id=_text_of(document.get("run_id")),
            request_id=_text_of(document.get("aws_request_id")),
            detail=_text_of(document.get("exc")),
        )

    def render(self, zone: tzinfo) -> str:
        """The line for a terminal, its time in ``zone`` (to the second)."""
        when = self.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")
        level = (self.level or "").ljust(_LEVEL_WIDTH)
        context = []
        if self.run_id is not None:
            context.append(f"run {self.run_id}")
        if self.request_id is not None:
            context.append(f"request {self.request_id[:_REQUEST_ID_SHOWN]}")
        line = f"{when} {level} {self.message}"
        if context:
            line += f" ({', '.join(context)})"
        if self.detail:
            line += "\n" + "\n".join(f"    {row}" for row in self.detail.splitlines())
        return line


def _json_object(text: str) -> dict[str, Any] | None:
    if not text.startswith("{"):
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _time_of(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _text_of(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


class LogReader:
    """The events of one log group, read with ``filter_log_events``.

    Args:
        client: a boto3 ``logs`` client.
        group: the log group's name.
        pattern: a CloudWatch Logs filter pattern (``ERROR``, ``"a phrase"``,
            ``{ $.level = "ERROR" }``); ``None`` for every event.
    """

    def __init__(self, client: Any, group: str, pattern: str | None = None) -> None:
        self._client = client
        self.group = group
        self._pattern = pattern

    def events(self, start: datetime) -> list[dict[str, Any]]:
        """Every event at or after ``start``, all pages, in time order.

        Raises:
            AwsError: the log group does not exist, or CloudWatch refused or did not answer.
        """
        request: dict[str, Any] = {
            "logGroupName": self.group,
            "startTime": int(start.timestamp() * 1000),
        }
        if self._pattern:
            request["filterPattern"] = self._pattern
        found: list[dict[str, Any]] = []
        with aws_call(f"reading log group {self.group}"):
            while True:
                page = self._client.filter_log_events(**request)
                found.extend(page.get("events", []))
                token = page.get("nextToken")
                if not token or token == request.get("nextToken"):
                    break
                request["nextToken"] = token
        return sorted(found, key=lambda event: int(event.get("timestamp", 0)))


class LogTail:
    """What is new in a log group at each :meth:`poll`: every event once, in time order."""

    def __init__(self, reader: LogReader, start: datetime) -> None:
        self._reader = reader
        self._start = start
        self._newest = start
        self._seen: dict[tuple[str, str], datetime] = {}

    def poll(self) -> list[LogLine]:
        """The events not shown yet, from the start (first poll) or the last
        :data:`LATE_SECONDS` before the newest shown."""
        since = max(self._start, self._newest - timedelta(seconds=LATE_SECONDS))
        fresh: list[LogLine] = []
        for event in self._reader.events(since):
            key = (str(event.get("logStreamName", "")), str(event.get("eventId", "")))
            if key in self._seen:
                continue
            at = datetime.fromtimestamp(int(event.get("timestamp", 0)) / 1000, UTC)
            self._seen[key] = at
            self._newest = max(self._newest, at)
            fresh.append(LogLine.from_event(event))
        horizon = self._newest - timedelta(seconds=2 * LATE_SECONDS)
        self._seen = {key: at for key, at in self._seen.items() if at >= horizon}
        return fresh


def tail_log(
    reader: LogReader,
    *,
    since: timedelta,
    clock: Clock,
    emit: Callable[[Iterable[LogLine]], None],
    follow: bool = False,
    sleep: Callable[[float], None],
    poll_seconds: float = DEFAULT_POLL_SECONDS,
    polls: int | None = None,
) -> None:
    """Hand ``emit`` the events of the last ``since``; with ``follow``, then what comes,
    every ``poll_seconds``, ``polls`` times (``None``: until interrupted).

    Raises:
        AwsError: as :meth:`LogReader.events`.
    """
    tail = LogTail(reader, clock.now() - since)
    emit(tail.poll())
    done = 0
    while follow and (polls is None or done < polls):
        sleep(poll_seconds)
        emit(tail.poll())
        done += 1
