"""Shared fixtures: settings isolated from the user's machine, and every store backend."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_URL = os.environ.get(
    "OSSGROWTH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the user's settings or writes to their data directory."""
    for name in list(os.environ):
        if name.startswith("OSSGROWTH_") and name != "OSSGROWTH_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    for name in ("GH_TOKEN", "GITHUB_TOKEN"):  # read when no token is configured
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.chdir(tmp_path)


def postgres_available() -> str | None:
    """``None`` when the PostgreSQL server answers, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'ossgrowth[postgres]')"
    try:
        psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), connect_timeout=3).close()
    except psycopg.OperationalError as error:
        return f"no PostgreSQL server answers at {POSTGRES_URL}: {str(error).splitlines()[0]}"
    return None


def require_postgres() -> None:
    """Skip when no server answers, with the reason; under CI, fail instead: CI has one."""
    reason = postgres_available()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the PostgreSQL tests, but {reason}")
    pytest.skip(reason)


@pytest.fixture
def postgres_schema_prefix() -> Iterator[str]:
    """A throwaway schema prefix; every schema made with it is dropped afterwards."""
    require_postgres()
    import psycopg

    prefix = f"test_{uuid.uuid4().hex[:10]}"
    yield prefix
    with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), autocommit=True) as connection:
        schemas = connection.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (f"{prefix}%",)
        ).fetchall()
        for (schema,) in schemas:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """The URL of moto in server mode on 127.0.0.1 (tests/moto_stand_in.py): real HTTP through
    boto3, for DynamoDB, Secrets Manager and the rest (no AWS account is reached). One server
    for the whole run; tests keep apart by table prefix or secret name."""
    pytest.importorskip("moto.server", reason="moto is not installed (pip install 'moto[server]')")
    from tests.moto_stand_in import served_moto

    with served_moto() as url:
        yield url


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials and region, so boto3 never looks for the user's own."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
