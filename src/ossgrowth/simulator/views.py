"""A repository as the APIs show it at one moment, with its filtered lists cached.

Walking every page of a 50,000-item repository asks for the same filtered, sorted list five
hundred times at one simulated moment; a view computes it once. Views are kept per app (a few
moments at a time), never in module state.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime

from ossgrowth.model import to_epoch_seconds
from ossgrowth.simulator.entities import (
    ItemState,
    SimFork,
    SimIssue,
    SimRepo,
    SimStar,
    SimWatcher,
    TruthSnapshot,
)
from ossgrowth.simulator.world import World

__all__ = ["ItemKind", "RepoView", "ViewCache"]

ItemKind = str
"""``"issue"``, ``"pull"`` or ``"all"``."""

_SORT_KEYS: dict[str, Callable[[SimIssue, datetime], tuple[datetime, int]]] = {
    "created": lambda item, _: (item.created_at, item.number),
    "updated": lambda item, at: (item.updated_at_at(at), item.number),
}


class RepoView:
    """One repository at one moment."""

    def __init__(self, world: World, repo: SimRepo, at: datetime) -> None:
        self.repo = repo
        self.at = at
        self.truth: TruthSnapshot = world.snapshot(repo.full_name, at)
        self._stars: list[SimStar] | None = None
        self._forks: list[SimFork] | None = None
        self._watchers: list[SimWatcher] | None = None
        self._updated_at: datetime | None = None
        self._lists: dict[tuple[str, frozenset[ItemState], str, bool], list[SimIssue]] = {}

    @property
    def stars(self) -> list[SimStar]:
        """Stars held at the moment, oldest first."""
        if self._stars is None:
            self._stars = [star for star in self.repo.stars if star.held_at(self.at)]
        return self._stars

    @property
    def forks(self) -> list[SimFork]:
        """Forks that exist at the moment, oldest first."""
        if self._forks is None:
            self._forks = [fork for fork in self.repo.forks if fork.exists_at(self.at)]
        return self._forks

    @property
    def watchers(self) -> list[SimWatcher]:
        """Users watching at the moment, longest-watching first."""
        if self._watchers is None:
            self._watchers = [w for w in self.repo.watchers if w.watching_at(self.at)]
        return self._watchers

    @property
    def open_items(self) -> int:
        """Open issues plus open pull requests: REST's ``open_issues_count``."""
        return self.truth.open_issues + self.truth.open_prs

    @property
    def updated_at(self) -> datetime:
        """The latest star or item event at or before the moment."""
        if self._updated_at is None:
            moments = [self.repo.created_at]
            if self.stars:
                moments.append(self.stars[-1].starred_at)
            moments.extend(
                item.updated_at_at(self.at)
                for item in self.repo.items
                if item.created_at <= self.at
            )
            self._updated_at = max(moments)
        return self._updated_at

    def items(
        self,
        kind: ItemKind,
        states: Iterable[ItemState],
        sort: str = "created",
        descending: bool = False,
    ) -> list[SimIssue]:
        """Items created by the moment, of ``kind`` and in one of ``states``, sorted."""
        wanted = frozenset(states)
        key = (kind, wanted, sort, descending)
        if key not in self._lists:
            chosen = [
                item
                for item in self.repo.items
                if item.created_at <= self.at
                and (kind == "all" or item.is_pull_request == (kind == "pull"))
                and item.state_at(self.at) in wanted
            ]
            order = _SORT_KEYS.get(sort, _SORT_KEYS["created"])
            chosen.sort(key=lambda item: order(item, self.at), reverse=descending)
            self._lists[key] = chosen
        return self._lists[key]


class ViewCache:
    """The most recently used views of one app."""

    def __init__(self, world: World, size: int = 16) -> None:
        self._world = world
        self._size = size
        self._views: OrderedDict[tuple[int, int], RepoView] = OrderedDict()

    def view(self, repo: SimRepo, at: datetime) -> RepoView:
        """The view of ``repo`` at ``at``, built on first use."""
        key = (repo.database_id, to_epoch_seconds(at))
        found = self._views.get(key)
        if found is None:
            found = RepoView(self._world, repo, at)
            self._views[key] = found
            while len(self._views) > self._size:
                self._views.popitem(last=False)
        else:
            self._views.move_to_end(key)
        return found
