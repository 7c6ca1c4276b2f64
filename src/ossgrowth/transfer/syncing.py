"""Syncing: the points, stargazer days and collections of one environment copied into
another, after a summary of what that changes.

Series by series, each point of the source is *new* (the target has none at that moment),
*same*, *changed* (the target holds another value, source or provenance there, and the
source's provenance is as strong or stronger: it is written), or *kept* (the target's point
there is stronger: a measured point is never replaced by a reconstructed one). Points only the
target has are counted, and deleted only when pruning.

A chosen repository's stargazer days (the account ages of unusual growth; they go with the
stars family) are new, changed (the source's counts written) or the same; a target that
follows the repository's stargazer list keeps its own (*kept*), and the source's place in the
list goes with its days (see :mod:`ossgrowth.transfer.stargazers`). Days only the target has
are counted and left, even when pruning.

Collections follow the subjects, each chosen repository being tracked in the target by then.
A collection of the source is *new* in the target (made, with those of its members that were
chosen), or the target's of the same slug takes its name and description when they differ
(they have no provenance to rank: the source's are written, as a point of equal provenance
is) and its chosen members that it lacks. A member of the target's collection that the
source's lacks is taken out only when pruning, and only when the source tracks it and it was
chosen: as for points, what concerns repositories only the target tracks is left. Collections
only the target has are left, even when pruning.

Planning reads both sides and writes nothing; syncing reads them again and writes, series by
series, so memory stays that of the longest series. Alert rules are the environment's
configuration and are not synced.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.model import Collection as RepoCollection
from ossgrowth.model import RepoName, Series, Subject, from_epoch_seconds
from ossgrowth.store import Store
from ossgrowth.transfer.format import subject_series
from ossgrowth.transfer.stargazers import DayChanges, compare_days, write_days

__all__ = ["CollectionChange", "FamilyChanges", "SyncPlan", "plan_sync", "sync"]


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


@dataclass(frozen=True, slots=True)
class CollectionChange:
    """What a sync does to one collection of the source."""

    slug: str
    new: bool
    """The target has no collection of this slug: it is made."""
    renamed: bool
    """The target's has another name or description: the source's are written."""
    added: tuple[RepoName, ...]
    """Chosen members of the source's collection that the target's lacks."""
    only_in_target: tuple[RepoName, ...]
    """Members of the target's that the source tracks and its collection lacks: taken out
    when pruning, else left."""

    @property
    def same(self) -> bool:
        return not (self.new or self.renamed or self.added)


@dataclass
class SyncPlan:
    """What a sync would do, per family, to stargazer days, subjects and collections."""

    families: dict[Family, FamilyChanges] = field(
        default_factory=lambda: {family: FamilyChanges() for family in FAMILIES}
    )
    stargazer_days: DayChanges = field(default_factory=DayChanges)
    new_subjects: list[RepoName] = field(default_factory=list)
    only_in_target: list[RepoName] = field(default_factory=list)
    """Repositories the target tracks and the source does not: left as they are."""
    collections: list[CollectionChange] = field(default_factory=list)
    """Every collection of the source, by slug."""
    collections_only_in_target: list[str] = field(default_factory=list)
    """Slugs of the target's collections the source has none of: left as they are."""

    @property
    def writes(self) -> int:
        """Points written."""
        return sum(changes.new + changes.changed for changes in self.families.values())

    def changes_anything(self, *, prune: bool) -> bool:
        """Whether syncing (with ``prune`` or not) would write or delete anything."""
        prunable = sum(changes.only_in_target for changes in self.families.values()) + sum(
            len(change.only_in_target) for change in self.collections
        )
        return bool(
            self.writes
            or self.stargazer_days.writes
            or self.stargazer_days.marks
            or self.new_subjects
            or any(not change.same for change in self.collections)
            or (prune and prunable)
        )


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


def _collection_change(
    ours: RepoCollection, theirs: RepoCollection | None, chosen: Collection[str]
) -> CollectionChange:
    """What syncing ``ours`` (members of ``chosen`` repositories only) into ``theirs`` does."""
    members = {repo.key for repo in ours.members if repo.key in chosen}
    having = set() if theirs is None else {repo.key for repo in theirs.members}
    return CollectionChange(
        slug=ours.slug,
        new=theirs is None,
        renamed=theirs is not None
        and (theirs.name, theirs.description) != (ours.name, ours.description),
        added=tuple(repo for repo in ours.members if repo.key in members - having),
        only_in_target=()
        if theirs is None
        else tuple(
            repo for repo in theirs.members if repo.key in chosen and repo.key not in members
        ),
    )


def _sync_collection(
    target: Store, collection: RepoCollection, change: CollectionChange, *, prune: bool
) -> None:
    if change.new:
        created_at = collection.created_at or datetime.now(UTC)  # a store's have one
        target.create_collection(
            collection.slug,
            name=collection.name,
            description=collection.description,
            created_at=created_at,
        )
    elif change.renamed:
        target.update_collection(
            collection.slug, name=collection.name, description=collection.description
        )
    if change.added:
        target.add_collection_members(collection.slug, list(change.added))
    if prune and change.only_in_target:
        target.remove_collection_members(collection.slug, list(change.only_in_target))


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
    """Copy the chosen series and stargazer days of ``source`` into ``target``, then its
    collections; with ``prune``, delete the series' points that only ``target`` has and take
    out of collections the chosen members the source's lack. Returns what was done."""
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
    with_days = families is None or Family.STARS in families
    marks = followed = {}
    if with_days:
        marks = source.stargazers_read_through([subject.repo for subject in ours.values()])
        followed = target.stargazers_read_through([subject.repo for subject in theirs.values()])
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
        if with_days:
            copy = compare_days(
                source.read_stargazer_days(subject.repo),
                target.read_stargazer_days(subject.repo) if key in theirs else [],
                plan.stargazer_days,
                incoming_mark=marks.get(key),
                follows=key in followed,
            )
            if write:
                write_days(target, subject.repo, copy)
        if progress is not None:
            progress(done, len(ours))
    held = {collection.slug: collection for collection in target.list_collections()}
    for collection in source.list_collections():
        change = _collection_change(collection, held.pop(collection.slug, None), ours.keys())
        plan.collections.append(change)
        if write:
            _sync_collection(target, collection, change, prune=prune)
    plan.collections_only_in_target = sorted(held)
    return plan
