"""Fixtures of the simulator tests: one small world, a fixed clock, an in-process client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from ossgrowth.clock import FixedClock
from ossgrowth.simulator import (
    FaultConfig,
    SimRepo,
    SimulatorTransport,
    World,
    WorldConfig,
    build_world,
    create_app,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "simulator"
SMALL = WorldConfig(
    seed=0, repo_count=5, activity_scale=0.08, oldest_repo_age_days=500, rename_share=0.5
)
TOKEN = {"Authorization": "token sim-token-1"}


def fixture(name: str) -> Any:
    """A recorded fixture under tests/fixtures/simulator/."""
    return json.loads((FIXTURES / name).read_text())


@dataclass
class Served:
    """A world served in-process: its app, a client on it, and the clock it reads."""

    world: World
    clock: FixedClock
    app: Starlette
    client: httpx.AsyncClient

    def repo_where(
        self, *, collaborator: str | None = None, stranger: str | None = None
    ) -> SimRepo:
        """A starred repository ``collaborator`` may list and ``stranger`` may not."""
        for repo in self.world.repos:
            tokens = self.world.collaborator_tokens(repo.full_name)
            if repo.stars and (collaborator is None or collaborator in tokens):
                if stranger is None or stranger not in tokens:
                    return repo
        raise AssertionError("the small world has no such repository")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def world() -> World:
    return build_world(SMALL)


@pytest.fixture
def clock(world: World) -> FixedClock:
    return FixedClock(world.config.now)


@pytest.fixture
async def served(world: World, clock: FixedClock) -> AsyncIterator[Served]:
    app = create_app(world, clock)
    async with httpx.AsyncClient(
        transport=SimulatorTransport(app), base_url="http://sim.test"
    ) as client:
        yield Served(world, clock, app, client)


async def serve_with_faults(
    world: World, clock: FixedClock, faults: FaultConfig
) -> tuple[Starlette, httpx.AsyncClient]:
    """An app and a client that both inject ``faults``."""
    app = create_app(world, clock, faults)
    client = httpx.AsyncClient(
        transport=SimulatorTransport(app, faults), base_url="http://sim.test"
    )
    return app, client
