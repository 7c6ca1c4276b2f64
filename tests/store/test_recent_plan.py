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


@pytest.mark.parametrize("key_count", [0, 2], ids=["every-series", "named-repositories"])
@pytest.mark.parametrize("family", list(Family))
def test_a_recent_read_is_a_seek_per_series_on_sqlite(
    tmp_path: Path, family: Family, key_count: int
) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'plan.db'}", environment="dev")
    store.upgrade()
    table = FAMILIES[family].table
    # the series and how many points, the points, and the order of their parameters
    heads, points, order = store._recent_sql(family, key_count)
    values = {"span": 86400} | {f"k{index}": f"octo/r{index}" for index in range(key_count)}
    parameters = tuple(values[name] for name in order)
    with store.engine.connect() as connection:
        plans = [
            [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters)]
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
