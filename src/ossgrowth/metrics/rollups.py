"""Downsampling by time, and the rollups that answer it without reading every point. Pure.

A series shown at an interval (``raw``, ``3h``, ``day``, ``week``, ``month``) is a list of rows:
the raw points, or one aggregated row per interval *unit* with gap rows where nothing was
observed (:func:`~ossgrowth.metrics.resample.aggregate`). When it holds more than
``max_points`` rows it is **downsampled**: the finest *run level* of the interval's ladder
whose runs (aligned stretches of time, e.g. weeks) number at most ``max_points // 3`` cuts it
into runs, and each run keeps its lowest and its highest row (by the first field; the earliest
of equals) and its first row without a value (a gap), in time order. With ``max_points`` 2 a run
keeps only its extremes. When no level of the ladder has few enough runs, the whole range is
one run. :func:`downsample` is that definition, on rows in memory.

**Rollups** make it cheap. For each series, each interval (its *base*) and each level of the
base's ladder, a store keeps, per run-sized *node*, the rows that node keeps (tagged with
:data:`LOW`, :data:`HIGH`, :data:`FIRST_GAP` roles) — at most three rows a node. Bases whose
units aggregate several points (``day``, ``week``, ``month``) also keep their aggregated rows
as level 0. A downsampled read then takes the nodes lying wholly inside the range from one
level (one index range) and builds the two partial runs at its ends from coarser-to-finer
nodes and the raw points of the first and last unit: :func:`plan_read` says what to read and
:func:`assemble` turns what was read into exactly the rows :func:`downsample` gives.

A node's gap is its first unit without an observation; at the ends of a series that unit lies
outside the series, but such a node is never read whole: only nodes between the range's first
and last observed unit are, and there every empty unit is a gap.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from types import MappingProxyType
from typing import Any

from ossgrowth.metrics.registry import Family
from ossgrowth.metrics.resample import Interval, aggregate, bucket_start, is_gap, next_bucket_start

__all__ = [
    "BASES",
    "FIRST_GAP",
    "HIGH",
    "LOW",
    "Base",
    "Level",
    "ReadPlan",
    "Segment",
    "SegmentKind",
    "assemble",
    "downsample",
    "keep_per_run",
    "node_rows",
    "plan_read",
    "series_rollups",
    "unit_rows",
]

Row = tuple[Any, ...]
"""``(epoch_seconds, *field values, provenance rank, source)``, as the store returns them."""
RoledRow = tuple[Row, int]
"""A rollup row and its roles (a mask of :data:`LOW`, :data:`HIGH`, :data:`FIRST_GAP`)."""

LOW = 1
HIGH = 2
FIRST_GAP = 4
VALUE_INDEX = 1
"""Extremes are taken on each family's first field (stars, open PRs, open issues, weekly
downloads)."""

_DAY = 86_400
_WEEK = 7 * _DAY
_MONDAY_OFFSET = 3 * _DAY
"""Week-based levels start on a Monday (1970-01-01 was a Thursday)."""


@dataclass(frozen=True, slots=True)
class Level:
    """Aligned stretches of time of one length: the runs of a downsampled series."""

    name: str
    step_seconds: int
    """0 for calendar years."""
    offset_seconds: int = 0

    def start(self, epoch_seconds: int) -> int:
        """The start of the node holding ``epoch_seconds``."""
        if self.step_seconds == 0:
            year = datetime.fromtimestamp(epoch_seconds, UTC).year
            return int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
        shifted = epoch_seconds + self.offset_seconds
        return epoch_seconds - shifted % self.step_seconds

    def next(self, start: int) -> int:
        """The start of the node after the one starting at ``start``."""
        if self.step_seconds == 0:
            year = datetime.fromtimestamp(start, UTC).year
            return int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())
        return start + self.step_seconds

    def count(self, first: int, last: int) -> int:
        """How many nodes hold the moments from ``first`` to ``last``."""
        if self.step_seconds == 0:
            return (
                datetime.fromtimestamp(last, UTC).year - datetime.fromtimestamp(first, UTC).year + 1
            )
        return (self.start(last) - self.start(first)) // self.step_seconds + 1


DAY_LEVEL = Level("day", _DAY)
WEEK_LEVEL = Level("week", _WEEK, _MONDAY_OFFSET)
FOUR_WEEKS_LEVEL = Level("4 weeks", 4 * _WEEK, _MONDAY_OFFSET)
SIXTEEN_WEEKS_LEVEL = Level("16 weeks", 16 * _WEEK, _MONDAY_OFFSET)
SIXTY_FOUR_WEEKS_LEVEL = Level("64 weeks", 64 * _WEEK, _MONDAY_OFFSET)
TWO_FIFTY_SIX_WEEKS_LEVEL = Level("256 weeks", 256 * _WEEK, _MONDAY_OFFSET)
YEAR_LEVEL = Level("year", 0)


@dataclass(frozen=True, slots=True)
class Base:
    """An interval as rollups see it: its units, whether they aggregate, its ladder of runs."""

    interval: Interval
    code: int
    """Stored in the rollup tables' ``base`` column."""
    unit: Interval
    """The stretch rows are cut into before the ladder starts (``3h`` for raw rows)."""
    aggregated: bool
    """Rows are one aggregated row per unit (with gaps), not the raw points."""
    stored_units: bool
    """The aggregated unit rows are kept as level 0 (else they are read from the raw points)."""
    ladder: tuple[Level, ...]
    """Run levels, finest first; each node is a whole number of the previous level's."""

    def unit_start(self, epoch_seconds: int) -> int:
        return bucket_start(epoch_seconds, self.unit)

    def next_unit(self, start: int) -> int:
        return next_bucket_start(start, self.unit)

    def unit_count(self, first: int, last: int) -> int:
        """How many units hold the moments from ``first`` to ``last``."""
        if self.unit is Interval.MONTH:
            a = datetime.fromtimestamp(first, UTC)
            b = datetime.fromtimestamp(last, UTC)
            return (b.year - a.year) * 12 + b.month - a.month + 1
        start = self.unit_start(first)
        return (self.unit_start(last) - start) // (self.next_unit(start) - start) + 1

    def child_start(self, depth: int, epoch_seconds: int) -> int:
        """The start of the depth-``depth`` node holding a moment (0: its unit)."""
        if depth == 0:
            return self.unit_start(epoch_seconds)
        return self.ladder[depth - 1].start(epoch_seconds)

    def child_next(self, depth: int, start: int) -> int:
        if depth == 0:
            return self.next_unit(start)
        return self.ladder[depth - 1].next(start)


