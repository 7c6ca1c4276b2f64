"""What a download total covers: since the package's first day, or only since a window began.

npm keeps every day since 2015-01-10, so a reconstructed npm total counts every download. PyPI
stats keeps only the last 180 days: a total reconstructed from it (source
:data:`PYPI_WINDOW_SOURCE`) counts from the first day of that window and must never be shown
as all-time. These functions find that day in a series' rows, so the API can say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from ossgrowth.metrics.history import day_of

__all__ = [
    "PYPI_WINDOW_SOURCE",
    "WINDOWED_TOTAL_SOURCES",
    "total_counted_from",
    "total_note",
    "total_notes",
    "window_start",
]

PYPI_WINDOW_SOURCE = "pypistats-180d"
"""Source label of download points reconstructed from PyPI stats' 180-day window."""

WINDOWED_TOTAL_SOURCES: Mapping[str, str] = MappingProxyType(
    {PYPI_WINDOW_SOURCE: "PyPI stats keeps only the last 180 days"}
)
"""Sources whose totals start at a window, and why."""


def total_counted_from(rows: Iterable[Sequence[Any]]) -> date | None:
    """The first day the totals of ``rows`` count, if a windowed source gave any of them.

    ``rows`` are a series' store rows in time order (epoch seconds first, source last). A
    download point is stamped at the end of its day, so its window began the day before the
    first windowed point. ``None``: every total counts from the package's first day.
    """
    for row in rows:
        if row[-1] in WINDOWED_TOTAL_SOURCES:
            return window_start(row[0])
    return None


def window_start(first_windowed_at: int) -> date:
    """The first day counted by totals whose first windowed point is at ``first_windowed_at``."""
    return day_of(first_windowed_at) - timedelta(days=1)


def total_note(since: date, source: str = PYPI_WINDOW_SOURCE) -> str:
    """What a reader must be told about totals counted from ``since``."""
    why = WINDOWED_TOTAL_SOURCES[source]
    return f"total_downloads counts downloads from {since.isoformat()} on, not all-time: {why}"


def total_notes(since: date | None) -> list[str]:
    """The notes an answer carries: one when totals count from ``since``, none when all-time."""
    return [] if since is None else [total_note(since)]
