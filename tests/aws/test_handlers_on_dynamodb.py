"""The handlers' main paths with the environment's store on DynamoDB (moto in server mode):
each collector, the backfill function, the alert delivery function (to a real local receiver)
and the API, invoked with the events EventBridge Scheduler and API Gateway send, writing to and
reading from DynamoDB tables.

The tests are those of the SQLite run, taken as they are (the same assertions on both
backends), in a world whose oldest repository is two months old: the session's world has a
ten-year-old one whose backfill reconstructs 26,000 points, each a conditional put of its own
on DynamoDB (a lower-ranked point must not replace a measured one), and the stand-in answers
one request at a time. One test of this module's own follows the points from the tables to
the API.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from ossgrowth.aws import handlers
from ossgrowth.clock import SystemClock
from ossgrowth.collect import enqueue_backfill
from ossgrowth.model import Family, Provenance, RepoName
from ossgrowth.store import Store
from ossgrowth.store.dynamo_tables import DynamoLocation, TableNames
from tests.aws import test_api_handler as api
from tests.aws import test_backfill_handler as backfill
from tests.aws import test_collector_handlers as collectors
from tests.aws import test_delivery_handler as deliveries
from tests.aws.conftest import (
    FakeContext,
    Simulator,
    handlers_world,
    http_api_event,
    scheduler_event,
    served_world,
)
from tests.aws.test_api_handler import body_of
from tests.aws.test_delivery_handler import (  # noqa: F401 (fixtures of the delivery tests)
    private_targets_allowed,
    receiver,
)

pytestmark = pytest.mark.dynamodb

YOUNG_WORLD_DAYS = 60
"""Age of the oldest repository of this module's world."""


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    """The handlers' world, two months old instead of ten years."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with served_world(handlers_world(now, oldest_repo_age_days=YOUNG_WORLD_DAYS)) as served:
        yield served


@pytest.fixture
def lambda_store_url(moto_endpoint: str, aws_credentials: None) -> str:
    """The functions' store: DynamoDB in moto, tables of their own for each test."""
    prefix = f"h{uuid.uuid4().hex[:10]}-"
    return f"dynamodb://?region=us-west-2&endpoint={moto_endpoint}&table_prefix={prefix}"


# The main paths, run again here with the fixtures above.
test_each_collector_collects_its_schedules_families_for_the_slot = (
    collectors.test_each_collector_collects_its_schedules_families_for_the_slot
)
test_a_second_invocation_for_the_same_slot_does_no_double_work = (
    collectors.test_a_second_invocation_for_the_same_slot_does_no_double_work
)
test_the_backfill_function_runs_every_queued_job = (
    backfill.test_the_backfill_function_runs_every_queued_job
)
test_near_its_time_limit_the_backfill_stops_after_a_page_and_the_next_invocation_resumes = backfill.test_near_its_time_limit_the_backfill_stops_after_a_page_and_the_next_invocation_resumes  # noqa: E501
test_a_series_read_answers_the_stored_points_and_then_not_modified = (
    api.test_a_series_read_answers_the_stored_points_and_then_not_modified
)
test_the_delivery_function_sends_what_is_due_once = (
    deliveries.test_the_delivery_function_sends_what_is_due_once
)
test_a_receiver_that_fails_is_tried_again_by_a_later_invocation_not_by_lambda = (
    deliveries.test_a_receiver_that_fails_is_tried_again_by_a_later_invocation_not_by_lambda
)
test_on_lambda_a_loopback_target_is_refused_when_sent_unless_allowed = (
    deliveries.test_on_lambda_a_loopback_target_is_refused_when_sent_unless_allowed
)


def table_items(url: str, moto_endpoint: str, family: Family, repo: RepoName) -> list[Any]:
    """The items of ``repo``'s series in its family's table, read with boto3 (not the store)."""
    table = TableNames(DynamoLocation.parse(url).table_prefix, "dev").points(family)
    client = boto3.client("dynamodb", endpoint_url=moto_endpoint)
    answer = client.query(
        TableName=table,
        KeyConditionExpression="#r = :r",
        ExpressionAttributeNames={"#r": "repo"},
        ExpressionAttributeValues={":r": {"S": repo.key}},
        ConsistentRead=True,
    )
    return list(answer["Items"])


def test_collected_and_backfilled_points_land_in_dynamodb_and_the_api_reads_them_back(
    tracked_store: Store, simulator: Simulator, lambda_store_url: str, moto_endpoint: str
) -> None:
    world_repo = max(simulator.world.repos, key=lambda repo: repo.created_at)
    repo = RepoName(world_repo.owner, world_repo.name)
    collected = handlers.collect_stars(scheduler_event("collect:stars"), FakeContext())
    enqueue_backfill(tracked_store, SystemClock(), [repo], [Family.STARS])
    backfilled = handlers.run_backfills(
        scheduler_event("backfill", scheduled_time=SystemClock().now()), FakeContext()
    )

    assert collected["status"] == "succeeded" and backfilled["status"] == "succeeded"
    items = table_items(lambda_store_url, moto_endpoint, Family.STARS, repo)
    ranks = {int(item["provenance"]["N"]) for item in items}
    assert ranks == {Provenance.MEASURED, Provenance.RECONSTRUCTED}
    (measured,) = [i for i in items if int(i["provenance"]["N"]) == Provenance.MEASURED]
    days = {item["timestamp"]["S"][:10] for item in items}
    path = f"/api/v1/repos/{repo}/series/stars"
    raw = handlers.api(http_api_event("GET", path), FakeContext())
    daily = handlers.api(http_api_event("GET", path, query="interval=day"), FakeContext())
    assert raw["statusCode"] == 200 and daily["statusCode"] == 200, (raw, daily)
    series = body_of(raw)
    assert series["count"] == len(items)
    assert series["points"][-1]["star_count"] == int(measured["star_count"]["N"])
    assert body_of(daily)["count"] == len(days)  # day rows, read from the rollups table
