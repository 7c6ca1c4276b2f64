"""One collection of every tracked subject's current values: sources → store, as a recorded run.

A repository or package that fails is recorded on the run and skipped; the rest is stored. A
rename seen by GitHub moves the subject to its new name first, so history stays with it. A
scheduled run collects only its schedule's families (stars every 3 hours …); a run that
collects stars also counts the new stargazers of the lists it follows whose star count changed,
for the account ages of unusual growth (:mod:`~ossgrowth.collect.stargazer_reads`). A
standalone run (not a scheduler's slot) holds a lease of its own while it runs, so a run whose
process was killed is marked failed by the next (see :mod:`~ossgrowth.collect.abandoned`).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial

import anyio

from ossgrowth.clock import Clock
from ossgrowth.collect.abandoned import run_standalone
from ossgrowth.collect.alerting import write_collected
from ossgrowth.collect.backfill import DEFAULT_LEASE_SECONDS
from ossgrowth.collect.stargazer_reads import StargazerReads, follow_stargazers
from ossgrowth.collect.upstreams import Upstreams
from ossgrowth.errors import OssgrowthError
from ossgrowth.logs import log_context, log_run_finished
from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.model import Ecosystem, PackageRef, Point, RepoName, Run, RunStatus, Subject
from ossgrowth.sources import (
    NPM_SOURCE,
    DownloadCount,
    DownloadTotal,
    Failure,
    RepoSnapshot,
    download_point,
    snapshot_points,
)
from ossgrowth.stopping import STOPPED_RUN_ERROR
from ossgrowth.store import Store
from ossgrowth.store.off_loop import off_loop

__all__ = ["CollectionResult", "collect_once"]

logger = logging.getLogger(__name__)

JOB = "collect"


@dataclass(frozen=True, slots=True)
class CollectionResult:
    """What one collection did."""

    run: Run
    failures: tuple[Failure, ...]
    renamed: tuple[tuple[RepoName, RepoName], ...]
    """(old name, new name) of each repository GitHub now knows under another name."""


_GITHUB_FAMILIES = frozenset(family for family, row in FAMILIES.items() if not row.per_package)
"""The families a repository's snapshot measures (one GitHub request serves them all); the
per-package ones come from the package registries."""


async def collect_once(
    store: Store,
    upstreams: Upstreams,
    clock: Clock,
    *,
    run: Run | None = None,
    families: Collection[Family] = tuple(FAMILIES),
    job: str = JOB,
    subjects: Sequence[Subject] | None = None,
    lease_seconds: float | None = DEFAULT_LEASE_SECONDS,
) -> CollectionResult:
    """Collect the current values of ``families`` (all by default) for every tracked subject,
    or for ``subjects`` (a part of a scheduled slot).

    The run is recorded before anything is asked and updated at the end: ``succeeded`` when
    everything was collected, ``partial`` when some subjects failed, ``failed`` when the run
    could not go on (an upstream unreachable, every token out of budget); then the error is
    raised again. A caller that must name the run before it ends (the API answers 202 with its
    id) records it first and passes it as ``run``.

    The run holds a lease of its own, renewed every third of ``lease_seconds``, and runs of
    standalone collections whose runner died are marked failed before it collects (see
    :mod:`~ossgrowth.collect.abandoned`); ``lease_seconds=None`` when the caller holds a lease
    for it (a scheduler, its slot's).
    """
    if run is None:
        run = await off_loop(
            store.record_run,
            Run(job=job, environment=store.environment, started_at=clock.now()),
        )
    with log_context(run_id=run.id, job=run.job):
        collect = partial(_collect, store, upstreams, clock, run, set(families), subjects)
        if lease_seconds is None:
            return await collect()
        return await run_standalone(store, clock, run, lease_seconds, collect)


async def _collect(
    store: Store,
    upstreams: Upstreams,
    clock: Clock,
    run: Run,
    families: set[Family],
    subjects: Sequence[Subject] | None,
) -> CollectionResult:
    """The collection of ``run``, its end recorded (see :func:`collect_once`)."""
    try:
        if subjects is None:
            subjects = await off_loop(store.list_subjects)
        points, failures, renamed, stars = await _observe(store, upstreams, subjects, families)
        await off_loop(write_collected, store, points)  # with the alerts they raise
        reads = StargazerReads()
        if Family.STARS in families and upstreams.stargazers is not None:
            reads = await follow_stargazers(store, upstreams.stargazers, stars)
    except anyio.get_cancelled_exc_class():
        with anyio.CancelScope(shield=True):  # stopped by a signal: nothing was written
            stopped = await off_loop(
                store.record_run,
                replace(
                    run,
                    status=RunStatus.FAILED,
                    finished_at=clock.now(),
                    error=STOPPED_RUN_ERROR,
                    requests_spent=upstreams.requests_sent,
                ),
            )
        log_run_finished(logger, stopped)
        raise
    except OssgrowthError as error:
        failed = await off_loop(
            store.record_run,
            replace(
                run,
                status=RunStatus.FAILED,
                finished_at=clock.now(),
                error=str(error),
                requests_spent=upstreams.requests_sent,
            ),
        )
        log_run_finished(logger, failed)
        raise
    failed_repos = {
        failure.subject for failure in failures if isinstance(failure.subject, RepoName)
    }
    failed_packages = {f.subject for f in failures if isinstance(f.subject, PackageRef)}
    packages = {package for subject in subjects for package in subject.packages}
    finished = await off_loop(
        store.record_run,
        replace(
            run,
            status=RunStatus.PARTIAL if failures else RunStatus.SUCCEEDED,
            finished_at=clock.now(),
            counts={
                "subjects": len(subjects),
                "subjects_ok": len(subjects) - len(failed_repos),
                "subjects_failed": len(failed_repos),
                "packages_ok": len(packages) - len(failed_packages),
                "packages_failed": len(failed_packages),
                "points": len(points),
                "renamed": len(renamed),
                **(reads.counts() if reads.followed else {}),
            },
            error="; ".join(f"{f.subject}: {f.kind}: {f.message}" for f in failures)[:4000] or None,
            requests_spent=upstreams.requests_sent,
        ),
    )
    log_run_finished(logger, finished)
    return CollectionResult(finished, tuple(failures), tuple(renamed))


async def _observe(
    store: Store, upstreams: Upstreams, subjects: Sequence[Subject], families: set[Family]
) -> tuple[list[Point], list[Failure], list[tuple[RepoName, RepoName]], dict[RepoName, int]]:
    """The points of ``families``, the failures, the renames, and the star count of each
    repository GitHub answered for (by its current name)."""
    github = _GitHubObservation([], [], [], {}, {})
    if families & _GITHUB_FAMILIES:
        github = await _observe_github(store, upstreams, subjects, families)
    points, failures = github.points, github.failures
    if Family.DOWNLOADS in families:
        download_points, download_failures = await _downloads(
            store, upstreams, subjects, github.current
        )
        points, failures = points + download_points, failures + download_failures
    return points, failures, github.renamed, github.stars


@dataclass(frozen=True, slots=True)
class _GitHubObservation:
    points: list[Point]
    failures: list[Failure]
    renamed: list[tuple[RepoName, RepoName]]
    current: dict[RepoName, RepoName]
    """The name each repository was asked by → the name it has now."""
    stars: dict[RepoName, int]
    """The name each repository has now → its star count in the snapshot."""


async def _observe_github(
    store: Store, upstreams: Upstreams, subjects: Sequence[Subject], families: set[Family]
) -> _GitHubObservation:
    """Snapshots of every repository: their points of ``families``, renames followed."""
    repos = [subject.repo for subject in subjects]
    if upstreams.graphql is not None:
        batch = await upstreams.graphql.snapshots(repos)
        source = "github-graphql"
    else:
        batch = await upstreams.rest.snapshots(repos)
        source = "github-rest"
    observed = _GitHubObservation([], list(batch.failures), [], {}, {})
    by_key = {subject.repo.key: subject for subject in subjects}
    for snapshot in batch.snapshots:
        name = await _follow_identity(store, snapshot, by_key[snapshot.repo.key], observed.renamed)
        observed.current[snapshot.repo] = name
        observed.stars[name] = snapshot.star_count
        points = snapshot_points(replace(snapshot, repo=name), source)
        observed.points.extend(point for point in points if point.family in families)
    return observed


async def _follow_identity(
    store: Store,
    snapshot: RepoSnapshot,
    known: Subject,
    renamed: list[tuple[RepoName, RepoName]],
) -> RepoName:
    if known.github_node_id == snapshot.node_id and not snapshot.renamed:
        return known.repo
    updated = await off_loop(
        store.set_identity, known.repo, node_id=snapshot.node_id, current=snapshot.name_with_owner
    )
    if snapshot.renamed:
        logger.info("%s is now %s on GitHub; its history follows it", known.repo, updated.repo)
        renamed.append((known.repo, updated.repo))
    return updated.repo


async def _downloads(
    store: Store,
    upstreams: Upstreams,
    subjects: Sequence[Subject],
    current: dict[RepoName, RepoName],
) -> tuple[list[Point], list[Failure]]:
    owner = {
        package: current.get(subject.repo, subject.repo)
        for subject in subjects
        for package in subject.packages
    }
    npm = [package for package in owner if package.ecosystem is Ecosystem.NPM]
    pypi = [package for package in owner if package.ecosystem is Ecosystem.PYPI]
    points: list[Point] = []
    failures: list[Failure] = []
    weekly: list[tuple[DownloadCount, str]] = []
    if npm:
        batch = await upstreams.npm.last_week(npm)
        failures.extend(batch.failures)
        weekly.extend((count, NPM_SOURCE) for count in batch.counts)
    if pypi:
        batch = await upstreams.pypi.last_week(pypi)
        failures.extend(batch.failures)
        weekly.extend((count, "pypistats") for count in batch.counts)
    known = await off_loop(_known_npm_totals, store) if npm else {}
    for count, source in weekly:
        total: DownloadTotal | None = None
        repo = owner[count.package]
        if count.package.ecosystem is Ecosystem.NPM:
            total = await upstreams.npm.total(
                count.package, known=known.get((repo.key, count.package))
            )
        points.append(download_point(repo, count, total, source))
    return points, failures


def _known_npm_totals(store: Store) -> dict[tuple[str, PackageRef], tuple[date, int]]:
    """The newest npm total stored per (repository, package), and the last day it counts.

    A download point is stamped after the day its total ends (a reconstructed one at the next
    midnight, a measured one the day after the yesterday it asked for), so the last day counted
    is the day before the point's UTC day. The next total asks only for the days after it.
    """
    known: dict[tuple[str, PackageRef], tuple[date, int]] = {}
    for point in store.latest_points(Family.DOWNLOADS):
        total = point.values.get("total_downloads")
        if point.package is None or point.source != NPM_SOURCE or not isinstance(total, int):
            continue
        counted = point.observed_at.date() - timedelta(days=1)
        known[(point.repo.key, point.package)] = (counted, total)
    return known
