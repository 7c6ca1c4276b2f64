"""Alert delivery: the outbox's deliveries sent to webhooks, Slack and e-mail, with retries.

Pure parts: :mod:`~ossgrowth.delivery.signing` (the HMAC signature and its check),
:mod:`~ossgrowth.delivery.payloads` (what each channel is sent) and
:mod:`~ossgrowth.delivery.backoff` (when to try again). I/O at the edge:
:mod:`~ossgrowth.delivery.webhooks` (HTTP), :mod:`~ossgrowth.delivery.smtp` (e-mail), and the
:class:`DeliveryDispatcher` that claims, sends and settles. See docs/alerts.md.
"""

from ossgrowth.delivery.backoff import DEFAULT_POLICY, Attempt, RetryPolicy
from ossgrowth.delivery.dispatcher import DeliveryDispatcher, DispatchResult
from ossgrowth.delivery.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    signature,
    verify,
)
from ossgrowth.delivery.smtp import SmtpConfig

__all__ = [
    "DEFAULT_POLICY",
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "Attempt",
    "DeliveryDispatcher",
    "DispatchResult",
    "RetryPolicy",
    "SmtpConfig",
    "signature",
    "verify",
]
