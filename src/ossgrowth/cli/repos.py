"""``track``, ``untrack``, ``list`` and ``show``: the tracked repositories."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ossgrowth.checkpoints import BackfillStatus
from ossgrowth.cli.output import Column, JsonOption, as_json_value, local_time, print_rows
from ossgrowth.cli.state import FAILURE_EXIT_CODE, state_of
from ossgrowth.clock import SystemClock
from ossgrowth.errors import InputError
from ossgrowth.metrics.registry import FAMILIES
from ossgrowth.metrics.windowed_totals import WINDOWED_TOTAL_SOURCES, total_counted_from
from ossgrowth.model import Ecosystem, Subject
from ossgrowth.names import parse_package, parse_repo
from ossgrowth.tracking import BackfillProgress, backfill_progress, track_repository

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command()(track)
    app.command()(untrack)
    app.command("list")(list_subjects)
    app.command()(show)


def track(
    context: typer.Context,
    repo: Annotated[str, typer.Argument(help="owner/name or https://github.com/owner/name")],
    npm: Annotated[
        list[str] | None,
        typer.Option("--npm", help="npm package published by the repo; repeatable."),
    ] = None,
    pypi: Annotated[
        list[str] | None,
        typer.Option("--pypi", help="PyPI project published by the repo; repeatable."),
    ] = None,
) -> None:
    """Start tracking a repository and its packages. Needs no network.

    Example: ossgrowth track vitejs/vite --npm vite
    """
    name = parse_repo(repo)
    packages = [parse_package(text, Ecosystem.NPM) for text in npm or []]
    packages += [parse_package(text, Ecosystem.PYPI) for text in pypi or []]
    state = state_of(context)
    tracked = track_repository(state.store(), SystemClock(), name, packages)
    subject = tracked.subject
    shown = ", ".join(str(package) for package in subject.packages) or "no packages"
    typer.echo(f"tracking {subject.repo} ({shown}) in {state.settings().environment.value}")
    families = ", ".join(family.value for family in tracked.families)
    typer.echo(
        f"queued the backfill of its history ({families}); a running `ossgrowth serve` starts "
        "it within a minute, or run: ossgrowth backfill --all"
    )


def untrack(
    context: typer.Context,
    repo: Annotated[str, typer.Argument(help="owner/name of a tracked repository")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Stop tracking a repository and delete its points.

    Example: ossgrowth untrack vitejs/vite --yes
    """
    name = parse_repo(repo)
    store = state_of(context).store()
    if store.get_subject(name) is None:
        raise InputError(f"{name} is not tracked")
    counts = store.count_points(name)
    total = sum(counts.values())
    if not yes and not typer.confirm(f"delete {name} and its {total} points?", default=False):
        raise typer.Exit(FAILURE_EXIT_CODE)
    store.remove_subject(name)
    typer.echo(f"untracked {name}; deleted {total} points")


def list_subjects(context: typer.Context, as_json: JsonOption = False) -> None:
    """List tracked repositories with their packages and newest star count.

    A table on a terminal; tab-separated whole values in a pipe or a file; JSON with --json.

    Example: ossgrowth list --json
    """
    state = state_of(context)
    store = state.store(reading=True)
    subjects = store.list_subjects()
    latest = {point.repo.key: point for point in store.latest_points(next(iter(FAMILIES)))}
    zone = state.settings().zone
    if not subjects and not as_json:
        typer.echo("no repositories tracked yet; start with: ossgrowth track owner/name")
        return
    rows, shown = [], []
    for subject in subjects:
        point = latest.get(subject.repo.key)
        packages = [str(package) for package in subject.packages]
        stars = None if point is None else point.values["star_count"]
        as_of = None if point is None else point.observed_at
        rows.append((subject.repo.full_name, packages, stars, as_of, subject.added_at))
        shown.append(
            (
                subject.repo.full_name,
                ", ".join(packages) or "—",
                "—" if stars is None else str(stars),
                local_time(as_of, zone),
                local_time(subject.added_at, zone),
            )
        )
    print_rows(
        _LIST_COLUMNS,
        rows,
        shown,
        title=f"Tracked repositories ({state.settings().environment.value})",
        as_json=as_json,
    )


