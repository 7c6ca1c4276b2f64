"""The contract every store backend keeps, run against each of them."""

from __future__ import annotations

import multiprocessing
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ossgrowth.alert_types import (
    AlertEvent,
    AlertRule,
    Channel,
    DeliveryStatus,
    RuleKind,
    Scope,
)
from ossgrowth.checkpoints import BackfillStatus, PageCheckpoint
from ossgrowth.errors import InputError, StoreError
from ossgrowth.metrics.resample import Interval, aggregate
from ossgrowth.metrics.rollups import downsample
from ossgrowth.model import (
    Ecosystem,
    Family,
    PackageRef,
    Point,
    Provenance,
    RepoName,
    Run,
    RunStatus,
)
from ossgrowth.store import DynamoStore, ManagedStore, SqlStore, Store, store_at
from ossgrowth.store.sql_rollups import ROLLUPS_PENDING_KEY, _all_series
from ossgrowth.store.tables import META_TABLE, ROLLUP_TABLES
from tests.conftest import POSTGRES_URL

AnyStore = Any
"""A store of the backend under test (SqlStore or DynamoStore)."""
StoreFactory = Callable[..., AnyStore]
T0 = datetime(2026, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
REPO = RepoName("octo", "widgets")
OTHER = RepoName("octo", "gadgets")
NPM = PackageRef(Ecosystem.NPM, "widgets")
PYPI = PackageRef(Ecosystem.PYPI, "widgets")


def store_location(
    backend: str, tmp_path: Path, prefix: str | None, environment: str
) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / f'{environment}.db'}", None
    if backend == "dynamodb":
        return f"dynamodb://?region=us-west-2&endpoint={prefix}&table_prefix={tmp_path.name}-", None
    return POSTGRES_URL, f"{prefix}_{environment}"


_LOCATIONS: dict[int, tuple[str, str | None]] = {}
"""Where each store under test lives (its URL and schema), to open it again in a process."""


def location(store: AnyStore) -> tuple[str, str | None]:
    return _LOCATIONS[id(store)]


def sql_only(store: AnyStore, why: str) -> None:
    if not isinstance(store, SqlStore):
        pytest.skip(f"SQL stores only: {why}")


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("dynamodb", marks=pytest.mark.dynamodb),
    ]
)
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens migrated stores of one backend, one per environment asked for; DynamoDB is moto
    in server mode, each test's tables under a prefix of its own."""
    backend = request.param
    prefix: str | None = None
    if backend == "postgres":
        prefix = request.getfixturevalue("postgres_schema_prefix")
    elif backend == "dynamodb":
        request.getfixturevalue("aws_credentials")
        prefix = request.getfixturevalue("moto_endpoint")
    opened: list[ManagedStore] = []

    def factory(environment: str = "dev", *, as_environment: str | None = None) -> AnyStore:
        url, schema = store_location(backend, tmp_path, prefix, environment)
        if backend == "dynamodb" and as_environment is not None:
            pytest.skip("DynamoDB tables are named by environment: no store opens another's")
        store = store_at(url, environment=as_environment or environment, schema=schema)
        _LOCATIONS[id(store)] = (url, schema)
        opened.append(store)
        store.upgrade()
        return store

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store: StoreFactory) -> SqlStore:
    store = make_store()
    store.add_subject(REPO, [NPM, PYPI], added_at=T0)
    store.add_subject(OTHER, [], added_at=T0)
    return store


def stars(
    count: int, at: datetime, *, repo: RepoName = REPO, provenance: Provenance = Provenance.MEASURED
) -> Point:
    return Point(repo, Family.STARS, at, {"star_count": count}, provenance, "test")


def test_store_satisfies_the_protocol(store: SqlStore) -> None:
    assert isinstance(store, SqlStore | DynamoStore)
    typed: Store = store
    assert typed.environment == "dev"


def test_writing_the_same_point_twice_leaves_one_point(store: SqlStore) -> None:
    store.write_points([stars(10, T0)])
    store.write_points([stars(10, T0)])
    series = store.read_series(REPO, Family.STARS)
    assert series.epoch_seconds == [int(T0.timestamp())]
    assert series.columns == {"star_count": [10]}


def test_a_rewrite_with_equal_provenance_replaces_the_values(store: SqlStore) -> None:
    store.write_points([stars(10, T0)])
    store.write_points([stars(12, T0)])
    assert store.read_series(REPO, Family.STARS).columns["star_count"] == [12]


def test_measured_points_win_over_reconstructed_ones_at_the_same_moment(store: SqlStore) -> None:
    store.write_points([stars(10, T0)])
    store.write_points([stars(9, T0, provenance=Provenance.RECONSTRUCTED)])
    assert store.read_series(REPO, Family.STARS).columns["star_count"] == [10]
    store.write_points([stars(7, T0 + timedelta(days=1), provenance=Provenance.ESTIMATED)])
    store.write_points([stars(8, T0 + timedelta(days=1), provenance=Provenance.RECONSTRUCTED)])
    series = store.read_series(REPO, Family.STARS)
    assert series.columns["star_count"] == [10, 8]
    assert series.provenance == [Provenance.MEASURED, Provenance.RECONSTRUCTED]


def test_a_batch_is_written_whole_or_not_at_all(store: SqlStore) -> None:
    stranger = RepoName("nobody", "tracks-this")
    batch = [stars(1, T0), stars(2, T0 + timedelta(hours=3)), stars(3, T0, repo=stranger)]
    with pytest.raises(InputError, match="not tracked"):
        store.write_points(batch)
    assert len(store.read_series(REPO, Family.STARS)) == 0


def test_range_reads_include_both_boundaries_and_nothing_outside(store: SqlStore) -> None:
    moments = [T0 + timedelta(hours=3 * step) for step in range(10)]
    store.write_points([stars(step, moment) for step, moment in enumerate(moments)])
    series = store.read_series(REPO, Family.STARS, start=moments[2], end=moments[5])
    assert series.columns["star_count"] == [2, 3, 4, 5]
    just_inside = store.read_series(
        REPO, Family.STARS, start=moments[2] - timedelta(seconds=1), end=moments[2]
    )
    assert just_inside.columns["star_count"] == [2]
    outside = store.read_series(
        REPO,
        Family.STARS,
        start=moments[2] + timedelta(seconds=1),
        end=moments[3] - timedelta(seconds=1),
    )
    assert len(outside) == 0
    assert store.read_series(REPO, Family.STARS, start=moments[8]).columns["star_count"] == [8, 9]
    assert store.read_series(REPO, Family.STARS, end=moments[1]).columns["star_count"] == [0, 1]


def test_series_come_back_in_time_order_whatever_the_write_order(store: SqlStore) -> None:
    moments = [T0 + timedelta(days=day) for day in (5, 1, 3, 2, 4)]
    store.write_points([stars(moment.day, moment) for moment in moments])
    series = store.read_series(REPO, Family.STARS)
    assert series.epoch_seconds == sorted(series.epoch_seconds)


def test_null_ratios_round_trip_as_null(store: SqlStore) -> None:
    points = [
        Point(
            REPO,
            Family.PRS,
            T0,
            {"open_prs": 0, "merged_prs": 4, "ratio": None},
            Provenance.MEASURED,
            "t",
        ),
        Point(
            REPO,
            Family.ISSUES,
            T0,
            {"open_issues": 0, "closed_issues": 0, "ratio": None},
            Provenance.MEASURED,
            "t",
        ),
        Point(
            REPO,
            Family.PRS,
            T0 + timedelta(days=1),
            {"open_prs": 4, "merged_prs": 2, "ratio": 0.5},
            Provenance.MEASURED,
            "t",
        ),
    ]
    store.write_points(points)
    prs = store.read_series(REPO, Family.PRS)
    assert prs.columns["ratio"] == [None, 0.5]
    assert store.read_series(REPO, Family.ISSUES).columns["ratio"] == [None]
    assert list(prs.points()) == [points[0], points[2]]


def test_provenance_and_source_round_trip(store: SqlStore) -> None:
    written = [
        Point(
            REPO,
            Family.STARS,
            T0 + timedelta(days=index),
            {"star_count": index},
            provenance,
            source,
        )
        for index, (provenance, source) in enumerate(
            [
                (Provenance.MEASURED, "github-graphql"),
                (Provenance.RECONSTRUCTED, "github-stargazers-history"),
                (Provenance.ESTIMATED, "interpolated"),
            ]
        )
    ]
    store.write_points(written)
    assert list(store.read_series(REPO, Family.STARS).points()) == written


