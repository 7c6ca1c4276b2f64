"""The DynamoDB store beyond the shared contract: its URL, table layout, environment claim,
identities across renames, values DynamoDB cannot hold as numbers, batches DynamoDB answers
only in part, and the capacity it reports (moto in server mode; see tests/conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ossgrowth.errors import ConfigError, StoreError, StoreUnreachable
from ossgrowth.metrics.resample import Interval
from ossgrowth.model import Ecosystem, Family, PackageRef, Point, Provenance, RepoName
from ossgrowth.store import DynamoStore, store_at
from ossgrowth.store.dynamo_io import CapacityMeter, DynamoCalls, item_size
from ossgrowth.store.dynamo_items import epoch_of, iso, read_number, value_of
from ossgrowth.store.dynamo_tables import DynamoLocation, TableNames

pytestmark = pytest.mark.dynamodb

T0 = datetime(2026, 1, 1, tzinfo=UTC)
REPO = RepoName("octo", "widgets")


@pytest.fixture
def url(moto_endpoint: str, aws_credentials: None, tmp_path: Path) -> str:
    return f"dynamodb://?region=us-west-2&endpoint={moto_endpoint}&table_prefix={tmp_path.name}-"


@pytest.fixture
def store(url: str) -> Any:
    opened = store_at(url, environment="dev")
    opened.upgrade()
    yield opened
    opened.close()


def stars(count: int, at: datetime, provenance: Provenance = Provenance.MEASURED) -> Point:
    return Point(REPO, Family.STARS, at, {"star_count": count}, provenance, "test")


def test_a_store_url_names_region_endpoint_and_prefix() -> None:
    where = DynamoLocation.parse(
        "dynamodb://?region=eu-west-1&endpoint=http://127.0.0.1:8000&table_prefix=acme-"
    )
    assert where == DynamoLocation("eu-west-1", "http://127.0.0.1:8000", "acme-")
    assert DynamoLocation.parse("dynamodb://") == DynamoLocation()
    for wrong, said in (
        ("dynamodb://?regoin=x", "unknown DynamoDB store URL parameter 'regoin'"),
        ("dynamodb://?region=a&region=b", "gives 'region' twice"),
        ("dynamodb://?endpoint=file:///etc/passwd", "must be an http"),
        ("dynamodb://host/path", "only parameters"),
    ):
        with pytest.raises(ConfigError, match=said):
            DynamoLocation.parse(wrong)


def test_tables_are_the_seeds_names_with_the_rest_beside_them() -> None:
    names = TableNames("", "prod")
    assert names.points(Family.STARS) == "prod-star-growth"
    assert names.points(Family.PRS) == "prod-pr-velocity"
    assert names.points(Family.ISSUES) == "prod-issue-health"
    assert names.points(Family.DOWNLOADS) == "prod-package-downloads"
    assert names.all()["prod-star-growth"] == ("repo", "timestamp")
    assert names.all()["prod-repositories"] == ("repo", None)
    assert set(names.all()) >= {"prod-rollups", "prod-operations"}


def test_upgrade_creates_the_tables_and_points_keep_the_seeds_attributes(store: Any) -> None:
    store.add_subject(REPO, [PackageRef(Ecosystem.NPM, "widgets")], added_at=T0)
    store.write_points([stars(7, T0)])
    item = store.calls.scan(store.tables.points(Family.STARS))[0]
    assert item["repo"] == {"S": "octo/widgets"}
    assert item["timestamp"] == {"S": "2026-01-01T00:00:00Z"}
    assert item["star_count"] == {"N": "7"}
    assert item["environment"] == {"S": "dev"}
    assert item["provenance"] == {"N": "3"} and item["source"] == {"S": "test"}
    assert store.is_current() and store.schema_revision() == store.newest_revision


def test_tables_claimed_by_another_environment_are_refused(url: str, store: Any) -> None:
    store.calls.put(
        store.tables.operations,
        {"pk": {"S": "meta"}, "sk": {"S": "environment"}, "value": {"S": "staging"}},
    )
    with pytest.raises(StoreError, match="holds 'staging' data"):
        store.is_current()
    with pytest.raises(StoreError, match="holds 'staging' data"):
        store.upgrade()


def test_history_stays_with_a_renamed_repository_and_a_new_one_under_the_old_name_starts_empty(
    store: Any,
) -> None:
    store.add_subject(REPO, [], added_at=T0)
    store.write_points([stars(5, T0)])
    renamed = RepoName("octo", "gizmos")
    store.set_identity(REPO, node_id="R_1", current=renamed)
    assert store.read_series(renamed, Family.STARS).columns["star_count"] == [5]
    assert store.get_subject(REPO) is None
    store.add_subject(REPO, [], added_at=T0 + timedelta(days=1))  # the old name, tracked anew
    assert len(store.read_series(REPO, Family.STARS)) == 0
    store.write_points([stars(1, T0 + timedelta(days=1))])
    assert store.read_series(renamed, Family.STARS).columns["star_count"] == [5]
    assert store.remove_subject(renamed) and store.remove_subject(REPO)
    assert store.calls.scan(store.tables.points(Family.STARS)) == []
    assert store.calls.scan(store.tables.rollups) == []


def test_floats_beyond_dynamodbs_range_round_trip_as_text() -> None:
    for value in (5e-324, 1e-200, 1e300, 0.1, 2.0, 0.0):
        assert read_number(value_of(value)) == value
        assert isinstance(read_number(value_of(value)), float)
    assert value_of(5e-324) == {"S": "5e-324"}
    assert read_number(value_of(12)) == 12 and read_number(value_of(None)) is None
    assert epoch_of(iso(1_700_000_000)) == 1_700_000_000


def test_a_reconstructed_point_never_overwrites_a_measured_one_however_batched(store: Any) -> None:
    store.add_subject(REPO, [], added_at=T0)
    moments = [T0 + timedelta(hours=hour) for hour in range(150)]
    store.write_points([stars(100, at) for at in moments[::2]])  # measured, every other hour
    store.write_points([stars(1, at, Provenance.RECONSTRUCTED) for at in moments])  # 2 chunks
    values = store.read_series(REPO, Family.STARS).columns["star_count"]
    assert values == [100 if hour % 2 == 0 else 1 for hour in range(150)]


class _Unprocessing:
    """A client that leaves the first two items of every batch unprocessed, once each."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.meta = inner.meta
        self.calls = 0
        self.left: set[str] = set()

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        self.calls += 1
        (table, requests), *_ = RequestItems.items()
        held = [r for r in requests[:2] if repr(r) not in self.left]
        self.left.update(repr(r) for r in held)
        sent = [r for r in requests if r not in held]
        if sent:
            self.inner.batch_write_item(RequestItems={table: sent})
        return {"UnprocessedItems": {table: held} if held else {}}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_items_dynamodb_leaves_unprocessed_are_sent_again_with_backoff(store: Any) -> None:
    store.add_subject(REPO, [], added_at=T0)
    waits: list[float] = []
    store.calls._sleep = waits.append
    store.calls.client = _Unprocessing(store.calls.client)
    store.write_points([stars(hour, T0 + timedelta(hours=hour)) for hour in range(60)])
    assert len(store.read_series(REPO, Family.STARS)) == 60
    assert waits and all(wait > 0 for wait in waits)


