"""What every command shares: the state the global options make, and the exit codes.

The global options (``--env``, ``--store-url``, ``--config``, ``--log-format``) become a
:class:`CliState` on the Typer context; a command asks it for settings and a store, built on
first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer

from ossgrowth.cli.progress import RollupBar
from ossgrowth.config import Environment, Settings, load_settings
from ossgrowth.errors import ConfigError
from ossgrowth.logs import configure_logging
from ossgrowth.store import ManagedStore, open_store

__all__ = [
    "FAILURE_EXIT_CODE",
    "PARTIAL_EXIT_CODE",
    "USAGE_EXIT_CODE",
    "CliState",
    "state_of",
    "upgrade_with_progress",
]

USAGE_EXIT_CODE = 2
"""Bad input, settings or store URL."""
FAILURE_EXIT_CODE = 1
PARTIAL_EXIT_CODE = 3
"""A collection stored what it could, and some repositories or packages failed."""


@dataclass
class CliState:
    """Global options, turned into settings and a store on first use."""

    config_file: Path | None = None
    overrides: dict[str, str | None] = field(default_factory=dict)
    _settings: Settings | None = None

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_file, **self.overrides)
            configure_logging(
                self._settings.log_level,
                self._settings.log_format,
                secrets=self._settings.secret_values(),
            )
        return self._settings

    def store(self, *, reading: bool = False) -> ManagedStore:
        """The environment's store, migrated to the newest schema when it is not.

        A command that only reads (``reading``) never changes the schema of staging or prod:
        on a schema other than this version's it stops with the command that migrates it.
        Dev is migrated whatever the command.
        """
        settings = self.settings()
        store = open_store(settings)
        if reading and settings.environment is not Environment.DEV:
            if not store.is_current():
                raise ConfigError(
                    _outdated(settings.environment, store.schema_revision(), store.newest_revision)
                )
            return store
        if not store.is_current() or not store.rollups_ready():
            upgrade_with_progress(store)
        return store

    def other_store(self, environment: Environment, *, migrate: bool = False) -> ManagedStore:
        """The store of another ``environment`` under the same settings: to read only (never
        migrated: a schema this version does not read is an error), or, with ``migrate``, to
        write, migrated first when it is behind."""
        settings = load_settings(
            self.config_file, **{**self.overrides, "environment": environment.value}
        )
        store = open_store(settings)
        if migrate:
            if not store.is_current() or not store.rollups_ready():
                upgrade_with_progress(store)
        elif not store.is_current():
            raise ConfigError(
                _outdated(environment, store.schema_revision(), store.newest_revision)
            )
        return store


def _outdated(environment: Environment, revision: str | None, newest: str) -> str:
    """Why a read cannot use a store at ``revision`` (this version reads ``newest``), and
    what to run."""
    upgrade = f"ossgrowth --env {environment.value} db upgrade"
    if revision is None:
        return f"the store of {environment.value} has no schema yet; create it with: {upgrade}"
    if revision > newest:
        return (
            f"the store of {environment.value} is at schema revision {revision}, newer than "
            f"this version of ossgrowth reads ({newest}); use a newer ossgrowth"
        )
    return (
        f"the store of {environment.value} is at schema revision {revision} and this version "
        f"reads {newest}; commands that only read do not migrate it: run {upgrade}"
    )


def upgrade_with_progress(store: ManagedStore) -> str:
    """Migrate ``store``; a bar on stderr while rollups of existing points are built."""
    with RollupBar() as bar:
        return store.upgrade(progress=bar.advance)


def state_of(context: typer.Context) -> CliState:
    """The state the global options made, on ``context``."""
    state = context.obj
    if not isinstance(state, CliState):
        raise RuntimeError("the CLI state was not initialised")
    return state
