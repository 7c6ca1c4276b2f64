"""What each channel is sent: the webhook's JSON, Slack's body, the e-mail."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from ossgrowth.alert_types import Channel
from ossgrowth.delivery.payloads import (
    MAX_SUBJECT_CHARACTERS,
    email_message,
    slack_body,
    webhook_body,
)
from tests.delivery.examples import a_delivery, a_rule, an_event


def test_the_webhook_body_is_the_documented_document() -> None:
    body = webhook_body(a_delivery(), a_rule())
    assert json.loads(body) == {
        "delivery_id": "0b9d6c3e-3f0e-4a53-9b7c-3d2f1e0a9c11",
        "rule": {"id": 7, "name": "widgets reach 1000 stars", "kind": "milestone"},
        "event_key": "milestone:octo/widgets:stars:1000",
        "repo": "octo/widgets",
        "family": "stars",
        "observed_at": "2026-11-30T14:00:00Z",
        "summary": "octo/widgets reached 1,000 stars",
        "details": {"field": "stars", "value": 1004, "threshold": 1000},
    }


def test_the_webhook_body_never_carries_the_secret_or_the_target() -> None:
    rule = a_rule(target="https://hooks.example/path?token=abc")
    body = webhook_body(a_delivery(), rule).decode()
    assert rule.secret is not None and rule.secret not in body
    assert "token=abc" not in body


def test_a_body_is_the_same_bytes_every_time_so_its_signature_is_too() -> None:
    assert webhook_body(a_delivery(), a_rule()) == webhook_body(a_delivery(), a_rule())


def test_times_and_odd_values_in_the_details_become_text() -> None:
    event = an_event(
        repo=None,
        observed_at=datetime(2026, 11, 30, 6, 0, tzinfo=UTC),
        details={
            "since": datetime(2026, 11, 1, tzinfo=UTC),
            "share": Decimal("0.25"),
            "days": (1, 2),
        },
    )
    document = json.loads(webhook_body(a_delivery(event), a_rule()))
    assert document["repo"] is None
    assert document["details"] == {"since": "2026-11-01T00:00:00Z", "share": "0.25", "days": [1, 2]}


def test_slacks_body_has_text_and_two_simple_blocks() -> None:
    body = json.loads(slack_body(a_delivery(), a_rule(Channel.SLACK)))
    assert body["text"] == "octo/widgets reached 1,000 stars"
    section, context = body["blocks"]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert section["text"]["text"].startswith("octo/widgets reached 1,000 stars\n")
    assert "value: 1004" in section["text"]["text"]
    assert context["type"] == "context"
    assert "0b9d6c3e-3f0e-4a53-9b7c-3d2f1e0a9c11" in context["elements"][0]["text"]
    assert "octo/widgets" in context["elements"][0]["text"]


def test_slack_markup_in_a_summary_is_escaped() -> None:
    event = an_event(summary="<!channel> & <https://evil.example|click>")
    body = json.loads(slack_body(a_delivery(event), a_rule(Channel.SLACK)))
    assert body["text"] == "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"


def test_the_email_subject_is_the_summary_and_the_ids_are_in_headers() -> None:
    message = email_message(
        a_delivery(),
        a_rule(Channel.EMAIL, target="team@example.org"),
        sender="alerts@example.org",
        recipient="team@example.org",
        sent_at=datetime(2026, 11, 30, 14, 5, tzinfo=UTC),
    )
    assert message["Subject"] == "octo/widgets reached 1,000 stars"
    assert message["From"] == "alerts@example.org" and message["To"] == "team@example.org"
    assert message["Message-ID"] == "<0b9d6c3e-3f0e-4a53-9b7c-3d2f1e0a9c11@ossgrowth>"
    assert message["X-Ossgrowth-Delivery"] == "0b9d6c3e-3f0e-4a53-9b7c-3d2f1e0a9c11"
    text = message.get_content()
    assert "Repository: octo/widgets" in text and "threshold: 1000" in text


def test_a_summary_with_line_breaks_cannot_add_email_headers() -> None:
    event = an_event(summary="spike\r\nBcc: everyone@example.org\n" + "x" * 500)
    message = email_message(
        a_delivery(event),
        a_rule(Channel.EMAIL, target="team@example.org"),
        sender="alerts@example.org",
        recipient="team@example.org",
        sent_at=datetime(2026, 11, 30, 14, 5, tzinfo=UTC),
    )
    subject = message["Subject"]
    assert "\n" not in subject and "\r" not in subject
    assert len(subject) == MAX_SUBJECT_CHARACTERS and subject.endswith("…")
    assert message["Bcc"] is None
