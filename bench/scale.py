"""One scheduled collection of 100,000 repositories on PostgreSQL, by 1 and by N collectors.

A world of N repositories is served by the simulator in a process of its own (no latency), so
its CPU and memory are measured apart from the collectors'. The repositories are tracked in a
fresh PostgreSQL schema, as a store looks after their first collection (GitHub node ids known).
Then the latest slot of the stars schedule (every 3 hours, the busiest) is collected three times,
in one run, the slot freed in between: a first collection by ``--workers`` processes (every
series new: every rollup node written), then the measured pair, by one collector process and by
``--workers`` processes sharing the store. The share of repositories whose stars changed from
one collection to the next is printed: it is what rollup upkeep has to recompute (the simulated
world lives 3 hours a real minute, so collections a minute apart see a stars slot's changes).
Each collector is what ``ossgrowth collect`` runs: the collection scheduler taking the slot's
parts (about 1,000 repositories each: 10 GraphQL requests, 1,000 points with their rollups),
with the three simulated tokens. CPU and peak memory are each process's own
(``getrusage``, ``VmHWM``); wall time runs from the start signal to the last collector's end.

    python bench/scale.py [--repos 100000] [--workers 3] [--postgres-url URL]

Last line: ``cycle_cpu_s=<client CPU seconds of the one-collector cycle>
workers3_speedup=<wall of 1 collector ÷ wall of N> peak_rss_mb=<max RSS of a collector>``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any

import httpx

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TOKENS = ("sim-token-1", "sim-token-2", "sim-token-3")
PORT = 9077
BASE = f"http://127.0.0.1:{PORT}"
SIMULATED_SPEED = 180.0
"""The simulated world lives 3 hours a real minute: collections about a minute apart see the
changes of a stars slot (3 hours), not of a minute."""


@dataclass(frozen=True, slots=True)
class Collected:
    """What one collector process did and cost."""

    cpu_s: float
    wall_s: float
    peak_rss_mb: float
    parts: int
    repos: int


def _world_config(repos: int, now: datetime) -> Any:
    from ossgrowth.simulator import WorldConfig

    return WorldConfig(
        seed=11,
        repo_count=repos,
        now=now,
        future_days=7,  # the run lasts well under 7 × 8 real minutes
        activity_scale=0.05,
        oldest_repo_age_days=60,  # the cost of a snapshot does not depend on history
        package_share=0.0,
        rename_share=0.0,
        graphql_points_per_hour=10_000_000,  # the budget is not what is measured here
        core_requests_per_hour=10_000_000,
    )


def _simulate(repos: int, now: datetime) -> None:
    """The simulator process: build the world, serve it until terminated."""
    from ossgrowth.simulator.serve import serve

    serve(port=PORT, config=_world_config(repos, now), speed=SIMULATED_SPEED)


def _peak_rss_mb() -> float:
    """This process's peak resident memory (``VmHWM``: since its start, unlike ``ru_maxrss``,
    which keeps the forking parent's across ``exec``)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _cpu_seconds_of(pid: int) -> float:
    """User and system CPU of another process so far (Linux ``/proc``)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _collect(url: str, schema: str, go: Event, results: Queue[Collected]) -> None:
    """A collector process: once ``go`` is set, collect the stars slot's free parts."""
    import anyio

    from ossgrowth.clock import SystemClock
    from ossgrowth.collect import SCHEDULES, CollectionScheduler, build_upstreams
    from ossgrowth.config import load_settings
    from ossgrowth.store import SqlStore

    store = SqlStore(url, environment="dev", schema=schema)
    store.ping()
    settings = load_settings(
        github_api_url=BASE,
        github_tokens=",".join(TOKENS),
        npm_downloads_url=f"{BASE}/npm",
        pypistats_url=f"{BASE}/pypistats",
    )
    clock = SystemClock()
    stars = next(schedule for schedule in SCHEDULES if schedule.name == "collect:stars")
    scheduler = CollectionScheduler(
        store,
        clock,
        lambda: build_upstreams(settings, clock),
        settings.zone,
        schedules=(stars,),
    )
    go.wait()
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    done = anyio.run(scheduler.run_due)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    store.close()
    results.put(
        Collected(
            cpu_s=(after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
            wall_s=wall,
            peak_rss_mb=_peak_rss_mb(),
            parts=len(done),
            repos=sum(int(result.run.counts["subjects"]) for result in done),
        )
    )


def _track(url: str, schema: str, repos: int, now: datetime) -> None:
    """A fresh schema with the world's repositories tracked (one bulk insert)."""
    from sqlalchemy import insert

    from ossgrowth.simulator import build_world
    from ossgrowth.store import SqlStore
    from ossgrowth.store.tables import SUBJECTS_TABLE

    world = build_world(_world_config(repos, now))
    store = SqlStore(url, environment="dev", schema=schema)
    store.upgrade()
    added = int(world.config.now.timestamp())
    rows = [
        {
            "owner": repo.owner,
            "name": repo.name,
            "repo_key": f"{repo.owner}/{repo.name}".lower(),
            "github_node_id": repo.node_id,
            "added_at": added,
        }
        for repo in world.repos
    ]
    with store._engine.begin() as connection:  # the bench's shortcut: no API for 100k adds
        for start in range(0, len(rows), 10_000):
            connection.execute(insert(SUBJECTS_TABLE), rows[start : start + 10_000])
    store.close()


def _free_slots(url: str, schema: str) -> None:
    from sqlalchemy import delete

    from ossgrowth.store import SqlStore
    from ossgrowth.store.tables import SCHEDULE_SLOTS_TABLE

    store = SqlStore(url, environment="dev", schema=schema)
    with store._engine.begin() as connection:
        connection.execute(delete(SCHEDULE_SLOTS_TABLE))
    store.close()


def _changed_share(url: str, schema: str) -> float:
    """Share of repositories whose last two star counts differ (the work rollups had)."""
    from ossgrowth.store import SqlStore

    store = SqlStore(url, environment="dev", schema=schema)
    with store._engine.connect() as connection:
        changed, total = connection.exec_driver_sql(
            "SELECT count(*) FILTER (WHERE lag IS DISTINCT FROM star_count), count(*) FROM ("
            " SELECT star_count, lag(star_count) OVER (PARTITION BY subject_id"
            " ORDER BY observed_at) AS lag, row_number() OVER (PARTITION BY subject_id"
            " ORDER BY observed_at DESC) AS newest FROM star_growth) AS counts WHERE newest = 1"
        ).one()
    store.close()
    return changed / total if total else 0.0


def _drop(url: str, schema: str) -> None:
    from ossgrowth.store import SqlStore

    store = SqlStore(url, environment="dev", schema=schema)
    with store._engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    store.close()


def _phase(
    context: Any, url: str, schema: str, workers: int, simulator_pid: int
) -> tuple[float, list[Collected], float]:
    """Wall time, each collector's figures and the simulator's CPU of one collection."""
    go = context.Event()
    results = context.Queue()
    processes = [
        context.Process(target=_collect, args=(url, schema, go, results)) for _ in range(workers)
    ]
    for process in processes:
        process.start()
    time.sleep(3)  # imports and connections, before the clock starts
    simulator_before = _cpu_seconds_of(simulator_pid)
    started = time.perf_counter()
    go.set()
    collected = [results.get(timeout=3600) for _ in processes]
    wall = time.perf_counter() - started
    simulator_cpu = _cpu_seconds_of(simulator_pid) - simulator_before
    for process in processes:
        process.join(timeout=60)
        if process.exitcode != 0:
            raise RuntimeError(f"a collector exited with {process.exitcode}")
    return wall, collected, simulator_cpu


def _wait_for_simulator(process: Any, deadline_s: float = 900) -> None:
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            if httpx.get(f"{BASE}/rate_limit", timeout=5).status_code < 500:
                return
        except httpx.TransportError:
            if not process.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the simulator did not start") from None
            time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("OSSGROWTH_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL),
    )
    arguments = parser.parse_args()
    url, repos, workers = arguments.postgres_url, arguments.repos, arguments.workers
    schema = f"bench_scale_{uuid.uuid4().hex[:8]}"
    context = mp.get_context("spawn")

    started = time.perf_counter()
    now = datetime.now(UTC).replace(microsecond=0)  # one world: the same moment in both
    simulator = context.Process(target=_simulate, args=(repos, now), daemon=True)
    simulator.start()
    tracking = context.Process(target=_track, args=(url, schema, repos, now))
    tracking.start()  # in a process of its own: this one stays small, as do the ones it starts
    tracking.join()
    if tracking.exitcode != 0:
        raise RuntimeError(f"tracking the repositories failed ({tracking.exitcode})")
    _wait_for_simulator(simulator)
    assert simulator.pid is not None
    print(
        f"world of {repos} repositories served and tracked in {time.perf_counter() - started:.0f} s"
    )
    try:
        first_wall, first, first_simulator = _phase(context, url, schema, workers, simulator.pid)
        print(
            f"first collection ({workers} collectors, every rollup node new): "
            f"{sum(each.repos for each in first)} repositories, wall {first_wall:.1f} s, "
            f"CPU {sum(each.cpu_s for each in first):.1f} s; simulator CPU {first_simulator:.1f} s"
        )
        _free_slots(url, schema)
        one_wall, (one,), one_simulator = _phase(context, url, schema, 1, simulator.pid)
        print(
            f"1 collector: {one.repos} repositories in {one.parts} parts, wall {one_wall:.1f} s, "
            f"CPU {one.cpu_s:.1f} s, peak RSS {one.peak_rss_mb:.0f} MB; "
            f"simulator CPU {one_simulator:.1f} s"
        )
        _free_slots(url, schema)
        many_wall, many, many_simulator = _phase(context, url, schema, workers, simulator.pid)
        shares = ", ".join(
            f"{each.repos} in {each.parts} parts ({each.cpu_s:.1f} s CPU)" for each in many
        )
        print(
            f"{workers} collectors: {sum(each.repos for each in many)} repositories, wall "
            f"{many_wall:.1f} s; each: {shares}; simulator CPU {many_simulator:.1f} s"
        )
        changed = _changed_share(url, schema)
    finally:
        simulator.terminate()
        simulator.join(timeout=30)
        _drop(url, schema)
    print(f"repositories whose stars changed from one collection to the next: {changed:.1%}")
    peak = max(each.peak_rss_mb for each in (*first, one, *many))
    print(
        f"cycle_cpu_s={one.cpu_s:.1f} workers{workers}_speedup={one_wall / many_wall:.2f} "
        f"peak_rss_mb={peak:.0f}"
    )


if __name__ == "__main__":
    main()
