"""Reading fields out of parsed JSON, each failure one line naming the service and the field.

Clients parse answers into frozen dataclasses right away; these helpers keep the narrowing from
``object`` typed (mypy strict) and the messages uniform.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from ossgrowth.clock import utc
from ossgrowth.errors import SourceError

__all__ = [
    "UnexpectedAnswer",
    "as_date",
    "as_epoch_seconds",
    "as_int",
    "as_list",
    "as_object",
    "as_str",
    "as_timestamp",
    "field",
]


class UnexpectedAnswer(SourceError):
    """An upstream answer parsed as JSON but did not have the expected shape."""


def as_object(value: object, what: str) -> Mapping[str, object]:
    """``value`` as a JSON object."""
    if not isinstance(value, Mapping):
        raise UnexpectedAnswer(f"{what} is not a JSON object")
    return value


def as_list(value: object, what: str) -> Sequence[object]:
    """``value`` as a JSON array."""
    if not isinstance(value, list):
        raise UnexpectedAnswer(f"{what} is not a JSON array")
    return value


def field(mapping: Mapping[str, object], key: str, what: str) -> object:
    """``mapping[key]``, which must be present (it may be null)."""
    if key not in mapping:
        raise UnexpectedAnswer(f"{what} has no {key!r}")
    return mapping[key]


def as_int(value: object, what: str) -> int:
    """``value`` as a non-negative integer count."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UnexpectedAnswer(f"{what} is not a count: {str(value)[:40]!r}")
    return value


def as_str(value: object, what: str) -> str:
    """``value`` as a non-empty string."""
    if not isinstance(value, str) or not value:
        raise UnexpectedAnswer(f"{what} is not a non-empty string")
    return value


def as_date(value: object, what: str) -> date:
    """``value`` as an ISO ``YYYY-MM-DD`` date."""
    try:
        return date.fromisoformat(as_str(value, what))
    except ValueError:
        raise UnexpectedAnswer(f"{what} is not a YYYY-MM-DD date: {str(value)[:40]!r}") from None


def as_epoch_seconds(value: object, what: str) -> int:
    """``value`` as an ISO 8601 timestamp with a zone (``Z`` accepted), in epoch seconds.

    The form for long lists of timestamps: no UTC datetime is built on the way.
    """
    text = as_str(value, what)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise UnexpectedAnswer(f"{what} is not a timestamp with a zone: {text[:40]!r}")
    return int(moment.timestamp())


def as_timestamp(value: object, what: str) -> datetime:
    """``value`` as an ISO 8601 timestamp with a zone (``Z`` accepted), in UTC."""
    text = as_str(value, what)
    try:
        return utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        raise UnexpectedAnswer(f"{what} is not a timestamp with a zone: {text[:40]!r}") from None
