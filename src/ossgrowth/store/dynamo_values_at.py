"""Every series' value at a few moments in the DynamoDB store; :class:`DynamoStore` inherits it.

A series is one partition of its family's table, sorted by time, so the newest point at or
before a moment is one Query (``timestamp <= moment``, newest first, one item) and the oldest
point one more (oldest first, one item). The series are read side by side over the store's
thread pool, as the recent read does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from ossgrowth.metrics.registry import definition
from ossgrowth.model import Family, PackageRef, RepoName, Series, Subject, to_epoch_seconds
from ossgrowth.store.dynamo_io import DynamoCalls
from ossgrowth.store.dynamo_items import iso_bound, text
from ossgrowth.store.dynamo_points import _point_row
from ossgrowth.store.dynamo_tables import TableNames

__all__ = ["DynamoValuesAt"]

T = TypeVar("T")
R = TypeVar("R")
Row = tuple[Any, ...]


class DynamoValuesAt:
    """The ``values_at`` method of :class:`~ossgrowth.store.dynamo.DynamoStore` (see ``Store``)."""

    _calls: DynamoCalls
    _tables: TableNames

    if TYPE_CHECKING:  # provided by DynamoStore (DynamoPoints)

        def _fan_out(self, work: Callable[[T], R], inputs: Sequence[T]) -> list[R]: ...

        def _tracked_series(
            self, family: Family, repos: Sequence[RepoName] | None = None
        ) -> list[tuple[Subject, str, PackageRef | None]]: ...

    def values_at(
        self,
        family: Family,
        moments: Sequence[datetime],
        *,
        repos: Sequence[RepoName] | None = None,
    ) -> list[Series]:
        bounds = [iso_bound(second) for second in sorted({to_epoch_seconds(m) for m in moments})]
        table = self._tables.points(family)
        names = definition(family).field_names
        tracked = self._tracked_series(family, repos)

        def newest(partition: str, bound: str | None) -> Row | None:
            """The newest point at or before ``bound`` (the oldest point when ``None``)."""
            if bound is None:
                condition, keys = "#r = :r", {"#r": "repo"}
                values = {":r": text(partition)}
            else:
                condition, keys = "#r = :r AND #t <= :t", {"#r": "repo", "#t": "timestamp"}
                values = {":r": text(partition), ":t": text(bound)}
            items = self._calls.query(
                table,
                limit=1,
                KeyConditionExpression=condition,
                ExpressionAttributeNames=keys,
                ExpressionAttributeValues=values,
                ScanIndexForward=bound is None,
            )
            return _point_row(items[0], names) if items else None

        def thinned(entry: tuple[Subject, str, PackageRef | None]) -> Series | None:
            subject, partition, package = entry
            first = newest(partition, None)
            if first is None:
                return None
            rows = {first[0]: first}
            for bound in bounds:
                if bound < iso_bound(first[0]):
                    continue  # before its first point: nothing there
                found = newest(partition, bound)
                if found is not None:
                    rows[found[0]] = found
            return Series(subject.repo, family, package, [rows[key] for key in sorted(rows)])

        found = [series for series in self._fan_out(thinned, tracked) if series is not None]
        return sorted(found, key=lambda series: (series.repo.key, str(series.package or "")))
