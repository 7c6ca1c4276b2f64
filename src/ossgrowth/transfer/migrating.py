"""Migrating: a whole environment's subjects, points and collections moved from one store to
another (SQLite ⇄ PostgreSQL), then verified series by series.

A migration is a copy that can be run again: subjects are tracked and series upserted, and a
series the target holds already exactly (same count, same checksum) is not written again. A
migration killed at any moment is finished by running it again, which then only writes what
is missing. Runs and backfill checkpoints stay with the source: they record what happened
there.

The verification reads every series on both sides and compares its number of points and a
checksum of its rows as the export format writes them (times, values, provenance, source).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ossgrowth.errors import InputError
from ossgrowth.metrics.registry import Family
from ossgrowth.model import PackageRef, Series, Subject
from ossgrowth.store import Store
from ossgrowth.transfer.format import point_line, subject_series
from ossgrowth.transfer.importing import merge_collection

__all__ = ["MigrationResult", "SeriesCheck", "migrate", "verify"]


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
    """Copy every subject and series of ``source`` into ``target`` (both of one environment),
    then its collections (merged into any of the same slug); a subject without its time of
    tracking gets ``now``.

    Raises:
        InputError: the stores are of different environments.
    """
    if source.environment != target.environment:
        raise InputError(
            f"the source is {source.environment}'s and the target {target.environment}'s store"
        )
    subjects = sorted(source.list_subjects(), key=lambda subject: subject.repo.key)
    written = kept = points = 0
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
        if progress is not None:
            progress(done, len(subjects))
    collections = source.list_collections()
    for collection in collections:
        merge_collection(target, collection, now)
    return MigrationResult(len(subjects), written, kept, points, len(collections))


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
