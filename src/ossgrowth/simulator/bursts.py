"""Scenario bursts of stars: a purchase of stars, or an ordinary launch, on a chosen day.

A purchase is ``stars`` stars within one UTC day from accounts made one to seven days before
it, each used once (the accounts are :class:`~ossgrowth.simulator.entities.SimAccount` rows
with their creation times). A launch is as many stars on one day from ordinary users, whose
accounts are of all ages (:mod:`ossgrowth.simulator.accounts`). Neither star is taken back.

Every draw comes from a stream of the burst's own (``"{seed}:burst:{index}"``) and the users
take ids above every drawn user's, so a world without bursts is exactly as before, and adding
a burst changes nothing else of its world.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from ossgrowth.errors import InputError
from ossgrowth.simulator.config import StarBurst
from ossgrowth.simulator.entities import SimAccount, SimStar

__all__ = ["BURST_USER_IDS_FROM", "burst_stars"]

BURST_USER_IDS_FROM = 20_000_000
"""Users of bursts take ids from here (ordinary users are below 9,000,000): burst ``k`` uses
``BURST_USER_IDS_FROM + k · 200,000`` onwards."""
_IDS_PER_BURST = 200_000
_BOUGHT_ACCOUNT_AGE_DAYS = (1.0, 7.0)


def burst_stars(
    seed: int,
    bursts: Sequence[tuple[int, StarBurst]],
    created_at: datetime,
    horizon: datetime,
) -> tuple[list[SimStar], list[SimAccount]]:
    """The stars (and bought accounts) of one repository's bursts.

    Args:
        seed: the world's seed.
        bursts: ``(index in the world's bursts, burst)`` of this repository.
        created_at: the repository's creation; a burst must fall after it.
        horizon: the end of simulated time; stars after it do not happen.

    Raises:
        InputError: a burst's day is before the repository was created.
    """
    stars: list[SimStar] = []
    accounts: list[SimAccount] = []
    for index, burst in bursts:
        start = datetime.combine(burst.day, time(), tzinfo=UTC)
        if start + timedelta(days=1) <= created_at:
            raise InputError(
                f"invalid world: burst {index} on {burst.day} is before its repository "
                f"was created ({created_at.date()})"
            )
        rng = random.Random(f"{seed}:burst:{index}")
        first_id = BURST_USER_IDS_FROM + index * _IDS_PER_BURST
        opens = max(start, created_at)
        span_seconds = int((start + timedelta(days=1) - opens).total_seconds())
        for number in range(burst.stars):
            moment = opens + timedelta(seconds=rng.randrange(span_seconds))
            if moment > horizon:
                continue
            user_id = first_id + number
            stars.append(SimStar(user_id, moment))
            if burst.bought:
                age = timedelta(days=rng.uniform(*_BOUGHT_ACCOUNT_AGE_DAYS))
                accounts.append(SimAccount(user_id, start - age))
    return stars, accounts
