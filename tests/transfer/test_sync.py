"""sync: a summary of what changes, a question before writing, nothing deleted without
--prune, and a measured point never replaced by a reconstructed one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from ossgrowth.config import load_settings
from ossgrowth.metrics.registry import Family
from ossgrowth.model import Point, Provenance, RepoName
from ossgrowth.store import SqlStore, open_store
from tests.test_cli import run_cli
from tests.transfer.test_export_import import T0, exported

REPO = RepoName("octo", "widgets")
LONE = RepoName("octo", "only-in-prod")


def stars(step: int, count: int, provenance: Provenance, source: str = "gql") -> Point:
    return Point(
        REPO, Family.STARS, T0 + timedelta(days=step), {"star_count": count}, provenance, source
    )


def environment(name: str) -> SqlStore:
    store = open_store(load_settings(environment=name))
    store.upgrade()
    return store


@pytest.fixture
def staging_and_prod() -> None:
    staging, prod = environment("staging"), environment("prod")
    for store in (staging, prod):
        store.add_subject(REPO, [], added_at=T0)
    staging.write_points(
        [
            stars(0, 10, Provenance.MEASURED),  # same in prod
            stars(1, 11, Provenance.MEASURED),  # changed: prod's is reconstructed
            stars(2, 12, Provenance.RECONSTRUCTED),  # kept: prod's is measured
            stars(3, 13, Provenance.MEASURED),  # new
        ]
    )
    prod.write_points(
        [
            stars(0, 10, Provenance.MEASURED),
            stars(1, 99, Provenance.RECONSTRUCTED),
            stars(2, 42, Provenance.MEASURED),
            stars(9, 19, Provenance.MEASURED),  # only in prod
        ]
    )
    prod.add_subject(LONE, [], added_at=T0)
    staging.close()
    prod.close()


@pytest.mark.usefixtures("staging_and_prod")
def test_sync_summarises_then_writes_and_deletes_only_when_pruning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(capsys, "sync", "--from", "staging", "--to", "prod", "--dry-run")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split("\t") == [
        "family",
        "new",
        "changed",
        "same",
        "kept",
        "only_in_target",
    ]
    assert lines[1].split("\t") == ["stars", "1", "1", "1", "1", "1"]
    assert "only in prod, left as they are: octo/only-in-prod" in out
    assert lines[-1] == "--dry-run: nothing written"
    prod = environment("prod")
    before = exported(prod)
    code, out, _ = run_cli(capsys, "sync", "--from", "staging", "--to", "prod")  # no answer
    assert code == 1 and exported(prod) == before
    code, out, err = run_cli(capsys, "sync", "--from", "staging", "--to", "prod", "--yes")
    assert code == 0, err
    assert out.splitlines()[-1] == "synced staging into prod: 2 points written"
    rows = {row[0]: row[1:3] for row in prod.read_series(REPO, Family.STARS).rows}
    day = 86_400
    start = int(T0.timestamp())
    assert rows == {
        start: (10, 3),
        start + day: (11, 3),  # staging's measured point replaced prod's reconstructed one
        start + 2 * day: (42, 3),  # prod's measured point stayed
        start + 3 * day: (13, 3),
        start + 9 * day: (19, 3),  # only in prod: left
    }
    code, out, err = run_cli(
        capsys, "sync", "--from", "staging", "--to", "prod", "--prune", "--yes"
    )
    assert code == 0 and out.splitlines()[-1] == (
        "synced staging into prod: 0 points written, 1 deleted"
    )
    assert start + 9 * day not in {row[0] for row in prod.read_series(REPO, Family.STARS).rows}
    assert prod.get_subject(LONE) is not None  # a repository only prod tracks stays
    prod.close()
    code, out, _ = run_cli(capsys, "sync", "--from", "staging", "--to", "prod", "--yes")
    assert out.splitlines()[-1] == "nothing to do: prod has every chosen point of staging"


@pytest.mark.usefixtures("staging_and_prod")
def test_sync_takes_a_subset_and_refuses_nonsense(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "sync", "--from", "staging", "--to", "prod", "--family", "prs", "--dry-run"
    )
    assert code == 0 and "prs\t0\t0\t0\t0\t0" in out
    code, _, err = run_cli(capsys, "sync", "--from", "prod", "--to", "prod")
    assert code == 2 and "the same environment" in err
    code, _, err = run_cli(capsys, "sync", "--from", "dev", "--to", "prod", "--yes")
    assert code == 2 and "the store of dev has no schema yet" in err


def test_a_sync_killed_midway_ends_as_an_uninterrupted_one_when_run_again() -> None:
    staging = environment("staging")
    names = [RepoName("big", f"repo-{index:03d}") for index in range(100)]
    for name in names:
        staging.add_subject(name, [], added_at=T0)
        staging.write_points(
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
    wanted = exported(staging)
    prod = environment("prod")
    command = [
        sys.executable,
        "-m",
        "ossgrowth",
        "sync",
        "--from",
        "staging",
        "--to",
        "prod",
        "--yes",
    ]
    running = subprocess.Popen(
        command, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and running.poll() is None:
        if len(prod.list_subjects()) >= 5:
            break
        time.sleep(0.05)
    running.send_signal(signal.SIGKILL)
    running.wait()
    assert running.returncode == -signal.SIGKILL, "the sync ended before it was killed"
    assert exported(prod)[1:] != wanted[1:]
    again = subprocess.run(command, env=dict(os.environ), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert exported(prod)[1:] == wanted[1:]
    staging.close()
    prod.close()
