"""The ``ossgrowth`` command: a thin shell over settings, the store and the collectors.

Every command builds what it needs from settings and calls one function of the core. Errors a
user can act on print one ``Error: …`` line: bad input, settings or store URL exit with 2,
other failures with 1. No traceback reaches the terminal.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated

import anyio
import typer

from ossgrowth import __version__
from ossgrowth.checkpoints import BackfillStatus
from ossgrowth.cli import data, inspect
from ossgrowth.cli.aws import aws_app
from ossgrowth.cli.output import Column, as_json_value, local_time, print_rows
from ossgrowth.cli.progress import BackfillBars, RollupBar
from ossgrowth.clock import SystemClock
from ossgrowth.collect import (
    DEFAULT_BACKFILL_CONCURRENCY,
    BackfillResult,
    CollectionResult,
    StarMethod,
    build_history_sources,
    build_upstreams,
    collect_once,
    enqueue_backfill,
    run_backfill,
)
from ossgrowth.collect.background import background_work
from ossgrowth.collect.schedule import SCHEDULES, next_slot
from ossgrowth.config import Environment, Settings, load_settings
from ossgrowth.errors import ConfigError, InputError, OssgrowthError, StoreUnreachable
from ossgrowth.logs import LogFormat, configure_logging
from ossgrowth.metrics.coverage import WINDOWED_TOTAL_SOURCES, total_counted_from
from ossgrowth.metrics.registry import FAMILIES, parse_family
from ossgrowth.model import Ecosystem, RepoName, Subject
from ossgrowth.names import parse_package, parse_repo
from ossgrowth.stopping import Stopped, until_stopped
from ossgrowth.store import ManagedStore, open_store

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
db_app = typer.Typer(help="Manage the store's schema.", no_args_is_help=True)
config_app = typer.Typer(help="Inspect the effective configuration.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(aws_app, name="aws")

USAGE_EXIT_CODE = 2
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
            _upgrade_with_progress(store)
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
                _upgrade_with_progress(store)
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


def _upgrade_with_progress(store: ManagedStore) -> str:
    """Migrate ``store``; a bar on stderr while rollups of existing points are built."""
    with RollupBar() as bar:
        return store.upgrade(progress=bar.advance)


def _state(context: typer.Context) -> CliState:
    state = context.obj
    if not isinstance(state, CliState):
        raise RuntimeError("the CLI state was not initialised")
    return state


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


@app.command()
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
    state = _state(context)
    store = state.store()
    clock = SystemClock()
    subject = store.add_subject(name, packages, added_at=clock.now())
    shown = ", ".join(str(package) for package in subject.packages) or "no packages"
    typer.echo(f"tracking {subject.repo} ({shown}) in {state.settings().environment.value}")
    queued = enqueue_backfill(store, clock, [subject.repo])
    families = ", ".join(
        family.value for family in FAMILIES if family in {j.family for j in queued}
    )
    typer.echo(
        f"queued the backfill of its history ({families}); a running `ossgrowth serve` starts "
        "it within a minute, or run: ossgrowth backfill --all"
    )


@app.command()
def untrack(
    context: typer.Context,
    repo: Annotated[str, typer.Argument(help="owner/name of a tracked repository")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Stop tracking a repository and delete its points.

    Example: ossgrowth untrack vitejs/vite --yes
    """
    name = parse_repo(repo)
    store = _state(context).store()
    if store.get_subject(name) is None:
        raise InputError(f"{name} is not tracked")
    counts = store.count_points(name)
    total = sum(counts.values())
    if not yes and not typer.confirm(f"delete {name} and its {total} points?", default=False):
        raise typer.Exit(FAILURE_EXIT_CODE)
    store.remove_subject(name)
    typer.echo(f"untracked {name}; deleted {total} points")


JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON (typed values, times in UTC) for scripts.")
]


@app.command("list")
def list_subjects(context: typer.Context, as_json: JsonOption = False) -> None:
    """List tracked repositories with their packages and newest star count.

    A table on a terminal; tab-separated whole values in a pipe or a file; JSON with --json.

    Example: ossgrowth list --json
    """
    state = _state(context)
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


@app.command()
def show(
    context: typer.Context,
    repo: Annotated[str, typer.Argument(help="owner/name of a tracked repository")],
    as_json: JsonOption = False,
) -> None:
    """Show a repository's newest values and how many points each family holds.

    Example: ossgrowth show vitejs/vite
    """
    name = parse_repo(repo)
    state = _state(context)
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
            "history": _history_states(store, name),
        }
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    _describe_subject(subject)
    columns = [Column(heading, key) for heading, key in _SHOW_COLUMNS]
    print_rows(columns, shown, shown, title=str(subject.repo), as_json=False)
    typer.echo(f"history: {_history_line(store, name)}")


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


