"""The Lambda handlers' world: Secrets Manager and CloudWatch in moto's server, GitHub, npm and
PyPI stats from the simulator served over HTTP, and the environment's store.

The store is named by one fixture, :func:`lambda_store_url`; the rest only uses its URL (as
the functions do, through ``OSSGROWTH_STORE_URL``), so running these tests against another
backend is a change of that fixture alone: test_handlers_on_dynamodb.py runs the main paths
on DynamoDB so (in a younger world).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import uvicorn

from ossgrowth.aws import handlers
from ossgrowth.clock import FixedClock
from ossgrowth.collect.slots import SCHEDULES, Schedule, latest_slot
from ossgrowth.config import Settings, load_settings
from ossgrowth.model import Family, PackageRef, Point, Provenance, RepoName
from ossgrowth.simulator import Ledger, World, WorldConfig, build_world, create_app
from ossgrowth.store import Store, open_store

TOKEN = "lambda-test-token-4f9c2a7e"
"""The GitHub token the secret holds; the simulated GitHub accepts it (and shows who used it)."""
OTHER_TOKEN = "lambda-test-token-b81d03c5"
WRONG_TOKEN = "lambda-test-token-0000dead"
"""Not one the simulated GitHub knows: it answers 401."""
ADMIN_TOKEN = "lambda-admin-token-9a8b7c"
STAGING_PASSWORD = "lambda-staging-password-5e4d"
LOS_ANGELES = "America/Los_Angeles"
ZONE = ZoneInfo(LOS_ANGELES)
"""The zone of the functions' schedules (``OSSGROWTH_TIMEZONE``)."""
PLENTY_MS = 600_000
"""Ten minutes: an invocation that is never short of time."""


@pytest.fixture(autouse=True)
def new_container() -> Iterator[None]:
    """Every test starts as a new Lambda container would, and leaves nothing open."""
    handlers.reset_container()
    yield
    handlers.reset_container()


@dataclass(frozen=True)
class Simulator:
    """The simulated upstreams, served on a loopback port."""

    world: World
    origin: str
    ledger: Ledger

    def requests(self) -> int:
        return self.ledger.snapshot().requests

    def requests_by(self, token: str) -> int:
        return self.ledger.snapshot().by_token.get(token, 0)


def handlers_world(now: datetime, *, oldest_repo_age_days: int = 3650) -> World:
    """A small world whose present is ``now``: four repositories and a busy one, whose
    backfill takes several pages in a row; the oldest repository is ``oldest_repo_age_days``
    old (ten years by default: a backfill then reconstructs 3,650 days of it)."""
    return build_world(
        WorldConfig(
            seed=13,
            repo_count=4,
            activity_scale=0.05,
            now=now,
            future_days=0,
            oldest_repo_age_days=oldest_repo_age_days,
            rename_share=0,
            big_repo_items=600,  # one repository whose backfill takes several pages in a row
            tokens=(TOKEN, OTHER_TOKEN),
        )
    )


@contextmanager
def served_world(world: World) -> Iterator[Simulator]:
    """``world``, frozen at its present, served by uvicorn in a thread on a loopback port."""
    app = create_app(world, FixedClock(world.config.now))
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
    )
    thread = threading.Thread(target=server.run, name="simulator", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the simulator did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Simulator(world, f"http://127.0.0.1:{port}", app.state.ledger)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="session")
def simulator() -> Iterator[Simulator]:
    """The handlers' world (:func:`handlers_world`) whose present is now, served."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with served_world(handlers_world(now)) as served:
        yield served


@pytest.fixture
def lambda_env_name() -> str:
    """The functions' ``OSSGROWTH_ENV`` (a test parametrizes it to use another)."""
    return "dev"


@pytest.fixture
def lambda_store_url(tmp_path: Path) -> str:
    """The functions' ``OSSGROWTH_STORE_URL``: SQLite here; test_handlers_on_dynamodb.py gives
    a DynamoDB URL and runs the main paths on DynamoDB."""
    return f"sqlite:///{tmp_path / 'lambda.db'}"


def store_settings(url: str, environment: str = "dev") -> Settings:
    return load_settings(store_url=url, environment=environment)


@pytest.fixture
def make_secret(moto_endpoint: str, aws_credentials: None) -> Callable[[dict[str, Any]], str]:
    """Put a secret with a fresh name holding the given JSON in moto; returns its name."""
    import boto3

    client = boto3.client("secretsmanager", endpoint_url=moto_endpoint)

    def make(value: dict[str, Any] | str) -> str:
        name = f"ossgrowth/test-{uuid.uuid4().hex[:10]}/secret"
        text = value if isinstance(value, str) else json.dumps(value)
        client.create_secret(Name=name, SecretString=text)
        return name

    return make


