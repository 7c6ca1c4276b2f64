"""Commands that move data: ``export``, ``import``, ``backup``, ``restore``, ``reset``,
``sync`` (its own module, :mod:`ossgrowth.cli.sync`) and ``migrate`` (see
:mod:`ossgrowth.transfer`)."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated

import typer

from ossgrowth.cli.output import Column, print_rows
from ossgrowth.cli.progress import StepBar
from ossgrowth.cli.state import state_of
from ossgrowth.cli.sync import sync_command
from ossgrowth.clock import SystemClock
from ossgrowth.config import Environment
from ossgrowth.errors import ConfigError, InputError
from ossgrowth.metrics.registry import FAMILIES, parse_family
from ossgrowth.names import parse_repo
from ossgrowth.store import ManagedStore, store_at
from ossgrowth.transfer import ExportFilter, check_file, export_points, import_file
from ossgrowth.transfer.exporting import ExportFormat
from ossgrowth.transfer.importing import CheckedFile, ImportResult
from ossgrowth.transfer.migrating import migrate, verify, verify_stargazer_days

__all__ = ["register"]


RepoOption = Annotated[
    list[str] | None, typer.Option("--repo", help="Only this repository; repeatable.")
]
FamilyOption = Annotated[
    list[str] | None, typer.Option("--family", help="Only this family; repeatable.")
]


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("export")(export)
    app.command("import")(import_)
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("reset")(reset)
    app.command("sync")(sync_command)
    app.command("migrate")(migrate_command)


def export(
    context: typer.Context,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="File to write (- for standard output).")
    ],
    repo: RepoOption = None,
    family: FamilyOption = None,
    start: Annotated[
        str | None,
        typer.Option("--from", help="Points at this day (UTC) or moment (ISO 8601) or later."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", help="Points up to this day (its whole day, UTC) or moment."),
    ] = None,
    as_format: Annotated[
        ExportFormat,
        typer.Option("--format", help="jsonl (what import reads) or csv (points, for sheets)."),
    ] = ExportFormat.JSONL,
) -> None:
    """Export points as JSON Lines: a header, each subject with its points and stargazer days,
    the collections of repositories, an end line.

    The format (version 3) is in docs/data.md. Records never name the environment, and their
    order is stable, so exports of the same data from two environments differ only in their
    header. The file is written beside its name and renamed when complete. --format csv
    writes the same points as CSV rows (the header and the end as # comment lines).

    Example: ossgrowth --env prod export --repo vitejs/vite --from 2026-01-01 -o vite.jsonl
    """
    wanted = ExportFilter(
        repos=None if not repo else [parse_repo(text) for text in repo],
        families=None if not family else [parse_family(text) for text in family],
        start=None if start is None else _moment(start, "--from", end_of_day=False),
        end=None if end is None else _moment(end, "--to", end_of_day=True),
    )
    state = state_of(context)
    store = state.store(reading=True)
    if str(output) == "-":
        export_points(store, sys.stdout, SystemClock(), wanted, as_format=as_format)
        return
    subjects, points = _write_export(store, output, "exporting", wanted, as_format)
    environment = state.settings().environment.value
    typer.echo(f"exported {subjects} subjects and {points} points of {environment} to {output}")


def backup(
    context: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
) -> None:
    """Back up an environment: every subject and point as one moment saw them, while servers
    and collectors go on writing, in the export format (docs/data.md).

    All reads run in one read-only transaction (a snapshot), so the file holds together: a
    collection that lands meanwhile is in it whole or not at all. Its end line counts what it
    holds; restore checks it.

    Example: ossgrowth --env prod backup -o prod-2026-12-03.jsonl
    """
    state = state_of(context)
    store = state.store(reading=True)
    clock = SystemClock()
    taken = clock.now()
    with store.snapshot():
        subjects, points = _write_export(store, output, "backing up", ExportFilter())
    environment = state.settings().environment.value
    typer.echo(
        f"backed up {environment} as of {taken:%Y-%m-%d %H:%M:%S} UTC: {subjects} subjects and "
        f"{points} points in {output}"
    )


def _write_export(
    store: ManagedStore,
    output: Path,
    label: str,
    wanted: ExportFilter,
    as_format: ExportFormat = ExportFormat.JSONL,
) -> tuple[int, int]:
    """Export into ``output``, written beside it and renamed once whole."""
    partial = output.with_name(output.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as file, StepBar(label) as bar:
            written = export_points(
                store, file, SystemClock(), wanted, progress=bar.advance, as_format=as_format
            )
        os.replace(partial, output)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise InputError(f"cannot write {output}: {error.strerror}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return written


def restore(
    context: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file written by ossgrowth backup or export.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace what the environment holds now.")
    ] = False,
) -> None:
    """Restore an environment from a backup: the file is checked whole, then the environment
    holds exactly its subjects, points, stargazer days and collections.

    An environment that holds subjects or collections is refused unless --force, which
    deletes them first (with their points, runs and backfills; alert rules and their delivery
    history stay). A file with any bad line is refused whole.

    Example: ossgrowth --env staging restore prod-2026-12-03.jsonl --force
    """
    state = state_of(context)
    environment = state.settings().environment.value
    with StepBar("checking") as bar:
        checked = check_file(file, progress=bar.advance)
    for error in checked.errors:
        typer.echo(f"{file}: {error}", err=True)
    if checked.broken is not None:
        raise checked.broken
    if checked.bad_lines:
        raise InputError(
            f"{file} has {checked.bad_lines} bad lines (listed above); nothing restored"
        )
    store = state.store()
    held = len(store.list_subjects())
    grouped = len(store.list_collections())
    if (held or grouped) and not force:
        holding = f"{held} subjects" + (f" and {grouped} collections" if grouped else "")
        raise InputError(
            f"{environment} holds {holding}; restore replaces them: pass --force "
            "(or restore into an empty environment)"
        )
    if held or grouped:
        store.delete_all()
    with StepBar("restoring") as bar:
        result = import_file(store, file, SystemClock().now(), progress=bar.advance)
    header = checked.header
    typer.echo(
        f"restored {_records(result)} into "
        f"{environment} from {file} ({header.environment} as of "
        f"{header.exported_at:%Y-%m-%d %H:%M:%S} UTC)"
    )


def _moment(text: str, option: str, *, end_of_day: bool) -> datetime:
    """A day (its start, or its last second for ``--to``) or an ISO 8601 moment; UTC if naive."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is not None:
        moment = datetime.combine(day, time(), UTC)
        return moment + timedelta(days=1, seconds=-1) if end_of_day else moment
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{option} must be a day (2026-01-31) or a moment (2026-01-31T12:00:00Z), "
            f"not {text[:40]!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def import_(
    context: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file written by ossgrowth export.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the file and say what it holds; write nothing.")
    ] = False,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Import the good lines even when some are bad.")
    ] = False,
) -> None:
    """Import a file written by ossgrowth export into this environment.

    The whole file is checked first: bad lines are listed with their numbers and, unless
    --skip-bad, nothing is written. Then subjects are tracked (adding packages they name) and
    points upserted: a point already stored with a stronger provenance is kept, so importing
    the same file twice changes nothing. Stargazer days are written unless the environment
    follows that repository's stargazer list itself; collections are merged.

    Example: ossgrowth --env staging import vite.jsonl --dry-run
    """
    state = state_of(context)
    with StepBar("checking") as bar:
        checked = check_file(file, progress=bar.advance)
    for error in checked.errors:
        typer.echo(f"{file}: {error}", err=True)
    if checked.bad_lines > len(checked.errors):
        typer.echo(f"… and {checked.bad_lines - len(checked.errors)} more bad lines", err=True)
    if checked.broken is not None:
        raise checked.broken
    environment = state.settings().environment.value
    holds = f"{file} holds {_records(checked)} (exported from {checked.header.environment})"
    if checked.bad_lines and not skip_bad:
        raise InputError(
            f"{holds} and {checked.bad_lines} bad lines (listed above); nothing was imported: "
            "fix them, or pass --skip-bad to import the rest"
        )
    skipped = f"; {checked.bad_lines} bad lines skipped" if checked.bad_lines else ""
    if dry_run:
        typer.echo(f"{holds}{skipped}; --dry-run: nothing written to {environment}")
        return
    store = state.store()
    with StepBar("importing") as bar:
        result = import_file(
            store, file, SystemClock().now(), skip_bad=skip_bad, progress=bar.advance
        )
    subjects = f"{result.subjects} subjects ({result.new_subjects} new)"
    kept = result.stargazer_days_kept
    typer.echo(
        f"imported {_records(result, subjects)} into {environment}{skipped}"
        + (f"; {environment} kept its own counts of {kept} stargazer days" if kept else "")
    )