def test_downloads_are_kept_per_package(store: SqlStore) -> None:
    def downloads(package: PackageRef, weekly: int) -> Point:
        return Point(
            REPO,
            Family.DOWNLOADS,
            T0,
            {"weekly_downloads": weekly, "total_downloads": weekly * 10},
            Provenance.MEASURED,
            "t",
            package,
        )

    store.write_points([downloads(NPM, 100), downloads(PYPI, 7)])
    assert store.read_series(REPO, Family.DOWNLOADS, package=NPM).columns["weekly_downloads"] == [
        100
    ]
    assert store.read_series(REPO, Family.DOWNLOADS, package=PYPI).columns["total_downloads"] == [
        70
    ]
    newest = {
        str(point.package): point.values["weekly_downloads"]
        for point in store.latest_points(Family.DOWNLOADS)
    }
    assert newest == {"npm:widgets": 100, "pypi:widgets": 7}
    with pytest.raises(InputError, match="package"):
        store.read_series(REPO, Family.DOWNLOADS)


def test_latest_points_give_the_newest_point_of_each_subject(store: SqlStore) -> None:
    store.write_points(
        [stars(1, T0), stars(5, T0 + timedelta(days=2)), stars(3, T0 + timedelta(days=1))]
    )
    store.write_points([stars(40, T0, repo=OTHER)])
    newest = {
        point.repo.full_name: (point.values["star_count"], point.observed_at)
        for point in store.latest_points(Family.STARS)
    }
    assert newest == {"octo/widgets": (5, T0 + timedelta(days=2)), "octo/gadgets": (40, T0)}
    assert store.latest_points(Family.PRS) == []


def test_a_recent_read_gives_each_series_from_span_before_its_newest_point(
    store: SqlStore,
) -> None:
    day = timedelta(days=1)
    store.write_points([stars(count, T0 + count * day) for count in range(10)])
    store.write_points([stars(40, T0, repo=OTHER), stars(41, T0 + day, repo=OTHER)])
    found = store.read_recent(Family.STARS, span=timedelta(days=3, hours=12))
    assert [(series.repo, series.family, series.package) for series in found] == [
        (OTHER, Family.STARS, None),
        (REPO, Family.STARS, None),
    ]
    gadgets, widgets = found
    assert widgets.columns["star_count"] == [5, 6, 7, 8, 9]  # day 5 tells the value at 5.5
    assert gadgets.columns["star_count"] == [40, 41]  # shorter than the span: whole
    assert list(widgets.points()) == list(
        store.read_series(REPO, Family.STARS, start=T0 + 5 * day).points()
    )
    on_the_edge = store.read_recent(Family.STARS, span=timedelta(days=3))
    assert on_the_edge[1].columns["star_count"] == [6, 7, 8, 9]
    newest = store.read_recent(Family.STARS, span=timedelta(0))
    assert [series.columns["star_count"] for series in newest] == [[41], [9]]


def test_a_recent_read_gives_downloads_per_package_and_skips_series_without_points(
    store: SqlStore,
) -> None:
    def downloads(package: PackageRef, at: datetime, weekly: int) -> Point:
        values = {"weekly_downloads": weekly, "total_downloads": None}
        return Point(REPO, Family.DOWNLOADS, at, values, Provenance.MEASURED, "t", package)

    week = timedelta(days=7)
    store.write_points([downloads(NPM, T0 + step * week, 100 + step) for step in range(5)])
    store.write_points([downloads(PYPI, T0, 7)])
    found = store.read_recent(Family.DOWNLOADS, span=week)
    assert [(series.repo, series.package) for series in found] == [(REPO, NPM), (REPO, PYPI)]
    assert found[0].columns == {"weekly_downloads": [103, 104], "total_downloads": [None, None]}
    assert found[1].columns["weekly_downloads"] == [7]
    assert store.read_recent(Family.PRS, span=week) == []
    with pytest.raises(InputError, match="negative"):
        store.read_recent(Family.STARS, span=timedelta(seconds=-1))


def test_a_recent_read_of_named_repositories_gives_theirs_only(store: SqlStore) -> None:
    day = timedelta(days=1)
    store.write_points([stars(count, T0 + count * day) for count in range(4)])
    store.write_points([stars(40, T0, repo=OTHER), stars(41, T0 + day, repo=OTHER)])
    span = timedelta(days=1)
    everything = store.read_recent(Family.STARS, span=span)
    mixed_case = RepoName("Octo", "WIDGETS")
    untracked = RepoName("octo", "nothing")
    named = store.read_recent(Family.STARS, span=span, repos=[mixed_case, untracked, REPO])
    assert named == [series for series in everything if series.repo == REPO]
    assert named[0].columns["star_count"] == [2, 3]
    assert store.read_recent(Family.STARS, span=span, repos=[OTHER, REPO]) == everything
    assert store.read_recent(Family.STARS, span=span, repos=[]) == []
    weekly = {"weekly_downloads": 5, "total_downloads": None}
    store.write_points([Point(REPO, Family.DOWNLOADS, T0, weekly, Provenance.MEASURED, "t", NPM)])
    assert store.read_recent(Family.DOWNLOADS, span=span, repos=[OTHER]) == []
    (downloads,) = store.read_recent(Family.DOWNLOADS, span=span, repos=[REPO])
    assert (downloads.package, downloads.columns["weekly_downloads"]) == (NPM, [5])


def test_values_at_give_each_series_its_first_point_and_its_point_at_each_moment(
    store: SqlStore,
) -> None:
    day = timedelta(days=1)
    store.write_points([stars(count, T0 + count * day) for count in range(10)])
    store.write_points(
        [
            stars(40, T0 + 5 * day, repo=OTHER, provenance=Provenance.RECONSTRUCTED),
            stars(41, T0 + 6 * day, repo=OTHER),
        ]
    )
    moments = [T0 + 7 * day, T0 + day * 2.5, T0 - day, T0 + 7 * day]
    found = store.values_at(Family.STARS, moments)
    assert [(series.repo, series.family, series.package) for series in found] == [
        (OTHER, Family.STARS, None),
        (REPO, Family.STARS, None),
    ]
    gadgets, widgets = found
    whole = store.read_series(REPO, Family.STARS).rows
    assert list(widgets.rows) == [whole[0], whole[2], whole[7]]  # first, at 2.5 days, at 7
    assert gadgets.columns["star_count"] == [40, 41]  # nothing by 2.5 days: its first point
    assert gadgets.provenance == [Provenance.RECONSTRUCTED, Provenance.MEASURED]
    assert gadgets.sources == ["test", "test"]
    exactly = store.values_at(Family.STARS, [T0 + 5 * day], repos=[OTHER])
    assert [series.columns["star_count"] for series in exactly] == [[40]]  # at it, inclusive
    only_first = store.values_at(Family.STARS, [])
    assert [series.columns["star_count"] for series in only_first] == [[40], [0]]


def test_values_at_read_only_the_repositories_asked_for(store: SqlStore) -> None:
    store.write_points([stars(1, T0), stars(2, T0, repo=OTHER)])
    untracked = RepoName("nobody", "tracks-this")
    asked = [RepoName("OCTO", "Gadgets"), untracked]
    found = store.values_at(Family.STARS, [T0], repos=asked)
    assert [(series.repo, series.columns["star_count"]) for series in found] == [(OTHER, [2])]
    assert store.values_at(Family.STARS, [T0], repos=[]) == []
    assert store.values_at(Family.STARS, [T0], repos=[untracked]) == []


def test_values_at_give_downloads_per_package_and_skip_series_without_points(
    store: SqlStore,
) -> None:
    def downloads(package: PackageRef, at: datetime, weekly: int) -> Point:
        values = {"weekly_downloads": weekly, "total_downloads": None}
        return Point(REPO, Family.DOWNLOADS, at, values, Provenance.MEASURED, "t", package)

    week = timedelta(days=7)
    store.write_points([downloads(NPM, T0 + step * week, 100 + step) for step in range(5)])
    store.write_points([downloads(PYPI, T0 + 2 * week, 7)])
    found = store.values_at(Family.DOWNLOADS, [T0 + week * 1.5], repos=[REPO, OTHER])
    assert [(series.repo, series.package) for series in found] == [(REPO, NPM), (REPO, PYPI)]
    assert found[0].columns == {"weekly_downloads": [100, 101], "total_downloads": [None, None]}
    assert found[1].columns["weekly_downloads"] == [7]  # after the moment: its first point only
    assert store.values_at(Family.PRS, [T0]) == []


