"""``collect`` and ``backfill``: current values on schedule or once, and history."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import anyio
import typer

from ossgrowth.cli.progress import BackfillBars
from ossgrowth.cli.state import FAILURE_EXIT_CODE, PARTIAL_EXIT_CODE, CliState, state_of
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
from ossgrowth.collect.slots import SCHEDULES, describe, next_slot
from ossgrowth.errors import InputError
from ossgrowth.metrics.registry import parse_family
from ossgrowth.names import parse_repo
from ossgrowth.stopping import Stopped, until_stopped

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command()(collect)
    app.command()(backfill)


def collect(
    context: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Collect one time, then exit.")] = False,
) -> None:
    """Collect the current values of every family for every tracked repository.

    Without --once, collect every family on its schedule until interrupted (`ossgrowth
    schedules` lists them, in OSSGROWTH_TIMEZONE), run queued backfills and send due alert
    deliveries: a worker beside servers, or instead of `serve`'s own scheduler. With --once,
    alerts are left to `ossgrowth alerts deliver`.
    Uses GitHub GraphQL when tokens are configured (OSSGROWTH_GITHUB_TOKENS), else REST.
    Each run is recorded; repositories that fail are named and the rest is stored.

    Exit status of --once: 0 when everything was collected; 3 when some repositories or
    packages failed (the rest is stored); 1 when the run failed, or collected nothing because
    every repository and package failed; 2 for bad settings.

    Example: ossgrowth collect --once
    """
    if not once:
        _collect_on_schedule(state_of(context))
        return
    state = state_of(context)
    store = state.store()
    clock = SystemClock()
    upstreams = build_upstreams(state.settings(), clock)

    async def run() -> CollectionResult:
        async with upstreams:
            return await collect_once(
                store, upstreams, clock, lease_seconds=state.settings().lease_seconds
            )

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
        settings,
        store,
        clock,
        backfills=settings.backfill_poll_seconds > 0,
        schedule=True,
        deliveries=settings.delivery_poll_seconds > 0,
    )
    each = ", ".join(
        f"{' and '.join(sorted(family.value for family in schedule.families))} {describe(schedule)}"
        for schedule in SCHEDULES
    )
    typer.echo(
        f"collecting {settings.environment.value} on schedule ({settings.timezone}): {each}; "
        "queued backfills run and alerts are sent too. Ctrl-C or SIGTERM stops (a second one "
        "at once)."
    )
    now = clock.now()
    for schedule in SCHEDULES:
        coming = next_slot(schedule, now, settings.zone).astimezone(settings.zone)
        typer.echo(f"  next {schedule.name}: {coming:%a %Y-%m-%d %H:%M %Z}")

    try:
        anyio.run(until_stopped, work.run)
    except Stopped as stopped:
        typer.echo(f"{stopped}: leases given back; queued backfills resume on the next start")


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
    state = state_of(context)
    store = state.store()
    clock = SystemClock()
    repos = None if repo is None else [parse_repo(repo)]
    enqueue_backfill(store, clock, repos, families, since=first_day)
    sources = build_history_sources(state.settings(), clock, star_method=stars_from)

    async def run() -> BackfillResult:
        async with sources:
            with BackfillBars(sources.github.budget_left) as bars:
                return await run_backfill(
                    store,
                    sources,
                    clock,
                    repos=repos,
                    concurrency=concurrency,
                    progress=bars,
                    lease_seconds=state.settings().lease_seconds,
                )

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
