"""Export and import of many points: time, and memory that does not grow with the data.

Seeds a SQLite store with S subjects x P star points (3-hourly), then runs, each in a process
of its own so that its peak memory (``VmHWM``) is its own: ``ossgrowth export`` of the whole
environment, and ``ossgrowth import`` of that file into a fresh store. The same is done first
with a tenth of the points: the baseline of the same run. Constant memory means the peak RSS
of the big run is that of the small one.

    python bench/transfer.py [--subjects 1000] [--points-each 10000]

Last line: ``points=<N> export_points_per_s=<x> import_points_per_s=<y>
export_rss_ratio=<peak RSS big / small> import_rss_ratio=<peak RSS big / small>``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ossgrowth.model import Family, Point, Provenance, RepoName
from ossgrowth.store import SqlStore

STEP = timedelta(hours=3)
START = datetime(2020, 1, 1, tzinfo=UTC)

_PEAK = (
    "import atexit\n"
    "def _peak():\n"
    "    with open('/proc/self/status') as status:\n"
    "        for line in status:\n"
    "            if line.startswith('VmHWM:'):\n"
    "                print('peak_kb', line.split()[1], file=open({path!r}, 'w'))\n"
    "atexit.register(_peak)\n"
    "from ossgrowth.cli import main\n"
    "main({args!r})\n"
)


def seed(url: str, subjects: int, points_each: int) -> None:
    store = SqlStore(url, environment="prod")
    store.upgrade()
    names = [RepoName("bench", f"repo-{index:05d}") for index in range(subjects)]
    for name in names:
        store.add_subject(name, [], added_at=START)
    for name in names:
        store.write_points(
            Point(
                name,
                Family.STARS,
                START + step * STEP,
                {"star_count": 1000 + step // 3},
                Provenance.MEASURED if step % 5 else Provenance.RECONSTRUCTED,
                "bench",
            )
            for step in range(points_each)
        )
    store.close()


def run_cli(url: str, environment: str, args: list[str], directory: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one ``ossgrowth`` command in a process of its own."""
    peak_file = directory / "peak.txt"
    script = _PEAK.format(path=str(peak_file), args=["--env", environment, *args])
    environment_variables = {**os.environ, "OSSGROWTH_STORE_URL": url}
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", script], env=environment_variables, check=True, capture_output=True
    )
    seconds = time.perf_counter() - began
    return seconds, int(peak_file.read_text().split()[1]) / 1024


def measure(directory: Path, subjects: int, points_each: int) -> dict[str, float]:
    source = f"sqlite:///{directory / f'source-{points_each}.db'}"
    target = f"sqlite:///{directory / f'target-{points_each}.db'}"
    began = time.perf_counter()
    seed(source, subjects, points_each)
    points = subjects * points_each
    seconds = time.perf_counter() - began
    print(f"seeded {points:,} points ({subjects} x {points_each}) in {seconds:.0f} s")
    exported = directory / f"export-{points_each}.jsonl"
    export_s, export_mb = run_cli(source, "prod", ["export", "-o", str(exported)], directory)
    size_mb = exported.stat().st_size / 2**20
    import_s, import_mb = run_cli(target, "staging", ["import", str(exported)], directory)
    print(
        f"  export: {export_s:.1f} s ({points / export_s:,.0f} points/s), {size_mb:,.0f} MB file, "
        f"peak RSS {export_mb:.0f} MB; import: {import_s:.1f} s "
        f"({points / import_s:,.0f} points/s), peak RSS {import_mb:.0f} MB"
    )
    return {
        "points": points,
        "export_s": export_s,
        "import_s": import_s,
        "export_mb": export_mb,
        "import_mb": import_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=1000)
    parser.add_argument("--points-each", type=int, default=10_000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        small = measure(directory, arguments.subjects, arguments.points_each // 10)
        big = measure(directory, arguments.subjects, arguments.points_each)
    print(
        f"points={big['points']:.0f} "
        f"export_points_per_s={big['points'] / big['export_s']:.0f} "
        f"import_points_per_s={big['points'] / big['import_s']:.0f} "
        f"export_rss_ratio={big['export_mb'] / small['export_mb']:.2f} "
        f"import_rss_ratio={big['import_mb'] / small['import_mb']:.2f}"
    )


if __name__ == "__main__":
    main()
