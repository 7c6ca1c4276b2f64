"""The recent stretch of every series of a family, in one statement; :class:`SqlStore` inherits it.

An overview of every tracked repository needs the last weeks of each one's stars, and the
newest PRs, issues and downloads. Reading them series by series costs a round trip each;
scanning a family table (15 million star points for 1,000 repositories over 5 years) costs
far more. Here one statement finds, for each series (a subject, or a subject's package for
downloads), where its stretch starts with two seeks on the primary key (its newest time, then
the newest time at or before that minus the span) and reads the stretch as one range of the
key, so it costs the rows it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    and_,
    bindparam,
    func,
    literal_column,
    null,
    select,
    true,
)

from ossgrowth.errors import InputError, StoreError
from ossgrowth.metrics.registry import definition
from ossgrowth.model import Family, PackageRef, RepoName, Series
from ossgrowth.store.engines import positional_sql
from ossgrowth.store.tables import FAMILY_TABLES, PACKAGES_TABLE, SUBJECTS_TABLE

__all__ = ["RecentStretches"]

_BEFORE_ANY_TIME: ColumnElement[int] = literal_column(str(-(2**62)))
"""An epoch second earlier than any point: the start of a series shorter than the span."""

Row = tuple[Any, ...]


class RecentStretches:
    """The ``read_recent`` method of :class:`~ossgrowth.store.sql.SqlStore` (see ``Store``)."""

    _engine: Engine
    _recent_statements: dict[Family, tuple[str, str]]

    if TYPE_CHECKING:  # provided by SqlStore (PointTables)

        def _fetch_together(
            self, statements: Sequence[tuple[str, tuple[Any, ...]]]
        ) -> list[list[Row]]: ...

    def read_recent(self, family: Family, *, span: timedelta) -> list[Series]:
        if span < timedelta(0):
            seconds = span.total_seconds()
            raise InputError(f"a negative span ({seconds:g} s) reads nothing; give 0 or more")
        heads_sql, points_sql = self._recent_sql(family)
        parameters = (int(span.total_seconds()),)
        # Two statements on one snapshot: the series (name, package, how many points) and
        # their points in the same order, keyless, so no row has to be cut out of a wider one.
        heads, points = self._fetch_together([(heads_sql, parameters), (points_sql, parameters)])
        found = []
        start = 0
        for owner, name, package, count in heads:
            if count:  # a series without points is left out
                stored = None if package is None else PackageRef.from_key(package)
                rows = points[start : start + count]
                found.append(Series(RepoName(owner, name), family, stored, rows))
            start += count
        if start != len(points):  # one snapshot: cannot happen
            raise StoreError(f"a recent read of {family.value} found its series changing under it")
        return sorted(found, key=lambda series: (series.repo.key, str(series.package or "")))

    def _recent_sql(self, family: Family) -> tuple[str, str]:
        """The statements of a recent read of ``family`` (its series, their points), kept."""
        cached = self._recent_statements.get(family)
        if cached is not None:
            return cached
        row = definition(family)
        table = FAMILY_TABLES[family]
        newest, earlier, counted = table.alias("newest"), table.alias("earlier"), table.alias("n")
        owners = PACKAGES_TABLE if row.per_package else SUBJECTS_TABLE
        if row.per_package:
            subject_id = PACKAGES_TABLE.c.subject_id
            package = PACKAGES_TABLE.c.ecosystem + literal_column("':'") + PACKAGES_TABLE.c.name
            keys = [subject_id.label("subject_id"), package.label("package")]
            in_newest = and_(newest.c.subject_id == subject_id, newest.c.package == package)
            in_earlier = and_(earlier.c.subject_id == subject_id, earlier.c.package == package)
        else:
            subject_id = SUBJECTS_TABLE.c.id
            keys = [subject_id.label("subject_id"), null().label("package")]
            in_newest = newest.c.subject_id == subject_id
            in_earlier = earlier.c.subject_id == subject_id
        newest_at = (
            select(func.max(newest.c.observed_at))
            .where(in_newest)
            .correlate(owners)
            .scalar_subquery()
        )
        start = (
            select(func.max(earlier.c.observed_at))
            .where(in_earlier, earlier.c.observed_at <= newest_at - bindparam("span"))
            .correlate(owners)
            .scalar_subquery()
        )
        bounds = select(*keys, func.coalesce(start, _BEFORE_ANY_TIME).label("start")).subquery(
            "bounds"
        )
        ordered = (
            [bounds.c.subject_id, bounds.c.package] if row.per_package else [bounds.c.subject_id]
        )

        def stretch_of(points: Any) -> ColumnElement[bool]:
            matched = [points.c.subject_id == bounds.c.subject_id]
            if row.per_package:
                matched.append(points.c.package == bounds.c.package)
            return and_(*matched, points.c.observed_at >= bounds.c.start)

        count = select(func.count()).select_from(counted).where(stretch_of(counted))
        heads = (
            select(
                SUBJECTS_TABLE.c.owner,
                SUBJECTS_TABLE.c.name,
                bounds.c.package,
                count.scalar_subquery().label("points"),
            )
            .select_from(bounds)
            .join(SUBJECTS_TABLE, SUBJECTS_TABLE.c.id == bounds.c.subject_id)
            .order_by(*ordered)
        )
        columns = [
            table.c.observed_at,
            *(table.c[name] for name in row.field_names),
            table.c.provenance,
            table.c.source,
        ]
        if self._engine.dialect.name == "postgresql":
            # A join would be planned as a scan of the whole table (the bounds' selectivity is
            # unknown to it); a lateral subquery is run per series, as an index range scan.
            # OFFSET 0 keeps the planner from pulling it up into such a join.
            stretch = (
                select(*columns)
                .where(stretch_of(table))
                .offset(literal_column("0"))
                .lateral("points")
            )
            points = (
                select(*(stretch.c[column.name] for column in columns))
                .select_from(bounds)
                .join(stretch, true())
                .order_by(*ordered, stretch.c.observed_at)
            )
        else:  # SQLite plans the join as a seek per series (tests/store/test_recent_plan.py)
            points = (
                select(*columns)
                .select_from(bounds)
                .join(table, stretch_of(table))
                .order_by(*ordered, table.c.observed_at)
            )
        compiled = (positional_sql(heads, self._engine), positional_sql(points, self._engine))
        self._recent_statements[family] = compiled
        return compiled
