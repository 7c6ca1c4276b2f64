"""``ossgrowth aws logs|schedules|scan|call|set-github-token|set-staging-password`` against moto
in server mode: CloudFormation (a small stack with the real stack's outputs), CloudWatch Logs,
EventBridge Scheduler, DynamoDB (the DynamoDB store's own tables) and Secrets Manager, all
through real HTTP. The API is ossgrowth's own, in-process or served on a loopback port.

moto has no CloudFront KeyValueStore data plane (``describe_key_value_store`` with its ETag,
``put_key``), and botocore signs those calls with SigV4A, which needs its CRT: the staging
password's write to the store runs against :class:`FakeKeyValueStore`, which answers as the
service does (ETags, conflicts, botocore's errors), and one test checks what a real client
says without the CRT. moto's ``filter_log_events`` reads words and quoted phrases as filter
patterns, not JSON patterns; the tests use the former.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import io
import json
import os
import socket
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import httpx
import pytest
import uvicorn
from botocore.exceptions import ClientError
from fastapi import FastAPI
from pydantic import SecretStr

from ossgrowth.api.app import create_app
from ossgrowth.aws import names
from ossgrowth.aws.api_call import ApiRequest, Credentials, call_api, credentials_needed
from ossgrowth.aws.deployed_schedules import deployed_schedules
from ossgrowth.aws.deployment import Deployment
from ossgrowth.aws.log_events import LogLine, LogReader, tail_log
from ossgrowth.aws.secret_writes import credentials_hash, set_staging_password, token_hint
from ossgrowth.aws.secrets import SecretCache
from ossgrowth.aws.table_scan import ScanTable, scan_table
from ossgrowth.cli import main
from ossgrowth.clock import FixedClock, SystemClock
from ossgrowth.collect.slots import SCHEDULES, next_slot
from ossgrowth.config import Environment, load_settings
from ossgrowth.errors import InputError
from ossgrowth.model import Ecosystem, Family, PackageRef, Point, Provenance, RepoName, Run
from ossgrowth.store import open_store
from ossgrowth.store.dynamo import DynamoStore
from tests.aws.test_scheduler_expressions import STACK_CRONS

REGION = "us-west-2"
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
STAGING, PROD = Environment.STAGING, Environment.PROD
ADMIN_TOKEN = "operate-admin-token-7c1e9d"
PASSWORD = "operate-staging-password-3b8f"
SITE = "https://d111111abcdef8.cloudfront.net"
GATEWAY = "https://a1b2c3d4e5.execute-api.us-west-2.amazonaws.com"
STORE_ARN = "arn:aws:cloudfront::123456789012:key-value-store/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
FIRST_TOKEN = "ghp_operateFirstToken000000000000000a1b2"
SECOND_TOKEN = "ghp_operateSecondToken00000000000000c3d4"
REPO = RepoName("octo", "widgets")
OTHER = RepoName("octo", "gadgets")
NPM = PackageRef(Ecosystem.NPM, "widgets")
PYPI = PackageRef(Ecosystem.PYPI, "widgets")
DEPLOY_AWS = Path(__file__).resolve().parents[2] / "deploy" / "aws"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@dataclass
class Moto:
    """moto's server, and what a test made in it (removed afterwards: names of a stack's
    resources are fixed, and the server lives for the whole run)."""

    endpoint: str
    _undo: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION)

    def args(self) -> list[str]:
        return ["--region", REGION, "--endpoint-url", self.endpoint]

    def deployment(self, environment: Environment) -> Deployment:
        return Deployment(environment, REGION, self.endpoint)

    def make_stack(self, environment: Environment, outputs: dict[str, str]) -> None:
        template = {
            "Resources": {"AlarmTopic": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {key: {"Value": value} for key, value in outputs.items()},
        }
        name = names.stack_name(environment)
        self.client("cloudformation").create_stack(
            StackName=name, TemplateBody=json.dumps(template)
        )
        self._undo.append(("cloudformation", "delete_stack", {"StackName": name}))

    def make_secret(self, name: str, value: str) -> None:
        self.client("secretsmanager").create_secret(Name=name, SecretString=value)
        self._undo.append(
            (
                "secretsmanager",
                "delete_secret",
                {"SecretId": name, "ForceDeleteWithoutRecovery": True},
            )
        )

    def secret_json(self, name: str) -> Any:
        answer = self.client("secretsmanager").get_secret_value(SecretId=name)
        return json.loads(answer["SecretString"])

    def make_log_group(self, name: str) -> str:
        self.client("logs").create_log_group(logGroupName=name)
        self._undo.append(("logs", "delete_log_group", {"logGroupName": name}))
        return name

    def put_events(self, group: str, events: list[tuple[datetime, str]]) -> None:
        """Each batch in a stream of its own, as a new Lambda instance writes."""
        logs = self.client("logs")
        stream = f"2026/12/03/[$LATEST]{uuid.uuid4().hex}"
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[
                {"timestamp": int(at.timestamp() * 1000), "message": message}
                for at, message in sorted(events)
            ],
        )

    def make_schedule(
        self,
        name: str,
        expression: str,
        timezone: str,
        function: str,
        job: str,
        **more: Any,
    ) -> None:
        self.client("scheduler").create_schedule(
            Name=name,
            ScheduleExpression=expression,
            ScheduleExpressionTimezone=timezone,
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={
                "Arn": f"arn:aws:lambda:{REGION}:123456789012:function:{function}",
                "RoleArn": "arn:aws:iam::123456789012:role/ossgrowth-schedules",
                "Input": json.dumps(
                    {"job": job, "scheduled_time": "<aws.scheduler.scheduled-time>"}
                ),
            },
            **more,
        )
        self._undo.append(("scheduler", "delete_schedule", {"Name": name}))

    def clean_up(self) -> None:
        for service, method, arguments in reversed(self._undo):
            getattr(self.client(service), method)(**arguments)


@pytest.fixture
def moto(moto_endpoint: str, aws_credentials: None) -> Iterator[Moto]:
    world = Moto(moto_endpoint)
    yield world
    world.clean_up()


# names ------------------------------------------------------------------------------------


def stack_module(name: str) -> Any:
    """A module of the CDK app (deploy/aws), imported as its tests import it."""
    if str(DEPLOY_AWS) not in sys.path:
        sys.path.insert(0, str(DEPLOY_AWS))
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    return importlib.import_module(f"ossgrowth_stack.{name}")


def test_the_names_looked_for_are_those_the_stack_gives() -> None:
    config_module = stack_module("config")
    functions = stack_module("functions")
    schedules = stack_module("schedules")
    secrets = stack_module("secrets")
    gate = stack_module("staging_gate")
    stack = stack_module("stack")
    for environment in Environment:
        config = config_module.DeploymentConfig(environment.value, "123456789012", REGION)
        assert names.stack_name(environment) == config.stack_name
        for purpose in (names.GITHUB_TOKEN_SECRET, names.API_SECRET, names.ALERTS_SECRET):
            assert names.secret_name(environment, purpose) == secrets.secret_name(config, purpose)
        assert names.credentials_store_name(environment) == gate.key_value_store_name(config)
    assert names.FUNCTIONS == tuple(spec.name for spec in functions.FUNCTIONS)
    assert names.SCHEDULES == tuple(spec.name for spec in schedules.SCHEDULES)
    assert names.CREDENTIALS_KEY == gate.CREDENTIALS_KEY
    function_source = inspect.getsource(functions.Functions._function)
    assert 'log_group_name=f"/aws/lambda/{function_name}"' in function_source
    outputs_source = inspect.getsource(stack.OssgrowthStack._outputs)
    for key in (names.OUTPUT_URL, names.OUTPUT_API_ENDPOINT, names.OUTPUT_CREDENTIALS_STORE):
        assert f'"{key}"' in outputs_source


def test_the_stacks_schedule_expressions_are_those_whose_runs_are_computed() -> None:
    schedules = stack_module("schedules")
    for spec in schedules.SCHEDULES:
        expression = spec.expression("America/Los_Angeles").expression_string
        if spec.every_minutes is None:
            assert expression == STACK_CRONS[spec.job]
        else:
            assert expression == f"rate({spec.every_minutes} minutes)"


# logs -------------------------------------------------------------------------------------


def json_line(at: datetime, level: str, message: str, **fields: Any) -> str:
    return json.dumps(
        {
            "time": at.isoformat(timespec="milliseconds"),
            "level": level,
            "logger": "ossgrowth.aws.scheduled",
            "message": message,
            **fields,
        }
    )


def test_logs_prints_a_functions_lines_in_the_configured_zone(
    moto: Moto, capsys: pytest.CaptureFixture[str]
) -> None:
    group = moto.make_log_group(names.log_group_name(PROD, "run-backfills"))
    failed_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    traceback = 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: boom'
    moto.put_events(
        group,
        [
            (failed_at - timedelta(seconds=1), "START RequestId: 60116b04 Version: $LATEST\n"),
            (
                failed_at,
                json_line(
                    failed_at,
                    "ERROR",
                    "backfill failed: boom",
                    run_id=12,
                    aws_request_id="60116b04-2b67-47bb-842d-aa751500e7b9",
                    exc=traceback,
                ),
            ),
            (failed_at - timedelta(hours=3), json_line(failed_at, "INFO", "long ago")),
        ],
    )
    code, out, err = run_cli(
        capsys, "--env", "prod", "aws", "logs", "backfills", "--since", "1h", *moto.args()
    )
    assert code == 0, err
    shown = failed_at.astimezone(LOS_ANGELES).strftime("%Y-%m-%d %H:%M:%S %Z")
    lines = out.splitlines()
    assert lines[0].endswith("START RequestId: 60116b04 Version: $LATEST")
    assert lines[1] == f"{shown} ERROR   backfill failed: boom (run 12, request 60116b04)"
    assert lines[2:] == ["    Traceback (most recent call last):", '      File "x.py", line 1',
                         "    ValueError: boom"]  # fmt: skip
    assert "long ago" not in out


def test_logs_filters_with_a_cloudwatch_pattern_and_shows_times_in_another_zone(
    moto: Moto, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    group = moto.make_log_group(names.log_group_name(PROD, "api"))
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    moto.put_events(
        group,
        [
            (at, json_line(at, "INFO", "GET /api/v1/repos 200")),
            (at, json_line(at, "WARNING", "GET /api/v1/nope 404")),
        ],
    )
    monkeypatch.setenv("OSSGROWTH_TIMEZONE", "Europe/Paris")
    code, out, err = run_cli(
        capsys, "--env", "prod", "aws", "logs", "api", "--filter", '"nope 404"', *moto.args()
    )
    assert code == 0, err
    paris = at.astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%d %H:%M:%S CET")
    assert out.splitlines() == [f"{paris} WARNING GET /api/v1/nope 404"]


def test_following_a_log_shows_each_new_event_once_late_ones_included(moto: Moto) -> None:
    group = moto.make_log_group(names.log_group_name(PROD, "collect-stars"))
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30))
    start = clock.now()
    moto.put_events(
        group,
        [
            (start - timedelta(minutes=2), json_line(start, "INFO", "collection run 1 started")),
            (start - timedelta(hours=2), json_line(start, "INFO", "before the window")),
        ],
    )
    arrivals = [
        [(start + timedelta(seconds=3), "b"), (start + timedelta(seconds=4), "c")],
        [(start + timedelta(seconds=9), "d")],
        [(start + timedelta(seconds=7), "late"), (start + timedelta(seconds=14), "e")],
    ]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(timedelta(seconds=seconds))
        batch = arrivals.pop(0)
        moto.put_events(group, [(at, json_line(at, "INFO", text)) for at, text in batch])

    polls: list[list[str]] = []
    tail_log(
        LogReader(moto.client("logs"), group),
        since=timedelta(hours=1),
        clock=clock,
        emit=lambda lines: polls.append([line.message for line in lines]),
        follow=True,
        sleep=sleep,
        poll_seconds=5,
        polls=3,
    )
    assert polls == [["collection run 1 started"], ["b", "c"], ["d"], ["late", "e"]]
    assert slept == [5, 5, 5]


def test_logs_of_a_function_not_deployed_is_one_line(
    moto: Moto, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "--env", "staging", "aws", "logs", "api", *moto.args())
    assert code == 1 and out == ""
    assert err == (
        "Error: reading log group /aws/lambda/ossgrowth-staging-api: "
        "ResourceNotFoundException: The specified log group does not exist.\n"
    )
    code, _, err = run_cli(capsys, "aws", "logs", "api", "--since", "yesterday", *moto.args())
    assert code == 2 and "give a duration such as 90s, 15m, 1h, 2d or 1w" in err
    code, _, err = run_cli(
        capsys, "aws", "logs", "api", "--endpoint-url", "moto", "--region", REGION
    )
    assert code == 2 and err == "Error: the AWS endpoint 'moto' is not an http(s) URL\n"


def test_a_text_line_is_shown_as_it_came() -> None:
    line = LogLine.from_event(
        {"timestamp": 1796292535913, "message": "REPORT RequestId: abc\tDuration: 3.1 ms\n"}
    )
    assert line.level is None and line.message == "REPORT RequestId: abc  Duration: 3.1 ms"
    assert line.render(ZoneInfo("UTC")) == (
        "2026-12-03 10:08:55 UTC         REPORT RequestId: abc  Duration: 3.1 ms"
    )


# schedules --------------------------------------------------------------------------------


@pytest.fixture
def prod_schedules(moto: Moto) -> Moto:
    """The schedules the prod stack makes, one of staging's, and one disabled."""
    zone = "America/Los_Angeles"
    jobs = {
        "collect-stars": "collect:stars",
        "collect-activity": "collect:prs+issues",
        "collect-downloads": "collect:downloads",
    }
    for schedule, job in jobs.items():
        name = names.schedule_name(PROD, schedule)
        moto.make_schedule(name, STACK_CRONS[job], zone, name, job)
    backfills = names.schedule_name(PROD, "run-backfills")
    moto.make_schedule(
        backfills,
        "rate(5 minutes)",
        "Etc/UTC",
        backfills,
        "backfill",
        StartDate=datetime(2026, 1, 1, 0, 1, tzinfo=UTC),
    )
    deliveries = names.schedule_name(PROD, "deliver-alerts")
    moto.make_schedule(
        deliveries,
        "rate(5 minutes)",
        "Etc/UTC",
        deliveries,
        "alerts:deliver",
        StartDate=datetime(2026, 1, 1, 0, 1, tzinfo=UTC),
    )
    moto.make_schedule(
        "ossgrowth-prod-paused", "cron(0 12 * * ? *)", zone, backfills, "backfill", State="DISABLED"
    )
    staging = names.schedule_name(STAGING, "collect-stars")
    moto.make_schedule(staging, STACK_CRONS["collect:stars"], zone, staging, "collect:stars")
    return moto


