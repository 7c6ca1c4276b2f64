"""Stores: where subjects, points and runs live. One protocol, several backends."""

from __future__ import annotations

from ossgrowth.config import Settings
from ossgrowth.store.base import Store
from ossgrowth.store.sql import SqlStore

__all__ = ["SqlStore", "Store", "open_store"]


def open_store(settings: Settings) -> SqlStore:
    """The store of ``settings``' environment (not yet connected; call ``upgrade`` or use it).

    Raises:
        ConfigError: the store URL cannot be used.
    """
    return SqlStore(
        settings.resolved_store_url,
        environment=settings.environment.value,
        schema=settings.resolved_store_schema,
    )
