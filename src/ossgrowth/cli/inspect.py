"""Commands that look into a running system: ``runs``, ``rows``, ``schedules``, ``tokens``
and ``doctor``.

What the system we grow from needed the AWS CLI for (scanning the runs table, reading raw
items), as commands that only read: they never migrate staging or prod, and each prints a
table on a terminal, whole tab-separated values in a pipe, and JSON with ``--json``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer

from ossgrowth.cli.output import Column, JsonOption, local_time, print_rows
from ossgrowth.cli.state import state_of
from ossgrowth.collect.slots import SCHEDULES, describe, latest_slot, next_slot
from ossgrowth.collect.staleness import is_overdue
from ossgrowth.doctor import diagnose, token_states
from ossgrowth.errors import InputError
from ossgrowth.metrics.registry import FAMILIES, parse_family
from ossgrowth.model import Provenance, RunStatus, SlotClaim, from_epoch_seconds
from ossgrowth.names import parse_package, parse_repo

__all__ = ["register"]

_LABELS = {int(member): member.label for member in Provenance}


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command()(runs)
    app.command()(rows)
    app.command()(schedules)
    app.command()(tokens)
    app.command()(doctor)


def runs(
    context: typer.Context,
    job: Annotated[
        str | None,
        typer.Option(help="Only this job and its parts (collect:stars, backfill:stars …)."),
    ] = None,
    status: Annotated[
        RunStatus | None, typer.Option(help="Only runs that ended so (or are running).")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only runs started on this day (YYYY-MM-DD, UTC) or later.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.", min=1)] = 50,
    as_json: JsonOption = False,
) -> None:
    """List recorded runs of collections and backfills, newest first.

    Example: ossgrowth --env prod runs --job collect:stars --status failed --since 2026-12-01
    """
    state = state_of(context)
    started = None if since is None else _day_start(since)
    found = state.store(reading=True).list_runs(limit, job=job, status=status, since=started)
    zone = state.settings().zone
    raw, shown = [], []
    for run in found:
        seconds = None
        if run.finished_at is not None:
            seconds = round((run.finished_at - run.started_at).total_seconds())
        counts = dict(run.counts)
        raw.append(
            (
                run.id,
                run.job,
                run.status.value,
                run.started_at,
                seconds,
                counts,
                run.requests_spent,
                run.error,
            )
        )
        shown.append(
            (
                str(run.id),
                run.job,
                run.status.value,
                local_time(run.started_at, zone),
                "—" if seconds is None else f"{seconds} s",
                _counts(counts),
                str(run.requests_spent),
                run.error or "",
            )
        )
    if not found and not as_json:
        typer.echo("no runs recorded" + (" that match" if job or status or since else ""))
        return
    print_rows(_RUN_COLUMNS, raw, shown, title="Runs, newest first", as_json=as_json)


_RUN_COLUMNS = (
    Column("id", "id"),
    Column("job", "job"),
    Column("status", "status"),
    Column("started", "started_at"),
    Column("took", "seconds"),
    Column("counts", "counts"),
    Column("requests", "requests_spent"),
    Column("error", "error"),
)


def _counts(counts: dict[str, Any]) -> str:
    return " ".join(f"{key}={value}" for key, value in counts.items()) or "—"


def _day_start(text: str) -> datetime:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--since must be a day as YYYY-MM-DD, not {text[:40]!r}") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def rows(
    context: typer.Context,
    repo: Annotated[str, typer.Argument(help="owner/name of a tracked repository")],
    family: Annotated[str, typer.Argument(help="stars, prs, issues or downloads")],
    package: Annotated[
        str | None, typer.Option(help="The package of a downloads series (npm:NAME, pypi:NAME).")
    ] = None,
    limit: Annotated[int, typer.Option(help="The newest this many points.", min=1)] = 20,
    as_json: JsonOption = False,
) -> None:
    """Print a series' newest stored points as they are kept: every field, provenance, source.

    Example: ossgrowth rows vitejs/vite downloads --package npm:vite --limit 5
    """
    name, chosen = parse_repo(repo), parse_family(family)
    state = state_of(context)
    store = state.store(reading=True)
    subject = store.get_subject(name)
    if subject is None:
        raise InputError(f"{name} is not tracked; track it with: ossgrowth track {name}")
    wanted = None
    if FAMILIES[chosen].per_package:
        if not subject.packages:
            raise InputError(
                f"{name} has no packages; add one with: ossgrowth track {name} --npm NAME"
            )
        if package is None and len(subject.packages) != 1:
            listed = ", ".join(str(each) for each in subject.packages) or "none"
            raise InputError(f"name one of {name}'s packages with --package ({listed})")
        wanted = parse_package(package) if package else subject.packages[0]
        if wanted not in subject.packages:
            raise InputError(f"{wanted} is not a package of {name}")
    elif package is not None:
        raise InputError(f"{chosen.value} belongs to the repository; drop --package")
    stored = store.read_series(subject.repo, chosen, package=wanted).rows[-limit:]
    names = FAMILIES[chosen].field_names
    zone = state.settings().zone
    columns = [
        Column("observed (UTC)", "observed_at"),
        Column("local time", "local_time"),
        *(Column(field, field) for field in names),
        Column("provenance", "provenance"),
        Column("source", "source"),
    ]
    raw, shown = [], []
    for row in stored:
        moment = from_epoch_seconds(row[0])
        provenance = _LABELS[row[1 + len(names)]]
        values = row[1 : 1 + len(names)]
        raw.append((moment, local_time(moment, zone), *values, provenance, row[-1]))
        shown.append(
            (
                moment.strftime("%Y-%m-%d %H:%M:%S"),
                local_time(moment, zone),
                *("—" if value is None else str(value) for value in values),
                provenance,
                row[-1],
            )
        )
    if not stored and not as_json:
        typer.echo(f"no {chosen.value} points stored for {subject.repo}")
        return
    title = f"{subject.repo} {chosen.value}" + (f" {wanted}" if wanted else "")
    print_rows(columns, raw, shown, title=f"{title}: newest {len(stored)}", as_json=as_json)


def schedules(context: typer.Context, as_json: JsonOption = False) -> None:
    """Show each collection schedule: its latest slot and who took it, and the next slot.

    A slot's parts (collect:stars#2/3 …) are told together: how many are done, which are
    being collected and by whom (with the lease's end), and whether the slot was not taken.
    A slot missed for over 30 minutes (no runner, or it failed) is OVERDUE.

    Example: ossgrowth --env prod schedules
    """
    state = state_of(context)
    store = state.store(reading=True)
    settings = state.settings()
    zone, now = settings.zone, datetime.now(UTC)
    first_tracked = store.first_added_at()
    raw, shown = [], []
    for schedule in SCHEDULES:
        latest = latest_slot(schedule, now, zone)
        claims = store.slot_claims(schedule.name, latest)
        late = is_overdue(latest, claims, now, first_tracked)
        coming = next_slot(schedule, now, zone)
        when = f"{describe(schedule)} ({settings.timezone})"
        taken = [
            {
                "job": claim.job,
                "owner": claim.owner,
                "claimed_at": claim.claimed_at,
                "lease_until": claim.lease_until,
                "finished_at": claim.finished_at,
            }
            for claim in claims
        ]
        raw.append((schedule.name, when, latest, claim_state(claims, now), late, taken, coming))
        words = claim_words(claims, now, zone)
        shown.append(
            (
                schedule.name,
                when,
                local_time(latest, zone),
                f"{words}: OVERDUE" if late else words,
                local_time(coming, zone),
            )
        )
    columns = _SCHEDULE_COLUMNS if not as_json else _SCHEDULE_JSON_COLUMNS
    print_rows(columns, raw, shown, title="Schedules", as_json=as_json)


_SCHEDULE_COLUMNS = (
    Column("job", "job"),
    Column("when", "when"),
    Column("latest slot", "latest_slot"),
    Column("taken", "state"),
    Column("next slot", "next_slot"),
)
_SCHEDULE_JSON_COLUMNS = (
    Column("job", "job"),
    Column("when", "when"),
    Column("latest slot", "latest_slot"),
    Column("state", "state"),
    Column("overdue", "overdue"),
    Column("claims", "claims"),
    Column("next slot", "next_slot"),
)


def claim_state(claims: list[SlotClaim], now: datetime) -> str:
    """``done``, ``running``, ``stalled`` (a lease ran out unfinished) or ``not taken``."""
    if not claims:
        return "not taken"
    if all(claim.finished_at is not None for claim in claims):
        return "done"
    if any(_running(claim, now) for claim in claims):
        return "running"
    return "stalled"


def claim_words(claims: list[SlotClaim], now: datetime, zone: Any) -> str:
    """The claims of a slot for people: ``2 parts done, 1 running (host:1 until 09:14 PST)``."""
    if not claims:
        return "not taken"
    done = sum(claim.finished_at is not None for claim in claims)
    running = [claim for claim in claims if _running(claim, now)]
    stalled = len(claims) - done - len(running)
    words = []
    if done:
        words.append(f"{done} part{'s' * (done != 1)} done")
    for claim in running:
        until = "—" if claim.lease_until is None else local_time(claim.lease_until, zone)[11:]
        words.append(f"{claim.job} running ({claim.owner} until {until})")
    if stalled:
        words.append(f"{stalled} stalled (their runner stopped; the next runner takes them)")
    return ", ".join(words)


def _running(claim: SlotClaim, now: datetime) -> bool:
    return claim.finished_at is None and (claim.lease_until is None or claim.lease_until > now)


def tokens(context: typer.Context, as_json: JsonOption = False) -> None:
    """Show each configured GitHub token: valid or not, its scopes, and the budget it has left
    (REST and GraphQL) with when it resets. Asks GitHub's /rate_limit, which costs nothing.

    A token is named by its position and its last four characters, never printed whole.

    Example: ossgrowth tokens
    """
    state = state_of(context)
    settings = state.settings()
    if not settings.github_tokens:
        raise InputError(
            "no GitHub token configured: set OSSGROWTH_GITHUB_TOKENS (comma-separated) or GH_TOKEN"
        )
    zone = settings.zone
    raw, shown = [], []
    for token in token_states(settings):
        budgets = [token.core, token.graphql]
        raw.append(
            (
                token.name,
                token.valid,
                token.detail,
                *(
                    None if b is None else {"remaining": b[0], "limit": b[1], "reset": b[2]}
                    for b in budgets
                ),
            )
        )
        shown.append(
            (
                token.name,
                "yes" if token.valid else "NO",
                token.detail,
                *(
                    "—" if b is None else f"{b[0]} of {b[1]}, resets {local_time(b[2], zone)[11:]}"
                    for b in budgets
                ),
            )
        )
    print_rows(_TOKEN_COLUMNS, raw, shown, title="GitHub tokens", as_json=as_json)
    if not all(token[1] for token in raw):
        raise typer.Exit(1)


_TOKEN_COLUMNS = (
    Column("token", "token"),
    Column("valid", "valid"),
    Column("detail", "detail"),
    Column("REST left", "core"),
    Column("GraphQL left", "graphql"),
)


def doctor(context: typer.Context) -> None:
    """Check everything ossgrowth depends on, one line each, and say what to fix: settings,
    the store (reachable, schema revision, pending migrations), disk space for SQLite, GitHub
    tokens, upstreams, and collections that missed their slot. Changes nothing.

    Exits 1 when anything fails (warnings alone exit 0).

    Example: ossgrowth --env prod doctor
    """
    settings = state_of(context).settings()
    findings = diagnose(settings, datetime.now(UTC))
    for finding in findings:
        label = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}[finding.status]
        typer.echo(f"{label}  {finding.topic}: {finding.message}")
    failed = sum(finding.status == "fail" for finding in findings)
    if failed:
        typer.echo(f"{failed} problem{'s' * (failed != 1)} to fix", err=True)
        raise typer.Exit(1)
