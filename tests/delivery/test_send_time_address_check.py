"""The address check made again when a webhook or Slack delivery is sent: a name that resolves
to a private address by then (DNS rebinding) is refused, and what is sent goes to the address
that was checked, with the name in ``Host`` and in TLS."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ossgrowth.alert_rules_input import RuleDraft, add_rule
from ossgrowth.alert_types import DeliveryStatus
from ossgrowth.clock import FixedClock
from ossgrowth.config import load_settings
from ossgrowth.delivery import DeliveryDispatcher
from ossgrowth.delivery.public_addresses import PublicAddressTransport
from ossgrowth.delivery.webhooks import http_client, post
from ossgrowth.store import SqlStore
from tests.delivery.examples import OBSERVED_AT, a_rule, an_event, raise_events, stored_rule
from tests.delivery.receiver import Receiver

pytestmark = pytest.mark.anyio

HOOK_HOST = "hooks.example.test"
PUBLIC_ADDRESS = "93.184.215.14"
LOOPBACK_REFUSAL = (
    "resolves to 127.0.0.1, which is not a public address: not sent "
    "(OSSGROWTH_ALERTS_ALLOW_PRIVATE_TARGETS=true allows private, loopback and link-local "
    "targets)"
)


class Dns:
    """A resolver the test points: each name → its addresses now (and what was asked)."""

    def __init__(self) -> None:
        self.answers: dict[str, list[str]] = {}
        self.asked: list[str] = []

    def point(self, name: str, *addresses: str) -> None:
        self.answers[name] = list(addresses)

    def __call__(self, name: str) -> list[str]:
        self.asked.append(name)
        if name not in self.answers:
            raise OSError(f"{name}: name or service not known")
        return list(self.answers[name])


def hook_url(receiver: Receiver, host: str = HOOK_HOST) -> str:
    """The receiver's URL with ``host`` for its address (the port stays the receiver's)."""
    return receiver.url.replace("127.0.0.1", host)


async def test_a_name_resolving_to_loopback_is_refused_when_sent_and_not_retried(
    store: SqlStore, receiver: Receiver, clock: FixedClock
) -> None:
    dns = Dns()
    dns.point(HOOK_HOST, "127.0.0.1")
    rule = stored_rule(store, a_rule(target=hook_url(receiver)))
    raise_events(store, an_event(rule_id=rule.id))

    result = await DeliveryDispatcher(store, clock, resolve=dns).run_once()

    [refused] = store.list_deliveries()
    assert result.failed == [refused.id] and result.retrying == []
    port = receiver.url.split(":")[2].split("/")[0]
    assert refused.status is DeliveryStatus.FAILED and refused.attempts == 1
    assert refused.last_error == f"http://{HOOK_HOST}:{port} {LOOPBACK_REFUSAL}"
    assert refused.next_attempt_at is None
    assert receiver.received == []
    clock.advance(timedelta(days=1))
    assert (await DeliveryDispatcher(store, clock, resolve=dns).run_once()).due == 0


async def test_a_name_that_was_public_when_the_rule_was_made_and_rebinds_is_refused(
    store: SqlStore, receiver: Receiver, clock: FixedClock
) -> None:
    dns = Dns()
    dns.point(HOOK_HOST, PUBLIC_ADDRESS)
    draft = RuleDraft(
        name="widgets reach 1000 stars",
        kind="milestone",
        family="stars",
        channel="slack",
        target=hook_url(receiver),
        scope="repository",
        scope_name="octo/widgets",
        params={"value": 1000},
    )
    rule = add_rule(store, draft, created_at=OBSERVED_AT, allow_private_targets=False, resolve=dns)
    dns.point(HOOK_HOST, PUBLIC_ADDRESS, "127.0.0.1")  # the name's owner changed its answer
    raise_events(store, an_event(rule_id=rule.id))

    result = await DeliveryDispatcher(store, clock, resolve=dns).run_once()

    [refused] = store.list_deliveries()
    assert result.failed == [refused.id]
    assert refused.last_error is not None and refused.last_error.endswith(LOOPBACK_REFUSAL)
    assert receiver.received == []
    assert dns.asked == [HOOK_HOST, HOOK_HOST]  # when made, and when sent


@pytest.mark.parametrize("address", ["10.1.2.3", "169.254.169.254", "::1", "::ffff:127.0.0.1"])
async def test_every_kind_of_private_address_is_refused_at_send_time(
    store: SqlStore, receiver: Receiver, clock: FixedClock, address: str
) -> None:
    dns = Dns()
    dns.point(HOOK_HOST, PUBLIC_ADDRESS, address)
    rule = stored_rule(store, a_rule(target=hook_url(receiver)))
    raise_events(store, an_event(rule_id=rule.id))

    result = await DeliveryDispatcher(store, clock, resolve=dns).run_once()

    [refused] = store.list_deliveries()
    assert result.failed == [refused.id]
    assert f"resolves to {address}, which is not a public address" in str(refused.last_error)
    assert receiver.received == []


async def test_a_name_that_does_not_resolve_is_tried_again_later(
    store: SqlStore, receiver: Receiver, clock: FixedClock
) -> None:
    rule = stored_rule(store, a_rule(target=hook_url(receiver, "gone.example.test")))
    raise_events(store, an_event(rule_id=rule.id))

    result = await DeliveryDispatcher(store, clock, resolve=Dns()).run_once()

    [waiting] = store.list_deliveries()
    assert result.retrying == [waiting.id]
    assert waiting.status is DeliveryStatus.PENDING
    assert "gone.example.test does not resolve" in str(waiting.last_error)


async def test_with_private_targets_allowed_a_loopback_name_is_delivered(
    store: SqlStore, receiver: Receiver, clock: FixedClock
) -> None:
    rule = stored_rule(store, a_rule(target=hook_url(receiver, "localhost")))
    raise_events(store, an_event(rule_id=rule.id))
    settings = load_settings(alerts_allow_private_targets=True)

    result = await DeliveryDispatcher.from_settings(settings, store, clock).run_once()

    [delivered] = store.list_deliveries()
    assert result.delivered == [delivered.id]
    assert receiver.delivery_ids == [delivered.id] and receiver.received[0].signature_valid


async def test_the_setting_off_is_what_the_settings_give_by_default(
    store: SqlStore, receiver: Receiver, clock: FixedClock
) -> None:
    rule = stored_rule(store, a_rule(target=hook_url(receiver, "localhost")))
    raise_events(store, an_event(rule_id=rule.id))

    result = await DeliveryDispatcher.from_settings(load_settings(), store, clock).run_once()

    [refused] = store.list_deliveries()
    assert result.failed == [refused.id]
    assert "which is not a public address: not sent" in str(refused.last_error)
    assert receiver.received == []


async def test_the_request_goes_to_the_checked_address_with_the_name_in_host(
    receiver: Receiver,
) -> None:
    dns = Dns()
    dns.point(HOOK_HOST, "127.0.0.2", "127.0.0.1")  # the first refuses: only .1 listens
    url = hook_url(receiver)
    transport = PublicAddressTransport(resolve=dns, allow_private=True)

    async with http_client(transport) as client:
        attempt = await post(client, url, b"{}", {}, now=OBSERVED_AT)

    assert attempt.delivered, attempt.error
    [request] = receiver.received
    assert request.headers["host"] == url.split("/")[2]  # hooks.example.test:PORT
    assert dns.asked == [HOOK_HOST]  # resolved once


@dataclass
class TlsReceiver:
    url: str
    ca: ssl.SSLContext
    server_names: list[str | None]
    hosts: list[str]


@pytest.fixture
def tls_receiver(tmp_path: Path) -> Iterator[TlsReceiver]:
    """An https receiver on 127.0.0.1 whose certificate names only ``HOOK_HOST``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOOK_HOST)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOOK_HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    (tmp_path / "cert.pem").write_bytes(pem)
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server_names: list[str | None] = []
    hosts: list[str] = []
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server_context.sni_callback = lambda _socket, server_name, _context: server_names.append(
        server_name
    )

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            hosts.append(self.headers["Host"])
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield TlsReceiver(
            url=f"https://{HOOK_HOST}:{server.server_address[1]}/hooks",
            ca=ssl.create_default_context(cadata=pem.decode()),
            server_names=server_names,
            hosts=hosts,
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


async def test_tls_to_the_checked_address_sends_and_checks_the_name(
    tls_receiver: TlsReceiver,
) -> None:
    dns = Dns()
    dns.point(HOOK_HOST, "127.0.0.1")
    inner = httpx.AsyncHTTPTransport(verify=tls_receiver.ca)
    transport = PublicAddressTransport(inner, resolve=dns, allow_private=True)

    async with http_client(transport) as client:
        attempt = await post(client, tls_receiver.url, b"{}", {}, now=OBSERVED_AT)

    assert attempt.delivered, attempt.error
    assert tls_receiver.server_names == [HOOK_HOST]  # SNI names the host, not 127.0.0.1
    assert tls_receiver.hosts == [tls_receiver.url.split("/")[2]]


async def test_tls_to_an_address_whose_certificate_names_another_host_fails(
    tls_receiver: TlsReceiver,
) -> None:
    dns = Dns()
    dns.point("other.example.test", "127.0.0.1")
    inner = httpx.AsyncHTTPTransport(verify=tls_receiver.ca)
    transport = PublicAddressTransport(inner, resolve=dns, allow_private=True)
    url = tls_receiver.url.replace(HOOK_HOST, "other.example.test")

    async with http_client(transport) as client:
        with anyio.fail_after(30):
            attempt = await post(client, url, b"{}", {}, now=OBSERVED_AT)

    assert not attempt.delivered and attempt.retryable
    assert tls_receiver.hosts == []  # the certificate check stopped it before any request


async def test_a_refused_target_never_reaches_the_inner_transport() -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    dns = Dns()
    dns.point(HOOK_HOST, "192.168.1.20")
    transport = PublicAddressTransport(httpx.MockTransport(record), resolve=dns)

    async with http_client(transport) as client:
        attempt = await post(client, f"https://{HOOK_HOST}/h?t=1", b"{}", {}, now=OBSERVED_AT)

    assert attempt.error == (
        f"https://{HOOK_HOST} resolves to 192.168.1.20, which is not a public address: "
        "not sent (OSSGROWTH_ALERTS_ALLOW_PRIVATE_TARGETS=true allows private, loopback "
        "and link-local targets)"
    )
    assert not attempt.retryable
    assert sent == []


async def test_a_public_address_is_what_the_inner_transport_is_asked_for() -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    dns = Dns()
    dns.point(HOOK_HOST, "2606:2800:21f:cb07:6820:80da:af6b:8b2c", PUBLIC_ADDRESS)
    transport = PublicAddressTransport(httpx.MockTransport(record), resolve=dns)

    async with http_client(transport) as client:
        attempt = await post(client, f"https://{HOOK_HOST}/h", b"{}", {}, now=OBSERVED_AT)

    assert attempt.delivered
    [request] = sent
    assert str(request.url) == f"https://{PUBLIC_ADDRESS}/h"  # IPv4 first
    assert request.headers["host"] == HOOK_HOST
    assert request.extensions["sni_hostname"] == HOOK_HOST
