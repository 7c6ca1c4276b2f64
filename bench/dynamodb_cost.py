"""What the DynamoDB store costs: capacity units per collection cycle and per series read.

Runs the DynamoDB store against moto in server mode on 127.0.0.1 (as the tests serve it:
tests/moto_stand_in.py) and reads the store's own
capacity meter, which counts units as DynamoDB bills them from the items' sizes (moto's
reported capacity is a constant). Seeds R repositories, each with one npm package and D days
of 3-hourly star history, then writes one collection cycle of each schedule as a collection
writes it (one batch of every repository's points): stars, PRs + issues, downloads. Then
backfills one repository's year of 3-hourly stars as a backfill writes it (reconstructed
points, a page at a time: a lower-ranked point is a conditional put of its own, so a backfill
costs a request a point), and reads that year as the dashboard does (``read_shown``, day
interval, 300 points) against reading the raw series (the baseline of the same run).

    python bench/dynamodb_cost.py [--repos 100] [--days 30]

Last line: ``repos=<R> stars_cycle_wru=<w> stars_cycle_rru=<r> activity_cycle_wru=<w>
activity_cycle_rru=<r> downloads_cycle_wru=<w> downloads_cycle_rru=<r> backfill_points=<n>
backfill_wru=<w> backfill_requests=<n> shown_read_rru=<r> raw_read_rru=<r>
shown_vs_raw_rru=<ratio>``.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ossgrowth.metrics.resample import Interval
from ossgrowth.model import Ecosystem, Family, PackageRef, Point, Provenance, RepoName
from ossgrowth.store import DynamoStore

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.moto_stand_in import served_moto  # noqa: E402

STEP = timedelta(hours=3)
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _spent(store: DynamoStore, work: object) -> tuple[float, float, int]:
    """(write units, read units, requests) that ``work()`` cost."""
    before = store.calls.meter.snapshot()
    work()  # type: ignore[operator]
    after = store.calls.meter.snapshot()
    return after[1] - before[1], after[0] - before[0], after[2] - before[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=100)
    parser.add_argument("--days", type=int, default=30)
    arguments = parser.parse_args()
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "bench"),
        ("AWS_SECRET_ACCESS_KEY", "bench"),
        ("AWS_DEFAULT_REGION", "us-west-2"),
    ):
        os.environ.setdefault(name, value)
    with served_moto() as endpoint:
        run(arguments.repos, arguments.days, endpoint)


def run(repo_count: int, days: int, endpoint: str) -> None:
    store = DynamoStore(f"dynamodb://?region=us-west-2&endpoint={endpoint}", environment="dev")
    store.upgrade()
    repos = [RepoName("bench", f"repo-{index:05d}") for index in range(repo_count)]
    start = NOW - timedelta(days=days)
    for repo in repos:
        package = PackageRef(Ecosystem.NPM, repo.name)
        store.add_subject(repo, [package], added_at=start)
        steps = days * 8
        store.write_points(
            Point(
                repo,
                Family.STARS,
                start + n * STEP,
                {"star_count": n},
                Provenance.RECONSTRUCTED,
                "history",
            )
            for n in range(steps)
        )
    print(f"seeded {len(repos)} repositories with {days} days of stars", flush=True)

    def stars() -> None:
        store.write_points(
            Point(repo, Family.STARS, NOW, {"star_count": 1000}, Provenance.MEASURED, "github")
            for repo in repos
        )

    def activity() -> None:
        store.write_points(
            [
                *(
                    Point(
                        repo,
                        Family.PRS,
                        NOW,
                        {"open_prs": 5, "merged_prs": 40, "ratio": 8.0},
                        Provenance.MEASURED,
                        "github",
                    )
                    for repo in repos
                ),
                *(
                    Point(
                        repo,
                        Family.ISSUES,
                        NOW,
                        {"open_issues": 7, "closed_issues": 70, "ratio": 10.0},
                        Provenance.MEASURED,
                        "github",
                    )
                    for repo in repos
                ),
            ]
        )

    def downloads() -> None:
        store.write_points(
            Point(
                repo,
                Family.DOWNLOADS,
                NOW,
                {"weekly_downloads": 500, "total_downloads": 90000},
                Provenance.MEASURED,
                "npm",
                package=PackageRef(Ecosystem.NPM, repo.name),
            )
            for repo in repos
        )

    figures = {}
    for name, work in (("stars", stars), ("activity", activity), ("downloads", downloads)):
        wru, rru, requests = _spent(store, work)
        figures[name] = (wru, rru)
        print(f"{name} cycle: {wru:.0f} WRU, {rru:.0f} RRU, {requests} requests", flush=True)

    year = RepoName("bench", "a-year")
    store.add_subject(year, [], added_at=NOW - timedelta(days=365))
    year_points = 365 * 8

    def backfill() -> None:
        for month in range(12):  # as a backfill writes it: page by page
            store.write_points(
                Point(
                    year,
                    Family.STARS,
                    NOW - timedelta(days=365) + n * STEP,
                    {"star_count": n},
                    Provenance.RECONSTRUCTED,
                    "history",
                )
                for n in range(month * 244, min((month + 1) * 244, year_points))
            )

    backfill_wru, backfill_rru, backfill_requests = _spent(store, backfill)
    print(
        f"backfill of {year_points} points: {backfill_wru:.0f} WRU, {backfill_rru:.0f} RRU, "
        f"{backfill_requests} requests",
        flush=True,
    )
    _, shown_rru, _ = _spent(
        store, lambda: store.read_shown(year, Family.STARS, interval=Interval.DAY, max_points=300)
    )
    _, raw_rru, _ = _spent(store, lambda: store.read_series(year, Family.STARS))
    store.close()
    print(
        f"repos={len(repos)} "
        f"stars_cycle_wru={figures['stars'][0]:.0f} stars_cycle_rru={figures['stars'][1]:.0f} "
        f"activity_cycle_wru={figures['activity'][0]:.0f} "
        f"activity_cycle_rru={figures['activity'][1]:.0f} "
        f"downloads_cycle_wru={figures['downloads'][0]:.0f} "
        f"downloads_cycle_rru={figures['downloads'][1]:.0f} "
        f"backfill_points={year_points} backfill_wru={backfill_wru:.0f} "
        f"backfill_requests={backfill_requests} "
        f"shown_read_rru={shown_rru:.0f} raw_read_rru={raw_rru:.0f} "
        f"shown_vs_raw_rru={shown_rru / raw_rru:.2f}"
    )


if __name__ == "__main__":
    main()