def test_subjects_are_listed_found_case_insensitively_and_merged_on_retrack(
    store: SqlStore,
) -> None:
    assert [subject.repo.full_name for subject in store.list_subjects()] == [
        "octo/gadgets",
        "octo/widgets",
    ]
    found = store.get_subject(RepoName("OCTO", "Widgets"))
    assert found is not None and found.repo == REPO and found.packages == (NPM, PYPI)
    extra = PackageRef(Ecosystem.NPM, "widgets-cli")
    merged = store.add_subject(
        RepoName("Octo", "WIDGETS"), [extra, NPM], added_at=T0 + timedelta(days=9)
    )
    assert merged.repo == REPO
    assert set(merged.packages) == {NPM, PYPI, extra}
    assert merged.added_at == T0
    assert store.get_subject(RepoName("octo", "absent")) is None


def test_removing_a_subject_deletes_its_points_and_nothing_else(store: SqlStore) -> None:
    store.write_points([stars(1, T0), stars(2, T0, repo=OTHER)])
    assert store.remove_subject(REPO) is True
    assert store.remove_subject(REPO) is False
    assert store.get_subject(REPO) is None
    assert store.count_points(REPO) == dict.fromkeys(Family, 0)
    assert store.count_points(OTHER)[Family.STARS] == 1


def test_a_renamed_repository_keeps_its_history(store: SqlStore) -> None:
    store.write_points([stars(1, T0)])
    renamed = RepoName("octo-org", "widgets-ng")
    subject = store.set_identity(REPO, node_id="R_kgDOexample", current=renamed)
    assert subject.repo == renamed and subject.github_node_id == "R_kgDOexample"
    assert store.get_subject(REPO) is None
    assert store.read_series(renamed, Family.STARS).columns["star_count"] == [1]
    with pytest.raises(StoreError, match="tracked already"):
        store.set_identity(renamed, node_id="R_kgDOexample", current=OTHER)


def test_environments_are_isolated(make_store: StoreFactory) -> None:
    staging, prod = make_store("staging"), make_store("prod")
    for each in (staging, prod):
        each.add_subject(REPO, [], added_at=T0)
    staging.write_points([stars(99, T0)])
    assert len(staging.read_series(REPO, Family.STARS)) == 1
    assert len(prod.read_series(REPO, Family.STARS)) == 0
    assert prod.latest_points(Family.STARS) == []
    assert prod.read_recent(Family.STARS, span=timedelta(days=30)) == []
    assert len(staging.read_recent(Family.STARS, span=timedelta(days=30))) == 1


def test_a_store_refuses_data_of_another_environment(make_store: StoreFactory) -> None:
    make_store("staging")
    with pytest.raises(StoreError, match="holds 'staging' data"):
        make_store("staging", as_environment="prod")


def test_runs_round_trip_newest_first(store: SqlStore) -> None:
    first = store.record_run(Run(job="collect:stars", environment="dev", started_at=T0))
    assert first.id is not None
    finished = store.record_run(
        Run(
            id=first.id,
            job="collect:stars",
            environment="dev",
            started_at=T0,
            finished_at=T0 + timedelta(minutes=2),
            status=RunStatus.PARTIAL,
            counts={"subjects_ok": 9, "subjects_failed": 1},
            error="octo/gone: NOT_FOUND",
            requests_spent=12,
        )
    )
    later = store.record_run(
        Run(job="backfill", environment="dev", started_at=T0 + timedelta(hours=1))
    )
    runs = store.list_runs()
    assert [run.id for run in runs] == [later.id, first.id]
    assert runs[1] == finished
    assert store.list_runs(limit=1) == [later]


def test_runs_are_listed_by_job_and_its_parts_status_and_start(store: SqlStore) -> None:
    def run(job: str, hours: int, status: RunStatus) -> Run:
        started = T0 + timedelta(hours=hours)
        return store.record_run(Run(job=job, environment="dev", started_at=started, status=status))

    whole = run("collect:stars", 0, RunStatus.SUCCEEDED)
    part = run("collect:stars#2/3", 1, RunStatus.PARTIAL)
    other = run("collect:stars_x", 2, RunStatus.SUCCEEDED)  # a _ is no wildcard
    wild = run("collect:prs+issues", 3, RunStatus.FAILED)
    assert store.list_runs(job="collect:stars") == [part, whole]
    assert store.list_runs(job="collect:st%") == []  # nor is a %
    assert store.list_runs(status=RunStatus.SUCCEEDED) == [other, whole]
    assert store.list_runs(since=T0 + timedelta(hours=1)) == [wild, other, part]
    assert store.list_runs(job="collect:stars", since=T0 + timedelta(minutes=1)) == [part]
    assert store.list_runs(status=RunStatus.FAILED, limit=5) == [wild]


def test_count_points_counts_each_family(store: SqlStore) -> None:
    store.write_points([stars(step, T0 + timedelta(hours=step)) for step in range(5)])
    counts = store.count_points(REPO)
    assert counts[Family.STARS] == 5 and counts[Family.PRS] == 0


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    open_count=st.integers(min_value=0, max_value=2**62),
    merged_count=st.integers(min_value=0, max_value=2**62),
    ratio=st.none() | st.floats(min_value=0, max_value=1e12, allow_nan=False),
    seconds=st.integers(min_value=0, max_value=4_000_000_000),
)
def test_any_values_round_trip_exactly(
    store: SqlStore, open_count: int, merged_count: int, ratio: float | None, seconds: int
) -> None:
    moment = datetime.fromtimestamp(seconds, UTC)
    point = Point(
        REPO,
        Family.PRS,
        moment,
        {"open_prs": open_count, "merged_prs": merged_count, "ratio": ratio},
        Provenance.MEASURED,
        "t",
    )
    store.write_points([point])
    read = store.read_series(REPO, Family.PRS, start=moment, end=moment)
    assert list(read.points()) == [point]


def _write_many(url: str, schema: str | None, writer: int, batches: int) -> None:
    store = store_at(url, environment="dev", schema=schema)
    for batch in range(batches):
        store.write_points(
            [
                stars(batch, T0 + timedelta(minutes=writer * 100_000 + batch * 10 + offset))
                for offset in range(10)
            ]
        )
    store.close()


def test_concurrent_writers_from_two_processes_lose_nothing(store: SqlStore) -> None:
    url, schema = location(store)
    batches = 15 if isinstance(store, DynamoStore) else 60  # a stand-in serving one at a time
    context = multiprocessing.get_context("spawn")
    writers = [
        context.Process(target=_write_many, args=(url, schema, writer, batches))
        for writer in (1, 2)
    ]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=120)
        assert process.exitcode == 0
    assert store.count_points(REPO)[Family.STARS] == 2 * batches * 10


def page(number: int, cursor: str | None, *, stream: str = "issues/OPEN/forward") -> PageCheckpoint:
    return PageCheckpoint(REPO, Family.ISSUES, stream, number, cursor, f'{{"page": {number}}}')


def test_a_queued_backfill_is_listed_with_its_since_day(store: SqlStore) -> None:
    jobs = store.enqueue_backfill(
        REPO, [Family.STARS, Family.ISSUES], enqueued_at=T0, since=date(2025, 1, 2)
    )
    assert {job.family for job in jobs} == {Family.STARS, Family.ISSUES}
    assert all(
        job.status is BackfillStatus.QUEUED and job.since == date(2025, 1, 2) for job in jobs
    )
    assert store.backfill_jobs(BackfillStatus.DONE) == []


def test_backfill_pages_are_kept_in_order_and_saving_one_again_replaces_it(
    store: SqlStore,
) -> None:
    store.enqueue_backfill(REPO, [Family.ISSUES], enqueued_at=T0)
    store.save_backfill_page(page(2, None))
    store.save_backfill_page(page(1, "c1"))
    store.save_backfill_page(page(1, "c1-again"))
    found = store.backfill_pages(REPO, Family.ISSUES)
    assert [(p.page, p.next_cursor) for p in found] == [(1, "c1-again"), (2, None)]
    assert store.backfill_pages(OTHER, Family.ISSUES) == []


