"""Points and their rollups in the DynamoDB store; :class:`DynamoStore` inherits these methods.

A series is one partition of its family's table: ``repo`` is the subject's id (the name it
was first tracked under) and, for downloads, ``#`` and the package (``octo/widgets#npm:widgets``).

Writes keep the provenance rule without reading first: points of the highest rank (measured)
win or tie against anything stored, so they go out as plain batch writes (25 a request);
points of a lower rank go out as conditional puts (``provenance <= mine``), side by side, and a
point whose condition fails (a better one is stored) is simply not written. A conditional put
costs one write unit; a transaction of them would cost two each.
A batch is checked whole before anything is written (every subject tracked); DynamoDB then
writes it in chunks, so a batch cut short by a crash is written again whole by its retry
(writes are idempotent).

Rollups are kept after each write of points, for every series it touched (the walk in
:mod:`ossgrowth.store.rollup_upkeep`, series by series, fanned out over a thread pool). A
marker item names each series while its points are written and its rollups kept; a marker left
by a writer that died marks rollups that may be behind, and :meth:`repair_rollups` (run by
``upgrade`` and by a read that finds old markers) rebuilds them.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from ossgrowth.alert_types import AlertEvent
from ossgrowth.errors import InputError
from ossgrowth.metrics.registry import FAMILIES, Family, definition
from ossgrowth.metrics.resample import Interval
from ossgrowth.metrics.rollups import (
    BASES,
    DAY_LEVEL,
    Base,
    ReadPlan,
    RoledRow,
    Segment,
    SegmentKind,
    assemble,
    plan_read,
)
from ossgrowth.metrics.windowed_totals import WINDOWED_TOTAL_SOURCES
from ossgrowth.model import (
    PackageRef,
    Point,
    Provenance,
    RepoName,
    Series,
    ShownSeries,
    Subject,
    to_epoch_seconds,
)
from ossgrowth.store.dynamo_io import DynamoCalls
from ossgrowth.store.dynamo_items import (
    EARLIEST_ISO,
    LATEST_ISO,
    Item,
    epoch_of,
    iso,
    iso_bound,
    number,
    read_number,
    read_row,
    row_text,
    text,
    value_of,
)
from ossgrowth.store.dynamo_tables import TableNames
from ossgrowth.store.rollup_upkeep import RollupUpkeep, Row, reads_of_update
from ossgrowth.store.sql_points import check_package

__all__ = ["DynamoPoints", "DynamoRollupKeeper", "series_key"]

T = TypeVar("T")
R = TypeVar("R")

_TOP_RANK = max(Provenance)
_EARLIEST = -(1 << 40)
_LATEST = 1 << 40
_KEY_CONDITION = "#r = :r AND #t BETWEEN :a AND :b"
_KEY_NAMES = {"#r": "repo", "#t": "timestamp"}
_DIRTY = "rollups-dirty"
"""Partition of the markers naming series whose points are being written."""
_STALE_AFTER_SECONDS = 600.0
"""A marker older than this was left by a writer that died (a write takes seconds)."""
_PROBE_EVERY_SECONDS = 60.0


def series_key(subject_id: str, package: PackageRef | None) -> str:
    """The partition key of a series: the subject's id, with the package for downloads."""
    return subject_id if package is None else f"{subject_id}#{package}"


