"""Cold start of the Lambda handlers: the import of ``ossgrowth.aws.handlers`` and the first
API Gateway event through ``handlers.api``, each in a fresh Python process, against baselines
measured in the same run.

Imports are timed by ``python -X importtime``: the cumulative time of every top-level import
the statement makes (a marker line separates them from the interpreter's own start-up). The
figures, medians of ``--runs`` fresh processes each:

- ``handler``: ``import ossgrowth.aws.handlers`` — what every function's cold start pays
  before its first event;
- ``core``: ``import ossgrowth.config, ossgrowth.store`` — settings and a store, what any
  ossgrowth process needs (the baseline of ``ratio_vs_core``);
- ``json``: ``import json`` — the interpreter's own scale on this machine;
- ``collector``: the handler module plus what a scheduled function imports at its first event
  (the collection and backfill code, boto3);
- ``eager``: the handler module plus everything its functions import at their first event
  (the API app and Mangum too): what every function's import would cost if the module
  imported them at its top;
- ``boto3``: what the first read of a secret adds (the API reads one only when
  ``OSSGROWTH_API_SECRET`` is set).

``api_first_request``: in a fresh process with the handler module imported, the wall time of
the first ``GET /api/v1/repos`` event through ``handlers.api`` (settings, the store opened, the
app's imports and build, the answer) over a SQLite store of 20 repositories; then the second
(warm) request.

    python bench/lambda_cold_start.py [--runs 5]

Last line: ``handler_import_ms=<N> api_first_request_ms=<N> ratio_vs_core=<R>``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from datetime import UTC, datetime
from pathlib import Path

from ossgrowth.config import load_settings
from ossgrowth.model import RepoName
from ossgrowth.store import open_store

MARK = "-- ossgrowth bench: the statement's imports follow --"
IMPORTS = {
    "json": "import json",
    "core": "import ossgrowth.config, ossgrowth.store",
    "handler": "import ossgrowth.aws.handlers",
    "collector": (
        "import ossgrowth.aws.handlers, ossgrowth.aws.collectors, ossgrowth.aws.backfills, boto3"
    ),
    "eager": (
        "import ossgrowth.aws.handlers, ossgrowth.aws.collectors, ossgrowth.aws.backfills, "
        "ossgrowth.api.app, mangum, boto3"
    ),
    "boto3": "import boto3",
}
FIRST_REQUEST = textwrap.dedent(
    """
    import json, sys, time, uuid
    started = time.perf_counter()
    from ossgrowth.aws import handlers
    imported = time.perf_counter()

    class Context:
        aws_request_id = str(uuid.uuid4())
        def get_remaining_time_in_millis(self):
            return 29_000

    def event():
        http = {"method": "GET", "path": "/api/v1/repos", "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7", "userAgent": "bench"}
        return {"version": "2.0", "routeKey": "$default", "rawPath": "/api/v1/repos",
                "rawQueryString": "", "headers": {"host": "api.example", "accept": "*/*"},
                "requestContext": {"http": http, "requestId": "bench", "stage": "$default"},
                "isBase64Encoded": False}

    first = handlers.api(event(), Context())
    answered = time.perf_counter()
    second = handlers.api(event(), Context())
    warm = time.perf_counter()
    assert first["statusCode"] == 200 and second["statusCode"] == 200, (first, second)
    handlers.reset_container()
    print(json.dumps({"import_ms": (imported - started) * 1000,
                      "first_ms": (answered - imported) * 1000,
                      "warm_ms": (warm - answered) * 1000}), file=sys.stderr)
    """
)


def import_ms(statement: str) -> float:
    """Milliseconds the imports of ``statement`` take in a fresh interpreter."""
    code = f"import sys; sys.stderr.write({MARK!r} + '\\n'); sys.stderr.flush(); {statement}"
    finished = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = finished.stderr.splitlines()
    total_us = 0
    for line in lines[lines.index(MARK) + 1 :]:
        if not line.startswith("import time:"):
            continue
        _, cumulative, name = line.split("|")
        if not name.startswith("  "):  # top level: imported by the statement itself
            total_us += int(cumulative)
    return total_us / 1000


def first_request(environment: dict[str, str]) -> dict[str, float]:
    """Import, first and warm request times of the API handler in a fresh process."""
    finished = subprocess.run(
        [sys.executable, "-c", FIRST_REQUEST],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    result: dict[str, float] = json.loads(finished.stderr.strip().splitlines()[-1])
    return result


def prepared_environment(folder: Path) -> dict[str, str]:
    """A migrated SQLite store tracking 20 repositories, and the environment pointing at it."""
    url = f"sqlite:///{folder / 'bench.db'}"
    store = open_store(load_settings(store_url=url))
    store.upgrade()
    for number in range(20):
        store.add_subject(RepoName("bench", f"repo-{number}"), [], added_at=datetime.now(UTC))
    store.close()
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("OSSGROWTH_")
    }
    environment.update(
        {"OSSGROWTH_ENV": "dev", "OSSGROWTH_STORE_URL": url, "OSSGROWTH_LOG_LEVEL": "WARNING"}
    )
    return environment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per figure")
    arguments = parser.parse_args()
    medians = {
        name: statistics.median(import_ms(statement) for _ in range(arguments.runs))
        for name, statement in IMPORTS.items()
    }
    with tempfile.TemporaryDirectory() as folder:
        environment = prepared_environment(Path(folder))
        requests = [first_request(environment) for _ in range(arguments.runs)]
    first = statistics.median(run["first_ms"] for run in requests)
    warm = statistics.median(run["warm_ms"] for run in requests)
    imported = statistics.median(run["import_ms"] for run in requests)
    for name, value in medians.items():
        print(f"import {name:8} {value:8.1f} ms  ({value / medians['json']:.0f}x json)")
    print(
        f"handler import is {medians['handler'] / medians['eager']:.2f} of an eager one "
        f"({medians['eager'] - medians['handler']:.0f} ms left to the first event); "
        f"a scheduled function never imports {medians['eager'] - medians['collector']:.0f} ms "
        "of it (the API app, Mangum)"
    )
    print(
        f"api: import {imported:.1f} ms (wall), first request {first:.1f} ms, "
        f"warm request {warm:.1f} ms, cold start {imported + first:.1f} ms"
    )
    print(
        f"handler_import_ms={medians['handler']:.0f} api_first_request_ms={first:.0f} "
        f"ratio_vs_core={medians['handler'] / medians['core']:.2f}"
    )


if __name__ == "__main__":
    main()