def test_an_endpoint_that_does_not_answer_is_a_clear_store_error(aws_credentials: None) -> None:
    unreachable = store_at(
        "dynamodb://?region=us-west-2&endpoint=http://127.0.0.1:9", environment="dev"
    )
    unreachable.calls.client.meta.config.retries = {"max_attempts": 0}
    with pytest.raises(StoreUnreachable, match="127.0.0.1:9 does not answer"):
        unreachable.ping()


def test_a_missing_table_says_how_to_make_it(url: str) -> None:
    bare = store_at(url.replace("table_prefix=", "table_prefix=none-"), environment="dev")
    assert bare.schema_revision() is None and not bare.is_current()
    with pytest.raises(StoreError, match="deploy the stack, or run `ossgrowth db upgrade`"):
        bare.list_subjects()


def test_capacity_is_metered_as_dynamodb_bills_it() -> None:
    item = {"repo": {"S": "octo/widgets"}, "timestamp": {"S": "2026-01-01T00:00:00Z"}}
    assert item_size(item) == len("repo") + 12 + len("timestamp") + 20
    meter = CapacityMeter()
    meter.write([item, item])  # under 1 KB each: one unit each
    meter.write([item], transactional=True)  # twice in a transaction
    meter.read([item] * 200, consistent=True)  # 200 × 45 B: 9 KB read in one query: 3 units
    meter.read([item] * 200, consistent=False)
    assert meter.snapshot() == (3 + 1.5, 4, 4)


def test_a_shown_series_reads_rollups_not_every_point(store: Any) -> None:
    store.add_subject(REPO, [], added_at=T0)
    store.write_points([stars(h, T0 + timedelta(hours=3 * h)) for h in range(8 * 400)])
    before = store.calls.meter.snapshot()
    shown = store.read_shown(REPO, Family.STARS, interval=Interval.RAW, max_points=300)
    after = store.calls.meter.snapshot()
    assert shown.downsampled and 0 < len(shown.rows) <= 300
    assert after[2] - before[2] < 40  # requests: a few probes and segment reads
    assert after[0] - before[0] < 40  # read units, against ~60 for every point of the series


def test_calls_need_boto3_and_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def without_boto3(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "boto3" or name.startswith("botocore"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_boto3)
    with pytest.raises(ConfigError, match=r"pip install 'ossgrowth\[aws\]'"):
        DynamoCalls(region="us-west-2", endpoint=None)


def test_the_store_is_a_dynamo_store(store: Any) -> None:
    assert isinstance(store, DynamoStore)
