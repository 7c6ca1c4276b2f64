"""``kill -9`` around a delivery: nothing lost, nothing doubled beyond what the id resolves.

Real processes on one SQLite store: a writer that stores a point and the event it raised in
one transaction and dies (SIGKILL) before it sends; a sender that dies while the receiver holds
its answer. A fresh process (or this one, on a clock past the dead sender's lease) delivers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest

from ossgrowth.alert_types import DeliveryStatus
from ossgrowth.clock import FixedClock
from ossgrowth.delivery import DeliveryDispatcher
from ossgrowth.model import RepoName
from ossgrowth.store import SqlStore
from tests.delivery.examples import SECRET, a_rule, stored_rule
from tests.delivery.receiver import Receiver, serving

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
SAFETY_NET_SECONDS = 120
LEASE_SECONDS = 120

WRITE_THEN_WAIT = """
import sys
from datetime import UTC, datetime, timedelta
import anyio
from ossgrowth.alert_types import AlertEvent
from ossgrowth.clock import SystemClock
from ossgrowth.delivery import DeliveryDispatcher
from ossgrowth.metrics.registry import Family
from ossgrowth.model import Point, Provenance, RepoName
from ossgrowth.store import SqlStore

store = SqlStore(sys.argv[1], environment="dev")
repo = RepoName("octo", "widgets")
observed_at = datetime.now(UTC) - timedelta(minutes=1)
point = Point(repo, Family.STARS, observed_at, {"star_count": 1004}, Provenance.MEASURED, "test")
event = AlertEvent(
    rule_id=int(sys.argv[2]),
    event_key="milestone:octo/widgets:stars:1000",
    repo=repo,
    family=Family.STARS,
    observed_at=observed_at,
    summary="octo/widgets reached 1,000 stars",
    details={"value": 1004},
)
store.write_points([point], events=[event])
print("written", flush=True)
sys.stdin.readline()  # what comes next (sending) waits for a word that never comes
sender = DeliveryDispatcher(
    store, SystemClock(), lease_seconds=%(lease)s, allow_private_targets=True
)
anyio.run(sender.run_once)
"""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serving(SECRET) as receiver:
        yield receiver


def tracked_store(location: Path) -> SqlStore:
    store = SqlStore(f"sqlite:///{location}", environment="dev")
    store.upgrade()
    store.add_subject(RepoName("octo", "widgets"), [], added_at=datetime(2026, 1, 1, tzinfo=UTC))
    return store


def writer(location: Path, rule_id: int, *, send: bool) -> subprocess.Popen[str]:
    """The writer's process, started; it has written once it printed ``written``; with
    ``send`` it goes on to send at once."""
    program = textwrap.dedent(WRITE_THEN_WAIT % {"lease": LEASE_SECONDS})
    process = subprocess.Popen(
        [sys.executable, "-c", program, f"sqlite:///{location}", str(rule_id)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OSSGROWTH_LOG_LEVEL": "WARNING"},
    )
    assert process.stdout is not None and process.stdin is not None
    line = process.stdout.readline()
    if line.strip() != "written":
        process.kill()
        pytest.fail(f"the writer did not write: {line!r} {process.communicate()[1]}")
    if send:
        process.stdin.write("send\n")
        process.stdin.flush()
    return process


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=SAFETY_NET_SECONDS)  # and closes its pipes
    assert process.returncode == -signal.SIGKILL


def deliver_in_a_fresh_process(location: Path) -> str:
    """``ossgrowth alerts deliver`` on the store; what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "ossgrowth", "alerts", "deliver"],
        env={
            **os.environ,
            "OSSGROWTH_STORE_URL": f"sqlite:///{location}",
            "OSSGROWTH_ALERTS_ALLOW_PRIVATE_TARGETS": "true",  # the receiver is on loopback
        },
        capture_output=True,
        text=True,
        timeout=SAFETY_NET_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_an_event_written_by_a_process_killed_before_sending_is_delivered_once(
    tmp_path: Path, receiver: Receiver
) -> None:
    location = tmp_path / "dev.db"
    store = tracked_store(location)
    rule = stored_rule(store, a_rule(target=receiver.url))

    kill(writer(location, rule.id, send=False))  # between the write and the delivery
    [waiting] = store.list_deliveries()
    assert waiting.status is DeliveryStatus.PENDING and waiting.attempts == 0
    assert receiver.received == []

    assert deliver_in_a_fresh_process(location) == "1 delivered, 0 to be retried, 0 failed"
    assert deliver_in_a_fresh_process(location) == "0 delivered, 0 to be retried, 0 failed"

    assert receiver.delivery_ids == [waiting.id]
    assert receiver.received[0].signature_valid
    [done] = store.list_deliveries()
    assert done.status is DeliveryStatus.DELIVERED and done.attempts == 1
    store.close()


def test_a_sender_killed_after_the_receiver_took_it_repeats_only_the_same_delivery_id(
    tmp_path: Path, receiver: Receiver
) -> None:
    location = tmp_path / "dev.db"
    store = tracked_store(location)
    rule = stored_rule(store, a_rule(target=receiver.url))
    receiver.holding = True  # it has the request; the sender waits for its answer

    process = writer(location, rule.id, send=True)
    if not receiver.arrived.wait(SAFETY_NET_SECONDS):
        process.kill()
        pytest.fail(f"the sender sent nothing: {process.communicate()[1]}")
    kill(process)  # after the receiver got it, before the sender settled it
    receiver.holding = False
    receiver.release()

    [held] = store.list_deliveries()
    assert held.status is DeliveryStatus.PENDING and held.lease_until is not None
    assert held.lease_owner is not None
    clock = FixedClock(held.lease_until)  # the dead sender's lease has ended
    heir = DeliveryDispatcher(store, clock, owner="heir", allow_private_targets=True)
    result = anyio.run(heir.run_once)

    assert result.delivered == [held.id]
    assert receiver.delivery_ids == [held.id, held.id]  # at most twice, with one id
    assert receiver.received[0].body == receiver.received[1].body
    clock.advance(timedelta(days=1))
    assert anyio.run(heir.run_once).due == 0
    assert len(receiver.received) == 2
    [done] = store.list_deliveries()
    assert done.status is DeliveryStatus.DELIVERED
    store.close()
