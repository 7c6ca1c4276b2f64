"""Series for display: interval aggregation per field kind (downsampling: :mod:`.rollups`).

Rows are the store's ``(epoch_seconds, *field values, provenance rank, source)``. A missing
observation is a gap, never a zero: an interval with no observation comes out as a *gap row*
``(bucket start, None, …, None)`` — every field, the provenance and the source are ``None``.

Aggregation of one interval, per :class:`~ossgrowth.metrics.registry.FieldKind`:

- ``COUNT`` (a level, e.g. ``star_count``): the last value observed in the interval;
- ``WINDOW`` (an amount over a trailing window, e.g. ``weekly_downloads``): the last value too,
  as the windows of neighbouring observations overlap (a sum of daily weekly sums would count
  each day seven times); a ``week`` interval of daily points thus holds that week's downloads;
- ``RATIO``: recomputed from the interval's aggregated counts, never averaged.

The aggregated row's provenance is the weakest of its inputs (an interval holding one estimated
point is estimated) and its source is that of the interval's last point. Intervals are UTC:
``3h`` starts at 00:00, 03:00 …; ``day`` at midnight; ``week`` on Monday; ``month`` on the 1st.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from ossgrowth.metrics.ratios import safe_ratio
from ossgrowth.metrics.registry import FAMILIES, Family, FieldKind

__all__ = [
    "CADENCE_INTERVALS",
    "RATIO_PARTS",
    "Interval",
    "aggregate",
    "bucket_start",
    "is_gap",
    "next_bucket_start",
]

Row = tuple[Any, ...]

RATIO_PARTS: Mapping[tuple[Family, str], tuple[str, str]] = MappingProxyType(
    {
        (family, field.name): field.ratio_of
        for family, row in FAMILIES.items()
        for field in row.fields
        if field.ratio_of is not None
    }
)
"""(numerator, divisor) of each ratio field, by family and field (from the registry)."""

_WITH_RATIOS = frozenset(family for family, _ in RATIO_PARTS)
_THREE_HOURS_SECONDS = 3 * 3600
_DAY_SECONDS = 86400
_MONDAY_EPOCH_OFFSET_SECONDS = 3 * _DAY_SECONDS
"""1970-01-01 was a Thursday; weeks start on Monday."""


class Interval(enum.StrEnum):
    """How finely a series is returned: as observed, or aggregated per UTC interval."""

    RAW = "raw"
    THREE_HOURS = "3h"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


CADENCE_INTERVALS: Mapping[Family, Interval] = MappingProxyType(
    {family: Interval(row.cadence.interval) for family, row in FAMILIES.items()}
)
"""The interval of each family's collection schedule: aggregating to it turns each missed
collection into a gap row, which is how charts show missing data."""


def bucket_start(epoch_seconds: int, interval: Interval) -> int:
    """The start (epoch seconds, UTC) of the interval holding ``epoch_seconds``."""
    if interval is Interval.RAW:
        return epoch_seconds
    if interval is Interval.THREE_HOURS:
        return epoch_seconds - epoch_seconds % _THREE_HOURS_SECONDS
    if interval is Interval.DAY:
        return epoch_seconds - epoch_seconds % _DAY_SECONDS
    if interval is Interval.WEEK:
        shifted = epoch_seconds + _MONDAY_EPOCH_OFFSET_SECONDS
        return epoch_seconds - shifted % (7 * _DAY_SECONDS)
    moment = datetime.fromtimestamp(epoch_seconds, UTC)
    return int(datetime(moment.year, moment.month, 1, tzinfo=UTC).timestamp())


def next_bucket_start(start: int, interval: Interval) -> int:
    """The start of the interval after the one starting at ``start``."""
    if interval is Interval.THREE_HOURS:
        return start + _THREE_HOURS_SECONDS
    if interval is Interval.DAY:
        return start + _DAY_SECONDS
    if interval is Interval.WEEK:
        return start + 7 * _DAY_SECONDS
    if interval is Interval.MONTH:
        moment = datetime.fromtimestamp(start, UTC)
        year, month = (
            (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
        )
        return int(datetime(year, month, 1, tzinfo=UTC).timestamp())
    raise ValueError("raw rows have no intervals")


def is_gap(row: Row) -> bool:
    """True for a gap row: nothing was observed there."""
    return row[-2] is None


def aggregate(rows: Sequence[Row], family: Family, interval: Interval) -> list[Row]:
    """Aggregate time-ordered rows of ``family`` into ``interval`` rows, gaps included.

    Args:
        rows: the store's rows, oldest first.
        family: whose fields (and their kinds) the rows hold.
        interval: the interval; ``raw`` returns the rows unchanged.

    Returns:
        One row per interval from the first observed to the last, stamped with the interval's
        start; intervals with no observation are gap rows.
    """
    if interval is Interval.RAW or not rows:
        return list(rows)
    width = len(FAMILIES[family].field_names)
    fixed = _FIXED_WIDTHS.get(interval)
    if fixed is not None:
        return _aggregate_fixed(rows, family, width, *fixed)
    result: list[Row] = []
    current = bucket_start(rows[0][0], interval)
    members: list[Row] = []
    for row in rows:
        start = bucket_start(row[0], interval)
        if start != current:
            result.append(_combine(current, members, family))
            current = next_bucket_start(current, interval)
            while current < start:
                result.append((current, *([None] * (width + 2))))
                current = next_bucket_start(current, interval)
            members = []
        members.append(row)
    result.append(_combine(current, members, family))
    return result


_FIXED_WIDTHS: Mapping[Interval, tuple[int, int]] = MappingProxyType(
    {
        Interval.THREE_HOURS: (_THREE_HOURS_SECONDS, 0),
        Interval.DAY: (_DAY_SECONDS, 0),
        Interval.WEEK: (7 * _DAY_SECONDS, _MONDAY_EPOCH_OFFSET_SECONDS),
    }
)
"""(length, offset) in seconds of the intervals of one length: a bucket starts at
``t - (t + offset) % length``."""


def _aggregate_fixed(
    rows: Sequence[Row], family: Family, width: int, length: int, offset: int
) -> list[Row]:
    """:func:`aggregate` for intervals of one length: the same rows with arithmetic inline
    (series reads aggregate every raw stretch they show, so this loop is hot)."""
    gap_tail = (None,) * (width + 2)
    recompute = family in _WITH_RATIOS
    result: list[Row] = []
    first = rows[0][0]
    current = first - (first + offset) % length
    members: list[Row] = []
    for row in rows:
        moment = row[0]
        start = moment - (moment + offset) % length
        if start != current:
            if len(members) == 1 and not recompute:
                result.append((current, *members[0][1:]))
            else:
                result.append(_combine(current, members, family))
            for empty in range(current + length, start, length):
                result.append((empty, *gap_tail))
            current = start
            members = [row]
        else:
            members.append(row)
    result.append(_combine(current, members, family))
    return result


def _combine(start: int, members: Sequence[Row], family: Family) -> Row:
    definition = FAMILIES[family]
    if len(members) == 1 and family not in _WITH_RATIOS:
        return (start, *members[0][1:])  # one observation, nothing to recompute: the common case
    values: dict[str, Any] = {}
    for index, field in enumerate(definition.fields, start=1):
        observed = [row[index] for row in members if row[index] is not None]
        if field.kind is not FieldKind.RATIO:
            values[field.name] = observed[-1] if observed else None
    for field in definition.fields:
        if field.kind is FieldKind.RATIO:
            numerator, divisor = RATIO_PARTS[(family, field.name)]
            values[field.name] = safe_ratio(values[numerator], values[divisor])
    provenance = min(row[-2] for row in members)
    return (start, *(values[name] for name in definition.field_names), provenance, members[-1][-1])
