"""A shown series reads about ``max_points`` rows from rollups, however long its history.

Five years of 3-hourly stars hold 14,600 points; the dashboard and API ask for at most 1,000
rows of them at any interval. Rows are counted where the store fetches them; SQLite's plan for
each rollup read is an index range on the primary key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ossgrowth.metrics.resample import Interval
from ossgrowth.model import Family, Point, Provenance, RepoName
from ossgrowth.store import SqlStore

REPO = RepoName("octo", "widgets")
START = datetime(2021, 11, 1, tzinfo=UTC)
STEP = timedelta(hours=3)
POINTS = 5 * 365 * 8


@pytest.fixture(scope="module")
def long_store(tmp_path_factory: pytest.TempPathFactory) -> SqlStore:
    path: Path = tmp_path_factory.mktemp("rollups") / "long.db"
    store = SqlStore(f"sqlite:///{path}", environment="dev")
    store.upgrade()
    store.add_subject(REPO, [], added_at=START)
    store.write_points(
        Point(
            REPO,
            Family.STARS,
            START + step * STEP,
            {"star_count": 10 + step // 3},
            Provenance.MEASURED,
            "t",
        )
        for step in range(POINTS)
    )
    return store


class CountingStore(SqlStore):
    """Counts the rows each read fetches."""

    fetched: list[int]

    def _fetch_together(
        self, statements: Sequence[tuple[str, tuple[Any, ...]]]
    ) -> list[list[tuple[Any, ...]]]:
        found = super()._fetch_together(statements)
        self.fetched.extend(len(rows) for rows in found)
        return found


@pytest.mark.parametrize("interval", list(Interval))
@pytest.mark.parametrize(
    "start",
    [None, START + timedelta(days=17, hours=5), START + timedelta(days=3 * 365 + 100, hours=2)],
)
def test_a_long_series_reads_about_max_points_rows(
    long_store: SqlStore, interval: Interval, start: datetime | None
) -> None:
    store = CountingStore(str(long_store.engine.url), environment="dev")
    store.fetched = []
    shown = store.read_shown(REPO, Family.STARS, interval=interval, max_points=1000, start=start)
    assert shown.rows and len(shown.rows) <= 1000
    assert sum(store.fetched) <= 1100, (interval, store.fetched)
    store.close()


def test_rollup_reads_are_index_ranges(long_store: SqlStore) -> None:
    sql = long_store._rollup_sql(Family.STARS, True)
    with long_store.engine.connect() as connection:
        plan = [
            row[3]
            for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + sql, (REPO.key, 0, 2, 0, 1 << 40)
            )
        ]
    wanted = "SEARCH star_growth_rollup USING PRIMARY KEY (subject_id=? AND base=? AND depth=?"
    assert any(step.startswith(wanted) and "observed_at>" in step for step in plan), plan
    assert not any(step.startswith("SCAN") for step in plan), plan
