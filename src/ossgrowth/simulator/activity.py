"""Random processes behind a world: how busy a repository is on each day of its life.

A repository's activity curve has a launch spike that decays over days, a few later spikes
(releases, mentions), and slow growth or decline. Stars, issues and pull requests are spread
over that curve, so a repository's charts look like the real ones: a cliff at launch, bumps,
then a steady slope.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from datetime import datetime, timedelta
from itertools import accumulate

__all__ = ["activity_curve", "lognormal_delay", "spread_over_curve"]

SECONDS_PER_DAY = 86_400


def activity_curve(rng: random.Random, days: int) -> list[float]:
    """Relative activity of each day of a life of ``days`` days (not normalised)."""
    launch_day = rng.randrange(0, max(1, min(days, 60)))
    launch_height = rng.uniform(15.0, 150.0)
    launch_half_life_days = rng.uniform(1.5, 6.0)
    trend_per_year = rng.uniform(-0.3, 0.8)
    spike_count = min(12, int(rng.expovariate(1.0) * days / 365.0 + 0.5))
    spikes = [
        (rng.randrange(0, days), rng.uniform(3.0, 40.0), rng.uniform(1.0, 4.0))
        for _ in range(spike_count)
    ]
    curve = []
    for day in range(days):
        years = day / 365.0
        level = max(0.15, 1.0 + trend_per_year * years)
        if day >= launch_day:
            level += launch_height * 0.5 ** ((day - launch_day) / launch_half_life_days)
        for spike_day, height, half_life in spikes:
            if day >= spike_day:
                level += height * 0.5 ** ((day - spike_day) / half_life)
        curve.append(level)
    return curve


def spread_over_curve(
    rng: random.Random,
    count: int,
    start: datetime,
    curve: list[float],
    end: datetime,
) -> list[datetime]:
    """``count`` moments after ``start`` distributed like ``curve`` (one weight per day), sorted.

    Moments after ``end`` are dropped, so a curve running past the end of simulated time
    yields fewer than ``count``.
    """
    if count <= 0 or not curve:
        return []
    cumulative = list(accumulate(curve))
    total = cumulative[-1]
    moments = []
    for _ in range(count):
        day = bisect_right(cumulative, rng.random() * total)
        day = min(day, len(curve) - 1)
        moment = start + timedelta(seconds=day * SECONDS_PER_DAY + rng.randrange(SECONDS_PER_DAY))
        if moment <= end:
            moments.append(moment)
    moments.sort()
    return moments


def lognormal_delay(rng: random.Random, median_hours: float, sigma: float) -> timedelta:
    """A positive delay whose median is ``median_hours``; heavy-tailed like response times."""
    hours = math.exp(rng.gauss(math.log(median_hours), sigma))
    return timedelta(seconds=max(60, int(hours * 3600)))
