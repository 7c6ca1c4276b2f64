"""The backfill function's handler, invoked as its every-five-minutes schedule invokes it:
queued jobs run against the simulator, stopped near the time limit after a stored page, and
resumed from the stored pages by the next invocation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ossgrowth.aws import handlers
from ossgrowth.aws.scheduled import ScheduledWorkFailed
from ossgrowth.checkpoints import BackfillStatus
from ossgrowth.clock import SystemClock
from ossgrowth.collect import enqueue_backfill
from ossgrowth.metrics.registry import FAMILIES
from ossgrowth.model import Family, PackageRef, RepoName
from ossgrowth.store import Store, open_store
from tests.aws.conftest import (
    PLENTY_MS,
    WRONG_TOKEN,
    FakeContext,
    Simulator,
    json_lines,
    scheduler_event,
    store_settings,
)

SHORT_OF_TIME_MS = 1_000
"""Inside the margin: the run stops at its next stored page."""


def backfill_event() -> dict[str, Any]:
    return scheduler_event("backfill", scheduled_time=SystemClock().now())


def busiest_job(simulator: Simulator) -> tuple[RepoName, Family]:
    """The pull requests of the repository with the most items: pages that follow one
    another (each needs the cursor of the one before)."""
    repo = max(simulator.world.repos, key=lambda repo: len(repo.items))
    return RepoName(repo.owner, repo.name), Family.PRS


def test_the_backfill_function_runs_every_queued_job(
    tracked_store: Store, simulator: Simulator
) -> None:
    queued = enqueue_backfill(tracked_store, SystemClock(), None)

    summary = handlers.run_backfills(backfill_event(), FakeContext())

    assert summary["status"] == "succeeded", summary
    assert (summary["queued"], summary["remaining"], summary["pages_kept"]) == (len(queued), 0, 0)
    assert summary["run_status"] == "succeeded"
    assert (
        summary["counts"]["jobs_done"] == len(queued) == len(FAMILIES) * len(simulator.world.repos)
    )
    assert {job.status for job in tracked_store.backfill_jobs()} == {BackfillStatus.DONE}


def test_with_nothing_queued_the_function_asks_nothing(
    tracked_store: Store, simulator: Simulator
) -> None:
    requests = simulator.requests()

    summary = handlers.run_backfills(backfill_event(), FakeContext())

    assert summary["status"] == "nothing_to_do" and summary["run_id"] is None
    assert simulator.requests() == requests and tracked_store.list_runs(10) == []


def test_near_its_time_limit_the_backfill_stops_after_a_page_and_the_next_invocation_resumes(
    tracked_store: Store,
    simulator: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, family = busiest_job(simulator)
    enqueue_backfill(tracked_store, SystemClock(), [repo], [family])

    def runs_out_once_a_page_is_kept() -> int:
        kept = tracked_store.count_backfill_pages(repo).get(family, 0)
        return PLENTY_MS if kept == 0 else SHORT_OF_TIME_MS

    first = handlers.run_backfills(backfill_event(), FakeContext(runs_out_once_a_page_is_kept))

    assert first["status"] == "unfinished", first
    assert first["remaining"] == 1 and first["pages_kept"] >= 1
    assert first["run_status"] == "failed"  # recorded as stopped: its pages are kept
    (job,) = tracked_store.backfill_jobs(BackfillStatus.QUEUED)
    assert job.leased_until is None or job.lease_owner is None  # its lease was given back

    second = handlers.run_backfills(backfill_event(), FakeContext())

    assert second["status"] == "succeeded" and second["remaining"] == 0
    assert second["counts"]["pages"] >= 1  # the pages that follow a kept one were left to it
    assert tracked_store.backfill_jobs(BackfillStatus.QUEUED) == []
    # every page was fetched once: the kept ones by the first invocation, the rest by the next
    assert first["pages_kept"] + second["counts"]["pages"] == clean_pages(
        tmp_path, monkeypatch, simulator, repo, family
    )


def clean_pages(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    simulator: Simulator,
    repo: RepoName,
    family: Family,
) -> int:
    """The pages one uninterrupted invocation fetches for the same job, in a fresh store."""
    url = f"sqlite:///{tmp_path / 'clean.db'}"
    store = open_store(store_settings(url))
    store.upgrade()
    (world_repo,) = [
        r for r in simulator.world.repos if (r.owner, r.name) == (repo.owner, repo.name)
    ]
    packages = [PackageRef(package.ecosystem, package.name) for package in world_repo.packages]
    store.add_subject(repo, packages, added_at=simulator.world.config.now)
    enqueue_backfill(store, SystemClock(), [repo], [family])
    monkeypatch.setenv("OSSGROWTH_STORE_URL", url)
    try:
        clean = handlers.run_backfills(backfill_event(), FakeContext())
    finally:
        store.close()
    assert clean["status"] == "succeeded"
    return int(clean["counts"]["pages"])


def test_a_backfill_the_upstream_refuses_raises_for_lambda_and_keeps_the_jobs_queued(
    tracked_store: Store,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    make_secret: Callable[[dict[str, Any]], str],
) -> None:
    monkeypatch.setenv("OSSGROWTH_GITHUB_TOKEN_SECRET", make_secret({"token": WRONG_TOKEN}))
    repo, family = busiest_job(simulator)
    enqueue_backfill(tracked_store, SystemClock(), [repo], [family])

    with pytest.raises(ScheduledWorkFailed, match="^backfill: ") as failed:
        handlers.run_backfills(backfill_event(), FakeContext())

    assert WRONG_TOKEN not in str(failed.value)
    assert [job.family for job in tracked_store.backfill_jobs(BackfillStatus.QUEUED)] == [family]
    (run,) = tracked_store.list_runs(5, job="backfill")
    assert run.status.value == "failed"


def test_an_event_of_a_collection_schedule_is_refused(tracked_store: Store) -> None:
    with pytest.raises(ScheduledWorkFailed, match="runs 'backfill', but the event names"):
        handlers.run_backfills(scheduler_event("collect:stars"), FakeContext())


def test_a_store_lost_mid_backfill_fails_the_invocation_with_the_stores_own_message(
    tracked_store: Store,
    simulator: Simulator,
    lambda_store_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if not lambda_store_url.startswith("sqlite:///"):
        pytest.skip("losing the store is removing its file: SQLite's way")
    repo, family = busiest_job(simulator)
    enqueue_backfill(tracked_store, SystemClock(), [repo], [family])
    database = Path(lambda_store_url.removeprefix("sqlite:///"))

    def the_store_file_goes_after_a_page() -> int:
        if tracked_store.count_backfill_pages(repo).get(family, 0) and database.exists():
            database.unlink()  # a volume gone: every write from now on is refused
        return PLENTY_MS

    with pytest.raises(ScheduledWorkFailed, match="^backfill: the store file .* was deleted"):
        handlers.run_backfills(backfill_event(), FakeContext(the_store_file_goes_after_a_page))

    (ended,) = [line for line in json_lines(capsys.readouterr().out) if "summary" in line]
    assert ended["summary"]["status"] == "failed"
    assert ended["summary"]["overdue_schedules"] is None  # the store could not tell
