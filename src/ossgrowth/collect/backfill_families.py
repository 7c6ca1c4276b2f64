"""How each family's history is fetched (as checkpointed pages) and turned into points.

- Issues, pull requests and the stargazer list are GraphQL connections read one state at a
  time. Each is read from both ends at once: its first page gives ``totalCount``, the forward
  walk takes the first half of the pages and a backward walk (``last``/``before``) the rest.
  States and repositories are independent, so the longest chain of dependent requests is about
  half the pages of the largest state of the largest repository, plus one.
- Star history pages are numbered: the first names the last, then the rest go at once.
- The stargazer pages carry each stargazer's account creation (no extra request): the star
  backfill keeps, per day, how many stars came from accounts made within 30 days before
  (``FamilyHistory.stargazer_days``), which the unusual-growth flags read, and the newest
  ``starredAt`` read, from which collections follow the list
  (:mod:`~ossgrowth.collect.stargazer_reads`).
- npm ranges of 18 months are independent; PyPI stats is one request.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from types import MappingProxyType
from typing import Any

from ossgrowth.collect.backfill_items import read_both_ends, read_items
from ossgrowth.collect.backfill_pages import JobPages, gather
from ossgrowth.collect.upstreams import ClientBundle, Closable
from ossgrowth.errors import ConfigError, NotFound
from ossgrowth.metrics.history import (
    DayCount,
    day_of,
    download_history,
    fork_history,
    issue_history,
    pull_request_history,
    star_history_from_days,
    star_history_from_stargazers,
)
from ossgrowth.metrics.ratios import with_ratios
from ossgrowth.metrics.unusual import StargazerDay, stargazer_days
from ossgrowth.metrics.windowed_totals import PYPI_WINDOW_SOURCE
from ossgrowth.model import (
    Ecosystem,
    Family,
    PackageRef,
    Point,
    Provenance,
    RepoName,
    from_epoch_seconds,
)
from ossgrowth.sources import (
    NPM_FIRST_DAY,
    NPM_SOURCE,
    PYPISTATS_WINDOW_DAYS,
    NpmDownloads,
    PyPIStats,
    StargazersHidden,
)
from ossgrowth.sources.github_timeline import Direction, GitHubTimeline, ItemKind
from ossgrowth.sources.npm import RANGE_DAYS

__all__ = [
    "HISTORY_READERS",
    "SOURCE_FORKS",
    "SOURCE_GITHUB_TIMELINE",
    "SOURCE_NPM",
    "SOURCE_PYPI_WINDOW",
    "SOURCE_STARGAZERS",
    "SOURCE_STAR_HISTORY",
    "FamilyHistory",
    "HistoryReader",
    "HistoryRequest",
    "HistorySources",
    "StarMethod",
    "family_history",
]

SOURCE_STAR_HISTORY = "github-stargazers-history"
SOURCE_STARGAZERS = "github-stargazers"
SOURCE_GITHUB_TIMELINE = "github-graphql-timeline"
SOURCE_FORKS = "github-forks"
"""Reach points rebuilt from the forks' creation times."""
SOURCE_NPM = NPM_SOURCE
SOURCE_PYPI_WINDOW = PYPI_WINDOW_SOURCE
"""PyPI points whose ``total_downloads`` counts only the 180 days PyPI stats keeps."""


_REFUSED = "stargazers/refused"
"""A stored page that records GitHub's refusal of the stargazer list, so it is asked once."""


class StarMethod(enum.StrEnum):
    """How star history is reconstructed."""

    AUTO = "auto"
    """The stargazer list when the token may read it, else the weekly star history."""
    LIST = "list"
    HISTORY = "history"


@dataclass(frozen=True, slots=True)
class HistorySources(ClientBundle):
    """The clients a backfill reads; ``async with`` them closes every one."""

    github: GitHubTimeline
    npm: NpmDownloads
    pypi: PyPIStats
    star_method: StarMethod = StarMethod.AUTO

    def clients(self) -> tuple[Closable, ...]:
        """Every client, in the order they are closed."""
        return (self.github, self.npm, self.pypi)

    @property
    def requests_sent(self) -> int:
        return self.github.requests_sent + self.npm.requests_sent + self.pypi.requests_sent


