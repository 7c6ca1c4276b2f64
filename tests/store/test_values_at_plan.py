"""A read at moments seeks each series on the primary key: it never scans a family table.

A leaderboard of 10,000 repositories over a year reads three values of each, not the 3.65
million points of their year. SQLite's plan is checked here; PostgreSQL's (a nested loop of
index scans: an index-only scan backward per moment, then the rows by their keys) was checked
with EXPLAIN ANALYZE on 10,000 repositories (docs/benchmarks.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ossgrowth.metrics.registry import FAMILIES
from ossgrowth.model import Family
from ossgrowth.store import SqlStore


@pytest.mark.parametrize("family", list(Family))
@pytest.mark.parametrize("repositories", [0, 3])
def test_a_read_at_moments_is_a_few_seeks_per_series_on_sqlite(
    tmp_path: Path, family: Family, repositories: int
) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'plan.db'}", environment="dev")
    store.upgrade()
    table = FAMILIES[family].table
    sql, order = store._values_at_sql(family, 3, repositories)
    with store.engine.connect() as connection:
        plan = [
            row[3]
            for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + sql, tuple(range(len(order)))
            )
        ]
    store.close()
    assert not any(step.startswith(f"SCAN {table}") for step in plan), plan
    assert any(step.startswith(f"SEARCH {table} USING PRIMARY KEY (subject_id=?") for step in plan)
    for alias in ("at0", "at1", "at2"):  # the newest point at or before each moment
        assert f"SEARCH {alias} USING PRIMARY KEY (subject_id=?" in "\n".join(plan), plan
        assert any(step.startswith(f"SEARCH {alias}") and "observed_at<?" in step for step in plan)
    assert any(step.startswith("SEARCH at3 USING PRIMARY KEY") for step in plan)  # the first
    if repositories:  # only the repositories asked for, found by name
        assert any("subjects" in step and "(repo_key=?)" in step for step in plan), plan
