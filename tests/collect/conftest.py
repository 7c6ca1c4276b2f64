"""Fixtures shared by the collection tests: the async backend and an empty dev store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ossgrowth.store import SqlStore


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    """A migrated, empty SQLite store of the dev environment."""
    store = SqlStore(f"sqlite:///{tmp_path / 'dev.db'}", environment="dev")
    store.upgrade()
    yield store
    store.close()
