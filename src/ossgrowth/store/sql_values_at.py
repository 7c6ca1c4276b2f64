"""Every series' value at a few moments, in one statement; :class:`SqlStore` inherits it.

A leaderboard of 10,000 repositories over a year needs each one's value now, a year ago and
two years ago, not the 3.65 million points between. One statement finds, for each series (a
subject, or a subject's package for downloads), the time of its newest point at or before
each moment and of its oldest point, each with one seek on the primary key (``max`` and
``min`` of ``observed_at`` under the series' key), then reads those rows by their keys. So it
costs a few seeks per series, however long the histories. SQLite runs the join as a lookup
per series (tests/store/test_values_at_plan.py); PostgreSQL is given a lateral subquery, as the
recent read is, so the rows are read per series rather than by scanning the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
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

from ossgrowth.metrics.registry import definition
from ossgrowth.model import Family, PackageRef, RepoName, Series, to_epoch_seconds
from ossgrowth.store.engines import positional_sql
from ossgrowth.store.statement_shapes import key_chunks
from ossgrowth.store.tables import FAMILY_TABLES, PACKAGES_TABLE, SUBJECTS_TABLE

__all__ = ["ValuesAtMoments"]

Row = tuple[Any, ...]


class ValuesAtMoments:
    """The ``values_at`` method of :class:`~ossgrowth.store.sql.SqlStore` (see ``Store``)."""

    _engine: Engine
    _values_at_statements: dict[tuple[Family, int, int], tuple[str, tuple[str, ...]]]

    if TYPE_CHECKING:  # provided by SqlStore (PointTables)

        def _fetch_together(
            self, statements: Sequence[tuple[str, tuple[Any, ...]]]
        ) -> list[list[Row]]: ...

    def values_at(
        self,
        family: Family,
        moments: Sequence[datetime],
        *,
        repos: Sequence[RepoName] | None = None,
    ) -> list[Series]:
        seconds = sorted({to_epoch_seconds(moment) for moment in moments})
        values: dict[str, int | str] = {f"m{index}": m for index, m in enumerate(seconds)}
        statements: list[tuple[str, tuple[Any, ...]]]
        if repos is None:
            sql, order = self._values_at_sql(family, len(seconds), 0)
            statements = [(sql, tuple(values[name] for name in order))]
        else:
            statements = []
            for chunk in key_chunks(repo.key for repo in repos):
                sql, order = self._values_at_sql(family, len(seconds), len(chunk))
                named = values | {f"k{index}": key for index, key in enumerate(chunk)}
                statements.append((sql, tuple(named[name] for name in order)))
        if not statements:
            return []
        found: list[Series] = []
        for rows in self._fetch_together(statements):
            found.extend(_grouped(family, rows))
        found.sort(key=lambda series: (series.repo.key, str(series.package or "")))
        return found

    def _values_at_sql(
        self, family: Family, moment_count: int, key_count: int
    ) -> tuple[str, tuple[str, ...]]:
        """The statement of a read at ``moment_count`` moments (of ``key_count`` repositories,
        0 for all) and the names of its parameters in order, compiled once and kept."""
        shape = (family, moment_count, key_count)
        cached = self._values_at_statements.get(shape)
        if cached is not None:
            return cached
        statement = _statement(family, moment_count, key_count, self._engine.dialect.name)
        compiled = statement.compile(dialect=self._engine.dialect)
        order = tuple(compiled.positiontup or compiled.binds)
        kept = (positional_sql(statement, self._engine), order)
        self._values_at_statements[shape] = kept
        return kept


def _statement(family: Family, moment_count: int, key_count: int, dialect: str) -> Any:
    row = definition(family)
    table = FAMILY_TABLES[family]
    if row.per_package:
        subject_id = PACKAGES_TABLE.c.subject_id
        package: ColumnElement[Any] = (
            PACKAGES_TABLE.c.ecosystem + literal_column("':'") + PACKAGES_TABLE.c.name
        )
        owners: Any = PACKAGES_TABLE
    else:
        subject_id = SUBJECTS_TABLE.c.id
        package = null()
        owners = SUBJECTS_TABLE

    def in_series(points: Any) -> ColumnElement[bool]:
        matched = points.c.subject_id == subject_id
        return and_(matched, points.c.package == package) if row.per_package else matched

    def seek(moment: BindParameter[int] | None) -> Any:
        """When the series' newest point at or before ``moment`` is (oldest point: None)."""
        points = table.alias(f"at{len(times)}")
        if moment is None:
            found = select(func.min(points.c.observed_at)).where(in_series(points))
        else:
            found = select(func.max(points.c.observed_at)).where(
                in_series(points), points.c.observed_at <= moment
            )
        return found.correlate(owners).scalar_subquery()

    times: list[Any] = []
    for index in range(moment_count):
        times.append(seek(bindparam(f"m{index}")).label(f"at{index}"))
    times.append(seek(None).label("first"))
    bounds_query = select(subject_id.label("subject_id"), package.label("package"), *times)
    if key_count:
        names: list[BindParameter[str]] = [bindparam(f"k{i}") for i in range(key_count)]
        if row.per_package:
            bounds_query = bounds_query.join(SUBJECTS_TABLE, SUBJECTS_TABLE.c.id == subject_id)
        bounds_query = bounds_query.where(SUBJECTS_TABLE.c.repo_key.in_(names))
    bounds = bounds_query.subquery("bounds")
    moments_of_series = [bounds.c[f"at{index}"] for index in range(moment_count)]
    moments_of_series.append(bounds.c.first)

    def kept(points: Any) -> ColumnElement[bool]:
        matched = [points.c.subject_id == bounds.c.subject_id]
        if row.per_package:
            matched.append(points.c.package == bounds.c.package)
        return and_(*matched, points.c.observed_at.in_(moments_of_series))

    columns = [
        table.c.observed_at,
        *(table.c[name] for name in row.field_names),
        table.c.provenance,
        table.c.source,
    ]
    heads = [SUBJECTS_TABLE.c.owner, SUBJECTS_TABLE.c.name, bounds.c.package]
    if dialect == "postgresql":
        # As in the recent read: a join would be planned as a scan of the whole table; a
        # lateral subquery (kept apart by OFFSET 0) is run per series, on the primary key.
        picked = select(*columns).where(kept(table)).offset(literal_column("0")).lateral("picked")
        return (
            select(*heads, *(picked.c[column.name] for column in columns))
            .select_from(bounds)
            .join(SUBJECTS_TABLE, SUBJECTS_TABLE.c.id == bounds.c.subject_id)
            .join(picked, true())
            .order_by(bounds.c.subject_id, bounds.c.package, picked.c.observed_at)
        )
    return (
        select(*heads, *columns)
        .select_from(bounds)
        .join(SUBJECTS_TABLE, SUBJECTS_TABLE.c.id == bounds.c.subject_id)
        .join(table, kept(table))
        .order_by(bounds.c.subject_id, bounds.c.package, table.c.observed_at)
    )


def _grouped(family: Family, rows: list[Row]) -> list[Series]:
    """Rows ``(owner, name, package, *point row)``, ordered by series, as one Series each."""
    found: list[Series] = []
    current: tuple[str, str, str | None] | None = None
    points: list[Row] = []
    for row in rows:
        key = (row[0], row[1], row[2])
        if key != current:
            if current is not None:
                found.append(_series(family, current, points))
            current, points = key, []
        points.append(row[3:])
    if current is not None:
        found.append(_series(family, current, points))
    return found


def _series(family: Family, key: tuple[str, str, str | None], rows: list[Row]) -> Series:
    owner, name, package = key
    stored = None if package is None else PackageRef.from_key(package)
    return Series(RepoName(owner, name), family, stored, tuple(rows))
