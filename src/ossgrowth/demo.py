"""``ossgrowth demo``: the whole product, offline, on a simulated world.

One process serves two things from one simulated world whose time runs with the real clock:
the product's API (with its backfill worker) over a demo store of its own, and the simulated
GitHub, npm and PyPI stats APIs themselves, so that the CLI can be pointed at them too. The
world's repositories and packages are tracked when the demo starts; their history arrives
through the same backfill a real deployment runs, and they are collected on the same schedules
(the latest slot of each at once).

The world shows what the dashboard can tell: one repository whose stargazer list the demo token
may read bought stars 12 days ago (flagged *unusual*: the stars came from accounts days old),
another had a launch 25 days ago (a *spike*: ordinary accounts), and half the repositories are
in a collection, ``demo-picks``, with its own overview, comparison and leaderboard.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
from pydantic import SecretStr

from ossgrowth.api import create_app
from ossgrowth.api.auth import local_writes_for
from ossgrowth.api.serve import quiet_server, serve_until_stopped
from ossgrowth.clock import FixedClock
from ossgrowth.collect import (
    BackfillResult,
    CollectionResult,
    build_history_sources,
    build_upstreams,
    collect_once,
    enqueue_backfill,
    run_backfill,
)
from ossgrowth.collect.backfill_pages import Progress
from ossgrowth.config import Settings, default_data_dir
from ossgrowth.errors import ConfigError
from ossgrowth.model import PackageRef, RepoName
from ossgrowth.simulator import SimulatorTransport, World, WorldConfig, build_world
from ossgrowth.simulator import create_app as create_simulator
from ossgrowth.simulator.config import DEFAULT_TOKENS, StarBurst
from ossgrowth.simulator.serve import RunningClock
from ossgrowth.sources import TokenPool
from ossgrowth.store import SqlStore, Store

__all__ = [
    "DEMO_COLLECTION",
    "DEMO_TOKEN",
    "DemoPlan",
    "SeedResult",
    "demo_settings",
    "demo_world",
    "run_demo",
    "seed_demo",
]

logger = logging.getLogger(__name__)

DEMO_TOKEN = "sim-token-1"
"""A token of the simulated world (never a real one): it may read some stargazer lists."""
DEMO_COLLECTION = "demo-picks"
"""The slug of the demo's collection: every other repository of the world."""
_PURCHASE_DAYS_AGO = 12
_LAUNCH_DAYS_AGO = 25
_BURST_STARS = 150


@dataclass(frozen=True, slots=True)
class DemoPlan:
    """Where the demo listens and what it simulates."""

    host: str = "127.0.0.1"
    port: int = 8000
    simulator_port: int = 9010
    repos: int = 20
    seed: int = 0
    latency_ms: float = 20
    store_path: Path | None = None
    """The demo's SQLite file; default ``demo.db`` in the data directory, new at each start."""

    @property
    def store_file(self) -> Path:
        return self.store_path or default_data_dir() / "demo.db"

    @property
    def simulator_url(self) -> str:
        return f"http://{self.host}:{self.simulator_port}"


def demo_world(seed: int, repos: int, now: datetime) -> World:
    """The demo's simulated world: ``repos`` repositories as drawn from ``seed``, plus a
    purchase of stars and a launch on two repositories whose stargazer list the demo token
    may read (the first and the fourth: the token is a collaborator of every third, from the
    first), when the world has them."""
    readable = [index for index in range(repos) if index % len(DEFAULT_TOKENS) == 0]
    bursts = []
    if readable:
        day = (now - timedelta(days=_PURCHASE_DAYS_AGO)).date()
        bursts.append(StarBurst(readable[0], day, _BURST_STARS, bought=True))
    if len(readable) > 1:
        day = (now - timedelta(days=_LAUNCH_DAYS_AGO)).date()
        bursts.append(StarBurst(readable[1], day, _BURST_STARS))
    return build_world(WorldConfig(seed=seed, repo_count=repos, now=now, bursts=tuple(bursts)))


def _track_world(store: Store, world: World, now: datetime) -> list[RepoName]:
    """Track every repository of ``world`` and put every other one in the demo collection."""
    names = []
    for repo in world.repos:
        packages = [PackageRef(package.ecosystem, package.name) for package in repo.packages]
        names.append(
            store.add_subject(RepoName(repo.owner, repo.name), packages, added_at=now).repo
        )
    if store.get_collection(DEMO_COLLECTION) is None:
        store.create_collection(
            DEMO_COLLECTION,
            name="Demo picks",
            description="Every other repository of the simulated world",
            created_at=now,
        )
    store.add_collection_members(DEMO_COLLECTION, names[::2])
    return names