class DynamoPoints:
    """The point methods of :class:`~ossgrowth.store.dynamo.DynamoStore` (see ``Store``)."""

    _calls: DynamoCalls
    _tables: TableNames
    _environment: str
    _pool: ThreadPoolExecutor
    _dirty_checked_at: float

    if TYPE_CHECKING:  # provided by DynamoStore

        def _subject_item(self, repo: RepoName) -> Item | None: ...

        def _subject_ids(self, keys: set[str]) -> dict[str, str]: ...

        def _subjects_with_ids(self) -> list[tuple[Subject, str]]: ...

        def _write_events(
            self,
            kept: Mapping[tuple[Family, str, int], Point],
            partitions: Mapping[tuple[Family, str, int], list[tuple[Family, str, int]]],
            events: Sequence[AlertEvent],
        ) -> set[tuple[Family, str, int]]: ...

    # helpers -----------------------------------------------------------------------------

    def _fan_out(self, work: Callable[[T], R], inputs: Sequence[T]) -> list[R]:
        """``work`` on each input, over the store's thread pool, results in input order."""
        if len(inputs) <= 1:
            return [work(one) for one in inputs]
        return list(self._pool.map(work, inputs))

    def _series_id(self, repo: RepoName) -> str | None:
        item = self._subject_item(repo)
        return None if item is None else str(item["id"]["S"])

    def _rows(self, family: Family, partition: str, low: str, high: str, **more: Any) -> list[Row]:
        """The rows of one series with ``low <= timestamp <= high``, in time order."""
        names = definition(family).field_names
        items = self._calls.query(
            self._tables.points(family),
            KeyConditionExpression=_KEY_CONDITION,
            ExpressionAttributeNames=_KEY_NAMES,
            ExpressionAttributeValues={":r": text(partition), ":a": text(low), ":b": text(high)},
            **more,
        )
        return [_point_row(item, names) for item in items]

    # writing -----------------------------------------------------------------------------

    def write_points(self, points: Iterable[Point], *, events: Sequence[AlertEvent] = ()) -> int:
        """Upsert ``points``; ``events`` go into the outbox in transactions with the points
        that raised them (:mod:`~ossgrowth.store.dynamo_alerts`), the other points after."""
        batch = points if isinstance(points, list) else list(points)
        if not batch and not events:
            return 0
        ids = self._subject_ids({point.repo.key for point in batch})
        missing = {point.repo.key for point in batch} - ids.keys()
        if missing:
            shown = ", ".join(sorted(missing)[:3])
            raise InputError(f"points name subjects that are not tracked: {shown}")
        kept: dict[tuple[Family, str, int], Point] = {}
        for point in batch:  # one item per key: the higher rank, or the later of equals
            key = (
                point.family,
                series_key(ids[point.repo.key], point.package),
                point.epoch_seconds,
            )
            known = kept.get(key)
            if known is None or point.provenance >= known.provenance:
                kept[key] = point
        touched: dict[tuple[Family, str], tuple[int, int]] = {}
        for family, partition, moment in kept:
            known_span = touched.get((family, partition))
            touched[(family, partition)] = (
                (moment, moment)
                if known_span is None
                else (min(known_span[0], moment), max(known_span[1], moment))
            )
        self._mark_dirty(touched)
        written: set[tuple[Family, str, int]] = set()
        if events:
            moments: dict[tuple[Family, str, int], list[tuple[Family, str, int]]] = {}
            for key, point in kept.items():
                moments.setdefault((key[0], point.repo.key, key[2]), []).append(key)
            written = self._write_events(kept, moments, events)
        by_family: dict[Family, list[tuple[str, Point]]] = {}
        for (family, partition, moment), point in kept.items():
            if (family, partition, moment) not in written:
                by_family.setdefault(family, []).append((partition, point))
        for family, members in by_family.items():
            self._put_points(family, members)
        self._keep_rollups(touched)
        return len(batch)

    def _put_points(self, family: Family, members: Sequence[tuple[str, Point]]) -> None:
        table = self._tables.points(family)
        top = [
            {"PutRequest": {"Item": self._point_item(partition, point)}}
            for partition, point in members
            if point.provenance == _TOP_RANK
        ]
        chunks = [top[start : start + 25] for start in range(0, len(top), 25)]
        self._fan_out(lambda chunk: self._calls.batch_write(table, chunk), chunks)

        def put_unless_beaten(entry: tuple[str, Point]) -> bool:
            partition, point = entry
            return self._calls.put(
                table,
                self._point_item(partition, point),
                ConditionExpression="attribute_not_exists(#r) OR provenance <= :p",
                ExpressionAttributeNames={"#r": "repo"},
                ExpressionAttributeValues={":p": number(int(point.provenance))},
            )

        lower = [entry for entry in members if entry[1].provenance != _TOP_RANK]
        self._fan_out(put_unless_beaten, lower)

    def _point_item(self, partition: str, point: Point) -> Item:
        item: Item = {
            "repo": text(partition),
            "timestamp": text(iso(point.epoch_seconds)),
            "environment": text(self._environment),
        }
        for name, value in zip(
            definition(point.family).field_names, point.ordered_values, strict=True
        ):
            item[name] = value_of(value)
        item["provenance"] = number(int(point.provenance))
        item["source"] = text(point.source)
        if point.package is not None:
            item["package"] = text(str(point.package))
        return item

    def delete_points(
        self,
        repo: RepoName,
        family: Family,
        moments: Iterable[datetime],
        *,
        package: PackageRef | None = None,
    ) -> int:
        check_package(family, package)
        seconds = sorted({to_epoch_seconds(moment) for moment in moments})
        subject_id = self._series_id(repo)
        if subject_id is None:
            raise InputError(f"{repo} is not tracked")
        if not seconds:
            return 0
        partition = series_key(subject_id, package)
        table = self._tables.points(family)
        keys = [{"repo": text(partition), "timestamp": text(iso(moment))} for moment in seconds]
        there = self._calls.batch_get(
            table, keys, projection="#r, #t", names={"#r": "repo", "#t": "timestamp"}
        )
        touched = {(family, partition): (seconds[0], seconds[-1])}
        self._mark_dirty(touched)
        self._calls.batch_write(
            table,
            [
                {"DeleteRequest": {"Key": {"repo": item["repo"], "timestamp": item["timestamp"]}}}
                for item in there
            ],
        )
        self._keep_rollups(touched)
        return len(there)

    # reading -----------------------------------------------------------------------------

    def read_series(
        self,
        repo: RepoName,
        family: Family,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        package: PackageRef | None = None,
    ) -> Series:
        check_package(family, package)
        subject_id = self._series_id(repo)
        if subject_id is None:
            return Series(repo, family, package, [])
        low = EARLIEST_ISO if start is None else iso_bound(to_epoch_seconds(start))
        high = LATEST_ISO if end is None else iso_bound(to_epoch_seconds(end))
        if low > high:
            return Series(repo, family, package, [])
        return Series(
            repo, family, package, self._rows(family, series_key(subject_id, package), low, high)
        )

    def _tracked_series(
        self, family: Family, repos: Sequence[RepoName] | None = None
    ) -> list[tuple[Subject, str, PackageRef | None]]:
        """Every tracked series of ``family`` (subject, partition key, package), by name; of
        ``repos`` only, when given."""
        wanted = None if repos is None else {repo.key for repo in repos}
        found: list[tuple[Subject, str, PackageRef | None]] = []
        for subject, subject_id in self._subjects_with_ids():
            if wanted is not None and subject.repo.key not in wanted:
                continue
            if definition(family).per_package:
                found += [(subject, series_key(subject_id, p), p) for p in subject.packages]
            else:
                found.append((subject, subject_id, None))
        return found

    def latest_points(self, family: Family) -> list[Point]:
        names = definition(family).field_names

        def newest(entry: tuple[Subject, str, PackageRef | None]) -> Point | None:
            subject, partition, package = entry
            items = self._calls.query(
                self._tables.points(family),
                limit=1,
                KeyConditionExpression="#r = :r",
                ExpressionAttributeNames={"#r": "repo"},
                ExpressionAttributeValues={":r": text(partition)},
                ScanIndexForward=False,
            )
            if not items:
                return None
            row = _point_row(items[0], names)
            return next(Series(subject.repo, family, package, [row]).points())

        found = self._fan_out(newest, self._tracked_series(family))
        return [point for point in found if point is not None]

    def read_recent(
        self,
        family: Family,
        *,
        span: timedelta,
        repos: Sequence[RepoName] | None = None,
    ) -> list[Series]:
        if span < timedelta(0):
            seconds = span.total_seconds()
            raise InputError(f"a negative span ({seconds:g} s) reads nothing; give 0 or more")
        table = self._tables.points(family)
        reach = int(span.total_seconds())

        def stretch(entry: tuple[Subject, str, PackageRef | None]) -> Series | None:
            subject, partition, package = entry
            head = self._calls.query(
                table,
                limit=1,
                KeyConditionExpression="#r = :r",
                ExpressionAttributeNames={"#r": "repo"},
                ExpressionAttributeValues={":r": text(partition)},
                ScanIndexForward=False,
            )
            if not head:
                return None
            newest = epoch_of(head[0]["timestamp"]["S"])
            before = self._calls.query(
                table,
                limit=1,
                KeyConditionExpression="#r = :r AND #t <= :t",
                ExpressionAttributeNames=_KEY_NAMES,
                ExpressionAttributeValues={
                    ":r": text(partition),
                    ":t": text(iso_bound(newest - reach)),
                },
                ScanIndexForward=False,
            )
            low = before[0]["timestamp"]["S"] if before else EARLIEST_ISO
            rows = self._rows(family, partition, low, iso(newest))
            return Series(subject.repo, family, package, rows)

        found = self._fan_out(stretch, self._tracked_series(family, repos))
        return [series for series in found if series is not None]

    def count_points(self, repo: RepoName) -> dict[Family, int]:
        item = self._subject_item(repo)
        counts: dict[Family, int] = {}
        for family in FAMILIES:
            if item is None:
                counts[family] = 0
                continue
            packages: list[PackageRef | None] = (
                [PackageRef.from_key(name) for name in item.get("packages", {}).get("SS", [])]
                if definition(family).per_package
                else [None]
            )
            counts[family] = sum(
                self._calls.count(
                    self._tables.points(family),
                    KeyConditionExpression="#r = :r",
                    ExpressionAttributeNames={"#r": "repo"},
                    ExpressionAttributeValues={":r": text(series_key(item["id"]["S"], package))},
                )
                for package in packages
            )
        return counts

    # shown series (from rollups) ---------------------------------------------------------

    def read_shown(
        self,
        repo: RepoName,
        family: Family,
        *,
        interval: Interval,
        max_points: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        package: PackageRef | None = None,
    ) -> ShownSeries:
        check_package(family, package)
        subject_id = self._series_id(repo)
        if subject_id is None:
            return ShownSeries([], False, None)
        partition = series_key(subject_id, package)
        low = _EARLIEST if start is None else to_epoch_seconds(start)
        high = _LATEST if end is None else to_epoch_seconds(end)
        base = BASES[interval]
        limit = sys.maxsize if max_points is None else max_points
        table = self._tables.points(family)
        bounds = {
            ":r": text(partition),
            ":a": text(iso_bound(low)),
            ":b": text(iso_bound(high)),
        }

        def edge(forward: bool) -> list[Item]:
            return self._calls.query(
                table,
                limit=1,
                KeyConditionExpression=_KEY_CONDITION,
                ExpressionAttributeNames=_KEY_NAMES,
                ExpressionAttributeValues=bounds,
                ScanIndexForward=forward,
                ProjectionExpression="#t",
            )

        first_items, last_items = self._fan_out(edge, [True, False])
        if not first_items:
            return ShownSeries([], False, None)
        first = epoch_of(first_items[0]["timestamp"]["S"])
        last = epoch_of(last_items[0]["timestamp"]["S"])
        windowed = self._first_windowed(table, bounds) if package is not None else None
        counted = None
        if not base.aggregated:
            counted = self._calls.count_up_to(
                table,
                min(limit, 1 << 30) + 1,
                KeyConditionExpression=_KEY_CONDITION,
                ExpressionAttributeNames=_KEY_NAMES,
                ExpressionAttributeValues=bounds,
            )
        plan = plan_read(base, first, last, limit, unit_rows_count=counted)
        reads = self._fan_out(
            lambda segment: self._segment_rows(family, partition, segment, plan, low, high),
            list(plan.segments),
        )
        width = len(definition(family).field_names)
        rows = assemble(plan, reads, family, width)
        return ShownSeries(rows, plan.depth != -1, windowed)

    def _first_windowed(self, table: str, bounds: dict[str, Any]) -> int | None:
        """The first moment of the range whose downloads total counts a window only."""
        sources = sorted(WINDOWED_TOTAL_SOURCES)
        marks = {f":s{index}": text(source) for index, source in enumerate(sources)}
        items = self._calls.query(
            table,
            limit=1,
            filtered=True,
            KeyConditionExpression=_KEY_CONDITION,
            FilterExpression=f"#s IN ({', '.join(marks)})",
            ExpressionAttributeNames={**_KEY_NAMES, "#s": "source"},
            ExpressionAttributeValues={**bounds, **marks},
            ProjectionExpression="#t",
        )
        return epoch_of(items[0]["timestamp"]["S"]) if items else None

    def _segment_rows(
        self,
        family: Family,
        partition: str,
        segment: Segment,
        plan: ReadPlan,
        low: int,
        high: int,
    ) -> list[Row]:
        raw = segment.kind is SegmentKind.RAW or (
            segment.kind is SegmentKind.UNITS and not plan.base.stored_units
        )
        if raw:
            start, end = max(segment.start, low), min(segment.end, high + 1)
            if start >= end:
                return []
            return self._rows(family, partition, iso_bound(start), iso_bound(end - 1))
        depth = 0 if segment.kind is SegmentKind.UNITS else segment.depth
        roled = self._rollup_rows(
            f"{partition}|{family.value}", plan.base, depth, segment.start, segment.end
        )
        return [(*row, roles) for row, roles in roled]

    def _rollup_rows(
        self, series: str, base: Base, depth: int, start: int, end: int
    ) -> list[RoledRow]:
        """Stored rollup rows of a series with ``start <= t < end``, with their roles."""
        if start >= end:
            return []
        items = self._calls.query(
            self._tables.rollups,
            KeyConditionExpression="#s = :s AND #b BETWEEN :a AND :b",
            ExpressionAttributeNames={"#s": "series", "#b": "bucket"},
            ExpressionAttributeValues={
                ":s": text(_rollup_partition(series, base, depth)),
                ":a": text(iso_bound(start)),
                ":b": text(iso_bound(end - 1)),
            },
        )
        return [
            (read_row(item["bucket"]["S"], item["row"]["S"]), int(item["roles"]["N"]))
            for item in items
        ]

    # keeping rollups ---------------------------------------------------------------------

    def _mark_dirty(self, touched: dict[tuple[Family, str], tuple[int, int]]) -> None:
        now = number(round(time.time()))
        self._calls.batch_write(
            self._tables.operations,
            [
                {
                    "PutRequest": {
                        "Item": {
                            "pk": text(_DIRTY),
                            "sk": text(f"{partition}|{family.value}"),
                            "since": now,
                        }
                    }
                }
                for family, partition in touched
            ],
        )

    def _keep_rollups(self, touched: dict[tuple[Family, str], tuple[int, int]]) -> None:
        """Recompute the rollups of every series written, then drop their markers."""
        groups: dict[tuple[Family, int, int], list[tuple[str, int, int]]] = {}
        for (family, partition), (first, last) in sorted(touched.items()):
            days = (DAY_LEVEL.start(first), DAY_LEVEL.start(last))
            groups.setdefault((family, *days), []).append((partition, first, last))
        for (family, _, _), members in groups.items():
            first = min(first for _, first, _ in members)
            last = max(last for _, _, last in members)
            keeper = DynamoRollupKeeper(
                self, family, [f"{p}|{family.value}" for p, _, _ in members]
            )
            keeper.update(first, last)
        self._calls.batch_write(
            self._tables.operations,
            [
                {"DeleteRequest": {"Key": {"pk": text(_DIRTY), "sk": text(f"{p}|{f.value}")}}}
                for f, p in touched
            ],
        )

    def repair_rollups(self, *, older_than_seconds: float = 0.0) -> int:
        """Rebuild the rollups of series whose writer died between writing points and keeping
        their rollups (markers older than ``older_than_seconds``); returns how many."""
        markers = self._calls.query(
            self._tables.operations,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": text(_DIRTY)},
        )
        cutoff = time.time() - older_than_seconds
        stale = [m for m in markers if float(m["since"]["N"]) <= cutoff]
        for marker in stale:
            series = marker["sk"]["S"]
            family = Family(series.rsplit("|", 1)[1])
            DynamoRollupKeeper(self, family, [series]).rebuild(_EARLIEST, _LATEST)
            self._calls.delete(
                self._tables.operations,
                {"pk": text(_DIRTY), "sk": text(series)},
                ConditionExpression="since = :s",
                ExpressionAttributeValues={":s": marker["since"]},
            )
        return len(stale)

    def rebuild_rollups(self) -> int:
        """Build every series' rollups again from its points; returns how many series."""
        count = 0
        for family in FAMILIES:
            for _, partition, _ in self._tracked_series(family):
                DynamoRollupKeeper(self, family, [f"{partition}|{family.value}"]).rebuild(
                    _EARLIEST, _LATEST
                )
                count += 1
        return count

    def rollups_ready(self) -> bool:
        """Rollups are kept with every write; a series left behind by a writer that died
        (found at most once a minute) is rebuilt here before this answers."""
        now = time.monotonic()
        if now - self._dirty_checked_at >= _PROBE_EVERY_SECONDS:
            self._dirty_checked_at = now
            self.repair_rollups(older_than_seconds=_STALE_AFTER_SECONDS)
        return True


