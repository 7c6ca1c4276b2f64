"""The dispatcher end to end: from the store's outbox to a real local receiver."""

from __future__ import annotations

import logging
import random
import socket
from datetime import timedelta

import anyio
import anyio.to_thread
import pytest

from ossgrowth.alert_types import Channel, DeliveryStatus
from ossgrowth.clock import FixedClock
from ossgrowth.delivery import DeliveryDispatcher, RetryPolicy
from ossgrowth.delivery.signing import EVENT_HEADER, SIGNATURE_HEADER
from ossgrowth.store import SqlStore
from tests.delivery.examples import (
    SECRET,
    a_rule,
    an_event,
    raise_events,
    stored_rule,
)
from tests.delivery.receiver import Receiver, serving

pytestmark = pytest.mark.anyio


def dispatcher(store: SqlStore, clock: FixedClock, **options: object) -> DeliveryDispatcher:
    """A dispatcher that may send to the local receiver (a loopback address)."""
    options.setdefault("allow_private_targets", True)
    return DeliveryDispatcher(store, clock, rng=random.Random(15), **options)  # type: ignore[arg-type]


async def test_an_event_goes_from_the_outbox_to_the_receiver_signed(
    store: SqlStore, receiver: Receiver, clock: FixedClock
) -> None:
    rule = stored_rule(store, a_rule(target=receiver.url))
    raise_events(store, an_event(rule_id=rule.id))
    [pending] = store.list_deliveries()

    result = await dispatcher(store, clock).run_once()

    assert result.delivered == [pending.id]
    [request] = receiver.received
    assert request.path == "/hooks/ossgrowth"
    assert request.signature_valid
    assert request.headers[SIGNATURE_HEADER.lower()].startswith("sha256=")
    assert request.headers[EVENT_HEADER.lower()] == "milestone"
    assert request.headers["content-type"] == "application/json"
    assert request.delivery_id == pending.id
    body = request.json()
    assert body["delivery_id"] == pending.id and body["rule"]["id"] == rule.id
    assert body["repo"] == "octo/widgets" and body["observed_at"] == "2026-11-30T14:00:00Z"
    [done] = store.list_deliveries()
    assert done.status is DeliveryStatus.DELIVERED and done.attempts == 1
    assert done.delivered_at == clock.now() and done.last_error is None
    assert (await dispatcher(store, clock).run_once()).due == 0  # nothing left to send
    assert len(receiver.received) == 1


async def test_a_receiver_that_fails_gets_the_same_delivery_again_after_the_backoff(
    store: SqlStore, receiver: Receiver, clock: FixedClock
) -> None:
    rule = stored_rule(store, a_rule(target=receiver.url))
    raise_events(store, an_event(rule_id=rule.id))
    receiver.answer(500)
    sender = dispatcher(store, clock, policy=RetryPolicy(base_seconds=60, cap_seconds=60))

    first = await sender.run_once()

    [waiting] = store.list_deliveries()
    assert first.retrying == [waiting.id]
    assert waiting.status is DeliveryStatus.PENDING and waiting.attempts == 1
    assert waiting.last_error == f"HTTP 500 from {receiver.url.split('/hooks')[0]}"
    assert waiting.next_attempt_at is not None
    assert clock.now() < waiting.next_attempt_at <= clock.now() + timedelta(seconds=60)
    assert (await sender.run_once()).due == 0  # not before its time
    clock.set(waiting.next_attempt_at)

    second = await sender.run_once()

    assert second.delivered == [waiting.id]
    assert receiver.delivery_ids == [waiting.id, waiting.id]
    assert all(request.signature_valid for request in receiver.received)
    assert receiver.received[0].body == receiver.received[1].body  # same bytes, same signature
    [done] = store.list_deliveries()
    assert done.status is DeliveryStatus.DELIVERED and done.attempts == 2


async def test_a_429_waits_as_long_as_the_receiver_asks(
    store: SqlStore, receiver: Receiver, clock: FixedClock
) -> None:
    rule = stored_rule(store, a_rule(target=receiver.url))
    raise_events(store, an_event(rule_id=rule.id))
    receiver.answer(429, {"Retry-After": "900"})

    await dispatcher(store, clock).run_once()

    [waiting] = store.list_deliveries()
    assert waiting.next_attempt_at == clock.now() + timedelta(seconds=900)


async def test_a_refusal_fails_at_once_and_is_not_sent_again(
    store: SqlStore, receiver: Receiver, clock: FixedClock
) -> None:
    rule = stored_rule(store, a_rule(target=receiver.url))
    raise_events(store, an_event(rule_id=rule.id))
    receiver.answer(410)

    result = await dispatcher(store, clock).run_once()
    clock.advance(timedelta(days=2))
    later = await dispatcher(store, clock).run_once()

    [failed] = store.list_deliveries()
    assert result.failed == [failed.id] and later.due == 0
    assert failed.status is DeliveryStatus.FAILED and failed.attempts == 1
    assert failed.last_error is not None and "HTTP 410" in failed.last_error
    assert len(receiver.received) == 1


async def test_after_the_last_try_the_delivery_fails_with_its_last_error(
    store: SqlStore, receiver: Receiver, clock: FixedClock
) -> None:
    rule = stored_rule(store, a_rule(target=receiver.url))
    raise_events(store, an_event(rule_id=rule.id))
    for _ in range(3):
        receiver.answer(503)
    sender = dispatcher(
        store, clock, policy=RetryPolicy(max_attempts=3, base_seconds=1, cap_seconds=1)
    )

    for _ in range(3):
        await sender.run_once()
        clock.advance(timedelta(seconds=2))

    [failed] = store.list_deliveries()
    assert failed.status is DeliveryStatus.FAILED and failed.attempts == 3
    assert failed.last_error is not None and failed.last_error.endswith("(gave up after 3 tries)")
    assert len(receiver.received) == 3


