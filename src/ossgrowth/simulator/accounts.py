"""When each simulated user's account was created (GraphQL ``User.createdAt``).

A user made by a scenario (the accounts of a purchase of stars, :mod:`.bursts`) has the
creation time the scenario gave it. Any other user's is derived, deterministically, from its
id and the first thing it did in the world (a star, a fork, a watch, an issue): an age at that
first act drawn from a hash of the id, so that about :data:`NEW_ACCOUNT_SHARE` of ordinary
users signed up less than 30 days before their first act (people do join to star a project
they just read about) and the rest were from one month to about eight years old. An account is
never created after its first act, nor before GitHub's start.

The index of first acts is built on the first question (a world that nobody asks about users
pays nothing), and kept by the :class:`AccountBook` of its world, never in module state.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from ossgrowth.simulator.entities import SimRepo

__all__ = ["NEW_ACCOUNT_SHARE", "AccountBook"]

NEW_ACCOUNT_SHARE = 0.04
"""Share of ordinary users whose account was under 30 days old at their first act."""
_GITHUB_START = datetime(2008, 1, 1, tzinfo=UTC)
_OLDEST_AGE_DAYS = 3000.0
_NEW_AGE_DAYS = 30.0


class AccountBook:
    """The creation time of every user of one world."""

    def __init__(self, repos: Iterable[SimRepo], now: datetime) -> None:
        self._repos = tuple(repos)
        self._now = now
        self._given: dict[int, datetime] = {
            account.user_id: account.created_at for repo in self._repos for account in repo.accounts
        }
        self._first_acts: dict[int, datetime] | None = None

    def created_at(self, user_id: int) -> datetime:
        """When the account of ``user_id`` was created."""
        given = self._given.get(user_id)
        if given is not None:
            return given
        first_act = self._first_act(user_id)
        created = first_act - timedelta(days=_age_days(user_id))
        return max(created, min(_GITHUB_START, first_act))

    def _first_act(self, user_id: int) -> datetime:
        if self._first_acts is None:
            self._first_acts = _first_acts(self._repos)
        return self._first_acts.get(user_id, self._now)


def _first_acts(repos: tuple[SimRepo, ...]) -> dict[int, datetime]:
    first: dict[int, datetime] = {}

    def saw(user_id: int, moment: datetime) -> None:
        known = first.get(user_id)
        if known is None or moment < known:
            first[user_id] = moment

    for repo in repos:
        for star in repo.stars:
            saw(star.user_id, star.starred_at)
        for fork in repo.forks:
            saw(fork.owner_id, fork.created_at)
        for watcher in repo.watchers:
            saw(watcher.user_id, watcher.watched_at)
        for item in repo.items:
            saw(item.author_id, item.created_at)
    return first


def _age_days(user_id: int) -> float:
    """The account's age at its first act, from a hash of its id."""
    digest = hashlib.sha256(f"account:{user_id}".encode()).digest()
    pick = int.from_bytes(digest[:4], "big") / 2**32
    spread = int.from_bytes(digest[4:8], "big") / 2**32
    if pick < NEW_ACCOUNT_SHARE:
        return spread * _NEW_AGE_DAYS
    return _NEW_AGE_DAYS * math.exp(spread * math.log(_OLDEST_AGE_DAYS / _NEW_AGE_DAYS))
