"""Fixtures of the dashboard's tests: real ``ossgrowth serve`` processes and Debian's chromium.

Servers run as subprocesses (``served.py``) over SQLite stores seeded by ``seed.py`` and live
for the whole session (one per environment), so the tests share a few of them. Each test gets
its own browser context (empty cache and storage) through ``open_page``, which records what
the page did: at teardown no console error may have been logged and no request may have left
the server the page came from.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from ossgrowth.model import RepoName
from ossgrowth.web import STATIC_DIR
from tests.web.seed import WORLD, SeededRepo
from tests.web.served import (
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    running_command,
    running_server,
    seeded_store,
)

STAGING_USER = "ossgrowth"
STAGING_PASSWORD = "web-test-staging-password"
START_SECONDS = 60.0
PAGE_TIMEOUT_MS = 30_000
"""Playwright's default wait: generous, the machine running the suite may have two cores."""
SMALL_WORLD: tuple[SeededRepo, ...] = tuple(
    seeded for seeded in WORLD if str(seeded.repo) in {"tiny/tool", "octo/gadgets"}
)
"""Enough for the staging and prod pages to show a table."""
SIMULATOR_REPOS = 3
"""The size of the simulated world ``simulated_server`` serves (seed 0)."""


def _skip_or_fail(reason: str) -> None:
    """Skip with the reason; under CI, fail instead: CI installs chromium and builds the page."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the dashboard tests, but {reason}")
    pytest.skip(reason)


def require_built_page() -> None:
    """The serving tests need the built page (but no browser)."""
    if not (STATIC_DIR / "index.html").exists():
        _skip_or_fail(f"the dashboard is not built into {STATIC_DIR} (cd web && node build.mjs)")


def require_browser() -> None:
    """The browser tests need Debian's chromium as well."""
    require_built_page()
    if not Path(CHROMIUM).exists():
        _skip_or_fail(
            f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        )


@dataclass(frozen=True)
class Server:
    """A running ``ossgrowth serve`` subprocess."""

    base_url: str
    environment: str
    seeded_at: datetime
    """The ``now`` its store was seeded up to (``seed.py`` ends at the 3-hour slot before)."""

    def url(self, path: str) -> str:
        """An absolute URL of ``path`` on this server."""
        return f"{self.base_url}{path}"


