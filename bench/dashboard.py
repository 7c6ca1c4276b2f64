"""Dashboard: cold loads of a repository page in headless Chromium, against a blank page.

Seeds a SQLite store with R repositories x Y years of 3-hourly star points and daily points of
the other families (``tests/web/seed.py``), starts ``ossgrowth serve`` on it in a subprocess with
the response cache off (``OSSGROWTH_API_CACHE_SECONDS=0``: every series is read and downsampled
afresh), then loads a repository page N times, each in a new browser context (empty cache),
alternating with a blank page served by the same server (``/config.json``), the baseline. The
page is the one people open (``/?repo=…``: the default range, a year); the same page over the
whole history (``&range=all``) is measured too and reported on its own line.

For each load it reads two ``performance.mark`` entries the page sets: ``ossgrowth:first-chart``
(uPlot has drawn the first chart's data) and ``ossgrowth:all-charts`` (all four), both measured
from navigation start, and the bytes transferred (navigation plus every resource, as sent on the
wire: gzip where the server compressed).

Then the overview of a store of 1,000 repositories with a month of history each: navigation →
the table drawn (``ossgrowth:overview``), reported on its own line.

    python bench/dashboard.py [--repos 10] [--years 5] [--loads 5] [--overview-repos 1000]

Needs the built dashboard (``make venv``) and Debian's chromium at /usr/bin/chromium.
Last line: ``first_chart_ms=<median> all_charts_ms=<median> transfer_kb=<kb>``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.web.seed import SeededRepo  # noqa: E402
from tests.web.served import CHROMIUM, CHROMIUM_ARGS, running_server, seeded_store  # noqa: E402

from ossgrowth.model import Ecosystem, PackageRef, RepoName  # noqa: E402
from ossgrowth.web import STATIC_DIR  # noqa: E402

_MARKS = """() => {
  const at = (name) => performance.getEntriesByName(name, "mark")[0]?.startTime ?? null;
  const navigation = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const bytes = (navigation?.transferSize ?? 0)
    + resources.reduce((sum, entry) => sum + entry.transferSize, 0);
  return {first: at("ossgrowth:first-chart"), all: at("ossgrowth:all-charts"), bytes,
          loaded: navigation ? navigation.loadEventEnd : null};
}"""


@dataclass(frozen=True)
class Load:
    """What one cold load measured."""

    first_chart_ms: float
    all_charts_ms: float
    transfer_bytes: int


def world(repos: int, years: int) -> tuple[SeededRepo, ...]:
    return tuple(
        SeededRepo(
            RepoName("bench", f"repo{index:02d}"),
            (PackageRef(Ecosystem.NPM, f"bench-repo{index:02d}"),),
            days=years * 365,
            stars_per_day=5.0 + index,
        )
        for index in range(repos)
    )


@contextmanager
def cold_page(browser: Browser, url: str, mark: str) -> Iterator[Page]:
    """``url`` in a new browser context (empty cache), once the page has set ``mark``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(
            "(mark) => performance.getEntriesByName(mark, 'mark').length > 0",
            arg=mark,
            timeout=60_000,
        )
        yield page
    finally:
        context.close()


def load_page(browser: Browser, url: str) -> Load:
    """Navigation → the first chart and all charts drawn, and the bytes it took."""
    with cold_page(browser, url, "ossgrowth:all-charts") as page:
        page.wait_for_load_state("networkidle")
        found = page.evaluate(_MARKS)
        return Load(float(found["first"]), float(found["all"]), int(found["bytes"]))


def load_overview(browser: Browser, url: str) -> float:
    """Navigation → the overview's table drawn with its first page of rows."""
    with cold_page(browser, url, "ossgrowth:overview") as page:
        return float(
            page.evaluate("() => performance.getEntriesByName('ossgrowth:overview')[0].startTime")
        )


def many(repos: int) -> tuple[SeededRepo, ...]:
    """``repos`` repositories with a month of history each: the overview's load."""
    return tuple(
        SeededRepo(RepoName("many", f"repo{index:04d}"), (), days=31, stars_per_day=3.0)
        for index in range(repos)
    )


def load_blank(browser: Browser, url: str) -> float:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_load_state("load")
        loaded = page.evaluate(_MARKS)["loaded"]
        return float(loaded)
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=10)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--overview-repos", type=int, default=1000)
    arguments = parser.parse_args()
    if not (STATIC_DIR / "index.html").exists():
        sys.exit("the dashboard is not built: run make venv")
    quiet = {"OSSGROWTH_API_CACHE_SECONDS": "0", "OSSGROWTH_LOG_LEVEL": "ERROR"}
    with tempfile.TemporaryDirectory() as directory:
        started = time.monotonic()
        store_url = seeded_store(
            Path(directory) / "dashboard.db", world(arguments.repos, arguments.years)
        )
        print(
            f"seeded {arguments.repos} repositories x {arguments.years} years "
            f"in {time.monotonic() - started:.1f} s"
        )
        with running_server(store_url, quiet) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page_url = f"{base}/?repo=bench/repo00"
                whole_url = f"{page_url}&range=all"
                load_page(browser, page_url)  # warm the server process and the browser once
                loads: list[Load] = []
                wholes: list[Load] = []
                blanks: list[float] = []
                for _ in range(arguments.loads):
                    blanks.append(load_blank(browser, f"{base}/config.json"))
                    loads.append(load_page(browser, page_url))
                    wholes.append(load_page(browser, whole_url))
            finally:
                browser.close()
        started = time.monotonic()
        overview_url = seeded_store(Path(directory) / "many.db", many(arguments.overview_repos))
        print(
            f"seeded {arguments.overview_repos} repositories x 31 days "
            f"in {time.monotonic() - started:.1f} s"
        )
        with running_server(overview_url, quiet) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                load_overview(browser, f"{base}/")
                overviews = [load_overview(browser, f"{base}/") for _ in range(arguments.loads)]
            finally:
                browser.close()
    first = statistics.median(load.first_chart_ms for load in loads)
    every = statistics.median(load.all_charts_ms for load in loads)
    transfer_kb = statistics.median(load.transfer_bytes for load in loads) / 1000
    blank = statistics.median(blanks)
    print("loads (first chart / all charts / kB):")
    for load in loads:
        print(
            f"  {load.first_chart_ms:7.0f} ms {load.all_charts_ms:7.0f} ms "
            f"{load.transfer_bytes / 1000:7.1f} kB"
        )
    print(
        "whole history (range=all): "
        f"first chart {statistics.median(load.first_chart_ms for load in wholes):.0f} ms, "
        f"all charts {statistics.median(load.all_charts_ms for load in wholes):.0f} ms"
    )
    print(
        f"overview of {arguments.overview_repos} repositories: table drawn in "
        f"{statistics.median(overviews):.0f} ms (median)"
    )
    print(
        f"baseline: blank page {blank:.0f} ms; first chart {first / blank:.1f}x and "
        f"all charts {every / blank:.1f}x of it"
    )
    print(f"first_chart_ms={first:.0f} all_charts_ms={every:.0f} transfer_kb={transfer_kb:.0f}")


if __name__ == "__main__":
    main()
