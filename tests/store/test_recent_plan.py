"""A recent read seeks each series on the primary key: it never scans a family table.

An overview reads the last 30 days of 1,000 repositories' stars; a scan would read their whole
history (15 million points over 5 years). SQLite's plan is checked here; PostgreSQL's, a nested
loop of index range scans (a lateral subquery), was checked with EXPLAIN ANALYZE on 1,000
repositories (docs/storage.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ossgrowth.metrics.registry import FAMILIES
from ossgrowth.model import Family
from ossgrowth.store import SqlStore


@pytest.mark.parametrize("family", list(Family))
def test_a_recent_read_is_a_seek_per_series_on_sqlite(tmp_path: Path, family: Family) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'plan.db'}", environment="dev")
    store.upgrade()
    table = FAMILIES[family].table
    heads, points = store._recent_sql(family)  # the series and how many points, the points
    with store.engine.connect() as connection:
        plans = [
            [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, (86400,))]
            for sql in (heads, points)
        ]
    store.close()
    for plan, read in zip(
        plans, ("n USING PRIMARY KEY", f"{table} USING PRIMARY KEY"), strict=True
    ):
        assert not any(step.startswith(("SCAN n", f"SCAN {table}")) for step in plan), plan
        assert any(step.startswith(f"SEARCH {read} (subject_id=?") for step in plan), plan
        for alias in ("newest", "earlier"):  # where each stretch starts: two seeks
            assert any(step.startswith(f"SEARCH {alias} USING PRIMARY KEY") for step in plan), plan
