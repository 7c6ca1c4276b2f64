"""``ossgrowth config …``: the effective configuration."""

from __future__ import annotations

import json

import typer

from ossgrowth.cli.output import JsonOption
from ossgrowth.cli.state import state_of

__all__ = ["config_app"]

config_app = typer.Typer(help="Inspect the effective configuration.", no_args_is_help=True)


@config_app.command("show")
def config_show(context: typer.Context, as_json: JsonOption = False) -> None:
    """Print the effective configuration, secrets masked.

    Example: OSSGROWTH_ENVIRONMENT=staging ossgrowth config show
    """
    shown = state_of(context).settings().public_view()
    if as_json:
        typer.echo(json.dumps(shown, indent=2))
        return
    for key, value in shown.items():
        typer.echo(f"{key} = {value}")