class DynamoRollupKeeper(RollupUpkeep[str]):
    """Rollup upkeep of series (``partition|family``) of one family.

    DynamoDB costs a round trip a query, so an update reads every stretch of rollup rows it
    may need at once, over the thread pool, works on those in memory, and writes what changed
    at the end, again side by side (the series' markers cover a writer dying in between).
    """

    def __init__(self, store: DynamoPoints, family: Family, series: Sequence[str]) -> None:
        super().__init__(family, series)
        self._store = store
        self._read: dict[tuple[str, int, int], tuple[int, int, list[RoledRow]]] = {}
        self._changes: dict[tuple[str, int, int], dict[str, RoledRow | None]] = {}
        self._as_stored: dict[tuple[str, int, int], dict[str, RoledRow]] = {}
        """Rows as DynamoDB holds them, of every stretch read: a change that leaves a row as
        it is costs no write."""

    def update(self, first: int, last: int) -> None:
        wanted = [
            (series, code, depth, span)
            for (code, depth), span in reads_of_update(first, last).items()
            for series in self._series
        ]
        bases = {base.code: base for base in BASES.values()}

        def fetch(entry: tuple[str, int, int, tuple[int, int]]) -> list[RoledRow]:
            series, code, depth, (start, end) = entry
            return self._store._rollup_rows(series, bases[code], depth, start, end)

        for (series, code, depth, (start, end)), rows in zip(
            wanted, self._store._fan_out(fetch, wanted), strict=True
        ):
            self._read[(series, code, depth)] = (start, end, rows)
            self._remember((series, code, depth), rows)
        super().update(first, last)
        self._flush()

    def raw(self, start: int, end: int) -> dict[str, list[Row]]:
        def rows(series: str) -> list[Row]:
            partition = series.rsplit("|", 1)[0]
            if start >= end:
                return []
            return self._store._rows(self._family, partition, iso_bound(start), iso_bound(end - 1))

        return dict(zip(self._series, self._store._fan_out(rows, self._series), strict=True))

    def stored(
        self, series: Sequence[str], base: Base, depth: int, start: int, end: int
    ) -> dict[str, list[RoledRow]]:
        found: dict[str, list[RoledRow]] = {}
        for key in series:
            known = self._read.get((key, base.code, depth))
            if known is None or not known[0] <= start or not end <= known[1]:
                read = self._store._rollup_rows(key, base, depth, start, end)
                self._remember((key, base.code, depth), read)
                rows = self._overlaid((key, base.code, depth), read, start, end)
                self._read[(key, base.code, depth)] = (start, end, rows)
                found[key] = list(rows)
            else:
                found[key] = [roled for roled in known[2] if start <= roled[0][0] < end]
        return found

    def _remember(self, place: tuple[str, int, int], rows: list[RoledRow]) -> None:
        stored = self._as_stored.setdefault(place, {})
        for roled in rows:
            stored.setdefault(iso(int(roled[0][0])), roled)

    def _overlaid(
        self, place: tuple[str, int, int], rows: list[RoledRow], start: int, end: int
    ) -> list[RoledRow]:
        """Rows as read, with the changes this update has not written yet applied."""
        changes = self._changes.get(place)
        if not changes:
            return rows
        kept = {iso(int(row[0])): (row, roles) for row, roles in rows}
        for bucket, change in changes.items():
            if change is None:
                kept.pop(bucket, None)
            elif start <= int(change[0][0]) < end:
                kept[bucket] = change
        return sorted(kept.values(), key=lambda r: int(r[0][0]))

    def replace(
        self, base: Base, depth: int, start: int, end: int, roled: dict[str, Sequence[RoledRow]]
    ) -> None:
        for series, rows in roled.items():
            place = (series, base.code, depth)
            known = self._read.get(place)
            if known is None or not known[0] <= start or not end <= known[1]:
                self.stored([series], base, depth, start, end)
                known = self._read[place]
            changes = self._changes.setdefault(place, {})
            for old, _ in known[2]:
                if start <= old[0] < end:
                    changes[iso(int(old[0]))] = None
            for row, roles in rows:
                changes[iso(int(row[0]))] = (row, roles)
            kept = [r for r in known[2] if not start <= r[0][0] < end]
            self._read[place] = (
                known[0],
                known[1],
                sorted([*kept, *rows], key=lambda r: int(r[0][0])),
            )

    def _flush(self) -> None:
        """Write every change the update made: 25 items a batch, the batches side by side."""
        bases = {base.code: base for base in BASES.values()}
        requests: list[dict[str, Any]] = []
        for (series, code, depth), changes in self._changes.items():
            partition = _rollup_partition(series, bases[code], depth)
            stored = self._as_stored.get((series, code, depth), {})
            for bucket, change in sorted(changes.items()):
                if change is None and bucket in stored:
                    key = {"series": text(partition), "bucket": text(bucket)}
                    requests.append({"DeleteRequest": {"Key": key}})
                elif change is not None and stored.get(bucket) != change:
                    requests.append({"PutRequest": {"Item": _rollup_item(partition, *change)}})
        self._changes = {}
        self._as_stored = {}
        table = self._store._tables.rollups
        chunks = [requests[start : start + 25] for start in range(0, len(requests), 25)]
        self._store._fan_out(lambda chunk: self._store._calls.batch_write(table, chunk), chunks)

    def insert(self, base: Base, depth: int, roled: dict[str, Sequence[RoledRow]]) -> None:
        for series, rows in roled.items():
            partition = _rollup_partition(series, base, depth)
            self._store._calls.batch_write(
                self._store._tables.rollups,
                [
                    {"PutRequest": {"Item": _rollup_item(partition, row, roles)}}
                    for row, roles in rows
                ],
            )

    def delete_all(self) -> None:
        for series in self._series:
            for base in BASES.values():
                depths = range(0 if base.stored_units else 1, len(base.ladder) + 1)
                for depth in depths:
                    rows = self._store._rollup_rows(series, base, depth, _EARLIEST, _LATEST)
                    partition = _rollup_partition(series, base, depth)
                    self._store._calls.batch_write(
                        self._store._tables.rollups,
                        [
                            {
                                "DeleteRequest": {
                                    "Key": {"series": text(partition), "bucket": text(iso(row[0]))}
                                }
                            }
                            for row, _ in rows
                        ],
                    )


def _rollup_partition(series: str, base: Base, depth: int) -> str:
    return f"{series}|{base.code}|{depth}"


def _rollup_item(partition: str, row: Row, roles: int) -> Item:
    return {
        "series": text(partition),
        "bucket": text(iso(int(row[0]))),
        "row": text(row_text(row)),
        "roles": number(roles),
    }


def _point_row(item: Item, names: Sequence[str]) -> Row:
    return (
        epoch_of(item["timestamp"]["S"]),
        *(read_number(item.get(name)) for name in names),
        int(item["provenance"]["N"]),
        item["source"]["S"],
    )
