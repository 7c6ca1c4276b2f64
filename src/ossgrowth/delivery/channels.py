"""One try of one delivery on its rule's channel: webhook, Slack or e-mail."""

from __future__ import annotations

from datetime import datetime

import httpx

from ossgrowth.alert_types import AlertRule, Channel, Delivery
from ossgrowth.delivery.backoff import Attempt
from ossgrowth.delivery.payloads import email_message, slack_body, webhook_body
from ossgrowth.delivery.signing import DELIVERY_HEADER, EVENT_HEADER, signed_headers
from ossgrowth.delivery.smtp import SMTP_TIMEOUT_SECONDS, SmtpConfig, send_message
from ossgrowth.delivery.webhooks import TOTAL_TIMEOUT_SECONDS, post

__all__ = ["EMAIL_NOT_CONFIGURED", "Senders"]

EMAIL_NOT_CONFIGURED = (
    "e-mail is not configured: set OSSGROWTH_SMTP_HOST and OSSGROWTH_SMTP_FROM "
    "(the delivery waits and is tried again)"
)


class Senders:
    """Sends deliveries over one HTTP client and the configured SMTP server.

    Args:
        client: from :func:`~ossgrowth.delivery.webhooks.http_client`.
        smtp: the SMTP server, or ``None`` when e-mail is not configured.
        total_timeout_seconds: the limit of one webhook or Slack POST.
        smtp_timeout_seconds: the limit of one e-mail's exchange.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        smtp: SmtpConfig | None,
        *,
        total_timeout_seconds: float = TOTAL_TIMEOUT_SECONDS,
        smtp_timeout_seconds: float = SMTP_TIMEOUT_SECONDS,
    ) -> None:
        self._client = client
        self._smtp = smtp
        self._total_timeout_seconds = total_timeout_seconds
        self._smtp_timeout_seconds = smtp_timeout_seconds

    async def send(self, delivery: Delivery, rule: AlertRule, *, now: datetime) -> Attempt:
        """Try ``delivery`` once on ``rule``'s channel; the outcome, never an exception."""
        if rule.channel is Channel.EMAIL:
            if self._smtp is None:
                return Attempt.retry(EMAIL_NOT_CONFIGURED)
            message = email_message(
                delivery, rule, sender=self._smtp.sender, recipient=rule.target, sent_at=now
            )
            return await send_message(
                self._smtp, message, timeout_seconds=self._smtp_timeout_seconds
            )
        if rule.channel is Channel.SLACK:
            body = slack_body(delivery, rule)
            headers = {DELIVERY_HEADER: delivery.id, EVENT_HEADER: rule.kind.value}
        else:
            body = webhook_body(delivery, rule)
            headers = signed_headers(
                body=body, delivery_id=delivery.id, event=rule.kind.value, secret=rule.secret
            )
        return await post(
            self._client,
            rule.target,
            body,
            headers,
            now=now,
            total_timeout_seconds=self._total_timeout_seconds,
        )
