"""Where the collection and the backfill of a repository stand: pure decisions for an overview.

**Collection** is judged per schedule (:data:`~ossgrowth.collect.slots.SCHEDULES`) over the
series the repository is collected in (stars, PRs and issues; the downloads of each of its
packages), and the repository gets the worst, in this order:

- ``failed``: the newest finished run of a job that collects the schedule's families (the
  schedule's own job, or ``collect``: ``ossgrowth collect --once`` and the admin route) failed
  as a whole, or was partial and named this repository (GitHub's families) or one of its
  packages (downloads); the message is the run's error, or the part of it naming them.
- ``overdue``: a series was last measured before the schedule's latest slot, counted an hour
  late (:data:`GRACE`) so that a collection under way is not overdue yet.
- ``pending``: never measured, and tracked after that slot; the message names the next slot.
- ``ok``.

**Backfill**: ``none`` without jobs; else ``failed`` when a job failed, ``running`` when a
queued job's lease has not ended, ``queued`` when a job is queued, else ``done``. Family by
family (:func:`family_backfills`), a job is running while its lease has not ended.

Nothing here reads a store or a clock: the callers pass what they read, and ``now``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ossgrowth.checkpoints import BackfillJob, BackfillStatus
from ossgrowth.collect.slots import SCHEDULES, Schedule, latest_slot, next_slot
from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.model import PackageRef, RepoName, Run, RunStatus

__all__ = [
    "COLLECT_ONCE_JOB",
    "GRACE",
    "Backfill",
    "BackfillState",
    "Collection",
    "CollectionStatus",
    "FamilyBackfill",
    "Measured",
    "ScheduleState",
    "backfill_state",
    "collection_state",
    "elapsed",
    "family_backfills",
    "schedule_states",
]

COLLECT_ONCE_JOB = "collect"
"""The job of a collection of every family at once (``collect --once``, the admin route)."""
GRACE = timedelta(hours=1)
"""How long after its slot a collection may take before its series count as overdue."""
_ORDER = {family: index for index, family in enumerate(FAMILIES)}


class CollectionStatus(enum.StrEnum):
    """How a repository's collection stands, from best to worst."""

    OK = "ok"
    PENDING = "pending"
    OVERDUE = "overdue"
    FAILED = "failed"


_RANK = {status: rank for rank, status in enumerate(CollectionStatus)}


@dataclass(frozen=True, slots=True)
class Measured:
    """What was read of the measurements of one series: a family of a repository or package."""

    family: Family
    package: PackageRef | None = None
    newest: datetime | None = None
    """The newest measured point read; ``None`` when none was."""
    read_since: datetime | None = None
    """The oldest point read when older ones were not; ``None`` when the whole series was."""

    @property
    def label(self) -> str:
        """``stars``, or ``downloads of npm:widgets``."""
        return self.family.value if self.package is None else f"downloads of {self.package}"


@dataclass(frozen=True, slots=True)
class Collection:
    """Where a repository's collection stands."""

    status: CollectionStatus
    last_measured_at: datetime | None
    """The newest measured point of any of its series."""
    message: str | None
    """What is wrong or coming, in one line; ``None`` when all is well."""


@dataclass(frozen=True, slots=True)
class ScheduleState:
    """What the collection of every repository on one schedule is judged against, at a moment."""

    schedule: Schedule
    due_slot: datetime
    """The latest slot, counted :data:`GRACE` late: series measured before it are overdue."""
    following_slot: datetime
    """The slot after it: the first collection of a repository tracked since."""
    newest_run: Run | None
    """The newest finished run of the schedule's job or of :data:`COLLECT_ONCE_JOB`."""


def schedule_states(
    runs: Sequence[Run],
    *,
    now: datetime,
    zone: ZoneInfo,
    schedules: Sequence[Schedule] = SCHEDULES,
) -> tuple[ScheduleState, ...]:
    """Each schedule's slots and newest finished run at ``now`` (``runs`` newest first)."""
    judged = now - GRACE
    states = []
    for schedule in schedules:
        jobs = {schedule.name, COLLECT_ONCE_JOB}
        newest_run = next(
            (run for run in runs if run.job in jobs and run.status is not RunStatus.RUNNING), None
        )
        states.append(
            ScheduleState(
                schedule=schedule,
                due_slot=latest_slot(schedule, judged, zone),
                following_slot=next_slot(schedule, judged, zone),
                newest_run=newest_run,
            )
        )
    return tuple(states)


def collection_state(
    repo: RepoName,
    measured: Sequence[Measured],
    states: Sequence[ScheduleState],
    *,
    added_at: datetime | None,
    now: datetime,
) -> Collection:
    """How the collection of ``repo`` stands at ``now``.

    Args:
        repo: the repository.
        measured: each series it is collected in (others are not judged).
        states: each schedule's state at ``now`` (:func:`schedule_states`).
        added_at: when it was tracked.
        now: the moment judged.
    """
    worst: tuple[CollectionStatus, str | None] = (CollectionStatus.OK, None)
    for state in states:
        series = sorted(
            (each for each in measured if each.family in state.schedule.families),
            key=lambda each: (_ORDER[each.family], str(each.package or "")),
        )
        if not series:
            continue
        found = _failure(state.newest_run, series, repo)
        if found is None:
            found = _lateness(state, series, added_at=added_at, now=now)
        if _RANK[found[0]] > _RANK[worst[0]]:
            worst = found
    newest = [each.newest for each in measured if each.newest is not None]
    return Collection(worst[0], max(newest) if newest else None, worst[1])


