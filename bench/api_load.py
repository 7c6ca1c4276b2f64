"""API load: downsampled series against /health, same concurrency, same run.

Seeds a SQLite store with R repositories x Y years of 3-hourly star points, starts
``ossgrowth serve`` on it in a subprocess, then drives ``GET /health`` and series requests with
the same number of concurrent connections from a load client: wrk when it is installed (cached
phase only), else a bare asyncio HTTP/1.1 client in this process. Phases alternate (health,
series, health, series …) so machine noise hits both alike. Three series loads:

- **cached**: ``/series/stars?max_points=1000`` rotating over the repositories, response cache
  on (60 s), as served;
- **cold**: response cache off, every request a different range (random repository, start,
  length from a week to five years, interval raw / 3h / day / week, ``max_points=1000``);
- **writing**: the cold load while another process writes a backfill into the same store
  (transactions of 5 years of 3-hourly points, as a finished backfill writes them).

    python bench/api_load.py [--repos 10] [--years 5] [--concurrency 16] [--seconds 5]

Last line: ``series_rps_ratio=<cached series rps / health rps> series_p99_ms=<cached p99>
cold_series_rps_ratio=<cold rps / health rps> cold_series_p99_ms=<cold p99>
writing_p99_ms=<cold p99 while writing>``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from ossgrowth.model import Family, Point, Provenance, RepoName
from ossgrowth.store import SqlStore

STEP = timedelta(hours=3)
END = datetime(2026, 11, 1, tzinfo=UTC)
MAX_POINTS = 1000


@dataclass(frozen=True)
class Phase:
    """What one load phase measured."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @classmethod
    def of(cls, requests: int, seconds: float, latencies_ms: list[float]) -> Phase:
        ordered = sorted(latencies_ms)
        return cls(requests, seconds, percentile(ordered, 0.5), percentile(ordered, 0.99))


def seed(directory: Path, repos: int, years: int) -> tuple[str, list[RepoName]]:
    url = f"sqlite:///{directory / 'load.db'}"
    store = SqlStore(url, environment="dev")
    store.upgrade()
    names = [RepoName("bench", f"repo-{index:02d}") for index in range(repos)]
    steps = int(timedelta(days=365 * years) / STEP)
    start = END - steps * STEP
    for name in names:
        store.add_subject(name, [], added_at=start)
        store.write_points(
            Point(
                name,
                Family.STARS,
                start + step * STEP,
                {"star_count": 1000 + step // 3},
                Provenance.MEASURED,
                "bench",
            )
            for step in range(steps)
        )
    store.close()
    return url, names


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(store_url: str, cache_seconds: float) -> Iterator[str]:
    port = free_port()
    environment = {
        **os.environ,
        "OSSGROWTH_STORE_URL": store_url,
        "OSSGROWTH_API_CACHE_SECONDS": str(cache_seconds),
        "OSSGROWTH_LOG_LEVEL": "ERROR",
        # An API replica: collections run in collectors (and would fail here, with no GitHub).
        "OSSGROWTH_COLLECT_ON_SCHEDULE": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "ossgrowth", "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: str) -> int:
    """One keep-alive HTTP/1.1 GET on an open connection; returns the status."""
    writer.write(f"GET {target} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def drive(
    base: str, targets: list[str], concurrency: int, seconds: float, *, warm: int | None = None
) -> Phase:
    """Keep ``concurrency`` keep-alive connections busy for ``seconds``, cycling over ``targets``.

    A bare asyncio HTTP/1.1 client: it costs far less per request than the server, so the
    server is what is measured (httpx's client would be the bottleneck on two cores).
    """
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    connections = [await asyncio.open_connection(host, int(port)) for _ in range(concurrency)]
    for target in targets[:warm]:  # warm: each target once (fills the cache when it is on) …
        await _get(*connections[0], target)
    await asyncio.gather(  # … and every connection once
        *(_get(reader, writer, targets[0]) for reader, writer in connections)
    )
    stop_at = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        reader, writer = connections[offset]
        position = offset
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            status = await _get(reader, writer, targets[position % len(targets)])
            if status != 200:
                raise RuntimeError(f"{targets[position % len(targets)]} answered {status}")
            latencies.append((time.perf_counter() - started) * 1000)
            position += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker(offset) for offset in range(concurrency)))
    elapsed = time.perf_counter() - began
    for _, writer in connections:
        writer.close()
    return Phase.of(len(latencies), elapsed, latencies)


