"""Backfill against the simulator with 100 ms of latency: requests, wall time, concurrency.

Two measurements in one run, both against one simulated world served in-process (every answer
waits ``--latency-ms`` of real time; the simulated clock stands still):

1. Star history of the ten-year-old repository through ``/stargazers/history``: requests used
   against the floor ``ceil(weeks / 30)``.
2. Every family of 20 repositories (one with ``--big-items`` issues and pull requests): wall
   time against the latency floor (latency × the longest chain of dependent requests, worked
   out from the world's counts the way the backfill splits its lists), and against a
   sequential run of the same work (concurrency 1; ``--sequential estimate`` counts it as
   requests × latency instead of running it).

    python bench/backfill.py [--latency-ms 100] [--big-items 50000] [--concurrency 64]

Last line:
``star_history_requests=<n> floor=<f> wall_ratio_to_floor=<w> speedup_vs_sequential=<s>``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import socket
import subprocess
import sys
import tempfile
import time
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

from ossgrowth.clock import FixedClock
from ossgrowth.collect import StarMethod, build_history_sources, enqueue_backfill, run_backfill
from ossgrowth.collect.backfill_items import SLICE_FROM_PAGES, TIME_SLICES
from ossgrowth.config import Settings, load_settings
from ossgrowth.model import Family, PackageRef, RepoName, to_epoch_seconds
from ossgrowth.simulator import (
    SimRepo,
    SimulatorTransport,
    World,
    WorldConfig,
    build_world,
    create_app,
)
from ossgrowth.simulator.star_history import week_start
from ossgrowth.sources import RetryPolicy, clock_sleeper
from ossgrowth.store import SqlStore

IN_PROCESS = "http://simulator"
TOKEN = "sim-token-1"
"""One token: which repositories' stargazer lists it may read is then fixed (see World)."""
PAGE = 100
HISTORY_PAGE_WEEKS = 30


def settings_for(origin: str, tokens: str) -> Settings:
    return load_settings(
        github_api_url=origin,
        github_tokens=tokens,
        npm_downloads_url=f"{origin}/npm",
        pypistats_url=f"{origin}/pypistats",
    )


def open_store(folder: Path, name: str, world: World, repos: list[SimRepo]) -> SqlStore:
    store = SqlStore(f"sqlite:///{folder / name}.db", environment="dev")
    store.upgrade()
    for repo in repos:
        packages = [PackageRef(p.ecosystem, p.name) for p in repo.packages]
        store.add_subject(RepoName(repo.owner, repo.name), packages, added_at=world.config.now)
    return store


