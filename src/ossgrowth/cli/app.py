"""The ``ossgrowth`` command: the Typer app, its global options, and :func:`main`.

Every command builds what it needs from settings and calls one function of the core. Errors a
user can act on print one ``Error: …`` line: bad input, settings or store URL exit with 2,
other failures with 1. No traceback reaches the terminal.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from ossgrowth import __version__
from ossgrowth.cli import collect, data, inspect, leaderboard, repos, serve
from ossgrowth.cli.alerts import alerts_app
from ossgrowth.cli.aws import aws_app
from ossgrowth.cli.collections import collection_app
from ossgrowth.cli.config import config_app
from ossgrowth.cli.db import db_app
from ossgrowth.cli.state import FAILURE_EXIT_CODE, USAGE_EXIT_CODE, CliState
from ossgrowth.config import Environment
from ossgrowth.errors import ConfigError, InputError, OssgrowthError, StoreUnreachable
from ossgrowth.logs import LogFormat

__all__ = ["app", "main"]

log = logging.getLogger(__name__)

app = typer.Typer(
    name="ossgrowth",
    help="Open Source Growth Tracker: follow stars, PR velocity, issue health and downloads.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(aws_app, name="aws")
app.add_typer(collection_app, name="collection")
app.add_typer(alerts_app, name="alerts")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ossgrowth {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    context: typer.Context,
    environment: Annotated[
        Environment | None,
        typer.Option(
            "--env",
            help="Environment whose data to use. [env: OSSGROWTH_ENVIRONMENT; default: dev]",
            show_default=False,
        ),
    ] = None,
    store_url: Annotated[
        str | None,
        typer.Option(
            help="Store URL (sqlite:///PATH or postgresql+psycopg://…). [env: OSSGROWTH_STORE_URL]"
        ),
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option("--config", help="TOML settings file. [default: ./ossgrowth.toml if present]"),
    ] = None,
    log_format: Annotated[
        LogFormat | None,
        typer.Option(
            help="Log lines as text or JSON (one object a line). [env: OSSGROWTH_LOG_FORMAT; "
            "default: text]",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Open Source Growth Tracker: follow stars, PR velocity, issue health and downloads."""
    context.obj = CliState(
        config_file=config_file,
        overrides={
            "environment": environment.value if environment else None,
            "store_url": store_url,
            "log_format": log_format.value if log_format else None,
        },
    )


repos.register(app)
collect.register(app)
serve.register(app)
data.register(app)
inspect.register(app)
leaderboard.register(app)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn every error into one line and an exit code."""
    try:
        command = typer.main.get_command(app)
        code = command.main(args=argv, prog_name="ossgrowth", standalone_mode=False)
        if isinstance(code, int) and code:  # a command's typer.Exit(code), returned by click
            sys.exit(code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(FAILURE_EXIT_CODE)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.TyperException as error:  # usage errors: bad options, missing arguments
        format_message = getattr(error, "format_message", None)
        message = format_message() if callable(format_message) else str(error)
        typer.echo(f"Error: {message}", err=True)
        sys.exit(getattr(error, "exit_code", USAGE_EXIT_CODE))
    except (InputError, ConfigError, StoreUnreachable) as error:
        typer.echo(f"Error: {error}", err=True)
        sys.exit(USAGE_EXIT_CODE)
    except OssgrowthError as error:
        typer.echo(f"Error: {error}", err=True)
        sys.exit(FAILURE_EXIT_CODE)
    except Exception as error:  # the outermost loop: log, one line, no traceback
        log.debug("unexpected failure", exc_info=True)
        typer.echo(f"Error: unexpected failure ({type(error).__name__}): {error}", err=True)
        sys.exit(FAILURE_EXIT_CODE)
