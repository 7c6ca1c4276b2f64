"""PyPI download counts from the PyPI stats API (``/api/packages/{name}/…``).

- ``/recent`` → ``{data: {last_day, last_week, last_month}}``: last week's downloads.
- ``/overall?mirrors=false`` → daily rows ``{category, date, downloads}`` for the last 180 days;
  the ``without_mirrors`` rows are kept. A total from them covers those 180 days only and is
  marked incomplete (:class:`~ossgrowth.sources.downloads.DownloadTotal`): longer history
  needs the BigQuery dataset, which ossgrowth does not assume.
- A missing package answers a 404 HTML page: ``NotFound``.

One request per package and endpoint; no bulk queries exist. The service asks callers to be
gentle: 429 answers are waited out like GitHub's secondary limits.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

import httpx

from ossgrowth.clock import Clock
from ossgrowth.errors import NotFound
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
    Reply,
    SourceHttp,
    SourceUnavailable,
    SourceUnreachable,
)
from ossgrowth.sources.parsing import as_date, as_int, as_list, as_object, as_str, field
from ossgrowth.sources.retry import DEFAULT_RETRY_POLICY, RetryPolicy
from ossgrowth.sources.snapshot import Failure

__all__ = ["PYPISTATS_WINDOW_DAYS", "PyPIStats"]

PYPISTATS_WINDOW_DAYS = 180
_CATEGORY = "without_mirrors"


class PyPIStats(SourceClient):
    """PyPI download counts.

    Args:
        base_url: the PyPI stats root (``OSSGROWTH_PYPISTATS_URL``); paths start ``/api/``.
        clock: stamps the counts.
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
            "PyPI stats",
            base_url,
            clock=clock,
            transport=transport,
            retry=retry,
            timeout_seconds=timeout_seconds,
            headers={"Accept": "application/json"},
        )

    async def recent(self, package: PackageRef) -> DownloadCount:
        """Last week's downloads of one package (the service gives no dates for it).

        Raises:
            NotFound: no such package.
        """
        distinct_packages([package], Ecosystem.PYPI)
        body = await self._get(package, "recent", {})
        data = as_object(field(body, "data", "the recent answer"), "the recent answer data")
        return DownloadCount(
            package=package,
            downloads=as_int(field(data, "last_week", "the recent answer"), "last_week"),
            start=None,
            end=None,
            observed_at=self._clock.now(),
        )

    async def last_week(self, packages: Iterable[PackageRef]) -> DownloadsBatch:
        """Last week's downloads of many packages, one request each; failures do not stop others.

        Raises:
            InputError: a package that is not a PyPI package.
            SourceUnreachable: the API does not answer at all.
        """
        unique = distinct_packages(packages, Ecosystem.PYPI)
        sent_before = self._http.requests_sent
        counts: list[DownloadCount] = []
        failures: list[Failure] = []
        for package in unique:
            try:
                counts.append(await self.recent(package))
            except SourceUnreachable:
                raise
            except NotFound as error:
                failures.append(Failure(package, "NOT_FOUND", str(error)))
            except SourceUnavailable as error:
                failures.append(Failure(package, "UNAVAILABLE", str(error)))
        return DownloadsBatch(
            tuple(counts), tuple(failures), requests_sent=self._http.requests_sent - sent_before
        )

    async def daily(self, package: PackageRef) -> DownloadRange:
        """Daily downloads without mirrors over the service's 180-day window, in day order.

        Raises:
            NotFound: no such package.
        """
        distinct_packages([package], Ecosystem.PYPI)
        body = await self._get(package, "overall", {"mirrors": "false"})
        days: list[DailyDownloads] = []
        for value in as_list(field(body, "data", "the overall answer"), "the overall rows"):
            row = as_object(value, "an overall row")
            if as_str(field(row, "category", "an overall row"), "category") != _CATEGORY:
                continue
            days.append(
                DailyDownloads(
                    day=as_date(field(row, "date", "an overall row"), "date"),
                    downloads=as_int(field(row, "downloads", "an overall row"), "downloads"),
                )
            )
        days.sort(key=lambda item: item.day)
        return DownloadRange(package, tuple(days), observed_at=self._clock.now())

    async def window_total(self, package: PackageRef) -> DownloadTotal:
        """Downloads summed over the 180-day window only; marked incomplete."""
        span = await self.daily(package)
        return DownloadTotal(
            package=package,
            downloads=span.total,
            start=span.start,
            end=span.end,
            complete=False,
            observed_at=span.observed_at,
        )

    async def _get(
        self, package: PackageRef, endpoint: str, params: dict[str, str | int]
    ) -> dict[str, object]:
        name = quote(package.name, safe="")
        reply: Reply = await self._http.send(
            "GET", f"/api/packages/{name}/{endpoint}", params=params or None
        )
        if reply.status == 404:
            raise NotFound(f"PyPI stats has no package {package.name}")
        if reply.status != 200:
            raise self._http.error(reply, f"{endpoint} downloads of {package.name}")
        return dict(as_object(reply.body, f"the {endpoint} answer for {package.name}"))