def _history_states(store: ManagedStore, repo: RepoName) -> dict[str, dict[str, object]]:
    """Each family's backfill: its status, method and message (JSON of ``show``)."""
    return {
        job.family.value: {"status": job.status.value, "method": job.method, "message": job.message}
        for job in store.backfill_jobs(repo=repo)
    }


def _history_line(store: ManagedStore, repo: RepoName) -> str:
    """Each family's backfill in a few words: done (method), queued (pages stored), failed."""
    jobs = {job.family: job for job in store.backfill_jobs(repo=repo)}
    if not jobs:
        return f"not queued; run: ossgrowth backfill {repo}"
    stored = store.count_backfill_pages(repo)
    parts = []
    for family in FAMILIES:
        job = jobs.get(family)
        if job is None:
            continue
        if job.status is BackfillStatus.DONE:
            parts.append(f"{family.value} done ({job.method or 'nothing to do'})")
        elif job.status is BackfillStatus.FAILED:
            parts.append(f"{family.value} failed: {job.message or 'see ossgrowth backfill'}")
        else:
            parts.append(f"{family.value} queued ({stored.get(family, 0)} pages stored)")
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


@app.command()
def collect(
    context: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Collect one time, then exit.")] = False,
) -> None:
    """Collect the current values of every family for every tracked repository.

    Without --once, collect on the seed's schedules until interrupted (stars every 3 hours,
    PRs and issues daily at 23:50, downloads on Sundays at 23:50, in OSSGROWTH_TIMEZONE) and
    run queued backfills: a worker beside servers, or instead of `serve`'s own scheduler.
    Uses GitHub GraphQL when tokens are configured (OSSGROWTH_GITHUB_TOKENS), else REST.
    Each run is recorded; repositories that fail are named and the rest is stored.

    Exit status of --once: 0 when everything was collected; 3 when some repositories or
    packages failed (the rest is stored); 1 when the run failed, or collected nothing because
    every repository and package failed; 2 for bad settings.

    Example: ossgrowth collect --once
    """
    if not once:
        _collect_on_schedule(_state(context))
        return
    state = _state(context)
    store = state.store()
    clock = SystemClock()
    upstreams = build_upstreams(state.settings(), clock)

    async def run() -> CollectionResult:
        try:
            return await collect_once(
                store, upstreams, clock, lease_seconds=state.settings().backfill_lease_seconds
            )
        finally:
            await upstreams.aclose()

    try:
        result = anyio.run(until_stopped, run)
    except Stopped as stopped:
        typer.echo(f"{stopped}: the run is recorded as stopped; nothing of it was stored")
        return
    counts = result.run.counts
    typer.echo(
        f"run {result.run.id} {result.run.status.value}: {counts['subjects_ok']} of "
        f"{counts['subjects']} repositories and {counts['packages_ok']} packages collected, "
        f"{counts['points']} points, {result.run.requests_spent} requests"
    )
    for old, new in result.renamed:
        typer.echo(f"renamed: {old} is now {new}; its history follows it")
    for failure in result.failures:
        typer.echo(f"failed: {failure.subject}: {failure.kind}: {failure.message}", err=True)
    if result.failures:
        collected = counts["subjects_ok"] + counts["packages_ok"]
        raise typer.Exit(FAILURE_EXIT_CODE if collected == 0 else PARTIAL_EXIT_CODE)


def _collect_on_schedule(state: CliState) -> None:
    """The schedules and the backfill worker, in the foreground, until Ctrl-C."""
    settings, store, clock = state.settings(), state.store(), SystemClock()
    work = background_work(
        settings, store, clock, backfills=settings.backfill_poll_seconds > 0, schedule=True
    )
    typer.echo(
        f"collecting {settings.environment.value} on schedule ({settings.timezone}): stars "
        "every 3 hours, PRs and issues daily at 23:50, downloads on Sundays at 23:50; queued "
        "backfills run too. Ctrl-C or SIGTERM stops (a second one at once)."
    )
    now = clock.now()
    for schedule in SCHEDULES:
        coming = next_slot(schedule, now, settings.zone).astimezone(settings.zone)
        typer.echo(f"  next {schedule.name}: {coming:%a %Y-%m-%d %H:%M %Z}")

    try:
        anyio.run(until_stopped, work.run)
    except Stopped as stopped:
        typer.echo(f"{stopped}: leases given back; queued backfills resume on the next start")


