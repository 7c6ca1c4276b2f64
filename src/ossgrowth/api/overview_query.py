"""Read the overview of every tracked repository: a few store reads → pure figures → rows.

The reads do not grow with history: one :meth:`~ossgrowth.store.Store.read_recent` per family
(the last 30 days of stars, the last 8 days of the others; of a collection's members only, for
a collection), the newest runs, every backfill
job, and the stored pages of repositories whose backfill is unfinished. The figures come from
:mod:`ossgrowth.metrics.overview` and :mod:`ossgrowth.collect.status`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ossgrowth.api.parameters import iso_utc
from ossgrowth.api.schemas import (
    BackfillSummaryOut,
    CollectionOut,
    OverviewItemOut,
    OverviewOut,
)
from ossgrowth.checkpoints import BackfillJob, BackfillStatus
from ossgrowth.collect.status import (
    Measured,
    ScheduleState,
    backfill_state,
    collection_state,
    schedule_states,
)
from ossgrowth.metrics.overview import CHANGE_WINDOWS_DAYS, SPARKLINE_DAYS, recent_counts
from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.model import (
    PackageRef,
    Provenance,
    RepoName,
    Series,
    Subject,
    field_position,
    from_epoch_seconds,
)
from ossgrowth.store import Store

__all__ = ["RUNS_READ", "STAR_SPAN", "STATUS_SPAN", "load_overview"]

STAR_SPAN = timedelta(days=max(CHANGE_WINDOWS_DAYS))
"""Stars read back from each repository's newest point: every change and the sparkline."""
STATUS_SPAN = timedelta(days=8)
"""PRs, issues and downloads read back from their newest point: a week's slots and grace."""
RUNS_READ = 500
"""Newest runs searched for each schedule's newest finished one."""

Row = tuple[Any, ...]
SeriesKey = tuple[str, str | None]
"""(repository key, package or ``None``)."""


def load_overview(
    store: Store, now: datetime, zone: ZoneInfo, *, repos: Iterable[RepoName] | None = None
) -> OverviewOut:
    """Every tracked repository (of ``repos`` only, when given: a collection's members), by
    name, with what an overview table shows of it."""
    subjects = store.list_subjects()
    if repos is not None:
        wanted = {repo.key for repo in repos}
        subjects = [subject for subject in subjects if subject.repo.key in wanted]
        if not subjects:  # an empty collection: nothing to read
            return OverviewOut(now=iso_utc(now), sparkline_days=SPARKLINE_DAYS, items=[])
    spans = {family: STATUS_SPAN for family in FAMILIES} | {Family.STARS: STAR_SPAN}
    named = None if repos is None else [subject.repo for subject in subjects]
    read = {
        family: _keyed(store.read_recent(family, span=span, repos=named))
        for family, span in spans.items()
    }
    states = schedule_states(store.list_runs(RUNS_READ), now=now, zone=zone)
    jobs: defaultdict[str, list[BackfillJob]] = defaultdict(list)
    for job in store.backfill_jobs():
        jobs[job.repo.key].append(job)
    items = []
    for subject in subjects:
        own_jobs = jobs.get(subject.repo.key, [])
        unfinished = any(job.status is not BackfillStatus.DONE for job in own_jobs)
        pages = sum(store.count_backfill_pages(subject.repo).values()) if unfinished else 0
        items.append(_item(subject, read, states, own_jobs, pages, now))
    return OverviewOut(now=iso_utc(now), sparkline_days=SPARKLINE_DAYS, items=items)


def _keyed(found: Sequence[Series]) -> dict[SeriesKey, Series]:
    return {
        (series.repo.key, None if series.package is None else str(series.package)): series
        for series in found
    }


