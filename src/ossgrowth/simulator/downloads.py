"""Packages a repository publishes, and their true daily downloads.

Downloads grow from publication, dip at weekends, carry noise and the odd spike day. npm's
counts exist from 2015-01-10 at the earliest (the first day of npm's downloads API); PyPI
counts exist from publication, though the stats API only serves the last 180 days.
"""

from __future__ import annotations

import math
import random
import re
from datetime import date, datetime, timedelta

from ossgrowth.model import Ecosystem
from ossgrowth.simulator.config import WorldConfig
from ossgrowth.simulator.entities import SimPackage

__all__ = ["NPM_FIRST_DAY", "packages_for"]

NPM_FIRST_DAY = date(2015, 1, 10)


def packages_for(
    rng: random.Random,
    config: WorldConfig,
    repo_id: int,
    repo_name: str,
    owner: str,
    created_at: datetime,
) -> tuple[SimPackage, ...]:
    """The packages of one repository (often none), named after it and unique in the world."""
    if rng.random() >= config.package_share:
        return ()
    count = rng.randint(1, config.max_packages_per_repo)
    ecosystems = [rng.choice((Ecosystem.NPM, Ecosystem.PYPI)) for _ in range(count)]
    packages = []
    last_day = config.horizon.date()
    for position, ecosystem in enumerate(ecosystems):
        suffix = "" if position == 0 else f"-{('core', 'cli', 'plugin')[position % 3]}"
        base = f"{repo_name}{suffix}-{repo_id % 997}"  # the repo id keeps names unique
        if ecosystem is Ecosystem.NPM:
            name = f"@{owner}/{base}" if rng.random() < 0.35 else base
        else:
            name = re.sub(r"[-_.]+", "-", base).lower()
        published = created_at.date() + timedelta(days=rng.randrange(0, 60))
        first_day = max(published, NPM_FIRST_DAY) if ecosystem is Ecosystem.NPM else published
        if first_day > last_day:
            continue
        daily = _daily_downloads(rng, config.activity_scale, first_day, last_day)
        mirrors: tuple[int, ...] = ()
        if ecosystem is Ecosystem.PYPI:
            share = rng.uniform(0.02, 0.15)
            mirrors = tuple(int(value * share * rng.uniform(0.5, 1.5)) for value in daily)
        packages.append(SimPackage(ecosystem, name, repo_id, first_day, daily, mirrors))
    return tuple(packages)


def _daily_downloads(
    rng: random.Random, scale: float, first_day: date, last_day: date
) -> tuple[int, ...]:
    base = math.exp(rng.gauss(5.5, 1.5)) * scale
    growth_per_year = rng.uniform(-0.2, 1.2)
    counts = []
    day = first_day
    age = 0
    while day <= last_day:
        ramp = min(1.0, 0.15 + age / 120.0)
        trend = max(0.05, 1.0 + growth_per_year * age / 365.0)
        weekend = 0.55 if day.weekday() >= 5 else 1.0
        noise = math.exp(rng.gauss(0.0, 0.25))
        spike = 5.0 if rng.random() < 0.003 else 1.0
        counts.append(int(base * ramp * trend * weekend * noise * spike))
        day += timedelta(days=1)
        age += 1
    return tuple(counts)
