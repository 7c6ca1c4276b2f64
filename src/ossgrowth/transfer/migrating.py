"""Migrating: a whole environment's subjects, points, stargazer days and collections moved
from one store to another (SQLite, PostgreSQL, DynamoDB), then verified series by series.

A migration is a copy that can be run again: subjects are tracked and series upserted, and a
series the target holds already exactly (same count, same checksum) is not written again.
Stargazer days that differ are written with the place in the stargazer list the source's
counts end at, so the target follows the list from there
(:mod:`ossgrowth.transfer.stargazers`; the target is a copy, never a list's follower of its
own). A migration killed at any moment is finished by running it again, which then only
writes what is missing. Runs and backfill checkpoints stay with the source: they record what
happened there.

The verification reads every series on both sides and compares its number of points and a
checksum of its rows as the export format writes them (times, values, provenance, source);
each repository's stargazer days are compared day by day, with the place in its list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ossgrowth.errors import InputError
from ossgrowth.metrics.registry import Family
from ossgrowth.model import PackageRef, RepoName, Series, Subject
from ossgrowth.store import Store
from ossgrowth.transfer.format import point_line, subject_series
from ossgrowth.transfer.importing import merge_collection
from ossgrowth.transfer.stargazers import DayChanges, compare_days, write_days

__all__ = [
    "DaysCheck",
    "MigrationResult",
    "SeriesCheck",
    "migrate",
    "verify",
    "verify_stargazer_days",
]


@dataclass(frozen=True, slots=True)
class MigrationResult:
    """What a migration wrote."""

    subjects: int
    series_written: int
    series_kept: int
    """Series (with points) the target held already, exactly."""
    points_written: int
    collections: int = 0
    """Collections made or merged in the target (all of the source's)."""
    stargazer_days: int = 0
    """Stargazer days written (of repositories whose days the target did not hold exactly)."""


@dataclass(frozen=True, slots=True)
class DaysCheck:
    """One repository's stargazer days on both sides, and whether they (and the place in its
    stargazer list each side has read to) are equal."""

    repo: str
    source_days: int
    target_days: int
    equal: bool


@dataclass(frozen=True, slots=True)
class SeriesCheck:
    """One series on both sides: its points and a checksum of them."""

    repo: str
    family: Family
    package: PackageRef | None
    source_points: int
    target_points: int
    source_checksum: str
    target_checksum: str

    @property
    def equal(self) -> bool:
        return (self.source_points, self.source_checksum) == (
            self.target_points,
            self.target_checksum,
        )


def _fingerprint(
    store: Store, subject: Subject, family: Family, package: PackageRef | None
) -> tuple[int, str, Series]:
    """A series of ``store``, its number of points and the checksum of its export lines."""
    series = store.read_series(subject.repo, family, package=package)
    digest = hashlib.sha256()
    for row in series.rows:
        digest.update(point_line(subject.repo, family, package, row).encode())
    return len(series.rows), digest.hexdigest(), series


def migrate(
    source: Store,
    target: Store,
    now: datetime,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> MigrationResult:
    """Copy every subject, series and stargazer day of ``source`` into ``target`` (both of one
    environment), then its collections (merged into any of the same slug); a subject without
    its time of tracking gets ``now``.

    Raises:
        InputError: the stores are of different environments.
    """
    if source.environment != target.environment:
        raise InputError(
            f"the source is {source.environment}'s and the target {target.environment}'s store"
        )
    subjects = sorted(source.list_subjects(), key=lambda subject: subject.repo.key)
    written = kept = points = days = 0
    repos = [subject.repo for subject in subjects]
    marks = source.stargazers_read_through(repos)
    for done, subject in enumerate(subjects, start=1):
        added = target.add_subject(
            subject.repo, list(subject.packages), added_at=subject.added_at or now
        )
        if subject.github_node_id and added.github_node_id != subject.github_node_id:
            target.set_identity(subject.repo, node_id=subject.github_node_id, current=subject.repo)
        for family, package in subject_series(subject):
            count, checksum, series = _fingerprint(source, subject, family, package)
            there, their_checksum, _ = _fingerprint(target, subject, family, package)
            if (count, checksum) == (there, their_checksum):
                kept += count > 0  # an empty series is nothing to keep
                continue
            target.write_points(list(series.points()))
            written += 1
            points += count
        copy = compare_days(
            source.read_stargazer_days(subject.repo),
            target.read_stargazer_days(subject.repo),
            DayChanges(),
            incoming_mark=marks.get(subject.repo.key),
            follows=False,  # the target is a copy: it follows no list of its own
        )
        days += write_days(target, subject.repo, copy)
        if progress is not None:
            progress(done, len(subjects))
    collections = source.list_collections()
    for collection in collections:
        merge_collection(target, collection, now)
    return MigrationResult(len(subjects), written, kept, points, len(collections), days)


def verify(source: Store, target: Store) -> list[SeriesCheck]:
    """Every series of ``source`` (and of subjects only ``target`` has) on both sides."""
    checks = []
    theirs = {subject.repo.key: subject for subject in target.list_subjects()}
    ours = {subject.repo.key: subject for subject in source.list_subjects()}
    for key in sorted(ours.keys() | theirs.keys()):
        subject = ours.get(key) or theirs[key]
        for family, package in subject_series(subject):
            count, checksum = _count_and_sum(
                source if key in ours else None, subject, family, package
            )
            there, their_checksum = _count_and_sum(
                target if key in theirs else None, subject, family, package
            )
            checks.append(
                SeriesCheck(
                    subject.repo.full_name, family, package, count, there, checksum, their_checksum
                )
            )
    return checks


def _count_and_sum(
    store: Store | None, subject: Subject, family: Family, package: PackageRef | None
) -> tuple[int, str]:
    if store is None:
        return 0, hashlib.sha256().hexdigest()
    count, checksum, _ = _fingerprint(store, subject, family, package)
    return count, checksum


def verify_stargazer_days(source: Store, target: Store) -> list[DaysCheck]:
    """Each repository's stargazer days on both sides (repositories with none on either side
    are left out)."""
    checks = []
    names: dict[str, RepoName] = {}
    for store in (target, source):
        names.update((subject.repo.key, subject.repo) for subject in store.list_subjects())
    marks = source.stargazers_read_through(list(names.values()))
    their_marks = target.stargazers_read_through(list(names.values()))
    for key in sorted(names):
        ours = source.read_stargazer_days(names[key])
        theirs = target.read_stargazer_days(names[key])
        if ours or theirs or key in marks or key in their_marks:
            equal = (ours, marks.get(key)) == (theirs, their_marks.get(key))
            checks.append(DaysCheck(names[key].full_name, len(ours), len(theirs), equal))
    return checks
