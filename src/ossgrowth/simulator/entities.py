"""The ground truth of a simulated world: repositories, stars, issues, pull requests, packages.

Every time is an aware UTC datetime. An item's lifecycle is kept in full (each close and
reopen); what an API shows at a moment is derived from it, as GitHub does: the current state,
and ``closedAt`` of the close in force (``None`` while open, even after an earlier close).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from ossgrowth.model import Ecosystem

__all__ = [
    "Closure",
    "ItemState",
    "SimIssue",
    "SimPackage",
    "SimRepo",
    "SimStar",
    "TruthSnapshot",
]


class ItemState(enum.StrEnum):
    """State of an issue or pull request at a moment; MERGED only for pull requests."""

    OPEN = "OPEN"
    CLOSED = "CLOSED"
    MERGED = "MERGED"


@dataclass(frozen=True, slots=True)
class SimStar:
    """One star: who, when, and when it was taken back (if ever)."""

    user_id: int
    starred_at: datetime
    unstarred_at: datetime | None = None

    def held_at(self, moment: datetime) -> bool:
        """True when the star counts at ``moment`` (given at or before it, not yet taken back)."""
        return self.starred_at <= moment and (
            self.unstarred_at is None or self.unstarred_at > moment
        )


@dataclass(frozen=True, slots=True)
class Closure:
    """One close of an item, and the reopen that undid it (``None``: still closed)."""

    closed_at: datetime
    reopened_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SimIssue:
    """An issue or a pull request (they share GitHub's numbering) with its whole lifecycle."""

    number: int
    database_id: int
    is_pull_request: bool
    title: str
    author_id: int
    created_at: datetime
    closures: tuple[Closure, ...] = ()
    merged_at: datetime | None = None
    """For a merged pull request: the moment of the merge, which is also its last close."""

    def closure_at(self, moment: datetime) -> Closure | None:
        """The close in force at ``moment``, or ``None`` when the item is open then."""
        for closure in reversed(self.closures):
            if closure.closed_at <= moment:
                if closure.reopened_at is None or closure.reopened_at > moment:
                    return closure
                return None
        return None

    def state_at(self, moment: datetime) -> ItemState:
        """OPEN, CLOSED or MERGED as the API shows it at ``moment`` (created at or before it)."""
        closure = self.closure_at(moment)
        if closure is None:
            return ItemState.OPEN
        if self.merged_at is not None and self.merged_at <= moment:
            return ItemState.MERGED
        return ItemState.CLOSED

    def closed_at_at(self, moment: datetime) -> datetime | None:
        """``closedAt`` as shown at ``moment``: the close in force, else ``None``."""
        closure = self.closure_at(moment)
        return None if closure is None else closure.closed_at

    def merged_at_at(self, moment: datetime) -> datetime | None:
        """``mergedAt`` as shown at ``moment``."""
        if self.merged_at is not None and self.merged_at <= moment:
            return self.merged_at
        return None

    def updated_at_at(self, moment: datetime) -> datetime:
        """The last lifecycle event at or before ``moment`` (creation at least)."""
        latest = self.created_at
        for closure in self.closures:
            for event in (closure.closed_at, closure.reopened_at):
                if event is not None and latest < event <= moment:
                    latest = event
        return latest


@dataclass(frozen=True, slots=True)
class SimPackage:
    """A published package and its true daily downloads, one count per UTC day from ``first_day``.

    For PyPI, ``daily`` counts downloads without mirrors and ``mirror_daily`` the extra
    downloads by mirrors (``with_mirrors`` = both).
    """

    ecosystem: Ecosystem
    name: str
    repo_id: int
    first_day: date
    daily: tuple[int, ...]
    mirror_daily: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class SimRepo:
    """A repository with its whole history."""

    owner: str
    name: str
    database_id: int
    node_id: str
    created_at: datetime
    description: str
    language: str
    owner_id: int
    previous_names: tuple[str, ...]
    """Earlier ``owner/name`` forms (renames and transfers); they answer 301 in REST."""
    stars: tuple[SimStar, ...]
    """Ordered by ``starred_at``."""
    items: tuple[SimIssue, ...]
    """Issues and pull requests ordered by number (which is creation order)."""
    packages: tuple[SimPackage, ...]
    fork_share: float
    """Forks per star, for ``forks_count``."""

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True, slots=True)
class TruthSnapshot:
    """What GitHub would have shown for a repository at one moment.

    Definitions (every event at exactly the moment counts as having happened):

    - ``star_count``: stars given at or before the moment and not taken back by then.
    - ``open_issues`` / ``closed_issues``: issues (never pull requests) created by then, by
      their state then; a reopened issue is open.
    - ``open_prs``: pull requests open then; ``merged_prs``: merged by then;
      ``closed_prs``: closed then without a merge (GraphQL's CLOSED, not REST's closed).
    """

    star_count: int
    open_issues: int
    closed_issues: int
    open_prs: int
    merged_prs: int
    closed_prs: int