@app.command()
def backfill(
    context: typer.Context,
    repo: Annotated[
        str | None, typer.Argument(help="owner/name of a tracked repository", show_default=False)
    ] = None,
    all_repos: Annotated[
        bool, typer.Option("--all", help="Every tracked repository (families not yet done).")
    ] = False,
    family: Annotated[
        list[str] | None,
        typer.Option(help="stars, issues, prs or downloads; repeatable. [default: all]"),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Keep history from this day on (YYYY-MM-DD).")
    ] = None,
    stars_from: Annotated[
        StarMethod,
        typer.Option(help="auto: the stargazer list where the token may read it, else history."),
    ] = StarMethod.AUTO,
    concurrency: Annotated[
        int, typer.Option(help="Requests in flight at once.", min=1, max=100)
    ] = DEFAULT_BACKFILL_CONCURRENCY,
) -> None:
    """Reconstruct the daily history of stars, issues, PRs and downloads.

    Resumable: pages are checkpointed as they land, so an interrupted run continues where it
    stopped. Points are stored as reconstructed; measured snapshots win where both exist.
    See docs/history.md.

    Example: ossgrowth backfill vitejs/vite --family stars --since 2024-01-01
    """
    if (repo is None) == (not all_repos):
        raise InputError("name one repository (owner/name) or pass --all")
    families = [parse_family(text) for text in family or []] or None
    first_day = _parse_day(since) if since else None
    state = _state(context)
    store = state.store()
    clock = SystemClock()
    repos = None if repo is None else [parse_repo(repo)]
    enqueue_backfill(store, clock, repos, families, since=first_day)
    sources = build_history_sources(state.settings(), clock, star_method=stars_from)

    async def run() -> BackfillResult:
        try:
            with BackfillBars(sources.github.budget_left) as bars:
                return await run_backfill(
                    store,
                    sources,
                    clock,
                    repos=repos,
                    concurrency=concurrency,
                    progress=bars,
                    lease_seconds=state.settings().backfill_lease_seconds,
                )
        finally:
            await sources.aclose()

    try:
        result = anyio.run(until_stopped, run)
    except Stopped as stopped:
        typer.echo(
            f"{stopped}: every page fetched so far is kept; run the same command to resume",
            err=True,
        )
        return
    failed = 0
    for outcome in result.outcomes:
        line = f"{outcome.repo} {outcome.family.value}: {outcome.status.value}"
        trouble = outcome.status.value != "done" and not outcome.elsewhere
        if outcome.status.value == "done" and not outcome.elsewhere:
            typer.echo(f"{line}, {outcome.points} points ({outcome.method or 'nothing to do'})")
        failed += trouble
        for message in outcome.messages:
            typer.echo(f"{line}: {message}", err=trouble)
    typer.echo(
        f"run {result.run.id} {result.run.status.value}: {result.run.counts['jobs']} jobs, "
        f"{result.run.counts['points']} points, {result.run.requests_spent} requests"
    )
    if failed:
        raise typer.Exit(FAILURE_EXIT_CODE)


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--since must be a day as YYYY-MM-DD, not {text[:40]!r}") from None


@app.command()
def simulator(
    port: Annotated[
        int, typer.Option(help="Port to listen on (127.0.0.1).", min=1, max=65535)
    ] = 9010,
    seed: Annotated[int, typer.Option(help="Seed of the world and its faults.")] = 0,
    repos: Annotated[int, typer.Option(help="Repositories in the world.", min=1, max=100_000)] = 20,
    latency_ms: Annotated[float, typer.Option(help="Added latency of every answer.", min=0)] = 0,
    fault_rate: Annotated[
        float, typer.Option(help="Share of requests that meet a fault (0 to 1).", min=0, max=1)
    ] = 0,
) -> None:
    """Serve a simulated world of GitHub, npm downloads and PyPI stats, offline.

    GitHub's REST API is at the root, GraphQL at /graphql, npm at /npm, PyPI stats at
    /pypistats; tokens sim-token-1..3. See docs/simulator.md.

    Example: ossgrowth simulator --port 9010 --repos 50 --fault-rate 0.05
    """
    from ossgrowth.simulator import FaultConfig, WorldConfig, serve

    faults = FaultConfig(rate=fault_rate, seed=seed) if fault_rate else None
    typer.echo(f"simulated world on http://127.0.0.1:{port} (seed {seed}, {repos} repositories)")
    serve("127.0.0.1", port, WorldConfig(seed=seed, repo_count=repos), faults, latency_ms)