@dataclass(frozen=True, slots=True)
class FamilyHistory:
    """The reconstructed points of one family and how they were made."""

    points: tuple[Point, ...]
    method: str
    messages: tuple[str, ...] = ()
    """What the user should know (a method fallen back to, a package that failed)."""
    failed: bool = False
    stargazer_days: tuple[StargazerDay, ...] | None = None
    """Stars: the stargazers' account ages by day, when the stargazer list was read."""
    stargazers_read_through: datetime | None = None
    """Stars, with ``stargazer_days``: the newest ``starredAt`` they count (the repository's
    creation when no star is listed). Collections of stars count the stars after it."""


async def family_history(
    family: Family,
    pages: JobPages,
    sources: HistorySources,
    packages: tuple[PackageRef, ...],
    today: date,
) -> FamilyHistory:
    """Fetch (or reuse) the pages of ``family`` for ``pages.repo`` and reconstruct its points.

    Raises:
        NotFound: no such repository (or private to the token).
        ConfigError: issue or pull request history without a GitHub token.
        StargazersHidden: ``StarMethod.LIST`` and the token may not read the list.
    """
    return await HISTORY_READERS[family](HistoryRequest(family, pages, sources, packages, today))


@dataclass(frozen=True, slots=True)
class HistoryRequest:
    """What a family's history reader is asked: one family of one repository, up to today."""

    family: Family
    pages: JobPages
    sources: HistorySources
    packages: tuple[PackageRef, ...]
    today: date


HistoryReader = Callable[[HistoryRequest], Awaitable[FamilyHistory]]
"""Fetches (or reuses) a family's pages and reconstructs its points: one per family."""


async def _github_items(request: HistoryRequest) -> FamilyHistory:
    """Issue health or PR velocity, replayed from the items' events."""
    family, pages, github, today = (
        request.family,
        request.pages,
        request.sources.github,
        request.today,
    )
    if not github.has_graphql:
        raise ConfigError(
            f"the {family.value} history needs GitHub's GraphQL API, which needs a token: "
            "set OSSGROWTH_GITHUB_TOKENS"
        )
    kind = _ITEM_KINDS[family]
    created_at, items = await read_items(pages, github, kind, today)
    first_day = day_of(created_at) + timedelta(days=1)
    points: list[Point] = []
    if kind is ItemKind.ISSUES:
        for row in issue_history(items, first_day, today):
            counts = {"open_issues": row.open_issues, "closed_issues": row.closed_issues}
            values = with_ratios(family, counts)
            points.append(_point(pages.repo, family, row.day, values, SOURCE_GITHUB_TIMELINE))
    else:
        for pull in pull_request_history(items, first_day, today):
            values = with_ratios(family, {"open_prs": pull.open_prs, "merged_prs": pull.merged_prs})
            points.append(_point(pages.repo, family, pull.day, values, SOURCE_GITHUB_TIMELINE))
    return FamilyHistory(tuple(points), SOURCE_GITHUB_TIMELINE)


_ITEM_KINDS = {Family.ISSUES: ItemKind.ISSUES, Family.PRS: ItemKind.PULL_REQUESTS}


def _point(
    repo: RepoName,
    family: Family,
    day: date,
    values: dict[str, int | float | None],
    source: str,
    package: PackageRef | None = None,
) -> Point:
    return Point(
        repo=repo,
        family=family,
        observed_at=datetime(day.year, day.month, day.day, tzinfo=UTC),
        values=values,
        provenance=Provenance.RECONSTRUCTED,
        source=source,
        package=package,
    )


async def _stars(request: HistoryRequest) -> FamilyHistory:
    pages, sources, today = request.pages, request.sources, request.today
    messages: list[str] = []
    wants_list = sources.star_method is not StarMethod.HISTORY
    refused = pages.by_stream.get(_REFUSED)
    if refused:
        messages.append(f"{json.loads(refused[0].payload)}; used the weekly star history instead")
    elif wants_list and sources.github.has_graphql:
        try:
            return await _stars_from_list(pages, sources.github, today)
        except StargazersHidden as error:
            if sources.star_method is StarMethod.LIST:
                raise
            await pages.note(_REFUSED, str(error))  # not asked again
            messages.append(f"{error}; used the weekly star history instead")
    elif wants_list:
        messages.append("no GitHub token: used the weekly star history, not the stargazer list")
    return await _stars_from_history(pages, sources.github, today, messages)


