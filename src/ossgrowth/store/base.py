"""The Store protocol: the one small interface every backend implements.

Writes are idempotent upserts keyed by (subject, family, [package,] observed_at); a batch is
one transaction. When two points share a key, the one with the higher provenance rank wins
(measured > reconstructed > estimated); an equal rank overwrites. Time ranges are inclusive
at both ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from ossgrowth.alert_types import AlertEvent, AlertRule, Delivery, DeliveryStatus
from ossgrowth.checkpoints import BackfillJob, BackfillStatus, PageCheckpoint
from ossgrowth.metrics.resample import Interval
from ossgrowth.metrics.unusual import StargazerDay
from ossgrowth.model import (
    Collection,
    Family,
    PackageRef,
    Point,
    RepoName,
    Run,
    RunStatus,
    Series,
    ShownSeries,
    SlotClaim,
    Subject,
)

__all__ = ["STARGAZER_DAYS_PER_ADD", "ManagedStore", "StargazerMark", "Store"]

STARGAZER_DAYS_PER_ADD = 99
"""Days one :meth:`Store.add_stargazer_days` takes at most: with the mark, one DynamoDB
transaction (100 items)."""


@dataclass(frozen=True, slots=True)
class StargazerMark:
    """How far a followed stargazer list was read (:meth:`Store.stargazer_marks`)."""

    read_through: datetime
    """The newest ``starredAt`` the kept counts hold."""
    stars_seen: int | None = None
    """The star count GitHub showed before the read that brought the list to this mark: every
    star counted then is at or before the mark. ``None`` when no collection has read the list
    through since the star backfill (or its read stopped short of the newest star)."""


class Store(Protocol):
    """Where subjects, points and runs live, for one environment."""

    @property
    def environment(self) -> str:
        """The environment whose data this store holds."""
        ...

    def upgrade(self) -> str:
        """Create or migrate the schema to the newest revision; returns that revision."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...

    def ping(self) -> None:
        """Check the store answers; raises StoreUnreachable when it does not."""
        ...

    # subjects
    def add_subject(
        self, repo: RepoName, packages: Sequence[PackageRef], *, added_at: datetime
    ) -> Subject:
        """Track ``repo`` with ``packages``; tracking it again adds any new packages."""
        ...

    def get_subject(self, repo: RepoName) -> Subject | None:
        """The subject of ``repo`` (case-insensitive), or ``None``."""
        ...

    def list_subjects(self) -> list[Subject]:
        """Every tracked subject, by name."""
        ...

    def first_added_at(self) -> datetime | None:
        """When the earliest of the tracked subjects was added, or ``None`` with none."""
        ...

    def remove_subject(self, repo: RepoName) -> bool:
        """Stop tracking ``repo`` and delete its points; ``False`` when it was not tracked."""
        ...

    def set_identity(self, repo: RepoName, *, node_id: str, current: RepoName) -> Subject:
        """Record GitHub's node id and the repository's current name (after a rename).

        History stays with the subject whatever its name becomes.
        """
        ...

    # collections (named groups of tracked repositories)
    def create_collection(
        self, slug: str, *, name: str, description: str = "", created_at: datetime
    ) -> Collection:
        """Create an empty collection.

        Raises:
            InputError: a collection with ``slug`` exists already.
        """
        ...

    def get_collection(self, slug: str) -> Collection | None:
        """The collection ``slug`` (case-insensitive) with its members, or ``None``."""
        ...

    def list_collections(self) -> list[Collection]:
        """Every collection with its members, by slug."""
        ...

    def update_collection(
        self, slug: str, *, name: str | None = None, description: str | None = None
    ) -> Collection:
        """Rename or re-describe a collection (``None`` keeps a value).

        Raises:
            UnknownName: no collection ``slug``.
        """
        ...

    def add_collection_members(self, slug: str, repos: Sequence[RepoName]) -> Collection:
        """Add tracked repositories to a collection (members already in it stay once).

        Raises:
            UnknownName: no collection ``slug``.
            InputError: a repository is not tracked.
        """
        ...

    def remove_collection_members(self, slug: str, repos: Sequence[RepoName]) -> Collection:
        """Take repositories out of a collection (the repositories stay tracked).

        Raises:
            UnknownName: no collection ``slug``.
        """
        ...

    def delete_collection(self, slug: str) -> bool:
        """Delete a collection (never its members' data); ``False`` when there was none."""
        ...

    # points
    def write_points(self, points: Iterable[Point], *, events: Sequence[AlertEvent] = ()) -> int:
        """Upsert ``points`` in one transaction (DynamoDB: checked whole, then written in
        idempotent chunks); returns how many were given.

        ``events`` (alerts the points raise) go into the outbox in the same transaction, one
        pending delivery per new ``(rule_id, event_key)``; an event already there is skipped,
        so writing the same points and events twice delivers once.
        """
        ...

    def delete_points(
        self,
        repo: RepoName,
        family: Family,
        moments: Iterable[datetime],
        *,
        package: PackageRef | None = None,
    ) -> int:
        """Delete the points of a series at ``moments`` (the rest untouched), keeping its
        rollups, in one transaction; returns how many there were.

        Raises:
            InputError: the repository is not tracked; a package given or missing wrongly.
        """
        ...

    def read_series(
        self,
        repo: RepoName,
        family: Family,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        package: PackageRef | None = None,
    ) -> Series:
        """Points of one family for one subject (and package) with ``start <= t <= end``."""
        ...

    def read_shown(
        self,
        repo: RepoName,
        family: Family,
        *,
        interval: Interval,
        max_points: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        package: PackageRef | None = None,
    ) -> ShownSeries:
        """A series as charts show it, from rollups: exactly the points with
        ``start <= t <= end`` aggregated to ``interval`` (gaps included) and, when more than
        ``max_points`` rows, downsampled (:func:`ossgrowth.metrics.rollups.downsample`).

        Reads about ``max_points`` rows however long the series, once
        :meth:`rollups_ready`; empty when the range holds no point.
        """
        ...

    def rollups_ready(self) -> bool:
        """Whether every series' rollups are built (after migrating a store that held points)."""
        ...

    def read_recent(
        self,
        family: Family,
        *,
        span: timedelta,
        repos: Sequence[RepoName] | None = None,
    ) -> list[Series]:
        """The recent stretch of every tracked series of ``family`` (of ``repos`` only, when
        given: names compared case-insensitively, untracked ones left out), in one read.

        One :class:`Series` per tracked subject (per tracked package, for downloads) that has
        points, ordered by repository and package: its points observed within ``span`` of its
        newest one, preceded by the newest point at or before that moment, so the value of any
        moment from the newest point back to ``span`` before it is known exactly. A series
        shorter than ``span`` comes whole; ``span`` 0 gives each series' newest point. Each
        series costs a seek and the rows it returns, however long its history; a read of some
        repositories costs theirs only.

        Raises:
            InputError: ``span`` is negative.
        """
        ...

    def latest_points(self, family: Family) -> list[Point]:
        """The newest point of ``family`` per subject (per package for downloads)."""
        ...

    def count_points(self, repo: RepoName) -> dict[Family, int]:
        """How many points each family holds for ``repo``."""
        ...

    # values at moments (leaderboards)
    def values_at(
        self,
        family: Family,
        moments: Sequence[datetime],
        *,
        repos: Sequence[RepoName] | None = None,
    ) -> list[Series]:
        """Every tracked series of ``family`` (of ``repos`` only, when given; untracked names
        are left out) thinned to what tells its value at each of ``moments``, in one read.

        One :class:`Series` per series with points, ordered by repository and package: its
        oldest point and, for each moment, the newest point at or before it, each point once,
        in time order. So the newest row at or before a moment is the series' value then
        (none before the first row), and the first row tells its age. Each series costs a
        seek per moment and one more, however long its history.
        """
        ...

    # backfill
    def enqueue_backfill(
        self,
        repo: RepoName,
        families: Sequence[Family],
        *,
        enqueued_at: datetime,
        since: date | None = None,
        keep_done: bool = False,
    ) -> list[BackfillJob]:
        """Queue a backfill of ``families`` of a tracked ``repo``; returns those jobs.

        A job queued again keeps the pages already stored for it, so it resumes. With
        ``keep_done``, a job that is done when the write lands stays done (atomic: a job a
        runner finishes meanwhile is not queued again).
        """
        ...

    def backfill_jobs(
        self, status: BackfillStatus | None = None, *, repo: RepoName | None = None
    ) -> list[BackfillJob]:
        """Backfill jobs (of one status, of one repository), oldest first."""
        ...

    def count_backfill_pages(self, repo: RepoName) -> dict[Family, int]:
        """Pages stored so far for each of ``repo``'s unfinished jobs (how far they got)."""
        ...

    def claim_backfill(
        self, repo: RepoName, family: Family, *, owner: str, now: datetime, until: datetime
    ) -> bool:
        """Take, or renew, ``owner``'s lease on a queued job until ``until``.

        ``False`` when the job is not queued (or not tracked) or another runner's lease on it
        has not ended at ``now``. Atomic: of runners claiming at once, one gets it.
        """
        ...

    def release_backfill(self, repo: RepoName, family: Family, *, owner: str) -> None:
        """End ``owner``'s lease on a job, if it still holds it; the job stays as it is."""
        ...

    def save_backfill_page(self, page: PageCheckpoint) -> None:
        """Keep one fetched page with the cursor after it, in one transaction."""
        ...

    def backfill_pages(self, repo: RepoName, family: Family) -> list[PageCheckpoint]:
        """Every page stored for a job, by stream and page number."""
        ...

    def finish_backfill(
        self,
        repo: RepoName,
        family: Family,
        points: Sequence[Point],
        *,
        status: BackfillStatus,
        finished_at: datetime,
        method: str | None = None,
        message: str | None = None,
    ) -> None:
        """In one transaction: upsert ``points``, record the outcome, end the job's lease;
        done drops the pages."""
        ...

    # stargazers' account ages (unusual growth)
    def write_stargazer_days(
        self,
        repo: RepoName,
        days: Sequence[StargazerDay],
        *,
        read_through: datetime | None = None,
    ) -> int:
        """Upsert the account-age counts of ``days`` for a tracked ``repo`` (a day written
        again replaces its counts); returns the rows written. With ``read_through`` (the
        newest ``starredAt`` the counts hold: the whole list, read by a star backfill),
        ``repo``'s list is followed from that moment (:meth:`add_stargazer_days`); a later
        mark already kept stays. The star count seen stays as it was (none for a list newly
        followed): a mark only moves on, so the stars it counted stay at or before the mark.
        Raises StoreError when ``repo`` is not tracked."""
        ...

    def add_stargazer_days(
        self,
        repo: RepoName,
        days: Sequence[StargazerDay],
        *,
        after: datetime,
        through: datetime,
        stars_seen: int | None = None,
    ) -> bool:
        """In one transaction: add the counts of ``days`` (the stars given after ``after`` up
        to ``through``; at most :data:`STARGAZER_DAYS_PER_ADD` days) to those kept, and move
        ``repo``'s mark from ``after`` to ``through`` with ``stars_seen`` (see
        :class:`StargazerMark`; ``None`` when more of the read is still to be added). When
        the mark is not ``after`` (those stars were counted already, or the list is not
        followed) nothing is written and the answer is ``False``. Raises StoreError when
        ``repo`` is not tracked, ValueError when ``through`` is not after ``after`` or the
        days are too many."""
        ...

    def keep_stars_seen(self, repo: RepoName, stars_seen: int, *, read_through: datetime) -> bool:
        """Keep ``stars_seen`` with ``repo``'s mark when the mark is still ``read_through`` (a
        read found no star after it); ``False``, and nothing written, when it is not (another
        writer moved it, or the list is not followed)."""
        ...

    def stargazer_marks(self, repos: Sequence[RepoName]) -> dict[str, StargazerMark]:
        """The mark of each of ``repos`` whose stargazer list is followed, by ``repo.key``, with
        the star count seen when it was set. Repositories not followed are left out."""
        ...

    def stargazers_read_through(self, repos: Sequence[RepoName]) -> dict[str, datetime]:
        """The mark of each of ``repos`` whose stargazer list is followed, by ``repo.key``: the
        newest ``starredAt`` its kept counts hold. Repositories not followed are left out."""
        ...

    def stop_stargazer_reads(self, repo: RepoName) -> None:
        """Follow ``repo``'s stargazer list no more (GitHub no longer shows it): its mark goes,
        the days kept stay. Nothing happens when it was not followed."""
        ...

    def read_stargazer_days(
        self, repo: RepoName, *, first: date | None = None, last: date | None = None
    ) -> list[StargazerDay]:
        """The stored account-age counts of ``repo`` from ``first`` to ``last`` (inclusive),
        oldest first; empty when its stargazer list was never read."""
        ...

    # schedule
    def claim_slot(
        self, job: str, slot: datetime, *, owner: str, now: datetime, until: datetime
    ) -> bool:
        """Take the scheduled ``slot`` of ``job`` for ``owner``, leased until ``until``.

        ``False`` when another runner has it: finished, or with a lease that has not ended at
        ``now``. A slot left unfinished by a runner whose lease ended is taken over. Atomic:
        of runners claiming one slot at once, exactly one gets it.
        """
        ...

    def renew_slot(self, job: str, slot: datetime, *, owner: str, until: datetime) -> bool:
        """Extend ``owner``'s lease on an unfinished slot; ``False`` when it is not theirs."""
        ...

    def finish_slot(self, job: str, slot: datetime, *, owner: str, now: datetime) -> None:
        """Mark ``owner``'s slot done: nobody takes it over any more."""
        ...

    def release_slot(self, job: str, slot: datetime, *, owner: str) -> None:
        """Give back a slot ``owner`` took (its collection failed): a later look retries it."""
        ...

    def latest_slot_taken(self, job: str) -> datetime | None:
        """The newest slot of ``job`` any runner took, or ``None``."""
        ...

    def slot_claims(self, job: str, slot: datetime) -> list[SlotClaim]:
        """Who took ``slot`` of ``job`` or of its parts (``job#n/N``), by job name."""
        ...

    # runs
    def record_run(self, run: Run) -> Run:
        """Insert a run (``id`` is ``None``) or update it; returns it with its id."""
        ...

    def list_runs(
        self,
        limit: int = 50,
        *,
        job: str | None = None,
        status: RunStatus | None = None,
        since: datetime | None = None,
    ) -> list[Run]:
        """The newest runs first: of ``job`` (and of its parts, ``job#n/N``), in ``status``,
        started at ``since`` or later, when given."""
        ...

    # alerts: rules and the outbox of their deliveries
    def add_alert_rule(self, rule: AlertRule) -> AlertRule:
        """Store a new rule (``id`` is ``None``); returns it with its id."""
        ...

    def get_alert_rule(self, rule_id: int) -> AlertRule | None:
        """The rule ``rule_id``, or ``None``."""
        ...

    def list_alert_rules(self) -> list[AlertRule]:
        """Every rule, by id."""
        ...

    def delete_alert_rule(self, rule_id: int) -> bool:
        """Delete a rule and its pending deliveries (delivered ones stay in the history);
        ``False`` when there was none."""
        ...

    def due_deliveries(self, *, now: datetime, limit: int = 100) -> list[Delivery]:
        """Pending deliveries whose next try is due at ``now`` and whose lease (if any) has
        ended, oldest first."""
        ...

    def claim_delivery(
        self, delivery_id: str, *, owner: str, now: datetime, until: datetime
    ) -> bool:
        """Lease a due delivery to ``owner`` until ``until``; ``False`` when it is not pending
        or another owner's lease has not ended. Atomic: of senders claiming at once, one
        gets it."""
        ...

    def settle_delivery(
        self,
        delivery_id: str,
        *,
        owner: str,
        status: DeliveryStatus,
        attempts: int,
        at: datetime,
        next_attempt_at: datetime | None = None,
        error: str | None = None,
    ) -> bool:
        """Record a try's outcome and end ``owner``'s lease: delivered, failed for good, or
        pending again from ``next_attempt_at``. ``False`` when ``owner`` no longer holds it."""
        ...

    def list_deliveries(
        self,
        *,
        limit: int = 50,
        rule_id: int | None = None,
        status: DeliveryStatus | None = None,
    ) -> list[Delivery]:
        """Deliveries, newest first (the delivery history)."""
        ...

    # whole environment
    def delete_all(self) -> dict[str, int]:
        """Delete every subject, point, collection, run and checkpoint, in one transaction
        (staging reset, restore over an environment).

        The store stays claimed by its environment, and its alert rules stay with their
        delivery history: they are the environment's configuration, not its data (no export
        carries them), and the history keeps an event already sent from being sent again.
        Returns rows deleted per table.
        """
        ...


class ManagedStore(Store, Protocol):
    """A store as commands open it: with its schema's lifecycle and a read snapshot."""

    @property
    def newest_revision(self) -> str:
        """The schema revision this version of ossgrowth works with."""
        ...

    def upgrade(self, progress: Callable[[int, int], None] | None = None) -> str:
        """Create or migrate the schema to the newest revision, then build what reads need
        (``progress(done, total)`` told as it goes); returns the revision."""
        ...

    def schema_revision(self) -> str | None:
        """The schema revision the store is at; ``None`` when it was never set up."""
        ...

    def is_current(self) -> bool:
        """Whether the schema is at the newest revision and belongs to this environment.

        Raises:
            StoreError: it holds another environment's data.
        """
        ...

    def snapshot(self) -> AbstractContextManager[None]:
        """Within the block, reads of this store see one moment where the backend can give
        it (SQL); DynamoDB cannot, and says so in its docs."""
        ...
