"""Importing: a file of the export format checked whole, then written into a store.

The file is read twice, a line at a time (memory does not grow with it): first every line is
checked — bad lines are listed with their numbers and, unless they are to be skipped, nothing
is written — then the good ones are written, subjects as they come and points in batches.
Points are upserts that keep the stronger provenance (a measured point is not replaced by a
reconstructed one), so importing a file twice changes nothing the second time.

Beyond each record on its own, the file as a whole must hold together: the header first; each
point after its subject's line and of one of its packages; each series' points together and
forward in time (as an export writes them: a repeated point is a line too many); each
repository's stargazer days likewise, after its subject's line; each collection once, after
the subject lines of all its members; and the end line last, counting the records before it
(a file without one was cut short).

A repository's stargazer days are written as :mod:`ossgrowth.transfer.stargazers` says: the
file's days where they are new or differ, with the place in the stargazer list its subject
line names, unless the store follows that list itself (it keeps its own days then). They are
gathered per repository (a few thousand days at most) and written in one call.

A collection is merged into the store: made when the store has none of its slug, else given
the file's name and description; its members are added (members the store's collection has
and the file's has not stay).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from ossgrowth.errors import InputError
from ossgrowth.metrics.unusual import StargazerDay
from ossgrowth.model import Collection, Point, RepoName, Subject
from ossgrowth.store import Store
from ossgrowth.transfer.format import (
    MAX_LINE_BYTES,
    EndRecord,
    Header,
    RecordError,
    StargazerDayRecord,
    SubjectRecord,
    parse_header,
    parse_record,
)
from ossgrowth.transfer.stargazers import DayChanges, compare_days, write_days

__all__ = ["CheckedFile", "ImportResult", "check_file", "import_file", "merge_collection"]

SHOWN_ERRORS = 20
"""Bad lines listed by number; the rest are counted."""
_BATCH = 5_000

Progress = Callable[[int, int], None]
"""Called with (bytes read, bytes in all)."""


@dataclass
class CheckedFile:
    """What a file holds, as its first reading found it."""

    header: Header
    subjects: int = 0
    points: int = 0
    collections: int = 0
    stargazer_days: int = 0
    bad_lines: int = 0
    errors: list[RecordError] = field(default_factory=list)
    """The first :data:`SHOWN_ERRORS` bad lines."""
    broken: InputError | None = None
    """What makes the file as a whole unusable (cut short, miscounted), found at its end."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import wrote."""

    subjects: int
    new_subjects: int
    points: int
    skipped_lines: int
    collections: int = 0
    stargazer_days: int = 0
    """Stargazer days the file holds (as ``points`` counts its points), written or not."""
    stargazer_days_kept: int = 0
    """Of those, days the store kept its own counts of, as it follows their lists."""


def check_file(path: Path, *, progress: Progress | None = None) -> CheckedFile:
    """Read ``path`` through, checking every line.

    A file that is cut short, or holds more or fewer records than its end line says, comes
    back with ``broken`` set (and its bad lines listed, which may tell why).

    Raises:
        InputError: the file cannot be read as this format at all (no such file, not this
            format or version).
    """
    reading = _Reading(path, progress)
    checked = CheckedFile(reading.header)
    try:
        for _, found in reading.records():
            if isinstance(found, RecordError):
                checked.bad_lines += 1
                if len(checked.errors) < SHOWN_ERRORS:
                    checked.errors.append(found)
            elif isinstance(found, SubjectRecord):
                checked.subjects += 1
            elif isinstance(found, Collection):
                checked.collections += 1
            elif isinstance(found, StargazerDayRecord):
                checked.stargazer_days += 1
            else:
                checked.points += 1
    except InputError as error:
        checked.broken = error
    return checked


