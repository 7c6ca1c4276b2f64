"""A leaderboard of 10,000 repositories ranked from the store, against ranking from recent reads.

Seeds N tracked repositories with a year of daily star points (3.65 million for 10,000; sizes
from tens to hundreds of thousands of stars, one repository in five launched during the year)
straight into the store's tables: the subjects through the table, the points by
``executemany`` on SQLite and ``COPY`` on PostgreSQL (the store's write path keeps rollups,
which a ranking does not read). Then ranks them by growth score over 30 days and over a year
through :func:`ossgrowth.leaderboards.build_leaderboard` (one ``Store.values_at`` read and the
pure ranking): the median of ``--repeats`` runs after a warm one, wall and CPU time, garbage
collection on as in a server. The baseline, in the same run: the same ranking made from
``Store.read_recent`` (every point of each series' last two windows: what a ranking reads
without ``values_at``), checked to find the same values and gains. PostgreSQL too when a
server answers at ``--postgres-url``.

    python bench/leaderboard.py [--repos 10000] [--repeats 7] [--postgres-url URL]

Last line: ``repos=<N> rank_ms=<median wall ms, SQLite, 1y> baseline_ratio=<median wall ms of
the read_recent ranking, SQLite, 1y ÷ rank_ms>`` (how many times faster than the baseline).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar

from sqlalchemy import insert

from ossgrowth.leaderboards import build_leaderboard
from ossgrowth.metrics.leaderboard import Contender, RankBy, Standing, Window, rank
from ossgrowth.model import Family, Provenance
from ossgrowth.store import SqlStore
from ossgrowth.store.tables import SUBJECTS_TABLE

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
AS_OF = datetime(2026, 12, 1, tzinfo=UTC)
DAYS = 365
DAY_SECONDS = 86_400
_LABELS = {int(member): member.label for member in Provenance}
T = TypeVar("T")


def _subjects(count: int) -> list[dict[str, object]]:
    added = int((AS_OF - timedelta(days=DAYS)).timestamp())
    return [
        {
            "id": index + 1,
            "owner": "bench",
            "name": f"repo-{index:05d}",
            "repo_key": f"bench/repo-{index:05d}",
            "added_at": added,
        }
        for index in range(count)
    ]


def _points(count: int) -> Iterator[tuple[int, int, int, int, str]]:
    """``(subject_id, observed_at, star_count, provenance, source)``: a point a day for a year
    per repository, the older ones reconstructed, the last 90 days measured. Sizes run from
    tens to hundreds of thousands of stars; one repository in five is launched during the
    year (a handful of stars until its launch day, then it grows fast)."""
    rng = random.Random(15)
    last_day = int(AS_OF.timestamp()) // DAY_SECONDS * DAY_SECONDS
    first_day = last_day - (DAYS - 1) * DAY_SECONDS
    measured_from = last_day - 89 * DAY_SECONDS
    measured, reconstructed = int(Provenance.MEASURED), int(Provenance.RECONSTRUCTED)
    for subject_id in range(1, count + 1):
        launched = rng.random() < 0.2
        stars = rng.randrange(5) if launched else int(rng.lognormvariate(6, 2))
        daily = max(stars, 50) * rng.lognormvariate(-6, 1)
        launch_day = rng.randrange(DAYS) if launched else 0
        for day in range(DAYS):
            if day >= launch_day:
                stars += int(daily * (30 if launched and day - launch_day < 14 else 1)) + 1
            moment = first_day + day * DAY_SECONDS
            provenance = measured if moment >= measured_from else reconstructed
            yield subject_id, moment, stars, provenance, "bench"


def _seed(store: SqlStore, count: int) -> int:
    store.upgrade()
    with store.engine.begin() as connection:
        connection.execute(insert(SUBJECTS_TABLE), _subjects(count))
    raw = store.engine.raw_connection()
    written = 0
    try:
        cursor = raw.cursor()
        if store.engine.dialect.name == "postgresql":
            copy_sql = (
                "COPY star_growth (subject_id, observed_at, star_count, provenance, source) "
                "FROM STDIN"
            )
            with cursor.copy(copy_sql) as copy:  # type: ignore[attr-defined]
                for row in _points(count):
                    copy.write_row(row)
                    written += 1
        else:
            rows = list(_points(count))
            cursor.executemany(
                "INSERT INTO star_growth (subject_id, observed_at, star_count, provenance, "
                "source) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            written = len(rows)
        raw.commit()
        if store.engine.dialect.name == "postgresql":  # as autovacuum would, before reads
            raw.driver_connection.autocommit = True  # type: ignore[union-attr]
            cursor.execute("VACUUM ANALYZE star_growth")
    finally:
        raw.close()
    return written


def _timed(work: Callable[[], T], repeats: int) -> tuple[float, float, T]:
    """Median wall and CPU milliseconds of ``work`` over ``repeats`` runs after a warm one
    (statements compiled, pages cached), garbage collection on as in a server; and its
    result."""
    result = work()
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus), result


def _from_values_at(store: SqlStore, window: Window) -> list[Standing]:
    return build_leaderboard(
        store, Family.STARS, window=window, by=RankBy.SCORE, as_of=AS_OF
    ).standings


def _from_recent(store: SqlStore, window: Window) -> list[Standing]:
    """The same ranking from every point of each series' last two windows."""
    found = store.read_recent(Family.STARS, span=timedelta(seconds=2 * window.seconds))
    contenders = [
        Contender(
            series.repo.full_name,
            None,
            [(row[0], row[1], _LABELS[row[2]]) for row in series.rows],
        )
        for series in found
    ]
    return rank(contenders, window=window, by=RankBy.SCORE, as_of=int(AS_OF.timestamp()))


