"""An environment moved SQLite → DynamoDB → SQLite with ``ossgrowth migrate`` exports exactly
as it did (moto in server mode stands in for DynamoDB)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ossgrowth.store import SqlStore, store_at
from tests.test_cli import run_cli
from tests.transfer.test_export_import import exported, seeded

pytestmark = pytest.mark.dynamodb


def test_an_environment_moves_from_sqlite_to_dynamodb_and_back_exporting_identically(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    moto_endpoint: str,
    aws_credentials: None,
) -> None:
    source_url = f"sqlite:///{tmp_path}/prod.db"
    before = exported(seeded(SqlStore(source_url, environment="prod")))
    dynamodb = f"dynamodb://?region=us-west-2&endpoint={moto_endpoint}&table_prefix=mig-"
    common = ["--env", "prod"]
    code, out, err = run_cli(capsys, *common, "migrate", "--from", source_url, "--to", dynamodb)
    assert code == 0, err
    assert out.splitlines()[0] == (
        "moved 2 subjects of prod: 6 series written (36 points), 0 already there"
    )
    assert out.splitlines()[-1] == (
        "verified: 10 series, 36 points, every one equal in count and checksum"
    )
    moved = store_at(dynamodb, environment="prod")
    assert exported(moved)[1:] == before[1:]
    moved.close()
    back = f"sqlite:///{tmp_path}/back.db"
    code, out, err = run_cli(capsys, *common, "migrate", "--from", dynamodb, "--to", back)
    assert code == 0, err
    assert exported(SqlStore(back, environment="prod"))[1:] == before[1:]
    code, out, _ = run_cli(capsys, *common, "migrate", "--from", source_url, "--to", dynamodb)
    assert code == 0 and out.splitlines()[0].endswith(
        "0 series written (0 points), 6 already there"
    )