def drive_wrk(url: str, concurrency: int, seconds: float) -> Phase:
    """The same with wrk (one thread, leaving the other core to the server; one URL)."""
    duration = max(1, int(seconds))
    done = subprocess.run(
        ["wrk", "-t1", f"-c{concurrency}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    )
    requests = int(re.search(r"(\d+) requests in", done.stdout)[1])  # type: ignore[index]

    def latency(label: str) -> float:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", done.stdout, re.MULTILINE)
        assert found is not None, done.stdout
        return float(found[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found[2]]

    return Phase(requests, float(duration), latency("50"), latency("99"))


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def cold_targets(names: list[RepoName], years: int, count: int, seed: int) -> list[str]:
    """``count`` series requests, each a different range of a random repository."""
    chooser = random.Random(seed)
    first = END - timedelta(days=365 * years)
    targets = []
    for _ in range(count):
        name = chooser.choice(names)
        span = timedelta(seconds=chooser.randint(7 * 86400, 365 * years * 86400))
        start = first + (END - first - span) * chooser.random()
        interval = chooser.choice(["raw", "3h", "day", "week"])
        targets.append(
            f"/api/v1/repos/{name.full_name}/series/stars?max_points={MAX_POINTS}"
            f"&interval={interval}&from={start:%Y-%m-%dT%H:%M:%SZ}"
            f"&to={start + span:%Y-%m-%dT%H:%M:%SZ}"
        )
    return targets


def write_backfills(store_url: str, years: int, stop: Any) -> None:
    """Write 5-year backfills of a fresh repository into the store until ``stop`` is set."""
    store = SqlStore(store_url, environment="dev")
    steps = int(timedelta(days=365 * years) / STEP)
    round_number = 0
    while not stop.is_set():
        name = RepoName("bench", f"backfill-{round_number:04d}")
        store.add_subject(name, [], added_at=END)
        store.write_points(
            Point(
                name,
                Family.STARS,
                END - step * STEP,
                {"star_count": steps - step},
                Provenance.RECONSTRUCTED,
                "bench",
            )
            for step in range(steps)
        )
        store.remove_subject(name)
        round_number += 1
    store.close()


def measure_cold(
    base: str, store_url: str, names: list[RepoName], years: int, concurrency: int, seconds: float
) -> dict[str, Phase]:
    """Health against cold series, then cold series while a backfill writes."""
    health = ["/health"]
    rounds: dict[str, list[Phase]] = {"health": [], "cold": [], "writing": []}
    for attempt in range(2):
        rounds["health"].append(asyncio.run(drive(base, health, concurrency, seconds)))
        targets = cold_targets(names, years, 20_000, seed=attempt)
        rounds["cold"].append(asyncio.run(drive(base, targets, concurrency, seconds, warm=50)))
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    writer = context.Process(target=write_backfills, args=(store_url, years, stop))
    writer.start()
    try:
        time.sleep(1.0)  # the writer is in its first transaction
        for attempt in range(2):
            targets = cold_targets(names, years, 20_000, seed=10 + attempt)
            rounds["writing"].append(
                asyncio.run(drive(base, targets, concurrency, seconds, warm=50))
            )
    finally:
        stop.set()
        writer.join(timeout=60)
    return {kind: combined(runs) for kind, runs in rounds.items()}


def combined(runs: list[Phase]) -> Phase:
    """Rates over all rounds; latencies of the worst round."""
    return Phase(
        sum(phase.requests for phase in runs),
        sum(phase.seconds for phase in runs),
        max(phase.p50_ms for phase in runs),
        max(phase.p99_ms for phase in runs),
    )


def measure(base: str, names: list[RepoName], concurrency: int, seconds: float) -> dict[str, Phase]:
    health = ["/health"]
    series = [
        f"/api/v1/repos/{name.full_name}/series/stars?max_points={MAX_POINTS}" for name in names
    ]
    phases: dict[str, list[Phase]] = {"health": [], "series": []}
    use_wrk = shutil.which("wrk") is not None
    for target in health + series:  # warm: imports, connections, the cache when it is on
        httpx.get(f"{base}{target}").raise_for_status()
    for _ in range(2):
        for kind, urls in (("health", health), ("series", series)):
            if use_wrk:
                phases[kind].append(drive_wrk(f"{base}{urls[0]}", concurrency, seconds))
            else:
                phases[kind].append(asyncio.run(drive(base, urls, concurrency, seconds)))
    return {kind: combined(runs) for kind, runs in phases.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=10)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    arguments = parser.parse_args()
    client = "wrk" if shutil.which("wrk") else "asyncio (bare HTTP/1.1)"
    with tempfile.TemporaryDirectory() as directory:
        began = time.perf_counter()
        store_url, names = seed(Path(directory), arguments.repos, arguments.years)
        points = arguments.repos * int(timedelta(days=365 * arguments.years) / STEP)
        print(
            f"store: {points} star points ({arguments.repos} repositories x "
            f"{arguments.years} years, 3-hourly), seeded in {time.perf_counter() - began:.1f} s"
        )
        print(
            f"load client: {client}, concurrency {arguments.concurrency}, "
            f"2 x {arguments.seconds:g} s per endpoint, alternating"
        )
        with server(store_url, 0.0) as base:
            cold = measure_cold(
                base, store_url, names, arguments.years, arguments.concurrency, arguments.seconds
            )
        for kind in ("cold", "writing"):
            phase = cold[kind]
            print(
                f"cache off, {kind}: health {cold['health'].rps:.0f} rps, series {phase.rps:.0f} "
                f"rps (p50 {phase.p50_ms:.1f} ms, p99 {phase.p99_ms:.1f} ms), "
                f"ratio {phase.rps / cold['health'].rps:.2f}"
            )
        with server(store_url, 60.0) as base:
            served = measure(base, names, arguments.concurrency, arguments.seconds)
        health, series = served["health"], served["series"]
        print(
            f"cache on: health {health.rps:.0f} rps (p99 {health.p99_ms:.1f} ms), series "
            f"{series.rps:.0f} rps (p50 {series.p50_ms:.1f} ms, p99 {series.p99_ms:.1f} ms), "
            f"ratio {series.rps / health.rps:.2f}"
        )
    ratio = served["series"].rps / served["health"].rps
    cold_ratio = cold["cold"].rps / cold["health"].rps
    print(
        f"series_rps_ratio={ratio:.2f} series_p99_ms={served['series'].p99_ms:.1f} "
        f"cold_series_rps_ratio={cold_ratio:.2f} cold_series_p99_ms={cold['cold'].p99_ms:.1f} "
        f"writing_p99_ms={cold['writing'].p99_ms:.1f}"
    )


if __name__ == "__main__":
    main()
