"""A scheduled slot cut into parts, so several collectors share one collection.

A slot of a schedule with many repositories is collected in parts of about
:data:`PART_SIZE` repositories: each part is claimed like a slot of its own (its job is
``<schedule>#<n>/<parts>``), so collectors sharing a store take different parts and none is
collected twice. A repository's part is a hash of its name, so every collector that lists the
repositories puts each in the same part (a repository renamed on GitHub while its slot is being
collected may be collected twice, or wait for the next slot). Up to :data:`PART_SIZE`
repositories, a slot is one part named after the schedule alone, as before parts existed.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from ossgrowth.model import Subject

__all__ = ["PART_SIZE", "SlotPart", "parts_of", "visiting_order"]

PART_SIZE = 1000
"""Repositories a part holds, about: ten GraphQL requests, a few thousand points to write."""


@dataclass(frozen=True, slots=True)
class SlotPart:
    """One part of a slot: its claim's job name and the repositories it collects."""

    job: str
    subjects: tuple[Subject, ...]


def parts_of(schedule: str, subjects: Sequence[Subject], size: int = PART_SIZE) -> list[SlotPart]:
    """The parts of a slot of ``schedule`` over ``subjects``; one when they are few."""
    if size < 1:
        raise ValueError("size must be at least 1")
    count = max(1, math.ceil(len(subjects) / size))
    if count == 1:
        return [SlotPart(schedule, tuple(subjects))]
    members: list[list[Subject]] = [[] for _ in range(count)]
    for subject in subjects:
        members[zlib.crc32(subject.repo.key.encode()) % count].append(subject)
    return [
        SlotPart(f"{schedule}#{index + 1}/{count}", tuple(part))
        for index, part in enumerate(members)
        if part  # a hash can leave a part empty: nothing to claim
    ]


def visiting_order(parts: Sequence[SlotPart], owner: str) -> list[SlotPart]:
    """``parts`` starting at one that depends on ``owner``: collectors that look at a slot
    at once begin at different parts instead of all racing for the first."""
    if not parts:
        return []
    start = zlib.crc32(owner.encode()) % len(parts)
    return [*parts[start:], *parts[:start]]
