"""E-mail deliveries through a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from ossgrowth.alert_types import Channel, DeliveryStatus
from ossgrowth.clock import FixedClock
from ossgrowth.config import load_settings
from ossgrowth.delivery import DeliveryDispatcher
from ossgrowth.delivery.channels import EMAIL_NOT_CONFIGURED
from ossgrowth.errors import ConfigError
from ossgrowth.store import SqlStore
from tests.delivery.examples import OBSERVED_AT, a_rule, an_event, raise_events, stored_rule

pytestmark = pytest.mark.anyio
USER = "alerts-bot"
PASSWORD = "smtp-pass-9f2c41"
SENDER = "ossgrowth@example.org"
RECIPIENT = "maintainers@example.org"


@dataclass
class Mailbox:
    """What the SMTP server took, and whom it let in."""

    messages: list[tuple[str, list[str], Message]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    refuse_recipients: bool = False

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse_recipients:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.original_content or envelope.content
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(content))
        )
        return "250 Message accepted"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword) and data.login.decode() == USER:
            if data.password.decode() == PASSWORD:
                self.logins.append(data.login.decode())
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with socket.socket() as probe:  # the controller checks its server by connecting to it
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=box.authenticate,
        auth_require_tls=False,  # a local test server: no certificate
    )
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def email_dispatcher(
    store: SqlStore, port: int | None, password: str = PASSWORD
) -> DeliveryDispatcher:
    options: dict[str, Any] = {}
    if port is not None:
        options = {
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_user": USER,
            "smtp_password": password,
            "smtp_from": SENDER,
            "smtp_starttls": False,
        }
    clock = FixedClock(OBSERVED_AT + timedelta(minutes=1))
    return DeliveryDispatcher.from_settings(load_settings(**options), store, clock)


async def test_an_email_alert_arrives_with_the_summary_as_its_subject(
    store: SqlStore, mailbox: tuple[Mailbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    box, port = mailbox
    rule = stored_rule(store, a_rule(Channel.EMAIL, target=RECIPIENT))
    raise_events(store, an_event(rule_id=rule.id))
    [pending] = store.list_deliveries()

    with caplog.at_level(logging.DEBUG):
        result = await email_dispatcher(store, port).run_once()

    assert result.delivered == [pending.id]
    assert box.logins == [USER]
    [(mail_from, recipients, message)] = box.messages
    assert mail_from == SENDER and recipients == [RECIPIENT]
    assert message["Subject"] == "octo/widgets reached 1,000 stars"
    assert message["From"] == SENDER and message["To"] == RECIPIENT
    assert message["X-Ossgrowth-Delivery"] == pending.id
    assert message["Message-ID"] == f"<{pending.id}@ossgrowth>"
    assert store.list_deliveries()[0].status is DeliveryStatus.DELIVERED
    assert PASSWORD not in caplog.text


async def test_a_refused_login_is_retried_and_never_shows_the_password(
    store: SqlStore, mailbox: tuple[Mailbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    box, port = mailbox
    rule = stored_rule(store, a_rule(Channel.EMAIL, target=RECIPIENT))
    raise_events(store, an_event(rule_id=rule.id))
    wrong = "wrong-" + PASSWORD

    with caplog.at_level(logging.DEBUG):
        result = await email_dispatcher(store, port, password=wrong).run_once()

    [waiting] = store.list_deliveries()
    assert result.retrying == [waiting.id] and box.messages == []
    assert waiting.last_error is not None
    assert waiting.last_error.startswith(f"SMTP 127.0.0.1:{port} refused the login: 535")
    assert wrong not in waiting.last_error + caplog.text
    assert PASSWORD not in waiting.last_error + caplog.text


async def test_a_recipient_the_server_refuses_for_good_fails_the_delivery(
    store: SqlStore, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    box.refuse_recipients = True
    rule = stored_rule(store, a_rule(Channel.EMAIL, target="nobody@example.org"))
    raise_events(store, an_event(rule_id=rule.id))

    result = await email_dispatcher(store, port).run_once()

    [failed] = store.list_deliveries()
    assert result.failed == [failed.id]
    assert failed.last_error == f"SMTP 127.0.0.1:{port} refused the recipient (550)"


async def test_without_an_smtp_server_email_deliveries_wait(store: SqlStore) -> None:
    rule = stored_rule(store, a_rule(Channel.EMAIL, target=RECIPIENT))
    raise_events(store, an_event(rule_id=rule.id))

    result = await email_dispatcher(store, None).run_once()

    [waiting] = store.list_deliveries()
    assert result.retrying == [waiting.id]
    assert waiting.status is DeliveryStatus.PENDING and waiting.last_error == EMAIL_NOT_CONFIGURED


def test_the_smtp_password_is_a_secret_of_the_settings() -> None:
    settings = load_settings(smtp_host="mail.example.org", smtp_from=SENDER, smtp_password=PASSWORD)
    assert settings.public_view()["smtp_password"] == "set (hidden)"
    assert PASSWORD not in " ".join(settings.public_view().values()) + repr(settings)
    assert PASSWORD in settings.secret_values()  # so the log filter writes it as ***


def test_an_smtp_host_without_a_from_address_is_refused() -> None:
    with pytest.raises(ConfigError, match="smtp_host is set without smtp_from"):
        load_settings(smtp_host="mail.example.org")


def test_a_password_with_a_line_break_is_refused_without_being_shown() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(smtp_password="first-line\nsecond-line")
    assert "first-line" not in str(refused.value)
