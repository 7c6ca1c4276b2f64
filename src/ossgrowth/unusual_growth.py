"""Unusual growth of a tracked repository: its flagged days, read from the store.

The core under ``GET /api/v1/repos/{owner}/{name}/unusual``: the star points and the
stargazers' account ages kept in the store (``Store.read_stargazer_days``) go through
:func:`ossgrowth.metrics.unusual.unusual_growth`. Nothing upstream is asked here: the account
ages come from the stargazer pages the star backfill reads anyway (the user's ``createdAt`` is
a field of the same GraphQL page, at no extra request or point), then from the newest
stargazers each collection of stars reads for the lists it follows
(:mod:`ossgrowth.collect.stargazer_reads`, a few pages at most), which is far cheaper than
paging to a flagged day afterwards. Stars not read (given after the last collection, or more
than a collection reads) have no known account ages; the answer says so for each such flagged
day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

from ossgrowth.errors import InputError
from ossgrowth.metrics.registry import Family
from ossgrowth.metrics.unusual import UnusualGrowth, unusual_growth
from ossgrowth.model import RepoName
from ossgrowth.store import Store

__all__ = ["UNUSUAL_FIELDS", "read_unusual_growth"]

UNUSUAL_FIELDS: Mapping[Family, str] = MappingProxyType({Family.STARS: "star_count"})
"""The families whose days are flagged, and the count each flags. Only stars: they are what
is bought, and only stargazers come with the account ages that tell a purchase from a launch
(forks, issues and downloads have bursts of their own, with nothing to tell them apart)."""


def read_unusual_growth(
    store: Store,
    repo: RepoName,
    family: Family,
    *,
    first: date | None = None,
    last: date | None = None,
) -> UnusualGrowth:
    """The flagged days of ``repo``'s ``family`` from ``first`` to ``last`` (inclusive).

    The whole series is read, so that the days before ``first`` make the windows of the days
    shown and every flagged day is left out of the baseline share of new accounts.

    Raises:
        InputError: a family whose days are not flagged.
    """
    field = UNUSUAL_FIELDS.get(family)
    if field is None:
        supported = ", ".join(sorted(known.value for known in UNUSUAL_FIELDS))
        raise InputError(f"unusual growth is flagged for {supported} only, not {family.value}")
    observations = store.read_series(repo, family).observations(field)
    ages = store.read_stargazer_days(repo)
    return unusual_growth(observations, ages or None, first=first, last=last)