@contextmanager
def served(world: World, latency_ms: float, processes: int) -> Iterator[str]:
    """The world served by uvicorn in ``processes`` processes sharing one port (SO_REUSEPORT).

    GitHub answers from many machines; one simulator process would make its own CPU the
    bottleneck. Simulated time stands still (a fixed clock), as in the tests.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = world.config
    program = (
        "import socket, sys, uvicorn\n"
        "from datetime import datetime\n"
        "from ossgrowth.clock import FixedClock\n"
        "from ossgrowth.simulator import WorldConfig, build_world, create_app\n"
        f"config = WorldConfig(seed={config.seed}, repo_count={config.repo_count},"
        f" big_repo_items={config.big_repo_items},"
        f" now=datetime.fromisoformat({config.now.isoformat()!r}))\n"
        "world = build_world(config)\n"
        f"app = create_app(world, FixedClock(config.now), None, {latency_ms})\n"
        "listener = socket.socket()\n"
        "listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)\n"
        "listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)\n"
        f"listener.bind(('127.0.0.1', {port}))\n"
        "listener.listen(1024)\n"
        "print('ready', flush=True)\n"
        "uvicorn.Server(uvicorn.Config(app, log_level='warning')).run(sockets=[listener])\n"
    )
    servers = [
        subprocess.Popen(
            [sys.executable, "-c", program], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        for _ in range(processes)
    ]
    try:
        for server in servers:
            assert server.stdout is not None
            if b"ready" not in server.stdout.readline():
                raise SystemExit("the simulator did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
            if server.stdout is not None:
                server.stdout.close()


async def backfill(
    world: World,
    origin: str | float,
    store: SqlStore,
    concurrency: int,
    families: list[Family] | None = None,
    star_method: StarMethod = StarMethod.AUTO,
) -> tuple[float, int, int]:
    """Wall seconds, requests and star-history requests of one backfill of every queued job.

    ``origin`` is a served simulator's URL, or the latency (ms) of one served in-process.
    """
    clock = FixedClock(world.config.now)
    transport = None
    if not isinstance(origin, str):
        transport = SimulatorTransport(create_app(world, clock, latency_ms=origin))
        origin = IN_PROCESS
    sources = build_history_sources(
        settings_for(origin, TOKEN),
        clock,
        transport=transport,
        retry=RetryPolicy(sleep=clock_sleeper(clock), seed=1),
        star_method=star_method,
    )
    enqueue_backfill(store, clock, None, families)
    started = time.perf_counter()
    result = await run_backfill(store, sources, clock, concurrency=concurrency)
    wall = time.perf_counter() - started
    await sources.aclose()
    failed = [o for o in result.outcomes if o.status.value != "done"]
    if failed:
        raise SystemExit(f"backfill failed: {failed[:3]}")
    return wall, result.run.requests_spent, sources.github.history_requests_sent


def both_ends_chain(items: int) -> int:
    """Dependent requests to read a connection of ``items`` from both ends (see the backfill)."""
    pages = math.ceil(items / PAGE)
    front = max(1, math.ceil(pages / 2))
    return max(front, 1 + pages - front)


def sliced_chain(repo: SimRepo, world: World, closed: bool) -> int:
    """Dependent requests to read the open or closed issues in time slices (see the backfill)."""
    now = world.config.now
    chosen = [
        item.updated_at_at(now)
        for item in repo.items
        if not item.is_pull_request
        and item.created_at <= now
        and (item.closed_at_at(now) is not None) == closed
    ]
    if math.ceil(len(chosen) / PAGE) <= SLICE_FROM_PAGES:
        return both_ends_chain(len(chosen))
    created = to_epoch_seconds(repo.created_at)
    as_of = to_epoch_seconds(now)
    bounds = [created + (as_of - created) * k // TIME_SLICES for k in range(1, TIME_SLICES)]
    moments = sorted(to_epoch_seconds(moment) for moment in chosen)
    edges = [0, *(bisect_left(moments, bound) for bound in bounds), len(moments)]
    sizes = [high - low for low, high in zip(edges, edges[1:], strict=False)]
    first = 1 + math.ceil(sizes[0] / PAGE)  # the first page, then the first slice
    middle = [1 + math.ceil(size / PAGE) for size in sizes[1:-1]]
    return max(first, *middle, both_ends_chain(sizes[-1]))


def longest_chain(world: World, tokens: tuple[str, ...]) -> int:
    """The longest chain of requests that must follow one another, over the whole backfill."""
    now = world.config.now
    longest = 1
    for repo in world.repos:
        truth = world.snapshot(repo.full_name, now)
        for closed in (False, True):
            longest = max(longest, sliced_chain(repo, world, closed))
        for count in (truth.open_prs, truth.closed_prs, truth.merged_prs):
            longest = max(longest, both_ends_chain(count))
        if world.collaborator_tokens(repo.full_name) & set(tokens):
            longest = max(longest, both_ends_chain(truth.star_count))
        else:
            longest = max(longest, 1 + 2)  # the refused list, then history page 1, then the rest
    return longest


def history_floor(repo: SimRepo, world: World) -> int:
    first = week_start(repo.created_at.date())
    weeks = (week_start(world.config.now.date()) - first).days // 7 + 1
    return math.ceil(weeks / HISTORY_PAGE_WEEKS)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--big-items", type=int, default=50_000)
    parser.add_argument("--repos", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--sequential", choices=["measure", "estimate"], default="measure")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--servers",
        type=int,
        default=0,
        help="serve the simulator over HTTP in this many processes (0: in-process, the default)",
    )
    arguments = parser.parse_args()
    world = build_world(
        WorldConfig(
            seed=arguments.seed,
            repo_count=arguments.repos - (1 if arguments.big_items else 0),
            big_repo_items=arguments.big_items,
        )
    )
    oldest = min(world.repos, key=lambda repo: repo.created_at)
    age_years = (world.config.now - oldest.created_at) / timedelta(days=365.25)
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        origin: str | float = arguments.latency_ms
        if arguments.servers:
            origin = stack.enter_context(served(world, arguments.latency_ms, arguments.servers))
        store = open_store(Path(folder), "stars", world, [oldest])
        _, _, star_requests = await backfill(
            world, origin, store, arguments.concurrency, [Family.STARS], StarMethod.HISTORY
        )
        store.close()
        floor = history_floor(oldest, world)
        print(
            f"star history of {oldest.full_name} ({age_years:.1f} years, "
            f"{len(oldest.stars)} stars): {star_requests} requests, floor {floor}"
        )

        store = open_store(Path(folder), "all", world, list(world.repos))
        wall, requests, _ = await backfill(world, origin, store, arguments.concurrency)
        store.close()
        chain = longest_chain(world, (TOKEN,))
        latency_floor = chain * arguments.latency_ms / 1000
        sizes = sorted((len(repo.items) for repo in world.repos), reverse=True)
        print(
            f"{len(world.repos)} repositories (largest {sizes[0]:,} issues+PRs), all families: "
            f"{requests} requests in {wall:.2f} s; longest chain {chain} requests, "
            f"latency floor {latency_floor:.2f} s"
        )
        if arguments.sequential == "measure":
            store = open_store(Path(folder), "sequential", world, list(world.repos))
            sequential, _, _ = await backfill(world, origin, store, 1)
            store.close()
            how = "measured"
        else:
            sequential = requests * arguments.latency_ms / 1000
            how = "estimated as requests × latency"
        print(f"sequential run of the same work: {sequential:.2f} s ({how})")
    ratio, speedup = wall / latency_floor, sequential / wall
    print(
        f"star_history_requests={star_requests} floor={floor} "
        f"wall_ratio_to_floor={ratio:.2f} speedup_vs_sequential={speedup:.1f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