async def _stars_from_list(pages: JobPages, github: GitHubTimeline, today: date) -> FamilyHistory:
    records, first_day = await _listed_records(
        pages, "stargazers", github.stargazers, "starred_at", "account_created_at"
    )
    moments = sorted({moment for record in records for moment in record["starred_at"]})
    rows = star_history_from_stargazers(moments, first_day, today)
    points = tuple(
        _point(pages.repo, Family.STARS, row.day, {"star_count": row.star_count}, SOURCE_STARGAZERS)
        for row in rows
    )
    stars = {  # pages stored before account ages were read have none: counted as unknown
        (starred_at, created_at)
        for record in records
        for starred_at, created_at in zip(
            record["starred_at"],
            record.get("account_created_at") or [None] * len(record["starred_at"]),
            strict=True,
        )
    }
    newest = max(moments, default=records[0]["created_at"])
    return FamilyHistory(
        points,
        SOURCE_STARGAZERS,
        stargazer_days=tuple(stargazer_days(sorted(stars))),
        stargazers_read_through=from_epoch_seconds(newest),
    )


async def _listed_times(
    pages: JobPages,
    stream: str,
    read_page: Callable[[RepoName, Direction, str | None], Awaitable[Any]],
    times: str,
) -> tuple[list[int], date]:
    """Every time a connection lists (the stargazers' ``starred_at``, the forks'
    ``forked_at``: the page attribute named ``times``), read from both ends, and the first day
    after the repository was created."""
    records, first_day = await _listed_records(pages, stream, read_page, times)
    return sorted({moment for record in records for moment in record[times]}), first_day


async def _listed_records(
    pages: JobPages,
    stream: str,
    read_page: Callable[[RepoName, Direction, str | None], Awaitable[Any]],
    *attributes: str,
) -> tuple[list[Any], date]:
    """Every page of a connection as stored records holding the page ``attributes`` named,
    read from both ends, and the first day after the repository was created."""

    async def fetch(direction: Direction, cursor: str | None) -> tuple[Any, str | None]:
        page = await read_page(pages.repo, direction, cursor)
        created = int(page.created_at.timestamp())
        record = {"created_at": created, "total": page.total}
        record.update({name: list(getattr(page, name)) for name in attributes})
        return record, page.next_cursor

    records = await read_both_ends(pages, stream, fetch)
    return records, day_of(records[0]["created_at"]) + timedelta(days=1)


async def _stars_from_history(
    pages: JobPages, github: GitHubTimeline, today: date, messages: list[str]
) -> FamilyHistory:
    def fetch(number: int) -> Callable[[], Awaitable[Any]]:
        async def one() -> Any:
            page = await github.history(pages.repo, number)
            weeks = [[int(w.week_start.timestamp()), list(w.daily)] for w in page.weeks]
            return {"last_page": page.last_page, "weeks": weeks}

        return one

    first = await pages.single("history/1", fetch(1), chain=2)  # the rest follow it at once
    records = [first]

    async def other(number: int) -> None:
        records.append(await pages.single(f"history/{number}", fetch(number)))

    await gather([partial(other, number) for number in range(2, first["last_page"] + 1)])
    daily = [
        DayCount(day_of(week + 86_400 * offset), count)
        for record in records
        for week, counts in record["weeks"]
        for offset, count in enumerate(counts)
    ]
    oldest = min((week for record in records for week, _ in record["weeks"]), default=None)
    if oldest is None:
        return FamilyHistory((), SOURCE_STAR_HISTORY, tuple(messages))
    rows = star_history_from_days(daily, day_of(oldest) + timedelta(days=1), today)
    points = tuple(
        _point(pages.repo, Family.STARS, r.day, {"star_count": r.star_count}, SOURCE_STAR_HISTORY)
        for r in rows
    )
    return FamilyHistory(points, SOURCE_STAR_HISTORY, tuple(messages))


