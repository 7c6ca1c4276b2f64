"""Migrations build exactly the schema the code declares, on every SQL backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ossgrowth.errors import ConfigError, StoreUnreachable
from ossgrowth.store import SqlStore
from ossgrowth.store.migrations import HEAD_REVISION, script_head
from ossgrowth.store.tables import metadata
from tests.conftest import POSTGRES_URL


def test_head_revision_constant_matches_the_migration_scripts() -> None:
    assert script_head() == HEAD_REVISION


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_migrated_schema_matches_the_declared_tables(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        store = SqlStore(f"sqlite:///{tmp_path / 'm.db'}", environment="dev")
    else:
        prefix = request.getfixturevalue("postgres_schema_prefix")
        store = SqlStore(POSTGRES_URL, environment="dev", schema=f"{prefix}_dev")
    try:
        assert store.upgrade() == HEAD_REVISION
        assert store.upgrade() == HEAD_REVISION  # a second upgrade is a no-op
        with store.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
        assert differences == []
        assert store.is_current()
    finally:
        store.close()


def test_an_unreachable_postgres_is_named_with_its_address() -> None:
    store = SqlStore("postgresql+psycopg://nobody:pw-canary@127.0.0.1:1/none", environment="dev")
    with pytest.raises(
        StoreUnreachable, match=r"cannot reach PostgreSQL at 127\.0\.0\.1:1/none: "
    ) as raised:
        store.upgrade()
    assert "pw-canary" not in str(raised.value)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://localhost/db", "unsupported store URL"),
        ("not a url at all", "is not a URL"),
        ("dynamodb://table", "not available in this version"),
    ],
)
def test_unusable_store_urls_are_config_errors(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SqlStore(url, environment="dev")


def test_an_unwritable_sqlite_location_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="cannot create the folder"):
        SqlStore(f"sqlite:///{blocker / 'sub' / 'x.db'}", environment="dev")