def test_finishing_a_backfill_stores_its_points_and_drops_its_pages_together(
    store: SqlStore,
) -> None:
    store.enqueue_backfill(REPO, [Family.STARS], enqueued_at=T0)
    store.save_backfill_page(replace(page(1, None), family=Family.STARS))
    points = [stars(n, T0 + timedelta(days=n), provenance=Provenance.RECONSTRUCTED) for n in (1, 2)]
    store.finish_backfill(
        REPO,
        Family.STARS,
        points,
        status=BackfillStatus.DONE,
        finished_at=T0,
        method="github-stargazers-history",
    )
    assert len(store.read_series(REPO, Family.STARS)) == 2
    assert store.backfill_pages(REPO, Family.STARS) == []
    (job,) = store.backfill_jobs(BackfillStatus.DONE)
    assert job.method == "github-stargazers-history"


def test_a_failed_backfill_keeps_its_pages_so_that_it_resumes(store: SqlStore) -> None:
    store.enqueue_backfill(REPO, [Family.ISSUES], enqueued_at=T0)
    store.save_backfill_page(page(1, "c1"))
    store.finish_backfill(
        REPO, Family.ISSUES, [], status=BackfillStatus.FAILED, finished_at=T0, message="gone"
    )
    store.enqueue_backfill(REPO, [Family.ISSUES], enqueued_at=T0)
    assert len(store.backfill_pages(REPO, Family.ISSUES)) == 1
    assert store.backfill_jobs(BackfillStatus.QUEUED)[0].message is None


def test_queueing_what_is_not_done_leaves_a_job_finished_meanwhile_done(store: SqlStore) -> None:
    store.enqueue_backfill(REPO, [Family.ISSUES, Family.PRS], enqueued_at=T0)
    store.finish_backfill(
        REPO, Family.ISSUES, [], status=BackfillStatus.DONE, finished_at=T0, method="m"
    )
    # a caller read the jobs before that finish and queues both "not yet done" ones again
    store.enqueue_backfill(REPO, [Family.ISSUES, Family.PRS], enqueued_at=T0, keep_done=True)
    statuses = {job.family: job.status for job in store.backfill_jobs(repo=REPO)}
    assert statuses == {Family.ISSUES: BackfillStatus.DONE, Family.PRS: BackfillStatus.QUEUED}
    store.enqueue_backfill(REPO, [Family.ISSUES], enqueued_at=T0)  # asked for again: redone
    assert {job.family for job in store.backfill_jobs(BackfillStatus.QUEUED)} == {
        Family.ISSUES,
        Family.PRS,
    }


def test_a_backfill_lease_is_held_by_one_runner_until_it_ends(store: SqlStore) -> None:
    store.enqueue_backfill(REPO, [Family.ISSUES], enqueued_at=T0)
    minute = timedelta(minutes=1)
    assert store.claim_backfill(REPO, Family.ISSUES, owner="a", now=T0, until=T0 + minute)
    assert not store.claim_backfill(REPO, Family.ISSUES, owner="b", now=T0, until=T0 + minute)
    (job,) = store.backfill_jobs(BackfillStatus.QUEUED)
    assert (job.lease_owner, job.leased_until) == ("a", T0 + minute)
    # the holder renews; another takes it only once the lease has ended
    assert store.claim_backfill(REPO, Family.ISSUES, owner="a", now=T0, until=T0 + 2 * minute)
    assert not store.claim_backfill(
        REPO, Family.ISSUES, owner="b", now=T0 + minute, until=T0 + 3 * minute
    )
    assert store.claim_backfill(
        REPO, Family.ISSUES, owner="b", now=T0 + 2 * minute, until=T0 + 3 * minute
    )
    assert not store.claim_backfill(REPO, Family.ISSUES, owner="a", now=T0, until=T0 + minute)


def test_releasing_a_lease_frees_the_job_but_only_for_its_holder(store: SqlStore) -> None:
    store.enqueue_backfill(REPO, [Family.ISSUES], enqueued_at=T0)
    until = T0 + timedelta(hours=1)
    assert store.claim_backfill(REPO, Family.ISSUES, owner="a", now=T0, until=until)
    store.release_backfill(REPO, Family.ISSUES, owner="b")
    assert store.backfill_jobs()[0].lease_owner == "a"
    store.release_backfill(REPO, Family.ISSUES, owner="a")
    assert store.backfill_jobs()[0].lease_owner is None
    assert store.claim_backfill(REPO, Family.ISSUES, owner="b", now=T0, until=until)


def test_only_a_queued_job_of_a_tracked_repository_can_be_claimed(store: SqlStore) -> None:
    until = T0 + timedelta(hours=1)
    assert not store.claim_backfill(REPO, Family.STARS, owner="a", now=T0, until=until)
    untracked = RepoName("no", "body")
    assert not store.claim_backfill(untracked, Family.STARS, owner="a", now=T0, until=until)
    store.enqueue_backfill(REPO, [Family.STARS], enqueued_at=T0)
    assert store.claim_backfill(REPO, Family.STARS, owner="a", now=T0, until=until)
    store.finish_backfill(REPO, Family.STARS, [], status=BackfillStatus.DONE, finished_at=T0)
    (job,) = store.backfill_jobs(BackfillStatus.DONE)
    assert job.lease_owner is None and job.leased_until is None
    assert not store.claim_backfill(REPO, Family.STARS, owner="b", now=T0, until=until)


def _claim_from(url: str, schema: str | None, owner: str, results: multiprocessing.Queue) -> None:
    store = store_at(url, environment="dev", schema=schema)
    won = [
        family
        for family in Family
        if store.claim_backfill(REPO, family, owner=owner, now=T0, until=T0 + timedelta(hours=1))
    ]
    results.put((owner, won))
    store.close()


def test_runners_claiming_at_once_from_processes_never_share_a_job(store: SqlStore) -> None:
    store.enqueue_backfill(REPO, list(Family), enqueued_at=T0)
    url, schema = location(store)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    runners = [
        context.Process(target=_claim_from, args=(url, schema, f"runner-{n}", results))
        for n in range(3)
    ]
    for process in runners:
        process.start()
    won = dict(results.get(timeout=120) for _ in runners)
    for process in runners:
        process.join(timeout=120)
        assert process.exitcode == 0
    claimed = [family for families in won.values() for family in families]
    assert sorted(claimed) == sorted(Family)
    owners = {job.family: job.lease_owner for job in store.backfill_jobs()}
    assert all(family in won[owners[family]] for family in Family)


def test_jobs_and_stored_pages_are_told_per_repository(store: SqlStore) -> None:
    store.enqueue_backfill(REPO, [Family.ISSUES, Family.STARS], enqueued_at=T0)
    store.enqueue_backfill(OTHER, [Family.ISSUES], enqueued_at=T0)
    store.save_backfill_page(page(1, "c1"))
    store.save_backfill_page(page(2, "c2"))
    store.save_backfill_page(page(1, None, stream="issues/CLOSED/forward"))
    assert {job.family for job in store.backfill_jobs(repo=REPO)} == {Family.ISSUES, Family.STARS}
    assert [job.repo for job in store.backfill_jobs(BackfillStatus.QUEUED, repo=OTHER)] == [OTHER]
    assert store.backfill_jobs(repo=RepoName("no", "body")) == []
    assert store.count_backfill_pages(REPO) == {Family.ISSUES: 3}
    assert store.count_backfill_pages(OTHER) == {}
    assert store.count_backfill_pages(RepoName("no", "body")) == {}


def test_a_schedule_slot_is_taken_once_and_the_newest_is_known(store: SqlStore) -> None:
    slot = T0 + timedelta(hours=3)
    assert store.latest_slot_taken("collect:stars") is None
    assert store.claim_slot("collect:stars", slot, owner="a", now=slot, until=slot + HOUR)
    assert not store.claim_slot("collect:stars", slot, owner="b", now=slot, until=slot + HOUR)
    assert store.claim_slot("collect:downloads", slot, owner="b", now=slot, until=slot + HOUR)
    assert store.claim_slot(
        "collect:stars", T0, owner="b", now=slot, until=slot + HOUR
    )  # an older one, late
    assert store.latest_slot_taken("collect:stars") == slot
    store.release_slot("collect:stars", slot, owner="b")  # not b's: nothing happens
    assert store.latest_slot_taken("collect:stars") == slot
    store.release_slot("collect:stars", slot, owner="a")
    assert store.latest_slot_taken("collect:stars") == T0
    assert store.claim_slot("collect:stars", slot, owner="b", now=slot, until=slot + HOUR)


