"""Fixtures of the delivery tests: the async backend, a store tracking octo/widgets, a signing
receiver and a clock five minutes after the example observation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.model import RepoName
from ossgrowth.store import SqlStore
from tests.delivery.examples import OBSERVED_AT, SECRET
from tests.delivery.receiver import Receiver, serving


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path / 'dev.db'}", environment="dev")
    store.upgrade()
    store.add_subject(RepoName("octo", "widgets"), [], added_at=OBSERVED_AT)
    yield store
    store.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serving(SECRET) as receiver:
        yield receiver


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(OBSERVED_AT + timedelta(minutes=5))
