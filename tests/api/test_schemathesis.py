"""Schemathesis against a real server (``ossgrowth serve``) on a seeded store: 0 failures.

Every check runs (schemathesis' default: all of them): no 500s, every status and content type
declared, bodies match their schemas, invalid input rejected, valid input accepted, wrong
methods answered 405, auth enforced where it is required. One exception, in :data:`CONFIG`:
``shields.json`` of a deleted repository answers 200 by design (shields.io's error document).
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


def seeded_store_url(directory: Path, environment: str = "dev") -> str:
    url = f"sqlite:///{directory / 'schemathesis.db'}"
    store = SqlStore(url, environment=environment)
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


@pytest.fixture(params=["public", "admin", "local"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``ossgrowth serve`` in a subprocess; yields its base URL and which it is. Three servers:

    - public: prod without an admin token, so no write or admin route exists;
    - admin: dev with the admin token, which the requests carry;
    - local: dev on loopback without a token, so the requests (from this machine) may write.
    """
    port = free_port()
    environment = {**os.environ}
    if request.param == "public":
        environment |= {
            "OSSGROWTH_ENVIRONMENT": "prod",
            "OSSGROWTH_STORE_URL": seeded_store_url(tmp_path, "prod"),
        }
    else:
        environment |= {
            "OSSGROWTH_STORE_URL": seeded_store_url(tmp_path),
            "OSSGROWTH_GITHUB_API_URL": UNREACHABLE,
            "OSSGROWTH_NPM_DOWNLOADS_URL": UNREACHABLE,
            "OSSGROWTH_PYPISTATS_URL": UNREACHABLE,
        }
    if request.param == "admin":
        environment["OSSGROWTH_ADMIN_TOKEN"] = ADMIN_TOKEN
    with (tmp_path / "server.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ossgrowth", "serve", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield f"http://127.0.0.1:{port}", request.param
        finally:
            process.terminate()
            process.wait(timeout=30)


CONFIG = """\
# Every check runs (schemathesis' default; `--checks all` would also overrule the exception below).
# shields.json answers an untracked repository with shields.io's error document and 200 (any
# other status shows as "inaccessible"), so a deleted repository's shields.json is no leak.
[[operations]]
include-path = "/api/v1/repos/{owner}/{name}/shields.json"
checks.use_after_free.enabled = false
# Whether members are taken depends on the store, not the body's shape: each must be tracked.
# A well-formed name of a repository that is not tracked is refused with 422, naming it.
[[operations]]
include-path = "/api/v1/collections/{slug}/members"
include-method = "PUT"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "401", "403", "404", "409", "422", "429",
]
# Which fields a leaderboard ranks depends on the family asked for (stars has star_count, reach
# has forks and watchers, ratios are never ranked): a field of another family is refused with
# 422 naming `field`, which no schema of one parameter can say.
[[operations]]
include-path = "/api/v1/leaderboard"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "401", "403", "404", "409", "422", "429",
]
[[operations]]
include-path = "/api/v1/collections/{slug}/leaderboard"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "401", "403", "404", "409", "422", "429",
]
# Whether an alert rule is taken depends on more than its shape: the target's host must resolve
# to a public address (DNS, and OSSGROWTH_ALERTS_ALLOW_PRIVATE_TARGETS), the scope must name a
# tracked repository or an existing collection, the field must be one of the family's, each
# kind takes its own params. So a rule of the right shape may be refused: 422, naming the part.
[[operations]]
include-path = "/api/v1/alerts/rules"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "401", "403", "404", "409", "422", "429",
]
"""


def test_schemathesis_finds_no_failure_in_a_thousand_cases(
    server: tuple[str, str], tmp_path: Path
) -> None:
    """Public routes, every route with the admin token, every route from this machine."""
    base_url, kind = server
    runner = Path(sys.executable).parent / "schemathesis"
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    token = ["--header", f"Authorization: Bearer {ADMIN_TOKEN}"] if kind == "admin" else []
    done = subprocess.run(
        [
            str(runner),
            "--config-file",
            str(config),
            "run",
            f"{base_url}/openapi.json",
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--seed",
            "20261125",
            "--wait-for-schema",
            "60",
            "--generation-database",
            "none",
            "--no-color",
            *token,
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
