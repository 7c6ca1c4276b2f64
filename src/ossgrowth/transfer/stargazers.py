"""How a repository's stargazer days (the account ages of unusual growth) move from one store,
or a file, into another: by sync, import and migrate alike.

A store *follows* a repository's stargazer list when it keeps a mark, the newest ``starredAt``
its day counts hold: its own collections then add the stars after the mark. Counts from
elsewhere would mix with those, counting some stars twice or losing some, so a store that
follows the list keeps its days: the incoming days that differ are *kept*. Into a store that
does not follow it, the days go as points of one provenance do: *new* (it has none that day),
*changed* (it has other counts: the incoming ones are written) or *same*; days only it holds
stay. The incoming mark goes with them, so the store follows the list from where the incoming
counts end, unless it holds days of its own from the mark's day on (their stars would be
counted again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ossgrowth.metrics.unusual import StargazerDay
from ossgrowth.model import RepoName
from ossgrowth.store import Store

__all__ = ["DayChanges", "DayCopy", "compare_days", "write_days"]


@dataclass
class DayChanges:
    """What copying stargazer days does, counted over repositories."""

    new: int = 0
    changed: int = 0
    same: int = 0
    kept: int = 0
    """Incoming days that differ from the store's, which follows the list: it keeps its own."""
    only_in_target: int = 0
    """Days only the store holds: they stay."""
    marks: int = 0
    """Repositories whose list the store follows from the incoming mark, once written."""

    @property
    def writes(self) -> int:
        return self.new + self.changed

    @property
    def any(self) -> bool:
        return bool(self.writes or self.same or self.kept or self.only_in_target or self.marks)


@dataclass(frozen=True, slots=True)
class DayCopy:
    """What to write of one repository's incoming days."""

    days: list[StargazerDay]
    mark: datetime | None
    """The mark to follow the list from, with the days; ``None`` leaves the store's as it is."""

    @property
    def empty(self) -> bool:
        return not self.days and self.mark is None


def compare_days(
    incoming: Sequence[StargazerDay],
    held: Sequence[StargazerDay],
    changes: DayChanges,
    *,
    incoming_mark: datetime | None,
    follows: bool,
) -> DayCopy:
    """Count ``incoming`` against the store's ``held`` days (``follows``: whether it follows
    the list); what to write."""
    there = {row.day: row for row in held}
    writing = []
    for row in incoming:
        found = there.pop(row.day, None)
        if found == row:
            changes.same += 1
        elif follows:
            changes.kept += 1
        else:
            changes.new += found is None
            changes.changed += found is not None
            writing.append(row)
    changes.only_in_target += len(there)
    if follows or incoming_mark is None:
        return DayCopy(writing, None)
    if any(day >= incoming_mark.astimezone(UTC).date() for day in there):
        return DayCopy(writing, None)  # its own days from then on would be counted again
    changes.marks += 1
    return DayCopy(writing, incoming_mark)


def write_days(store: Store, repo: RepoName, copy: DayCopy) -> int:
    """Write ``copy`` for ``repo`` (the days and the mark in one call); the days written."""
    if copy.empty:
        return 0
    store.write_stargazer_days(repo, copy.days, read_through=copy.mark)
    return len(copy.days)
