"""The store contract for the stargazers' account ages by day, run against every backend (the
backends of :mod:`tests.contracts.test_store_contract`: SQLite, PostgreSQL, DynamoDB)."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, date, datetime, timedelta

import pytest

from ossgrowth.errors import StoreError
from ossgrowth.metrics.unusual import StargazerDay
from ossgrowth.model import RepoName
from ossgrowth.store import store_at
from ossgrowth.store.base import STARGAZER_DAYS_PER_ADD, StargazerMark
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


# following the list: the mark and the counts added after it

MARK = datetime(2026, 2, 3, 12, tzinfo=UTC)
LATER = MARK + timedelta(hours=5)


def test_a_repository_is_followed_from_the_mark_its_backfill_wrote(store: AnyStore) -> None:
    assert store.stargazers_read_through([REPO, OTHER]) == {}
    store.write_stargazer_days(REPO, days(3), read_through=MARK)
    assert store.stargazers_read_through([REPO, OTHER]) == {REPO.key: MARK}
    assert store.stargazers_read_through([RepoName("OCTO", "Widgets")]) == {REPO.key: MARK}
    assert store.stargazers_read_through([OTHER]) == {}


def test_a_backfill_leaves_a_later_mark_as_it_is(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, days(3), read_through=LATER)
    store.write_stargazer_days(REPO, days(3), read_through=MARK)
    assert store.stargazers_read_through([REPO]) == {REPO.key: LATER}
    store.write_stargazer_days(REPO, days(3))
    assert store.stargazers_read_through([REPO]) == {REPO.key: LATER}


def test_added_counts_join_the_day_kept_and_move_the_mark(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, [StargazerDay(DAY, 10, 1)], read_through=MARK)
    added = [StargazerDay(DAY, 5, 4), StargazerDay(DAY + timedelta(days=1), 7, 0)]
    assert store.add_stargazer_days(REPO, added, after=MARK, through=LATER)
    assert store.read_stargazer_days(REPO) == [
        StargazerDay(DAY, 15, 5),
        StargazerDay(DAY + timedelta(days=1), 7, 0),
    ]
    assert store.stargazers_read_through([REPO]) == {REPO.key: LATER}


def test_the_same_add_twice_counts_once(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, [StargazerDay(DAY, 10, 1)], read_through=MARK)
    added = [StargazerDay(DAY, 5, 4)]
    assert store.add_stargazer_days(REPO, added, after=MARK, through=LATER)
    assert not store.add_stargazer_days(REPO, added, after=MARK, through=LATER)
    assert store.read_stargazer_days(REPO) == [StargazerDay(DAY, 15, 5)]
    assert store.stargazers_read_through([REPO]) == {REPO.key: LATER}


def test_nothing_is_added_to_a_list_not_followed(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, [StargazerDay(DAY, 10, 1)])
    assert not store.add_stargazer_days(REPO, days(2), after=MARK, through=LATER)
    assert store.read_stargazer_days(REPO) == [StargazerDay(DAY, 10, 1)]
    assert store.stargazers_read_through([REPO]) == {}


def test_a_list_no_longer_followed_keeps_its_days(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, days(2), read_through=MARK)
    store.write_stargazer_days(OTHER, days(1), read_through=MARK)
    store.stop_stargazer_reads(REPO)
    store.stop_stargazer_reads(RepoName("nobody", "here"))  # nothing to stop
    assert store.stargazers_read_through([REPO, OTHER]) == {OTHER.key: MARK}
    assert store.read_stargazer_days(REPO) == days(2)
    assert not store.add_stargazer_days(REPO, days(1), after=MARK, through=LATER)


@pytest.mark.parametrize(
    ("added", "through", "message"),
    [
        (days(1), MARK, "after the old one"),
        ([StargazerDay(DAY, 1, 0), StargazerDay(DAY, 2, 0)], LATER, "once"),
        (days(STARGAZER_DAYS_PER_ADD + 1), LATER, "at most"),
    ],
)
def test_an_add_that_cannot_be_right_is_refused(
    store: AnyStore, added: list[StargazerDay], through: datetime, message: str
) -> None:
    store.write_stargazer_days(REPO, [], read_through=MARK)
    with pytest.raises(ValueError, match=message):
        store.add_stargazer_days(REPO, added, after=MARK, through=through)
    assert store.stargazers_read_through([REPO]) == {REPO.key: MARK}


def test_the_most_days_one_add_takes_are_added_at_once(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, [], read_through=MARK)
    added = days(STARGAZER_DAYS_PER_ADD, first=DAY + timedelta(days=1))
    assert store.add_stargazer_days(REPO, added, after=MARK, through=LATER)
    assert store.read_stargazer_days(REPO) == added


def test_marks_of_a_repository_not_tracked_are_refused(store: AnyStore) -> None:
    stranger = RepoName("nobody", "here")
    with pytest.raises(StoreError, match="not tracked"):
        store.add_stargazer_days(stranger, days(1), after=MARK, through=LATER)
    assert store.stargazers_read_through([stranger]) == {}


def test_the_mark_of_an_untracked_repository_goes_with_it(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, days(2), read_through=MARK)
    store.remove_subject(REPO)
    store.add_subject(REPO, [], added_at=T0)
    assert store.stargazers_read_through([REPO]) == {}


# the star count seen with the mark (a collection seeing the same count reads nothing)


def test_a_mark_written_by_a_backfill_has_no_count_seen(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, days(2), read_through=MARK)
    assert store.stargazer_marks([REPO, OTHER]) == {REPO.key: StargazerMark(MARK, None)}
    assert store.stargazer_marks([OTHER]) == {}


def test_the_count_seen_moves_with_the_mark(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, [], read_through=MARK)
    middle = MARK + timedelta(hours=1)
    assert store.add_stargazer_days(REPO, days(1), after=MARK, through=middle, stars_seen=120)
    assert store.stargazer_marks([REPO]) == {REPO.key: StargazerMark(middle, 120)}
    # a part of a longer read: the count is not known until its last part
    assert store.add_stargazer_days(
        REPO, days(1, DAY + timedelta(days=1)), after=middle, through=LATER
    )
    assert store.stargazer_marks([REPO]) == {REPO.key: StargazerMark(LATER, None)}


def test_an_add_from_a_mark_moved_meanwhile_keeps_the_count_seen(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, [], read_through=MARK)
    assert store.add_stargazer_days(REPO, days(1), after=MARK, through=LATER, stars_seen=7)
    assert not store.add_stargazer_days(REPO, days(1), after=MARK, through=LATER, stars_seen=9)
    assert store.stargazer_marks([REPO]) == {REPO.key: StargazerMark(LATER, 7)}


def test_a_count_seen_is_kept_only_at_the_mark_it_was_read_to(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, [], read_through=MARK)
    assert store.keep_stars_seen(REPO, 40, read_through=MARK)
    assert store.stargazer_marks([REPO]) == {REPO.key: StargazerMark(MARK, 40)}
    assert not store.keep_stars_seen(REPO, 41, read_through=LATER)
    assert store.stargazer_marks([REPO]) == {REPO.key: StargazerMark(MARK, 40)}
    assert not store.keep_stars_seen(OTHER, 3, read_through=MARK)  # not followed
    assert store.stargazer_marks([OTHER]) == {}
    with pytest.raises(StoreError, match="not tracked"):
        store.keep_stars_seen(RepoName("nobody", "here"), 1, read_through=MARK)


def test_a_backfill_keeps_the_count_seen_with_the_mark(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, [], read_through=MARK)
    store.keep_stars_seen(REPO, 40, read_through=MARK)
    store.write_stargazer_days(REPO, days(2), read_through=LATER)  # marks only move on
    assert store.stargazer_marks([REPO]) == {REPO.key: StargazerMark(LATER, 40)}
    assert store.stargazers_read_through([REPO]) == {REPO.key: LATER}


def test_a_list_followed_again_starts_without_a_count_seen(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, [], read_through=MARK)
    store.keep_stars_seen(REPO, 40, read_through=MARK)
    store.stop_stargazer_reads(REPO)
    store.write_stargazer_days(REPO, days(2), read_through=MARK)
    assert store.stargazer_marks([REPO]) == {REPO.key: StargazerMark(MARK, None)}


def test_delete_all_counts_the_marks_as_stargazer_reads(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, days(4), read_through=MARK)
    deleted = store.delete_all()
    assert deleted["stargazer_days"] == 4
    assert deleted["stargazer_reads"] == 1


def _add_from(url: str, schema: str | None, results: multiprocessing.Queue) -> None:
    store = store_at(url, environment="dev", schema=schema)
    added = [StargazerDay(DAY, 5, 4), StargazerDay(DAY + timedelta(days=1), 3, 0)]
    results.put(store.add_stargazer_days(REPO, added, after=MARK, through=LATER))
    store.close()


def test_writers_adding_from_one_mark_at_once_add_once(store: AnyStore) -> None:
    store.write_stargazer_days(REPO, [StargazerDay(DAY, 10, 1)], read_through=MARK)
    url, schema = contract.location(store)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    writers = [context.Process(target=_add_from, args=(url, schema, results)) for _ in range(3)]
    for process in writers:
        process.start()
    answers = [results.get(timeout=120) for _ in writers]
    for process in writers:
        process.join(timeout=120)
        assert process.exitcode == 0
    assert sorted(answers) == [False, False, True]
    assert store.read_stargazer_days(REPO) == [
        StargazerDay(DAY, 15, 5),
        StargazerDay(DAY + timedelta(days=1), 3, 0),
    ]
