"""Forks and watchers of a repository: who forked or watches it, when, and until when.

Both follow the repository's activity curve, as stars do: a launch brings forks and watchers
with its stars. Some forks are deleted later (they vanish from every count and list from that
moment), and some watchers stop watching, so both counts can fall as well as rise.

Every draw here comes from a random stream of its own (``"{seed}:reach:{index}"``), never
from the repository's stream, so adding reach changed no star, issue or download of a world
built before it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from ossgrowth.simulator.activity import spread_over_curve
from ossgrowth.simulator.entities import SimFork, SimWatcher

__all__ = ["FORK_DELETED_SHARE", "UNWATCHED_SHARE", "draw_forks", "draw_watchers"]

FORK_DELETED_SHARE = 0.12
"""Share of forks deleted some time after they were made (if before the horizon)."""
UNWATCHED_SHARE = 0.2
"""Share of watchers who stop watching some time later (if before the horizon)."""
_USERS = range(1_000, 9_000_000)


def draw_forks(
    rng: random.Random,
    count: int,
    created_at: datetime,
    curve: list[float],
    horizon: datetime,
    new_id: Callable[[datetime], int],
) -> tuple[SimFork, ...]:
    """``count`` forks spread over ``curve`` from ``created_at``, oldest first.

    Args:
        rng: the repository's reach stream.
        count: forks to make (fewer come back when the curve runs past ``horizon``).
        created_at: the parent repository's creation.
        curve: the parent's activity per day.
        horizon: the end of simulated time; a deletion after it does not happen.
        new_id: a fresh repository id for a fork made at a moment (ids are shared with
            every other repository of the world).
    """
    forks = []
    for made_at in spread_over_curve(rng, count, created_at, curve, horizon):
        owner_id = rng.randrange(_USERS.start, _USERS.stop)
        deleted_at = None
        if rng.random() < FORK_DELETED_SHARE:
            candidate = made_at + timedelta(days=rng.expovariate(1 / 120.0), hours=1)
            deleted_at = candidate if candidate <= horizon else None
        forks.append(SimFork(new_id(made_at), owner_id, made_at, deleted_at))
    return tuple(forks)


def draw_watchers(
    rng: random.Random,
    star_total: int,
    created_at: datetime,
    curve: list[float],
    horizon: datetime,
) -> tuple[SimWatcher, ...]:
    """The creator, watching from creation, and 2–6 % of ``star_total`` more over ``curve``."""
    share = rng.uniform(0.02, 0.06)
    moments = spread_over_curve(rng, int(star_total * share), created_at, curve, horizon)
    user_ids = rng.sample(_USERS, len(moments) + 1)
    watchers = [SimWatcher(user_ids[0], created_at)]
    for user_id, watched_at in zip(user_ids[1:], moments, strict=True):
        unwatched_at = None
        if rng.random() < UNWATCHED_SHARE:
            candidate = watched_at + timedelta(days=rng.expovariate(1 / 200.0), hours=1)
            unwatched_at = candidate if candidate <= horizon else None
        watchers.append(SimWatcher(user_id, watched_at, unwatched_at))
    return tuple(watchers)
