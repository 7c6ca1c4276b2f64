"""Exporting: a store's points, or a filtered part of them, written as the export format.

One series is read at a time (subject by subject, family by family, package by package), so
memory stays that of the longest series whatever the store holds. Each subject's stargazer
days follow its points when the stars family is exported, from the day of the ``start`` to
that of the ``end``; its subject line names the newest ``starredAt`` they count when the store
follows its stargazer list and no ``end`` cuts the days before that moment. The collections
of repositories follow the subjects, each with those of its members the file holds, so every
member it names has its subject line. CSV holds points only: no stargazer days, no
collections.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TextIO

from ossgrowth.clock import Clock
from ossgrowth.errors import InputError
from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.model import RepoName
from ossgrowth.store import Store
from ossgrowth.transfer.format import (
    Header,
    collection_line,
    csv_end_line,
    csv_header_lines,
    csv_point_line,
    end_line,
    header_line,
    point_line,
    stargazer_day_line,
    subject_line,
    subject_series,
)

__all__ = ["ExportFilter", "ExportFormat", "export_points"]


class ExportFormat(enum.StrEnum):
    """JSON Lines (the format import reads), or CSV of the points (for spreadsheets)."""

    JSONL = "jsonl"
    CSV = "csv"


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Which points to export: of these repositories and families, in ``[start, end]``."""

    repos: Collection[RepoName] | None = None
    families: Collection[Family] | None = None
    start: datetime | None = None
    end: datetime | None = None


def export_points(
    store: Store,
    out: TextIO,
    clock: Clock,
    wanted: ExportFilter = ExportFilter(),
    *,
    progress: Callable[[int, int], None] | None = None,
    as_format: ExportFormat = ExportFormat.JSONL,
) -> tuple[int, int]:
    """Write the header, every chosen subject with its points and stargazer days (JSON
    Lines), the collections (JSON Lines) and the end line to ``out``.

    Args:
        progress: called with (subjects done, subjects in all) after each subject.

    Returns:
        (subjects, points) written.

    Raises:
        InputError: a repository of ``wanted`` is not tracked.
    """
    subjects = sorted(store.list_subjects(), key=lambda subject: subject.repo.key)
    if wanted.repos is not None:
        keys = {repo.key for repo in wanted.repos}
        missing = keys - {subject.repo.key for subject in subjects}
        if missing:
            raise InputError(f"{sorted(missing)[0]} is not tracked in {store.environment}")
        subjects = [subject for subject in subjects if subject.repo.key in keys]
    families = [f for f in FAMILIES if wanted.families is None or f in wanted.families]
    as_csv = as_format is ExportFormat.CSV
    write_header = csv_header_lines if as_csv else header_line
    write_point = csv_point_line if as_csv else point_line
    out.write(
        write_header(
            Header(
                environment=store.environment,
                exported_at=clock.now(),
                start=wanted.start,
                end=wanted.end,
                repos=None
                if wanted.repos is None
                else tuple(sorted(repo.full_name for repo in wanted.repos)),
                families=None if wanted.families is None else tuple(f.value for f in families),
            )
        )
    )
    points = days = 0
    with_days = not as_csv and Family.STARS in families
    first = None if wanted.start is None else wanted.start.astimezone(UTC).date()
    last = None if wanted.end is None else wanted.end.astimezone(UTC).date()
    marks = {}
    if with_days:
        marks = store.stargazers_read_through([subject.repo for subject in subjects])
    for done, subject in enumerate(subjects, start=1):
        if not as_csv:  # CSV holds points only: its rows name their repository
            mark = marks.get(subject.repo.key)
            whole = mark is not None and (wanted.end is None or mark <= wanted.end)
            out.write(subject_line(subject, mark if whole else None))
        for family, package in subject_series(subject, families):
            series = store.read_series(
                subject.repo, family, start=wanted.start, end=wanted.end, package=package
            )
            for row in series.rows:
                out.write(write_point(subject.repo, family, package, row))
            points += len(series.rows)
        if with_days:
            ages = store.read_stargazer_days(subject.repo, first=first, last=last)
            for day in ages:
                out.write(stargazer_day_line(subject.repo, day))
            days += len(ages)
        if progress is not None:
            progress(done, len(subjects))
    if as_csv:
        out.write(csv_end_line(len(subjects), points))
        return len(subjects), points
    exported = {subject.repo.key for subject in subjects}
    collections = store.list_collections()
    for collection in collections:
        members = tuple(repo for repo in collection.members if repo.key in exported)
        out.write(collection_line(replace(collection, members=members)))
    out.write(end_line(len(subjects), points, len(collections), days))
    return len(subjects), points
