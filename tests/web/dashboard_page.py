"""Waiting on and reading the dashboard in a browser, through the hooks it keeps for tests:
``window.ossgrowthCharts`` (each chart's uPlot instance) and ``data-*`` attributes."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.web.seed import COLLECTION, WORLD

__all__ = [
    "REPO_CHARTS",
    "query_of",
    "VIEW_PATHS",
    "chart_summaries",
    "mark_charts_stale",
    "wait_for_charts",
    "wait_until_shown",
]

REPO_CHARTS = ("stars", "prs", "issues", "downloads")
"""The charts of a repository page, in the page's order."""
CHART_WAIT_MS = 60_000
VIEW_PATHS = {
    "overview": "/",
    "repository": "/?repo=octo/widgets",
    "compare": "/?view=compare&repos=octo/widgets,acme/rocket,tiny/tool",
    "manage": "/?view=manage",
    "collections": "/?view=collections",
    "collection": f"/?view=collections&collection={COLLECTION.slug}",
    "leaderboard": "/?view=leaderboard",
    "alerts": "/?view=alerts",
}
"""A page of each view over the seeded world (``seed.WORLD``)."""

_READY = """(ids) => ids.every((id) => {
  const chart = window.ossgrowthCharts?.[id];
  const holder = document.querySelector(`[data-chart="${id}"] [data-loading]`);
  const loaded = holder === null || holder.dataset.loading === "false";
  return chart !== undefined && chart.data[0].length > 0 && loaded && !chart.ossgrowthStale;
})"""
_MARK_STALE = "(ids) => ids.forEach((id) => { window.ossgrowthCharts[id].ossgrowthStale = true; })"
_SUMMARY = """(ids) => Object.fromEntries(ids.map((id) => {
  const chart = window.ossgrowthCharts[id];
  return [id, {
    xs: Array.from(chart.data[0]),
    lines: chart.data.slice(1).map((line) => Array.from(line, (value) =>
      value === undefined ? "undefined" : value)),
    labels: chart.series.slice(1).map((series) => series.label),
    dashed: chart.series.slice(1).map((series) => Boolean(series.dash && series.dash.length)),
    xMin: chart.scales.x.min,
    xMax: chart.scales.x.max,
    yDistr: chart.scales.y.distr,
  }];
}))"""


def wait_for_charts(page: Any, ids: tuple[str, ...] | list[str] = REPO_CHARTS) -> None:
    """Until each chart of ``ids`` has drawn data, none is loading and none is one tagged by
    :func:`mark_charts_stale` (so after a change, every chart has been drawn anew)."""
    page.wait_for_function(_READY, arg=list(ids), timeout=CHART_WAIT_MS)


def mark_charts_stale(page: Any, ids: tuple[str, ...] | list[str] = REPO_CHARTS) -> None:
    """Tag the charts drawn now, so :func:`wait_for_charts` waits for new ones."""
    page.evaluate(_MARK_STALE, list(ids))


def chart_summaries(
    page: Any, ids: tuple[str, ...] | list[str] = REPO_CHARTS
) -> dict[str, dict[str, Any]]:
    """Each chart's xs, lines (``"undefined"`` where a comparison has no point at an x), series
    labels, which lines are dashed, its x range and its y scale's distribution (3: log)."""
    found: dict[str, dict[str, Any]] = page.evaluate(_SUMMARY, list(ids))
    return found


def wait_until_shown(page: Any, view: str) -> None:
    """Until ``view`` (a key of :data:`VIEW_PATHS`) has drawn what it loads."""
    if view == "overview":
        expect(page.locator(".overview-table tbody tr")).to_have_count(len(WORLD))
    elif view == "repository":
        wait_for_charts(page)
    elif view == "compare":
        wait_for_charts(page, ["compare"])
    elif view == "collections":
        expect(page.locator(f".collections-table tr[data-slug={COLLECTION.slug}]")).to_be_visible()
    elif view == "collection":
        expect(page.locator(".overview-table tbody tr")).to_have_count(len(COLLECTION.members))
        wait_for_charts(page, ["collection"])
    elif view == "leaderboard":
        expect(page.locator(".leaderboard-table tbody tr").first).to_be_visible()
    elif view == "alerts":
        expect(page.locator(".rules-table tbody tr").first).to_be_visible()
        expect(page.locator(".deliveries-table tbody tr").first).to_be_visible()
    else:
        expect(page.locator(".tracked-list li")).to_have_count(len(WORLD))


def query_of(url: str) -> dict[str, str]:
    return {name: values[-1] for name, values in parse_qs(urlsplit(url).query).items()}
