"""Schema migrations with Alembic, run on a live connection (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, inspect, text

__all__ = ["HEAD_REVISION", "current_revision", "upgrade"]

HEAD_REVISION = "0010"
"""The newest migration; a test keeps it equal to Alembic's head."""

_SCRIPTS = Path(__file__).parent / "alembic"


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at, or ``None`` when it was never migrated."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Migrate the database on ``connection`` to ``revision`` inside its transaction."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def script_head() -> str | None:
    """Alembic's own idea of the head revision (for the test that pins HEAD_REVISION)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return ScriptDirectory.from_config(config).get_current_head()
