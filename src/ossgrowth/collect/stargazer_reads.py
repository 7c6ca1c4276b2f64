"""The stargazers' account ages kept current after the star backfill: each collection of stars
reads the newest stargazers of every repository whose list it follows.

A repository is followed once its star backfill has read the whole stargazer list (only a
token of its admins and collaborators may, since GitHub's 2026 rule): the store keeps the
newest ``starredAt`` its day counts hold, its *mark*. Each collection of the stars family then
reads the list backwards from the newest star (GraphQL ``stargazers`` ordered by
``STARRED_AT``, ``last: 100`` then ``before:`` the page's start), and stops at the first page
holding a star at or before the mark, at the start of the list, or after ``max_pages`` pages.
The stars strictly after the mark are counted by UTC day and added to the days kept, in one
transaction with the new mark (:meth:`~ossgrowth.store.base.Store.add_stargazer_days`), which
happens only from the mark that was read: a page read twice (a collection killed before it
wrote, two collectors) counts once.

The mark keeps the star count the collection's snapshot showed before the read (with the last
write of a read, or :meth:`~ossgrowth.store.base.Store.keep_stars_seen` when nothing came).
A collection whose snapshot shows that count again does not read the list: no star came since,
or as many came as were taken back. Such a star is counted by the next read, once the count
changes, since a read goes back from the newest star to the mark: later, not lost (within the
page bound). A list just backfilled has no count seen, and is read.

When more stars came than ``max_pages`` pages hold, the newest are counted and the mark moves
to the newest star: the stars between the old mark and the oldest star read are never read, a
day wholly among them keeps no account ages (its flag says they are not known), and the day at
either edge is judged by the stars that were read. The next collection starts again from the
newest star. A list GitHub no longer shows to the token (``FORBIDDEN``, or the repository not
found) is followed no more, its days kept, and the collection goes on; any other failure of
the source leaves the mark where it was, for the next collection.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import anyio

from ossgrowth.errors import NotFound, RateLimited, SourceError
from ossgrowth.metrics.history import SECONDS_PER_DAY
from ossgrowth.metrics.unusual import stargazer_days
from ossgrowth.model import RepoName, from_epoch_seconds, to_epoch_seconds
from ossgrowth.sources import StargazersHidden
from ossgrowth.sources.github_timeline import PAGE_SIZE, Direction, GitHubTimeline
from ossgrowth.store import Store
from ossgrowth.store.base import STARGAZER_DAYS_PER_ADD
from ossgrowth.store.off_loop import off_loop

__all__ = [
    "READS_AT_ONCE",
    "STARGAZER_PAGES_PER_RUN",
    "NewStars",
    "StargazerReader",
    "StargazerReads",
    "added_parts",
    "count_new_stars",
    "follow_stargazers",
]

logger = logging.getLogger(__name__)

STARGAZER_PAGES_PER_RUN = 5
"""Pages of 100 stargazers a collection reads at most per repository (the default of
``OSSGROWTH_STARGAZER_PAGES_PER_RUN``)."""
READS_AT_ONCE = 8
"""Repositories whose stargazers are read at the same time."""

Star = tuple[int, int | None]
"""``(starred_at, account_created_at)`` in epoch seconds; ``None`` for a deleted account."""


@dataclass(frozen=True, slots=True)
class NewStars:
    """The stars a repository's list shows after its mark, as far as they were read."""

    stars: tuple[Star, ...]
    """The stars strictly after the mark, oldest first."""
    pages: int
    """Pages read."""
    complete: bool
    """Whether every star after the mark was read (``False``: the page bound came first)."""


class StargazerReader:
    """Reads the newest stargazers of a repository back to a moment, in bounded pages.

    Args:
        timeline: the GitHub client whose ``stargazers`` pages are read.
        max_pages: pages read at most per repository and collection.
    """

    def __init__(self, timeline: GitHubTimeline, *, max_pages: int = STARGAZER_PAGES_PER_RUN):
        if max_pages < 1:
            raise ValueError("max_pages must be at least 1")
        self.timeline = timeline
        self.max_pages = max_pages

    async def aclose(self) -> None:
        """Close the client's connections."""
        await self.timeline.aclose()

    @property
    def requests_sent(self) -> int:
        """HTTP requests made so far, retries included."""
        return self.timeline.requests_sent

    async def newer_than(self, repo: RepoName, mark: datetime) -> NewStars:
        """The stars of ``repo`` given after ``mark``, newest pages first, at most
        ``max_pages`` pages.

        Raises:
            StargazersHidden: the token may not list them.
            NotFound: GitHub shows no such repository to the token.
            SourceError: any other failure of the source.
        """
        after = to_epoch_seconds(mark)
        found: list[Star] = []
        cursor: str | None = None
        for number in range(1, self.max_pages + 1):
            page = await self.timeline.stargazers(repo, Direction.BACKWARD, cursor)
            created = page.account_created_at or (None,) * len(page.starred_at)
            newer = [
                (starred, account)
                for starred, account in zip(page.starred_at, created, strict=True)
                if starred > after
            ]
            found.extend(newer)
            if len(newer) < len(page.starred_at) or page.next_cursor is None:
                return NewStars(tuple(sorted(found)), number, complete=True)
            cursor = page.next_cursor
        return NewStars(tuple(sorted(found)), self.max_pages, complete=False)


