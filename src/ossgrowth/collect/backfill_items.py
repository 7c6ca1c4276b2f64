"""Reading long GraphQL connections with short chains of dependent requests.

A connection's pages follow one another (each needs the cursor of the one before), so a list
of ``n`` pages costs ``n`` round trips read one way. Two ways to shorten that chain:

- Both ends: the first page gives ``totalCount``; a forward walk (``first``/``after``) takes
  the first half of the pages while a backward walk (``last``/``before``) takes the rest.
- Time slices (issues only; GitHub's pull request connection has no ``filterBy``): ordered by
  ``updatedAt`` and filtered with ``filterBy: {since:}``, the items updated in each of
  :data:`TIME_SLICES` spans between the repository's creation and the backfill are read at
  once, each slice stopping at the first page that reaches the next; the last slice is read
  from both ends.

Items are kept once each, by number, whichever walk saw them. Pages are checkpointed by
:class:`~ossgrowth.collect.backfill_pages.JobPages`; the slice bounds are kept in the first
page, so a resumed run reads the same slices.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial
from typing import Any

from ossgrowth.collect.backfill_pages import UNKNOWN_LENGTH, JobPages, gather
from ossgrowth.metrics.history import ItemTimes, midnight_seconds
from ossgrowth.model import from_epoch_seconds
from ossgrowth.sources.github_timeline import PAGE_SIZE, Direction, GitHubTimeline, ItemKind

__all__ = ["SLICE_FROM_PAGES", "TIME_SLICES", "read_both_ends", "read_items"]

TIME_SLICES = 8
SLICE_FROM_PAGES = 6
"""Connections of more pages than this are read in time slices (issues)."""

DirectedFetch = Callable[[Direction, str | None], Awaitable[tuple[Any, str | None]]]


async def read_both_ends(pages: JobPages, stream: str, fetch: DirectedFetch) -> list[Any]:
    """Every page of one connection, read from its start and its end at the same time."""

    async def forward(cursor: str | None) -> tuple[Any, str | None]:
        return await fetch(Direction.FORWARD, cursor)

    async def backward(cursor: str | None) -> tuple[Any, str | None]:
        return await fetch(Direction.BACKWARD, cursor)

    head = await pages.walk(f"{stream}/forward", forward, 1, chain=UNKNOWN_LENGTH)
    page_count = math.ceil(head[0]["total"] / PAGE_SIZE)
    front = max(1, math.ceil(page_count / 2))
    back = page_count - front
    found: dict[str, list[Any]] = {}

    async def front_half() -> None:
        found["forward"] = await pages.walk(f"{stream}/forward", forward, front)

    async def back_half() -> None:
        found["backward"] = await pages.walk(f"{stream}/backward", backward, back)

    await gather([front_half, back_half] if back else [front_half])
    return found["forward"] + found.get("backward", [])


async def read_items(
    pages: JobPages, github: GitHubTimeline, kind: ItemKind, today: date
) -> tuple[int, list[ItemTimes]]:
    """The repository's creation (epoch seconds) and every item of ``kind``, each once."""
    records: list[Any] = []
    as_of = midnight_seconds(today)

    def fetcher(state: str, since: int | None, stop: int | None) -> DirectedFetch:
        async def fetch(direction: Direction, cursor: str | None) -> tuple[Any, str | None]:
            page = await github.items(
                pages.repo,
                kind,
                state,
                direction,
                cursor,
                updated_since=None if since is None else from_epoch_seconds(since),
            )
            rows = [[number, t.created_at, t.closed_at, t.merged_at] for number, t in page.items]
            record = {
                "created_at": int(page.created_at.timestamp()),
                "total": page.total,
                "as_of": as_of,
                "items": rows,
            }
            reached = stop is not None and (page.last_updated_at or 0) >= stop
            return record, None if reached else page.next_cursor

        return fetch

    async def state(name: str) -> None:
        base = f"{kind.value}/{name}"
        since = 0 if kind is ItemKind.ISSUES else None  # issues are always read by updatedAt
        whole = fetcher(name, since, None)
        head = await pages.walk(
            f"{base}/forward", partial(whole, Direction.FORWARD), 1, chain=UNKNOWN_LENGTH
        )
        if kind is not ItemKind.ISSUES or math.ceil(head[0]["total"] / PAGE_SIZE) <= (
            SLICE_FROM_PAGES
        ):
            records.extend(await read_both_ends(pages, base, whole))
            return
        records.extend(await _sliced(pages, base, head[0], fetcher, name))

    await gather([partial(state, name) for name in kind.states])
    by_number = {
        row[0]: ItemTimes(row[1], row[2], row[3]) for record in records for row in record["items"]
    }
    return records[0]["created_at"], list(by_number.values())


async def _sliced(
    pages: JobPages,
    base: str,
    head: Any,
    fetcher: Callable[[str, int | None, int | None], DirectedFetch],
    state: str,
) -> list[Any]:
    created, as_of = head["created_at"], max(head["as_of"], head["created_at"] + 1)
    bounds = [created + (as_of - created) * k // TIME_SLICES for k in range(1, TIME_SLICES)]
    found: list[Any] = []

    async def first_slice() -> None:
        step = partial(fetcher(state, 0, bounds[0]), Direction.FORWARD)
        found.extend(await pages.walk(f"{base}/forward", step, None))

    async def middle_slice(index: int) -> None:
        start, stop = bounds[index - 1], bounds[index]
        step = partial(fetcher(state, start, stop), Direction.FORWARD)
        found.extend(await pages.walk(f"{base}/since-{start}/forward", step, None))

    async def last_slice() -> None:
        start = bounds[-1]
        found.extend(
            await read_both_ends(pages, f"{base}/since-{start}", fetcher(state, start, None))
        )

    await gather(
        [first_slice, *(partial(middle_slice, k) for k in range(1, len(bounds))), last_slice]
    )
    return found
