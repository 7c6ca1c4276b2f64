"""The store contract for the stargazers' account ages by day, run against every backend (the
backends of :mod:`tests.contracts.test_store_contract`: SQLite, PostgreSQL, DynamoDB)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ossgrowth.errors import StoreError
from ossgrowth.metrics.unusual import StargazerDay
from ossgrowth.model import RepoName
from tests.contracts import test_store_contract as contract

make_store = contract.make_store
"""The backends' fixture, shared with the main contract module."""
AnyStore = contract.AnyStore
T0 = contract.T0
REPO, OTHER = contract.REPO, contract.OTHER
DAY = date(2026, 2, 1)


@pytest.fixture
def store(make_store: contract.StoreFactory) -> AnyStore:
    """Two tracked repositories, no account ages."""
    store = make_store()
    store.add_subject(REPO, [contract.NPM], added_at=T0)
    store.add_subject(OTHER, [], added_at=T0)
    return store


def days(count: int, first: date = DAY) -> list[StargazerDay]:
    return [
        StargazerDay(first + timedelta(days=offset), 10 + offset, offset % 3)
        for offset in range(count)
    ]


def test_days_are_read_back_in_order_per_repository(store: AnyStore) -> None:
    assert store.read_stargazer_days(REPO) == []
    written = days(40)
    assert store.write_stargazer_days(REPO, list(reversed(written))) == 40
    assert store.read_stargazer_days(REPO) == written
    assert store.read_stargazer_days(OTHER) == []


def test_a_range_of_days_is_inclusive(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, days(10))
    chosen = store.read_stargazer_days(
        REPO, first=DAY + timedelta(days=2), last=DAY + timedelta(days=4)
    )
    assert [row.day for row in chosen] == [DAY + timedelta(days=n) for n in (2, 3, 4)]


def test_writing_a_day_again_replaces_its_counts(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, days(3))
    store.write_stargazer_days(REPO, [StargazerDay(DAY, 50, 45)])
    assert store.read_stargazer_days(REPO, last=DAY) == [StargazerDay(DAY, 50, 45)]
    assert len(store.read_stargazer_days(REPO)) == 3


def test_the_days_of_an_untracked_repository_go_with_it(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, days(5))
    store.remove_subject(REPO)
    store.add_subject(REPO, [], added_at=T0)
    assert store.read_stargazer_days(REPO) == []


def test_days_of_a_repository_not_tracked_are_refused(store: AnyStore) -> None:
    with pytest.raises(StoreError, match="not tracked"):
        store.write_stargazer_days(RepoName("nobody", "here"), days(1))


def test_delete_all_counts_them_as_stargazer_days(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, days(4))
    assert store.delete_all()["stargazer_days"] == 4