def test_deployed_schedules_are_the_environments_with_their_next_runs(
    prod_schedules: Moto,
) -> None:
    now = datetime(2026, 12, 3, 10, 8, 20, tzinfo=UTC)
    found = deployed_schedules(prod_schedules.client("scheduler"), PROD, now, 3)
    by_name = {schedule.name: schedule for schedule in found}
    assert list(by_name) == sorted(
        [names.schedule_name(PROD, name) for name in names.SCHEDULES] + ["ossgrowth-prod-paused"]
    )
    for schedule in SCHEDULES:
        (deployed,) = [item for item in found if item.job == schedule.name]
        expected, moment = [], now
        for _ in range(3):
            moment = next_slot(schedule, moment, LOS_ANGELES)
            expected.append(moment)
        assert deployed.next_runs == tuple(expected)
        assert deployed.timezone == "America/Los_Angeles" and deployed.state == "ENABLED"
        assert deployed.target == deployed.name
    backfills = by_name["ossgrowth-prod-run-backfills"]
    assert backfills.next_runs == (
        datetime(2026, 12, 3, 10, 11, tzinfo=UTC),
        datetime(2026, 12, 3, 10, 16, tzinfo=UTC),
        datetime(2026, 12, 3, 10, 21, tzinfo=UTC),
    )
    paused = by_name["ossgrowth-prod-paused"]
    assert paused.next_runs == () and paused.note == "disabled" and paused.state == "DISABLED"


