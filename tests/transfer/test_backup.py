"""backup and restore: a backup taken while collections write holds together, and restores
to a store holding exactly what its end line counts."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from ossgrowth.config import load_settings
from ossgrowth.metrics.registry import Family
from ossgrowth.model import Point, Provenance, RepoName
from ossgrowth.store import open_store
from tests.test_cli import run_cli
from tests.transfer.test_export_import import T0, exported

REPOS = [RepoName("busy", f"repo-{index:02d}") for index in range(40)]


def test_a_backup_taken_while_a_backfill_writes_restores_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prod = open_store(load_settings(environment="prod"))
    prod.upgrade()
    for repo in REPOS:
        prod.add_subject(repo, [], added_at=T0)
    stop = threading.Event()
    rounds = 0

    def write_rounds() -> None:  # each round: one point more for every repository, at once
        nonlocal rounds
        while not stop.is_set():
            prod.write_points(
                Point(
                    repo,
                    Family.STARS,
                    T0 + timedelta(hours=3 * rounds),
                    {"star_count": rounds},
                    Provenance.RECONSTRUCTED,
                    "stargazers",
                )
                for repo in REPOS
            )
            rounds += 1

    writer = threading.Thread(target=write_rounds)
    writer.start()
    try:
        while rounds < 20:
            stop.wait(0.01)
        backup = tmp_path / "prod.jsonl"
        code, out, err = run_cli(capsys, "--env", "prod", "backup", "-o", str(backup))
    finally:
        stop.set()
        writer.join()
    assert code == 0, err
    records = [json.loads(line) for line in backup.read_text().splitlines()]
    lengths = {
        repo.full_name: sum(
            1 for r in records if r.get("repo") == repo.full_name and r.get("type") == "point"
        )
        for repo in REPOS
    }
    assert len(set(lengths.values())) == 1, lengths  # one moment: every round whole or absent
    backed_up = records[-1]
    assert backed_up["subjects"] == 40 and backed_up["points"] == sum(lengths.values())
    assert rounds >= next(iter(lengths.values())) >= 20
    assert out.strip().endswith(f"40 subjects and {backed_up['points']} points in {backup}")

    code, out, err = run_cli(capsys, "--env", "staging", "restore", str(backup))
    assert code == 0, err
    staging = open_store(load_settings(environment="staging"))
    with staging.engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    restored = exported(staging)
    assert restored[1:] == backup.read_text().splitlines()[1:]
    assert json.loads(restored[-1]) == backed_up
    staging.close()
    prod.close()


def test_restore_refuses_an_environment_that_holds_data_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "--env", "staging", "track", "some/repo")[0] == 0
    assert run_cli(capsys, "--env", "staging", "backup", "-o", str(tmp_path / "s.jsonl"))[0] == 0
    assert run_cli(capsys, "--env", "staging", "track", "other/repo")[0] == 0
    code, _, err = run_cli(capsys, "--env", "staging", "restore", str(tmp_path / "s.jsonl"))
    assert code == 2 and "staging holds 2 subjects; restore replaces them: pass --force" in err
    code, out, err = run_cli(
        capsys, "--env", "staging", "restore", str(tmp_path / "s.jsonl"), "--force"
    )
    assert code == 0, err
    assert out.startswith("restored 1 subjects and 0 points into staging from ")
    listed = json.loads(run_cli(capsys, "--env", "staging", "list", "--json")[1])
    assert [entry["repository"] for entry in listed] == ["some/repo"]
    (tmp_path / "cut.jsonl").write_text((tmp_path / "s.jsonl").read_text()[:-20])
    code, _, err = run_cli(
        capsys, "--env", "staging", "restore", str(tmp_path / "cut.jsonl"), "--force"
    )
    assert code == 2 and "cut short" in err
    assert len(json.loads(run_cli(capsys, "--env", "staging", "list", "--json")[1])) == 1
