"""One scheduled collection in one Lambda invocation: the schedule's slot, part by part, until
it is done or the invocation is out of time.

The slot is the latest one of the schedule at the event's ``scheduled_time``. It is collected
by the scheduler every server runs (:class:`~ossgrowth.collect.CollectionScheduler`) for this
schedule alone, so slots and parts are claimed through the store exactly as there: a retried
or repeated invocation for a slot finds its parts finished and does nothing, and several
invocations at once share the parts. A part is started only while :data:`PART_SECONDS` are
left before the margin (:mod:`~ossgrowth.aws.deadline`); the collection in flight when the
margin comes is cancelled, its part given back and its run recorded as stopped. The parts
left are taken by the next invocation for the same slot (a retry, or the schedule's next
firing within the slot).

An event for a slot older than the schedule's latest is *superseded*: a collection observes
the present, so an old slot is not made up (as a server that was down does not replay).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import anyio

from ossgrowth.aws.deadline import Deadline
from ossgrowth.aws.events import InvalidEvent, ScheduledEvent
from ossgrowth.clock import Clock, utc
from ossgrowth.collect.scheduler import CollectionScheduler
from ossgrowth.collect.slot_parts import PART_SIZE, parts_of
from ossgrowth.collect.slots import Schedule, latest_slot
from ossgrowth.collect.upstreams import Upstreams, build_upstreams
from ossgrowth.config import Settings
from ossgrowth.model import Run, RunStatus, SlotClaim
from ossgrowth.sources import EtagCache
from ossgrowth.store import Store
from ossgrowth.store.off_loop import off_loop

__all__ = [
    "FUTURE_TOLERANCE",
    "PART_SECONDS",
    "CollectionSummary",
    "InvocationStatus",
    "RunSummary",
    "collect_slot",
]

logger = logging.getLogger(__name__)

PART_SECONDS = 60.0
"""Time left (beyond the margin) that a part needs to be started: a part of 1,000
repositories is about ten GraphQL requests and one write, seconds in all."""
FUTURE_TOLERANCE = timedelta(minutes=5)
"""How far ahead of this function's clock an event's time may be (clocks differ a little)."""


class InvocationStatus(enum.StrEnum):
    """How a scheduled invocation ended."""

    SUCCEEDED = "succeeded"
    """It collected (or backfilled) what was left, without a failure."""
    PARTIAL = "partial"
    """Like succeeded, but some repositories or packages failed (their runs say which)."""
    UNFINISHED = "unfinished"
    """It stopped before its time limit; ``remaining`` is left for the next invocation."""
    ALREADY_DONE = "already_done"
    """Nothing was left to take: done by an earlier invocation, or held by another one."""
    NOTHING_TO_DO = "nothing_to_do"
    """Nothing is tracked (collections), or nothing is queued (backfills)."""
    SUPERSEDED = "superseded"
    """The event's slot is older than the schedule's latest: not made up."""
    WAITING = "waiting"
    """Every token is out of budget; the work resumes once it resets."""
    FAILED = "failed"
    """The work failed; the invocation raises, so Lambda counts an error (and retries)."""


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One recorded run, as a summary shows it."""

    run_id: int | None
    job: str
    status: str
    counts: dict[str, int]
    requests: int
    error: str | None = None

    @classmethod
    def of(cls, run: Run) -> RunSummary:
        return cls(
            run.id, run.job, run.status.value, dict(run.counts), run.requests_spent, run.error
        )


