"""The errors ossgrowth raises.

Every error the product raises on purpose is an :class:`OssgrowthError`; its message is one line
a user can act on. Third-party errors are translated at the edge (stores, sources), so none leak.

    OssgrowthError
    ├── InputError        bad user input (a repo or package name, a date, a family)
    ├── ConfigError       invalid settings or a store URL that cannot be used
    ├── StoreError        the store failed or holds something unexpected
    │   └── StoreUnreachable   the database server does not answer
    └── SourceError       an upstream API failed
        ├── RateLimited   every token is out of budget; carries when it resets
        └── NotFound      the upstream says the repository or package does not exist
"""

from __future__ import annotations

from datetime import datetime

__all__ = [
    "ConfigError",
    "InputError",
    "NotFound",
    "OssgrowthError",
    "RateLimited",
    "SourceError",
    "StoreError",
    "StoreUnreachable",
    "StoreUnwritable",
]


class OssgrowthError(Exception):
    """Base of every error ossgrowth raises on purpose."""


class InputError(OssgrowthError, ValueError):
    """User input that ossgrowth cannot accept (names, dates, families, options)."""


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
