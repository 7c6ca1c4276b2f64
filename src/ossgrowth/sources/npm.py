"""npm's download counts API: last week's downloads, daily ranges, totals.

- ``GET /downloads/point/last-week/{package}`` → ``{downloads, start, end, package}``. Up to
  :data:`MAX_BULK_PACKAGES` unscoped packages go in one request, comma-separated; the answer is
  then an object keyed by package, ``null`` for a package npm does not know. Scoped packages
  (``@scope/name``) are not allowed in bulk and go one by one.
- ``GET /downloads/range/{start}:{end}/{package}`` → ``{downloads: [{day, downloads}], …}``; one
  query covers at most 18 months (:data:`RANGE_DAYS` days here), and data starts on
  :data:`NPM_FIRST_DAY`. A total is the sum of every range from that day on.
- A missing package answers 404 ``{"error": "package … not found"}``: ``NotFound``.

No authentication, no documented hourly budget; 429 answers are waited out like GitHub's
secondary limits. Data for a day lands soon after UTC midnight.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from urllib.parse import quote

import httpx

from ossgrowth.clock import Clock
from ossgrowth.errors import InputError, NotFound
from ossgrowth.model import Ecosystem, PackageRef
from ossgrowth.sources.client import SourceClient
from ossgrowth.sources.downloads import (
    DailyDownloads,
    DownloadCount,
    DownloadRange,
    DownloadsBatch,
    DownloadTotal,
    distinct_packages,
)
from ossgrowth.sources.http import (
    DEFAULT_TIMEOUT_SECONDS,
    SourceHttp,
    SourceUnavailable,
    SourceUnreachable,
)
from ossgrowth.sources.parsing import as_date, as_int, as_list, as_object, field
from ossgrowth.sources.retry import DEFAULT_RETRY_POLICY, RetryPolicy
from ossgrowth.sources.snapshot import Failure

__all__ = ["MAX_BULK_PACKAGES", "NPM_FIRST_DAY", "NPM_SOURCE", "RANGE_DAYS", "NpmDownloads"]

NPM_FIRST_DAY = date(2015, 1, 10)
NPM_SOURCE = "npm-downloads"
"""Source label of npm download points, measured or reconstructed: their totals are exact."""
MAX_BULK_PACKAGES = 128
RANGE_DAYS = 540
"""Days per range query: 18 months of 30 days, inside npm's 18-month bound."""
_PATH_SAFE = "@/~!'()*"
_PERIOD = re.compile(r"last-(day|week|month|year)|\d{4}-\d{2}-\d{2}(:\d{4}-\d{2}-\d{2})?")


