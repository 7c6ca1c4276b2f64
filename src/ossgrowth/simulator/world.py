"""A built world and the ground-truth questions tests ask of it.

Tests of the clients, collectors and stores compare what they reconstructed through the APIs
with these answers; the served APIs derive every answer from the same entities.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from ossgrowth.clock import utc
from ossgrowth.errors import InputError
from ossgrowth.model import Ecosystem, to_epoch_seconds
from ossgrowth.simulator.accounts import AccountBook
from ossgrowth.simulator.config import WorldConfig
from ossgrowth.simulator.entities import SimFork, SimPackage, SimRepo, SimWatcher, TruthSnapshot
from ossgrowth.simulator.generate import generate_repos
from ossgrowth.simulator.timeline import CountTimeline

__all__ = ["World", "build_world"]

_STARS, _OPEN_ISSUES, _CLOSED_ISSUES, _OPEN_PRS, _MERGED_PRS, _CLOSED_PRS, _FORKS, _WATCHERS = (
    range(8)
)


def build_world(config: WorldConfig) -> World:
    """Build the world ``config`` describes; the same config always gives the same world."""
    return World(config, generate_repos(config))


class World:
    """Ground truth of a simulated world. Read-only once built.

    Collaborators: repository number ``k`` (in ``repos`` order) has ``tokens[k % len(tokens)]``
    as a collaborator, plus any grant in ``config.collaborators``. Since 2026-06-30 only
    collaborators may list stargazers.
    """

    def __init__(self, config: WorldConfig, repos: tuple[SimRepo, ...]) -> None:
        self.config = config
        self.repos = repos
        self._by_name = {repo.full_name.lower(): repo for repo in repos}
        self._renamed = {
            previous.lower(): repo for repo in repos for previous in repo.previous_names
        }
        self._by_id = {repo.database_id: repo for repo in repos}
        self._by_node_id = {repo.node_id: repo for repo in repos}
        self._packages = {
            (package.ecosystem, _package_key(package.ecosystem, package.name)): package
            for repo in repos
            for package in repo.packages
        }
        grants = {
            (config.tokens[index % len(config.tokens)], repo.database_id)
            for index, repo in enumerate(repos)
        }
        for token, full_name in config.collaborators:
            grants.add((token, self.repo(full_name).database_id))
        self._grants = frozenset(grants)
        self._timelines = {repo.database_id: _timeline(repo) for repo in repos}
        self._accounts = AccountBook(repos, config.now)

    # Lookups -------------------------------------------------------------------------------

    def repo(self, full_name: str) -> SimRepo:
        """The repository named ``owner/name`` now (case-insensitive).

        Raises:
            InputError: no repository has that name now (old names are not followed).
        """
        found = self._by_name.get(full_name.lower())
        if found is None:
            raise InputError(f"no repository {full_name!r} in this world")
        return found

    def resolve(self, owner: str, name: str) -> tuple[SimRepo, bool] | None:
        """The repository ``owner/name`` names, and whether that is an old name; else ``None``."""
        key = f"{owner}/{name}".lower()
        if key in self._by_name:
            return self._by_name[key], False
        if key in self._renamed:
            return self._renamed[key], True
        return None

    def repo_by_id(self, database_id: int) -> SimRepo | None:
        """The repository with this REST ``id`` (GraphQL ``databaseId``)."""
        return self._by_id.get(database_id)

    def repo_by_node_id(self, node_id: str) -> SimRepo | None:
        """The repository with this GraphQL node ``id``."""
        return self._by_node_id.get(node_id)

    def packages(self) -> Iterator[SimPackage]:
        """Every package of every repository."""
        return iter(self._packages.values())

    def package(self, ecosystem: Ecosystem, name: str) -> SimPackage | None:
        """The package of that registry and name (PyPI names compared normalised)."""
        return self._packages.get((ecosystem, _package_key(ecosystem, name)))

    def is_collaborator(self, token: str, full_name: str) -> bool:
        """True when ``token`` belongs to an admin or collaborator of the repository."""
        return (token, self.repo(full_name).database_id) in self._grants

    def collaborator_tokens(self, full_name: str) -> frozenset[str]:
        """The tokens that may list this repository's stargazers."""
        repo_id = self.repo(full_name).database_id
        return frozenset(token for token, granted in self._grants if granted == repo_id)

    def account_created_at(self, user_id: int) -> datetime:
        """When the account of ``user_id`` was created (GraphQL ``User.createdAt``)."""
        return self._accounts.created_at(user_id)

    # Truth over time --------------------------------------------------------------------------

    def snapshot(self, full_name: str, at: datetime) -> TruthSnapshot:
        """What the APIs showed for the repository at ``at`` (see :class:`TruthSnapshot`)."""
        repo = self.repo(full_name)
        return TruthSnapshot(*self._timelines[repo.database_id].at(to_epoch_seconds(at)))

    def daily_snapshots(
        self, full_name: str, through: date | None = None
    ) -> list[tuple[date, TruthSnapshot]]:
        """A snapshot at 00:00 UTC of every day from the first midnight after creation.

        Args:
            full_name: the repository's current name.
            through: the last day (default: the date of ``config.now``).
        """
        repo = self.repo(full_name)
        timeline = self._timelines[repo.database_id]
        last = through or self.config.now.date()
        day = repo.created_at.date() + timedelta(days=1)
        rows = []
        while day <= last:
            midnight = datetime.combine(day, time(), tzinfo=UTC)
            rows.append((day, TruthSnapshot(*timeline.at(to_epoch_seconds(midnight)))))
            day += timedelta(days=1)
        return rows

    def forks(self, full_name: str, at: datetime) -> list[SimFork]:
        """The forks that exist at ``at``, oldest first: what the ``forks`` connection lists.

        Forks deleted by ``at`` are not in it; forks deleted later are. Every fork ever made
        is ``repo(full_name).forks``.
        """
        return [fork for fork in self.repo(full_name).forks if fork.exists_at(at)]

    def watchers(self, full_name: str, at: datetime) -> list[SimWatcher]:
        """The users watching at ``at``, longest-watching first."""
        return [watcher for watcher in self.repo(full_name).watchers if watcher.watching_at(at)]

    def last_stats_day(self, at: datetime) -> date:
        """The last day whose npm and PyPI counts have landed by ``at``."""
        return (utc(at) - self.config.stats_land_after).date() - timedelta(days=1)

    def npm_daily(self, name: str, through: date | None = None) -> list[tuple[date, int]]:
        """True daily npm downloads from the first day with data through ``through``.

        ``through`` defaults to the last day landed at ``config.now``.
        """
        return self._daily(Ecosystem.NPM, name, through)

    def pypi_daily(self, name: str, through: date | None = None) -> list[tuple[date, int]]:
        """True daily PyPI downloads without mirrors, from publication through ``through``."""
        return self._daily(Ecosystem.PYPI, name, through)

    def _daily(
        self, ecosystem: Ecosystem, name: str, through: date | None
    ) -> list[tuple[date, int]]:
        package = self.package(ecosystem, name)
        if package is None:
            raise InputError(f"no {ecosystem.value} package {name!r} in this world")
        last = through or self.last_stats_day(self.config.now)
        rows = []
        for offset, count in enumerate(package.daily):
            day = package.first_day + timedelta(days=offset)
            if day > last:
                break
            rows.append((day, count))
        return rows