@contextmanager
def dashboard_server(
    directory: Path,
    environment: str,
    world: tuple[SeededRepo, ...],
    settings: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """``ossgrowth serve`` over a store in ``directory`` seeded with ``world`` up to now."""
    now = datetime.now(UTC)
    store_url = seeded_store(directory / "dashboard.db", world, environment=environment, now=now)
    every = {"OSSGROWTH_ENVIRONMENT": environment, **(settings or {})}
    with running_server(store_url, every, startup_seconds=START_SECONDS) as base_url:
        yield Server(base_url, environment, now)


@pytest.fixture(scope="session")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A dev server over the whole seeded world; writes are open from this machine."""
    require_built_page()
    with dashboard_server(tmp_path_factory.mktemp("dev"), "dev", WORLD) as server:
        yield server


CROWD = 120
"""Repositories of ``crowded_server``: more than two pages of the overview."""


@pytest.fixture(scope="session")
def crowded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A dev server tracking :data:`CROWD` repositories with one star point each."""
    require_built_page()
    crowd = tuple(
        SeededRepo(RepoName("crowd", f"repo{index:03d}"), (), 0, 0.0, first_stars=index + 1)
        for index in range(CROWD)
    )
    with dashboard_server(tmp_path_factory.mktemp("crowd"), "dev", crowd) as server:
        yield server


@pytest.fixture(scope="session")
def prod_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A prod server over a small world (no admin token: writes are off)."""
    require_built_page()
    with dashboard_server(tmp_path_factory.mktemp("prod"), "prod", SMALL_WORLD) as server:
        yield server


ADMIN_TOKEN = "web-test-admin-token"


@pytest.fixture(scope="session")
def prod_token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A prod server over a small world that takes changes with :data:`ADMIN_TOKEN`."""
    require_built_page()
    token = {"OSSGROWTH_ADMIN_TOKEN": ADMIN_TOKEN}
    directory = tmp_path_factory.mktemp("prod-token")
    with dashboard_server(directory, "prod", SMALL_WORLD, token) as server:
        yield server


@pytest.fixture(scope="session")
def staging_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A staging server over a small world: every route but /health needs the password."""
    require_built_page()
    password = {"OSSGROWTH_STAGING_PASSWORD": STAGING_PASSWORD}
    directory = tmp_path_factory.mktemp("staging")
    with dashboard_server(directory, "staging", SMALL_WORLD, password) as server:
        yield server


@contextmanager
def running_simulator() -> Iterator[str]:
    """``ossgrowth simulator`` (seed 0, :data:`SIMULATOR_REPOS` repositories) until the block
    ends; yields its base URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    arguments = ["simulator", "--port", str(port), "--repos", str(SIMULATOR_REPOS), "--seed", "0"]
    with running_command(
        arguments, ready_url=f"{base_url}/rate_limit", startup_seconds=START_SECONDS
    ):
        yield base_url


@dataclass(frozen=True)
class SimulatedSetup:
    """A simulated GitHub/npm/PyPI and a dev server (empty store) that collects from it."""

    server: Server
    simulator_url: str


@pytest.fixture(scope="session")
def simulated_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatedSetup]:
    """``ossgrowth simulator`` plus a dev server pointed at it with its backfill worker on."""
    require_built_page()
    directory = tmp_path_factory.mktemp("simulated")
    with running_simulator() as simulator:
        upstream = {
            "OSSGROWTH_GITHUB_API_URL": simulator,
            "OSSGROWTH_GITHUB_GRAPHQL_URL": f"{simulator}/graphql",
            "OSSGROWTH_NPM_DOWNLOADS_URL": f"{simulator}/npm",
            "OSSGROWTH_PYPISTATS_URL": f"{simulator}/pypistats",
            "OSSGROWTH_GITHUB_TOKENS": "sim-token-1",
            "OSSGROWTH_BACKFILL_POLL_SECONDS": "1",
        }
        with dashboard_server(directory, "dev", (), upstream) as server:
            yield SimulatedSetup(server, simulator)


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright (never a downloaded browser)."""
    require_browser()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


_LOCAL_SCHEMES = ("data:", "blob:")


@dataclass
class PageRecord:
    """What a page did: its console errors, uncaught exceptions and every request URL."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    allowed_console_errors: list[re.Pattern[str]] = field(default_factory=list)

    def allow_console_error(self, pattern: str) -> None:
        """A console error the test provokes on purpose (a 422 the page shows inline)."""
        self.allowed_console_errors.append(re.compile(pattern))

    def unexpected_console_errors(self) -> list[str]:
        return [
            text
            for text in self.console_errors
            if not any(pattern.search(text) for pattern in self.allowed_console_errors)
        ]

    def foreign_requests(self) -> list[str]:
        return [
            url
            for url in self.requests
            if not (url.startswith(f"{self.origin}/") or url.startswith(_LOCAL_SCHEMES))
        ]

    def requests_to(self, path_prefix: str) -> list[str]:
        """Requested URLs whose path starts with ``path_prefix``."""
        return [url for url in self.requests if url.startswith(f"{self.origin}{path_prefix}")]


@dataclass(frozen=True)
class OpenedPage:
    """A page of a fresh browser context, and what it did."""

    page: Any
    record: PageRecord
    server: Server

    def goto(self, path: str) -> Any:
        """Load ``path`` of the page's server; returns Playwright's response."""
        return self.page.goto(self.server.url(path))


OpenPage = Callable[..., OpenedPage]


@pytest.fixture
def open_page(browser: Any) -> Iterator[OpenPage]:
    """Open pages in new contexts (``open_page(server, color_scheme="dark", ...)``: the keyword
    arguments go to ``browser.new_context``). At teardown: no console error, no page error and
    no request to anything but the page's server (or ``data:``/``blob:``)."""
    opened: list[tuple[Any, PageRecord]] = []

    def open_one(server: Server, **context_options: Any) -> OpenedPage:
        options = {"viewport": {"width": 1280, "height": 900}, **context_options}
        context = browser.new_context(**options)
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        record = PageRecord(server.base_url)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                record.console_errors.append(f"{message.text} ({message.location.get('url')})")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: record.page_errors.append(str(error)))
        context.on("request", lambda request: record.requests.append(request.url))
        opened.append((context, record))
        return OpenedPage(page, record, server)

    yield open_one
    problems: list[str] = []
    for context, record in opened:
        context.close()
        problems += [f"console error: {text}" for text in record.unexpected_console_errors()]
        problems += [f"page error: {text}" for text in record.page_errors]
        problems += [f"request left {record.origin}: {url}" for url in record.foreign_requests()]
    assert not problems, "\n".join(problems)
