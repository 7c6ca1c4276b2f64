"""Log output: text or JSON lines on stderr, context fields, secrets redacted.

:func:`configure_logging` installs one handler on the root logger (the CLI calls it once
settings are loaded). Every module logs with ``logging.getLogger(__name__)`` as usual;
:func:`log_context` binds fields (run id, job, repository …) to everything logged inside it,
including tasks and worker threads started there: the fields live in a :mod:`contextvars`
variable, which anyio copies into each new task and worker thread.

In JSON, each record is one object on one line::

    {"time": "2026-05-01T06:50:00.123+00:00", "level": "INFO",
     "logger": "ossgrowth.collect.collection", "message": "collection run 7 succeeded …",
     "run_id": 7, "job": "collect", "duration_s": 4.2}

Both formats go through :class:`RedactSecrets`: the configured tokens and passwords, and
anything shaped like a GitHub token or an ``Authorization`` credential, become ``***`` in the
message, its arguments, ``extra=`` fields, exceptions and stack traces.
"""

from __future__ import annotations

import enum
import logging
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TextIO

import orjson

if TYPE_CHECKING:
    from ossgrowth.model import Run

__all__ = [
    "MASK",
    "ContextFields",
    "JsonFormatter",
    "LogFormat",
    "RedactSecrets",
    "configure_logging",
    "log_context",
    "log_run_finished",
]

MASK = "***"

TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"

_CHATTY_LOGGERS = ("alembic", "httpx")
"""One line per request or migration step: shown at DEBUG only."""

_SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
"""uvicorn's own loggers; they go through the root handler like every other."""

_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", (), None)).keys()
    | {"message", "asctime", "taskName"}
)
"""What every record has; anything else on a record came from ``extra=`` or a context."""

_NOT_FIELDS = frozenset({"color_message"})
"""Extras that repeat the message for terminals (uvicorn's ANSI-coloured copy)."""

_GITHUB_TOKEN = re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]+|github_pat_[A-Za-z0-9_]+)")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
_AUTHORIZATION = re.compile(
    r"""(?ix)
    (\bauthorization['"]?\s*[:=,]\s*b?['"]?   # authorization: / authorization= / ('authorization',
    (?:token|basic|bearer)?\s*)               # an optional scheme
    [^\s'",;)}\]]+                            # the credential
    """
)

_CONTEXT: ContextVar[Mapping[str, object]] = ContextVar(
    "ossgrowth_log_context", default=MappingProxyType({})
)


class LogFormat(enum.StrEnum):
    """How log records are written: ``text`` for people, ``json`` (one object a line) for tools."""

    TEXT = "text"
    JSON = "json"


@contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """Add ``fields`` to every record logged inside the block; ``None`` values are left out.

    Nested blocks add to (and may override) the outer fields. Tasks and worker threads started
    inside the block carry the fields too.

    Example: ``with log_context(run_id=run.id, job="collect"): ...``

    Raises:
        ValueError: a field named like an attribute every log record has (``name``, ``msg`` …).
    """
    clashing = sorted(set(fields) & _RECORD_ATTRIBUTES)
    if clashing:
        raise ValueError(f"log context fields {clashing} clash with log record attributes")
    bound = {name: value for name, value in fields.items() if value is not None}
    token = _CONTEXT.set(MappingProxyType({**_CONTEXT.get(), **bound}))
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class ContextFields(logging.Filter):
    """Copies the fields bound by :func:`log_context` onto each record; ``extra=`` wins."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _CONTEXT.get().items():
            if name not in record.__dict__:
                setattr(record, name, value)
        return True


class RedactSecrets(logging.Filter):
    """Replaces secrets with ``***`` in a record's message, arguments, extras and traceback.

    The message is rendered with its arguments first, so a secret cannot come back through
    ``%s``. Secrets are the ``secrets`` given (configured tokens and passwords) and anything
    shaped like a GitHub token (``ghp_``, ``gho_``, ``ghu_``, ``ghs_``, ``ghr_``,
    ``github_pat_``) or an ``Authorization`` / ``Bearer`` credential.

    Args:
        secrets: exact values to hide wherever they appear; empty values are ignored.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        text = _GITHUB_TOKEN.sub(MASK, text)
        text = _BEARER.sub(rf"\1{MASK}", text)
        return _AUTHORIZATION.sub(rf"\1{MASK}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # arguments that do not fit the message
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = self.redact(message), ()
        for name, value in list(record.__dict__.items()):
            if name not in _RECORD_ATTRIBUTES:
                setattr(record, name, self._redact_value(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True

    def _redact_value(self, value: object) -> object:
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, Mapping):
            return {str(key): self._redact_value(item) for key, item in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self._redact_value(item) for item in value]
        return self.redact(str(value))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message, then every field.

    Fields are the record's context (:func:`log_context`) and ``extra=`` values; an exception
    is the text of its traceback in ``exc``, a stack in ``stack``.
    """

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in record.__dict__.items():
            if name not in _RECORD_ATTRIBUTES and name not in _NOT_FIELDS:
                payload.setdefault(name, value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            payload["exc"] = record.exc_text
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(payload, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to ``sys.stderr`` as it is when a record comes, not as it was at start."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(
    level: str, log_format: LogFormat = LogFormat.TEXT, *, secrets: Iterable[str] = ()
) -> logging.Handler:
    """Log records of ``level`` and above to stderr, as text or JSON lines, secrets redacted.

    Replaces the handler an earlier call installed; handlers installed by others stay. uvicorn's
    loggers are routed through this handler too. HTTP requests (httpx) and migration steps
    (alembic) are logged at DEBUG only.

    Args:
        level: ``DEBUG``, ``INFO``, ``WARNING``, ``ERROR`` or ``CRITICAL``.
        log_format: text (``LEVEL logger: message``) or JSON lines.
        secrets: values never to write (configured tokens and passwords).

    Returns:
        The handler installed on the root logger.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _StderrHandler):
            root.removeHandler(handler)
            handler.close()
    handler = _StderrHandler()
    handler.setFormatter(
        JsonFormatter() if log_format is LogFormat.JSON else logging.Formatter(TEXT_FORMAT)
    )
    handler.addFilter(ContextFields())
    handler.addFilter(RedactSecrets(secrets))
    root.addHandler(handler)
    root.setLevel(level)
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
    for name in _SERVER_LOGGERS:
        server_logger = logging.getLogger(name)
        for own in list(server_logger.handlers):
            server_logger.removeHandler(own)
        server_logger.propagate = True
    return handler


def log_run_finished(logger: logging.Logger, run: Run) -> None:
    """Log at INFO that ``run`` ended: its status, duration and counts, as fields too.

    Example line: ``run 7 (collect) succeeded in 4.2 s: 120 requests``, with the fields
    ``run_id``, ``job``, ``status``, ``duration_s``, ``requests`` and each of ``run.counts``.
    """
    duration_s = (
        round((run.finished_at - run.started_at).total_seconds(), 3) if run.finished_at else None
    )
    with log_context(run_id=run.id, job=run.job):
        logger.info(
            "run %s (%s) %s in %.1f s: %d requests",
            run.id,
            run.job,
            run.status.value,
            duration_s or 0.0,
            run.requests_spent,
            extra={
                "status": run.status.value,
                "duration_s": duration_s,
                "requests": run.requests_spent,
                **run.counts,
            },
        )
