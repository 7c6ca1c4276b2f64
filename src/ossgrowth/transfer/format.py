"""The export format, version 3: one JSON object a line (JSON Lines), in a stable order.

A file is a *header* line, then each subject followed by its points and its stargazers' account
ages by day, then each collection of repositories, then an *end* line:

.. code-block:: text

    {"format":"ossgrowth-points","version":3,"environment":"prod","exported_at":"…Z","from":null,"to":null,"repos":null,"families":null}
    {"type":"subject","repo":"octo/widgets","packages":["npm:widgets"],"github_node_id":"R_1","added_at":"2026-01-01T00:00:00Z","stargazers_read_through":"2026-02-01T09:30:00Z"}
    {"type":"point","repo":"octo/widgets","family":"stars","package":null,"time":"2026-02-01T00:00:00Z","values":{"star_count":900},"provenance":"reconstructed","source":"stargazers"}
    {"type":"stargazer_day","repo":"octo/widgets","day":"2026-02-01","listed":12,"new_accounts":1}
    {"type":"collection","slug":"tools","name":"Tools","description":"","members":["octo/widgets"],"created_at":"2026-01-02T00:00:00Z"}
    {"type":"end","subjects":1,"points":1,"stargazer_days":1,"collections":1}

Subjects come in the order of their lower-case names; each subject's points by family (the
registry's order), package and time, then its stargazer days by day (they belong to the stars
family: a file without stars has none); collections by slug, each member by name. A subject
line's ``stargazers_read_through`` is the newest ``starredAt`` its days count when the
exporting store followed its stargazer list (``null`` otherwise, or when the file's days end
before it). Nothing in a
record names the environment, so exports of the same data from two environments differ only
in their header. The end line counts what came before it: a file without one was cut short.

Version 2 is version 3 without stargazer days (no stargazer_day record, no
``stargazer_days`` in the end line, no ``stargazers_read_through`` on subject lines); version
1 is version 2 without collections. All three
are read, so files written before either existed still import.

This module is pure: it turns records into lines and lines into records, checking each as it
goes (:class:`RecordError` names the line). Reading and writing stores is elsewhere.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ossgrowth.collection_names import check_description, check_name, parse_slug
from ossgrowth.errors import InputError
from ossgrowth.metrics.registry import FAMILIES, Family, FieldKind
from ossgrowth.metrics.unusual import StargazerDay
from ossgrowth.model import Collection as RepoCollection
from ossgrowth.model import PackageRef, Point, Provenance, RepoName, Subject, Value
from ossgrowth.names import parse_package, parse_repo

__all__ = [
    "CSV_COLUMNS",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MAX_LINE_BYTES",
    "READ_VERSIONS",
    "EndRecord",
    "Header",
    "RecordError",
    "StargazerDayRecord",
    "SubjectRecord",
    "collection_line",
    "csv_end_line",
    "csv_header_lines",
    "csv_point_line",
    "end_line",
    "header_line",
    "parse_header",
    "parse_record",
    "point_line",
    "stargazer_day_line",
    "subject_line",
    "subject_series",
]

FORMAT_NAME = "ossgrowth-points"
FORMAT_VERSION = 3
READ_VERSIONS = (1, 2, 3)
"""The versions :func:`parse_header` takes: 2 is 3 without stargazer days, 1 is 2 without
collections."""
MAX_LINE_BYTES = 1 << 20
"""No record comes near this (a subject with many packages is a few kB); a longer line is
not a record, and is not read whole."""

_PROVENANCE_BY_LABEL = {member.label: member for member in Provenance}


class RecordError(InputError):
    """A line that is not a valid record: its number and what is wrong with it."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Header:
    """What a file holds: where it came from and which filters made it."""

    environment: str
    exported_at: datetime
    start: datetime | None = None
    end: datetime | None = None
    repos: tuple[str, ...] | None = None
    families: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class SubjectRecord:
    """A subject line: the subject, and where its stargazer list was read to when the file
    holds its stargazer days and the exporting store followed the list."""

    subject: Subject
    stargazers_read_through: datetime | None = None


@dataclass(frozen=True, slots=True)
class StargazerDayRecord:
    """A stargazer-day record: the stargazers ``repo``'s list showed for one day."""

    repo: RepoName
    day: StargazerDay

    @property
    def epoch_seconds(self) -> int:
        """00:00 UTC of the day, as a point's time is counted."""
        moment = datetime(self.day.day.year, self.day.day.month, self.day.day.day, tzinfo=UTC)
        return int(moment.timestamp())


