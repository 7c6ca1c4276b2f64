"""npm's downloads API, served under ``/npm`` (clients use ``<origin>/npm`` as base URL).

``/downloads/point/{period}[/{package}]`` and ``/downloads/range/{period}[/{package}]`` as
npm documents them: periods ``last-day``, ``last-week`` (7 days), ``last-month`` (30),
``last-year`` (365), ``YYYY-MM-DD`` or ``YYYY-MM-DD:YYYY-MM-DD`` (inclusive), counted back from
the last day whose data has landed. Data starts 2015-01-10. A single package's range is cut
to its last 18 months (as npm does since 2017, silently). Bulk queries (comma-separated) take
at most 128 unscoped packages and 365 days; a package without data answers ``null`` there.
Scoped names work URL-encoded or not. Error bodies are ``{"error": "…"}``; the wording of
errors other than "package … not found", "exceeded max days of 365" and the scoped-bulk
refusal is the simulator's own.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from email.utils import format_datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ossgrowth.clock import Clock
from ossgrowth.model import Ecosystem
from ossgrowth.simulator.downloads import NPM_FIRST_DAY
from ossgrowth.simulator.entities import SimPackage
from ossgrowth.simulator.github_gate import json_bytes
from ossgrowth.simulator.ledger import Ledger
from ossgrowth.simulator.world import World

__all__ = ["NpmDownloads", "months_before"]

MAX_BULK_PACKAGES = 128
MAX_BULK_DAYS = 365
MAX_RANGE_MONTHS = 18
_RELATIVE_DAYS = {"last-day": 1, "last-week": 7, "last-month": 30, "last-year": 365}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Refusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier (clamped to the month's last day)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(f"no day {months} months before {day}")


class NpmDownloads:
    """The downloads API over a world and a clock."""

    def __init__(self, world: World, clock: Clock, ledger: Ledger) -> None:
        self.world = world
        self.clock = clock
        self.ledger = ledger

    def routes(self) -> list[Route]:
        return [
            Route("/downloads/{kind}/{period}", self._handle, methods=["GET"]),
            Route("/downloads/{kind}/{period}/{package:path}", self._handle, methods=["GET"]),
        ]

    async def _handle(self, request: Request) -> Response:
        kind = request.path_params["kind"]
        endpoint = f"GET /npm/downloads/{kind}"
        try:
            if kind not in {"point", "range"}:
                raise _Refusal(404, "not found")
            body = self._body(
                kind, request.path_params["period"], request.path_params.get("package")
            )
            status = 200
        except _Refusal as refusal:
            body, status = {"error": str(refusal)}, refusal.status
        self.ledger.record(endpoint, None, status)
        headers = {"date": format_datetime(self.clock.now(), usegmt=True)}
        return Response(
            json_bytes(body), status, headers, media_type="application/json; charset=utf-8"
        )

    def _body(self, kind: str, period: str, package: str | None) -> Any:
        start, end = self._period(period)
        if package is None:
            everything = list(self.world.packages())
            npm = [found for found in everything if found.ecosystem is Ecosystem.NPM]
            entry = _entry(kind, npm, start, end)
            entry.pop("package")
            return entry
        names = package.split(",")
        if len(names) == 1:
            found = self.world.package(Ecosystem.NPM, package)
            if found is None:
                raise _Refusal(404, f"package {package} not found")
            start = max(start, months_before(end, MAX_RANGE_MONTHS))
            return _entry(kind, [found], start, end, package)
        if any(name.startswith("@") for name in names):
            raise _Refusal(400, "scoped packages are not currently supported in bulk lookups")
        if len(names) > MAX_BULK_PACKAGES:
            raise _Refusal(400, f"bulk queries are limited to {MAX_BULK_PACKAGES} packages")
        if (end - start).days + 1 > MAX_BULK_DAYS:
            raise _Refusal(400, f"exceeded max days of {MAX_BULK_DAYS}")
        result: dict[str, Any] = {}
        for name in names:
            found = self.world.package(Ecosystem.NPM, name)
            result[name] = None if found is None else _entry(kind, [found], start, end, name)
        return result

    def _period(self, period: str) -> tuple[date, date]:
        last = self.world.last_stats_day(self.clock.now())
        if period in _RELATIVE_DAYS:
            return last - timedelta(days=_RELATIVE_DAYS[period] - 1), last
        parts = period.split(":")
        if len(parts) > 2 or not all(_DATE.fullmatch(part) for part in parts):
            raise _Refusal(
                400,
                f"invalid period {period!r}: use last-day, last-week, last-month, last-year, "
                "YYYY-MM-DD or YYYY-MM-DD:YYYY-MM-DD",
            )
        try:
            days = [date.fromisoformat(part) for part in parts]
        except ValueError:
            raise _Refusal(400, f"invalid date in period {period!r}") from None
        start, end = days[0], days[-1]
        if start > end:
            raise _Refusal(400, f"the period {period!r} ends before it starts")
        return max(start, NPM_FIRST_DAY), min(end, last)


def _entry(
    kind: str, packages: list[SimPackage], start: date, end: date, name: str = ""
) -> dict[str, Any]:
    days = []
    day = start
    while day <= end:
        days.append(
            {"downloads": sum(_count(package, day) for package in packages), "day": day.isoformat()}
        )
        day += timedelta(days=1)
    downloads: Any = days if kind == "range" else sum(row["downloads"] for row in days)
    return {
        "downloads": downloads,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "package": name,
    }


def _count(package: SimPackage, day: date) -> int:
    offset = (day - package.first_day).days
    return package.daily[offset] if 0 <= offset < len(package.daily) else 0
