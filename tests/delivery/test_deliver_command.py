"""``ossgrowth alerts deliver``: the due deliveries once, for cron; exit 3 when some did not go."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ossgrowth.alert_types import DeliveryStatus
from ossgrowth.config import load_settings
from ossgrowth.model import RepoName
from ossgrowth.store import SqlStore, open_store
from tests.delivery.examples import SECRET, a_rule, an_event, stored_rule
from tests.delivery.receiver import Receiver, serving
from tests.test_cli import run_cli


@pytest.fixture
def store() -> Iterator[SqlStore]:
    store = open_store(load_settings())  # the dev store the command opens
    store.upgrade()
    store.add_subject(RepoName("octo", "widgets"), [], added_at=datetime(2026, 1, 1, tzinfo=UTC))
    yield store
    store.close()


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv("OSSGROWTH_ALERTS_ALLOW_PRIVATE_TARGETS", "true")  # it is on loopback
    with serving(SECRET) as receiver:
        yield receiver


def raise_due_event(store: SqlStore, rule_id: int | None) -> None:
    assert rule_id is not None
    due = datetime.now(UTC) - timedelta(minutes=1)
    store.write_points([], events=[an_event(rule_id=rule_id, observed_at=due)])


def test_deliver_sends_what_is_due_once(
    capsys: pytest.CaptureFixture[str], store: SqlStore, receiver: Receiver
) -> None:
    raise_due_event(store, stored_rule(store, a_rule(target=receiver.url)).id)

    first = run_cli(capsys, "alerts", "deliver")
    again = run_cli(capsys, "alerts", "deliver")

    assert first == (0, "1 delivered, 0 to be retried, 0 failed\n", "")
    assert again == (0, "0 delivered, 0 to be retried, 0 failed\n", "")
    [delivered] = store.list_deliveries()
    assert receiver.delivery_ids == [delivered.id] and receiver.received[0].signature_valid
    assert delivered.status is DeliveryStatus.DELIVERED


def test_deliver_exits_3_and_names_what_waits_or_failed(
    capsys: pytest.CaptureFixture[str], store: SqlStore, receiver: Receiver
) -> None:
    raise_due_event(store, stored_rule(store, a_rule(target=receiver.url, name="flaky")).id)
    raise_due_event(store, stored_rule(store, a_rule(target=receiver.url, name="gone")).id)
    receiver.answer(503)
    receiver.answer(404)

    code, out, err = run_cli(capsys, "alerts", "deliver")

    assert code == 3
    assert out == "0 delivered, 1 to be retried, 1 failed\n"
    origin = receiver.url.split("/hooks")[0]
    by_status = {delivery.status: delivery for delivery in store.list_deliveries()}
    failed, waiting = by_status[DeliveryStatus.FAILED], by_status[DeliveryStatus.PENDING]
    assert f"failed: {failed.id}: HTTP " in err and f"to retry: {waiting.id}: HTTP " in err
    assert err.count(origin) == 2 and "/hooks" not in err  # one line each, no log lines


def test_deliver_with_nothing_due_says_so(
    capsys: pytest.CaptureFixture[str], store: SqlStore
) -> None:
    assert run_cli(capsys, "alerts", "deliver") == (
        0,
        "0 delivered, 0 to be retried, 0 failed\n",
        "",
    )
