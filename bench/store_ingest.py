"""Store ingest and read cost against the raw driver, measured in the same run.

Writes N points (subjects x timestamps, star family) through the Store in batches, and the same
rows through the raw driver (sqlite3 / psycopg ``executemany`` of the same idempotent upsert)
into the same schema; then reads one subject's full series both ways. Ratios are store time
divided by raw time (lower is better; 1.0 means no overhead). A backend that is absent prints
``na``.

    python bench/store_ingest.py [--points 1000000] [--subjects 1000] [--batch 10000]

Last line: ``ingest_ratio_sqlite=<x> ingest_ratio_postgres=<y> read_ratio_sqlite=<a>
read_ratio_postgres=<b>``.
"""

from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from ossgrowth.model import Family, Point, Provenance, RepoName
from ossgrowth.store import SqlStore
from ossgrowth.store.engines import SQLITE_BUSY_TIMEOUT_SECONDS

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START = datetime(2021, 1, 1, tzinfo=UTC)
STEP = timedelta(hours=3)
SOURCE = "bench"

UPSERT = (
    "INSERT INTO star_growth (subject_id, observed_at, star_count, provenance, source) "
    "VALUES ({p}, {p}, {p}, {p}, {p}) ON CONFLICT (subject_id, observed_at) DO UPDATE SET "
    "star_count = excluded.star_count, provenance = excluded.provenance, "
    "source = excluded.source WHERE excluded.provenance >= star_growth.provenance"
)
READ = (
    "SELECT star_growth.observed_at, star_growth.star_count, star_growth.provenance, "
    "star_growth.source FROM star_growth JOIN subjects ON subjects.id = star_growth.subject_id "
    "WHERE subjects.repo_key = {p} ORDER BY star_growth.observed_at"
)


def _repos(count: int) -> list[RepoName]:
    return [RepoName("bench", f"repo-{index:05d}") for index in range(count)]


def _points(repos: list[RepoName], per_subject: int) -> list[Point]:
    return [
        Point(
            repo,
            Family.STARS,
            START + STEP * step,
            {"star_count": step},
            Provenance.MEASURED,
            SOURCE,
        )
        for repo in repos
        for step in range(per_subject)
    ]


def _rows(subject_ids: list[int], per_subject: int) -> list[tuple[int, int, int, int, str]]:
    start = int(START.timestamp())
    seconds = int(STEP.total_seconds())
    return [
        (subject_id, start + seconds * step, step, int(Provenance.MEASURED), SOURCE)
        for subject_id in subject_ids
        for step in range(per_subject)
    ]


def _fresh_store(url: str, schema: str | None) -> SqlStore:
    store = SqlStore(url, environment="dev", schema=schema)
    store.upgrade()
    return store


def _subject_ids(store: SqlStore, repos: list[RepoName]) -> list[int]:
    for repo in repos:
        store.add_subject(repo, [], added_at=START)
    with store.engine.connect() as connection:
        found = dict(connection.exec_driver_sql("SELECT repo_key, id FROM subjects").all())
    return [found[repo.key] for repo in repos]


def _timed(action: Callable[[], object]) -> float:
    """Seconds ``action`` takes, garbage collection held off (as timeit does) for both sides."""
    gc.collect()
    gc.disable()
    try:
        began = time.perf_counter()
        action()
        return time.perf_counter() - began
    finally:
        gc.enable()


def _median_of(action: Callable[[], object], repeats: int) -> float:
    return statistics.median(_timed(action) for _ in range(repeats))


def _chunks(items: list, size: int) -> list[list]:  # type: ignore[type-arg]
    return [items[start : start + size] for start in range(0, len(items), size)]


