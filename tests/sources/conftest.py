"""Fixtures of the source-client tests: a fixed clock whose sleeps only move it, replays."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.sources import Replay, RetryPolicy, clock_sleeper, load_recording

FIXTURES = Path(__file__).parent.parent / "fixtures" / "sources"
START = datetime(2026, 9, 11, 15, 0, tzinfo=UTC)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def retry(clock: FixedClock) -> RetryPolicy:
    """Retries that wait on the fixed clock, with a fixed jitter seed."""
    return RetryPolicy(sleep=clock_sleeper(clock), seed=7)


@pytest.fixture
def recorded() -> Callable[..., Replay]:
    """Makes a replay of the named fixture files (paths under tests/fixtures/sources)."""

    def replay(*names: str) -> Replay:
        return Replay(exchange for name in names for exchange in load_recording(FIXTURES / name))

    return replay
