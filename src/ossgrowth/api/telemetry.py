"""Prometheus metrics of one app: requests and latency by route, runs, points, rate budget.

Each app has its own :class:`~prometheus_client.CollectorRegistry` (no process-global state).
Run and point figures are read from the store's recorded runs when ``/metrics`` is scraped, so
every replica reports the same totals.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ossgrowth.api.cached_answers import ROUTE_SCOPE_KEY
from ossgrowth.collect.staleness import JobStaleness
from ossgrowth.errors import StoreError
from ossgrowth.model import Run
from ossgrowth.sources import Resource, TokenPool

__all__ = ["RequestMetrics", "Telemetry"]

log = logging.getLogger(__name__)

_LATENCY_BUCKETS_SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
_RUNS_SCRAPED = 1000


class _RunCollector(Collector):
    """Collection runs by job and status, and points written, from the newest recorded runs."""

    def __init__(self, list_runs: Callable[[int], list[Run]]) -> None:
        self._list_runs = list_runs

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The metric names, without reading the store (registration does no I/O)."""
        yield from self._families([], store_up=True)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            runs = self._list_runs(_RUNS_SCRAPED)
        except StoreError as error:
            log.warning("cannot read runs for /metrics: %s", error)
            yield from self._families([], store_up=False)
            return
        yield from self._families(runs, store_up=True)

    @staticmethod
    def _families(runs: list[Run], *, store_up: bool) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("ossgrowth_store_up", "1 when the store answered this scrape.")
        up.add_metric([], 1 if store_up else 0)
        yield up
        by_status = GaugeMetricFamily(
            "ossgrowth_runs",
            f"Recorded runs by job and status (newest {_RUNS_SCRAPED}).",
            labels=["job", "status"],
        )
        counted: dict[tuple[str, str], int] = {}
        points = 0
        for run in runs:
            key = (run.job, run.status.value)
            counted[key] = counted.get(key, 0) + 1
            points += int(run.counts.get("points", 0))
        for (job, status), count in sorted(counted.items()):
            by_status.add_metric([job, status], count)
        yield by_status
        written = GaugeMetricFamily(
            "ossgrowth_points_written",
            f"Points written by the newest {_RUNS_SCRAPED} recorded runs.",
        )
        written.add_metric([], points)
        yield written


class _StalenessCollector(Collector):
    """Each schedule: overdue or not, and seconds since its last collection ended well."""

    def __init__(self, jobs: Callable[[], tuple[datetime, list[JobStaleness]]]) -> None:
        self._jobs = jobs

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield from self._families(None, [])

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            now, jobs = self._jobs()
        except StoreError as error:
            log.warning("cannot read schedules for /metrics: %s", error)
            return
        yield from self._families(now, jobs)

    @staticmethod
    def _families(now: datetime | None, jobs: list[JobStaleness]) -> Iterator[GaugeMetricFamily]:
        overdue = GaugeMetricFamily(
            "ossgrowth_collection_overdue",
            "1 while a schedule's latest slot is missed (no runner, or it failed) for over "
            "30 minutes.",
            labels=["job"],
        )
        since = GaugeMetricFamily(
            "ossgrowth_collection_seconds_since_success",
            "Seconds since a collection of the schedule last ended (succeeded or partial).",
            labels=["job"],
        )
        for job in jobs:
            overdue.add_metric([job.job], 1 if job.overdue else 0)
            if now is not None and job.last_success is not None:
                since.add_metric([job.job], (now - job.last_success).total_seconds())
        yield overdue
        yield since


class Telemetry:
    """The metrics of one app and their registry."""

    def __init__(
        self,
        list_runs: Callable[[int], list[Run]],
        schedules: Callable[[], tuple[datetime, list[JobStaleness]]] | None = None,
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "ossgrowth_http_requests",
            "HTTP requests by method, route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "ossgrowth_http_request_duration_seconds",
            "Time to answer, by route.",
            ["route"],
            buckets=_LATENCY_BUCKETS_SECONDS,
            registry=self.registry,
        )
        self.rate_budget = Gauge(
            "ossgrowth_rate_budget_remaining",
            "GitHub requests left in the budget, as last seen by a collection this app ran.",
            ["resource"],
            registry=self.registry,
        )
        self.registry.register(_RunCollector(list_runs))
        if schedules is not None:
            self.registry.register(_StalenessCollector(schedules))

    def record_budget(self, tokens: TokenPool | None) -> None:
        """Show the budget a collection's token pool last saw, per resource."""
        if tokens is None:
            return
        for resource in Resource:
            remaining = tokens.remaining(resource)
            if remaining is not None:
                self.rate_budget.labels(resource.value).set(remaining)

    def exposition(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)


class RequestMetrics:
    """ASGI middleware counting requests and timing them by route template."""

    def __init__(self, app: ASGIApp, *, telemetry: Telemetry) -> None:
        self._app = app
        self._telemetry = telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, send_noting_status)
        finally:
            route = scope.get("route")
            template = scope.get(ROUTE_SCOPE_KEY) or getattr(route, "path", None) or "unmatched"
            self._telemetry.requests.labels(scope["method"], template, str(status)).inc()
            self._telemetry.latency.labels(template).observe(time.perf_counter() - started)