def test_schedules_command_prints_them_as_json_and_as_tab_separated_lines(
    prod_schedules: Moto, capsys: pytest.CaptureFixture[str]
) -> None:
    before = datetime.now(UTC)
    code, out, err = run_cli(
        capsys, "--env", "prod", "aws", "schedules", "--json", *prod_schedules.args()
    )
    assert code == 0, err
    listed = {item["name"]: item for item in json.loads(out)}
    stars = listed["ossgrowth-prod-collect-stars"]
    assert stars["expression"] == STACK_CRONS["collect:stars"]
    assert stars["job"] == "collect:stars" and stars["target"] == "ossgrowth-prod-collect-stars"
    runs = [datetime.fromisoformat(run.replace("Z", "+00:00")) for run in stars["next_runs"]]
    assert len(runs) == 3 and before < runs[0] < runs[1] < runs[2]
    for run in runs:
        local = run.astimezone(LOS_ANGELES)
        assert local.hour % 3 == 0 and local.minute == 0
    code, out, err = run_cli(
        capsys, "--env", "prod", "aws", "schedules", "--count", "1", *prod_schedules.args()
    )
    assert code == 0, err
    header, *rows = out.splitlines()
    assert header.split("\t") == [
        "name",
        "expression",
        "timezone",
        "state",
        "target",
        "job",
        "next_runs",
    ]
    activity = [row.split("\t") for row in rows if "collect-activity" in row][0]
    assert activity[-1].endswith(("23:50 PST", "23:50 PDT"))
    paused = [row.split("\t") for row in rows if "paused" in row][0]
    assert paused[3:] == ["DISABLED", "ossgrowth-prod-run-backfills", "backfill", "disabled"]


