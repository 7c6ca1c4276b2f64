"""PyPI totals cover 180 days: every API answer that shows them says so (issue 5)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from ossgrowth.api import create_app
from ossgrowth.clock import FixedClock
from ossgrowth.config import load_settings
from ossgrowth.metrics.windowed_totals import PYPI_WINDOW_SOURCE
from ossgrowth.model import Ecosystem, Family, PackageRef, Point, Provenance, RepoName
from ossgrowth.store import SqlStore
from tests.api.conftest import client_of

pytestmark = pytest.mark.anyio
REPO = RepoName("octo", "snakes")
PYPI = PackageRef(Ecosystem.PYPI, "snakes")
NPM = PackageRef(Ecosystem.NPM, "snakes")
PYTHON_ONLY = RepoName("octo", "pythons")
FIRST_DAY = date(2026, 6, 1)
NOW = datetime(2026, 11, 29, tzinfo=UTC)


def downloads(package: PackageRef, source: str, repo: RepoName = REPO) -> list[Point]:
    points = []
    for offset in range(180):
        day = FIRST_DAY + timedelta(days=offset)
        observed = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
        values = {"weekly_downloads": 70, "total_downloads": 10 * (offset + 1)}
        points.append(
            Point(
                repo, Family.DOWNLOADS, observed, values, Provenance.RECONSTRUCTED, source, package
            )
        )
    return points


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path / 'windows.db'}", environment="dev")
    store.upgrade()
    store.add_subject(REPO, [PYPI, NPM], added_at=NOW)
    store.write_points(downloads(PYPI, PYPI_WINDOW_SOURCE) + downloads(NPM, "npm-downloads"))
    store.add_subject(PYTHON_ONLY, [PYPI], added_at=NOW)
    store.write_points(downloads(PYPI, PYPI_WINDOW_SOURCE, PYTHON_ONLY))
    yield store
    store.close()


async def test_series_compare_growth_and_compat_say_a_pypi_total_is_not_all_time(
    store: SqlStore,
) -> None:
    app = create_app(load_settings(), store, FixedClock(NOW))
    base = f"/api/v1/repos/{REPO}"
    async with client_of(app) as client:
        pypi = (await client.get(f"{base}/series/downloads", params={"package": str(PYPI)})).json()
        npm = (await client.get(f"{base}/series/downloads", params={"package": str(NPM)})).json()
        weekly = (
            await client.get(
                f"{base}/series/downloads",
                params={"package": str(PYPI), "interval": "week", "max_points": 5},
            )
        ).json()
        growth = (await client.get(f"{base}/growth")).json()
        compat = (await client.get("/api/package-downloads", params={"repo": str(REPO)})).json()
        stars = (await client.get(f"{base}/series/stars")).json()
        compared = (
            await client.get(
                "/api/v1/compare", params={"repo": str(PYTHON_ONLY), "family": "downloads"}
            )
        ).json()

    assert pypi["total_counted_from"] == "2026-06-01"
    assert len(pypi["notes"]) == 1 and "from 2026-06-01 on, not all-time" in pypi["notes"][0]
    assert weekly["total_counted_from"] == "2026-06-01"  # intervals and downsampling keep it
    assert npm["total_counted_from"] is None and npm["notes"] == []
    (shown,) = compared["series"]
    assert shown["total_counted_from"] == "2026-06-01" and shown["notes"]
    assert stars["total_counted_from"] is None and stars["notes"] == []
    by_package = {entry["package"]: entry for entry in growth["downloads"]}
    assert by_package[str(PYPI)]["total_counted_from"] == "2026-06-01"
    assert by_package[str(PYPI)]["notes"] and by_package[str(NPM)]["notes"] == []
    windows = {record["package"]: record.get("total_downloads_window") for record in compat}
    assert windows[str(PYPI)] == "PyPI stats keeps only the last 180 days"
    assert windows[str(NPM)] is None


async def test_a_csv_series_says_it_in_a_header(store: SqlStore) -> None:
    app = create_app(load_settings(api_cache_seconds=60), store, FixedClock(NOW))
    base = f"/api/v1/repos/{REPO}/series/downloads"
    async with client_of(app) as client:
        answers = [
            await client.get(base, params={"package": str(PYPI), "format": "csv"})
            for _ in range(2)  # rendered, then from the response cache
        ]
        npm = await client.get(base, params={"package": str(NPM), "format": "csv"})
    for answer in answers:
        assert answer.headers["ossgrowth-note"].startswith(
            "total_downloads counts downloads from 2026-06-01 on, not all-time"
        )
        assert answer.text.startswith("time,epoch_seconds,weekly_downloads,total_downloads")
    assert "ossgrowth-note" not in npm.headers
