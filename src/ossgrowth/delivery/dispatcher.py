"""The dispatcher: sends the outbox's due deliveries, each under a lease, with retries.

One round (:meth:`DeliveryDispatcher.run_once`) reads the due deliveries, and for each, at
most ``concurrency`` at once: claims it on a lease (of senders claiming at once, one gets
it), tries it once on its rule's channel, and settles it (delivered; pending again from a
backoff time; or failed). A receiver that hangs holds only its own delivery, for at most the
send timeout. ``ossgrowth serve`` and ``ossgrowth collect`` run :meth:`run_forever` as a loop
of its own beside the collections (woken when a collection wrote), so a slow receiver never
holds up collecting; ``ossgrowth alerts deliver`` runs rounds until nothing is due.

The guarantee is at least once, with an id: an event is delivered once per rule unless the
sender dies (or loses its store) after the receiver took the delivery and before it was
settled; then, once the lease has ended, another sender sends it again with the same delivery
id, which the receiver de-duplicates by. A process killed before it sends loses nothing: the
event waits in the outbox, written with its points.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import anyio
import httpx

from ossgrowth.alert_rules_input import Resolver, resolve_host
from ossgrowth.alert_types import AlertRule, Delivery, DeliveryStatus
from ossgrowth.clock import Clock
from ossgrowth.collect.backfill import runner_id
from ossgrowth.collect.wakeup import Wakeup
from ossgrowth.config import Settings
from ossgrowth.delivery.backoff import DEFAULT_POLICY, RetryPolicy, Settlement
from ossgrowth.delivery.channels import Senders
from ossgrowth.delivery.public_addresses import PublicAddressTransport
from ossgrowth.delivery.smtp import SMTP_TIMEOUT_SECONDS, SmtpConfig
from ossgrowth.delivery.webhooks import (
    CONNECT_TIMEOUT_SECONDS,
    TOTAL_TIMEOUT_SECONDS,
    http_client,
)
from ossgrowth.errors import OssgrowthError
from ossgrowth.store import Store
from ossgrowth.store.off_loop import off_loop

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_DELIVERY_LEASE_SECONDS",
    "DeliveryDispatcher",
    "DispatchResult",
]

logger = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 8
"""Deliveries in flight at once."""
DEFAULT_BATCH_SIZE = 100
"""Due deliveries read per round."""
DEFAULT_DELIVERY_LEASE_SECONDS = 120.0
"""How long a claimed delivery stays with its sender: well past the longest try (30 s), so
no other sender takes it up while it is being sent."""


@dataclass(slots=True)
class DispatchResult:
    """What a round did, by outcome."""

    delivered: list[str] = field(default_factory=list)
    """Delivery ids the receivers took."""
    retrying: list[str] = field(default_factory=list)
    """Tried and pending again, for a later try."""
    failed: list[str] = field(default_factory=list)
    """Given up."""
    taken: int = 0
    """Due when read, but claimed by another sender (or settled) before this one could."""
    due: int = 0
    """Due deliveries read."""
    errors: dict[str, str] = field(default_factory=dict)
    """The error of each delivery tried without success, by id (one line, no secrets)."""

    def absorb(self, other: DispatchResult) -> None:
        """Add ``other``'s outcomes (a later round's) to these."""
        self.delivered += other.delivered
        self.retrying += other.retrying
        self.failed += other.failed
        self.taken += other.taken
        self.due += other.due
        self.errors.update(other.errors)

    def describe(self) -> str:
        """One line: ``3 delivered, 1 to be retried, 0 failed (1 taken by another sender)``."""
        line = (
            f"{len(self.delivered)} delivered, {len(self.retrying)} to be retried, "
            f"{len(self.failed)} failed"
        )
        return line + (f" ({self.taken} taken by another sender)" if self.taken else "")


class DeliveryDispatcher:
    """Sends due deliveries from ``store``'s outbox.

    Args:
        store: the environment's store.
        clock: what "now" is (leases, backoff times).
        smtp: the SMTP server of e-mail rules; ``None``: e-mail deliveries wait.
        transport: the HTTP transport (default: the network).
        allow_private_targets: send webhook and Slack deliveries to private, loopback and
            link-local addresses (the setting ``alerts_allow_private_targets``). Off, each
            request's host is resolved and checked as it is sent, and the request goes to the
            checked address (:mod:`~ossgrowth.delivery.public_addresses`); a target that
            resolves to a private address fails, not retried.
        resolve: how a host name becomes addresses, for that check.
        concurrency: deliveries in flight at once.
        batch_size: due deliveries read per round.
        lease_seconds: how long a claimed delivery stays with this sender.
        poll_seconds: how often :meth:`run_forever` looks for due deliveries unwoken.
        policy: when to retry.
        rng: the backoff's jitter (seeded in tests).
        owner: the name this sender's leases carry (default: host, process and a nonce).
        connect_timeout_seconds, total_timeout_seconds: of one webhook or Slack POST.
        smtp_timeout_seconds: of one e-mail.
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        smtp: SmtpConfig | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_private_targets: bool = False,
        resolve: Resolver = resolve_host,
        concurrency: int = DEFAULT_CONCURRENCY,
        batch_size: int = DEFAULT_BATCH_SIZE,
        lease_seconds: float = DEFAULT_DELIVERY_LEASE_SECONDS,
        poll_seconds: float = 10.0,
        policy: RetryPolicy = DEFAULT_POLICY,
        rng: random.Random | None = None,
        owner: str | None = None,
        connect_timeout_seconds: float = CONNECT_TIMEOUT_SECONDS,
        total_timeout_seconds: float = TOTAL_TIMEOUT_SECONDS,
        smtp_timeout_seconds: float = SMTP_TIMEOUT_SECONDS,
    ) -> None:
        if concurrency < 1 or batch_size < 1:
            raise ValueError("concurrency and batch size are at least 1")
        self._store = store
        self._clock = clock
        self._smtp = smtp
        self._transport = transport
        self._allow_private_targets = allow_private_targets
        self._resolve = resolve
        self._concurrency = concurrency
        self._batch_size = batch_size
        self._lease = timedelta(seconds=lease_seconds)
        self._poll_seconds = poll_seconds
        self._policy = policy
        self._rng = rng or random.Random()
        self.owner = owner or runner_id()
        self._connect_timeout_seconds = connect_timeout_seconds
        self._total_timeout_seconds = total_timeout_seconds
        self._smtp_timeout_seconds = smtp_timeout_seconds
        self._wakeup = Wakeup()
        self.rounds = 0
        """Rounds run so far."""

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        store: Store,
        clock: Clock,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> DeliveryDispatcher:
        """A dispatcher with the settings' SMTP server, poll interval and private targets."""
        return cls(
            store,
            clock,
            smtp=SmtpConfig.from_settings(settings),
            transport=transport,
            allow_private_targets=settings.alerts_allow_private_targets,
            poll_seconds=settings.delivery_poll_seconds,
        )

    def wake(self) -> None:
        """Look for due deliveries now (a collection wrote); callable from any thread."""
        self._wakeup.set()

    async def run_forever(self) -> None:
        """Send due deliveries until cancelled: a round, then a wait (cut short by
        :meth:`wake`); a full round goes on at once."""
        while True:
            self._wakeup.arm()
            try:
                result = await self.run_once()
            except OssgrowthError as error:  # the store failed; the outbox keeps everything
                logger.warning("alert deliveries stopped: %s; tried again later", error)
                result = DispatchResult()
            for delivery_id in result.failed:
                logger.warning(
                    "alert delivery %s failed for good: %s",
                    delivery_id,
                    result.errors.get(delivery_id),
                )
            if result.due < self._batch_size:
                await self._wakeup.wait(self._poll_seconds)

    async def run_until_idle(self) -> DispatchResult:
        """Rounds until one finds fewer than a batch due: what ``alerts deliver`` runs."""
        total = DispatchResult()
        while True:
            result = await self.run_once()
            total.absorb(result)
            if self.drained(result):
                return total

    def drained(self, result: DispatchResult) -> bool:
        """Whether nothing more is due after the round that had ``result``: it read fewer
        than a batch, or every one it read was another sender's."""
        return result.due < self._batch_size or result.due == result.taken

    async def run_once(self) -> DispatchResult:
        """One round over the deliveries due now."""
        try:
            return await self._round()
        finally:
            self.rounds += 1

    async def _round(self) -> DispatchResult:
        result = DispatchResult()
        due = await off_loop(
            self._store.due_deliveries, now=self._clock.now(), limit=self._batch_size
        )
        result.due = len(due)
        if not due:
            return result
        rules = await self._rules_of(due)
        limiter = anyio.CapacityLimiter(self._concurrency)
        transport = self._transport
        if not self._allow_private_targets:
            transport = PublicAddressTransport(transport, resolve=self._resolve)
        async with http_client(
            transport,
            connect_timeout_seconds=self._connect_timeout_seconds,
            total_timeout_seconds=self._total_timeout_seconds,
        ) as client:
            senders = Senders(
                client,
                self._smtp,
                total_timeout_seconds=self._total_timeout_seconds,
                smtp_timeout_seconds=self._smtp_timeout_seconds,
            )
            async with anyio.create_task_group() as group:
                for delivery in due:
                    rule = rules.get(delivery.event.rule_id)
                    group.start_soon(self._deliver, senders, delivery, rule, limiter, result)
        return result

    async def _rules_of(self, due: Sequence[Delivery]) -> dict[int, AlertRule | None]:
        rules: dict[int, AlertRule | None] = {}
        for rule_id in sorted({delivery.event.rule_id for delivery in due}):
            rules[rule_id] = await off_loop(self._store.get_alert_rule, rule_id)
        return rules

    async def _deliver(
        self,
        senders: Senders,
        delivery: Delivery,
        rule: AlertRule | None,
        limiter: anyio.CapacityLimiter,
        result: DispatchResult,
    ) -> None:
        async with limiter:
            try:
                settlement = await self._claim_and_send(senders, delivery, rule)
            except OssgrowthError as error:  # the store failed: the lease ends, it is retried
                logger.warning("delivery %s not settled: %s", delivery.id, error)
                return
        if settlement is None:
            result.taken += 1
            return
        if settlement.error is not None:
            result.errors[delivery.id] = settlement.error
        if settlement.status is DeliveryStatus.DELIVERED:
            result.delivered.append(delivery.id)
        elif settlement.status is DeliveryStatus.FAILED:
            result.failed.append(delivery.id)
        else:
            result.retrying.append(delivery.id)

    async def _claim_and_send(
        self, senders: Senders, delivery: Delivery, rule: AlertRule | None
    ) -> Settlement | None:
        now = self._clock.now()
        claimed = await off_loop(
            self._store.claim_delivery,
            delivery.id,
            owner=self.owner,
            now=now,
            until=now + self._lease,
        )
        if not claimed:
            return None
        attempts = delivery.attempts + 1
        if rule is None:
            settlement = Settlement(DeliveryStatus.FAILED, error="its rule was deleted")
        elif not rule.enabled:
            settlement = Settlement(DeliveryStatus.FAILED, error="its rule is disabled; not sent")
        else:
            attempt = await senders.send(delivery, rule, now=self._clock.now())
            settlement = self._policy.settle(
                attempt, attempts=attempts, now=self._clock.now(), rng=self._rng
            )
        settled = await off_loop(
            self._store.settle_delivery,
            delivery.id,
            owner=self.owner,
            status=settlement.status,
            attempts=attempts,
            at=self._clock.now(),
            next_attempt_at=settlement.next_attempt_at,
            error=settlement.error,
        )
        if not settled:
            logger.warning(
                "delivery %s was %s, but its lease had ended: another sender may send it again "
                "(same delivery id)",
                delivery.id,
                settlement.status.value,
            )
        logger.info(
            "delivery %s (rule %s, try %s): %s%s",
            delivery.id,
            delivery.event.rule_id,
            attempts,
            settlement.status.value,
            f": {settlement.error}" if settlement.error else "",
        )
        return settlement
