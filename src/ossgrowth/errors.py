"""The errors ossgrowth raises.

Every error the product raises on purpose is an :class:`OssgrowthError`; its message is one line
a user can act on. Third-party errors are translated at the edge (stores, sources), so none leak.
The shared ones are defined here, the others beside the code that raises them; the tree names
their module (``tests/test_errors.py`` keeps it equal to the classes):

    OssgrowthError
    ├── InputError              bad user input (a repo or package name, a date, a family)
    │   ├── UnknownName         a collection or alert rule that does not exist (API: 404)
    │   ├── RuleRefused         an alert rule refused; names the part at fault (API: 422)
    │   ├── RecordError         transfer.format: a line of an import file that is not a record
    │   └── InvalidEvent        aws.events: a Lambda event the function does not take
    ├── ConfigError             invalid settings or a store URL that cannot be used
    │   └── SecretError         aws.secrets: a secret missing, unreadable or malformed
    ├── StoreError              the store failed or holds something unexpected
    │   └── StoreUnreachable    the database server does not answer
    │       └── StoreUnwritable it answers but refuses writes (disk full, read-only)
    ├── SourceError             an upstream API failed
    │   ├── RateLimited         every token is out of budget; carries when it resets
    │   ├── NotFound            the upstream says the repository or package does not exist
    │   ├── SourceUnavailable   sources.http: it kept failing through every retry
    │   │   └── SourceUnreachable  sources.http: no connection at all, through every retry
    │   ├── UnexpectedAnswer    sources.parsing: an answer that is not in the expected shape
    │   └── StargazersHidden    sources.github_stars: GitHub will not list the stargazers
    ├── ApiUnreachable          aws.api_call: the deployed API did not answer
    ├── AwsError                aws.deployment: an AWS call failed
    ├── MetricNotPublished      aws.overdue: CloudWatch did not take the metric
    ├── PackagingError          aws.installed: the Lambda artifact could not be built
    └── ScheduledWorkFailed     aws.scheduled: a scheduled invocation's work failed
"""

from __future__ import annotations

from datetime import datetime

__all__ = [
    "ConfigError",
    "InputError",
    "NotFound",
    "OssgrowthError",
    "RateLimited",
    "RuleRefused",
    "SourceError",
    "StoreError",
    "StoreUnreachable",
    "StoreUnwritable",
    "UnknownName",
]


class OssgrowthError(Exception):
    """Base of every error ossgrowth raises on purpose."""


class InputError(OssgrowthError, ValueError):
    """User input that ossgrowth cannot accept (names, dates, families, options)."""


class UnknownName(InputError):
    """A collection or alert rule named by the user does not exist."""


class RuleRefused(InputError):
    """An alert rule refused; ``parameter`` names the part at fault (``name``, ``params.k``,
    ``target`` …), as the API's problem answer does."""

    def __init__(self, message: str, parameter: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class ConfigError(OssgrowthError):
    """Settings that cannot be used as given."""


class StoreError(OssgrowthError):
    """The store failed, or holds data that does not fit the request."""


class StoreUnreachable(StoreError):
    """The database server behind the store does not answer."""


class StoreUnwritable(StoreUnreachable):
    """The store answers but refuses writes: its disk is full, or it is read-only."""


class SourceError(OssgrowthError):
    """An upstream API (GitHub, npm, PyPI stats) failed."""


class RateLimited(SourceError):
    """Every token is out of budget until ``resets_at``."""

    def __init__(self, message: str, resets_at: datetime | None = None) -> None:
        super().__init__(message)
        self.resets_at = resets_at


class NotFound(SourceError):
    """The upstream says the repository or package does not exist (or is not visible)."""
