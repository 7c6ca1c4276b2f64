"""The pages of one backfill job: stored ones reused, missing ones fetched and checkpointed.

A *stream* is a paged list read one page after another (each page names the cursor of the
next). Every fetched page is saved with that cursor in one store transaction before the next
is asked, so a run killed at any moment resumes at the first page it had not stored, and no
stored page is ever requested again.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio

from ossgrowth.checkpoints import PageCheckpoint
from ossgrowth.collect.priority_limiter import PriorityLimiter
from ossgrowth.errors import OssgrowthError
from ossgrowth.model import Family, RepoName
from ossgrowth.store import Store
from ossgrowth.store.off_loop import off_loop

__all__ = ["UNKNOWN_LENGTH", "Fetch", "JobPages", "Progress", "SilentProgress", "gather"]

UNKNOWN_LENGTH = 1_000_000
"""The length a walk is ranked by while it is not known (it may be the longest chain)."""

Fetch = Callable[[str | None], Awaitable[tuple[Any, str | None]]]
"""Fetch the page at a cursor (``None``: the first); returns its JSON-able records and the
cursor of the next page (``None``: the last page)."""


class Progress(Protocol):
    """Told about pages as a backfill plans and fetches them (the CLI draws a bar per repo)."""

    def planned(self, repo: RepoName, pages: int) -> None:
        """``pages`` more pages are known to be needed for ``repo``."""

    def advanced(self, repo: RepoName, pages: int) -> None:
        """``pages`` more pages of ``repo`` are stored."""


class SilentProgress:
    """A :class:`Progress` that shows nothing."""

    def planned(self, repo: RepoName, pages: int) -> None:
        return None

    def advanced(self, repo: RepoName, pages: int) -> None:
        return None


@dataclass
class JobPages:
    """Pages of one (repository, family) job, kept in step with the store."""

    store: Store
    repo: RepoName
    family: Family
    limiter: PriorityLimiter
    progress: Progress
    by_stream: dict[str, list[PageCheckpoint]] = field(default_factory=dict)
    fetched: int = 0
    """Pages requested by this run (stored pages reused are not counted)."""

    @classmethod
    async def load(
        cls,
        store: Store,
        repo: RepoName,
        family: Family,
        limiter: PriorityLimiter,
        progress: Progress,
    ) -> JobPages:
        """The job's pages as stored by earlier, interrupted runs."""
        pages = cls(store, repo, family, limiter, progress)
        stored = await off_loop(store.backfill_pages, repo, family)
        for page in stored:
            pages.by_stream.setdefault(page.stream, []).append(page)
        progress.planned(repo, len(stored))
        progress.advanced(repo, len(stored))
        return pages

    async def walk(
        self, stream: str, fetch: Fetch, max_pages: int | None = None, *, chain: int = 0
    ) -> list[Any]:
        """The records of ``stream``'s pages, up to ``max_pages`` or its end.

        Stored pages are reused; the walk goes on from the last stored cursor. Each request is
        ranked by the pages of the walk still to come, itself included (a walk without
        ``max_pages`` counts as :data:`UNKNOWN_LENGTH`), or by ``chain`` when larger: the
        requests of the chain a first page opens (:data:`UNKNOWN_LENGTH` when its answer
        decides how many follow).
        """
        length = max(chain, max_pages or UNKNOWN_LENGTH)
        held = self.by_stream.setdefault(stream, [])
        ended = bool(held) and held[-1].next_cursor is None
        wanted = len(held) + (not ended) if max_pages is None else max_pages
        self.progress.planned(self.repo, max(0, wanted - len(held)))
        while not (held and held[-1].next_cursor is None) and (
            max_pages is None or len(held) < max_pages
        ):
            cursor = held[-1].next_cursor if held else None
            # The slot is held until the page is kept: a killed run loses at most one fetched
            # page per slot, however slowly the store writes.
            async with self.limiter.slot(length - len(held)):
                records, next_cursor = await fetch(cursor)
                page = PageCheckpoint(
                    self.repo, self.family, stream, len(held) + 1, next_cursor, json.dumps(records)
                )
                await off_loop(self.store.save_backfill_page, page)
            held.append(page)
            self.fetched += 1
            if max_pages is None and next_cursor is not None:
                self.progress.planned(self.repo, 1)
            self.progress.advanced(self.repo, 1)
        chosen = held if max_pages is None else held[:max_pages]
        return [json.loads(page.payload) for page in chosen]

    async def single(
        self, stream: str, fetch: Callable[[], Awaitable[Any]], *, chain: int = 0
    ) -> Any:
        """The records of a stream of one page (a range, a numbered page); ``chain`` as in walk."""

        async def once(cursor: str | None) -> tuple[Any, str | None]:
            return await fetch(), None

        return (await self.walk(stream, once, 1, chain=chain))[0]

    async def note(self, stream: str, record: Any) -> None:
        """Keep ``record`` as the one page of ``stream`` when it asked nothing upstream (a
        refusal to remember): stored at once, without waiting for a request slot, so a stop
        while other requests hold the slots cannot lose it."""
        held = self.by_stream.setdefault(stream, [])
        if held:
            return
        page = PageCheckpoint(self.repo, self.family, stream, 1, None, json.dumps(record))
        await off_loop(self.store.save_backfill_page, page)
        held.append(page)

    def stored_pages(self) -> int:
        """Pages this job holds, fetched now or earlier."""
        return sum(len(pages) for pages in self.by_stream.values())


async def gather(calls: Sequence[Callable[[], Awaitable[None]]]) -> None:
    """Run ``calls`` concurrently to their ends; then raise the first error, as itself.

    (A task group would raise an ``ExceptionGroup``; callers here want the one error a user
    can act on.) The others are not cancelled: a page already answered is still stored.
    """
    errors: list[OssgrowthError] = []

    async with anyio.create_task_group() as group:

        async def guarded(call: Callable[[], Awaitable[None]]) -> None:
            try:
                await call()
            except OssgrowthError as error:
                errors.append(error)

        for call in calls:
            group.start_soon(guarded, call)
    if errors:
        raise errors[0]
