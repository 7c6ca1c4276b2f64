"""The command line: one clear line and exit code 2 for bad input, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ossgrowth.cli import main
from ossgrowth.config import load_settings
from ossgrowth.metrics.windowed_totals import PYPI_WINDOW_SOURCE
from ossgrowth.model import Ecosystem, Family, PackageRef, Point, Provenance, RepoName
from ossgrowth.simulator import WorldConfig, build_world
from ossgrowth.store import migrations, open_store
from tests.web.served import free_port, running_command


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables are not wrapped, so assertions can read whole cells."""
    monkeypatch.setenv("COLUMNS", "200")


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_track_list_show_untrack_round_trip(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "track", "https://github.com/vitejs/vite", "--npm", "vite", "--pypi", "Vite_Py"
    )
    assert code == 0 and "tracking vitejs/vite (npm:vite, pypi:vite-py) in dev" in out
    store = open_store(load_settings())
    store.write_points(
        [
            Point(
                RepoName("vitejs", "vite"),
                Family.STARS,
                datetime(2026, 11, 1, tzinfo=UTC),
                {"star_count": 71234},
                Provenance.MEASURED,
                "t",
            )
        ]
    )
    store.close()
    code, out, _ = run_cli(capsys, "list")
    assert code == 0 and "vitejs/vite" in out and "71234" in out and "2026-10-31 17:00 PDT" in out
    code, out, _ = run_cli(capsys, "show", "VITEJS/vite")
    assert (
        code == 0 and "star_count=71234" in out and "measured" in out and "not collected yet" in out
    )
    code, out, _ = run_cli(capsys, "untrack", "vitejs/vite", "--yes")
    assert code == 0 and "deleted 1 points" in out
    code, out, _ = run_cli(capsys, "list")
    assert "no repositories tracked yet" in out


def test_environments_keep_separate_data(capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "--env", "staging", "track", "a/b")
    assert "a/b" in run_cli(capsys, "--env", "staging", "list")[1]
    assert run_cli(capsys, "--env", "prod", "db", "upgrade")[0] == 0
    assert "no repositories tracked yet" in run_cli(capsys, "--env", "prod", "list")[1]


