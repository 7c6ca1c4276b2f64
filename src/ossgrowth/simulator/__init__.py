"""A local, deterministic world of GitHub, npm and PyPI stats APIs for tests, demos and benchmarks.

Build a world from a :class:`WorldConfig`, ask it ground-truth questions, and serve it with
:func:`create_app` (in-process through :class:`SimulatorTransport` or ``httpx.ASGITransport``)
or :func:`serve` (uvicorn). See docs/simulator.md.
"""

from ossgrowth.simulator.app import create_app
from ossgrowth.simulator.config import DEFAULT_NOW, DEFAULT_TOKENS, WorldConfig
from ossgrowth.simulator.entities import (
    Closure,
    ItemState,
    SimFork,
    SimIssue,
    SimPackage,
    SimRepo,
    SimStar,
    SimWatcher,
    TruthSnapshot,
)
from ossgrowth.simulator.faults import FaultConfig, FaultKind
from ossgrowth.simulator.ledger import Ledger, LedgerSnapshot
from ossgrowth.simulator.serve import RunningClock, serve
from ossgrowth.simulator.transport import SimulatorTransport
from ossgrowth.simulator.world import World, build_world

__all__ = [
    "DEFAULT_NOW",
    "DEFAULT_TOKENS",
    "Closure",
    "FaultConfig",
    "FaultKind",
    "ItemState",
    "Ledger",
    "LedgerSnapshot",
    "RunningClock",
    "SimFork",
    "SimIssue",
    "SimPackage",
    "SimRepo",
    "SimStar",
    "SimWatcher",
    "SimulatorTransport",
    "TruthSnapshot",
    "World",
    "WorldConfig",
    "build_world",
    "create_app",
    "serve",
]
