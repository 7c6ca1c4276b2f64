"""Schemathesis against a real server (``ossgrowth serve``) on a seeded store: 0 failures.

Every check runs (``--checks all``): no 500s, every status and content type declared, bodies
match their schemas, invalid input rejected, valid input accepted, wrong methods answered 405.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ossgrowth.model import Ecosystem, Family, PackageRef, Point, Provenance, RepoName
from ossgrowth.store import SqlStore
from tests.api.conftest import GADGETS, NOW, NPM_WIDGETS, START, WIDGETS, seed_points

pytestmark = pytest.mark.slow
MINIMUM_CASES = 1000
EXAMPLES_PER_OPERATION = 80
VITE = RepoName("vitejs", "vite")
"""The repository the OpenAPI examples name, so generated requests reach real data."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seeded_store_url(directory: Path) -> str:
    url = f"sqlite:///{directory / 'schemathesis.db'}"
    store = SqlStore(url, environment="dev")
    store.upgrade()
    store.add_subject(WIDGETS, [NPM_WIDGETS], added_at=START)
    store.add_subject(GADGETS, [], added_at=START)
    store.add_subject(VITE, [PackageRef(Ecosystem.NPM, "vite")], added_at=START)
    store.write_points(seed_points())
    store.write_points(
        Point(
            VITE,
            Family.STARS,
            START + timedelta(hours=3 * step),
            {"star_count": 10 * step},
            Provenance.MEASURED,
            "test",
        )
        for step in range(int((NOW - START) / timedelta(hours=3)))
    )
    store.close()
    return url


ADMIN_TOKEN = "schemathesis-admin-token"
UNREACHABLE = "http://127.0.0.1:9"
"""Upstreams of admin-triggered collections: nothing answers, so runs fail fast, offline."""


@pytest.fixture(params=["public", "admin"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """``ossgrowth serve`` in a subprocess, with or without admin routes; yields its base URL."""
    port = free_port()
    environment = {**os.environ, "OSSGROWTH_STORE_URL": seeded_store_url(tmp_path)}
    if request.param == "admin":
        environment |= {
            "OSSGROWTH_ADMIN_TOKEN": ADMIN_TOKEN,
            "OSSGROWTH_GITHUB_API_URL": UNREACHABLE,
            "OSSGROWTH_NPM_DOWNLOADS_URL": UNREACHABLE,
            "OSSGROWTH_PYPISTATS_URL": UNREACHABLE,
        }
    with (tmp_path / "server.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ossgrowth", "serve", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_schemathesis_finds_no_failure_in_a_thousand_cases(server: str) -> None:
    """Public routes, then every route with the admin token (which writes and deletes)."""
    runner = Path(sys.executable).parent / "schemathesis"
    done = subprocess.run(
        [
            str(runner),
            "run",
            f"{server}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--seed",
            "20261125",
            "--wait-for-schema",
            "60",
            "--generation-database",
            "none",
            "--no-color",
            "--header",
            f"Authorization: Bearer {ADMIN_TOKEN}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    generated = re.search(r"(\d+) generated", output)
    assert generated is not None, output[-2000:]
    assert int(generated.group(1)) >= MINIMUM_CASES, output[-2000:]