_LIST_COLUMNS = (
    Column("repository", "repository"),
    Column("packages", "packages"),
    Column("stars", "stars"),
    Column("as of", "as_of"),
    Column("added", "added"),
)


def show(
    context: typer.Context,
    repo: Annotated[str, typer.Argument(help="owner/name of a tracked repository")],
    as_json: JsonOption = False,
) -> None:
    """Show a repository's newest values and how many points each family holds.

    Example: ossgrowth show vitejs/vite
    """
    name = parse_repo(repo)
    state = state_of(context)
    store = state.store(reading=True)
    subject = store.get_subject(name)
    if subject is None:
        raise InputError(f"{name} is not tracked; track it with: ossgrowth track {name}")
    zone = state.settings().zone
    counts = store.count_points(name)
    rows: list[tuple[object, ...]] = []
    shown: list[tuple[str, ...]] = []
    for family, row in FAMILIES.items():
        newest = [point for point in store.latest_points(family) if point.repo.key == name.key]
        if not newest:
            rows.append((family.value, None, None, None, None, None, None, counts[family]))
            shown.append((row.title, "—", "no data yet", "—", "—", str(counts[family])))
        for point in newest:
            values = ", ".join(f"{key}={_value(value)}" for key, value in point.values.items())
            since = None
            if point.source in WINDOWED_TOTAL_SOURCES:  # never shown as all-time
                since = total_counted_from(
                    store.read_series(name, family, package=point.package).rows
                )
                values += f" (total since {since}: {WINDOWED_TOTAL_SOURCES[point.source]})"
            package = str(point.package) if point.package else None
            rows.append(
                (
                    family.value,
                    package,
                    dict(point.values),
                    point.observed_at,
                    point.provenance.label,
                    point.source,
                    None if since is None else since.isoformat(),
                    counts[family],
                )
            )
            shown.append(
                (
                    row.title,
                    package or "repository",
                    values,
                    local_time(point.observed_at, zone),
                    point.provenance.label,
                    str(counts[family]),
                )
            )
    history = backfill_progress(store, name, now=SystemClock().now())
    if as_json:
        document = {
            "repository": subject.repo.full_name,
            "github_node_id": subject.github_node_id,
            "packages": [str(package) for package in subject.packages],
            "added": as_json_value(subject.added_at),
            "newest": [
                {
                    column: as_json_value(value)
                    for column, value in zip(_SHOW_KEYS, row, strict=True)
                }
                for row in rows
            ],
            "history": {
                each.family.value: {
                    "status": each.job.status.value,
                    "method": each.job.method,
                    "message": each.job.message,
                }
                for each in history.families
            },
        }
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    _describe_subject(subject)
    columns = [Column(heading, key) for heading, key in _SHOW_COLUMNS]
    print_rows(columns, shown, shown, title=str(subject.repo), as_json=False)
    typer.echo(f"history: {_history_line(history)}")


_SHOW_COLUMNS = (
    ("family", "family"),
    ("series", "series"),
    ("newest values", "values"),
    ("observed", "observed"),
    ("provenance", "provenance"),
    ("points", "points"),
)
_SHOW_KEYS = (
    "family",
    "package",
    "values",
    "observed_at",
    "provenance",
    "source",
    "total_counted_from",
    "points",
)


def _history_line(history: BackfillProgress) -> str:
    """Each family's backfill in a few words: done (method), queued (pages stored), failed."""
    if not history.families:
        return f"not queued; run: ossgrowth backfill {history.repo}"
    parts = []
    for each in history.families:
        family, job = each.family.value, each.job
        if job.status is BackfillStatus.DONE:
            parts.append(f"{family} done ({job.method or 'nothing to do'})")
        elif job.status is BackfillStatus.FAILED:
            parts.append(f"{family} failed: {job.message or 'see ossgrowth backfill'}")
        else:
            parts.append(f"{family} queued ({each.pages_stored} pages stored)")
    return " · ".join(parts)


def _describe_subject(subject: Subject) -> None:
    packages = ", ".join(str(package) for package in subject.packages) or "none"
    typer.echo(f"{subject.repo}  node id: {subject.github_node_id or 'not collected yet'}")
    typer.echo(f"packages: {packages}")


def _value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