class NpmDownloads(SourceClient):
    """npm's download counts.

    Args:
        base_url: the downloads API root (``OSSGROWTH_NPM_DOWNLOADS_URL``).
        clock: stamps the counts and says what "yesterday" is.
        transport: an httpx transport (tests, the simulator); default the network.
        retry: retry bounds, sleeper and jitter seed.
    """

    def __init__(
        self,
        base_url: str,
        *,
        clock: Clock,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy = DEFAULT_RETRY_POLICY,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self._clock = clock
        self._http = SourceHttp(
            "npm downloads API",
            base_url,
            clock=clock,
            transport=transport,
            retry=retry,
            timeout_seconds=timeout_seconds,
        )

    async def last_week(self, packages: Iterable[PackageRef]) -> DownloadsBatch:
        """Downloads in the last 7 available days, bulk where npm allows it."""
        return await self.downloads(packages, "last-week")

    async def downloads(self, packages: Iterable[PackageRef], period: str) -> DownloadsBatch:
        """Downloads over ``period`` (``last-week``, ``YYYY-MM-DD:YYYY-MM-DD`` …), bulk if allowed.

        Raises:
            InputError: a package that is not an npm package, or a period npm does not take.
            SourceUnreachable: the API does not answer at all.
        """
        if not _PERIOD.fullmatch(period):
            raise InputError(
                f"npm period must be last-day, last-week, last-month, last-year, a date or "
                f"START:END, not {period[:40]!r}"
            )
        unique = distinct_packages(packages, Ecosystem.NPM)
        sent_before = self._http.requests_sent
        unscoped = [package for package in unique if not package.name.startswith("@")]
        groups: list[Sequence[PackageRef]] = [
            unscoped[start : start + MAX_BULK_PACKAGES]
            for start in range(0, len(unscoped), MAX_BULK_PACKAGES)
        ]
        groups.extend([package] for package in unique if package.name.startswith("@"))
        counts: dict[PackageRef, DownloadCount] = {}
        failures: dict[PackageRef, Failure] = {}
        for group in groups:
            try:
                found, missing = await self._point(period, group)
            except SourceUnreachable:
                raise
            except SourceUnavailable as error:
                failures.update(
                    (package, Failure(package, "UNAVAILABLE", str(error))) for package in group
                )
                continue
            counts.update((count.package, count) for count in found)
            failures.update(
                (package, Failure(package, "NOT_FOUND", message)) for package, message in missing
            )
        return DownloadsBatch(
            counts=tuple(counts[package] for package in unique if package in counts),
            failures=tuple(failures[package] for package in unique if package in failures),
            requests_sent=self._http.requests_sent - sent_before,
        )

    async def daily(self, package: PackageRef, start: date, end: date) -> DownloadRange:
        """Downloads per day from ``start`` to ``end`` (inclusive), in ranges of 18 months.

        Days before :data:`NPM_FIRST_DAY` are not asked (npm has none).

        Raises:
            InputError: ``end`` before ``start``, or not an npm package.
            NotFound: npm does not know the package.
        """
        distinct_packages([package], Ecosystem.NPM)
        if end < start:
            raise InputError(f"the range ends ({end}) before it starts ({start})")
        start = max(start, NPM_FIRST_DAY)
        days: list[DailyDownloads] = []
        window_start = start
        while window_start <= end:
            window_end = min(end, window_start + timedelta(days=RANGE_DAYS - 1))
            days.extend(await self._range(package, window_start, window_end))
            window_start = window_end + timedelta(days=1)
        return DownloadRange(package, tuple(days), observed_at=self._clock.now())

    async def total(
        self,
        package: PackageRef,
        *,
        until: date | None = None,
        known: tuple[date, int] | None = None,
    ) -> DownloadTotal:
        """Every download counted from :data:`NPM_FIRST_DAY` to ``until`` (default yesterday, UTC).

        From scratch this takes one request per 18 months (about 8 for a package as old as
        the data). With ``known`` — ``(last day counted, total up to it)`` from an earlier
        total — it asks only for the days after that one: one request a week on schedule.

        npm's numbers for a day land some time after UTC midnight. When ``until`` has not
        landed yet the answer stops before it: the total is then not ``complete`` (a collection
        stores none, and the next one counts from its last complete total again), so a day
        is never skipped by a running total.
        """
        last_day = until or (self._clock.now().date() - timedelta(days=1))
        counted, downloads = known if known is not None else (NPM_FIRST_DAY - timedelta(days=1), 0)
        reached = counted
        if counted < last_day:
            span = await self.daily(package, counted + timedelta(days=1), last_day)
            downloads += span.total
            reached = max((day.day for day in span.days), default=counted)
        return DownloadTotal(
            package=package,
            downloads=downloads,
            start=NPM_FIRST_DAY,
            end=reached,
            complete=reached >= last_day,
            observed_at=self._clock.now(),
        )

    async def _point(
        self, period: str, group: Sequence[PackageRef]
    ) -> tuple[list[DownloadCount], list[tuple[PackageRef, str]]]:
        names = ",".join(quote(package.name, safe=_PATH_SAFE) for package in group)
        reply = await self._http.send("GET", f"/downloads/point/{period}/{names}")
        if reply.status == 404 and len(group) == 1:
            return [], [(group[0], reply.message or "not found")]
        if reply.status != 200:
            raise self._http.error(reply, f"downloads of {', '.join(p.name for p in group)}")
        observed_at = self._clock.now()
        body = as_object(reply.body, "the npm answer")
        if len(group) == 1:
            return [_count(group[0], body, observed_at)], []
        found: list[DownloadCount] = []
        missing: list[tuple[PackageRef, str]] = []
        for package in group:
            entry = body.get(package.name)
            if entry is None:
                missing.append((package, f"npm has no package {package.name}"))
            else:
                found.append(_count(package, entry, observed_at))
        return found, missing

    async def _range(self, package: PackageRef, start: date, end: date) -> list[DailyDownloads]:
        name = quote(package.name, safe=_PATH_SAFE)
        reply = await self._http.send("GET", f"/downloads/range/{start}:{end}/{name}")
        if reply.status == 404:
            raise NotFound(f"npm has no package {package.name} ({reply.message or '404'})")
        if reply.status != 200:
            raise self._http.error(reply, f"daily downloads of {package.name}")
        body = as_object(reply.body, "the npm range answer")
        rows = as_list(field(body, "downloads", "the npm range answer"), "downloads")
        days = []
        for value in rows:
            row = as_object(value, "a day of downloads")
            days.append(
                DailyDownloads(
                    day=as_date(field(row, "day", "a day"), "day"),
                    downloads=as_int(field(row, "downloads", "a day"), "downloads"),
                )
            )
        return sorted(days, key=lambda item: item.day)


def _count(package: PackageRef, value: object, observed_at: datetime) -> DownloadCount:
    what = f"the npm count of {package.name}"
    body = as_object(value, what)
    return DownloadCount(
        package=package,
        downloads=as_int(field(body, "downloads", what), f"{what}.downloads"),
        start=as_date(field(body, "start", what), f"{what}.start"),
        end=as_date(field(body, "end", what), f"{what}.end"),
        observed_at=observed_at,
    )
