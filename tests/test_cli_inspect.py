"""``runs`` and ``rows``: what an operator reads of a running system, for people and scripts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ossgrowth.config import load_settings
from ossgrowth.model import (
    Ecosystem,
    Family,
    PackageRef,
    Point,
    Provenance,
    RepoName,
    Run,
    RunStatus,
)
from ossgrowth.store import open_store
from tests.test_cli import run_cli

T0 = datetime(2026, 11, 30, 8, tzinfo=UTC)
VITE = RepoName("vitejs", "vite")
NPM_VITE = PackageRef(Ecosystem.NPM, "vite")


@pytest.fixture
def recorded(capsys: pytest.CaptureFixture[str]) -> None:
    """vite tracked with npm:vite, a few points of two families, three runs."""
    assert run_cli(capsys, "track", "vitejs/vite", "--npm", "vite")[0] == 0
    store = open_store(load_settings())
    store.write_points(
        [
            *(
                Point(
                    VITE,
                    Family.STARS,
                    T0 + timedelta(hours=3 * step),
                    {"star_count": 100 + step},
                    Provenance.RECONSTRUCTED if step < 2 else Provenance.MEASURED,
                    "github-graphql",
                )
                for step in range(5)
            ),
            Point(
                VITE,
                Family.DOWNLOADS,
                T0,
                {"weekly_downloads": 700, "total_downloads": None},
                Provenance.MEASURED,
                "npm-downloads",
                package=NPM_VITE,
            ),
        ]
    )
    store.record_run(
        Run(
            job="collect:stars#1/2",
            environment="dev",
            started_at=T0,
            finished_at=T0 + timedelta(seconds=42),
            status=RunStatus.SUCCEEDED,
            counts={"subjects": 1, "points": 1},
            requests_spent=1,
        )
    )
    store.record_run(
        Run(
            job="collect:prs+issues",
            environment="dev",
            started_at=T0 + timedelta(days=1),
            status=RunStatus.FAILED,
            error="cannot reach GitHub\tat all",
        )
    )
    store.record_run(
        Run(job="backfill:stars", environment="dev", started_at=T0 + timedelta(days=2))
    )
    store.close()
    capsys.readouterr()


@pytest.mark.usefixtures("recorded")
def test_runs_lists_the_newest_first_and_filters_by_job_status_and_day(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "runs")
    lines = out.splitlines()
    assert code == 0 and lines[0].split("\t")[:3] == ["id", "job", "status"]
    assert [line.split("\t")[1] for line in lines[1:]] == [
        "backfill:stars",
        "collect:prs+issues",
        "collect:stars#1/2",
    ]
    failed = lines[2].split("\t")
    assert failed[2] == "failed" and failed[-1] == "cannot reach GitHub at all"  # one line
    code, out, _ = run_cli(capsys, "runs", "--job", "collect:stars", "--json")
    (only,) = json.loads(out)
    assert only["job"] == "collect:stars#1/2" and only["seconds"] == 42
    assert only["started_at"] == "2026-11-30T08:00:00Z" and only["counts"]["points"] == 1
    code, out, _ = run_cli(capsys, "runs", "--status", "running", "--json")
    assert [run["job"] for run in json.loads(out)] == ["backfill:stars"]
    code, out, _ = run_cli(capsys, "runs", "--since", "2026-12-01", "--limit", "1", "--json")
    assert [run["job"] for run in json.loads(out)] == ["backfill:stars"]
    code, out, _ = run_cli(capsys, "runs", "--since", "2027-01-01")
    assert code == 0 and out.strip() == "no runs recorded that match"
    code, _, err = run_cli(capsys, "runs", "--since", "yesterday")
    assert code == 2 and "--since must be a day as YYYY-MM-DD" in err


@pytest.mark.usefixtures("recorded")
def test_rows_prints_the_newest_points_as_stored(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "rows", "vitejs/vite", "stars", "--limit", "3", "--json")
    stored = json.loads(out)
    assert code == 0 and [row["star_count"] for row in stored] == [102, 103, 104]
    assert stored[0]["observed_at"] == "2026-11-30T14:00:00Z"
    assert stored[0]["local_time"] == "2026-11-30 06:00 PST"
    assert {row["provenance"] for row in stored} == {"measured"}
    code, out, _ = run_cli(capsys, "rows", "vitejs/vite", "star-growth")  # the seed's name
    lines = out.splitlines()
    assert lines[0].split("\t") == [
        "observed_at",
        "local_time",
        "star_count",
        "provenance",
        "source",
    ]
    assert lines[1].split("\t")[2:] == ["100", "reconstructed", "github-graphql"]
    code, out, _ = run_cli(capsys, "rows", "vitejs/vite", "downloads")  # its one package
    assert out.splitlines()[1].split("\t")[2:] == ["700", "—", "measured", "npm-downloads"]
    code, out, _ = run_cli(capsys, "rows", "vitejs/vite", "prs")
    assert code == 0 and out.strip() == "no prs points stored for vitejs/vite"


@pytest.mark.usefixtures("recorded")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rows", "octo/gone", "stars"], "octo/gone is not tracked"),
        (["rows", "vitejs/vite", "forks"], "forks"),
        (["rows", "vitejs/vite", "stars", "--package", "npm:vite"], "drop --package"),
        (["rows", "vitejs/vite", "downloads", "--package", "pypi:vite"], "not a package"),
        (["runs", "--status", "lost"], "'lost' is not one of"),
    ],
)
def test_bad_input_is_one_error_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("Error: ") and message in err and len(err.strip().splitlines()) == 1
