"""Stores: where subjects, points and runs live. One protocol, several backends."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ossgrowth.config import Settings
from ossgrowth.errors import ConfigError
from ossgrowth.store.base import Store
from ossgrowth.store.sql import SqlStore

__all__ = ["SqlStore", "Store", "open_store"]


def open_store(settings: Settings) -> SqlStore:
    """The store of ``settings``' environment (not yet connected; call ``upgrade`` or use it).

    Raises:
        ConfigError: the store URL cannot be used, or names an in-memory SQLite database
            (whatever a command wrote there would be gone when it exits).
    """
    if _in_memory(settings.resolved_store_url):
        raise ConfigError(
            "the store URL names an in-memory SQLite database, which keeps nothing once the "
            "command ends; use a file: sqlite:///PATH"
        )
    return SqlStore(
        settings.resolved_store_url,
        environment=settings.environment.value,
        schema=settings.resolved_store_schema,
    )


def _in_memory(url: str) -> bool:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return False  # not a URL: opening the store says so
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    return database in {"", ":memory:"} or parsed.query.get("mode") == "memory"