@app.command()
def demo(
    context: typer.Context,
    port: Annotated[
        int, typer.Option(help="Port of the API (127.0.0.1).", min=1, max=65535)
    ] = 8000,
    simulator_port: Annotated[
        int, typer.Option(help="Port of the simulated upstream APIs.", min=1, max=65535)
    ] = 9010,
    repos: Annotated[int, typer.Option(help="Repositories in the world.", min=1, max=1000)] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the world.")] = 0,
    seed_only: Annotated[
        bool,
        typer.Option(
            "--seed-only",
            help="Fill the --env environment (dev or staging) with the world's repositories "
            "and their history, then exit.",
        ),
    ] = False,
) -> None:
    """Run the whole product offline on a simulated world, until interrupted.

    Serves the dashboard and the API (with its backfill worker) over a demo store of its own
    (demo.db in the data directory, new at each start; your dev data is not touched) and the
    simulated GitHub, npm and PyPI stats APIs. Every repository of the world is tracked and its
    history backfilled in the background. See docs/simulator.md.

    With --seed-only, nothing is served: the world's repositories are tracked in the store of
    the environment (dev or staging, never prod), their whole history backfilled and their
    current values collected, from the simulated world in this process; realistic data for
    trying the CLI, exports and benchmarks.

    Example: ossgrowth demo --port 8000 --repos 50
    """
    from ossgrowth.demo import DEMO_TOKEN, DemoPlan, run_demo, seed_demo

    if seed_only:
        state = _state(context)
        settings = state.settings()
        if settings.environment is Environment.PROD:
            raise InputError("simulated data never goes into prod; seed dev or staging")
        store = state.store()
        with BackfillBars(lambda: None) as bars:
            seeded = seed_demo(settings, store, repos=repos, seed=seed, progress=bars)
        typer.echo(
            f"seeded {settings.environment.value} with {seeded.repos} simulated repositories: "
            f"{seeded.backfill.run.counts['points']} points of history and "
            f"{seeded.collection.run.counts['points']} current values"
        )
        return

    plan = DemoPlan(port=port, simulator_port=simulator_port, repos=repos, seed=seed)
    base = _state(context).settings()

    def ready() -> None:
        typer.echo(
            f"demo: {repos} simulated repositories tracked, history backfilling in the "
            f"background\n  dashboard:        http://127.0.0.1:{port}/\n"
            f"  API and docs:     http://127.0.0.1:{port}/docs\n"
            f"  repositories:     http://127.0.0.1:{port}/api/v1/repos\n"
            f"  simulated GitHub: {plan.simulator_url} (token {DEMO_TOKEN})\n"
            f"  demo store:       {plan.store_file}"
        )

    run_demo(base, plan, on_ready=ready)


@app.command()
def serve(
    context: typer.Context,
    host: Annotated[
        str, typer.Option(envvar="OSSGROWTH_HOST", help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(envvar="OSSGROWTH_PORT", help="Port to listen on.", min=1, max=65535)
    ] = 8000,
) -> None:
    """Serve the dashboard (/), the HTTP API, its docs (/docs) and operations endpoints.

    Queued backfills run beside it: at start, every OSSGROWTH_BACKFILL_POLL_SECONDS (0: never)
    and at once when a repository is tracked through the API. Changes through the API need
    OSSGROWTH_ADMIN_TOKEN, except on a dev server bound to 127.0.0.1, ::1 or localhost without
    one: it takes them from this machine. Staging refuses to start without
    OSSGROWTH_STAGING_PASSWORD. See docs/api.md.

    Example: ossgrowth serve --host 0.0.0.0 --port 8000
    """
    from ossgrowth.api import serve as serve_api
    from ossgrowth.api.auth import local_writes_for

    settings = _state(context).settings()
    announce = (
        f"serving {settings.environment.value} on http://{host}:{port}: the dashboard at /, "
        "API docs at /docs"
    )
    if local_writes_for(settings, host):
        announce += "; changes from this machine need no token"
    serve_api(settings, host, port, on_start=lambda: typer.echo(announce))


@db_app.command("upgrade")
def db_upgrade(context: typer.Context) -> None:
    """Create or migrate the store's schema to the newest revision (Alembic).

    Example: ossgrowth --env prod db upgrade
    """
    state = _state(context)
    store = open_store(state.settings())
    revision = _upgrade_with_progress(store)
    typer.echo(f"store of {state.settings().environment.value} is at schema revision {revision}")


@config_app.command("show")
def config_show(context: typer.Context, as_json: JsonOption = False) -> None:
    """Print the effective configuration, secrets masked.

    Example: OSSGROWTH_ENVIRONMENT=staging ossgrowth config show
    """
    shown = _state(context).settings().public_view()
    if as_json:
        typer.echo(json.dumps(shown, indent=2))
        return
    for key, value in shown.items():
        typer.echo(f"{key} = {value}")


data.register(app)
inspect.register(app)


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