@pytest.fixture
def lambda_environment(
    monkeypatch: pytest.MonkeyPatch,
    moto_endpoint: str,
    aws_credentials: None,
    simulator: Simulator,
    lambda_store_url: str,
    lambda_env_name: str,
    make_secret: Callable[[dict[str, Any]], str],
) -> dict[str, str]:
    """The environment a deployed function has, pointed at moto and the simulator; the
    GitHub token secret holds :data:`TOKEN`. Returns the variables set."""
    variables = {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "OSSGROWTH_ENV": lambda_env_name,
        "OSSGROWTH_STORE_URL": lambda_store_url,
        "OSSGROWTH_TIMEZONE": LOS_ANGELES,
        "OSSGROWTH_GITHUB_TOKEN_SECRET": make_secret({"token": TOKEN}),
        "OSSGROWTH_GITHUB_API_URL": simulator.origin,
        "OSSGROWTH_NPM_DOWNLOADS_URL": f"{simulator.origin}/npm",
        "OSSGROWTH_PYPISTATS_URL": f"{simulator.origin}/pypistats",
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return variables


@pytest.fixture
def tracked_store(lambda_environment: dict[str, str], simulator: Simulator) -> Iterator[Store]:
    """The environment's store as the deployment leaves it (schema in place), tracking every
    repository of the world since ten days ago."""
    store = open_store(
        store_settings(
            lambda_environment["OSSGROWTH_STORE_URL"], lambda_environment["OSSGROWTH_ENV"]
        )
    )
    store.upgrade()
    added_at = simulator.world.config.now - timedelta(days=10)
    for repo in simulator.world.repos:
        packages = [PackageRef(package.ecosystem, package.name) for package in repo.packages]
        store.add_subject(RepoName(repo.owner, repo.name), packages, added_at=added_at)
    yield store
    store.close()


@pytest.fixture
def starred(tracked_store: Store, simulator: Simulator) -> RepoName:
    """A tracked repository with a day of star points, every 3 hours."""
    first = simulator.world.repos[0]
    repo = RepoName(first.owner, first.name)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
    tracked_store.write_points(
        Point(
            repo,
            Family.STARS,
            start + timedelta(hours=3 * step),
            {"star_count": 100 + step},
            Provenance.MEASURED,
            "test",
        )
        for step in range(8)
    )
    return repo


class FakeContext:
    """A Lambda context whose remaining time the test decides.

    Args:
        remaining_ms: asked each time the handler asks for its remaining time.
        function_name: the function's name, as Lambda gives it.
    """

    def __init__(
        self,
        remaining_ms: Callable[[], int] = lambda: PLENTY_MS,
        function_name: str = "ossgrowth-dev-test",
    ) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = function_name
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-west-2:123456789012:function:{function_name}"
        )
        self.memory_limit_in_mb = "512"
        self._remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self._remaining_ms()


def scheduler_event(job: str, scheduled_time: datetime | None = None) -> dict[str, Any]:
    """The event EventBridge Scheduler delivers for the deployment's schedule of ``job``: its
    input with ``<aws.scheduler.scheduled-time>`` filled in (by default, the schedule's latest
    slot, the time the Scheduler fired for it)."""
    if scheduled_time is None:
        scheduled_time = latest_slot(schedule_of(job), datetime.now(UTC), ZONE)
    return {
        "job": job,
        "scheduled_time": scheduled_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def schedule_of(job: str) -> Schedule:
    (schedule,) = [schedule for schedule in SCHEDULES if schedule.name == job]
    return schedule


def http_api_event(
    method: str,
    path: str,
    *,
    query: str = "",
    headers: dict[str, str] | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API request event, payload format 2.0, as API Gateway sends it
    through a ``$default`` route and stage."""
    now = datetime.now(UTC)
    domain = "a1b2c3d4e5.execute-api.us-west-2.amazonaws.com"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {
            "accept": "application/json",
            "accept-encoding": "identity",
            "content-length": str(len(body or "")),
            "host": domain,
            "user-agent": "curl/8.5.0",
            "x-amzn-trace-id": f"Root=1-{int(now.timestamp()):08x}-{uuid.uuid4().hex[:24]}",
            "x-forwarded-for": "203.0.113.7",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
            **(headers or {}),
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "domainName": domain,
            "domainPrefix": "a1b2c3d4e5",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "curl/8.5.0",
            },
            "requestId": uuid.uuid4().hex[:16] + "=",
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = dict(
            part.split("=", 1) for part in query.split("&") if "=" in part
        )
    if body is not None:
        event["body"] = body
    return event


def json_lines(text: str) -> list[dict[str, Any]]:
    """The JSON log lines of captured output (every line must be one)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]