def import_file(
    store: Store,
    path: Path,
    now: datetime,
    *,
    skip_bad: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Write the good records of ``path`` into ``store`` (check it with :func:`check_file`
    first: this writes whatever is good, and skips the rest only when ``skip_bad``). A subject
    line without ``added_at`` is tracked as added ``now``.

    Raises:
        InputError: a bad line while ``skip_bad`` is false (nothing after it is written).
    """
    known = {subject.repo.key for subject in store.list_subjects()}
    subjects = new_subjects = points = skipped = collections = days = 0
    batch: list[Point] = []
    ages = _StargazerDays(store)
    for _, found in _Reading(path, progress).records():
        if isinstance(found, RecordError):
            if not skip_bad:
                raise found
            skipped += 1
            continue
        if isinstance(found, StargazerDayRecord):
            ages.add(found)
            days += 1
            continue
        if isinstance(found, SubjectRecord):
            store.write_points(batch)  # a subject's points follow it: flush the last one's
            batch = []
            ages.write()
            new_subjects += found.subject.repo.key not in known
            _keep_subject(store, found.subject, now)
            known.add(found.subject.repo.key)
            ages.start(found)
            subjects += 1
            continue
        if isinstance(found, Collection):
            store.write_points(batch)
            batch = []
            ages.write()
            merge_collection(store, found, now)
            collections += 1
            continue
        batch.append(found)
        points += 1
        if len(batch) >= _BATCH:
            store.write_points(batch)
            batch = []
    store.write_points(batch)
    ages.write()
    return ImportResult(
        subjects, new_subjects, points, skipped, collections, days, ages.changes.kept
    )


class _StargazerDays:
    """One repository's stargazer days gathered from the file, then written at once."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._marks: dict[str, datetime] = {}
        self._repo: RepoName | None = None
        self._days: list[StargazerDay] = []
        self.changes = DayChanges()

    def start(self, found: SubjectRecord) -> None:
        """A subject line: its days (and its list's mark, even without days) come next."""
        if found.stargazers_read_through is not None:
            self._marks[found.subject.repo.key] = found.stargazers_read_through
        self._repo = found.subject.repo

    def add(self, found: StargazerDayRecord) -> None:
        if self._repo is None or found.repo.key != self._repo.key:
            self.write()
            self._repo = found.repo
        self._days.append(found.day)

    def write(self) -> None:
        """Write the repository's gathered days, and its mark when the file names one."""
        repo, days = self._repo, self._days
        self._repo, self._days = None, []
        if repo is None or (not days and repo.key not in self._marks):
            return
        copy = compare_days(
            days,
            self._store.read_stargazer_days(repo),
            self.changes,
            incoming_mark=self._marks.pop(repo.key, None),
            follows=repo.key in self._store.stargazers_read_through([repo]),
        )
        write_days(self._store, repo, copy)


def _keep_subject(store: Store, subject: Subject, now: datetime) -> None:
    """Track ``subject`` (adding packages it names); take its GitHub node id if none is kept."""
    added = store.add_subject(
        subject.repo, list(subject.packages), added_at=subject.added_at or now
    )
    if subject.github_node_id and not added.github_node_id:
        store.set_identity(subject.repo, node_id=subject.github_node_id, current=subject.repo)


def merge_collection(store: Store, collection: Collection, now: datetime) -> None:
    """Make ``collection`` in ``store`` (or give the store's its name and description), then
    add its members, which must be tracked there; one without a time it was made gets
    ``now``."""
    kept = store.get_collection(collection.slug)
    if kept is None:
        store.create_collection(
            collection.slug,
            name=collection.name,
            description=collection.description,
            created_at=collection.created_at or now,
        )
    elif (kept.name, kept.description) != (collection.name, collection.description):
        store.update_collection(
            collection.slug, name=collection.name, description=collection.description
        )
    store.add_collection_members(collection.slug, list(collection.members))


class _Reading:
    """One pass over a file: the header, then each line's record or what is wrong with it."""

    def __init__(self, path: Path, progress: Progress | None) -> None:
        self._path = path
        self._progress = progress
        try:
            self._size = path.stat().st_size
            if not path.is_file():
                raise InputError(f"{path} is not a file")
            with path.open("rb") as file:
                first = _read_line(file)
        except OSError as error:
            raise InputError(f"cannot read {path}: {error.strerror}") from None
        if first is None or isinstance(first, RecordError):
            problem = "it is empty" if first is None else first.problem
            raise InputError(f"{path} is not an ossgrowth export: {problem}")
        try:
            self.header = parse_header(first)
        except RecordError as error:
            raise InputError(f"{path}: {error}") from None

    def records(
        self,
    ) -> Iterator[
        tuple[int, SubjectRecord | Point | StargazerDayRecord | Collection | RecordError]
    ]:
        subjects: dict[str, Subject] = {}
        collections: set[str] = set()
        finished: set[tuple[str, str, str]] = set()
        series: tuple[str, str, str] | None = None
        last_moment = -1
        counted = 0
        end: EndRecord | None = None
        with self._path.open("rb") as file:
            _read_line(file)  # the header, read already
            number = 1
            while (read := _read_line(file)) is not None:
                number += 1
                if self._progress is not None and number % 1000 == 0:
                    self._progress(file.tell(), self._size)
                if isinstance(read, RecordError):
                    yield number, RecordError(number, read.problem)
                    counted += 1
                    continue
                if end is not None:
                    raise InputError(f"{self._path}: line {number} comes after the end line")
                try:
                    found = parse_record(number, read)
                except RecordError as error:
                    yield number, error
                    counted += 1
                    continue
                if isinstance(found, EndRecord):
                    end = found
                    continue
                counted += 1
                if isinstance(found, SubjectRecord):
                    repo = found.subject.repo
                    if repo.key in subjects:
                        yield number, RecordError(number, f"{repo} has a subject line already")
                        continue
                    subjects[repo.key] = found.subject
                    yield number, found
                    continue
                if isinstance(found, Collection):
                    problem = _misplaced_collection(found, subjects, collections)
                    if problem is not None:
                        yield number, RecordError(number, problem)
                        continue
                    collections.add(found.slug)
                    yield number, found
                    continue
                problem = _misplaced(found, subjects, finished, series, last_moment)
                if problem is not None:
                    yield number, RecordError(number, problem)
                    continue
                key = _series_of(found)
                if key != series:
                    if series is not None:
                        finished.add(series)
                    series, last_moment = key, -1
                last_moment = found.epoch_seconds
                yield number, found
        if self._progress is not None:
            self._progress(self._size, self._size)
        if end is None:
            raise InputError(
                f"{self._path} ends without its end line after line {number}: it was cut "
                "short (export it again)"
            )
        announced = end.subjects + end.points + end.stargazer_days + end.collections
        if announced != counted:
            raise InputError(
                f"{self._path}: its end line counts {announced} records, and "
                f"it holds {counted}: lines were added or lost"
            )


def _series_of(point: Point | StargazerDayRecord) -> tuple[str, str, str]:
    """The series a record is in: a family's (and package's), or the stargazer days'."""
    if isinstance(point, StargazerDayRecord):
        return (point.repo.key, "stargazer_days", "")
    return (point.repo.key, point.family.value, str(point.package or ""))


def _misplaced(
    point: Point | StargazerDayRecord,
    subjects: dict[str, Subject],
    finished: set[tuple[str, str, str]],
    series: tuple[str, str, str] | None,
    last_moment: int,
) -> str | None:
    """What is wrong with where ``point`` (or a stargazer day) stands in the file, if
    anything."""
    day = isinstance(point, StargazerDayRecord)
    kind = "stargazer day" if day else "point"
    subject = subjects.get(point.repo.key)
    if subject is None:
        return f"a {kind} of {point.repo} before its subject line"
    if isinstance(point, Point) and point.package not in (None, *subject.packages):
        return f"{point.package} is not among {point.repo}'s packages on its subject line"
    key = _series_of(point)
    if key in finished:
        return (
            f"a stargazer day of {point.repo} after other lines: a repository's stargazer days "
            "come together"
            if day
            else f"a point of {point.repo} {key[1]} after other series' points: each series' "
            "points come together"
        )
    if key == series and point.epoch_seconds <= last_moment:
        if point.epoch_seconds == last_moment:
            return (
                f"the same {'day' if day else 'moment'} as the line before it (a repeated {kind})"
            )
        whose = "a repository's stargazer days" if day else "a series' points"
        return f"earlier than the line before it: {whose} go forward in time"
    return None


def _misplaced_collection(
    collection: Collection, subjects: dict[str, Subject], seen: set[str]
) -> str | None:
    """What is wrong with where ``collection`` stands in the file, if anything."""
    if collection.slug in seen:
        return f"collection {collection.slug!r} has a line already"
    stranger = next((repo for repo in collection.members if repo.key not in subjects), None)
    if stranger is not None:
        return (
            f"collection {collection.slug!r} names {stranger}, which has no subject line before it"
        )
    return None


def _read_line(file: BinaryIO) -> str | RecordError | None:
    """The next line's text, a :class:`RecordError` for a line too long or
    not UTF-8 (the rest of it read and dropped), or ``None`` at the end of the file."""
    raw = file.readline(MAX_LINE_BYTES + 1)
    if not raw:
        return None
    if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
        while (rest := file.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
            pass
        return RecordError(0, f"longer than {MAX_LINE_BYTES} bytes: not a record")
    try:
        return raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        return RecordError(0, "not UTF-8 text")