def _same(left: list[Standing], right: list[Standing]) -> bool:
    """Whether two rankings list the same repositories with the same ranks and figures.

    The recent read's first reading is not each series' oldest point (it starts two windows
    back), so ages, and with them scores, differ for series older than that; ranks by gain do
    not. Compared here: repositories, values, start values, gains."""

    def shown(standings: list[Standing]) -> list[tuple[object, ...]]:
        return sorted(
            (s.repo, s.figures.end[1], s.figures.start[1], s.figures.gain) for s in standings
        )

    return shown(left) == shown(right)


def bench(store: SqlStore, label: str, count: int, repeats: int) -> tuple[float, float]:
    """Seed ``store``, rank it both ways for 30 days and a year; the year's median
    milliseconds from ``values_at`` and from the recent read."""
    began = time.perf_counter()
    written = _seed(store, count)
    print(
        f"{label}: seeded {count:,} repositories, {written:,} points "
        f"in {time.perf_counter() - began:.1f} s"
    )
    year = (0.0, 0.0)
    for window in (Window.MONTH, Window.YEAR):
        fast, fast_cpu, ranked = _timed(partial(_from_values_at, store, window), repeats)
        slow, slow_cpu, baseline = _timed(partial(_from_recent, store, window), 2)
        print(
            f"{label} {window.value}: values_at ranking {fast:.1f} ms (CPU {fast_cpu:.1f}), "
            f"read_recent ranking {slow:.1f} ms (CPU {slow_cpu:.1f}), x{slow / fast:.1f}; "
            f"same values and gains: {_same(ranked, baseline)}"
        )
        year = (fast, slow)
    return year


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = SqlStore(f"sqlite:///{Path(folder) / 'leaderboard.db'}", environment="dev")
        try:
            rank_ms, baseline_ms = bench(store, "sqlite", args.repos, args.repeats)
        finally:
            store.close()
    _postgres(args.postgres_url, args.repos, args.repeats)
    print(f"repos={args.repos} rank_ms={rank_ms:.1f} baseline_ratio={baseline_ms / rank_ms:.1f}")


def _postgres(url: str, count: int, repeats: int) -> None:
    import psycopg

    plain_url = url.replace("postgresql+psycopg://", "postgresql://")
    try:
        psycopg.connect(plain_url, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        print(f"postgres: absent ({str(error).splitlines()[0]})")
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}_leaderboard"
    store = SqlStore(url, environment="dev", schema=schema)
    try:
        bench(store, "postgres", count, repeats)
    finally:
        store.close()
        with psycopg.connect(plain_url, autocommit=True) as cleanup:
            cleanup.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    main()