def _failure(
    run: Run | None, series: Sequence[Measured], repo: RepoName
) -> tuple[CollectionStatus, str | None] | None:
    """``failed`` with its message when ``run`` failed, or failed for one of ``series``."""
    if run is None:
        return None
    if run.status is RunStatus.FAILED:
        return CollectionStatus.FAILED, run.error or f"the run of {run.job} failed"
    if run.status is not RunStatus.PARTIAL or not run.error:
        return None
    names = tuple(
        {
            (repo.full_name if each.package is None else str(each.package)).lower() + ": "
            for each in series
        }
    )
    parts = [part for part in run.error.split("; ") if part.lower().startswith(names)]
    return (CollectionStatus.FAILED, "; ".join(parts)) if parts else None


def _lateness(
    state: ScheduleState,
    series: Sequence[Measured],
    *,
    added_at: datetime | None,
    now: datetime,
) -> tuple[CollectionStatus, str | None]:
    """``overdue``, ``pending`` or ``ok``: the worst of ``series`` against the due slot."""
    slot = state.due_slot
    worst: tuple[CollectionStatus, str | None] = (CollectionStatus.OK, None)
    for each in series:
        if each.newest is not None and each.newest >= slot:
            continue
        if each.newest is None and added_at is not None and added_at > slot:
            found = (
                CollectionStatus.PENDING,
                f"first collection at {_iso(state.following_slot)}",
            )
        elif each.newest is not None:
            found = (
                CollectionStatus.OVERDUE,
                f"{each.label} last measured {elapsed(now - each.newest)} ago",
            )
        elif each.read_since is not None:
            found = (
                CollectionStatus.OVERDUE,
                f"{each.label} not measured in the last {elapsed(now - each.read_since)}",
            )
        else:
            found = (
                CollectionStatus.OVERDUE,
                f"{each.label} never measured; it was due at {_iso(slot)}",
            )
        if _RANK[found[0]] > _RANK[worst[0]]:
            worst = found
    return worst


def elapsed(duration: timedelta) -> str:
    """A duration in whole units of the largest that fits: ``2 days``, ``1 hour``, ``5 minutes``."""
    seconds = max(0, int(duration.total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}" + ("" if count == 1 else "s")
    return "less than a minute"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class BackfillState(enum.StrEnum):
    """How the backfill of a repository's history stands, taken over its families."""

    NONE = "none"
    QUEUED = "queued"
    RUNNING = "running"
    FAILED = "failed"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Backfill:
    """The backfill of a repository, taken over its families."""

    status: BackfillState
    families_done: int
    families_total: int
    pages_stored: int
    """Pages fetched and kept so far by its unfinished jobs."""
    message: str | None
    """The message of the first failed job (by family), if any."""


def backfill_state(jobs: Sequence[BackfillJob], *, pages_stored: int, now: datetime) -> Backfill:
    """How the backfill of one repository stands at ``now``, from its jobs."""
    ordered = sorted(jobs, key=lambda job: _ORDER[job.family])
    failed = [job for job in ordered if job.status is BackfillStatus.FAILED]
    queued = [job for job in ordered if job.status is BackfillStatus.QUEUED]
    if not ordered:
        status = BackfillState.NONE
    elif failed:
        status = BackfillState.FAILED
    elif any(_leased(job, now) for job in queued):
        status = BackfillState.RUNNING
    elif queued:
        status = BackfillState.QUEUED
    else:
        status = BackfillState.DONE
    return Backfill(
        status=status,
        families_done=sum(job.status is BackfillStatus.DONE for job in ordered),
        families_total=len(ordered),
        pages_stored=pages_stored,
        message=failed[0].message if failed else None,
    )


@dataclass(frozen=True, slots=True)
class FamilyBackfill:
    """Where the backfill of one family of a repository stands."""

    job: BackfillJob
    running: bool
    """A server or worker is working on it now: its lease has not ended."""
    pages_stored: int
    """Pages fetched and kept so far (an unfinished job resumes from them)."""

    @property
    def family(self) -> Family:
        """The family whose history the job reconstructs."""
        return self.job.family


def family_backfills(
    jobs: Sequence[BackfillJob], *, pages_stored: Mapping[Family, int], now: datetime
) -> tuple[FamilyBackfill, ...]:
    """The backfill of each family of one repository at ``now``, in the registry's order.

    Args:
        jobs: the repository's backfill jobs.
        pages_stored: pages stored per family (a family with none may be missing).
        now: the moment judged.
    """
    return tuple(
        FamilyBackfill(job, _leased(job, now), pages_stored.get(job.family, 0))
        for job in sorted(jobs, key=lambda job: _ORDER[job.family])
    )


def _leased(job: BackfillJob, now: datetime) -> bool:
    return job.leased_until is not None and job.leased_until > now