_DAY_UP = (
    DAY_LEVEL,
    WEEK_LEVEL,
    FOUR_WEEKS_LEVEL,
    SIXTEEN_WEEKS_LEVEL,
    SIXTY_FOUR_WEEKS_LEVEL,
    TWO_FIFTY_SIX_WEEKS_LEVEL,
)
BASES: Mapping[Interval, Base] = MappingProxyType(
    {
        Interval.RAW: Base(Interval.RAW, 0, Interval.THREE_HOURS, False, False, _DAY_UP),
        Interval.THREE_HOURS: Base(
            Interval.THREE_HOURS, 1, Interval.THREE_HOURS, True, False, _DAY_UP
        ),
        Interval.DAY: Base(Interval.DAY, 2, Interval.DAY, True, True, _DAY_UP[1:]),
        Interval.WEEK: Base(Interval.WEEK, 3, Interval.WEEK, True, True, _DAY_UP[2:]),
        Interval.MONTH: Base(Interval.MONTH, 4, Interval.MONTH, True, True, (YEAR_LEVEL,)),
    }
)
"""Every interval's rollup base. Depth 0 is the unit; depth ``d`` ≥ 1 is ``ladder[d - 1]``."""


def keep_per_run(max_points: int) -> int:
    """Rows a run may keep: lowest, highest and first gap (only the extremes when 2 fit)."""
    if max_points < 2:
        raise ValueError("max_points must be at least 2")
    return 3 if max_points >= 3 else 2


def choose_depth(base: Base, first: int, last: int, max_points: int) -> int | None:
    """The depth of the finest ladder level whose runs fit ``max_points``; ``None``: one run."""
    per_run = keep_per_run(max_points)
    for depth, level in enumerate(base.ladder, start=1):
        if level.count(first, last) * per_run <= max_points:
            return depth
    return None


