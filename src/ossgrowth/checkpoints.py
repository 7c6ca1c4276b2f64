"""Backfill jobs and their checkpoints: what the store keeps so a backfill can resume.

A job is one (subject, family) whose history is to be reconstructed. It is fetched as one or
more *streams* (a paged list: the issues in one state, the weeks of star history …); each
fetched page is kept as a :class:`PageCheckpoint` holding the page's records and the cursor of
the next page, written in one transaction. When every stream is complete the job's points are
written, its pages dropped and the job marked done, again in one transaction. A process killed
at any moment therefore loses at most the page it was fetching.

Runners sharing a store (servers, workers, the CLI) take a *lease* on a job before working on
it and renew it while they do: a job is worked on by one runner at a time, and a job whose
runner died is taken up by another once the lease ends.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from ossgrowth.model import Family, RepoName

__all__ = ["BackfillJob", "BackfillStatus", "PageCheckpoint"]


class BackfillStatus(enum.StrEnum):
    """Where a backfill job stands."""

    QUEUED = "queued"
    """Waiting, or interrupted: its stored pages are kept and reused."""
    DONE = "done"
    FAILED = "failed"
    """Stopped on an error a user must act on (``message`` says which); pages are kept."""


@dataclass(frozen=True, slots=True)
class BackfillJob:
    """The backfill of one family of one tracked repository."""

    repo: RepoName
    family: Family
    status: BackfillStatus
    enqueued_at: datetime
    since: date | None = None
    """Only history from this day on; ``None`` for everything the sources have."""
    finished_at: datetime | None = None
    method: str | None = None
    """The source label of the method used (``github-stargazers-history`` …), once done."""
    message: str | None = None
    """What the user should know: the method fallen back to, or why it failed."""
    lease_owner: str | None = None
    """The runner working on it (``host:pid:…``), while its lease lasts."""
    leased_until: datetime | None = None
    """When that lease ends unless renewed; after it, another runner may take the job."""

    @property
    def key(self) -> tuple[str, str]:
        """``(owner/name key, family)``: which job this is."""
        return self.repo.key, self.family.value


@dataclass(frozen=True, slots=True)
class PageCheckpoint:
    """One stored page of one stream of a backfill job."""

    repo: RepoName
    family: Family
    stream: str
    """Which paged list (``issues/OPEN/forward``, ``history``, ``npm:left-pad/2016-07-03`` …)."""
    page: int
    """1-based position of the page in its stream."""
    next_cursor: str | None
    """Where the next page starts; ``None`` when this page ends the stream."""
    payload: str
    """The page's records as JSON text, in the shape the stream's reader wrote."""