async def _downloads(request: HistoryRequest) -> FamilyHistory:
    pages, sources, packages, today = (
        request.pages,
        request.sources,
        request.packages,
        request.today,
    )
    points: list[Point] = []
    messages: list[str] = []

    async def one(package: PackageRef) -> None:
        try:
            if package.ecosystem is Ecosystem.NPM:
                points.extend(await _npm(pages, sources.npm, package, today))
            else:
                points.extend(await _pypi(pages, sources.pypi, package))
        except NotFound as error:
            messages.append(str(error))

    await gather([partial(one, package) for package in packages])
    points.sort(key=lambda point: (str(point.package), point.epoch_seconds))
    if not packages:
        return FamilyHistory((), "", ("no packages tracked for this repository",))
    methods = sorted({point.source for point in points})
    return FamilyHistory(tuple(points), ",".join(methods), tuple(messages), bool(messages))


def _day_rows(days: list[list[Any]]) -> list[DayCount]:
    return [DayCount(date.fromisoformat(day), count) for day, count in days]


async def _npm(pages: JobPages, npm: NpmDownloads, package: PackageRef, today: date) -> list[Point]:
    last_day = today - timedelta(days=1)
    starts = []
    start = NPM_FIRST_DAY
    while start <= last_day:
        starts.append(start)
        start += timedelta(days=RANGE_DAYS)
    found: dict[date, list[list[Any]]] = {}

    async def window(first: date) -> None:
        end = min(last_day, first + timedelta(days=RANGE_DAYS - 1))

        async def fetch() -> Any:
            span = await npm.daily(package, first, end)
            return [[item.day.isoformat(), item.downloads] for item in span.days]

        found[first] = await pages.single(f"{package}/{first.isoformat()}", fetch)

    await gather([partial(window, first) for first in starts])
    daily = [row for first in sorted(found) for row in _day_rows(found[first])]
    begin = next((index for index, row in enumerate(daily) if row.count), len(daily))
    daily = daily[begin:]
    if not daily:
        return []
    history = download_history(daily, starts_with_first_day=daily[0].day > NPM_FIRST_DAY)
    return [_download_point(pages.repo, package, row, SOURCE_NPM) for row in history]


async def _pypi(pages: JobPages, pypi: PyPIStats, package: PackageRef) -> list[Point]:
    async def fetch() -> Any:
        span = await pypi.daily(package)
        return [[item.day.isoformat(), item.downloads] for item in span.days]

    daily = _day_rows(await pages.single(str(package), fetch))
    if not daily:
        return []
    history = download_history(daily, starts_with_first_day=len(daily) < PYPISTATS_WINDOW_DAYS)
    return [_download_point(pages.repo, package, row, SOURCE_PYPI_WINDOW) for row in history]


def _download_point(repo: RepoName, package: PackageRef, row: Any, source: str) -> Point:
    values: dict[str, int | float | None] = {
        "weekly_downloads": row.weekly_downloads,
        "total_downloads": row.total_downloads,
    }
    return _point(repo, Family.DOWNLOADS, row.day + timedelta(days=1), values, source, package)


async def _reach(request: HistoryRequest) -> FamilyHistory:
    """Forks per day from the creation times of the forks that exist today; watchers have no
    past upstream, so reconstructed reach points hold none (the series starts with the first
    measurement)."""
    pages, github = request.pages, request.sources.github
    if not github.has_graphql:
        raise ConfigError(
            "the reach history needs GitHub's GraphQL API (the forks list), which needs a "
            "token: set OSSGROWTH_GITHUB_TOKENS"
        )

    moments, first_day = await _listed_times(pages, "forks", github.forks, "forked_at")
    points = tuple(
        _point(
            pages.repo,
            Family.REACH,
            row.day,
            {"forks": row.forks, "watchers": None},
            SOURCE_FORKS,
        )
        for row in fork_history(moments, first_day, request.today)
    )
    return FamilyHistory(points, SOURCE_FORKS)


HISTORY_READERS: Mapping[Family, HistoryReader] = MappingProxyType(
    {
        Family.STARS: _stars,
        Family.PRS: _github_items,
        Family.ISSUES: _github_items,
        Family.DOWNLOADS: _downloads,
        Family.REACH: _reach,
    }
)
"""How each family's history is read: the registry says what a family is, this says how its
past is fetched (a family without history upstream has a reader that finds nothing)."""