# scan -------------------------------------------------------------------------------------


@pytest.fixture
def prod_tables(moto: Moto, tmp_path: Path) -> Iterator[tuple[DynamoStore, str]]:
    """Prod's tables under a prefix of this test's: two repositories, points, runs."""
    url = f"dynamodb://?region={REGION}&endpoint={moto.endpoint}&table_prefix={tmp_path.name}-"
    store = DynamoStore(url, environment="prod")
    store.upgrade()
    added = datetime(2026, 11, 1, tzinfo=UTC)
    store.add_subject(REPO, [NPM, PYPI], added_at=added)
    store.add_subject(OTHER, [], added_at=added)
    points = [
        Point(REPO, Family.STARS, added + timedelta(days=day), {"star_count": 100 + day},
              Provenance.MEASURED, "github")
        for day in range(3)
    ] + [
        Point(OTHER, Family.STARS, added, {"star_count": 7}, Provenance.MEASURED, "github"),
    ] + [
        Point(REPO, Family.DOWNLOADS, added, {"weekly_downloads": 10, "total_downloads": 50},
              Provenance.MEASURED, "npm", package=package)
        for package in (NPM, PYPI)
    ]  # fmt: skip
    store.write_points(points)
    for hour in range(2):
        store.record_run(
            Run(job="collect:stars", environment="prod", started_at=added + timedelta(hours=hour))
        )
    yield store, url
    store.close()


