"""Tracking a repository, and how the backfill of its history stands.

The core under ``ossgrowth track`` and ``POST /api/v1/repos`` (:func:`track_repository`), and under
``ossgrowth show`` and ``GET /api/v1/repos/{owner}/{name}/backfill`` (:func:`backfill_progress`).
The callers parse names (:mod:`ossgrowth.names`) and say what goes wrong in their own terms;
what is done with the names is here, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ossgrowth.checkpoints import BackfillJob, BackfillStatus
from ossgrowth.clock import Clock
from ossgrowth.collect import enqueue_backfill
from ossgrowth.collect.status import FamilyBackfill, family_backfills
from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.model import PackageRef, RepoName, Subject
from ossgrowth.store import Store

__all__ = ["BackfillProgress", "Tracked", "backfill_progress", "track_repository"]


@dataclass(frozen=True, slots=True)
class Tracked:
    """A repository just tracked, and the backfill jobs queued for its history."""

    subject: Subject
    queued: tuple[BackfillJob, ...]

    @property
    def families(self) -> tuple[Family, ...]:
        """The families whose backfill was queued, in the registry's order."""
        queued = {job.family for job in self.queued}
        return tuple(family for family in FAMILIES if family in queued)


def track_repository(
    store: Store, clock: Clock, repo: RepoName, packages: Sequence[PackageRef] = ()
) -> Tracked:
    """Track ``repo`` with ``packages`` and queue the backfill of every family of its history.

    Tracking it again adds the packages it did not have and queues its backfill again; a job
    queued again resumes from the pages already stored.

    Args:
        store: where the repository is tracked.
        clock: when it is tracked and its backfill queued.
        repo: the repository, parsed (:func:`ossgrowth.names.parse_repo`).
        packages: packages it publishes, parsed (:func:`ossgrowth.names.parse_package`).

    Returns:
        The subject as stored (with every package it has now) and the jobs queued.
    """
    subject = store.add_subject(repo, packages, added_at=clock.now())
    queued = enqueue_backfill(store, clock, [subject.repo])
    return Tracked(subject, tuple(queued))


@dataclass(frozen=True, slots=True)
class BackfillProgress:
    """How far the backfill of a repository's history has got, family by family."""

    repo: RepoName
    families: tuple[FamilyBackfill, ...]
    """Each family with a job, in the registry's order; empty when none was queued."""

    @property
    def complete(self) -> bool:
        """Every family queued is done, and at least one was."""
        return bool(self.families) and all(
            each.job.status is BackfillStatus.DONE for each in self.families
        )


def backfill_progress(store: Store, repo: RepoName, *, now: datetime) -> BackfillProgress:
    """The backfill of ``repo``'s history at ``now``: its jobs, whether each is running, and
    the pages each has stored. A repository that is not tracked has no jobs."""
    jobs = store.backfill_jobs(repo=repo)
    pages = store.count_backfill_pages(repo) if jobs else {}
    return BackfillProgress(repo, family_backfills(jobs, pages_stored=pages, now=now))
