"""``serve``, ``demo`` and ``simulator``: the commands that run servers."""

from __future__ import annotations

from typing import Annotated

import typer

from ossgrowth.cli.progress import BackfillBars
from ossgrowth.cli.state import state_of
from ossgrowth.config import Environment
from ossgrowth.errors import InputError

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command()(simulator)
    app.command()(demo)
    app.command()(serve)


def simulator(
    port: Annotated[
        int, typer.Option(help="Port to listen on (127.0.0.1).", min=1, max=65535)
    ] = 9010,
    seed: Annotated[int, typer.Option(help="Seed of the world and its faults.")] = 0,
    repos: Annotated[int, typer.Option(help="Repositories in the world.", min=1, max=100_000)] = 20,
    latency_ms: Annotated[float, typer.Option(help="Added latency of every answer.", min=0)] = 0,
    fault_rate: Annotated[
        float, typer.Option(help="Share of requests that meet a fault (0 to 1).", min=0, max=1)
    ] = 0,
) -> None:
    """Serve a simulated world of GitHub, npm downloads and PyPI stats, offline.

    GitHub's REST API is at the root, GraphQL at /graphql, npm at /npm, PyPI stats at
    /pypistats; tokens sim-token-1..3. See docs/simulator.md.

    Example: ossgrowth simulator --port 9010 --repos 50 --fault-rate 0.05
    """
    from ossgrowth.simulator import FaultConfig, WorldConfig, serve

    faults = FaultConfig(rate=fault_rate, seed=seed) if fault_rate else None
    typer.echo(f"simulated world on http://127.0.0.1:{port} (seed {seed}, {repos} repositories)")
    serve("127.0.0.1", port, WorldConfig(seed=seed, repo_count=repos), faults, latency_ms)


def demo(
    context: typer.Context,
    port: Annotated[
        int, typer.Option(help="Port of the API (127.0.0.1).", min=1, max=65535)
    ] = 8000,
    simulator_port: Annotated[
        int, typer.Option(help="Port of the simulated upstream APIs.", min=1, max=65535)
    ] = 9010,
    repos: Annotated[int, typer.Option(help="Repositories in the world.", min=1, max=1000)] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the world.")] = 0,
    seed_only: Annotated[
        bool,
        typer.Option(
            "--seed-only",
            help="Fill the --env environment (dev or staging) with the world's repositories "
            "and their history, then exit.",
        ),
    ] = False,
) -> None:
    """Run the whole product offline on a simulated world, until interrupted.

    Serves the dashboard and the API (with its backfill worker) over a demo store of its own
    (demo.db in the data directory, new at each start; your dev data is not touched) and the
    simulated GitHub, npm and PyPI stats APIs. Every repository of the world is tracked and its
    history backfilled in the background. See docs/simulator.md.

    With --seed-only, nothing is served: the world's repositories are tracked in the store of
    the environment (dev or staging, never prod), their whole history backfilled and their
    current values collected, from the simulated world in this process; realistic data for
    trying the CLI, exports and benchmarks.

    Example: ossgrowth demo --port 8000 --repos 50
    """
    from ossgrowth.demo import DEMO_TOKEN, DemoPlan, run_demo, seed_demo

    if seed_only:
        state = state_of(context)
        settings = state.settings()
        if settings.environment is Environment.PROD:
            raise InputError("simulated data never goes into prod; seed dev or staging")
        store = state.store()
        with BackfillBars(lambda: None) as bars:
            seeded = seed_demo(settings, store, repos=repos, seed=seed, progress=bars)
        typer.echo(
            f"seeded {settings.environment.value} with {seeded.repos} simulated repositories: "
            f"{seeded.backfill.run.counts['points']} points of history and "
            f"{seeded.collection.run.counts['points']} current values"
        )
        return

    plan = DemoPlan(port=port, simulator_port=simulator_port, repos=repos, seed=seed)
    base = state_of(context).settings()

    def ready() -> None:
        typer.echo(
            f"demo: {repos} simulated repositories tracked, history backfilling in the "
            f"background\n  dashboard:        http://127.0.0.1:{port}/\n"
            f"  API and docs:     http://127.0.0.1:{port}/docs\n"
            f"  repositories:     http://127.0.0.1:{port}/api/v1/repos\n"
            f"  simulated GitHub: {plan.simulator_url} (token {DEMO_TOKEN})\n"
            f"  demo store:       {plan.store_file}"
        )

    run_demo(base, plan, on_ready=ready)


def serve(
    context: typer.Context,
    host: Annotated[
        str, typer.Option(envvar="OSSGROWTH_HOST", help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(envvar="OSSGROWTH_PORT", help="Port to listen on.", min=1, max=65535)
    ] = 8000,
) -> None:
    """Serve the dashboard (/), the HTTP API, its docs (/docs) and operations endpoints.

    Queued backfills run beside it: at start, every OSSGROWTH_BACKFILL_POLL_SECONDS (0: never)
    and at once when a repository is tracked through the API. Changes through the API need
    OSSGROWTH_ADMIN_TOKEN, except on a dev server bound to 127.0.0.1, ::1 or localhost without
    one: it takes them from this machine. Staging refuses to start without
    OSSGROWTH_STAGING_PASSWORD. See docs/api.md.

    Example: ossgrowth serve --host 0.0.0.0 --port 8000
    """
    from ossgrowth.api import serve as serve_api
    from ossgrowth.api.auth import local_writes_for

    settings = state_of(context).settings()
    announce = (
        f"serving {settings.environment.value} on http://{host}:{port}: the dashboard at /, "
        "API docs at /docs"
    )
    if local_writes_for(settings, host):
        announce += "; changes from this machine need no token"
    serve_api(settings, host, port, on_start=lambda: typer.echo(announce))
