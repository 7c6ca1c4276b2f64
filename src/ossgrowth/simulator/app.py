"""One ASGI app serving every upstream API of a world: GitHub REST and GraphQL at the root,
npm's downloads API under ``/npm`` and PyPI stats under ``/pypistats``.

State lives on the app (``app.state.world``, ``.ledger``, ``.limiter``, ``.clock``), never in
modules, so tests can run many apps side by side.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route

from ossgrowth.clock import Clock
from ossgrowth.simulator.faults import FaultConfig
from ossgrowth.simulator.github_bodies import DOCS, error_body
from ossgrowth.simulator.github_gate import GitHubGate
from ossgrowth.simulator.github_rest import GitHubRest
from ossgrowth.simulator.graphql_endpoint import GitHubGraphQL
from ossgrowth.simulator.ledger import Ledger
from ossgrowth.simulator.middleware import SimulatorMiddleware
from ossgrowth.simulator.npm_api import NpmDownloads
from ossgrowth.simulator.pypistats_api import NOT_FOUND_PAGE, PypiStats
from ossgrowth.simulator.ratelimit import RateLimiter
from ossgrowth.simulator.views import ViewCache
from ossgrowth.simulator.world import World

__all__ = ["create_app"]

_ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


def create_app(
    world: World, clock: Clock, faults: FaultConfig | None = None, latency_ms: float = 0
) -> Starlette:
    """Serve ``world`` as seen at ``clock.now()``.

    Args:
        world: the ground truth to serve.
        clock: simulated time; tests pass a ``FixedClock`` and move it.
        faults: HTTP-level faults to inject (give the same config to ``SimulatorTransport``
            for timeouts and resets in-process).
        latency_ms: delay added to every request (use 0 in tests).
    """
    if latency_ms < 0:
        raise ValueError("latency_ms cannot be negative")
    ledger = Ledger()
    limiter = RateLimiter()
    views = ViewCache(world)
    gate = GitHubGate(world, clock, limiter, ledger)
    npm = NpmDownloads(world, clock, ledger)
    pypi = PypiStats(world, clock, ledger)
    npm_routes = [*npm.routes(), Route("/{path:path}", _npm_not_found, methods=_ANY_METHOD)]
    pypi_routes = [*pypi.routes(), Route("/{path:path}", _pypi_not_found, methods=_ANY_METHOD)]
    routes = [
        Mount("/npm", routes=npm_routes),
        Mount("/pypistats", routes=pypi_routes),
        *GitHubGraphQL(gate, views).routes(),
        *GitHubRest(gate, views).routes(),
        Route("/{path:path}", _github_not_found, methods=_ANY_METHOD),
    ]  # fmt: skip
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SimulatorMiddleware, ledger=ledger, faults=faults, latency_ms=latency_ms)
        ],
    )
    app.state.world = world
    app.state.clock = clock
    app.state.ledger = ledger
    app.state.limiter = limiter
    app.state.faults = faults
    app.state.served = False
    return app


async def _github_not_found(request: Request) -> Response:
    return JSONResponse(error_body("Not Found", f"{DOCS}/rest", 404), status_code=404)


async def _npm_not_found(request: Request) -> Response:
    return JSONResponse({"error": "not found"}, status_code=404)


async def _pypi_not_found(request: Request) -> Response:
    return HTMLResponse(NOT_FOUND_PAGE, status_code=404)
