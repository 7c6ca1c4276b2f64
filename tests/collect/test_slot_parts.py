"""A slot cut into parts: every repository in exactly one, the same one for every collector."""

from __future__ import annotations

import pytest

from ossgrowth.collect.slot_parts import PART_SIZE, parts_of, visiting_order
from ossgrowth.model import RepoName, Subject


def subjects(count: int) -> list[Subject]:
    return [
        Subject(RepoName("o", f"r{index}"), github_node_id=f"R_{index}" if index % 2 else None)
        for index in range(count)
    ]


def test_a_slot_of_few_repositories_is_one_part_named_after_its_schedule() -> None:
    (part,) = parts_of("collect:stars", subjects(PART_SIZE))
    assert part.job == "collect:stars" and len(part.subjects) == PART_SIZE


def test_every_repository_is_in_exactly_one_part_of_about_the_part_size() -> None:
    everyone = subjects(10 * PART_SIZE + 1)
    parts = parts_of("collect:stars", everyone)
    assert [part.job for part in parts] == [f"collect:stars#{n}/11" for n in range(1, 12)]
    assert all(part.subjects for part in parts_of("collect:stars", everyone[:30], size=1))
    members = [subject for part in parts for subject in part.subjects]
    assert sorted(members, key=lambda s: s.repo.key) == sorted(everyone, key=lambda s: s.repo.key)
    assert max(len(part.subjects) for part in parts) < 1.2 * PART_SIZE


def test_collectors_listing_in_another_order_agree() -> None:
    everyone = subjects(3000)
    mine = parts_of("collect:stars", everyone, size=500)
    identified = [  # another collector lists them after a first collection gave node ids
        Subject(s.repo, github_node_id=f"R_{s.repo.name}") for s in reversed(everyone)
    ]
    theirs = parts_of("collect:stars", identified, size=500)
    for part, other in zip(mine, theirs, strict=True):
        assert part.job == other.job
        assert {s.repo for s in part.subjects} == {s.repo for s in other.subjects}


def test_collectors_start_at_different_parts_and_visit_all() -> None:
    parts = parts_of("collect:stars", subjects(8000))
    starts = {visiting_order(parts, f"host:{pid}:nonce")[0].job for pid in range(40)}
    assert len(starts) > 1
    order = visiting_order(parts, "host:1:nonce")
    assert sorted(part.job for part in order) == sorted(part.job for part in parts)
    assert visiting_order([], "anyone") == []


def test_a_part_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        parts_of("collect:stars", subjects(3), size=0)