def test_scan_reads_a_repositorys_series_newest_first(
    prod_tables: tuple[DynamoStore, str],
) -> None:
    store, _ = prod_tables
    stars = scan_table(store, ScanTable.STAR_GROWTH, repo=REPO, limit=2)
    assert stars.table.endswith("-prod-star-growth") and stars.keys == ("repo", "timestamp")
    assert [item["star_count"] for item in stars.items] == [102, 101] and stars.more
    assert {item["repo"] for item in stars.items} == {"octo/widgets"}
    downloads = scan_table(store, ScanTable.PACKAGE_DOWNLOADS, repo=REPO)
    assert sorted(item["repo"] for item in downloads.items) == [
        "octo/widgets#npm:widgets",
        "octo/widgets#pypi:widgets",
    ]
    assert not downloads.more
    (subject,) = scan_table(store, ScanTable.REPOSITORIES, repo=REPO).items
    assert subject["packages"] == ["npm:widgets", "pypi:widgets"]
    rollups = scan_table(store, ScanTable.ROLLUPS, repo=OTHER, limit=1000).items
    assert rollups and all(item["series"].startswith("octo/gadgets|") for item in rollups)


def test_scan_reads_whole_tables_and_the_runs_newest_first(
    prod_tables: tuple[DynamoStore, str],
) -> None:
    store, _ = prod_tables
    everything = scan_table(store, ScanTable.STAR_GROWTH)
    assert sorted(item["star_count"] for item in everything.items) == [7, 100, 101, 102]
    assert not everything.more
    runs = scan_table(store, ScanTable.RUNS).items
    assert [run["id"] for run in runs] == [2, 1]
    assert all(run["pk"] == "runs" and run["job"] == "collect:stars" for run in runs)


