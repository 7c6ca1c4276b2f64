"""Star history from GitHub's REST API, under the 2026 stargazer rules.

- ``GET /repos/{o}/{r}/stargazers/history`` (since 2026-09-04; public, ``core`` budget, one
  request a page): weekly rows, newest first, ``{"week": <epoch seconds of the week's start>,
  "total": n, "days": [7 daily counts]}``; ``per_page`` ≤ 30 weeks, ``page`` ≤ 100. It counts
  stars still held today. Sent with ``X-GitHub-Api-Version: 2026-03-10``.
- ``GET /repos/{o}/{r}/stargazers`` with ``Accept: application/vnd.github.star+json``: who
  starred and when. Since 2026-06-30 only a repository's admins and collaborators may list it;
  anyone else gets 404 (anonymous: 401), reported as :class:`StargazersHidden`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ossgrowth.errors import InputError, SourceError
from ossgrowth.model import RepoName, from_epoch_seconds
from ossgrowth.sources.http import SourceHttp
from ossgrowth.sources.parsing import (
    UnexpectedAnswer,
    as_int,
    as_list,
    as_object,
    as_str,
    as_timestamp,
    field,
)
from ossgrowth.sources.urls import next_page_url, repo_path

__all__ = [
    "HISTORY_API_VERSION",
    "MAX_HISTORY_PAGES",
    "MAX_HISTORY_PER_PAGE",
    "Stargazer",
    "StargazersHidden",
    "WeeklyStars",
    "parse_weekly",
    "stargazer_history",
    "stargazers",
]

HISTORY_API_VERSION = "2026-03-10"
MAX_HISTORY_PER_PAGE = 30
MAX_HISTORY_PAGES = 100
_STAR_ACCEPT = "application/vnd.github.star+json"


class StargazersHidden(SourceError):
    """GitHub will not list this repository's stargazers to this token (the 2026 rule)."""


@dataclass(frozen=True, slots=True)
class WeeklyStars:
    """Stars gained in one week (still held today), with the count of each day."""

    week_start: datetime
    """Sunday 00:00 UTC."""
    total: int
    daily: tuple[int, int, int, int, int, int, int]

    @property
    def days(self) -> tuple[tuple[date, int], ...]:
        """Each day of the week with its count, Sunday first."""
        start = self.week_start.date()
        return tuple(
            (date.fromordinal(start.toordinal() + offset), count)
            for offset, count in enumerate(self.daily)
        )


@dataclass(frozen=True, slots=True)
class Stargazer:
    """One star: who gave it and when."""

    login: str
    starred_at: datetime


async def stargazer_history(
    http: SourceHttp, repo: RepoName, *, pages: int = 1, per_page: int = MAX_HISTORY_PER_PAGE
) -> tuple[WeeklyStars, ...]:
    """Up to ``pages × per_page`` weeks of star history, newest first; stops at a short page.

    Raises:
        InputError: ``per_page`` or ``pages`` beyond GitHub's bounds.
        NotFound: no such repository.
    """
    if not 1 <= per_page <= MAX_HISTORY_PER_PAGE:
        raise InputError(f"per_page must be 1 to {MAX_HISTORY_PER_PAGE}, not {per_page}")
    if not 1 <= pages <= MAX_HISTORY_PAGES:
        raise InputError(f"pages must be 1 to {MAX_HISTORY_PAGES}, not {pages}")
    weeks: list[WeeklyStars] = []
    for page in range(1, pages + 1):
        reply = await http.send(
            "GET",
            f"/repos/{repo_path(repo)}/stargazers/history",
            params={"per_page": per_page, "page": page},
            headers={"X-GitHub-Api-Version": HISTORY_API_VERSION},
        )
        if reply.status != 200:
            raise http.error(reply, f"star history of {repo}")
        rows = as_list(reply.body, f"the star history of {repo}")
        weeks.extend(parse_weekly(row, f"a star history row of {repo}") for row in rows)
        if len(rows) < per_page:
            break
    return tuple(weeks)


async def stargazers(
    http: SourceHttp, repo: RepoName, *, max_pages: int | None = None
) -> tuple[Stargazer, ...]:
    """Every stargazer with ``starred_at``, walking the pages (100 a request).

    Raises:
        StargazersHidden: the token is not an admin or collaborator of ``repo`` (or there is
            no such repository: GitHub answers both with 404).
    """
    target: str | None = f"/repos/{repo_path(repo)}/stargazers"
    params: dict[str, str | int] | None = {"per_page": 100}
    found: list[Stargazer] = []
    pages = 0
    while target is not None and (max_pages is None or pages < max_pages):
        reply = await http.send("GET", target, params=params, headers={"Accept": _STAR_ACCEPT})
        if reply.status in (401, 404):
            raise StargazersHidden(
                f"GitHub will not list the stargazers of {repo} ({reply.status}): since "
                "GitHub's 2026 rule only the repository's admins and collaborators can; "
                "use the star history instead"
            )
        if reply.status != 200:
            raise http.error(reply, f"stargazers of {repo}")
        found.extend(_stargazer(row, repo) for row in as_list(reply.body, "the stargazers"))
        pages += 1
        target, params = next_page_url(reply.headers.get("link")), None
    return tuple(found)


def parse_weekly(value: object, what: str) -> WeeklyStars:
    """One row of ``/stargazers/history``: ``{week, total, days[7]}``."""
    row = as_object(value, what)
    daily = tuple(as_int(day, f"{what}.days") for day in as_list(field(row, "days", what), what))
    if len(daily) != 7:
        raise UnexpectedAnswer(f"{what} has {len(daily)} days, not 7")
    return WeeklyStars(
        week_start=from_epoch_seconds(as_int(field(row, "week", what), f"{what}.week")),
        total=as_int(field(row, "total", what), f"{what}.total"),
        daily=(daily[0], daily[1], daily[2], daily[3], daily[4], daily[5], daily[6]),
    )


def _stargazer(value: object, repo: RepoName) -> Stargazer:
    what = f"a stargazer of {repo}"
    row = as_object(value, what)
    if "starred_at" not in row:
        raise UnexpectedAnswer(f"{what} has no starred_at (the star+json media type was ignored)")
    user = as_object(field(row, "user", what), f"{what}.user")
    return Stargazer(
        login=as_str(field(user, "login", what), f"{what}.user.login"),
        starred_at=as_timestamp(row["starred_at"], f"{what}.starred_at"),
    )