def pick(candidates: Iterable[Row], *, keep_gap: bool = True) -> list[RoledRow]:
    """The lowest, highest and first value-less rows of ``candidates``, in time order.

    Ties go to the earliest row; a row holding several roles comes once with all of them.
    """
    lowest: Row | None = None
    highest: Row | None = None
    gap: Row | None = None
    for row in candidates:
        value = row[VALUE_INDEX]
        if value is None:
            if keep_gap and (gap is None or row[0] < gap[0]):
                gap = row
            continue
        if lowest is None or (value, row[0]) < (lowest[VALUE_INDEX], lowest[0]):
            lowest = row
        if (
            highest is None
            or (value > highest[VALUE_INDEX])
            or (value == highest[VALUE_INDEX] and row[0] < highest[0])
        ):
            highest = row
    roles: dict[int, list[Any]] = {}
    for chosen, role in ((lowest, LOW), (highest, HIGH), (gap, FIRST_GAP)):
        if chosen is not None:
            roles.setdefault(chosen[0], [chosen, 0])[1] |= role
    return [(kept, mask) for _, (kept, mask) in sorted(roles.items())]


def downsample(rows: Sequence[Row], interval: Interval, max_points: int) -> list[Row]:
    """The definition: ``rows`` (raw points or a gap-filled aggregate at ``interval``, oldest
    first) cut into the runs of the finest fitting level, each keeping its extremes and gap.

    Fewer rows than ``max_points`` come back unchanged.
    """
    per_run = keep_per_run(max_points)
    if len(rows) <= max_points:
        return list(rows)
    base = BASES[interval]
    depth = choose_depth(base, rows[0][0], rows[-1][0], max_points)
    runs: dict[int, list[Row]] = {}
    for row in rows:
        key = 0 if depth is None else base.ladder[depth - 1].start(row[0])
        runs.setdefault(key, []).append(row)
    kept: list[Row] = []
    for members in runs.values():
        kept.extend(row for row, _ in pick(members, keep_gap=per_run == 3))
    return kept


# ---------------------------------------------------------------------------------------------
# keeping rollups: what a store writes after points changed


def unit_rows(base: Base, raw_rows: Sequence[Row], family: Family) -> list[Row]:
    """The unit rows of ``raw_rows`` at ``base`` (no gap rows): aggregated, or raw as they are."""
    if not base.aggregated:
        return list(raw_rows)
    return [row for row in aggregate(raw_rows, family, base.unit) if not is_gap(row)]


def gap_row(start: int, width: int) -> Row:
    """A row with nothing observed, ``width`` fields wide."""
    return (start, *([None] * (width + 2)))


def with_empty(
    base: Base, depth: int, rows: Sequence[Row], start: int, end: int, width: int
) -> Iterator[Row]:
    """Candidates of depth-``depth`` nodes (or units) covering ``[start, end)``: their rows
    plus, for aggregated bases, a gap row for each node without any."""
    if not base.aggregated:
        yield from rows
        return
    holding = {base.child_start(depth, row[0]) for row in rows}
    yield from rows
    cursor = start
    while cursor < end:
        if cursor not in holding:
            yield gap_row(cursor, width)
        cursor = base.child_next(depth, cursor)


def node_rows(
    base: Base, depth: int, children: Sequence[Row], start: int, end: int, width: int
) -> list[RoledRow]:
    """The rollup rows of the depth-``depth`` nodes covering ``[start, end)`` from the rows of
    the level below over the same stretch (unit rows for depth 1)."""
    level = base.ladder[depth - 1]
    by_node: dict[int, list[Row]] = {}
    for row in with_empty(base, depth - 1, children, start, end, width):
        by_node.setdefault(level.start(row[0]), []).append(row)
    found: list[RoledRow] = []
    for node in sorted(by_node):
        if any(row[-2] is not None for row in by_node[node]):
            found.extend(pick(by_node[node]))
    return found


# ---------------------------------------------------------------------------------------------
# reading: which stretches to read at which depth, and how to put them together


