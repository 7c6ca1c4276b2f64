"""Run a world as a local HTTP server (``ossgrowth simulator``) for the demo and benchmarks."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

import uvicorn

from ossgrowth.clock import utc
from ossgrowth.simulator.app import create_app
from ossgrowth.simulator.config import WorldConfig
from ossgrowth.simulator.faults import FaultConfig
from ossgrowth.simulator.world import build_world

__all__ = ["RunningClock", "serve"]

logger = logging.getLogger(__name__)


class RunningClock:
    """Simulated time that starts at ``start`` and runs ``speed`` times as fast as the real
    clock (1: real time)."""

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._start = utc(start)
        self._speed = speed
        self._origin = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._origin) * self._speed)


def serve(
    host: str = "127.0.0.1",
    port: int = 9010,
    config: WorldConfig | None = None,
    faults: FaultConfig | None = None,
    latency_ms: float = 0,
    speed: float = 1.0,
) -> None:
    """Build the world ``config`` describes and serve it until interrupted.

    Simulated time starts at ``config.now`` and runs ``speed`` times as fast as real time.
    GitHub is at the root of ``http://host:port``, npm's downloads API at ``/npm`` and PyPI
    stats at ``/pypistats``.
    """
    config = config or WorldConfig()
    world = build_world(config)
    app = create_app(world, RunningClock(config.now, speed), faults, latency_ms)
    app.state.served = True
    logger.info(
        "simulated world: seed %d, %d repositories, time starting %s",
        config.seed,
        len(world.repos),
        config.now.isoformat(),
    )
    uvicorn.run(app, host=host, port=port, log_level="info")
