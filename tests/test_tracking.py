"""Tracking a repository and reading its backfill: the core under the CLI and the API, on a real
SQLite store and a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ossgrowth.checkpoints import BackfillStatus, PageCheckpoint
from ossgrowth.clock import FixedClock
from ossgrowth.metrics.registry import FAMILIES
from ossgrowth.model import Ecosystem, Family, PackageRef, RepoName
from ossgrowth.store import SqlStore
from ossgrowth.tracking import backfill_progress, track_repository

START = datetime(2026, 3, 4, 12, tzinfo=UTC)
REPO = RepoName("octo", "widgets")
NPM = PackageRef(Ecosystem.NPM, "widgets")
PYPI = PackageRef(Ecosystem.PYPI, "widgets")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path / 'dev.db'}", environment="dev")
    store.upgrade()
    yield store
    store.close()


def test_tracking_stores_the_repository_and_queues_every_family_of_its_history(
    store: SqlStore,
) -> None:
    tracked = track_repository(store, FixedClock(START), REPO, [NPM])
    assert tracked.subject.repo == REPO
    assert tracked.subject.packages == (NPM,)
    assert tracked.subject.added_at == START
    assert tracked.families == tuple(FAMILIES)
    assert {job.status for job in tracked.queued} == {BackfillStatus.QUEUED}
    assert store.get_subject(REPO) == tracked.subject
    assert {job.family for job in store.backfill_jobs(repo=REPO)} == set(FAMILIES)


def test_tracking_again_adds_new_packages_and_queues_a_finished_history_again(
    store: SqlStore,
) -> None:
    clock = FixedClock(START)
    track_repository(store, clock, REPO, [NPM])
    store.finish_backfill(
        REPO, Family.STARS, [], status=BackfillStatus.DONE, finished_at=START, method="list"
    )
    clock.advance(timedelta(days=1))
    again = track_repository(store, clock, RepoName("Octo", "Widgets"), [PYPI])
    assert again.subject.repo == REPO
    assert set(again.subject.packages) == {NPM, PYPI}
    assert again.subject.added_at == START
    assert again.families == tuple(FAMILIES)
    stars = next(job for job in store.backfill_jobs(repo=REPO) if job.family is Family.STARS)
    assert stars.status is BackfillStatus.QUEUED


def test_a_repository_without_jobs_has_no_backfill_and_is_not_complete(
    store: SqlStore,
) -> None:
    store.add_subject(REPO, [], added_at=START)
    for repo in (REPO, RepoName("octo", "untracked")):
        progress = backfill_progress(store, repo, now=START)
        assert progress.repo == repo
        assert progress.families == ()
        assert not progress.complete


def test_the_backfill_tells_each_family_s_status_lease_and_pages_in_the_registry_s_order(
    store: SqlStore,
) -> None:
    clock = FixedClock(START)
    track_repository(store, clock, REPO, [NPM])
    assert store.claim_backfill(
        REPO, Family.STARS, owner="runner", now=START, until=START + timedelta(minutes=5)
    )
    for number in (1, 2):
        store.save_backfill_page(
            PageCheckpoint(REPO, Family.ISSUES, "issues/OPEN/forward", number, "c", "{}")
        )
    store.finish_backfill(
        REPO, Family.PRS, [], status=BackfillStatus.DONE, finished_at=START, method="search"
    )
    store.finish_backfill(
        REPO,
        Family.DOWNLOADS,
        [],
        status=BackfillStatus.FAILED,
        finished_at=START,
        message="npm: no such package",
    )

    progress = backfill_progress(store, REPO, now=START + timedelta(minutes=1))
    assert [each.family for each in progress.families] == list(FAMILIES)
    by_family = {each.family: each for each in progress.families}
    assert [family for family, each in by_family.items() if each.running] == [Family.STARS]
    assert by_family[Family.ISSUES].pages_stored == 2
    assert by_family[Family.PRS].job.method == "search"
    assert by_family[Family.DOWNLOADS].job.message == "npm: no such package"
    assert not progress.complete
    later = backfill_progress(store, REPO, now=START + timedelta(minutes=5))
    assert not any(each.running for each in later.families)

    for family in FAMILIES:
        store.finish_backfill(REPO, family, [], status=BackfillStatus.DONE, finished_at=START)
    assert backfill_progress(store, REPO, now=START).complete