def reset(
    context: typer.Context,
    source: Annotated[
        Environment | None,
        typer.Option("--from", help="Fill it with a copy of this environment's data."),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Empty an environment, or replace its data with a copy of another's (the seed's "reset
    staging data"). Refused for prod.

    Every subject, point, collection, run and backfill of the environment is deleted in one
    transaction (its alert rules stay, with their delivery history); with --from, the other
    environment's subjects, points, stargazer days and collections are then copied in (its
    runs, queued backfills and alert rules are its own). The other environment is only read.

    Example: ossgrowth --env staging reset --from prod
    """
    state = state_of(context)
    environment = state.settings().environment
    if environment is Environment.PROD:
        raise InputError("prod is never reset; reset staging or dev")
    if source is environment:
        raise InputError(f"--from names {environment.value} itself")
    target = state.store()
    copied = None if source is None else state.other_store(source)
    described = f"{environment.value} holds {_holdings(target)}; reset empties it"
    if source is not None and copied is not None:
        described += f" and fills it with a copy of {source.value}'s {_holdings(copied)}"
    typer.echo(described)
    if not yes and not typer.confirm(f"reset {environment.value}?", default=False):
        raise typer.Exit(1)
    deleted = target.delete_all()
    typer.echo(
        f"emptied {environment.value}: {deleted.get('subjects', 0)} subjects, "
        f"{sum(n for table, n in deleted.items() if table in _POINT_TABLES)} points"
    )
    if copied is None or source is None:
        return
    with tempfile.TemporaryDirectory() as directory:
        copy = Path(directory) / f"{source.value}.jsonl"
        with copy.open("w", encoding="utf-8") as file, StepBar(f"reading {source.value}") as bar:
            export_points(copied, file, SystemClock(), progress=bar.advance)
        with StepBar(f"writing {environment.value}") as bar:
            result = import_file(target, copy, SystemClock().now(), progress=bar.advance)
    typer.echo(f"copied {_records(result)} of {source.value} into {environment.value}")


def _records(counts: ImportResult | CheckedFile, subjects: str | None = None) -> str:
    """``2 subjects and 36 points`` (``subjects``: their count in other words), naming the
    stargazer days and the collections when there are any."""
    parts = [subjects or f"{counts.subjects} subjects", f"{counts.points} points"]
    if counts.stargazer_days:
        parts.append(f"{counts.stargazer_days} stargazer days")
    if counts.collections:
        parts.append(f"{counts.collections} collections")
    return ", ".join(parts[:-1]) + f" and {parts[-1]}"


_POINT_TABLES = frozenset(definition.table for definition in FAMILIES.values())


def _holdings(store: ManagedStore) -> str:
    subjects = store.list_subjects()
    points = sum(sum(store.count_points(subject.repo).values()) for subject in subjects)
    return f"{len(subjects)} subjects and {points} points"


def migrate_command(
    context: typer.Context,
    source_url: Annotated[str, typer.Option("--from", help="Store URL to move the data from.")],
    target_url: Annotated[str, typer.Option("--to", help="Store URL to move the data to.")],
) -> None:
    """Move an environment's subjects and points to another store (SQLite, PostgreSQL, DynamoDB),
    then verify every series on both sides (points and a checksum), printing each.

    Stargazer days (the account ages of unusual growth) and collections move too; each
    repository's days are compared day by day. The source is only read. Run it again after a
    stop or a kill: series the target holds already are kept, the rest written. Exits 1 when
    a series or a repository's days differ. Runs and backfill checkpoints stay with the
    source.

    Example: ossgrowth --env prod migrate --from sqlite:///prod.db --to postgresql+psycopg://db/ossgrowth
    """
    state = state_of(context)
    settings = state.settings()
    environment = settings.environment.value
    schema = settings.resolved_store_schema
    if source_url == target_url:
        raise InputError("--from and --to name the same store")
    source = store_at(source_url, environment=environment, schema=schema)
    if not source.is_current():
        raise ConfigError(
            f"the store at --from is at schema revision {source.schema_revision()}; migrate "
            "it with this version's db upgrade first (it is only read here)"
        )
    target = store_at(target_url, environment=environment, schema=schema)
    try:
        _migrate_and_verify(source, target, environment)
    finally:
        source.close()
        target.close()


def _migrate_and_verify(source: ManagedStore, target: ManagedStore, environment: str) -> None:
    target.upgrade()
    with StepBar("moving") as bar:
        result = migrate(source, target, SystemClock().now(), progress=bar.advance)
    typer.echo(
        f"moved {result.subjects} subjects of {environment}: {result.series_written} series "
        f"written ({result.points_written} points), {result.series_kept} already there"
        + (f"; {result.stargazer_days} stargazer days" if result.stargazer_days else "")
        + (f"; {result.collections} collections" if result.collections else "")
    )
    with StepBar("verifying") as bar:
        checks = verify(source, target)
        day_checks = verify_stargazer_days(source, target)
        bar.advance(1, 1)
    rows = [
        (
            check.repo,
            check.family.value,
            str(check.package or ""),
            check.source_points,
            check.target_points,
            check.source_checksum[:16],
            "yes" if check.equal else "NO",
        )
        for check in checks
    ]
    shown = [tuple(str(value) for value in row) for row in rows]
    print_rows(_CHECK_COLUMNS, rows, shown, title="Verification", as_json=False)
    different = [check for check in checks if not check.equal]
    days_different = [check for check in day_checks if not check.equal]
    for check in days_different:
        typer.echo(
            f"the stargazer days of {check.repo} differ: {check.source_days} days in --from, "
            f"{check.target_days} in --to",
            err=True,
        )
    if different or days_different:
        failed = [f"{len(different)} of {len(checks)} series"]
        if days_different:
            failed.append(f"the stargazer days of {len(days_different)} repositories")
        typer.echo(f"verification failed: {' and '.join(failed)} differ", err=True)
        raise typer.Exit(1)
    if day_checks:
        days = sum(check.source_days for check in day_checks)
        typer.echo(
            f"stargazer days: {days} days of {len(day_checks)} repositories, equal day by day"
        )
    points = sum(check.source_points for check in checks)
    typer.echo(
        f"verified: {len(checks)} series, {points} points, every one equal in count and checksum"
    )


_CHECK_COLUMNS = (
    Column("repository", "repository"),
    Column("family", "family"),
    Column("package", "package"),
    Column("points (from)", "source_points"),
    Column("points (to)", "target_points"),
    Column("checksum (sha256)", "checksum"),
    Column("equal", "equal"),
)
