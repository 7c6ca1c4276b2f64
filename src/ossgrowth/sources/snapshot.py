"""What one look at a repository yields, from GraphQL or REST alike, and its store points."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from ossgrowth.errors import NotFound, SourceError
from ossgrowth.metrics.ratios import with_ratios
from ossgrowth.model import Family, PackageRef, Point, Provenance, RepoName, Value

__all__ = ["Failure", "RepoSnapshot", "SnapshotBatch", "distinct", "snapshot_points"]


@dataclass(frozen=True, slots=True)
class RepoSnapshot:
    """A repository's counts at one moment.

    Issue counts exclude pull requests. ``closed_prs`` are PRs closed without merging, so
    every PR ever opened is ``open_prs + merged_prs + closed_prs``.
    """

    repo: RepoName
    """The name as asked."""
    node_id: str
    """GitHub's stable id; it survives renames and transfers."""
    name_with_owner: RepoName
    """The current name; differs from ``repo`` after a rename or transfer."""
    star_count: int
    open_issues: int
    closed_issues: int
    open_prs: int
    merged_prs: int
    closed_prs: int
    forks: int
    """GitHub's fork count (GraphQL ``forkCount``, REST ``forks_count``): the whole fork
    network, so private forks and forks of forks too; a deleted fork leaves it."""
    watchers: int
    """People watching the repository (GraphQL ``watchers.totalCount``, REST
    ``subscribers_count``); REST's ``watchers_count`` is the star count, not this."""
    observed_at: datetime

    @property
    def renamed(self) -> bool:
        """True when GitHub now knows the repository under another name."""
        return self.repo.key != self.name_with_owner.key


@dataclass(frozen=True, slots=True)
class Failure:
    """A subject that could not be observed, while the rest of its batch could."""

    subject: RepoName | PackageRef
    kind: str
    """What went wrong, as the upstream calls it: ``NOT_FOUND``, ``FORBIDDEN``, ``HTTP 500`` …"""
    message: str

    @property
    def error(self) -> SourceError:
        """The failure as an exception (``NotFound`` for a missing subject)."""
        text = f"{self.subject}: {self.message}"
        return NotFound(text) if self.kind == "NOT_FOUND" else SourceError(text)


@dataclass(frozen=True, slots=True)
class SnapshotBatch:
    """Snapshots of many repositories: each asked repository is in exactly one of the two."""

    snapshots: tuple[RepoSnapshot, ...]
    failures: tuple[Failure, ...]
    requests_sent: int
    """HTTP requests this batch took, retries included."""
    points_spent: int | None = None
    """GraphQL rate-limit points charged (``rateLimit.cost`` summed); ``None`` for REST."""

    def __iter__(self) -> Iterator[RepoSnapshot]:
        return iter(self.snapshots)


def snapshot_points(snapshot: RepoSnapshot, source: str) -> list[Point]:
    """The store points of a snapshot: one each for stars, PR velocity, issue health and reach.

    Points carry ``snapshot.repo`` (the name as asked): a caller that sees
    ``snapshot.renamed`` updates its subject first.
    """
    counts: dict[Family, dict[str, Value]] = {
        Family.STARS: {"star_count": snapshot.star_count},
        Family.PRS: {"open_prs": snapshot.open_prs, "merged_prs": snapshot.merged_prs},
        Family.ISSUES: {
            "open_issues": snapshot.open_issues,
            "closed_issues": snapshot.closed_issues,
        },
        Family.REACH: {"forks": snapshot.forks, "watchers": snapshot.watchers},
    }
    values = {family: with_ratios(family, counted) for family, counted in counts.items()}
    return [
        Point(
            repo=snapshot.repo,
            family=family,
            observed_at=snapshot.observed_at,
            values=family_values,
            provenance=Provenance.MEASURED,
            source=source,
        )
        for family, family_values in values.items()
    ]


def distinct(repos: Iterable[RepoName]) -> list[RepoName]:
    """``repos`` in order, each once (GitHub compares names case-insensitively)."""
    seen: set[str] = set()
    unique: list[RepoName] = []
    for repo in repos:
        if repo.key not in seen:
            seen.add(repo.key)
            unique.append(repo)
    return unique