@dataclass(frozen=True, slots=True)
class StargazerReads:
    """What one collection's reads of the followed stargazer lists did."""

    followed: int = 0
    """Repositories of the collection whose list is followed."""
    unchanged: int = 0
    """Followed repositories not read: their star count was the one seen at their mark."""
    pages: int = 0
    counted: int = 0
    """Stars counted into the days kept."""
    behind: tuple[RepoName, ...] = ()
    """Repositories with more new stars than the page bound: some were not read."""
    hidden: tuple[RepoName, ...] = ()
    """Repositories whose list GitHub no longer shows: followed no more."""
    failed: tuple[RepoName, ...] = ()
    """Repositories whose read failed otherwise: their marks wait for the next collection."""

    def counts(self) -> dict[str, int]:
        """The run's counts of these reads (see :class:`~ossgrowth.model.Run`)."""
        return {
            "stargazer_lists": self.followed,
            "stargazer_lists_unchanged": self.unchanged,
            "stargazer_pages": self.pages,
            "stargazers_counted": self.counted,
        }


def added_parts(stars: Sequence[Star], after: int) -> list[tuple[list[Star], int]]:
    """``stars`` (after ``after``, oldest first) cut into writes of whole days, each with the
    mark it moves to: at most :data:`~ossgrowth.store.base.STARGAZER_DAYS_PER_ADD` days a
    write, every part's mark its newest star."""
    parts: list[tuple[list[Star], int]] = []
    current: list[Star] = []
    days = 0
    last_day: int | None = None
    for star in stars:
        if star[0] <= after:
            raise ValueError("every star added must be after the mark")
        day = star[0] // SECONDS_PER_DAY
        if day != last_day:
            if days == STARGAZER_DAYS_PER_ADD:
                parts.append((current, current[-1][0]))
                current, days = [], 0
            days += 1
            last_day = day
        current.append(star)
    if current:
        parts.append((current, current[-1][0]))
    return parts


async def follow_stargazers(
    store: Store, reader: StargazerReader, star_counts: Mapping[RepoName, int]
) -> StargazerReads:
    """Count the new stargazers of each repository of ``star_counts`` (its star count in this
    collection's snapshot) whose list is followed and whose count changed (see the module).

    Raises:
        StoreError: the store failed.
    """
    marks = await off_loop(store.stargazer_marks, list(star_counts))
    followed = [repo for repo in star_counts if repo.key in marks]
    if not followed:
        return StargazerReads()
    unchanged = pages = counted = 0
    behind: list[RepoName] = []
    hidden: list[RepoName] = []
    failed: list[RepoName] = []
    limiter = anyio.CapacityLimiter(READS_AT_ONCE)
    out_of_budget = anyio.Event()

    async def one(repo: RepoName) -> None:
        nonlocal unchanged, pages, counted
        mark, seen = marks[repo.key], star_counts[repo]
        if mark.stars_seen == seen:
            unchanged += 1
            return
        async with limiter:
            if out_of_budget.is_set():
                failed.append(repo)
                return
            try:
                new = await reader.newer_than(repo, mark.read_through)
            except (StargazersHidden, NotFound) as error:
                await off_loop(store.stop_stargazer_reads, repo)
                logger.warning("%s: %s; its stargazer list is followed no more", repo, error)
                hidden.append(repo)
                return
            except RateLimited as error:
                out_of_budget.set()
                logger.warning("stargazer lists left for the next collection: %s", error)
                failed.append(repo)
                return
            except SourceError as error:
                logger.warning("the stargazers of %s were not read: %s", repo, error)
                failed.append(repo)
                return
            pages += new.pages
            if not new.complete:
                behind.append(repo)
                logger.info(
                    "%s: more than %d new stars since %s; the %d newest counted, the others "
                    "left unknown",
                    repo,
                    new.pages * PAGE_SIZE,
                    mark.read_through.isoformat(),
                    len(new.stars),
                )
            counted += await off_loop(
                count_new_stars, store, repo, new.stars, mark.read_through, seen
            )

    async with anyio.create_task_group() as group:
        for repo in followed:
            group.start_soon(one, repo)
    return StargazerReads(
        len(followed), unchanged, pages, counted, tuple(behind), tuple(hidden), tuple(failed)
    )


def count_new_stars(
    store: Store, repo: RepoName, stars: Sequence[Star], mark: datetime, stars_seen: int
) -> int:
    """Add ``stars`` (all after ``mark``, oldest first) to ``repo``'s days, moving its mark
    part by part (:func:`added_parts`), and keep ``stars_seen`` (the count shown before they
    were read) with the last part, or with ``mark`` when there are none; returns the stars
    counted, none when the mark is no longer ``mark`` (another writer counted them, or the
    list is not followed)."""
    parts = added_parts(stars, to_epoch_seconds(mark))
    if not parts:
        store.keep_stars_seen(repo, stars_seen, read_through=mark)
        return 0
    counted = 0
    after = to_epoch_seconds(mark)
    for number, (part, through) in enumerate(parts, start=1):
        moved = store.add_stargazer_days(
            repo,
            stargazer_days(part),
            after=from_epoch_seconds(after),
            through=from_epoch_seconds(through),
            stars_seen=stars_seen if number == len(parts) else None,
        )
        if not moved:
            logger.info("%s: its stargazers were counted meanwhile by another writer", repo)
            break
        counted += len(part)
        after = through
    return counted