@pytest.mark.parametrize(
    ("table", "repo", "message"),
    [
        (ScanTable.OPERATIONS, REPO, "not operations"),
        (ScanTable.RUNS, REPO, "does not apply to runs"),
        (ScanTable.STAR_GROWTH, RepoName("octo", "nothing"), "octo/nothing is not tracked in prod"),
    ],
)
def test_scan_refuses_a_repository_it_cannot_narrow_to(
    prod_tables: tuple[DynamoStore, str], table: ScanTable, repo: RepoName, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        scan_table(prod_tables[0], table, repo=repo)


def test_scan_command_prints_json_and_tab_separated_items(
    prod_tables: tuple[DynamoStore, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, url = prod_tables
    code, out, err = run_cli(
        capsys, "--env", "prod", "--store-url", url, "aws", "scan", "star-growth",
        "--repo", "octo/widgets", "--limit", "1", "--json",
    )  # fmt: skip
    assert code == 0
    (item,) = json.loads(out)
    assert item["star_count"] == 102 and item["timestamp"] == "2026-11-03T00:00:00Z"
    assert "showing the first 1 items" in err
    code, out, err = run_cli(
        capsys, "--env", "prod", "--store-url", url, "aws", "scan", "repositories"
    )
    assert code == 0 and err == ""
    header, *rows = out.splitlines()
    columns = header.split("\t")
    assert columns[0] == "repo" and "packages" in columns
    cells = {row.split("\t")[0]: dict(zip(columns, row.split("\t"), strict=True)) for row in rows}
    assert cells["octo/widgets"]["packages"] == '["npm:widgets","pypi:widgets"]'
    assert cells["octo/gadgets"]["packages"] == ""  # no such attribute


def test_scan_command_builds_the_store_url_from_its_options(
    prod_tables: tuple[DynamoStore, str], moto: Moto, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    code, out, err = run_cli(
        capsys, "--env", "prod", "aws", "scan", "runs", "--json",
        "--table-prefix", f"{tmp_path.name}-", *moto.args(),
    )  # fmt: skip
    assert code == 0, err
    assert [run["id"] for run in json.loads(out)] == [2, 1]
    code, out, err = run_cli(
        capsys, "--env", "prod", "aws", "scan", "runs", "--table-prefix", "nowhere-",
        *moto.args(),
    )  # fmt: skip
    assert code == 1 and out == ""
    assert err.startswith("Error: a DynamoDB table is missing") and err.count("\n") == 1


# call -------------------------------------------------------------------------------------


@pytest.fixture
def staging_api(tmp_path: Path) -> Iterator[FastAPI]:
    """Staging's API as its function runs it: the password and admin token of its secret."""
    settings = load_settings(
        environment="staging",
        store_url=f"sqlite:///{tmp_path / 'staging.db'}",
        staging_password=PASSWORD,
        admin_token=ADMIN_TOKEN,
    )
    store = open_store(settings)
    store.upgrade()
    yield create_app(settings, store, SystemClock())
    store.close()


@pytest.fixture
def staging_stack(moto: Moto) -> Moto:
    moto.make_stack(
        STAGING,
        {
            names.OUTPUT_URL: SITE,
            names.OUTPUT_API_ENDPOINT: GATEWAY,
            names.OUTPUT_CREDENTIALS_STORE: STORE_ARN,
        },
    )
    return moto


def api_secret(moto: Moto, **values: str) -> str:
    name = names.secret_name(STAGING, names.API_SECRET)
    moto.make_secret(name, json.dumps(values))
    return name


@pytest.mark.parametrize(
    ("method", "path", "environment", "expected"),
    [
        ("GET", "/api/v1/repos", Environment.DEV, Credentials.NONE),
        ("GET", "/api/v1/repos", STAGING, Credentials.STAGING),
        ("GET", "/health", STAGING, Credentials.NONE),
        ("GET", "/api/v1/admin/runs?limit=5", PROD, Credentials.ADMIN),
        ("POST", "/api/v1/repos", PROD, Credentials.ADMIN),
        ("delete", "/api/v1/repos/octo/widgets", STAGING, Credentials.ADMIN),
    ],
)
def test_a_call_carries_only_the_credentials_it_needs(
    method: str, path: str, environment: Environment, expected: Credentials
) -> None:
    assert credentials_needed(method, path, environment) is expected


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """``app`` on a loopback port; its socket listens before the server starts, so a request
    waits in the backlog instead of the test waiting for the server."""
    listening = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(app, log_config=None, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listening.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listening.close()


class ToServer(httpx.BaseTransport):
    """Sends every request to the server at ``base``, whatever host it names (the stack's
    CloudFront or API Gateway address), and remembers the URLs asked for."""

    def __init__(self, base: str) -> None:
        self._inner = httpx.HTTPTransport()
        self._base = httpx.URL(base)
        self.asked: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(str(request.url))
        request.url = request.url.copy_with(
            scheme=self._base.scheme, host=self._base.host, port=self._base.port
        )
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def test_call_reaches_the_stacks_url_with_the_api_secrets_credentials(
    staging_stack: Moto, staging_api: FastAPI
) -> None:
    api_secret(staging_stack, admin_token=ADMIN_TOKEN, staging_password=PASSWORD)
    deployment = staging_stack.deployment(STAGING)
    secrets = SecretCache(client_factory=lambda: deployment.client("secretsmanager"))
    with served(staging_api) as base:
        transport = ToServer(base)
        client = httpx.Client(transport=transport)

        def call(request: ApiRequest) -> Any:
            return call_api(
                request,
                STAGING,
                client=client,
                outputs=deployment.stack_outputs,
                api_secrets=secrets.api_secrets,
            )

        added = call(ApiRequest("POST", "/api/v1/repos", '{"repo": "octo/widgets"}'))
        assert added.status == 201 and added.credentials is Credentials.ADMIN
        assert added.url == f"{SITE}/api/v1/repos"
        listed = call(ApiRequest("get", "api/v1/repos"))
        assert listed.status == 200 and listed.credentials is Credentials.STAGING
        assert [repo["repo"] for repo in json.loads(listed.body)["items"]] == ["octo/widgets"]
        assert listed.shown_body().startswith('{\n  "items": [')
        direct = call(ApiRequest("GET", "/health", gateway=True))
        assert direct.ok and direct.url == f"{GATEWAY}/health"
        assert direct.credentials is Credentials.NONE
        client.close()
    assert transport.asked == [f"{SITE}/api/v1/repos"] * 2 + [f"{GATEWAY}/health"]


def test_call_with_a_password_the_api_does_not_take_is_refused_by_the_api(
    staging_stack: Moto, staging_api: FastAPI
) -> None:
    api_secret(staging_stack, admin_token=ADMIN_TOKEN, staging_password="not-the-password")
    deployment = staging_stack.deployment(STAGING)
    secrets = SecretCache(client_factory=lambda: deployment.client("secretsmanager"))
    with served(staging_api) as base, httpx.Client(transport=ToServer(base)) as client:
        answer = call_api(
            ApiRequest("GET", "/api/v1/repos"),
            STAGING,
            client=client,
            outputs=deployment.stack_outputs,
            api_secrets=secrets.api_secrets,
        )
    assert answer.status == 401 and not answer.ok


def test_call_command_prints_the_status_and_the_body_and_fails_on_an_error_status(
    moto: Moto, staging_api: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api_secret(moto, admin_token=ADMIN_TOKEN, staging_password=PASSWORD)
    with served(staging_api) as base:
        code, out, err = run_cli(
            capsys, "--env", "staging", "aws", "call", "/api/v1/repos", "-X", "POST",
            "-d", '{"repo": "octo/widgets"}', "--url", base, *moto.args(),
        )  # fmt: skip
        assert code == 0, err
        assert err == f"201 Created ({base}/api/v1/repos)\n"
        assert json.loads(out)["repo"] == "octo/widgets"
        code, out, err = run_cli(
            capsys, "--env", "staging", "aws", "call", "/api/v1/repos/octo/nothing",
            "--url", base, *moto.args(),
        )  # fmt: skip
        assert code == 1 and err.startswith("404 Not Found")
        assert json.loads(out)["status"] == 404
    for text in (out, err):
        assert ADMIN_TOKEN not in text and PASSWORD not in text


def test_call_command_errors_are_one_line(moto: Moto, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--env", "prod", "aws", "call", "/health", *moto.args())
    assert code == 1 and out == ""
    assert err == (
        "Error: stack ossgrowth-prod does not exist in us-west-2; deploy it first "
        "(docs/aws.md) or pass --region\n"
    )
    code, _, err = run_cli(
        capsys, "aws", "call", "/api/v1/repos", "-X", "POST", "-d", "{repo", *moto.args()
    )
    assert code == 2 and err.startswith("Error: --data is not JSON")
    moto.make_stack(STAGING, {names.OUTPUT_URL: SITE})
    api_secret(moto, admin_token=ADMIN_TOKEN)
    code, _, err = run_cli(capsys, "--env", "staging", "aws", "call", "/api/v1/repos", *moto.args())
    assert code == 2 and "holds no staging_password; set it with:" in err


# set-github-token -------------------------------------------------------------------------


def test_set_github_token_replaces_or_appends_showing_only_the_last_four_characters(
    moto: Moto, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = names.secret_name(PROD, names.GITHUB_TOKEN_SECRET)
    moto.make_secret(name, "Zq8rW1x0bN4kP7yT2vL9")  # the stack's random placeholder

    def set_token(token: str, *more: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(token + "\n"))
        return run_cli(capsys, "--env", "prod", "aws", "set-github-token", *more, *moto.args())

    code, out, err = set_token(FIRST_TOKEN)
    assert code == 0, err
    assert out == f"{name} holds 1 token(s): …a1b2; the functions use it within 15 minutes\n"
    assert moto.secret_json(name) == {"token": FIRST_TOKEN}
    code, out, _ = set_token(SECOND_TOKEN, "--append")
    assert code == 0 and "holds 2 token(s): …a1b2, …c3d4" in out
    assert moto.secret_json(name) == {"tokens": [FIRST_TOKEN, SECOND_TOKEN]}
    code, out, _ = set_token(FIRST_TOKEN, "--append")
    assert code == 0 and out == f"that token is in {name} already; nothing written\n"
    reader = SecretCache(client_factory=lambda: moto.client("secretsmanager"))
    tokens = [token.get_secret_value() for token in reader.github_tokens(name)]
    assert tokens == [FIRST_TOKEN, SECOND_TOKEN]  # as the collectors read the pool


def test_appending_a_token_keeps_the_secrets_other_keys(
    moto: Moto, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = names.secret_name(PROD, names.GITHUB_TOKEN_SECRET)
    moto.make_secret(name, json.dumps({"token": FIRST_TOKEN, "note": "rotated monthly"}))
    monkeypatch.setattr(sys, "stdin", io.StringIO(SECOND_TOKEN))
    code, out, err = run_cli(
        capsys, "--env", "prod", "aws", "set-github-token", "--append", *moto.args()
    )
    assert code == 0, err
    assert moto.secret_json(name) == {
        "note": "rotated monthly",
        "tokens": [FIRST_TOKEN, SECOND_TOKEN],
    }
    assert FIRST_TOKEN not in out + err and SECOND_TOKEN not in out + err


def test_set_github_token_errors_are_one_line(
    moto: Moto, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run_cli(capsys, "--env", "prod", "aws", "set-github-token", *moto.args())
    assert code == 2 and err == "Error: no github token given (standard input was empty)\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(FIRST_TOKEN))
    code, _, err = run_cli(capsys, "--env", "prod", "aws", "set-github-token", *moto.args())
    assert code == 1 and err.startswith(
        "Error: writing secret 'ossgrowth/prod/github-token': ResourceNotFoundException"
    )
    assert FIRST_TOKEN not in err


def test_a_token_is_named_by_its_last_four_characters_only_when_long() -> None:
    assert token_hint(FIRST_TOKEN) == "…a1b2"
    assert token_hint("short-token") == "…"


# set-staging-password ---------------------------------------------------------------------


class FakeKeyValueStore:
    """CloudFront KeyValueStore's data plane, as a boto3 ``cloudfront-keyvaluestore`` client
    answers: every write names the ETag it read and changes it; a write with an old ETag is
    refused (``ConflictException``). ``writers_between`` other writes come in between a
    describe and a put, as another operator's would."""

    def __init__(self, arn: str, writers_between: int = 0) -> None:
        self.arn = arn
        self.items: dict[str, str] = {}
        self.version = 1
        self.writers_between = writers_between
        self.puts = 0

    @property
    def etag(self) -> str:
        return f"KV{self.version:04d}"

    def _found(self, arn: str, operation: str) -> None:
        if arn != self.arn:
            raise ClientError(
                {"Error": {"Code": "ResourceNotFoundException", "Message": "no such store"}},
                operation,
            )

    def describe_key_value_store(self, KvsARN: str) -> dict[str, Any]:  # noqa: N803
        self._found(KvsARN, "DescribeKeyValueStore")
        return {"KvsARN": KvsARN, "ETag": self.etag, "ItemCount": len(self.items)}

    def put_key(self, KvsARN: str, Key: str, Value: str, IfMatch: str) -> dict[str, Any]:  # noqa: N803
        self._found(KvsARN, "PutKey")
        self.puts += 1
        if self.writers_between:
            self.writers_between -= 1
            self.version += 1
        if IfMatch != self.etag:
            raise ClientError(
                {"Error": {"Code": "ConflictException", "Message": "the ETag changed"}}, "PutKey"
            )
        self.items[Key] = Value
        self.version += 1
        return {"ETag": self.etag, "ItemCount": len(self.items)}


def test_set_staging_password_writes_the_gates_hash_and_the_api_secret(
    staging_stack: Moto,
) -> None:
    secret = api_secret(staging_stack, admin_token=ADMIN_TOKEN)
    store = FakeKeyValueStore(STORE_ARN, writers_between=1)
    done = set_staging_password(
        staging_stack.deployment(STAGING), "ossgrowth", SecretStr(PASSWORD), kvs_client=store
    )
    assert (done.user, done.store_arn, done.secret_id) == ("ossgrowth", STORE_ARN, secret)
    expected = hashlib.sha256(f"ossgrowth:{PASSWORD}".encode()).hexdigest()
    assert store.items == {"staging-basic-auth-sha256": expected} and store.puts == 2
    assert staging_stack.secret_json(secret) == {
        "admin_token": ADMIN_TOKEN,
        "staging_password": PASSWORD,
    }
    reader = SecretCache(client_factory=lambda: staging_stack.client("secretsmanager"))
    secrets = reader.api_secrets(secret)  # as the API function reads it
    assert secrets.staging_password is not None and secrets.admin_token is not None
    assert secrets.staging_password.get_secret_value() == PASSWORD


def test_the_credentials_hash_is_the_sha256_of_user_colon_password_in_utf8() -> None:
    assert credentials_hash("ossgrowth", "correct horse battery staple") == (
        "6aa6282e1dc9583fd17252f95f56e5cba19809328db221d25f084f6e4c3a6f93"
    )
    assert (
        credentials_hash("ossgrowth", "pässwörd-日本")
        == hashlib.sha256("ossgrowth:pässwörd-日本".encode()).hexdigest()
    )


def test_set_staging_password_refuses_other_environments_before_asking(
    moto: Moto, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    given = io.StringIO(PASSWORD)
    monkeypatch.setattr(sys, "stdin", given)
    code, out, err = run_cli(capsys, "--env", "prod", "aws", "set-staging-password", *moto.args())
    assert code == 2 and out == ""
    assert err == ("Error: prod has no password; only staging does (ossgrowth --env staging …)\n")
    assert given.tell() == 0


def test_set_staging_password_refuses_a_short_password(
    staging_stack: Moto, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    code, _, err = run_cli(
        capsys, "--env", "staging", "aws", "set-staging-password", *staging_stack.args()
    )
    assert code == 2 and "at least 8 printable characters" in err


def test_without_botocores_crt_the_store_is_not_written_and_the_secret_kept(
    staging_stack: Moto, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        import awscrt  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("botocore's CRT is installed here: the real client would sign the call")
    secret = api_secret(staging_stack, admin_token=ADMIN_TOKEN)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    code, out, err = run_cli(
        capsys, "--env", "staging", "aws", "set-staging-password", *staging_stack.args()
    )
    assert code == 2 and out == ""
    assert err == (
        "Error: reading staging's CloudFront KeyValueStore: this AWS call is signed with "
        "SigV4A, which needs botocore's CRT: pip install 'botocore[crt]'\n"
    )
    assert staging_stack.secret_json(secret) == {"admin_token": ADMIN_TOKEN}