def test_commands_that_only_read_never_migrate_prod(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--env", "prod", "list")
    assert code == 2 and out == ""
    assert err.strip() == (
        "Error: the store of prod has no schema yet; create it with: "
        "ossgrowth --env prod db upgrade"
    )
    store = open_store(load_settings(environment="prod"))
    with store.engine.begin() as connection:  # a store an older version left behind
        migrations.upgrade(connection, "0005")
    code, _, err = run_cli(capsys, "--env", "prod", "show", "a/b")
    reads = f"is at schema revision 0005 and this version reads {migrations.HEAD_REVISION}"
    assert code == 2 and reads in err
    assert store.schema_revision() == "0005"  # untouched
    store.close()
    assert run_cli(capsys, "--env", "prod", "db", "upgrade")[0] == 0
    assert run_cli(capsys, "--env", "prod", "list", "--json")[1].strip() == "[]"
    code, _, _ = run_cli(capsys, "list")  # dev migrates itself
    assert code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["track", "not-a-repo"], "must be owner/name"),
        (["track", "a/b/c"], "must be owner/name"),
        (["track", "has space/x"], "not a GitHub account name"),
        (["track", "owner/.."], "not one GitHub allows"),
        (["track", "owner%2Frepo"], "must be owner/name"),
        (["track", "own\x1ber/repo"], "control characters"),
        (["track", "o/" + "r" * 150], "longer than GitHub's 100"),
        (["track", "a/b", "--npm", "Bad Name"], "not an npm package name"),
        (["track", "a/b", "--pypi", "-x"], "not a PyPI project name"),
        (["--env", "qa", "list"], "'qa' is not one of"),
        (["show", "nobody/nothing"], "is not tracked"),
        (["untrack", "nobody/nothing"], "is not tracked"),
        (["backfill"], "name one repository (owner/name) or pass --all"),
        (["backfill", "a/b", "--all"], "name one repository (owner/name) or pass --all"),
        (["backfill", "nobody/nothing"], "is not tracked"),
        (["backfill", "--all", "--family", "forks"], "unknown family"),
        (["backfill", "--all", "--since", "last year"], "--since must be a day as YYYY-MM-DD"),
        (["--store-url", "mysql://localhost/x", "list"], "unsupported store URL"),
        (
            ["--store-url", "postgresql+psycopg://u:topsecret@127.0.0.1:1/x", "list"],
            "cannot reach PostgreSQL at 127.0.0.1:1/x",
        ),
        (["--config", "missing.toml", "list"], "does not exist"),
        (["track"], "Missing argument"),
        (["frobnicate"], "No such command"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert err.startswith("Error: ") and message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err and "topsecret" not in out + err


def test_config_show_masks_secrets(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OSSGROWTH_GITHUB_TOKENS", "ghp_canary123")
    monkeypatch.setenv("OSSGROWTH_ADMIN_TOKEN", "admin-canary")
    code, out, _ = run_cli(capsys, "config", "show")
    assert (
        code == 0 and "environment = dev" in out and "github_tokens = 1 set (values hidden)" in out
    )
    assert "ghp_canary123" not in out and "admin-canary" not in out
    code, out, _ = run_cli(capsys, "config", "show", "--json")
    shown = json.loads(out)
    assert shown["environment"] == "dev" and shown["github_tokens"] == "1 set (values hidden)"
    assert "ghp_canary123" not in out and "admin-canary" not in out


def test_db_upgrade_reports_the_revision(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--env", "prod", "db", "upgrade")
    assert code == 0 and f"store of prod is at schema revision {migrations.HEAD_REVISION}" in out


def test_the_installed_command_prints_its_version_and_help(tmp_path: Path) -> None:
    version = subprocess.run(
        [sys.executable, "-m", "ossgrowth", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("ossgrowth ")
    bad = subprocess.run(
        [sys.executable, "-m", "ossgrowth", "track", "x"], capture_output=True, text=True
    )
    assert (
        bad.returncode == 2 and bad.stderr.startswith("Error: ") and "Traceback" not in bad.stderr
    )


def test_collect_against_an_unreachable_host_is_one_error_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OSSGROWTH_GITHUB_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("OSSGROWTH_GITHUB_TOKENS", "ghp_canary_collect")
    run_cli(capsys, "track", "octo/widgets")
    code, out, err = run_cli(capsys, "collect", "--once")
    assert code == 1
    assert err.strip().splitlines() == [
        "Error: cannot reach GitHub at http://127.0.0.1:9/graphql: cannot connect "
        "(All connection attempts failed) (tried 3 times)"
    ]
    assert "ghp_canary_collect" not in out + err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["simulator", "--port", "0"], "--port"),
        (["simulator", "--fault-rate", "1.5"], "--fault-rate"),
        (["simulator", "--repos", "many"], "--repos"),
    ],
)
def test_simulator_options_are_checked(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run_cli(capsys, *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_tracking_a_repository_queues_the_backfill_of_its_history(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "track", "vitejs/vite")
    assert code == 0
    assert "queued the backfill of its history (stars, prs, issues, downloads, reach)" in out
    store = open_store(load_settings())
    jobs = store.backfill_jobs()
    store.close()
    assert {job.family for job in jobs} == set(Family)


def test_jobs_another_runner_holds_are_left_to_it_and_said(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_cli(capsys, "track", "vitejs/vite")[0] == 0
    store = open_store(load_settings())
    now = datetime.now(UTC)
    for family in Family:
        held = store.claim_backfill(
            RepoName("vitejs", "vite"),
            family,
            owner="a-server",
            now=now,
            until=now + timedelta(hours=1),
        )
        assert held
    store.close()
    code, out, err = run_cli(capsys, "backfill", "--all")
    assert code == 0, err
    assert out.count("another runner is backfilling it") == len(Family)
    assert "succeeded: 5 jobs, 0 points, 0 requests" in out


def test_show_says_a_pypi_total_covers_only_its_window(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # the note must not be cut by the table
    assert run_cli(capsys, "track", "octo/snakes", "--pypi", "snakes")[0] == 0
    store = open_store(load_settings())
    package = PackageRef(Ecosystem.PYPI, "snakes")
    store.write_points(
        [
            Point(
                RepoName("octo", "snakes"),
                Family.DOWNLOADS,
                datetime(2026, 6, day, tzinfo=UTC),
                {"weekly_downloads": None, "total_downloads": 10 * day},
                Provenance.RECONSTRUCTED,
                PYPI_WINDOW_SOURCE,
                package,
            )
            for day in (2, 3)
        ]
    )
    store.close()
    code, out, _ = run_cli(capsys, "show", "octo/snakes")
    assert code == 0 and "total_downloads=30" in out
    assert "history: stars queued (0 pages stored) · prs queued" in out
    assert "total since 2026-06-01: PyPI stats keeps only the last 180 days" in out


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_store_is_refused_rather_than_forgetting_what_it_was_told(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    code, out, err = run_cli(capsys, "--store-url", url, "track", "vitejs/vite")
    assert code == 2
    assert "tracking" not in out
    assert err.strip().splitlines() == [
        "Error: the store URL names an in-memory SQLite database, which keeps nothing once "
        "the command ends; use a file: sqlite:///PATH"
    ]


def test_a_config_file_nested_too_deeply_is_one_error_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 10_000 + "]" * 10_000 + "\n")
    code, _, err = run_cli(capsys, "--config", str(deep), "list")
    assert code == 2
    assert err.strip().splitlines() == [
        f"Error: cannot read config file {deep}: it is nested too deeply to be settings"
    ]


@pytest.mark.slow
def test_collect_once_exits_3_when_some_repositories_failed_and_1_when_all_did(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    real = build_world(WorldConfig(seed=0, repo_count=3)).repos[0]
    for name, value in {
        "OSSGROWTH_GITHUB_API_URL": origin,
        "OSSGROWTH_GITHUB_TOKENS": "sim-token-1",
        "OSSGROWTH_NPM_DOWNLOADS_URL": f"{origin}/npm",
        "OSSGROWTH_PYPISTATS_URL": f"{origin}/pypistats",
    }.items():
        monkeypatch.setenv(name, value)
    with running_command(
        ["simulator", "--port", str(port), "--repos", "3"], ready_url=f"{origin}/rate_limit"
    ):
        assert run_cli(capsys, "track", "nobody-here/missing")[0] == 0
        code, out, err = run_cli(capsys, "collect", "--once")
        assert code == 1, out + err  # nothing collected
        assert "0 of 1 repositories" in out and "nobody-here/missing" in err
        assert run_cli(capsys, "track", f"{real.owner}/{real.name}")[0] == 0
        code, out, err = run_cli(capsys, "collect", "--once")
        assert code == 3, out + err  # the rest stored
        assert "partial: 1 of 2 repositories" in out
        assert run_cli(capsys, "untrack", "nobody-here/missing", "--yes")[0] == 0
        code, out, err = run_cli(capsys, "collect", "--once")
        assert code == 0, out + err
        assert "succeeded: 1 of 1 repositories" in out


def test_list_and_show_print_whole_values_to_a_pipe_and_typed_json_with_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    long_name = "driftwood-dev/vite-plugin-" + "x" * 60
    assert run_cli(capsys, "track", long_name, "--npm", "vite-plugin-long-package-name")[0] == 0
    store = open_store(load_settings())
    store.write_points(
        [
            Point(
                RepoName(*long_name.split("/")),
                Family.STARS,
                datetime(2026, 11, 1, tzinfo=UTC),
                {"star_count": 71234},
                Provenance.MEASURED,
                "github-graphql",
            )
        ]
    )
    store.close()
    code, out, _ = run_cli(capsys, "list")  # captured: not a terminal
    lines = out.splitlines()
    assert code == 0 and lines[0] == "repository\tpackages\tstars\tas_of\tadded"
    assert lines[1].split("\t")[:3] == [long_name, "npm:vite-plugin-long-package-name", "71234"]
    code, out, _ = run_cli(capsys, "list", "--json")
    (listed,) = json.loads(out)
    assert listed["repository"] == long_name and listed["stars"] == 71234
    assert listed["packages"] == ["npm:vite-plugin-long-package-name"]
    assert listed["as_of"] == "2026-11-01T00:00:00Z"
    code, out, _ = run_cli(capsys, "show", long_name, "--json")
    shown = json.loads(out)
    assert shown["repository"] == long_name and shown["github_node_id"] is None
    stars = next(entry for entry in shown["newest"] if entry["family"] == "stars")
    assert stars["values"] == {"star_count": 71234} and stars["points"] == 1
    assert stars["observed_at"] == "2026-11-01T00:00:00Z" and stars["provenance"] == "measured"
    assert set(shown["history"]) == {"stars", "prs", "issues", "downloads", "reach"}
