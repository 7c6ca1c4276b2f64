"""An app over a real SQLite store seeded with two repositories, and a client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ossgrowth.api import create_app
from ossgrowth.checkpoints import BackfillStatus, PageCheckpoint
from ossgrowth.clock import FixedClock
from ossgrowth.config import Settings, load_settings
from ossgrowth.model import Ecosystem, Family, PackageRef, Point, Provenance, RepoName
from ossgrowth.store import SqlStore

NOW = datetime(2026, 3, 1, tzinfo=UTC)
START = NOW - timedelta(days=30)
WIDGETS = RepoName("octo", "widgets")
GADGETS = RepoName("octo", "gadgets")
NPM_WIDGETS = PackageRef(Ecosystem.NPM, "widgets")
GAP_DAY = START + timedelta(days=10)
"""No star point was observed on this day."""
ADMIN_TOKEN = "admin-secret-token"
STAGING_PASSWORD = "staging-secret"


def seed_points() -> list[Point]:
    """Stars every 3 h for 30 days (one day missing), daily PRs and issues, weekly downloads."""
    points: list[Point] = []
    moment = START
    stars = 900
    while moment <= NOW:
        if not GAP_DAY <= moment < GAP_DAY + timedelta(days=1):
            provenance = (
                Provenance.RECONSTRUCTED
                if moment < START + timedelta(days=5)
                else (Provenance.MEASURED)
            )
            points.append(
                Point(WIDGETS, Family.STARS, moment, {"star_count": stars}, provenance, "test")
            )
        stars += 1
        moment += timedelta(hours=3)
    for day in range(31):
        moment = START + timedelta(days=day)
        points.append(
            Point(
                WIDGETS,
                Family.PRS,
                moment,
                {"open_prs": 10, "merged_prs": 100 + day, "ratio": (100 + day) / 10},
                Provenance.MEASURED,
                "test",
            )
        )
        points.append(
            Point(
                WIDGETS,
                Family.ISSUES,
                moment,
                {"open_issues": 0, "closed_issues": day, "ratio": None},
                Provenance.MEASURED,
                "test",
            )
        )
    for week in range(5):
        points.append(
            Point(
                WIDGETS,
                Family.DOWNLOADS,
                START + timedelta(days=7 * week),
                {"weekly_downloads": 700, "total_downloads": 5000 + 700 * week},
                Provenance.MEASURED,
                "npm-downloads",
                package=NPM_WIDGETS,
            )
        )
    points.append(
        Point(GADGETS, Family.STARS, START, {"star_count": 3}, Provenance.MEASURED, "test")
    )
    return points


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path / 'api.db'}", environment="dev")
    store.upgrade()
    store.add_subject(WIDGETS, [NPM_WIDGETS], added_at=START)
    store.add_subject(GADGETS, [], added_at=START)
    store.write_points(seed_points())
    seed_backfill(store)
    yield store
    store.close()


def seed_backfill(store: SqlStore) -> None:
    """octo/widgets: stars reconstructed, issues two pages into their backfill."""
    store.enqueue_backfill(WIDGETS, [Family.STARS, Family.ISSUES], enqueued_at=START)
    store.finish_backfill(
        WIDGETS,
        Family.STARS,
        [],
        status=BackfillStatus.DONE,
        finished_at=START + timedelta(minutes=2),
        method="github-stargazers-history",
        message="GitHub will not list the stargazers of octo/widgets to this token: since "
        "GitHub's 2026 rule only the repository's admins and collaborators can; used the "
        "weekly star history instead",
    )
    for number in (1, 2):
        stream = "issues/CLOSED/forward"
        page = PageCheckpoint(WIDGETS, Family.ISSUES, stream, number, f"c{number}", "{}")
        store.save_backfill_page(page)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


AppFactory = Callable[..., FastAPI]


@pytest.fixture
def make_app(store: SqlStore, clock: FixedClock) -> AppFactory:
    """Builds an app over the seeded store; keyword arguments are settings."""

    def factory(**settings: Any) -> FastAPI:
        loaded: Settings = load_settings(**settings)
        return create_app(loaded, store, clock)

    return factory


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def client_of(app: FastAPI) -> httpx.AsyncClient:
    """An HTTP client talking to ``app`` in-process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test")


@pytest.fixture
async def client(make_app: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the dev app with the admin token configured."""
    async with client_of(make_app(admin_token=ADMIN_TOKEN)) as client:
        yield client


def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def assert_problem(response: httpx.Response, status: int, parameter: str | None = None) -> None:
    """``response`` is a problem+json body of ``status`` (naming ``parameter`` when given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "parameter"}
    assert body["status"] == status and body["detail"]
    if parameter is not None:
        assert body["parameter"] == parameter, body
