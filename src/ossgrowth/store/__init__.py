"""Stores: where subjects, points and runs live. One protocol, several backends: SQLite and
PostgreSQL (:class:`SqlStore`), DynamoDB (:class:`DynamoStore`, with the ``aws`` extra)."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ossgrowth.config import Settings
from ossgrowth.errors import ConfigError
from ossgrowth.store.base import ManagedStore, Store
from ossgrowth.store.dynamo import DynamoStore
from ossgrowth.store.dynamo_tables import is_dynamodb_url
from ossgrowth.store.sql import SqlStore

__all__ = ["DynamoStore", "ManagedStore", "SqlStore", "Store", "open_store", "store_at"]


def open_store(settings: Settings) -> ManagedStore:
    """The store of ``settings``' environment (not yet connected; call ``upgrade`` or use it).

    Raises:
        ConfigError: the store URL cannot be used, or names an in-memory SQLite database
            (whatever a command wrote there would be gone when it exits).
    """
    return store_at(
        settings.resolved_store_url,
        environment=settings.environment.value,
        schema=settings.resolved_store_schema,
    )


def store_at(url: str, *, environment: str, schema: str | None = None) -> ManagedStore:
    """The store a URL names, for ``environment``: ``sqlite:///PATH``,
    ``postgresql+psycopg://…`` (``schema``: the environment's schema, by default its name) or
    ``dynamodb://?region=…`` (tables named by the environment).

    Raises:
        ConfigError: as :func:`open_store`.
    """
    if is_dynamodb_url(url):
        return DynamoStore(url, environment=environment)
    if _in_memory(url):
        raise ConfigError(
            "the store URL names an in-memory SQLite database, which keeps nothing once the "
            "command ends; use a file: sqlite:///PATH"
        )
    return SqlStore(url, environment=environment, schema=schema)


def _in_memory(url: str) -> bool:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return False  # not a URL: opening the store says so
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    return database in {"", ":memory:"} or parsed.query.get("mode") == "memory"
