"""PyPI download stats, served under ``/pypistats`` (base URL ``<origin>/pypistats``).

``/api/packages/{package}/recent`` (``last_day``, ``last_week``, ``last_month``; ``?period=``
narrows to one) and ``/overall?mirrors=true|false`` (daily rows, categories ``with_mirrors`` and
``without_mirrors``; without the parameter, both), plus ``python_major``, ``python_minor`` and
``system``. Only the last 180 days are kept; days land once a day after UTC midnight. Rows are
ordered by category, then date. A package the service does not know answers a 404 HTML page.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from email.utils import format_datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ossgrowth.clock import Clock
from ossgrowth.model import Ecosystem
from ossgrowth.simulator.entities import SimPackage
from ossgrowth.simulator.github_gate import json_bytes
from ossgrowth.simulator.ledger import Ledger
from ossgrowth.simulator.world import World

__all__ = ["KEPT_DAYS", "PypiStats"]

KEPT_DAYS = 180
_SHARES: dict[str, tuple[tuple[str, float], ...]] = {
    "python_major": (("3", 0.93), ("2", 0.02), ("null", 0.05)),
    "python_minor": (
        ("3.12", 0.3), ("3.11", 0.22), ("3.10", 0.15), ("3.13", 0.12), ("3.9", 0.1),
        ("3.8", 0.04), ("2.7", 0.02), ("null", 0.05),
    ),
    "system": (
        ("linux", 0.78), ("darwin", 0.09), ("windows", 0.08), ("other", 0.01), ("null", 0.04),
    ),
}  # fmt: skip
_FILTERS = {"python_major": "version", "python_minor": "version", "system": "os"}
NOT_FOUND_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>PyPI Download Stats</title></head>
<body>
<h1>404 Not Found</h1>
<p>The requested URL was not found on the server. If you entered the URL manually please check
your spelling and try again.</p>
</body>
</html>
"""


class PypiStats:
    """The PyPI stats API over a world and a clock."""

    def __init__(self, world: World, clock: Clock, ledger: Ledger) -> None:
        self.world = world
        self.clock = clock
        self.ledger = ledger

    def routes(self) -> list[Route]:
        return [Route("/api/packages/{package}/{kind}", self._handle, methods=["GET"])]

    async def _handle(self, request: Request) -> Response:
        kind = request.path_params["kind"]
        endpoint = f"GET /pypistats/api/packages/{{package}}/{kind}"
        name = request.path_params["package"]
        package = self.world.package(Ecosystem.PYPI, name)
        if package is None or kind not in {"recent", "overall", *_SHARES}:
            self.ledger.record(endpoint, None, 404)
            return HTMLResponse(NOT_FOUND_PAGE, status_code=404)
        last = self.world.last_stats_day(self.clock.now())
        query = dict(request.query_params)
        normalised = re.sub(r"[-_.]+", "-", name).lower()
        if kind == "recent":
            body: dict[str, Any] = {
                "data": _recent(package, last, query.get("period")),
                "package": normalised,
                "type": "recent_downloads",
            }
        else:
            body = {
                "data": _series(package, last, kind, query),
                "package": normalised,
                "type": f"{kind}_downloads",
            }
        self.ledger.record(endpoint, None, 200)
        headers = {"date": format_datetime(self.clock.now(), usegmt=True)}
        return Response(json_bytes(body), 200, headers, media_type="application/json")


def _count(values: tuple[int, ...], package: SimPackage, day: date) -> int | None:
    offset = (day - package.first_day).days
    return values[offset] if 0 <= offset < len(values) else None


def _recent(package: SimPackage, last: date, period: str | None) -> dict[str, int]:
    def total(days: int) -> int:
        counts = (
            _count(package.daily, package, last - timedelta(days=back)) for back in range(days)
        )
        return sum(count or 0 for count in counts)

    windows = {"last_day": 1, "last_month": 30, "last_week": 7}
    if period in {"day", "week", "month"}:
        key = f"last_{period}"
        return {key: total(windows[key])}
    return {key: total(days) for key, days in windows.items()}


def _series(
    package: SimPackage, last: date, kind: str, query: dict[str, str]
) -> list[dict[str, Any]]:
    days = [last - timedelta(days=back) for back in reversed(range(KEPT_DAYS))]
    present = [
        (day, count) for day in days if (count := _count(package.daily, package, day)) is not None
    ]
    rows: list[dict[str, Any]] = []
    if kind == "overall":
        mirrors = query.get("mirrors")
        if mirrors in (None, "true"):
            for day, count in present:
                extra = _count(package.mirror_daily, package, day) or 0
                rows.append(
                    {
                        "category": "with_mirrors",
                        "date": day.isoformat(),
                        "downloads": count + extra,
                    }
                )
        if mirrors in (None, "false"):
            rows.extend(
                {"category": "without_mirrors", "date": day.isoformat(), "downloads": count}
                for day, count in present
            )
        return rows
    wanted = query.get(_FILTERS[kind])
    for category, _ in sorted(_SHARES[kind]):
        if wanted is not None and category != wanted:
            continue
        for day, count in present:
            share = _split(count, _SHARES[kind])[category]
            if share:
                rows.append({"category": category, "date": day.isoformat(), "downloads": share})
    return rows


def _split(total: int, shares: tuple[tuple[str, float], ...]) -> dict[str, int]:
    """``total`` split by ``shares``; the largest category takes the rounding remainder."""
    parts = {category: int(total * share) for category, share in shares}
    parts[shares[0][0]] += total - sum(parts.values())
    return parts
