"""Two dispatchers on one store, on every backend: each event is delivered once."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import anyio
import pytest

from ossgrowth.alert_types import DeliveryStatus
from ossgrowth.clock import FixedClock
from ossgrowth.delivery import DeliveryDispatcher
from ossgrowth.model import RepoName
from tests.contracts import test_store_contract as contract
from tests.delivery.examples import OBSERVED_AT, SECRET, a_rule, an_event, raise_events, stored_rule
from tests.delivery.receiver import serving

pytestmark = pytest.mark.anyio
make_store = contract.make_store
"""The backends' fixture (SQLite, PostgreSQL, DynamoDB under moto)."""
EVENTS = 24


async def test_two_dispatchers_on_one_store_deliver_each_event_once(
    make_store: contract.StoreFactory,
) -> None:
    store = make_store()
    store.add_subject(RepoName("octo", "widgets"), [], added_at=OBSERVED_AT)
    clock = FixedClock(OBSERVED_AT + timedelta(minutes=1))
    with serving(SECRET) as receiver:
        first_rule = stored_rule(store, a_rule(target=receiver.url, name="first"))
        second_rule = stored_rule(store, a_rule(target=receiver.url, name="second"))
        events = [
            an_event(rule_id=rule.id, key=f"milestone:octo/widgets:stars:{1000 * n}")
            for n in range(1, EVENTS // 2 + 1)
            for rule in (first_rule, second_rule)
        ]
        raise_events(store, *events)
        raise_events(store, *events)  # a second collector raises the same events: no new row
        senders = [
            DeliveryDispatcher(
                store,
                clock,
                allow_private_targets=True,  # the receiver is on a loopback address
                concurrency=4,
                rng=random.Random(n),
                owner=f"sender-{n}",
            )
            for n in (1, 2)
        ]
        results = []

        async def run(sender: DeliveryDispatcher) -> None:
            results.append(await sender.run_until_idle())

        with anyio.fail_after(120):
            async with anyio.create_task_group() as group:
                for sender in senders:
                    group.start_soon(run, sender)

        sent = Counter(receiver.delivery_ids)
    deliveries = store.list_deliveries(limit=100)
    assert len(deliveries) == EVENTS
    assert {delivery.status for delivery in deliveries} == {DeliveryStatus.DELIVERED}
    assert sent == Counter({delivery.id: 1 for delivery in deliveries})
    assert sum(len(result.delivered) for result in results) == EVENTS
    assert all(request.signature_valid for request in receiver.received)
