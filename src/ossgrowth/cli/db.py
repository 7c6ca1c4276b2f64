"""``ossgrowth db …``: the store's schema."""

from __future__ import annotations

import typer

from ossgrowth.cli.state import state_of, upgrade_with_progress
from ossgrowth.store import open_store

__all__ = ["db_app"]

db_app = typer.Typer(help="Manage the store's schema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(context: typer.Context) -> None:
    """Create or migrate the store's schema to the newest revision (Alembic).

    Example: ossgrowth --env prod db upgrade
    """
    state = state_of(context)
    store = open_store(state.settings())
    revision = upgrade_with_progress(store)
    typer.echo(f"store of {state.settings().environment.value} is at schema revision {revision}")
