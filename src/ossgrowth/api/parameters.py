"""Turning request parameters into domain values, with problems that name the parameter.

Names go through :mod:`ossgrowth.names`; times accept ``YYYY-MM-DD`` or an ISO-8601 datetime,
and a date or a datetime without an offset means UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from ossgrowth.api.errors import NotTracked, Problem
from ossgrowth.errors import InputError
from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.model import PackageRef, RepoName, Subject
from ossgrowth.names import parse_package, parse_repo
from ossgrowth.store import Store

__all__ = [
    "MAX_NAME_LENGTH",
    "choose_package",
    "iso_utc",
    "package_from_text",
    "parse_moment",
    "parse_range",
    "repo_from_path",
    "repo_from_text",
    "require_subject",
]

MAX_NAME_LENGTH = 300
"""Longest path or query name accepted before parsing (the parsers give the exact rules)."""


def iso_utc(moment: datetime) -> str:
    """``2026-11-25T14:00:00Z``: ISO-8601 in UTC with ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_moment(text: str | None, parameter: str, *, end_of_day: bool = False) -> datetime | None:
    """A date or datetime parameter as an aware UTC datetime; naive input means UTC.

    A bare date is the start of that day, or its last second when ``end_of_day`` (so
    ``to=2026-01-31`` includes the whole of the 31st).
    """
    if text is None:
        return None
    cleaned = text.strip()
    try:
        if len(cleaned) == 10:
            day = date.fromisoformat(cleaned)
            clock_time = time(23, 59, 59) if end_of_day else time(0, 0)
            return datetime.combine(day, clock_time, tzinfo=UTC)
        moment = datetime.fromisoformat(cleaned.replace("z", "Z"))
    except ValueError:
        raise Problem(
            422,
            f"{parameter} must be a date (2026-01-31) or an ISO-8601 datetime "
            f"(2026-01-31T12:00:00Z), not {text[:40]!r}",
            parameter=parameter,
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # within a day of year 1 or 9999: the edge of time itself
        return (
            datetime.max.replace(tzinfo=UTC)
            if moment.year > 1
            else datetime.min.replace(tzinfo=UTC)
        )


def parse_range(
    start_text: str | None, end_text: str | None
) -> tuple[datetime | None, datetime | None]:
    """The ``from`` and ``to`` parameters (``from`` after ``to`` selects nothing)."""
    return parse_moment(start_text, "from"), parse_moment(end_text, "to", end_of_day=True)


def repo_from_path(owner: str, name: str) -> RepoName:
    """The repository named by the ``{owner}/{name}`` path parameters."""
    if len(owner) > MAX_NAME_LENGTH or "/" in owner:
        raise Problem(422, "owner is not a GitHub account name", parameter="owner")
    if len(name) > MAX_NAME_LENGTH or "/" in name:
        raise Problem(422, "name is not a GitHub repository name", parameter="name")
    try:
        return parse_repo(f"{owner}/{name}")
    except InputError as error:
        parameter = "owner" if str(error).startswith("owner") else "name"
        raise Problem(422, str(error), parameter=parameter) from None


def repo_from_text(text: str, parameter: str = "repo") -> RepoName:
    """A repository given as ``owner/name`` in a query parameter."""
    try:
        return parse_repo(text[: MAX_NAME_LENGTH + 1])
    except InputError as error:
        raise Problem(422, str(error), parameter=parameter) from None


def require_subject(store: Store, repo: RepoName) -> Subject:
    """The tracked subject of ``repo``, else a 404 problem."""
    subject = store.get_subject(repo)
    if subject is None:
        raise NotTracked(repo)
    return subject


def package_from_text(text: str) -> PackageRef:
    """The package named by the ``package`` parameter (``npm:NAME``, ``pypi:NAME``), else 422."""
    try:
        return parse_package(text[: MAX_NAME_LENGTH + 1])
    except InputError as error:
        raise Problem(422, str(error), parameter="package") from None


def choose_package(subject: Subject, family: Family, text: str | None) -> PackageRef | None:
    """The package a per-package family reads: the one asked for, else the subject's first."""
    if not FAMILIES[family].per_package:
        if text is not None:
            raise Problem(
                404, f"{family.value} are kept per repository, not per package; omit package"
            )
        return None
    if text is not None:
        package = package_from_text(text)
        if package not in subject.packages:
            raise Problem(404, f"{subject.repo} has no package {package}")
        return package
    if not subject.packages:
        raise Problem(404, f"{subject.repo} has no packages, so no {family.value}")
    return subject.packages[0]