def test_a_slot_taken_in_parts_counts_as_taken(store: SqlStore) -> None:
    slot = T0 + timedelta(hours=3)
    assert store.claim_slot("collect:stars#2/3", slot, owner="a", now=slot, until=slot + HOUR)
    assert not store.claim_slot("collect:stars#2/3", slot, owner="b", now=slot, until=slot + HOUR)
    assert store.claim_slot("collect:stars#3/3", slot, owner="b", now=slot, until=slot + HOUR)
    assert store.latest_slot_taken("collect:stars") == slot
    assert store.latest_slot_taken("collect:star") is None  # a name that only starts the same
    assert store.latest_slot_taken("collect:stars#") is None


def test_the_first_subject_added_is_known(store: SqlStore) -> None:
    tracked = [subject.added_at for subject in store.list_subjects() if subject.added_at]
    assert store.first_added_at() == (min(tracked) if tracked else None)
    earlier = min([*tracked, T0]) - timedelta(days=30)
    store.add_subject(RepoName("first", "one"), [], added_at=earlier)
    store.add_subject(RepoName("later", "one"), [], added_at=earlier + HOUR)
    assert store.first_added_at() == earlier
    store.delete_all()
    assert store.first_added_at() is None


def test_the_claims_of_a_slot_name_their_parts_owners_leases_and_ends(store: SqlStore) -> None:
    slot = T0 + timedelta(hours=3)
    assert store.slot_claims("collect:stars", slot) == []
    store.claim_slot("collect:stars#1/2", slot, owner="a", now=slot, until=slot + HOUR)
    store.claim_slot("collect:stars#2/2", slot, owner="b", now=slot, until=slot + HOUR)
    store.claim_slot("collect:stars_x", slot, owner="c", now=slot, until=slot + HOUR)
    store.claim_slot("collect:stars#1/2", T0, owner="c", now=T0, until=T0 + HOUR)
    store.finish_slot("collect:stars#1/2", slot, owner="a", now=slot + timedelta(minutes=2))
    first, second = store.slot_claims("collect:stars", slot)
    assert (first.job, first.owner, first.finished_at) == (
        "collect:stars#1/2",
        "a",
        slot + timedelta(minutes=2),
    )
    assert (second.job, second.owner, second.finished_at) == ("collect:stars#2/2", "b", None)
    assert second.claimed_at == slot and second.lease_until == slot + HOUR


def test_a_slot_whose_runner_died_is_taken_over_once_its_lease_ends(store: SqlStore) -> None:
    job, slot, minute = "collect:prs+issues", T0, timedelta(minutes=1)
    assert store.claim_slot(job, slot, owner="dead", now=slot, until=slot + minute)
    assert not store.claim_slot(job, slot, owner="b", now=slot + minute / 2, until=slot + HOUR)
    assert store.claim_slot(job, slot, owner="b", now=slot + minute, until=slot + HOUR)
    assert not store.renew_slot(job, slot, owner="dead", until=slot + HOUR)  # not its own now
    assert store.renew_slot(job, slot, owner="b", until=slot + 2 * HOUR)
    assert not store.claim_slot(job, slot, owner="c", now=slot + HOUR, until=slot + 3 * HOUR)
    store.finish_slot(job, slot, owner="b", now=slot + HOUR)
    later = slot + 10 * HOUR
    assert not store.claim_slot(job, slot, owner="c", now=later, until=later + HOUR)  # done
    assert not store.renew_slot(job, slot, owner="b", until=later)


def _take_slots(url: str, schema: str | None, owner: str, results: multiprocessing.Queue) -> None:
    store = store_at(url, environment="dev", schema=schema)
    slots = [T0 + timedelta(hours=3 * n) for n in range(20)]
    won = [
        n
        for n, slot in enumerate(slots)
        if store.claim_slot("collect:stars", slot, owner=owner, now=slot, until=slot + HOUR)
    ]
    results.put((owner, won))
    store.close()


def test_runners_taking_slots_at_once_from_processes_never_share_one(store: SqlStore) -> None:
    url, schema = location(store)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    runners = [
        context.Process(target=_take_slots, args=(url, schema, f"runner-{n}", results))
        for n in range(3)
    ]
    for process in runners:
        process.start()
    won = [slot for _ in runners for slot in results.get(timeout=120)[1]]
    for process in runners:
        process.join(timeout=120)
        assert process.exitcode == 0
    assert sorted(won) == list(range(20))


def test_backfill_of_an_untracked_repository_is_refused(store: SqlStore) -> None:
    with pytest.raises(InputError, match="not tracked"):
        store.enqueue_backfill(RepoName("no", "body"), [Family.STARS], enqueued_at=T0)


def test_untracking_drops_backfill_jobs_and_pages(store: SqlStore) -> None:
    store.enqueue_backfill(REPO, [Family.ISSUES], enqueued_at=T0)
    store.save_backfill_page(page(1, "c1"))
    store.remove_subject(REPO)
    assert store.backfill_jobs() == []


def test_deleting_everything_empties_the_store_but_keeps_its_environment(
    store: SqlStore, make_store: StoreFactory
) -> None:
    store.write_points([stars(5, T0), stars(7, T0 + timedelta(hours=3))])
    store.record_run(Run(job="collect", environment="dev", started_at=T0))
    deleted = store.delete_all()
    assert deleted["star_growth"] == 2 and deleted["subjects"] == 2
    assert store.list_subjects() == [] and store.list_runs() == []
    assert store.read_series(REPO, Family.STARS).rows == []
    if isinstance(store, SqlStore):  # DynamoDB's tables are named by environment
        with pytest.raises(StoreError, match="dev"):
            make_store("dev", as_environment="prod")


# shown series: rollups kept by every write give what the points give ------------------------

SHOWN_T0 = datetime(2023, 3, 5, 7, tzinfo=UTC)


def _expected_shown(
    raw: list[tuple[Any, ...]],
    family: Family,
    interval: Interval,
    max_points: int | None,
    start: datetime | None,
    end: datetime | None,
) -> tuple[list[tuple[object, ...]], bool]:
    """What a shown series must be, from the whole series' points (read once): the points of
    the range aggregated, then downsampled when more than ``max_points``; and whether it was."""
    low = -(2**62) if start is None else int(start.timestamp())
    high = 2**62 if end is None else int(end.timestamp())
    shown = aggregate([row for row in raw if low <= row[0] <= high], family, interval)
    if max_points is None:
        return shown, False
    return downsample(shown, interval, max_points), len(shown) > max_points


def _assert_shown_as_defined(
    store: SqlStore, repo: RepoName, family: Family, package: PackageRef | None = None
) -> None:
    raw = list(store.read_series(repo, family, package=package).rows)
    for interval in Interval:
        for max_points in (None, 2, 3, 25, 300):
            for start, end in (
                (None, None),
                (SHOWN_T0 + timedelta(days=40, hours=5), None),
                (None, SHOWN_T0 + timedelta(days=500, hours=13)),
                (SHOWN_T0 + timedelta(days=3), SHOWN_T0 + timedelta(days=9)),
            ):
                shown = store.read_shown(
                    repo,
                    family,
                    interval=interval,
                    max_points=max_points,
                    start=start,
                    end=end,
                    package=package,
                )
                wanted, downsampled = _expected_shown(raw, family, interval, max_points, start, end)
                assert shown.rows == wanted, (interval, max_points, start, end)
                assert shown.downsampled == downsampled


SHOWN_BATCHES = st.lists(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=2 * 365 * 8),  # 3-hour steps over two years
            st.one_of(st.none(), st.integers(min_value=0, max_value=500)),
            st.sampled_from(list(Provenance)),
        ),
        min_size=1,
        max_size=400,
    ),
    min_size=1,
    max_size=4,
)
SLOW_SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
ON_DYNAMODB = pytest.mark.parametrize(
    "make_store", [pytest.param("dynamodb", marks=pytest.mark.dynamodb)], indirect=True
)
"""The DynamoDB run of a property test, with fewer examples: its stand-in answers one request
at a time, each costing what a SQL statement costs many times over."""


def not_on_dynamodb(store: AnyStore) -> None:
    if isinstance(store, DynamoStore):
        pytest.skip("run on DynamoDB by its _on_dynamodb twin, with fewer examples")


@settings(max_examples=12, **SLOW_SETTINGS)
@given(batches=SHOWN_BATCHES, dense_days=st.integers(min_value=0, max_value=400))
def test_shown_series_are_the_points_aggregated_and_downsampled_after_any_writes(
    store: SqlStore,
    batches: list[list[tuple[int, int | None, Provenance]]],
    dense_days: int,
) -> None:
    not_on_dynamodb(store)
    _shown_after_writes(store, batches, dense_days)


