"""Where a repository's collection and backfill stand: pure decisions on fake times and runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ossgrowth.checkpoints import BackfillJob, BackfillStatus
from ossgrowth.collect.status import (
    BackfillState,
    CollectionStatus,
    Measured,
    backfill_state,
    collection_state,
    elapsed,
    family_backfills,
    schedule_states,
)
from ossgrowth.metrics.registry import FAMILIES
from ossgrowth.model import Ecosystem, Family, PackageRef, RepoName, Run, RunStatus

ZONE = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 3, 4, 20, 30, tzinfo=UTC)
"""A Wednesday, 12:30 in Los Angeles: the stars slot of 12:00 local is within its grace hour."""
STARS_DUE = datetime(2026, 3, 4, 17, tzinfo=UTC)
"""09:00 local: the latest stars slot an hour ago."""
DAILY_DUE = datetime(2026, 3, 4, 7, 50, tzinfo=UTC)
"""Tuesday 23:50 local."""
WEEKLY_DUE = datetime(2026, 3, 2, 7, 50, tzinfo=UTC)
"""Sunday 23:50 local."""
REPO = RepoName("octo", "widgets")
NPM = PackageRef(Ecosystem.NPM, "widgets")
ADDED = datetime(2026, 1, 1, tzinfo=UTC)


def fresh(*, package: PackageRef | None = NPM) -> list[Measured]:
    """Every series of REPO measured just after its due slot."""
    series = [
        Measured(Family.STARS, newest=STARS_DUE + timedelta(minutes=1)),
        Measured(Family.PRS, newest=DAILY_DUE + timedelta(minutes=1)),
        Measured(Family.ISSUES, newest=DAILY_DUE + timedelta(minutes=1)),
    ]
    if package is not None:
        series.append(Measured(Family.DOWNLOADS, package, newest=WEEKLY_DUE))
    return series


def judged(
    measured: Sequence[Measured],
    runs: Sequence[Run] = (),
    *,
    added_at: datetime = ADDED,
    now: datetime = NOW,
) -> tuple[CollectionStatus, str | None]:
    states = schedule_states(runs, now=now, zone=ZONE)
    found = collection_state(REPO, measured, states, added_at=added_at, now=now)
    return found.status, found.message


def run(job: str, status: RunStatus, error: str | None = None, *, hours_ago: float = 1) -> Run:
    started = NOW - timedelta(hours=hours_ago)
    finished = None if status is RunStatus.RUNNING else started + timedelta(minutes=1)
    return Run(job, "dev", started, status, finished, error=error)


def test_series_measured_since_their_slots_are_ok() -> None:
    found = collection_state(
        REPO, fresh(), schedule_states([], now=NOW, zone=ZONE), added_at=ADDED, now=NOW
    )
    assert (found.status, found.message) == (CollectionStatus.OK, None)
    assert found.last_measured_at == STARS_DUE + timedelta(minutes=1)


def test_the_slot_within_its_grace_hour_is_not_due_yet() -> None:
    """12:00 local passed half an hour ago; stars measured at 09:00 are still ok."""
    assert judged(fresh())[0] is CollectionStatus.OK
    later = NOW + timedelta(minutes=31)
    status, message = judged(fresh(), now=later)
    assert status is CollectionStatus.OVERDUE
    assert message == "stars last measured 4 hours ago"


@pytest.mark.parametrize(
    ("family", "newest", "message"),
    [
        (Family.STARS, NOW - timedelta(days=2, hours=5), "stars last measured 2 days ago"),
        (Family.PRS, NOW - timedelta(days=1, hours=1), "prs last measured 1 day ago"),
        (Family.ISSUES, None, "issues never measured; it was due at 2026-03-04T07:50:00Z"),
        (
            Family.DOWNLOADS,
            WEEKLY_DUE - timedelta(minutes=5),
            "downloads of npm:widgets last measured 2 days ago",
        ),
    ],
)
def test_a_series_measured_before_its_slot_is_overdue_and_named(
    family: Family, newest: datetime | None, message: str
) -> None:
    measured = [
        Measured(each.family, each.package, newest=newest) if each.family is family else each
        for each in fresh()
    ]
    assert judged(measured) == (CollectionStatus.OVERDUE, message)


def test_a_measurement_older_than_what_was_read_is_told_as_such() -> None:
    measured = [*fresh()[:3], Measured(Family.DOWNLOADS, NPM, read_since=NOW - timedelta(days=8))]
    assert judged(measured) == (
        CollectionStatus.OVERDUE,
        "downloads of npm:widgets not measured in the last 8 days",
    )


def test_a_repository_without_packages_is_not_judged_on_downloads() -> None:
    assert judged(fresh(package=None))[0] is CollectionStatus.OK


def test_a_repository_tracked_after_the_slot_is_pending_until_the_next_one() -> None:
    never = [Measured(each.family, each.package) for each in fresh()]
    status, message = judged(never, added_at=NOW - timedelta(minutes=10))
    assert status is CollectionStatus.PENDING
    assert message == "first collection at 2026-03-04T20:00:00Z"  # 12:00 local, under way


def test_a_repository_never_measured_though_tracked_before_the_slot_is_overdue() -> None:
    never = [Measured(each.family, each.package) for each in fresh()]
    status, message = judged(never, added_at=STARS_DUE - timedelta(hours=1))
    assert status is CollectionStatus.OVERDUE
    assert message == "stars never measured; it was due at 2026-03-04T17:00:00Z"


def test_a_failed_run_of_a_schedule_fails_every_repository_with_its_error() -> None:
    runs = [run("collect:stars", RunStatus.FAILED, "cannot reach GitHub at https://api.github.com")]
    assert judged(fresh(), runs) == (
        CollectionStatus.FAILED,
        "cannot reach GitHub at https://api.github.com",
    )


def test_a_partial_run_fails_only_the_repository_it_names_with_its_part_of_the_error() -> None:
    error = "octo/other: NOT_FOUND: gone; Octo/Widgets: FORBIDDEN: blocked; npm:x: HTTP 500: oops"
    runs = [run("collect:prs+issues", RunStatus.PARTIAL, error)]
    assert judged(fresh(), runs) == (CollectionStatus.FAILED, "Octo/Widgets: FORBIDDEN: blocked")
    unnamed = [run("collect:prs+issues", RunStatus.PARTIAL, "octo/other: NOT_FOUND: gone")]
    assert judged(fresh(), unnamed)[0] is CollectionStatus.OK


def test_a_package_named_by_a_partial_downloads_run_fails_its_repository() -> None:
    runs = [run("collect:downloads", RunStatus.PARTIAL, "npm:widgets: HTTP 500: npm is down")]
    assert judged(fresh(), runs) == (CollectionStatus.FAILED, "npm:widgets: HTTP 500: npm is down")
    assert judged(fresh(package=None), runs)[0] is CollectionStatus.OK


def test_only_the_newest_finished_run_of_a_schedule_s_jobs_counts() -> None:
    failed = run("collect:stars", RunStatus.FAILED, "down", hours_ago=4)
    recovered = [run("collect:stars", RunStatus.SUCCEEDED, hours_ago=1), failed]
    assert judged(fresh(), recovered)[0] is CollectionStatus.OK
    still_running = [run("collect:stars", RunStatus.RUNNING, hours_ago=0.1), failed]
    assert judged(fresh(), still_running) == (CollectionStatus.FAILED, "down")
    by_collect_once = [run("collect", RunStatus.FAILED, "no token left", hours_ago=0.5), failed]
    assert judged(fresh(), by_collect_once) == (CollectionStatus.FAILED, "no token left")
    other_jobs = [
        run("backfill", RunStatus.FAILED, "x"),
        run("collect:prs+issues", RunStatus.SUCCEEDED),
    ]
    assert judged(fresh(), other_jobs)[0] is CollectionStatus.OK


def test_failed_outranks_overdue_which_outranks_pending() -> None:
    measured = [
        Measured(Family.STARS),
        Measured(Family.PRS, newest=NOW - timedelta(days=3)),
        Measured(Family.ISSUES, newest=NOW),
    ]
    added_now = NOW - timedelta(minutes=5)
    assert judged(measured, added_at=added_now) == (
        CollectionStatus.OVERDUE,
        "prs last measured 3 days ago",
    )
    failing = [run("collect:downloads", RunStatus.FAILED, "npm is down")]
    assert judged([*measured, Measured(Family.DOWNLOADS, NPM)], failing, added_at=added_now) == (
        CollectionStatus.FAILED,
        "npm is down",
    )


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        (timedelta(seconds=30), "less than a minute"),
        (timedelta(minutes=1, seconds=59), "1 minute"),
        (timedelta(hours=5, minutes=59), "5 hours"),
        (timedelta(days=1, hours=23), "1 day"),
        (timedelta(days=400), "400 days"),
    ],
)
def test_elapsed_time_is_told_in_whole_units_of_the_largest_that_fits(
    duration: timedelta, words: str
) -> None:
    assert elapsed(duration) == words


def job(
    family: Family,
    status: BackfillStatus,
    *,
    leased_until: datetime | None = None,
    message: str | None = None,
) -> BackfillJob:
    return BackfillJob(REPO, family, status, ADDED, message=message, leased_until=leased_until)


@pytest.mark.parametrize(
    ("jobs", "state"),
    [
        ([], BackfillState.NONE),
        ([job(Family.STARS, BackfillStatus.DONE)], BackfillState.DONE),
        (
            [job(Family.STARS, BackfillStatus.DONE), job(Family.PRS, BackfillStatus.QUEUED)],
            BackfillState.QUEUED,
        ),
        (
            [job(Family.PRS, BackfillStatus.QUEUED, leased_until=NOW - timedelta(seconds=1))],
            BackfillState.QUEUED,
        ),
        (
            [job(Family.PRS, BackfillStatus.QUEUED, leased_until=NOW + timedelta(seconds=30))],
            BackfillState.RUNNING,
        ),
        (
            [
                job(Family.PRS, BackfillStatus.QUEUED, leased_until=NOW + timedelta(seconds=30)),
                job(Family.ISSUES, BackfillStatus.FAILED, message="no such repository"),
            ],
            BackfillState.FAILED,
        ),
    ],
)
def test_the_backfill_state_is_taken_over_every_family(
    jobs: list[BackfillJob], state: BackfillState
) -> None:
    assert backfill_state(jobs, pages_stored=0, now=NOW).status is state


def test_a_backfill_counts_families_and_tells_the_first_failure_by_family() -> None:
    jobs = [
        job(Family.DOWNLOADS, BackfillStatus.FAILED, message="npm: no such package"),
        job(Family.STARS, BackfillStatus.DONE),
        job(Family.ISSUES, BackfillStatus.FAILED, message="issues: gone"),
        job(Family.PRS, BackfillStatus.QUEUED),
    ]
    summary = backfill_state(jobs, pages_stored=12, now=NOW)
    assert (summary.families_done, summary.families_total, summary.pages_stored) == (1, 4, 12)
    assert summary.message == "issues: gone"


def test_each_family_s_backfill_comes_in_the_registry_s_order_with_its_pages() -> None:
    jobs = [job(family, BackfillStatus.QUEUED) for family in reversed(FAMILIES)]
    found = family_backfills(jobs, pages_stored={Family.ISSUES: 7}, now=NOW)
    assert [each.family for each in found] == list(FAMILIES)
    assert {each.family: each.pages_stored for each in found}[Family.ISSUES] == 7
    assert sum(each.pages_stored for each in found) == 7


@pytest.mark.parametrize(
    ("leased_until", "running"),
    [
        (None, False),
        (NOW - timedelta(seconds=1), False),
        (NOW, False),
        (NOW + timedelta(seconds=1), True),
    ],
)
def test_a_family_s_backfill_runs_while_its_lease_has_not_ended(
    leased_until: datetime | None, running: bool
) -> None:
    found = family_backfills(
        [job(Family.STARS, BackfillStatus.QUEUED, leased_until=leased_until)],
        pages_stored={},
        now=NOW,
    )
    assert [each.running for each in found] == [running]