@dataclass(frozen=True, slots=True)
class CollectionSummary:
    """What one invocation of a collector did to its slot."""

    job: str
    slot: datetime | None
    status: InvocationStatus
    parts: int = 0
    """Parts of the slot (one up to 1,000 repositories)."""
    parts_collected: int = 0
    """Parts this invocation collected."""
    parts_remaining: int = 0
    """Parts not finished when it returned (left to the next invocation, or held by another)."""
    runs: tuple[RunSummary, ...] = field(default=())
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The summary as the handler returns it (JSON-able)."""
        return {
            "job": self.job,
            "slot": None if self.slot is None else _iso(self.slot),
            "status": self.status.value,
            "parts": self.parts,
            "parts_collected": self.parts_collected,
            "parts_remaining": self.parts_remaining,
            "runs": [
                {
                    "run_id": run.run_id,
                    "job": run.job,
                    "status": run.status,
                    "counts": run.counts,
                    "requests": run.requests,
                }
                for run in self.runs
            ],
            "error": self.error,
        }


class _NotBefore:
    """A clock that never reads earlier than ``floor``: the scheduler then finds the event's
    slot even when this function's clock runs a little behind the Scheduler's."""

    def __init__(self, clock: Clock, floor: datetime) -> None:
        self._clock = clock
        self._floor = floor

    def now(self) -> datetime:
        return max(self._clock.now(), self._floor)


async def collect_slot(
    store: Store,
    settings: Settings,
    schedule: Schedule,
    event: ScheduledEvent,
    deadline: Deadline,
    clock: Clock,
    *,
    etags: EtagCache | None = None,
) -> CollectionSummary:
    """Collect what is left of ``schedule``'s slot at the event's time, within ``deadline``.

    Raises:
        InvalidEvent: the event's time is ahead of this function's clock by more than
            :data:`FUTURE_TOLERANCE`.
    """
    now = clock.now()
    requested = utc(event.scheduled_time or now)
    if requested > now + FUTURE_TOLERANCE:
        raise InvalidEvent(
            f"scheduled_time {_iso(requested)} is ahead of this function's clock ({_iso(now)}): "
            "a slot is collected once it has come"
        )
    zone = settings.zone
    slot = latest_slot(schedule, requested, zone)
    if slot < latest_slot(schedule, max(now, requested), zone):
        return CollectionSummary(schedule.name, slot, InvocationStatus.SUPERSEDED)
    subjects = await off_loop(store.list_subjects)
    if not subjects:
        return CollectionSummary(schedule.name, slot, InvocationStatus.NOTHING_TO_DO)
    part_size = event.part_size or PART_SIZE
    parts = [part.job for part in parts_of(schedule.name, subjects, part_size)]
    finished_before = _finished(await off_loop(store.slot_claims, schedule.name, slot))
    since = now.replace(microsecond=0)  # runs keep whole seconds
    runs_before = {run.id for run in await _runs_since(store, schedule.name, since, len(parts))}
    out_of_time: list[bool] = []

    def keep_going() -> bool:
        if deadline.allows(PART_SECONDS):
            return True
        out_of_time.append(True)
        return False

    def open_upstreams() -> Upstreams:
        return build_upstreams(settings, clock, etags=etags)

    scheduler = CollectionScheduler(
        store,
        _NotBefore(clock, requested),
        open_upstreams,
        zone,
        schedules=(schedule,),
        lease_seconds=settings.lease_seconds,
        part_size=part_size,
        keep_going=keep_going,
    )
    with anyio.move_on_after(max(0.0, deadline.seconds_left())) as limit:
        await scheduler.run_due()
    stopped = bool(out_of_time) or limit.cancelled_caught
    if stopped:
        logger.info(
            "%s of %s: out of time, the rest is left to the next invocation",
            schedule.name,
            _iso(slot),
        )
    runs = [
        run
        for run in await _runs_since(store, schedule.name, since, len(parts))
        if run.id not in runs_before
    ]
    return await _summary(store, schedule, slot, parts, finished_before, runs, stopped, clock.now())


async def _summary(
    store: Store,
    schedule: Schedule,
    slot: datetime,
    parts: list[str],
    finished_before: set[str],
    runs: list[Run],
    stopped: bool,
    now: datetime,
) -> CollectionSummary:
    """Where the slot stands after this invocation, from the store's claims, and the runs
    it recorded (oldest first)."""
    claims = await off_loop(store.slot_claims, schedule.name, slot)
    finished = _finished(claims)
    held = {
        claim.job
        for claim in claims
        if claim.finished_at is None and claim.lease_until is not None and claim.lease_until > now
    }
    collected = [job for job in parts if job in finished and job not in finished_before]
    remaining = [job for job in parts if job not in finished]
    free = [job for job in remaining if job not in held]
    error = None
    if free and not stopped:
        status = InvocationStatus.FAILED
        reasons = [run.error for run in runs if run.status is RunStatus.FAILED and run.error]
        error = (
            f"{len(free)} of {len(parts)} parts of {schedule.name} at {_iso(slot)} were not "
            f"collected: {reasons[-1] if reasons else 'see the runs'}"
        )
    elif stopped and remaining:
        status = InvocationStatus.UNFINISHED
    elif collected:
        partial = any(run.status is RunStatus.PARTIAL for run in runs)
        status = InvocationStatus.PARTIAL if partial else InvocationStatus.SUCCEEDED
    else:
        status = InvocationStatus.ALREADY_DONE
    return CollectionSummary(
        schedule.name,
        slot,
        status,
        parts=len(parts),
        parts_collected=len(collected),
        parts_remaining=len(remaining),
        runs=tuple(RunSummary.of(run) for run in runs),
        error=error,
    )


def _finished(claims: list[SlotClaim]) -> set[str]:
    return {claim.job for claim in claims if claim.finished_at is not None}


async def _runs_since(store: Store, job: str, since: datetime, parts: int) -> list[Run]:
    """The runs of ``job`` (every part's run is recorded under it) started at ``since`` or
    later, oldest first."""
    runs = await off_loop(store.list_runs, 2 * parts + 10, job=job, since=since)
    return [run for run in reversed(runs) if run.job == job]


def _iso(moment: datetime) -> str:
    return utc(moment).isoformat().replace("+00:00", "Z")