@ON_DYNAMODB
@settings(max_examples=3, **SLOW_SETTINGS)
@given(batches=SHOWN_BATCHES, dense_days=st.integers(min_value=0, max_value=120))
def test_shown_series_are_the_points_aggregated_and_downsampled_after_any_writes_on_dynamodb(
    store: AnyStore,
    batches: list[list[tuple[int, int | None, Provenance]]],
    dense_days: int,
) -> None:
    _shown_after_writes(store, batches, dense_days)


def _shown_after_writes(
    store: AnyStore, batches: list[list[tuple[int, int | None, Provenance]]], dense_days: int
) -> None:
    repo = RepoName("shown", f"r{abs(hash((str(batches), dense_days))) % 10**12}")
    store.add_subject(repo, [NPM], added_at=SHOWN_T0)
    steps = range(dense_days * 8)  # a stretch collected every 3 hours, as a backfill writes it
    store.write_points(
        Point(
            repo,
            Family.STARS,
            SHOWN_T0 + step * 3 * HOUR,
            {"star_count": step // 5},
            Provenance.RECONSTRUCTED,
            "history",
        )
        for step in steps
        if step % 61 > 4  # with outages: gaps
    )
    for batch in batches:  # then collections and corrections, in any order, overwriting
        store.write_points(
            [
                Point(
                    repo,
                    Family.STARS,
                    SHOWN_T0 + step * 3 * HOUR + timedelta(minutes=step % 7),
                    {"star_count": value},
                    provenance,
                    f"s{step % 3}",
                )
                for step, value, provenance in batch
            ]
        )
    _assert_shown_as_defined(store, repo, Family.STARS)


DELETIONS = {
    "deleted": st.sets(st.integers(min_value=0, max_value=1600), max_size=60),
    "stretch": st.tuples(st.integers(0, 1600), st.integers(0, 400)),
}


@settings(max_examples=10, **SLOW_SETTINGS)
@given(dense_days=st.integers(min_value=1, max_value=200), **DELETIONS)
def test_points_deleted_leave_shown_series_as_the_rest_defines_them(
    store: SqlStore, dense_days: int, deleted: set[int], stretch: tuple[int, int]
) -> None:
    not_on_dynamodb(store)
    _shown_after_deletions(store, dense_days, deleted, stretch)


@ON_DYNAMODB
@settings(max_examples=3, **SLOW_SETTINGS)
@given(dense_days=st.integers(min_value=1, max_value=80), **DELETIONS)
def test_points_deleted_leave_shown_series_as_the_rest_defines_them_on_dynamodb(
    store: AnyStore, dense_days: int, deleted: set[int], stretch: tuple[int, int]
) -> None:
    _shown_after_deletions(store, dense_days, deleted, stretch)


def _shown_after_deletions(
    store: AnyStore, dense_days: int, deleted: set[int], stretch: tuple[int, int]
) -> None:
    repo = RepoName("pruned", f"r{abs(hash((dense_days, str(sorted(deleted)), stretch))) % 10**12}")
    store.add_subject(repo, [], added_at=SHOWN_T0)
    steps = range(dense_days * 8)
    store.write_points(
        Point(
            repo,
            Family.STARS,
            SHOWN_T0 + step * 3 * HOUR,
            {"star_count": step // 5},
            Provenance.MEASURED,
            "history",
        )
        for step in steps
    )
    first, length = stretch  # some scattered moments and one whole stretch go
    gone = {step for step in deleted if step < len(steps)}
    gone |= {step for step in range(first, first + length) if step < len(steps)}
    count = store.delete_points(repo, Family.STARS, [SHOWN_T0 + step * 3 * HOUR for step in gone])
    assert count == len(gone)
    assert len(store.read_series(repo, Family.STARS)) == len(steps) - len(gone)
    _assert_shown_as_defined(store, repo, Family.STARS)


def test_deleting_points_names_the_series_exactly(store: SqlStore) -> None:
    store.add_subject(REPO, [NPM], added_at=T0)
    store.write_points(
        [
            Point(
                REPO,
                Family.DOWNLOADS,
                T0,
                {"weekly_downloads": 1, "total_downloads": 1},
                Provenance.MEASURED,
                "t",
                package=NPM,
            ),
            Point(REPO, Family.STARS, T0, {"star_count": 1}, Provenance.MEASURED, "t"),
        ]
    )
    assert store.delete_points(REPO, Family.STARS, [T0 + HOUR]) == 0
    assert store.delete_points(REPO, Family.DOWNLOADS, [T0], package=NPM) == 1
    assert len(store.read_series(REPO, Family.STARS)) == 1
    with pytest.raises(InputError):
        store.delete_points(REPO, Family.DOWNLOADS, [T0])
    with pytest.raises(InputError, match="not tracked"):
        store.delete_points(RepoName("no", "body"), Family.STARS, [T0])


def test_shown_ratios_packages_and_windowed_totals(store: SqlStore) -> None:
    days = 400
    store.write_points(
        Point(
            REPO,
            Family.PRS,
            SHOWN_T0 + timedelta(days=day, hours=16),
            {
                "open_prs": day % 9,
                "merged_prs": day * 2,
                "ratio": (day * 2) / (day % 9) if day % 9 else None,
            },
            Provenance.MEASURED if day > 300 else Provenance.RECONSTRUCTED,
            "test",
        )
        for day in range(days)
        if day % 50 != 7
    )
    store.write_points(
        Point(
            REPO,
            Family.DOWNLOADS,
            SHOWN_T0 + timedelta(days=day, hours=23, minutes=59, seconds=59),
            {"weekly_downloads": 100 + day % 13, "total_downloads": 1000 + day * 100},
            Provenance.RECONSTRUCTED,
            "pypistats-180d" if day > 200 else "npm",
            package=PYPI,
        )
        for day in range(days)
    )
    _assert_shown_as_defined(store, REPO, Family.PRS)
    _assert_shown_as_defined(store, REPO, Family.DOWNLOADS, PYPI)
    shown = store.read_shown(REPO, Family.DOWNLOADS, interval=Interval.WEEK, package=PYPI)
    assert shown.first_windowed_at == int(
        (SHOWN_T0 + timedelta(days=201, hours=23, minutes=59, seconds=59)).timestamp()
    )
    assert store.read_shown(REPO, Family.DOWNLOADS, interval=Interval.DAY, package=NPM).rows == []
    store.remove_subject(REPO)
    store.add_subject(REPO, [PYPI], added_at=SHOWN_T0)
    assert store.read_shown(REPO, Family.PRS, interval=Interval.DAY).rows == []


def test_one_write_of_many_series_keeps_each_ones_rollups(store: SqlStore) -> None:
    """A collection writes a point to thousands of series at once, a backfill long stretches:
    rollups kept for all of them together are each series' own."""
    repos = [RepoName("many", f"r{index}") for index in range(12)]
    long_days = 60 if isinstance(store, DynamoStore) else 300  # its stand-in is slow to write
    for repo in repos:
        store.add_subject(repo, [NPM, PYPI], added_at=SHOWN_T0)
    history = [  # a stretch for some series, one day for others, in one write
        Point(
            repo,
            Family.STARS,
            SHOWN_T0 + timedelta(hours=3 * step + index),
            {"star_count": step * (index + 1) // 4},
            Provenance.RECONSTRUCTED,
            "history",
        )
        for index, repo in enumerate(repos)
        for step in range(8 * (long_days if index % 3 == 0 else 1))
    ]
    store.write_points(history)
    collected = SHOWN_T0 + timedelta(days=301, minutes=7)
    store.write_points(  # then one point to every series, as a collection does
        [
            *(
                Point(
                    repo,
                    Family.STARS,
                    collected,
                    {"star_count": 7 * index},
                    Provenance.MEASURED,
                    "c",
                )
                for index, repo in enumerate(repos)
            ),
            *(
                Point(
                    repo,
                    Family.DOWNLOADS,
                    collected + timedelta(days=day),
                    {"weekly_downloads": index + day, "total_downloads": 100 * day + index},
                    Provenance.MEASURED,
                    "npm",
                    package=package,
                )
                for index, repo in enumerate(repos)
                for package in (NPM, PYPI)
                for day in range(index % 4)
            ),
        ]
    )
    for repo in repos[:5]:
        _assert_shown_as_defined(store, repo, Family.STARS)
    for repo in repos[1:4]:
        _assert_shown_as_defined(store, repo, Family.DOWNLOADS, PYPI)
        _assert_shown_as_defined(store, repo, Family.DOWNLOADS, NPM)


def _rollup_rows(store: AnyStore, family: Family) -> list[tuple[Any, ...]]:
    if isinstance(store, DynamoStore):
        items = store.calls.scan(store.tables.rollups)
        return sorted(
            (item["series"]["S"], item["bucket"]["S"], item["row"]["S"], item["roles"]["N"])
            for item in items
            if item["series"]["S"].split("|")[1] == family.value
        )
    table = ROLLUP_TABLES[family]
    with store._engine.connect() as connection:
        return sorted(tuple(row) for row in connection.execute(select(table)))


def _rebuild_rollups(store: AnyStore) -> None:
    if isinstance(store, DynamoStore):
        store.rebuild_rollups()
        return
    with store._writing() as connection:
        for key in _all_series(connection):
            store._build_series_rollups(connection, key)


def test_rollups_kept_write_by_write_are_the_rollups_built_from_all_points(
    store: SqlStore,
) -> None:
    """Upkeep stops climbing a series' ladder where its nodes came out unchanged: what it
    leaves must be exactly what building every rollup from the points gives."""
    plateaus = [10, 10, 10, 12, 12, 9, None, 9, 9, 30]  # repeats, a fall, a gap, a jump
    for batch in range(40):
        at = SHOWN_T0 + timedelta(hours=3 * batch)
        value = plateaus[batch % len(plateaus)]
        store.write_points(
            [
                Point(REPO, Family.STARS, at, {"star_count": value}, Provenance.MEASURED, "c"),
                Point(  # a late correction of an earlier moment, with the same or a new value
                    REPO,
                    Family.STARS,
                    SHOWN_T0 + timedelta(hours=3 * (batch // 2)),
                    {"star_count": plateaus[batch % 3]},
                    Provenance.MEASURED,
                    "c",
                ),
                Point(
                    OTHER,
                    Family.STARS,
                    at + timedelta(days=batch * 9),
                    {"star_count": batch % 4},
                    Provenance.RECONSTRUCTED,
                    "h",
                ),
                Point(
                    REPO,
                    Family.DOWNLOADS,
                    at,
                    {"weekly_downloads": 5, "total_downloads": 50},
                    Provenance.MEASURED,
                    "npm",
                    package=NPM,
                ),
            ]
        )
    kept = {family: _rollup_rows(store, family) for family in (Family.STARS, Family.DOWNLOADS)}
    _rebuild_rollups(store)
    for family, rows in kept.items():
        assert rows == _rollup_rows(store, family), family


def test_rollups_of_points_written_before_them_are_built_on_upgrade(
    make_store: StoreFactory,
) -> None:
    store = make_store()
    sql_only(store, "rollups came with migration 0006; DynamoDB stores keep them from the start")
    store.add_subject(REPO, [], added_at=T0)
    store.write_points(stars(index, T0 + index * 3 * HOUR) for index in range(2000))
    with store._writing() as connection:  # as a store of the previous revision left them
        for table in ROLLUP_TABLES.values():
            connection.execute(table.delete())
        connection.execute(META_TABLE.insert().values(key=ROLLUPS_PENDING_KEY, value=""))
    store._rollups_ready = False
    assert not store.rollups_ready()
    seen: list[tuple[int, int]] = []
    store.upgrade(progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 1)]
    assert store.rollups_ready()
    _assert_shown_as_defined(store, REPO, Family.STARS)


def test_reads_in_a_snapshot_see_one_moment_while_writes_go_on(store: SqlStore) -> None:
    sql_only(store, "DynamoDB has no read snapshot across items (docs/aws.md, DynamoDB store)")
    repos = [RepoName("snap", f"r{index}") for index in range(3)]
    for repo in repos:
        store.add_subject(repo, [], added_at=T0)

    def one_more_point_each(step: int) -> None:  # one transaction: all or none
        store.write_points(
            Point(
                repo,
                Family.STARS,
                T0 + timedelta(hours=step),
                {"star_count": step},
                Provenance.MEASURED,
                "t",
            )
            for repo in repos
        )

    one_more_point_each(0)
    with store.snapshot():
        first = len(store.read_series(repos[0], Family.STARS))
        one_more_point_each(1)  # written meanwhile (another connection)
        store.add_subject(RepoName("snap", "late"), [], added_at=T0)
        seen = [len(store.read_series(repo, Family.STARS)) for repo in repos]
        subjects = {subject.repo.name for subject in store.list_subjects()}
        with store.snapshot():  # nested: the outer one holds
            assert len(store.read_series(repos[2], Family.STARS)) == 1
    assert first == 1 and seen == [1, 1, 1] and "late" not in subjects
    assert [len(store.read_series(repo, Family.STARS)) for repo in repos] == [2, 2, 2]


# alerts: rules and the outbox ----------------------------------------------------------------


def alert_rule(name: str = "stars 1k", **changes: Any) -> AlertRule:
    rule = AlertRule(
        name=name,
        kind=RuleKind.MILESTONE,
        family=Family.STARS,
        field="star_count",
        scope=Scope.REPOSITORY,
        scope_name=REPO.full_name,
        channel=Channel.WEBHOOK,
        target="https://hooks.example.com/ossgrowth",
        params={"value": 1000},
        secret="s3cr3t-signing-key",
        created_at=T0,
    )
    return replace(rule, **changes)


def alert_event(
    rule_id: int, key: str = "milestone:octo/widgets:star_count:1000", **more: Any
) -> AlertEvent:
    return AlertEvent(
        rule_id=rule_id,
        event_key=key,
        repo=more.pop("repo", REPO),
        family=Family.STARS,
        observed_at=more.pop("observed_at", T0),
        summary=more.pop("summary", "octo/widgets reached 1,000 stars"),
        details=more.pop("details", {"value": 1004, "threshold": 1000}),
    )


def test_alert_rules_are_stored_listed_and_deleted_with_ids_never_reused(store: SqlStore) -> None:
    first = store.add_alert_rule(alert_rule())
    second = store.add_alert_rule(
        alert_rule(
            "spikes everywhere",
            kind=RuleKind.SPIKE,
            scope=Scope.ALL,
            scope_name=None,
            channel=Channel.EMAIL,
            target="team@example.com",
            params={"k": 3.5, "days": 14},
            secret=None,
            enabled=False,
        )
    )
    assert first.id is not None and second.id is not None and second.id > first.id
    assert store.get_alert_rule(first.id) == first
    assert store.list_alert_rules() == [first, second]
    assert first.secret == "s3cr3t-signing-key"  # kept for signing; the API never shows it
    assert second.params == {"k": 3.5, "days": 14} and second.enabled is False
    assert store.delete_alert_rule(second.id)
    assert not store.delete_alert_rule(second.id)
    assert store.get_alert_rule(second.id) is None
    third = store.add_alert_rule(alert_rule("again"))
    assert third.id is not None and third.id > second.id


def test_an_event_written_twice_is_delivered_once_and_its_point_is_stored_with_it(
    store: SqlStore,
) -> None:
    rule = store.add_alert_rule(alert_rule())
    assert rule.id is not None
    event = alert_event(rule.id)
    store.write_points([stars(1004, T0)], events=[event, event])
    store.write_points([stars(1004, T0)], events=[event])  # a second collector, a retry
    (delivery,) = store.list_deliveries()
    assert store.read_series(REPO, Family.STARS).columns["star_count"] == [1004]
    assert delivery.event == event
    assert delivery.status is DeliveryStatus.PENDING and delivery.attempts == 0
    assert delivery.created_at == T0 and delivery.next_attempt_at == T0
    assert uuid.UUID(delivery.id).version == 4


def test_events_without_points_and_events_of_unknown_rules(store: SqlStore) -> None:
    rule = store.add_alert_rule(alert_rule())
    assert rule.id is not None
    overdue = alert_event(rule.id, "overdue:stars:all:2026-01-01T03:00:00Z", repo=None)
    store.write_points([], events=[overdue, alert_event(rule.id + 100)])
    (delivery,) = store.list_deliveries()
    assert delivery.event.repo is None and delivery.event.event_key.startswith("overdue:")


def test_many_events_with_many_points_are_all_written_once(store: SqlStore) -> None:
    repos = [RepoName("many", f"r{index}") for index in range(60)]
    for repo in repos:
        store.add_subject(repo, [], added_at=T0)
    rule = store.add_alert_rule(alert_rule(scope=Scope.ALL, scope_name=None))
    assert rule.id is not None
    points = [stars(100 + index, T0, repo=repo) for index, repo in enumerate(repos)]
    events = [alert_event(rule.id, f"milestone:{repo.key}:100", repo=repo) for repo in repos]
    store.write_points(points, events=events)
    store.write_points(points, events=events)
    assert len(store.list_deliveries(limit=500)) == 60
    assert all(len(store.read_series(repo, Family.STARS)) == 1 for repo in repos)


def test_an_event_with_a_beaten_point_is_still_written(store: SqlStore) -> None:
    rule = store.add_alert_rule(alert_rule())
    assert rule.id is not None
    store.write_points([stars(1010, T0)])
    store.write_points(
        [stars(990, T0, provenance=Provenance.RECONSTRUCTED)], events=[alert_event(rule.id)]
    )
    assert store.read_series(REPO, Family.STARS).columns["star_count"] == [1010]
    assert len(store.list_deliveries()) == 1


def test_deliveries_are_due_claimed_settled_and_retried(store: SqlStore) -> None:
    rule = store.add_alert_rule(alert_rule())
    assert rule.id is not None
    store.write_points([stars(1004, T0)], events=[alert_event(rule.id)])
    second = alert_event(rule.id, "milestone:octo/widgets:star_count:2000", observed_at=T0 + HOUR)
    store.write_points([], events=[second])
    minute = timedelta(minutes=1)
    assert store.due_deliveries(now=T0 - minute) == []
    first, later = store.due_deliveries(now=T0 + HOUR)
    assert [first.event.event_key, later.event.event_key] == [
        "milestone:octo/widgets:star_count:1000",
        "milestone:octo/widgets:star_count:2000",
    ]
    assert [d.id for d in store.due_deliveries(now=T0 + HOUR, limit=1)] == [first.id]
    now = T0 + HOUR
    assert store.claim_delivery(first.id, owner="a", now=now, until=now + minute)
    assert not store.claim_delivery(first.id, owner="b", now=now, until=now + minute)
    assert [d.id for d in store.due_deliveries(now=now)] == [later.id]  # leased: not due
    assert store.claim_delivery(first.id, owner="a", now=now, until=now + 2 * minute)  # renewed
    # a's lease ends unrenewed: b takes the delivery over, and a can no longer settle it
    taken = now + 3 * minute
    assert store.claim_delivery(first.id, owner="b", now=taken, until=taken + minute)
    assert not store.settle_delivery(
        first.id, owner="a", status=DeliveryStatus.DELIVERED, attempts=1, at=taken
    )
    retry_at = taken + timedelta(minutes=5)
    assert store.settle_delivery(
        first.id,
        owner="b",
        status=DeliveryStatus.PENDING,
        attempts=1,
        at=taken,
        next_attempt_at=retry_at,
        error="the receiver answered 503\nService Unavailable",
    )
    assert first.id not in [d.id for d in store.due_deliveries(now=retry_at - minute)]
    assert not store.claim_delivery(first.id, owner="b", now=retry_at - minute, until=retry_at)
    (waiting,) = [d for d in store.due_deliveries(now=retry_at) if d.id == first.id]
    assert waiting.attempts == 1 and waiting.next_attempt_at == retry_at
    assert waiting.last_error == "the receiver answered 503 Service Unavailable"
    assert waiting.lease_owner is None and waiting.lease_until is None
    assert store.claim_delivery(first.id, owner="c", now=retry_at, until=retry_at + minute)
    done_at = retry_at + timedelta(seconds=2)
    assert store.settle_delivery(
        first.id, owner="c", status=DeliveryStatus.DELIVERED, attempts=2, at=done_at
    )
    assert not store.claim_delivery(first.id, owner="d", now=done_at, until=done_at + minute)
    assert not store.settle_delivery(
        first.id, owner="c", status=DeliveryStatus.FAILED, attempts=3, at=done_at
    )
    assert store.claim_delivery(later.id, owner="c", now=done_at, until=done_at + minute)
    assert store.settle_delivery(
        later.id, owner="c", status=DeliveryStatus.FAILED, attempts=8, at=done_at, error="gone"
    )
    assert store.due_deliveries(now=done_at + HOUR) == []
    newest, oldest = store.list_deliveries()
    assert (newest.id, newest.status, newest.last_error) == (
        later.id,
        DeliveryStatus.FAILED,
        "gone",
    )
    assert (oldest.status, oldest.attempts, oldest.delivered_at) == (
        DeliveryStatus.DELIVERED,
        2,
        done_at.replace(microsecond=0),
    )
    assert oldest.next_attempt_at is None and oldest.lease_owner is None
    assert [d.id for d in store.list_deliveries(status=DeliveryStatus.DELIVERED)] == [first.id]
    assert [d.id for d in store.list_deliveries(limit=1)] == [later.id]
    assert store.list_deliveries(rule_id=rule.id + 1) == []
    assert not store.claim_delivery("no-such-delivery", owner="a", now=now, until=now + minute)


def test_deleting_a_rule_drops_its_pending_deliveries_and_keeps_its_history(
    store: SqlStore,
) -> None:
    rule = store.add_alert_rule(alert_rule())
    other = store.add_alert_rule(alert_rule("other"))
    assert rule.id is not None and other.id is not None
    events = [alert_event(rule.id, f"k{n}") for n in range(3)] + [alert_event(other.id, "k0")]
    store.write_points([], events=events)
    sent = next(
        d
        for d in store.list_deliveries()
        if d.event.event_key == "k0" and d.event.rule_id == rule.id
    )
    assert store.claim_delivery(sent.id, owner="a", now=T0, until=T0 + HOUR)
    assert store.settle_delivery(
        sent.id, owner="a", status=DeliveryStatus.DELIVERED, attempts=1, at=T0
    )
    assert store.delete_alert_rule(rule.id)
    assert [d.id for d in store.list_deliveries(rule_id=rule.id)] == [sent.id]
    assert [d.event.rule_id for d in store.due_deliveries(now=T0 + HOUR)] == [other.id]
    store.write_points([], events=[alert_event(rule.id, "k9")])  # its rule is gone
    assert len(store.list_deliveries(rule_id=rule.id)) == 1


def test_deleting_everything_keeps_alert_rules_their_history_and_their_events(
    store: SqlStore,
) -> None:
    rule = store.add_alert_rule(alert_rule())
    assert rule.id is not None
    store.write_points([stars(5, T0)], events=[alert_event(rule.id)])
    deleted = store.delete_all()
    assert deleted.get("alert_rules", 0) == 0 and deleted.get("alert_deliveries", 0) == 0
    assert store.list_subjects() == [] and store.list_alert_rules() == [rule]
    (delivery,) = store.list_deliveries()
    assert delivery.event.rule_id == rule.id
    store.add_subject(REPO, [], added_at=T0)
    store.write_points([stars(5, T0)], events=[alert_event(rule.id)])  # the same event again
    assert len(store.list_deliveries()) == 1  # is not sent twice
    assert store.add_alert_rule(alert_rule("later")).id != rule.id


def _claim_deliveries(
    url: str, schema: str | None, owner: str, ids: list[str], results: multiprocessing.Queue
) -> None:
    store = store_at(url, environment="dev", schema=schema)
    won = [
        delivery_id
        for delivery_id in ids
        if store.claim_delivery(delivery_id, owner=owner, now=T0, until=T0 + HOUR)
    ]
    results.put((owner, won))
    store.close()


def test_senders_claiming_at_once_from_processes_never_share_a_delivery(store: SqlStore) -> None:
    rule = store.add_alert_rule(alert_rule())
    assert rule.id is not None
    store.write_points([], events=[alert_event(rule.id, f"k{n}") for n in range(12)])
    ids = [delivery.id for delivery in store.due_deliveries(now=T0)]
    url, schema = location(store)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    senders = [
        context.Process(target=_claim_deliveries, args=(url, schema, f"s{n}", ids, results))
        for n in range(3)
    ]
    for process in senders:
        process.start()
    won = dict(results.get(timeout=120) for _ in senders)
    for process in senders:
        process.join(timeout=120)
        assert process.exitcode == 0
    claimed = [delivery_id for ids_won in won.values() for delivery_id in ids_won]
    assert sorted(claimed) == sorted(ids)
    owners = {d.id: d.lease_owner for d in store.list_deliveries(limit=100)}
    assert all(delivery_id in won[owners[delivery_id]] for delivery_id in ids)
