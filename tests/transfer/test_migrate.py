"""migrate: an environment moved between backends, verified series by series, and finished
by running it again after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from ossgrowth.metrics.registry import Family
from ossgrowth.model import Point, Provenance, RepoName
from ossgrowth.store import SqlStore
from tests.conftest import POSTGRES_URL
from tests.test_cli import run_cli
from tests.transfer.test_export_import import T0, exported, seeded

pytestmark = pytest.mark.postgres


def test_an_environment_moves_from_sqlite_to_postgres_and_back_verified(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    postgres_schema_prefix: str,
) -> None:
    source_url = f"sqlite:///{tmp_path}/prod.db"
    before = exported(seeded(SqlStore(source_url, environment="prod")))
    schema = f"{postgres_schema_prefix}_prod"
    common = ["--env", "prod"]
    monkeypatch.setenv("OSSGROWTH_STORE_SCHEMA", schema)
    code, out, err = run_cli(capsys, *common, "migrate", "--from", source_url, "--to", POSTGRES_URL)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "moved 2 subjects of prod: 6 series written (36 points), 0 already there"
    assert lines[1].split("\t") == [
        "repository",
        "family",
        "package",
        "source_points",
        "target_points",
        "checksum",
        "equal",
    ]
    assert "octo/Widgets\tdownloads\tnpm:widgets\t6\t6\t" in out
    assert lines[-1] == "verified: 10 series, 36 points, every one equal in count and checksum"
    moved = SqlStore(POSTGRES_URL, environment="prod", schema=schema)
    assert exported(moved)[1:] == before[1:]
    moved.close()
    back = f"sqlite:///{tmp_path}/back.db"
    code, out, err = run_cli(capsys, *common, "migrate", "--from", POSTGRES_URL, "--to", back)
    assert code == 0, err
    assert exported(SqlStore(back, environment="prod"))[1:] == before[1:]
    code, out, _ = run_cli(capsys, *common, "migrate", "--from", source_url, "--to", back)
    assert code == 0 and out.splitlines()[0].endswith(
        "0 series written (0 points), 6 already there"
    )


def test_a_migration_killed_midway_ends_as_an_uninterrupted_one_when_run_again(
    tmp_path: Path, postgres_schema_prefix: str
) -> None:
    source_url = f"sqlite:///{tmp_path}/prod.db"
    source = SqlStore(source_url, environment="prod")
    source.upgrade()
    names = [RepoName("big", f"repo-{index:03d}") for index in range(120)]
    for name in names:
        source.add_subject(name, [], added_at=T0)
        source.write_points(
            Point(
                name,
                Family.STARS,
                T0 + timedelta(hours=3 * step),
                {"star_count": step},
                Provenance.MEASURED,
                "test",
            )
            for step in range(1500)
        )
    before = exported(source)
    schema = f"{postgres_schema_prefix}_prod"
    environment = {**os.environ, "OSSGROWTH_STORE_SCHEMA": schema}
    command = [
        sys.executable,
        "-m",
        "ossgrowth",
        "--env",
        "prod",
        "migrate",
        "--from",
        source_url,
        "--to",
        POSTGRES_URL,
    ]
    running = subprocess.Popen(
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    target = SqlStore(POSTGRES_URL, environment="prod", schema=schema)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and running.poll() is None:
        try:
            if len(target.list_subjects()) >= 5:  # well into it, far from done
                break
        except Exception:  # the schema is being made
            pass
        time.sleep(0.05)
    running.send_signal(signal.SIGKILL)
    running.wait()
    assert running.returncode == -signal.SIGKILL, "the migration ended before it was killed"
    assert exported(target)[1:] != before[1:]
    again = subprocess.run(command, env=environment, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1].startswith("verified: 480 series, 180000 points")
    assert exported(target)[1:] == before[1:]
    target.close()
