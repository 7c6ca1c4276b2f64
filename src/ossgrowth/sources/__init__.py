"""Clients of the upstream APIs: they turn HTTP into ``ossgrowth.model`` types and nothing else.

- :class:`GitHubGraphQL`: batched snapshots of many repositories (the main path; needs a token).
- :class:`GitHubRest`: snapshots without GraphQL, renames, star history, the stargazer list.
- :class:`GitHubTimeline`: history pages for backfill (issues, pull requests, stargazers).
- :class:`NpmDownloads`, :class:`PyPIStats`: package downloads.

Every client takes a base URL, an optional httpx transport, a clock and (GitHub) a
:class:`TokenPool`; waits go through :class:`RetryPolicy`'s ``sleep``. See docs/sources.md.

:mod:`ossgrowth.sources.replay` (recorded answers replayed through a transport) is test tooling,
not part of this API: it is left out of ``__all__``.
"""

from ossgrowth.sources.downloads import (
    DailyDownloads,
    DownloadCount,
    DownloadRange,
    DownloadsBatch,
    DownloadTotal,
    download_point,
)
from ossgrowth.sources.etags import EtagCache, MemoryEtagCache
from ossgrowth.sources.github_graphql import DEFAULT_BATCH_SIZE, GitHubGraphQL
from ossgrowth.sources.github_rest import GitHubRest, RepoInfo
from ossgrowth.sources.github_stars import Stargazer, StargazersHidden, WeeklyStars
from ossgrowth.sources.github_timeline import GitHubTimeline
from ossgrowth.sources.http import Reply, SourceHttp, SourceUnavailable, SourceUnreachable
from ossgrowth.sources.npm import NPM_FIRST_DAY, NPM_SOURCE, NpmDownloads
from ossgrowth.sources.parsing import UnexpectedAnswer
from ossgrowth.sources.pypi import PYPISTATS_WINDOW_DAYS, PyPIStats
from ossgrowth.sources.replay import (  # noqa: F401  test tooling, importable here for the tests
    RecordedExchange,
    Replay,
    load_recording,
)
from ossgrowth.sources.retry import DEFAULT_RETRY_POLICY, RetryPolicy, Sleep, clock_sleeper
from ossgrowth.sources.snapshot import Failure, RepoSnapshot, SnapshotBatch, snapshot_points
from ossgrowth.sources.tokens import Budget, Resource, TokenPool

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_RETRY_POLICY",
    "NPM_FIRST_DAY",
    "NPM_SOURCE",
    "PYPISTATS_WINDOW_DAYS",
    "Budget",
    "DailyDownloads",
    "DownloadCount",
    "DownloadRange",
    "DownloadTotal",
    "DownloadsBatch",
    "EtagCache",
    "Failure",
    "GitHubGraphQL",
    "GitHubRest",
    "GitHubTimeline",
    "MemoryEtagCache",
    "NpmDownloads",
    "PyPIStats",
    "Reply",
    "RepoInfo",
    "RepoSnapshot",
    "Resource",
    "RetryPolicy",
    "Sleep",
    "SnapshotBatch",
    "SourceHttp",
    "SourceUnavailable",
    "SourceUnreachable",
    "Stargazer",
    "StargazersHidden",
    "TokenPool",
    "UnexpectedAnswer",
    "WeeklyStars",
    "clock_sleeper",
    "download_point",
    "snapshot_points",
]
