"""The ``sync`` command: one environment's points, stargazer days and collections copied into
another, after a summary of what changes (see :mod:`ossgrowth.transfer.syncing`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from ossgrowth.cli.output import Column, print_rows
from ossgrowth.cli.progress import StepBar
from ossgrowth.cli.state import state_of
from ossgrowth.config import Environment
from ossgrowth.errors import InputError
from ossgrowth.metrics.registry import parse_family
from ossgrowth.names import parse_repo
from ossgrowth.transfer.syncing import SyncPlan, plan_sync, sync

__all__ = ["sync_command"]

_SHOWN_NAMES = 10


def sync_command(
    context: typer.Context,
    source: Annotated[Environment, typer.Option("--from", help="Environment to copy from.")],
    target: Annotated[Environment, typer.Option("--to", help="Environment to copy into.")],
    repo: Annotated[
        list[str] | None,
        typer.Option(
            "--repo",
            help="Only this repository (its series, stargazer days and memberships); repeatable.",
        ),
    ] = None,
    family: Annotated[
        list[str] | None,
        typer.Option(
            "--family", help="Only this family (stars brings stargazer days); repeatable."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Also delete points of the chosen series that only --to has, and take chosen "
            "repositories out of its collections where --from's lack them.",
        ),
    ] = False,
) -> None:
    """Copy points, stargazer days and collections from one environment into another, after
    a summary of what changes.

    Per family: points new to the target, changed (written), the same, kept (the target's is
    stronger: a measured point is never replaced by a reconstructed one), and only in the
    target (deleted with --prune, else left). Stargazer days (account ages, with the stars
    family) are new, changed (the source's written) or the same, or kept where the target
    follows the repository's stargazer list; the target's other days stay. Each collection of
    the source is made in the target, or the target's of its slug takes its name, description
    and chosen members; members only the target's has are taken out with --prune. Alert rules
    are not synced. Asks before writing unless --yes. Nothing is ever deleted without
    --prune. The --from environment is only read.

    Example: ossgrowth sync --from staging --to prod --repo vitejs/vite --dry-run
    """
    if source is target:
        raise InputError("--from and --to name the same environment")
    state = state_of(context)
    repos = None if not repo else [parse_repo(text) for text in repo]
    families = None if not family else [parse_family(text) for text in family]
    reading = state.other_store(source)
    writing = state.other_store(target, migrate=True)
    with StepBar("comparing") as bar:
        plan = plan_sync(reading, writing, repos=repos, families=families, progress=bar.advance)
    _print_plan(plan, source, target, prune)
    if not plan.changes_anything(prune=prune):
        typer.echo(
            f"nothing to do: {target.value} has every chosen point, stargazer day and "
            f"collection of {source.value}"
        )
        return
    if dry_run:
        typer.echo("--dry-run: nothing written")
        return
    if not yes and not typer.confirm(f"write these changes to {target.value}?", default=False):
        raise typer.Exit(1)
    with StepBar("syncing") as bar:
        done = sync(
            reading, writing, repos=repos, families=families, prune=prune, progress=bar.advance
        )
    typer.echo(f"synced {source.value} into {target.value}: {_done(done, source, prune)}")


def _done(done: SyncPlan, source: Environment, prune: bool) -> str:
    """``2 points written, 1 deleted`` and what else the sync did."""
    written = f"{done.writes} points"
    if done.stargazer_days.writes:
        written += f" and {done.stargazer_days.writes} stargazer days"
    parts = [f"{written} written"]
    if prune:
        parts.append(f"{sum(c.only_in_target for c in done.families.values())} deleted")
    made = sum(change.new for change in done.collections)
    changed = sum(not (change.new or change.same) for change in done.collections)
    if done.stargazer_days.marks:
        lists = done.stargazer_days.marks
        parts.append(f"{lists} stargazer lists followed from {source.value}'s place")
    if made or changed:
        parts.append(f"collections: {made} made, {changed} changed")
    taken_out = sum(len(change.only_in_target) for change in done.collections)
    if prune and taken_out:
        parts.append(f"{taken_out} members taken out of collections")
    return ", ".join(parts)


def _print_plan(plan: SyncPlan, source: Environment, target: Environment, prune: bool) -> None:
    only = f"only in {target.value}" + (" (deleted)" if prune else " (left)")
    columns = (
        Column("family", "family"),
        Column("new", "new"),
        Column("changed", "changed"),
        Column("same", "same"),
        Column(f"kept ({target.value}'s is stronger)", "kept"),
        Column(only, "only_in_target"),
    )
    rows = [
        (
            chosen.value,
            changes.new,
            changes.changed,
            changes.same,
            changes.kept,
            changes.only_in_target,
        )
        for chosen, changes in plan.families.items()
    ]
    shown = [tuple(str(value) for value in row) for row in rows]
    print_rows(columns, rows, shown, title=f"{source.value} → {target.value}", as_json=False)
    days = plan.stargazer_days
    if days.any:
        typer.echo(
            f"stargazer days: {days.new} new, {days.changed} changed, {days.same} same, "
            f"{days.kept} kept ({target.value} follows those lists), {days.only_in_target} only "
            f"in {target.value} (left)"
            + (
                f"; {target.value} takes {source.value}'s place in {days.marks} stargazer lists"
                if days.marks
                else ""
            )
        )
    if plan.new_subjects:
        typer.echo(f"tracked in {target.value} by this sync: {_names(plan.new_subjects)}")
    if plan.only_in_target:
        typer.echo(f"only in {target.value}, left as they are: {_names(plan.only_in_target)}")
    if plan.collections:
        _print_collections(plan, source, target, prune)
    if plan.collections_only_in_target:
        typer.echo(
            f"collections only in {target.value}, left as they are: "
            f"{_names(plan.collections_only_in_target)}"
        )


def _print_collections(
    plan: SyncPlan, source: Environment, target: Environment, prune: bool
) -> None:
    columns = (
        Column("collection", "collection"),
        Column(f"in {target.value}", "change"),
        Column("name and description", "name_and_description"),
        Column("members added", "members_added"),
        Column(
            f"members only in {target.value}'s" + (" (taken out)" if prune else " (left)"),
            "members_only_in_target",
        ),
    )
    rows = [
        (
            change.slug,
            "new" if change.new else "same" if change.same else "changed",
            "written" if change.new or change.renamed else "same",
            len(change.added),
            len(change.only_in_target),
        )
        for change in plan.collections
    ]
    shown = [tuple(str(value) for value in row) for row in rows]
    title = f"Collections, {source.value} → {target.value}"
    print_rows(columns, rows, shown, title=title, as_json=False)


def _names(names: Sequence[object]) -> str:
    """The first names of ``names`` and how many more there are."""
    shown = ", ".join(str(name) for name in names[:_SHOWN_NAMES])
    more = len(names) - _SHOWN_NAMES
    return shown + (f" and {more} more" if more > 0 else "")
