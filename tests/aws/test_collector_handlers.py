"""The collectors' handlers, invoked as EventBridge Scheduler invokes them: secrets from moto,
upstreams from the simulator, the environment's store; each slot collected once, within the
invocation's time limit, failures raised for Lambda to count."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from ossgrowth.aws import handlers
from ossgrowth.aws.collectors import PART_SECONDS
from ossgrowth.aws.deadline import FINISH_MARGIN_SECONDS
from ossgrowth.aws.overdue import overdue_schedules
from ossgrowth.aws.scheduled import ScheduledWorkFailed
from ossgrowth.clock import SystemClock
from ossgrowth.collect.slot_parts import parts_of
from ossgrowth.collect.slots import latest_slot
from ossgrowth.metrics.registry import Family
from ossgrowth.store import Store
from tests.aws.conftest import (
    PLENTY_MS,
    TOKEN,
    WRONG_TOKEN,
    ZONE,
    FakeContext,
    Simulator,
    json_lines,
    schedule_of,
    scheduler_event,
)

COLLECTORS: dict[str, Callable[[dict[str, Any], Any], dict[str, Any]]] = {
    "collect:stars": handlers.collect_stars,
    "collect:prs+issues": handlers.collect_activity,
    "collect:downloads": handlers.collect_downloads,
}
FAMILIES = {
    "collect:stars": {Family.STARS, Family.REACH},
    "collect:prs+issues": {Family.PRS, Family.ISSUES},
    "collect:downloads": {Family.DOWNLOADS},
}
SHORT_OF_TIME_MS = int((FINISH_MARGIN_SECONDS + PART_SECONDS / 2) * 1000)
"""Less than a part needs beyond the margin."""


def points_by_family(store: Store) -> dict[Family, int]:
    counted: dict[Family, int] = {}
    for subject in store.list_subjects():
        for family, count in store.count_points(subject.repo).items():
            counted[family] = counted.get(family, 0) + count
    return {family: count for family, count in counted.items() if count}


@pytest.mark.parametrize("job", list(COLLECTORS))
def test_each_collector_collects_its_schedules_families_for_the_slot(
    job: str, tracked_store: Store, simulator: Simulator
) -> None:
    summary = COLLECTORS[job](scheduler_event(job), FakeContext())

    assert summary["status"] == "succeeded", summary
    slot = latest_slot(schedule_of(job), datetime.now(UTC), ZONE)
    assert summary["slot"] == slot.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (summary["parts"], summary["parts_collected"], summary["parts_remaining"]) == (1, 1, 0)
    (run,) = summary["runs"]
    assert run["job"] == job and run["status"] == "succeeded"
    assert run["counts"]["subjects_ok"] == len(simulator.world.repos)
    assert set(points_by_family(tracked_store)) == FAMILIES[job]
    assert [claim.finished_at is not None for claim in tracked_store.slot_claims(job, slot)] == [
        True
    ]


def test_the_token_comes_from_the_secret_and_is_never_shown(
    tracked_store: Store, simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    used_before = simulator.requests_by(TOKEN)
    context = FakeContext()

    summary = handlers.collect_stars(scheduler_event("collect:stars"), context)

    assert summary["status"] == "succeeded"
    assert simulator.requests_by(TOKEN) > used_before  # GitHub was asked with the secret's token
    out, err = capsys.readouterr()
    assert TOKEN not in out + err and TOKEN not in json.dumps(summary)
    lines = json_lines(out)
    assert lines and all(line["aws_request_id"] == context.aws_request_id for line in lines)
    assert any(line.get("summary", {}).get("status") == "succeeded" for line in lines)
    assert summary["request_id"] == context.aws_request_id


def test_a_second_invocation_for_the_same_slot_does_no_double_work(
    tracked_store: Store, simulator: Simulator
) -> None:
    event = scheduler_event("collect:stars")
    first = handlers.collect_stars(event, FakeContext())
    points, runs, requests = (
        points_by_family(tracked_store),
        len(tracked_store.list_runs(100)),
        simulator.requests(),
    )

    again = handlers.collect_stars(event, FakeContext())  # a retry delivers the same event

    assert first["status"] == "succeeded"
    assert again["status"] == "already_done" and again["parts_collected"] == 0
    assert again["runs"] == [] and again["parts_remaining"] == 0
    assert points_by_family(tracked_store) == points
    assert len(tracked_store.list_runs(100)) == runs
    assert simulator.requests() == requests


def test_near_its_time_limit_a_collector_stops_between_parts_and_the_next_invocation_finishes(
    tracked_store: Store, simulator: Simulator
) -> None:
    subjects = tracked_store.list_subjects()
    parts = parts_of("collect:stars", subjects, size=1)
    assert len(parts) >= 2  # the world's repositories fall in several parts of one
    event = {**scheduler_event("collect:stars"), "part_size": 1}
    slot = datetime.fromisoformat(event["scheduled_time"])

    def runs_out_once_a_part_is_done() -> int:
        claims = tracked_store.slot_claims("collect:stars", slot)
        done = any(claim.finished_at is not None for claim in claims)
        return SHORT_OF_TIME_MS if done else PLENTY_MS

    first = handlers.collect_stars(event, FakeContext(runs_out_once_a_part_is_done))

    assert first["status"] == "unfinished"
    assert first["parts"] == len(parts) and first["parts_collected"] == 1
    assert first["parts_remaining"] == len(parts) - 1
    stars_after_first = points_by_family(tracked_store)[Family.STARS]
    assert 0 < stars_after_first < len(subjects)

    second = handlers.collect_stars(event, FakeContext())

    assert second["status"] == "succeeded"
    assert second["parts_collected"] == len(parts) - 1 and second["parts_remaining"] == 0
    assert points_by_family(tracked_store)[Family.STARS] == len(subjects)  # each repo once
    assert [run["status"] for run in first["runs"]] == ["succeeded"]
    assert [run["status"] for run in second["runs"]] == ["succeeded"] * (len(parts) - 1)
    claims = tracked_store.slot_claims("collect:stars", slot)
    assert sorted(claim.job for claim in claims) == sorted(part.job for part in parts)
    assert all(claim.finished_at is not None for claim in claims)


def test_an_invocation_without_time_for_a_part_collects_nothing(
    tracked_store: Store, simulator: Simulator
) -> None:
    requests = simulator.requests()

    summary = handlers.collect_stars(
        scheduler_event("collect:stars"), FakeContext(lambda: SHORT_OF_TIME_MS)
    )

    assert summary["status"] == "unfinished"
    assert (summary["parts_collected"], summary["parts_remaining"]) == (0, 1)
    assert simulator.requests() == requests
    assert points_by_family(tracked_store) == {}


def test_a_slot_older_than_the_schedules_latest_is_not_made_up(
    tracked_store: Store, simulator: Simulator
) -> None:
    latest = latest_slot(schedule_of("collect:stars"), datetime.now(UTC), ZONE)
    requests = simulator.requests()

    summary = handlers.collect_stars(
        scheduler_event("collect:stars", latest - timedelta(hours=3)), FakeContext()
    )

    assert summary["status"] == "superseded" and summary["runs"] == []
    assert simulator.requests() == requests


def test_a_failed_collection_raises_so_lambda_counts_an_error_and_a_retry_takes_it_up(
    tracked_store: Store,
    monkeypatch: pytest.MonkeyPatch,
    make_secret: Callable[[dict[str, Any]], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OSSGROWTH_GITHUB_TOKEN_SECRET", make_secret({"token": WRONG_TOKEN}))
    event = scheduler_event("collect:stars")

    with pytest.raises(ScheduledWorkFailed, match="collect:stars") as failed:
        handlers.collect_stars(event, FakeContext())

    assert WRONG_TOKEN not in str(failed.value)
    assert failed.value.__cause__ is None and failed.value.__suppress_context__
    out, err = capsys.readouterr()
    assert WRONG_TOKEN not in out + err
    (ended,) = [line for line in json_lines(out) if "summary" in line]
    assert ended["summary"]["status"] == "failed" and ended["summary"]["parts_remaining"] == 1
    slot = latest_slot(schedule_of("collect:stars"), datetime.now(UTC), ZONE)
    assert tracked_store.slot_claims("collect:stars", slot) == []  # given back for the retry


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (["collect:stars"], "must be a JSON object"),
        ({"job": "collect:downloads"}, "is the schedule wired to the wrong function"),
        ({"job": "collect:stars", "scheduled_time": "yesterday"}, "not an ISO 8601 time"),
        (
            {"job": "collect:stars", "scheduled_time": "<aws.scheduler.scheduled-time>"},
            "only EventBridge Scheduler fills it in",
        ),
        ({"job": "collect:stars", "part_size": 0}, "'part_size' must be a whole number"),
        (
            {"job": "collect:stars", "scheduled_time": "2999-01-01T00:00:00Z"},
            "is ahead of this function's clock",
        ),
    ],
)
def test_a_malformed_event_fails_with_one_line_saying_what_is_wrong(
    event: object, message: str, tracked_store: Store
) -> None:
    with pytest.raises(ScheduledWorkFailed, match=message) as failed:
        handlers.collect_stars(event, FakeContext())  # type: ignore[arg-type]

    assert "\n" not in str(failed.value) and failed.value.__suppress_context__
    assert tracked_store.list_runs(10) == []


def test_a_collector_without_a_store_url_says_which_variable_to_set(
    lambda_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OSSGROWTH_STORE_URL")

    with pytest.raises(ScheduledWorkFailed, match="OSSGROWTH_STORE_URL is not set"):
        handlers.collect_stars(scheduler_event("collect:stars"), FakeContext())


@pytest.mark.parametrize("lambda_env_name", ["prod"])  # the metric's dimension, this test's own
def test_every_invocation_publishes_how_many_schedules_are_overdue(
    tracked_store: Store, moto_endpoint: str
) -> None:
    cloudwatch = boto3.client("cloudwatch", endpoint_url=moto_endpoint)
    before = datetime.now(UTC)

    summary = handlers.collect_stars(scheduler_event("collect:stars"), FakeContext())

    expected = overdue_schedules(tracked_store, SystemClock().now(), ZONE)
    assert summary["overdue_schedules"] == expected and "collect:stars" not in expected
    published = cloudwatch.get_metric_statistics(
        Namespace="ossgrowth",
        MetricName="CollectionOverdue",
        Dimensions=[{"Name": "Environment", "Value": "prod"}],
        StartTime=before,
        EndTime=datetime.now(UTC) + timedelta(seconds=1),
        Period=1,
        Statistics=["Maximum", "SampleCount"],
    )["Datapoints"]
    assert [(point["Maximum"], point["SampleCount"]) for point in published] == [
        (float(len(expected)), 1.0)
    ]