class SegmentKind(enum.Enum):
    RAW = "raw"
    """Raw points in ``[start, end)`` (clipped to the asked range)."""
    UNITS = "units"
    """Unit rows: level 0 where it is kept, else the raw points (aggregated if the base is)."""
    NODES = "nodes"
    """Rollup rows of whole nodes at ``depth``."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One index range to read."""

    kind: SegmentKind
    start: int
    end: int
    """Exclusive."""
    depth: int = 0
    run: int | None = None
    """Which partial run these rows belong to (its node start); ``None``: whole nodes that are
    runs themselves."""


@dataclass(frozen=True, slots=True)
class ReadPlan:
    """What a downsampled read reads, and how its answer is put together."""

    base: Base
    per_run: int
    depth: int | None
    """The run level; ``None``: one run; ``-1``: not downsampled (every unit row)."""
    segments: tuple[Segment, ...]


def plan_read(
    base: Base, first: int, last: int, max_points: int, *, unit_rows_count: int | None = None
) -> ReadPlan:
    """Plan the read of a series whose range holds observations from ``first`` to ``last``.

    Args:
        base: the interval's base.
        first: the first observed moment in the asked range.
        last: the last observed moment in the asked range.
        max_points: at most this many rows.
        unit_rows_count: for raw rows, how many lie in the range (``max_points + 1`` or more
            when the store stopped counting); aggregated bases count units themselves.
    """
    per_run = keep_per_run(max_points)
    count = unit_rows_count if not base.aggregated else base.unit_count(first, last)
    if count is not None and count <= max_points:
        return ReadPlan(base, per_run, -1, _whole(base, first, last))
    depth = choose_depth(base, first, last, max_points)
    segments: list[Segment] = []
    if depth is None:
        segments.extend(_run(base, len(base.ladder) + 1, first, last, run=base.unit_start(first)))
        return ReadPlan(base, per_run, None, tuple(segments))
    level = base.ladder[depth - 1]
    head, tail = level.start(first), level.start(last)
    if head == tail:
        segments.extend(_run(base, depth, first, last, run=head))
    else:
        segments.extend(_run(base, depth, first, level.next(head) - 1, run=head))
        if level.next(head) < tail:
            segments.append(Segment(SegmentKind.NODES, level.next(head), tail, depth))
        segments.extend(_run(base, depth, tail, last, run=tail))
    return ReadPlan(base, per_run, depth, tuple(segments))


def _whole(base: Base, first: int, last: int) -> tuple[Segment, ...]:
    """Every unit row from ``first`` to ``last``: the cut end units from the raw points."""
    first_unit, last_unit = base.unit_start(first), base.unit_start(last)
    if first_unit == last_unit or not base.aggregated:
        return (Segment(SegmentKind.RAW, first, last + 1),)
    middle = base.next_unit(first_unit)
    segments = [Segment(SegmentKind.RAW, first, middle)]
    if middle < last_unit:
        segments.append(Segment(SegmentKind.UNITS, middle, last_unit))
    segments.append(Segment(SegmentKind.RAW, last_unit, last + 1))
    return tuple(segments)


def _run(base: Base, depth: int, first: int, last: int, *, run: int) -> list[Segment]:
    """Segments covering the part ``[first, last]`` of one run with nodes finer than ``depth``:
    the first and last unit from the raw points, whole nodes between."""
    first_unit, last_unit = base.unit_start(first), base.unit_start(last)
    if first_unit == last_unit:
        return [Segment(SegmentKind.RAW, first, last + 1, run=run)]
    middle_start = base.next_unit(first_unit)
    segments = [Segment(SegmentKind.RAW, first, middle_start, run=run)]
    segments.extend(_cover(base, depth, middle_start, last_unit, run))
    segments.append(Segment(SegmentKind.RAW, last_unit, last + 1, run=run))
    return segments