def _item(
    subject: Subject,
    read: Mapping[Family, Mapping[SeriesKey, Series]],
    states: Sequence[ScheduleState],
    jobs: Sequence[BackfillJob],
    pages_stored: int,
    now: datetime,
) -> OverviewItemOut:
    key = subject.repo.key
    now_seconds = int(now.timestamp())
    stars = read[Family.STARS].get((key, None))
    count = field_position(Family.STARS, "star_count")
    recent = recent_counts(
        [(row[0], row[count]) for row in (stars.rows if stars else ()) if row[count] is not None],
        now,
    )
    prs = read[Family.PRS].get((key, None))
    issues = read[Family.ISSUES].get((key, None))
    newest_prs = _newest(prs, now_seconds)  # its ratio, even null (open_prs 0), not an older one
    pr_ratio = None if newest_prs is None else newest_prs[field_position(Family.PRS, "ratio")]
    downloads = [read[Family.DOWNLOADS].get((key, str(package))) for package in subject.packages]
    weekly_column = field_position(Family.DOWNLOADS, "weekly_downloads")
    weekly = [_newest_known(each, weekly_column, now_seconds) for each in downloads]
    known_weekly = [value for value in weekly if value is not None]
    measured = [
        _measured(Family.STARS, stars, STAR_SPAN),
        _measured(Family.PRS, prs, STATUS_SPAN),
        _measured(Family.ISSUES, issues, STATUS_SPAN),
        *(
            _measured(Family.DOWNLOADS, each, STATUS_SPAN, package)
            for package, each in zip(subject.packages, downloads, strict=True)
        ),
    ]
    collection = collection_state(
        subject.repo, measured, states, added_at=subject.added_at, now=now
    )
    backfill = backfill_state(jobs, pages_stored=pages_stored, now=now)
    return OverviewItemOut(
        repo=subject.repo.full_name,
        packages=[str(package) for package in subject.packages],
        added_at=iso_utc(subject.added_at) if subject.added_at else None,
        stars=_whole(recent.current),
        stars_as_of=iso_utc(recent.as_of) if recent.as_of else None,
        stars_change={f"{days}d": _whole(change) for days, change in recent.change.items()},
        sparkline=[_whole(value) for value in recent.sparkline],
        sparkline_start=recent.sparkline_start.isoformat(),
        open_issues=_newest_known(
            issues, field_position(Family.ISSUES, "open_issues"), now_seconds
        ),
        open_prs=_newest_known(prs, field_position(Family.PRS, "open_prs"), now_seconds),
        pr_ratio=pr_ratio,
        weekly_downloads=sum(known_weekly) if known_weekly else None,
        collection=CollectionOut(
            status=collection.status.value,
            last_measured_at=iso_utc(collection.last_measured_at)
            if collection.last_measured_at
            else None,
            message=collection.message,
        ),
        backfill=BackfillSummaryOut(
            status=backfill.status.value,
            families_done=backfill.families_done,
            families_total=backfill.families_total,
            pages_stored=backfill.pages_stored,
            message=backfill.message,
        ),
    )


def _newest(series: Series | None, now_seconds: int) -> Row | None:
    """The newest row observed at or before now."""
    if series is None:
        return None
    return next((row for row in reversed(series.rows) if row[0] <= now_seconds), None)


def _newest_known(series: Series | None, position: int, now_seconds: int) -> Any:
    """The newest value at ``position`` of the rows observed at or before now that is known."""
    if series is None:
        return None
    return next(
        (
            row[position]
            for row in reversed(series.rows)
            if row[0] <= now_seconds and row[position] is not None
        ),
        None,
    )


def _measured(
    family: Family, series: Series | None, span: timedelta, package: PackageRef | None = None
) -> Measured:
    """What a recent stretch tells of a series' measurements (see ``Store.read_recent``)."""
    if series is None or not series.rows:
        return Measured(family, package)
    rows = series.rows
    position = 1 + len(FAMILIES[family].field_names)
    newest = next((row[0] for row in reversed(rows) if row[position] == Provenance.MEASURED), None)
    first, last = rows[0][0], rows[-1][0]
    partial = first <= last - int(span.total_seconds())
    return Measured(
        family,
        package,
        newest=None if newest is None else from_epoch_seconds(newest),
        read_since=from_epoch_seconds(first) if partial else None,
    )


def _whole(value: float | None) -> int | None:
    return None if value is None else int(value)