@dataclass(frozen=True, slots=True)
class EndRecord:
    """The last line: how many subjects, points, stargazer days and collections came before
    it."""

    subjects: int
    points: int
    collections: int = 0
    stargazer_days: int = 0


def _time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dumps(record: Mapping[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"


def subject_series(
    subject: Subject, families: Collection[Family] | None = None
) -> Iterator[tuple[Family, PackageRef | None]]:
    """The series of ``subject`` (of ``families``, or all) in the format's order: by family
    as the registry lists them, then by package (``None`` for a repository's own series)."""
    for family, definition in FAMILIES.items():
        if families is not None and family not in families:
            continue
        if definition.per_package:
            for package in sorted(subject.packages, key=str):
                yield family, package
        else:
            yield family, None


def header_line(header: Header) -> str:
    return _dumps(
        {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "environment": header.environment,
            "exported_at": _time(header.exported_at),
            "from": _time(header.start),
            "to": _time(header.end),
            "repos": None if header.repos is None else list(header.repos),
            "families": None if header.families is None else list(header.families),
        }
    )


def subject_line(subject: Subject, stargazers_read_through: datetime | None = None) -> str:
    return _dumps(
        {
            "type": "subject",
            "repo": subject.repo.full_name,
            "packages": [str(package) for package in subject.packages],
            "github_node_id": subject.github_node_id,
            "added_at": _time(subject.added_at),
            "stargazers_read_through": _time(stargazers_read_through),
        }
    )


def point_line(
    repo: RepoName, family: Family, package: PackageRef | None, row: Sequence[Any]
) -> str:
    """A point from a store row ``(epoch_seconds, *fields, provenance rank, source)``."""
    names = FAMILIES[family].field_names
    return _dumps(
        {
            "type": "point",
            "repo": repo.full_name,
            "family": family.value,
            "package": None if package is None else str(package),
            "time": _time(datetime.fromtimestamp(row[0], UTC)),
            "values": dict(zip(names, row[1 : 1 + len(names)], strict=True)),
            "provenance": Provenance(row[1 + len(names)]).label,
            "source": row[-1],
        }
    )


def collection_line(collection: RepoCollection) -> str:
    return _dumps(
        {
            "type": "collection",
            "slug": collection.slug,
            "name": collection.name,
            "description": collection.description,
            "members": [repo.full_name for repo in collection.members],
            "created_at": _time(collection.created_at),
        }
    )


def stargazer_day_line(repo: RepoName, day: StargazerDay) -> str:
    return _dumps(
        {
            "type": "stargazer_day",
            "repo": repo.full_name,
            "day": day.day.isoformat(),
            "listed": day.listed,
            "new_accounts": day.new_accounts,
        }
    )


def end_line(subjects: int, points: int, collections: int = 0, stargazer_days: int = 0) -> str:
    return _dumps(
        {
            "type": "end",
            "subjects": subjects,
            "points": points,
            "stargazer_days": stargazer_days,
            "collections": collections,
        }
    )


def _object(line: int, text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        problem = str(error) if isinstance(error, json.JSONDecodeError) else "nested too deeply"
        raise RecordError(line, f"not JSON ({problem})") from None
    if not isinstance(value, dict):
        raise RecordError(line, f"a record is a JSON object, not {type(value).__name__}")
    return value


def parse_header(text: str) -> Header:
    """The header on the first line.

    Raises:
        RecordError: not this format, or a version this code does not read.
    """
    record = _object(1, text)
    if record.get("format") != FORMAT_NAME:
        raise RecordError(1, f'not an ossgrowth export (no "format": "{FORMAT_NAME}")')
    version = record.get("version")
    if isinstance(version, bool) or version not in READ_VERSIONS:
        *earlier, newest = (str(each) for each in READ_VERSIONS)
        readable = f"{', '.join(earlier)} and {newest}" if earlier else newest
        raise RecordError(
            1, f"format version {version!r}; this ossgrowth reads versions {readable}"
        )
    return Header(
        environment=_text(1, record, "environment"),
        exported_at=_moment(1, record, "exported_at"),
        start=_moment(1, record, "from", optional=True),
        end=_moment(1, record, "to", optional=True),
        repos=_names(1, record, "repos"),
        families=_names(1, record, "families"),
    )


def parse_record(
    line: int, text: str
) -> SubjectRecord | Point | StargazerDayRecord | RepoCollection | EndRecord:
    """The subject, point, stargazer day, collection or end record on ``line``.

    Raises:
        RecordError: anything that is not exactly one of them.
    """
    record = _object(line, text)
    kind = record.get("type")
    expected = _FIELDS.get(kind) if isinstance(kind, str) else None
    if expected is None:
        raise RecordError(line, f"unknown record type {str(kind)[:40]!r}")
    unknown = sorted(set(record) - expected - _OPTIONAL.get(str(kind), set()))
    if unknown:
        raise RecordError(line, f"unknown field {unknown[0][:40]!r} in a {kind} record")
    missing = sorted(expected - set(record))
    if missing:
        raise RecordError(line, f"a {kind} record needs {missing[0]!r}")
    try:
        if kind == "subject":
            return _subject(line, record)
        if kind == "point":
            return _point(line, record)
        if kind == "stargazer_day":
            return _stargazer_day(line, record)
        if kind == "collection":
            return _collection(line, record)
    except InputError as error:
        if isinstance(error, RecordError):
            raise
        raise RecordError(line, str(error)) from None
    optional = {key: _count(line, record, key) for key in _OPTIONAL["end"] if key in record}
    return EndRecord(_count(line, record, "subjects"), _count(line, record, "points"), **optional)


_FIELDS = {
    "subject": {"type", "repo", "packages", "github_node_id", "added_at"},
    "point": {"type", "repo", "family", "package", "time", "values", "provenance", "source"},
    "stargazer_day": {"type", "repo", "day", "listed", "new_accounts"},
    "collection": {"type", "slug", "name", "description", "members", "created_at"},
    "end": {"type", "subjects", "points"},
}
_OPTIONAL = {"end": {"collections", "stargazer_days"}, "subject": {"stargazers_read_through"}}
"""Fields a record may leave out: version 1's end line counts no collections, version 2's no
stargazer days, and its subject lines say nothing of their stargazer lists."""


def _subject(line: int, record: dict[str, Any]) -> SubjectRecord:
    packages = record["packages"]
    if not isinstance(packages, list) or not all(isinstance(item, str) for item in packages):
        raise RecordError(line, "packages is a list of npm:NAME or pypi:NAME")
    node_id = record["github_node_id"]
    if node_id is not None and (not isinstance(node_id, str) or len(node_id) > 100):
        raise RecordError(line, "github_node_id is a string or null")
    subject = Subject(
        repo=parse_repo(_text(line, record, "repo")),
        packages=tuple(dict.fromkeys(parse_package(item) for item in packages)),
        github_node_id=node_id,
        added_at=_moment(line, record, "added_at", optional=True),
    )
    return SubjectRecord(subject, _moment(line, record, "stargazers_read_through", optional=True))


def _collection(line: int, record: dict[str, Any]) -> RepoCollection:
    members = record["members"]
    if not isinstance(members, list) or not all(isinstance(item, str) for item in members):
        raise RecordError(line, "members is a list of owner/name")
    for key in ("name", "description"):
        if not isinstance(record[key], str):
            raise RecordError(line, f"{key} is a string")
    repos = [parse_repo(item) for item in members]
    return RepoCollection(
        slug=parse_slug(_text(line, record, "slug")),
        name=check_name(record["name"]),
        description=check_description(record["description"]),
        members=tuple({repo.key: repo for repo in repos}.values()),
        created_at=_moment(line, record, "created_at", optional=True),
    )


def _stargazer_day(line: int, record: dict[str, Any]) -> StargazerDayRecord:
    text = record["day"]
    try:
        if not isinstance(text, str) or len(text) != 10:
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise RecordError(line, "day is a UTC day as 2026-02-01") from None
    counts = []
    for key in ("listed", "new_accounts"):
        value = record[key]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
            raise RecordError(line, f"{key} is a whole number from 0 to 2^31-1")
        counts.append(value)
    listed, new_accounts = counts
    if new_accounts > listed:
        raise RecordError(line, "new_accounts is at most listed")
    repo = parse_repo(_text(line, record, "repo"))
    return StargazerDayRecord(repo, StargazerDay(day, listed, new_accounts))


def _point(line: int, record: dict[str, Any]) -> Point:
    family_text = _text(line, record, "family")
    try:
        family = Family(family_text)
    except ValueError:
        known = ", ".join(member.value for member in Family)
        raise RecordError(line, f"unknown family {family_text[:40]!r}; one of {known}") from None
    package = record["package"]
    if package is not None and not isinstance(package, str):
        raise RecordError(line, "package is npm:NAME, pypi:NAME or null")
    values = record["values"]
    if not isinstance(values, dict):
        raise RecordError(line, "values is an object of the family's fields")
    definition = FAMILIES[family]
    unknown = sorted(set(values) - set(definition.field_names))
    if unknown:
        raise RecordError(line, f"unknown field {unknown[0][:40]!r} of {family.value}")
    for field in definition.fields:
        _check_value(line, field.name, field.kind, values.get(field.name, 0))
    provenance = _PROVENANCE_BY_LABEL.get(str(record["provenance"]))
    if provenance is None:
        known = ", ".join(_PROVENANCE_BY_LABEL)
        raise RecordError(line, f"provenance is one of {known}")
    return Point(
        repo=parse_repo(_text(line, record, "repo")),
        family=family,
        observed_at=_moment(line, record, "time"),
        values=values,
        provenance=provenance,
        source=_text(line, record, "source"),
        package=None if package is None else parse_package(package),
    )


def _check_value(line: int, name: str, kind: FieldKind, value: Value) -> None:
    if value is None:
        return
    if kind is FieldKind.RATIO:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RecordError(line, f"{name} is a number or null, not {_shown(value)}")
        if not math.isfinite(value) or value < 0:
            raise RecordError(line, f"{name} is a number of 0 or more, not {value!r}")
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(line, f"{name} is a whole number or null, not {_shown(value)}")
    if not 0 <= value < 2**63:
        raise RecordError(line, f"{name} is a whole number from 0 to 2^63-1, not {value}")


def _shown(value: object) -> str:
    return json.dumps(value)[:40] if not isinstance(value, float) else repr(value)


def _text(line: int, record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value or len(value) > 300:
        raise RecordError(line, f"{key} is a non-empty string")
    return value


def _moment(line: int, record: dict[str, Any], key: str, *, optional: bool = False) -> Any:
    value = record.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.endswith("Z"):
        raise RecordError(line, f"{key} is a UTC time as 2026-02-01T00:00:00Z")
    try:
        return datetime.fromisoformat(value[:-1] + "+00:00")
    except ValueError:
        raise RecordError(line, f"{key} is a UTC time as 2026-02-01T00:00:00Z") from None


def _names(line: int, record: dict[str, Any], key: str) -> tuple[str, ...] | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RecordError(line, f"{key} is a list of names or null")
    return tuple(value)


def _count(line: int, record: dict[str, Any], key: str) -> int:
    value = record[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError(line, f"{key} is a count")
    return value


# CSV: the same points for spreadsheets and data frames -------------------------------------

CSV_COLUMNS = (
    "repo",
    "family",
    "package",
    "time",
    *dict.fromkeys(name for definition in FAMILIES.values() for name in definition.field_names),
    "provenance",
    "source",
)
"""Every family's fields side by side (``ratio`` is PRs' or issues' by ``family``); a field
that is not its family's is empty."""


def _csv_row(values: Sequence[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def csv_header_lines(header: Header) -> str:
    """The header as a ``#`` comment line (``pandas.read_csv(comment="#")`` skips it), then
    the column names."""
    return "# " + header_line(header) + _csv_row(CSV_COLUMNS)


def csv_point_line(
    repo: RepoName, family: Family, package: PackageRef | None, row: Sequence[Any]
) -> str:
    names = FAMILIES[family].field_names
    values = dict(zip(names, row[1 : 1 + len(names)], strict=True))
    fields = ["" if values.get(name) is None else values[name] for name in CSV_COLUMNS[4:-2]]
    return _csv_row(
        [
            repo.full_name,
            family.value,
            "" if package is None else str(package),
            _time(datetime.fromtimestamp(row[0], UTC)),
            *fields,
            Provenance(row[1 + len(names)]).label,
            row[-1],
        ]
    )


def csv_end_line(subjects: int, points: int) -> str:
    return f"# end subjects={subjects} points={points}\n"
