"""``ossgrowth serve`` refuses a staging without a password, in one line, and finishes a
rollup build that was stopped before it serves."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from ossgrowth.cli import main
from ossgrowth.model import Family
from ossgrowth.store import SqlStore
from ossgrowth.store.sql_rollups import ROLLUPS_PENDING_KEY
from ossgrowth.store.tables import META_TABLE, ROLLUP_TABLES
from tests.web.served import running_server, seeded_store


def test_staging_without_a_password_refuses_to_serve(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--env", "staging", "serve", "--port", "1"])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.err == (
        "Error: staging needs a password: set OSSGROWTH_STAGING_PASSWORD "
        "(every route asks for it)\n"
    )
    assert captured.out == ""


def test_serve_goes_on_with_a_rollup_build_that_was_stopped(tmp_path: Path) -> None:
    url = seeded_store(tmp_path / "pending.db")
    store = SqlStore(url, environment="dev")
    with store.engine.begin() as connection:  # as a build stopped halfway leaves it
        for table in ROLLUP_TABLES.values():
            connection.execute(table.delete())
        connection.execute(META_TABLE.insert().values(key=ROLLUPS_PENDING_KEY, value=""))
    store.close()
    with running_server(url):
        pass
    store = SqlStore(url, environment="dev")
    try:
        assert store.rollups_ready()
        with store.engine.connect() as connection:
            built = connection.execute(
                select(func.count()).select_from(ROLLUP_TABLES[Family.STARS])
            )
            assert built.scalar_one() > 0
    finally:
        store.close()
