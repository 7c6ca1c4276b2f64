"""A slot counts as missed only when nobody is collecting it, 30 minutes after its time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ossgrowth.collect.staleness import OVERDUE_AFTER, is_overdue
from ossgrowth.model import SlotClaim

SLOT = datetime(2026, 3, 1, 9, tzinfo=UTC)
LATER = SLOT + OVERDUE_AFTER + timedelta(seconds=1)
TRACKED = SLOT - timedelta(days=1)


def claim(lease_until: datetime, finished: datetime | None = None) -> SlotClaim:
    return SlotClaim("collect:stars#1/2", SLOT, "host:1", SLOT, lease_until, finished)


def test_an_untaken_slot_is_overdue_only_after_the_grace_and_once_something_is_tracked() -> None:
    assert not is_overdue(SLOT, [], SLOT + OVERDUE_AFTER, TRACKED)
    assert is_overdue(SLOT, [], LATER, TRACKED)
    assert not is_overdue(SLOT, [], LATER, None)  # nothing tracked: nothing to collect
    assert not is_overdue(SLOT, [], LATER, SLOT + timedelta(minutes=1))  # tracked after it


def test_a_slot_being_collected_or_done_is_not_overdue_and_a_stalled_one_is() -> None:
    running = claim(lease_until=LATER + timedelta(minutes=1))
    done = claim(lease_until=SLOT, finished=SLOT + timedelta(minutes=3))
    stalled = claim(lease_until=SLOT + timedelta(minutes=1))
    assert not is_overdue(SLOT, [running], LATER, TRACKED)
    assert not is_overdue(SLOT, [done], LATER, TRACKED)
    assert not is_overdue(SLOT, [done, running], LATER, TRACKED)
    assert is_overdue(SLOT, [stalled], LATER, TRACKED)
    assert is_overdue(SLOT, [done, stalled], LATER, TRACKED)
