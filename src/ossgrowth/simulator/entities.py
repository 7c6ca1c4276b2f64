"""The ground truth of a simulated world: repositories, stars, forks, watchers, issues, pull
requests, packages.

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
    "SimAccount",
    "ItemState",
    "SimFork",
    "SimIssue",
    "SimPackage",
    "SimRepo",
    "SimStar",
    "SimWatcher",
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
class SimAccount:
    """A user account a scenario made, with its creation time (GraphQL ``User.createdAt``);
    every other user's creation time is derived (:mod:`ossgrowth.simulator.accounts`)."""

    user_id: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SimFork:
    """One fork: a repository of its own, made at ``created_at``, deleted at ``deleted_at``.

    A deleted fork is gone from every answer from that moment on: from ``forkCount``, from
    ``forks_count`` and from the ``forks`` connection (so history rebuilt later from the
    connection's creation times never sees it).
    """

    database_id: int
    owner_id: int
    """The user who forked; the fork is ``{login}/{parent name}``."""
    created_at: datetime
    deleted_at: datetime | None = None

    def exists_at(self, moment: datetime) -> bool:
        """True when the fork counts at ``moment`` (made at or before it, not yet deleted)."""
        return self.created_at <= moment and (self.deleted_at is None or self.deleted_at > moment)


@dataclass(frozen=True, slots=True)
class SimWatcher:
    """One user watching the repository (a subscription), from ``watched_at`` until
    ``unwatched_at`` (``None``: still watching).

    GitHub keeps no time for a subscription: the APIs show who watches and how many, never
    since when. The times are the simulator's ground truth only.
    """

    user_id: int
    watched_at: datetime
    unwatched_at: datetime | None = None

    def watching_at(self, moment: datetime) -> bool:
        """True when the user watches at ``moment``."""
        return self.watched_at <= moment and (
            self.unwatched_at is None or self.unwatched_at > moment
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
    """Forks made per star given; the world draws ``forks`` from it."""
    forks: tuple[SimFork, ...] = ()
    """Every fork ever made, deleted ones included, ordered by ``created_at``."""
    watchers: tuple[SimWatcher, ...] = ()
    """Every subscription ever made, ended ones included, ordered by ``watched_at``."""
    accounts: tuple[SimAccount, ...] = ()
    """Accounts made by the world's scenarios for this repository (bought stars)."""

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
    - ``forks``: forks made by then and not deleted by then (``forkCount``, ``forks_count``
      and the ``forks`` connection's ``totalCount``: the simulator has no private forks and
      no forks of forks, so the three agree).
    - ``watchers``: users watching then (GraphQL ``watchers.totalCount``, REST
      ``subscribers_count``; REST's ``watchers_count`` is the star count, as on GitHub).
    """

    star_count: int
    open_issues: int
    closed_issues: int
    open_prs: int
    merged_prs: int
    closed_prs: int
    forks: int
    watchers: int
