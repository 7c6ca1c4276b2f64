"""Syncing: the points of one environment copied into another, after a summary of what that
changes.

Series by series, each point of the source is *new* (the target has none at that moment),
*same*, *changed* (the target holds another value, source or provenance there, and the
source's provenance is as strong or stronger: it is written), or *kept* (the target's point
there is stronger: a measured point is never replaced by a reconstructed one). Points only the
target has are counted, and deleted only when pruning. Planning reads both sides and writes
nothing; syncing reads them again and writes, series by series, so memory stays that of the
longest series.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.model import RepoName, Series, Subject, from_epoch_seconds
from ossgrowth.store import Store
from ossgrowth.transfer.format import subject_series

__all__ = ["FamilyChanges", "SyncPlan", "plan_sync", "sync"]


@dataclass
class FamilyChanges:
    """What a sync does to one family's points."""

    new: int = 0
    changed: int = 0
    same: int = 0
    kept: int = 0
    """The target's point is stronger: it stays."""
    only_in_target: int = 0
    """Deleted when pruning, else left."""


@dataclass
class SyncPlan:
    """What a sync would do, per family, and to subjects."""

    families: dict[Family, FamilyChanges] = field(
        default_factory=lambda: {family: FamilyChanges() for family in FAMILIES}
    )
    new_subjects: list[RepoName] = field(default_factory=list)
    only_in_target: list[RepoName] = field(default_factory=list)
    """Repositories the target tracks and the source does not: left as they are."""

    @property
    def writes(self) -> int:
        return sum(changes.new + changes.changed for changes in self.families.values())


Row = tuple[Any, ...]


def _chosen(store: Store, repos: Collection[RepoName] | None) -> dict[str, Subject]:
    subjects = {subject.repo.key: subject for subject in store.list_subjects()}
    if repos is None:
        return subjects
    keys = {repo.key for repo in repos}
    return {key: subject for key, subject in subjects.items() if key in keys}


def _compare(
    ours: list[Row], theirs: list[Row], changes: FamilyChanges
) -> tuple[list[Row], list[int]]:
    """Count ``ours`` against ``theirs``; the rows to write and the moments only they have."""
    there = {row[0]: row for row in theirs}
    writing = []
    for row in ours:
        found = there.pop(row[0], None)
        if found is None:
            changes.new += 1
            writing.append(row)
        elif found == row:
            changes.same += 1
        elif row[-2] >= found[-2]:
            changes.changed += 1
            writing.append(row)
        else:
            changes.kept += 1
    changes.only_in_target += len(there)
    return writing, sorted(there)


def plan_sync(
    source: Store,
    target: Store,
    *,
    repos: Collection[RepoName] | None = None,
    families: Collection[Family] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SyncPlan:
    """What :func:`sync` with the same arguments would do; nothing is written."""
    return _run(source, target, repos, families, progress, write=False, prune=False)


def sync(
    source: Store,
    target: Store,
    *,
    repos: Collection[RepoName] | None = None,
    families: Collection[Family] | None = None,
    prune: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> SyncPlan:
    """Copy the chosen series of ``source`` into ``target``; with ``prune``, delete their
    points that only ``target`` has. Returns what was done."""
    return _run(source, target, repos, families, progress, write=True, prune=prune)


def _run(
    source: Store,
    target: Store,
    repos: Collection[RepoName] | None,
    families: Collection[Family] | None,
    progress: Callable[[int, int], None] | None,
    *,
    write: bool,
    prune: bool,
) -> SyncPlan:
    ours, theirs = _chosen(source, repos), _chosen(target, repos)
    plan = SyncPlan(
        only_in_target=sorted(theirs[key].repo for key in theirs.keys() - ours.keys()),
        new_subjects=sorted(ours[key].repo for key in ours.keys() - theirs.keys()),
    )
    for done, key in enumerate(sorted(ours), start=1):
        subject = ours[key]
        if write:
            added_at = subject.added_at or datetime.now(UTC)  # a store's subjects have one
            target.add_subject(subject.repo, list(subject.packages), added_at=added_at)
        for family, package in subject_series(subject, families):
            mine = source.read_series(subject.repo, family, package=package).rows
            known: Sequence[Row] = []
            if key in theirs:
                known = target.read_series(subject.repo, family, package=package).rows
            writing, extra = _compare(list(mine), list(known), plan.families[family])
            if write and writing:
                target.write_points(list(Series(subject.repo, family, package, writing).points()))
            if write and prune and extra:
                target.delete_points(
                    subject.repo,
                    family,
                    [from_epoch_seconds(moment) for moment in extra],
                    package=package,
                )
        if progress is not None:
            progress(done, len(ours))
    return plan
