"""Reads of named repositories beyond one statement's worth of names (SQL stores).

A read names at most ``KEYS_PER_STATEMENT`` repositories a statement; more are read in several
statements on one snapshot and must come back as one read would give them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ossgrowth.model import Family, Point, Provenance, RepoName
from ossgrowth.store import SqlStore
from ossgrowth.store.statement_shapes import KEYS_PER_STATEMENT, key_chunks

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_key_chunks_are_sorted_distinct_and_padded_to_a_power_of_two() -> None:
    assert key_chunks([]) == []
    assert key_chunks(["b", "a", "c", "a"]) == [["a", "b", "c", "c"]]
    many = key_chunks(f"k{index:04d}" for index in range(KEYS_PER_STATEMENT + 3))
    assert [len(chunk) for chunk in many] == [KEYS_PER_STATEMENT, 4]
    assert many[1] == ["k0512", "k0513", "k0514", "k0514"]


def test_more_names_than_a_statement_takes_read_as_one(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'named.db'}", environment="dev")
    store.upgrade()
    names = [RepoName("octo", f"repo-{index:03d}") for index in range(KEYS_PER_STATEMENT + 40)]
    for name in names:
        store.add_subject(name, [], added_at=T0)
    store.write_points(
        Point(
            name,
            Family.STARS,
            T0 + timedelta(days=day),
            {"star_count": index + day},
            Provenance.MEASURED,
            "t",
        )
        for index, name in enumerate(names)
        for day in range(3)
    )
    try:
        span = timedelta(days=1)
        every = store.read_recent(Family.STARS, span=span)
        assert len(every) == len(names)
        assert store.read_recent(Family.STARS, span=span, repos=names) == every
        some = names[::7]
        assert store.read_recent(Family.STARS, span=span, repos=some) == [
            series for series in every if series.repo in set(some)
        ]
        moments = [T0, T0 + timedelta(days=2)]
        assert store.values_at(Family.STARS, moments, repos=names) == store.values_at(
            Family.STARS, moments
        )
    finally:
        store.close()
