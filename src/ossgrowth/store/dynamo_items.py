"""How the DynamoDB store writes values into items and reads them back. Pure.

Times are ISO-8601 UTC strings (``2026-01-01T00:00:00Z``): the seed's sort key, and a time
range is one key range because they sort as the moments do. Numbers are DynamoDB numbers; a
float DynamoDB cannot hold (beyond its 1e-130…1e125 range) is kept as its exact text.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ossgrowth.model import Value

__all__ = [
    "EARLIEST_ISO",
    "LATEST_ISO",
    "Item",
    "epoch_of",
    "iso",
    "iso_bound",
    "number",
    "read_number",
    "read_row",
    "row_text",
    "text",
    "value_of",
]

Item = dict[str, dict[str, Any]]

EARLIEST_ISO = "0000-01-01T00:00:00Z"
"""Before every moment a key holds."""
LATEST_ISO = "9999-12-31T23:59:59Z"
"""After every moment a key holds."""
_SMALLEST = 1e-130
_LARGEST = 9.9999999999999999e125


def iso(epoch_seconds: int) -> str:
    """The sort-key form of a moment."""
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_bound(epoch_seconds: int) -> str:
    """A moment as a query bound: moments no key can hold become the first or last string."""
    if epoch_seconds < -62_135_596_800:  # before year 1
        return EARLIEST_ISO
    if epoch_seconds > 253_402_300_799:  # after year 9999
        return LATEST_ISO
    return iso(epoch_seconds)


def epoch_of(text_value: str) -> int:
    """The epoch seconds of a sort-key moment."""
    return int(datetime.strptime(text_value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def text(value: str) -> dict[str, Any]:
    return {"S": value}


def number(value: int | float) -> dict[str, Any]:
    return {"N": str(value)}


def value_of(value: Value) -> dict[str, Any]:
    """A field value: a number, null, or (a float out of DynamoDB's range) its text."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, float) and value != 0 and not _SMALLEST <= abs(value) <= _LARGEST:
        return {"S": repr(value)}
    return {"N": repr(value) if isinstance(value, float) else str(value)}


def read_number(attribute: dict[str, Any] | None) -> Value:
    """A field value back: an int when it was written as one, else a float; ``None`` for
    null or absent."""
    if attribute is None or "NULL" in attribute:
        return None
    if "S" in attribute:
        return float(attribute["S"])
    raw = attribute["N"]
    if any(mark in raw for mark in ".eEnN"):
        return float(raw)
    return int(raw)


def row_text(row: tuple[Any, ...]) -> str:
    """A rollup row's values after its moment (fields, provenance, source) as JSON text."""
    return json.dumps(row[1:], separators=(",", ":"))


def read_row(moment: str, packed: str) -> tuple[Any, ...]:
    return (epoch_of(moment), *json.loads(packed))
