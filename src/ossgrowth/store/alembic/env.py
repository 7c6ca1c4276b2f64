"""Alembic environment: runs on the connection that :mod:`ossgrowth.store.migrations` hands over."""

from __future__ import annotations

from alembic import context

from ossgrowth.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