def _package_key(ecosystem: Ecosystem, name: str) -> str:
    if ecosystem is Ecosystem.PYPI:
        return "-".join(
            part for part in name.lower().replace("_", "-").replace(".", "-").split("-")
        )
    return name


def _timeline(repo: SimRepo) -> CountTimeline:
    events: list[tuple[int, int, int]] = []
    for star in repo.stars:
        events.append((to_epoch_seconds(star.starred_at), _STARS, 1))
        if star.unstarred_at is not None:
            events.append((to_epoch_seconds(star.unstarred_at), _STARS, -1))
    for item in repo.items:
        opened, closed = (
            (_OPEN_PRS, _CLOSED_PRS)
            if item.is_pull_request
            else (
                _OPEN_ISSUES,
                _CLOSED_ISSUES,
            )
        )
        events.append((to_epoch_seconds(item.created_at), opened, 1))
        for closure in item.closures:
            final = closure.closed_at == item.merged_at
            into = _MERGED_PRS if final else closed
            events.append((to_epoch_seconds(closure.closed_at), opened, -1))
            events.append((to_epoch_seconds(closure.closed_at), into, 1))
            if closure.reopened_at is not None:
                events.append((to_epoch_seconds(closure.reopened_at), into, -1))
                events.append((to_epoch_seconds(closure.reopened_at), opened, 1))
    for fork in repo.forks:
        events.append((to_epoch_seconds(fork.created_at), _FORKS, 1))
        if fork.deleted_at is not None:
            events.append((to_epoch_seconds(fork.deleted_at), _FORKS, -1))
    for watcher in repo.watchers:
        events.append((to_epoch_seconds(watcher.watched_at), _WATCHERS, 1))
        if watcher.unwatched_at is not None:
            events.append((to_epoch_seconds(watcher.unwatched_at), _WATCHERS, -1))
    return CountTimeline(8, events)
