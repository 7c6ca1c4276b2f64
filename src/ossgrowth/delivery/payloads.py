"""What each channel is sent: the webhook's JSON, Slack's incoming-webhook body, the e-mail.

Pure: a :class:`~ossgrowth.alert_types.Delivery` and its rule in, bytes or a message out. The
webhook body is the documented, stable shape (docs/alerts.md); its bytes are what the
signature signs, so it is built once per try and sent as is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from ossgrowth.alert_types import AlertRule, Delivery

__all__ = [
    "MAX_SUBJECT_CHARACTERS",
    "email_message",
    "slack_body",
    "webhook_body",
    "webhook_document",
]

MAX_SUBJECT_CHARACTERS = 200
"""An e-mail subject (and Slack's headline) is cut to this many characters."""


def webhook_document(delivery: Delivery, rule: AlertRule) -> dict[str, Any]:
    """The generic webhook's JSON document, before encoding.

    ``{"delivery_id", "rule": {"id", "name", "kind"}, "event_key", "repo", "family",
    "observed_at", "summary", "details"}``; ``repo`` is ``owner/name`` or ``null``,
    ``observed_at`` ISO-8601 UTC with ``Z``.
    """
    event = delivery.event
    return {
        "delivery_id": delivery.id,
        "rule": {"id": event.rule_id, "name": rule.name, "kind": rule.kind.value},
        "event_key": event.event_key,
        "repo": None if event.repo is None else event.repo.full_name,
        "family": event.family.value,
        "observed_at": _iso_utc(event.observed_at),
        "summary": event.summary,
        "details": _plain(event.details),
    }


def webhook_body(delivery: Delivery, rule: AlertRule) -> bytes:
    """The webhook body's bytes (UTF-8 JSON): what is sent and what the signature signs."""
    return _encode(webhook_document(delivery, rule))


def slack_body(delivery: Delivery, rule: AlertRule) -> bytes:
    """Slack's incoming-webhook body: ``text`` (the notification) and two simple blocks.

    Slack reads ``&``, ``<`` and ``>`` as markup, so they are escaped as its docs ask.
    """
    event = delivery.event
    headline = _escape_slack(_one_line(event.summary))
    facts = [
        f"{_escape_slack(str(key))}: {_escape_slack(_fact(value))}"
        for key, value in sorted(event.details.items())
    ]
    context = " · ".join(
        part
        for part in (
            None if event.repo is None else _escape_slack(event.repo.full_name),
            event.family.value,
            f"rule {_escape_slack(_one_line(rule.name))} ({rule.kind.value})",
            f"observed {_iso_utc(event.observed_at)}",
        )
        if part
    )
    section = headline if not facts else headline + "\n" + "\n".join(facts)
    document = {
        "text": headline,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": section}},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"{context} · delivery {delivery.id}"}],
            },
        ],
    }
    return _encode(document)


def email_message(
    delivery: Delivery, rule: AlertRule, *, sender: str, recipient: str, sent_at: datetime
) -> EmailMessage:
    """The e-mail of one delivery: the summary as its subject, the facts as plain text.

    Its ``Message-ID`` and ``X-Ossgrowth-Delivery`` header carry the delivery id, so a retry
    of one event is recognisably the same message.
    """
    event = delivery.event
    message = EmailMessage()
    message["Subject"] = _one_line(event.summary)
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = format_datetime(sent_at.astimezone(UTC))
    message["Message-ID"] = f"<{delivery.id}@ossgrowth>"
    message["X-Ossgrowth-Delivery"] = delivery.id
    message["X-Ossgrowth-Event"] = rule.kind.value
    lines = [event.summary, ""]
    if event.repo is not None:
        lines.append(f"Repository: {event.repo.full_name}")
    lines += [
        f"Family: {event.family.value}",
        f"Observed at: {_iso_utc(event.observed_at)}",
        f"Rule: {rule.name} ({rule.kind.value}, id {event.rule_id})",
    ]
    lines += [f"{key}: {_fact(value)}" for key, value in sorted(event.details.items())]
    lines += ["", f"Delivery id: {delivery.id}", f"Event: {event.event_key}"]
    message.set_content("\n".join(lines) + "\n")
    return message


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _one_line(text: str) -> str:
    """One line of at most :data:`MAX_SUBJECT_CHARACTERS` (a line break in a header would
    start another header)."""
    flat = " ".join(text.split())
    if len(flat) <= MAX_SUBJECT_CHARACTERS:
        return flat
    return flat[: MAX_SUBJECT_CHARACTERS - 1] + "…"


def _escape_slack(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fact(value: Any) -> str:
    if isinstance(value, datetime):
        return _iso_utc(value)
    if isinstance(value, str):
        return value
    return json.dumps(_plain(value), ensure_ascii=False, sort_keys=True, default=str)


def _plain(value: Any) -> Any:
    """``value`` with mappings as dicts, sequences as lists and times as ISO text."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return _iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _encode(document: Mapping[str, Any]) -> bytes:
    # default=str: a fact that is not JSON (a Decimal) is sent as its text, not dropped
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.encode("utf-8")