def demo_settings(base: Settings, plan: DemoPlan) -> Settings:
    """``base`` pointed at the simulated world and the demo's own store (dev environment),
    with alert webhooks allowed to private and loopback addresses: offline there is nowhere
    else to send them."""
    origin = plan.simulator_url
    return base.model_copy(
        update={
            "store_url": f"sqlite:///{plan.store_file}",
            "github_api_url": origin,
            "github_graphql_url": f"{origin}/graphql",
            "npm_downloads_url": f"{origin}/npm",
            "pypistats_url": f"{origin}/pypistats",
            "github_tokens": [SecretStr(DEMO_TOKEN)],
            "backfill_poll_seconds": 5.0,
            # Offline, a webhook can only go to this machine (a receiver you run to try alerts).
            "alerts_allow_private_targets": True,
        }
    )


def run_demo(base: Settings, plan: DemoPlan, *, on_ready: Callable[[], None]) -> None:
    """Serve the demo until interrupted.

    Raises:
        ConfigError: a port is taken, or the environment is not dev.
    """
    if base.environment.value != "dev":
        raise ConfigError("the demo runs in the dev environment only (its data is simulated)")
    for port in (plan.port, plan.simulator_port):
        _require_free(plan.host, port)
    settings = demo_settings(base, plan)
    now = datetime.now(UTC).replace(microsecond=0)
    world = demo_world(plan.seed, plan.repos, now)
    clock = RunningClock(world.config.now)
    simulator = create_simulator(world, clock, None, plan.latency_ms)
    simulator.state.served = True
    plan.store_file.parent.mkdir(parents=True, exist_ok=True)
    plan.store_file.unlink(missing_ok=True)
    store = SqlStore(settings.resolved_store_url, environment="dev")
    try:
        store.upgrade()
        _track_world(store, world, clock.now())
        enqueue_backfill(store, clock, None)
        api = create_app(
            settings,
            store,
            clock,
            upstream_transport=SimulatorTransport(simulator),
            backfill_worker=True,
            collection_scheduler=True,
            local_writes=local_writes_for(settings, plan.host),
        )
        servers = [
            quiet_server(api, plan.host, plan.port, settings.log_level),
            quiet_server(simulator, plan.host, plan.simulator_port, settings.log_level),
        ]
        on_ready()
        anyio.run(serve_until_stopped, servers)  # a stop signal ends both cleanly
        logger.info("demo stopped")
    finally:
        store.close()


def _require_free(host: str, port: int) -> None:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            raise ConfigError(
                f"port {port} on {host} is taken; stop what uses it or pick another port"
            ) from None


_SEED_ORIGIN = "http://demo-world.invalid"
"""Where the seeding clients think the simulated APIs are: they reach them in-process."""


@dataclass(frozen=True, slots=True)
class SeedResult:
    """What seeding an environment with the demo world stored."""

    repos: int
    backfill: BackfillResult
    collection: CollectionResult


def seed_demo(
    base: Settings,
    store: Store,
    *,
    repos: int,
    seed: int,
    progress: Progress | None = None,
) -> SeedResult:
    """Track the demo world's repositories in ``store``, backfill their whole history and
    collect their current values, from the simulated world in-process (no port, no network),
    then return. The world is the one ``ossgrowth demo`` serves with the same ``seed``.
    """
    now = datetime.now(UTC).replace(microsecond=0)
    world = demo_world(seed, repos, now)
    clock = FixedClock(world.config.now)
    transport = SimulatorTransport(create_simulator(world, clock, None, 0))
    settings = base.model_copy(
        update={
            "github_api_url": _SEED_ORIGIN,
            "github_graphql_url": f"{_SEED_ORIGIN}/graphql",
            "npm_downloads_url": f"{_SEED_ORIGIN}/npm",
            "pypistats_url": f"{_SEED_ORIGIN}/pypistats",
            "github_tokens": [SecretStr(DEMO_TOKEN)],
        }
    )
    names = _track_world(store, world, now)
    enqueue_backfill(store, clock, names)

    async def fill() -> tuple[BackfillResult, CollectionResult]:
        tokens = TokenPool(settings.github_tokens, clock=clock)  # one budget for both
        async with build_history_sources(
            settings, clock, transport=transport, tokens=tokens
        ) as sources:
            history = await run_backfill(store, sources, clock, repos=names, progress=progress)
        async with build_upstreams(
            settings, clock, transport=transport, tokens=tokens
        ) as upstreams:
            current = await collect_once(store, upstreams, clock)
        return history, current

    history, current = anyio.run(fill)
    return SeedResult(len(names), history, current)
