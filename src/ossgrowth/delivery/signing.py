"""Webhook signatures: HMAC-SHA256 of the exact body, in the manner of GitHub's webhooks.

A webhook POST carries three headers:

- ``X-Ossgrowth-Delivery``: the delivery id, the same on every retry of one event (a
  receiver de-duplicates by it);
- ``X-Ossgrowth-Event``: the rule's kind (``milestone``, ``spike`` …);
- ``X-Ossgrowth-Signature-256``: ``sha256=`` and the hex HMAC-SHA256 of the body's bytes
  under the rule's secret (absent when the rule has no secret).

A receiver checks a body with :func:`verify` (or the same few lines of its own, docs/alerts.md):
compute the HMAC of the raw bytes it received, before any JSON parsing, and compare in constant
time. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "SIGNATURE_PREFIX",
    "signature",
    "signed_headers",
    "verify",
]

SIGNATURE_HEADER = "X-Ossgrowth-Signature-256"
DELIVERY_HEADER = "X-Ossgrowth-Delivery"
EVENT_HEADER = "X-Ossgrowth-Event"
SIGNATURE_PREFIX = "sha256="


def signature(secret: str, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of ``body``.

    Args:
        secret: the rule's secret (UTF-8 encoded as the key).
        body: the exact bytes sent.
    """
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def signed_headers(
    *, body: bytes, delivery_id: str, event: str, secret: str | None
) -> dict[str, str]:
    """The headers of one webhook POST of ``body`` (the signature only with a secret)."""
    headers = {DELIVERY_HEADER: delivery_id, EVENT_HEADER: event}
    if secret:
        headers[SIGNATURE_HEADER] = signature(secret, body)
    return headers


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` (the received ``X-Ossgrowth-Signature-256``) signs ``body``.

    For receivers: pass the raw request body, not a re-serialised one. The comparison takes
    the same time whatever the header holds, so it gives away nothing of the right signature.

    Args:
        secret: the secret set on the rule.
        body: the request body's bytes as received.
        header: the header's value, or ``None`` when it was missing (never valid).

    Returns:
        ``True`` only when the header is ``sha256=<hex>`` of this body under this secret.
    """
    if not header:
        return False
    return hmac.compare_digest(signature(secret, body).encode(), header.strip().encode())
