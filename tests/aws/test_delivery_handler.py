"""The alert delivery function's handler, invoked as its every-five-minutes schedule invokes
it: the outbox's due deliveries sent to a real local receiver (and a local SMTP server, with
the password of the alerts secret), once, through the dispatcher every server runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ossgrowth.alert_types import Channel, DeliveryStatus
from ossgrowth.aws import handlers
from ossgrowth.aws.container import Container
from ossgrowth.aws.scheduled import ScheduledWorkFailed
from ossgrowth.aws.secrets import SecretCache, SecretError
from ossgrowth.clock import SystemClock
from ossgrowth.model import RepoName
from ossgrowth.store import Store
from tests.aws.conftest import FakeContext, scheduler_event
from tests.delivery.examples import SECRET, a_rule, an_event, stored_rule
from tests.delivery.receiver import Receiver, serving
from tests.delivery.test_email import (  # the local SMTP server of the e-mail tests
    PASSWORD,
    RECIPIENT,
    SENDER,
    USER,
    Mailbox,
    mailbox,  # noqa: F401 (a fixture)
)

WIDGETS = RepoName("octo", "widgets")
SHORT_OF_TIME_MS = 30_000
"""Less than a round needs beyond the margin: no round is started."""


def delivery_event() -> dict[str, Any]:
    return scheduler_event("alerts:deliver", scheduled_time=SystemClock().now())


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serving(SECRET) as receiver:
        yield receiver


@pytest.fixture
def private_targets_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The operator allows private targets: the receiver is on a loopback address."""
    monkeypatch.setenv("OSSGROWTH_ALERTS_ALLOW_PRIVATE_TARGETS", "true")


def raise_due_event(store: Store, rule_id: int | None, key: str = "milestone:1000") -> None:
    """An event of ``rule_id`` in the outbox, due now (written with its points, as a
    collection writes it)."""
    assert rule_id is not None
    if store.get_subject(WIDGETS) is None:
        store.add_subject(WIDGETS, [], added_at=datetime(2026, 1, 1, tzinfo=UTC))
    due = datetime.now(UTC) - timedelta(minutes=1)
    store.write_points([], events=[an_event(rule_id=rule_id, key=key, observed_at=due)])


def test_the_delivery_function_sends_what_is_due_once(
    tracked_store: Store, receiver: Receiver, private_targets_allowed: None
) -> None:
    raise_due_event(tracked_store, stored_rule(tracked_store, a_rule(target=receiver.url)).id)

    first = handlers.deliver_alerts(delivery_event(), FakeContext())
    again = handlers.deliver_alerts(delivery_event(), FakeContext())

    [delivered] = tracked_store.list_deliveries()
    assert first["status"] == "succeeded", first
    assert (first["job"], first["due"], first["delivered"], first["failed"]) == (
        "alerts:deliver",
        1,
        1,
        0,
    )
    assert again["status"] == "nothing_to_do" and again["due"] == 0
    assert receiver.delivery_ids == [delivered.id] and receiver.received[0].signature_valid
    assert delivered.status is DeliveryStatus.DELIVERED


def test_a_receiver_that_fails_is_tried_again_by_a_later_invocation_not_by_lambda(
    tracked_store: Store, receiver: Receiver, private_targets_allowed: None
) -> None:
    raise_due_event(tracked_store, stored_rule(tracked_store, a_rule(target=receiver.url)).id)
    receiver.answer(503)

    summary = handlers.deliver_alerts(delivery_event(), FakeContext())  # returns: no error

    [waiting] = tracked_store.list_deliveries()
    assert summary["status"] == "partial" and summary["retrying"] == 1
    where = receiver.url.split("/hooks")[0]
    assert summary["errors"] == {waiting.id: f"HTTP 503 from {where}"}
    assert waiting.status is DeliveryStatus.PENDING and waiting.next_attempt_at is not None


def test_on_lambda_a_loopback_target_is_refused_when_sent_unless_allowed(
    tracked_store: Store, receiver: Receiver
) -> None:
    raise_due_event(tracked_store, stored_rule(tracked_store, a_rule(target=receiver.url)).id)

    summary = handlers.deliver_alerts(delivery_event(), FakeContext())

    [refused] = tracked_store.list_deliveries()
    assert summary["status"] == "partial" and summary["failed"] == 1
    assert (
        "resolves to 127.0.0.1, which is not a public address: not sent"
        in (summary["errors"][refused.id])
    )
    assert refused.status is DeliveryStatus.FAILED and receiver.received == []


def test_short_of_time_the_function_leaves_the_deliveries_to_the_next_invocation(
    tracked_store: Store, receiver: Receiver, private_targets_allowed: None
) -> None:
    raise_due_event(tracked_store, stored_rule(tracked_store, a_rule(target=receiver.url)).id)

    short = handlers.deliver_alerts(delivery_event(), FakeContext(lambda: SHORT_OF_TIME_MS))
    after = handlers.deliver_alerts(delivery_event(), FakeContext())

    assert short["status"] == "unfinished" and short["rounds"] == 0
    assert after["status"] == "succeeded" and after["delivered"] == 1
    assert len(receiver.received) == 1


def test_email_alerts_log_in_with_the_password_of_the_alerts_secret(
    tracked_store: Store,
    mailbox: tuple[Mailbox, int],  # noqa: F811 (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
    make_secret: Callable[[dict[str, Any]], str],
) -> None:
    box, port = mailbox
    variables = {
        "OSSGROWTH_SMTP_HOST": "127.0.0.1",
        "OSSGROWTH_SMTP_PORT": str(port),
        "OSSGROWTH_SMTP_FROM": SENDER,
        "OSSGROWTH_SMTP_USER": USER,
        "OSSGROWTH_SMTP_STARTTLS": "false",
        "OSSGROWTH_ALERTS_SECRET": make_secret({"smtp_password": PASSWORD}),
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    rule = stored_rule(tracked_store, a_rule(Channel.EMAIL, target=RECIPIENT))
    raise_due_event(tracked_store, rule.id)

    summary = handlers.deliver_alerts(delivery_event(), FakeContext())

    assert summary["status"] == "succeeded", summary
    assert box.logins == [USER]
    [(sender, recipients, message)] = box.messages
    assert (sender, recipients) == (SENDER, [RECIPIENT])
    assert message["Subject"] == "octo/widgets reached 1,000 stars"


def test_the_alerts_secret_is_read_only_when_e_mail_logs_in(
    lambda_environment: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    make_secret: Callable[[dict[str, Any] | str], str],
) -> None:
    monkeypatch.setenv("OSSGROWTH_ALERTS_SECRET", make_secret("not JSON: never filled in"))
    container = Container(SecretCache())

    settings = container.settings(alert_secrets=True)  # no SMTP login: the secret is not read

    assert settings.smtp_password is None
    monkeypatch.setenv("OSSGROWTH_SMTP_USER", USER)
    with pytest.raises(SecretError, match="is not a JSON object") as refused:
        container.settings(alert_secrets=True)
    assert "never filled" not in str(refused.value)
    monkeypatch.setenv("OSSGROWTH_ALERTS_SECRET", make_secret({"smtp_user": USER}))
    with pytest.raises(SecretError, match='needs "smtp_password"'):
        container.settings(alert_secrets=True)
    container.close()


def test_the_delivery_function_refuses_another_schedules_event(tracked_store: Store) -> None:
    with pytest.raises(ScheduledWorkFailed, match="runs 'alerts:deliver', but the event names"):
        handlers.deliver_alerts(scheduler_event("collect:stars"), FakeContext())
