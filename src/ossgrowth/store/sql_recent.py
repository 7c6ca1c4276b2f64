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
    BindParameter,
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
from ossgrowth.store.statement_shapes import key_chunks
from ossgrowth.store.tables import FAMILY_TABLES, PACKAGES_TABLE, SUBJECTS_TABLE

__all__ = ["RecentStretches"]

_BEFORE_ANY_TIME: ColumnElement[int] = literal_column(str(-(2**62)))
"""An epoch second earlier than any point: the start of a series shorter than the span."""

Row = tuple[Any, ...]


class RecentStretches:
    """The ``read_recent`` method of :class:`~ossgrowth.store.sql.SqlStore` (see ``Store``)."""

    _engine: Engine
    _recent_statements: dict[tuple[Family, int], tuple[str, str, tuple[str, ...]]]

    if TYPE_CHECKING:  # provided by SqlStore (PointTables)

        def _fetch_together(
            self, statements: Sequence[tuple[str, tuple[Any, ...]]]
        ) -> list[list[Row]]: ...

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
        values: dict[str, int | str] = {"span": int(span.total_seconds())}
        if repos is None:
            chunks: list[list[str]] = [[]]
        else:
            chunks = key_chunks(repo.key for repo in repos)
        statements: list[tuple[str, tuple[Any, ...]]] = []
        for chunk in chunks:
            heads_sql, points_sql, order = self._recent_sql(family, len(chunk))
            named = values | {f"k{index}": key for index, key in enumerate(chunk)}
            parameters = tuple(named[name] for name in order)
            # Per chunk two statements: the series (name, package, how many points) and their
            # points in the same order, keyless, so no row has to be cut out of a wider one.
            statements += [(heads_sql, parameters), (points_sql, parameters)]
        fetched = self._fetch_together(statements) if statements else []  # one snapshot
        found: list[Series] = []
        for heads, points in zip(fetched[::2], fetched[1::2], strict=True):
            found.extend(_stretches(family, heads, points))
        return sorted(found, key=lambda series: (series.repo.key, str(series.package or "")))

    def _recent_sql(self, family: Family, key_count: int) -> tuple[str, str, tuple[str, ...]]:
        """The statements of a recent read of ``family`` (its series, their points) of
        ``key_count`` repositories (0: all), and the names of their parameters in order
        (the same for both), compiled once and kept."""
        shape = (family, key_count)
        cached = self._recent_statements.get(shape)
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
        bounds_query = select(*keys, func.coalesce(start, _BEFORE_ANY_TIME).label("start"))
        if key_count:
            names: list[BindParameter[str]] = [bindparam(f"k{index}") for index in range(key_count)]
            named = select(SUBJECTS_TABLE.c.id).where(SUBJECTS_TABLE.c.repo_key.in_(names))
            bounds_query = bounds_query.where(subject_id.in_(named))
        bounds = bounds_query.subquery("bounds")
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
        order = _parameter_order(heads, self._engine)
        if _parameter_order(points, self._engine) != order:  # both take the same values
            raise StoreError(f"the recent read of {family.value} orders its parameters twice")
        compiled = (
            positional_sql(heads, self._engine),
            positional_sql(points, self._engine),
            order,
        )
        self._recent_statements[shape] = compiled
        return compiled


def _parameter_order(statement: Any, engine: Engine) -> tuple[str, ...]:
    compiled = statement.compile(dialect=engine.dialect)
    return tuple(compiled.positiontup or compiled.binds)


def _stretches(family: Family, heads: list[Row], points: list[Row]) -> list[Series]:
    """The series of one chunk: ``heads`` are ``(owner, name, package, how many points)``,
    ``points`` theirs, in the same order."""
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
    return found