async def test_slack_gets_its_own_body_and_no_signature(
    store: SqlStore, receiver: Receiver, clock: FixedClock
) -> None:
    rule = stored_rule(store, a_rule(Channel.SLACK, target=receiver.url))
    raise_events(store, an_event(rule_id=rule.id))

    await dispatcher(store, clock).run_once()

    [request] = receiver.received
    body = request.json()
    assert set(body) == {"text", "blocks"}
    assert body["text"] == "octo/widgets reached 1,000 stars"
    assert [block["type"] for block in body["blocks"]] == ["section", "context"]
    assert SIGNATURE_HEADER.lower() not in request.headers
    assert store.list_deliveries()[0].status is DeliveryStatus.DELIVERED


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_slack_url_never_shows_beyond_its_scheme_and_host(
    store: SqlStore, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    port = closed_port()
    secret_path = "/services/T0000/B0000/XXXXslackSECRET"
    target = f"http://hook-user:hook-pass@127.0.0.1:{port}{secret_path}?token=QUERYSECRET"
    rule = stored_rule(store, a_rule(Channel.SLACK, target=target))
    raise_events(store, an_event(rule_id=rule.id))

    with caplog.at_level(logging.DEBUG):
        result = await dispatcher(store, clock).run_once()

    [waiting] = store.list_deliveries()
    assert result.retrying == [waiting.id]
    assert waiting.last_error is not None
    assert waiting.last_error.startswith(f"http://127.0.0.1:{port}: could not connect")
    shown = waiting.last_error + caplog.text
    for secret in ("XXXXslackSECRET", "QUERYSECRET", "hook-pass", "hook-user", "T0000"):
        assert secret not in shown


async def test_a_receiver_that_hangs_holds_only_its_own_delivery(
    store: SqlStore, receiver: Receiver, clock: FixedClock
) -> None:
    with serving(SECRET) as hanging:
        hanging.holding = True
        stuck = stored_rule(store, a_rule(target=hanging.url, name="stuck"))
        prompt = stored_rule(store, a_rule(target=receiver.url, name="prompt"))
        raise_events(store, an_event(rule_id=stuck.id), an_event(rule_id=prompt.id))
        sender = dispatcher(store, clock, concurrency=2)
        outcome = {}

        async def run() -> None:
            outcome["result"] = await sender.run_once()

        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                group.start_soon(run)
                await anyio.to_thread.run_sync(hanging.arrived.wait, 30)
                while not receiver.received:
                    await anyio.sleep(0.01)
                while len(store.list_deliveries(status=DeliveryStatus.DELIVERED)) < 1:
                    await anyio.sleep(0.01)
                assert "result" not in outcome  # the stuck one is still in flight
                hanging.release()

    assert len(outcome["result"].delivered) == 2


@pytest.mark.slow  # waits for the send timeout in real time (half a second)
async def test_a_receiver_that_never_answers_is_cut_off_and_retried(
    store: SqlStore, clock: FixedClock
) -> None:
    with serving(SECRET) as hanging:
        hanging.holding = True
        rule = stored_rule(store, a_rule(target=hanging.url))
        raise_events(store, an_event(rule_id=rule.id))

        with anyio.fail_after(30):
            result = await dispatcher(store, clock, total_timeout_seconds=0.5).run_once()

    [waiting] = store.list_deliveries()
    assert result.retrying == [waiting.id]
    assert waiting.last_error == f"{hanging.url.split('/hooks')[0]} did not answer within 0.5 s"


async def test_the_deliveries_of_a_deleted_or_disabled_rule_are_not_sent(
    store: SqlStore, receiver: Receiver, clock: FixedClock
) -> None:
    rule = stored_rule(store, a_rule(target=receiver.url, enabled=False))
    raise_events(store, an_event(rule_id=rule.id))

    result = await dispatcher(store, clock).run_once()

    [failed] = store.list_deliveries()
    assert result.failed == [failed.id]
    assert failed.last_error == "its rule is disabled; not sent"
    assert receiver.received == []


async def test_a_delivery_held_by_another_sender_is_left_alone(
    store: SqlStore, receiver: Receiver, clock: FixedClock
) -> None:
    rule = stored_rule(store, a_rule(target=receiver.url))
    raise_events(store, an_event(rule_id=rule.id))
    [pending] = store.list_deliveries()
    assert store.claim_delivery(
        pending.id, owner="elsewhere", now=clock.now(), until=clock.now() + timedelta(minutes=2)
    )

    assert (await dispatcher(store, clock).run_once()).due == 0
    clock.advance(timedelta(minutes=2))  # the other sender died: its lease ends
    result = await dispatcher(store, clock).run_once()

    assert result.delivered == [pending.id]
    assert receiver.delivery_ids == [pending.id]


async def test_the_background_loop_warns_of_a_delivery_that_failed_for_good(
    store: SqlStore, receiver: Receiver, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    rule = stored_rule(store, a_rule(target=receiver.url))
    raise_events(store, an_event(rule_id=rule.id))
    receiver.answer(403)
    sender = dispatcher(store, clock)

    with caplog.at_level(logging.WARNING, logger="ossgrowth.delivery.dispatcher"):
        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                group.start_soon(sender.run_forever)
                while sender.rounds < 1:
                    await anyio.sleep(0.01)
                group.cancel_scope.cancel()

    [failed] = store.list_deliveries()
    [warning] = caplog.records
    assert (
        warning.getMessage() == f"alert delivery {failed.id} failed for good: {failed.last_error}"
    )