def bench_sqlite(
    repos: list[RepoName], per_subject: int, batch: int, repeats: int
) -> tuple[float, float]:
    folder = Path(tempfile.mkdtemp(prefix="ossgrowth-bench-"))
    store = _fresh_store(f"sqlite:///{folder / 'store.db'}", None)
    _subject_ids(store, repos)
    raw_store = _fresh_store(f"sqlite:///{folder / 'raw.db'}", None)
    ids = _subject_ids(raw_store, repos)
    raw_store.close()
    connection = sqlite3.connect(
        folder / "raw.db", timeout=SQLITE_BUSY_TIMEOUT_SECONDS, isolation_level=None
    )
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        connection.execute(f"PRAGMA {pragma}")
    upsert = UPSERT.format(p="?")

    def raw_write(chunk: list[tuple[int, int, int, int, str]]) -> None:
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(upsert, chunk)
        connection.execute("COMMIT")

    store_seconds, raw_seconds = _ingest_interleaved(
        store, raw_write, repos, ids, per_subject, batch
    )

    probe = repos[len(repos) // 2]
    read = READ.format(p="?")
    store_read = _median_of(lambda: store.read_series(probe, Family.STARS), repeats)
    raw_read = _median_of(lambda: connection.execute(read, (probe.key,)).fetchall(), repeats)
    _report("sqlite", len(repos) * per_subject, store_seconds, raw_seconds, store_read, raw_read)
    connection.close()
    store.close()
    return store_seconds / raw_seconds, store_read / raw_read


def bench_postgres(
    url: str, repos: list[RepoName], per_subject: int, batch: int, repeats: int
) -> tuple[float, float] | None:
    import psycopg

    plain_url = url.replace("postgresql+psycopg://", "postgresql://")
    try:
        psycopg.connect(plain_url, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        print(f"postgres: absent ({str(error).splitlines()[0]})")
        return None
    tag = uuid.uuid4().hex[:8]
    store_schema, raw_schema = f"bench_{tag}_store", f"bench_{tag}_raw"
    try:
        store = _fresh_store(url, store_schema)
        _subject_ids(store, repos)
        raw_store = _fresh_store(url, raw_schema)
        ids = _subject_ids(raw_store, repos)
        raw_store.close()
        connection = psycopg.connect(plain_url, options=f"-c search_path={raw_schema}")
        upsert = UPSERT.format(p="%s")

        def raw_write(chunk: list[tuple[int, int, int, int, str]]) -> None:
            with connection.transaction(), connection.cursor() as cursor:
                cursor.executemany(upsert, chunk)

        store_seconds, raw_seconds = _ingest_interleaved(
            store, raw_write, repos, ids, per_subject, batch
        )

        probe = repos[len(repos) // 2]
        read = READ.format(p="%s")

        def raw_read_once() -> None:
            with connection.cursor() as cursor:
                cursor.execute(read, (probe.key,))
                cursor.fetchall()

        store_read = _median_of(lambda: store.read_series(probe, Family.STARS), repeats)
        raw_read = _median_of(raw_read_once, repeats)
        _report(
            "postgres", len(repos) * per_subject, store_seconds, raw_seconds, store_read, raw_read
        )
        connection.close()
        store.close()
        return store_seconds / raw_seconds, store_read / raw_read
    finally:
        with psycopg.connect(plain_url, autocommit=True) as cleanup:
            for schema in (store_schema, raw_schema):
                cleanup.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _ingest_interleaved(
    store: SqlStore,
    raw_write: Callable[[list[tuple[int, int, int, int, str]]], None],
    repos: list[RepoName],
    ids: list[int],
    per_subject: int,
    batch: int,
) -> tuple[float, float]:
    """Write the same rows both ways, batch by batch, alternating, so machine noise hits both.

    Points and raw tuples are built before each timed call: neither side pays for making data.
    """
    store_seconds = raw_seconds = 0.0
    subjects_per_batch = max(1, batch // per_subject)
    for first in range(0, len(repos), subjects_per_batch):
        points = _points(repos[first : first + subjects_per_batch], per_subject)
        rows = _rows(ids[first : first + subjects_per_batch], per_subject)
        for chunk_points, chunk_rows in zip(
            _chunks(points, batch), _chunks(rows, batch), strict=True
        ):
            store_seconds += _timed(partial(store.write_points, chunk_points))
            raw_seconds += _timed(partial(raw_write, chunk_rows))
    return store_seconds, raw_seconds


def _report(
    name: str,
    count: int,
    store_seconds: float,
    raw_seconds: float,
    store_read: float,
    raw_read: float,
) -> None:
    print(
        f"{name}: ingest {count:,} points store {store_seconds:.2f}s "
        f"({count / store_seconds:,.0f}/s) "
        f"raw {raw_seconds:.2f}s ({count / raw_seconds:,.0f}/s); read one series store "
        f"{store_read * 1000:.3f}ms raw {raw_read * 1000:.3f}ms"
    )


def _format(ratio: float | None) -> str:
    return "na" if ratio is None else f"{ratio:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--subjects", type=int, default=1_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--read-repeats", type=int, default=200)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("OSSGROWTH_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL),
    )
    args = parser.parse_args()
    subjects = max(1, min(args.subjects, args.points))
    per_subject = max(1, args.points // subjects)
    repos = _repos(subjects)
    print(
        f"points={subjects * per_subject:,} subjects={subjects:,} "
        f"per_subject={per_subject:,} batch={args.batch:,}"
    )
    sqlite_ratios = bench_sqlite(repos, per_subject, args.batch, args.read_repeats)
    postgres_ratios = bench_postgres(
        args.postgres_url, repos, per_subject, args.batch, args.read_repeats
    )
    print(
        f"ingest_ratio_sqlite={_format(sqlite_ratios[0])} "
        f"ingest_ratio_postgres={_format(postgres_ratios[0] if postgres_ratios else None)} "
        f"read_ratio_sqlite={_format(sqlite_ratios[1])} "
        f"read_ratio_postgres={_format(postgres_ratios[1] if postgres_ratios else None)}"
    )


if __name__ == "__main__":
    main()