def _cover(base: Base, below: int, start: int, end: int, run: int) -> list[Segment]:
    """The coarsest whole nodes shallower than ``below`` tiling ``[start, end)`` (unit-aligned),
    consecutive ones of one depth merged into one segment."""
    pieces: list[tuple[int, int, int]] = []
    cursor = start
    while cursor < end:
        chosen_depth, chosen_end = 0, base.next_unit(cursor)
        for depth in range(min(below - 1, len(base.ladder)), 0, -1):
            level = base.ladder[depth - 1]
            if level.start(cursor) == cursor and level.next(cursor) <= end:
                chosen_depth, chosen_end = depth, level.next(cursor)
                break
        if pieces and pieces[-1][0] == chosen_depth and pieces[-1][2] == cursor:
            pieces[-1] = (chosen_depth, pieces[-1][1], chosen_end)
        else:
            pieces.append((chosen_depth, cursor, chosen_end))
        cursor = chosen_end
    return [
        Segment(SegmentKind.NODES if depth else SegmentKind.UNITS, a, b, depth, run)
        for depth, a, b in pieces
    ]


def assemble(
    plan: ReadPlan, found: Sequence[Sequence[Row]], family: Family, width: int
) -> list[Row]:
    """The rows :func:`downsample` gives, from what each of ``plan.segments`` read.

    ``found[i]`` holds the rows of ``plan.segments[i]``: raw points for raw segments and, for
    unit segments of bases without kept units, raw points too; stored rows otherwise (rollup
    rows with their roles as a last column).
    """
    base = plan.base
    if plan.depth == -1:
        rows: list[Row] = []
        for segment, got in zip(plan.segments, found, strict=True):
            rows.extend(_as_units(base, segment, got, family))
        if not base.aggregated:
            return rows
        return aggregate(rows, family, base.unit) if rows else rows
    keep_gap = plan.per_run == 3
    partial: dict[int, list[Row]] = {}
    whole: list[Row] = []
    for segment, got in zip(plan.segments, found, strict=True):
        if segment.run is None:
            whole.extend(_whole_runs(base, segment, got, width, keep_gap))
            continue
        members = partial.setdefault(segment.run, [])
        if segment.kind is SegmentKind.NODES:
            members.extend(
                with_empty(base, segment.depth, [row[:-1] for row in got], *_span(segment), width)
            )
        else:
            units = _as_units(base, segment, got, family)
            members.extend(with_empty(base, 0, units, *_unit_span(base, segment), width))
    kept = list(whole)
    for members in partial.values():
        kept.extend(row for row, _ in pick(members, keep_gap=keep_gap))
    kept.sort(key=itemgetter(0))
    return kept


def _span(segment: Segment) -> tuple[int, int]:
    return segment.start, segment.end


def _unit_span(base: Base, segment: Segment) -> tuple[int, int]:
    """The units a unit or raw segment covers, whole."""
    return base.unit_start(segment.start), base.next_unit(base.unit_start(segment.end - 1))


def _as_units(base: Base, segment: Segment, got: Sequence[Row], family: Family) -> list[Row]:
    if segment.kind is SegmentKind.RAW or not base.stored_units:
        return unit_rows(base, got, family)
    return [tuple(row[:-1]) for row in got]


def _whole_runs(
    base: Base, segment: Segment, got: Sequence[Row], width: int, keep_gap: bool
) -> list[Row]:
    """The kept rows of whole nodes: their stored rows, a gap for an empty one."""
    level = base.ladder[segment.depth - 1]
    wanted = LOW | HIGH | (FIRST_GAP if keep_gap else 0)
    kept = [row[:-1] for row in got if row[-1] & wanted]
    if not (base.aggregated and keep_gap):
        return kept
    holding = {level.start(row[0]) for row in got}
    cursor = segment.start
    while cursor < segment.end:
        if cursor not in holding:
            kept.append(gap_row(cursor, width))
        cursor = level.next(cursor)
    return kept


def series_rollups(
    base: Base, raw_rows: Sequence[Row], family: Family, width: int
) -> dict[int, list[RoledRow]]:
    """Every rollup row of one series at ``base``, by depth, from all its raw points."""
    if not raw_rows:
        return {}
    units = unit_rows(base, raw_rows, family)
    found: dict[int, list[RoledRow]] = {0: [(row, 0) for row in units]} if base.stored_units else {}
    children = units
    for depth, level in enumerate(base.ladder, start=1):
        start = level.start(raw_rows[0][0])
        end = level.next(level.start(raw_rows[-1][0]))
        roled = node_rows(base, depth, children, start, end, width)
        found[depth] = roled
        children = [row for row, _ in roled]
    return found
