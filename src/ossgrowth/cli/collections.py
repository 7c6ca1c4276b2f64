"""``ossgrowth collection …``: named groups of tracked repositories.

Each command calls one store method; the checks (slug, name, description, members tracked)
are the store's, so the CLI, the API and the dashboard refuse the same things.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ossgrowth.cli.output import Column, JsonOption, as_json_value, local_time, print_rows
from ossgrowth.cli.state import FAILURE_EXIT_CODE, state_of
from ossgrowth.clock import SystemClock
from ossgrowth.collection_names import unknown_collection
from ossgrowth.metrics.registry import Family
from ossgrowth.model import Collection
from ossgrowth.names import parse_repo

__all__ = ["collection_app"]

collection_app = typer.Typer(
    help="Group tracked repositories into named collections (a repository may be in several).",
    no_args_is_help=True,
)

SlugArgument = Annotated[
    str, typer.Argument(help="The collection's slug: letters, digits and hyphens, any case.")
]
ReposArgument = Annotated[
    list[str], typer.Argument(help="owner/name of tracked repositories (one or more).")
]


def _members(collection: Collection) -> str:
    count = len(collection.members)
    return f"{count} member" + ("" if count == 1 else "s")


@collection_app.command("create")
def create(
    context: typer.Context,
    slug: SlugArgument,
    name: Annotated[str, typer.Option("--name", help="What people read (200 characters).")],
    description: Annotated[
        str, typer.Option("--description", help="What it groups (2,000 characters).")
    ] = "",
) -> None:
    """Make an empty collection; add repositories with: ossgrowth collection add.

    Example: ossgrowth collection create frontend --name "Front-end tooling"
    """
    store = state_of(context).store()
    made = store.create_collection(
        slug, name=name, description=description, created_at=SystemClock().now()
    )
    typer.echo(f"created collection {made.slug} ({made.name})")


@collection_app.command("rename")
def rename(
    context: typer.Context,
    slug: SlugArgument,
    name: Annotated[str, typer.Argument(help="Its new name; the slug stays.")],
) -> None:
    """Give a collection a new name (its slug stays).

    Example: ossgrowth collection rename frontend "Front-end build tools"
    """
    renamed = state_of(context).store().update_collection(slug, name=name)
    typer.echo(f"collection {renamed.slug} is now named {renamed.name}")


@collection_app.command("describe")
def describe(
    context: typer.Context,
    slug: SlugArgument,
    description: Annotated[str, typer.Argument(help="Its new description; '' clears it.")],
) -> None:
    """Give a collection a new description.

    Example: ossgrowth collection describe frontend "Bundlers and dev servers"
    """
    described = state_of(context).store().update_collection(slug, description=description)
    shown = "cleared" if not described.description else "updated"
    typer.echo(f"description of collection {described.slug} {shown}")


@collection_app.command("add")
def add(context: typer.Context, slug: SlugArgument, repos: ReposArgument) -> None:
    """Add tracked repositories to a collection (those in it already stay once).

    A repository that is not tracked is refused, and then none is added.

    Example: ossgrowth collection add frontend vitejs/vite webpack/webpack
    """
    names = [parse_repo(text) for text in repos]
    collection = state_of(context).store().add_collection_members(slug, names)
    typer.echo(f"collection {collection.slug} has {_members(collection)}")


@collection_app.command("remove")
def remove(context: typer.Context, slug: SlugArgument, repos: ReposArgument) -> None:
    """Take repositories out of a collection; they stay tracked, their data untouched.

    Example: ossgrowth collection remove frontend webpack/webpack
    """
    names = [parse_repo(text) for text in repos]
    store = state_of(context).store()
    before = store.get_collection(slug)
    if before is None:
        raise unknown_collection(slug.lower())
    members = {member.key for member in before.members}
    strangers = [name for name in names if name.key not in members]
    if strangers:
        typer.echo(f"not in collection {before.slug}: {', '.join(map(str, strangers))}", err=True)
    collection = store.remove_collection_members(slug, names)
    typer.echo(f"collection {collection.slug} has {_members(collection)}")


@collection_app.command("delete")
def delete(
    context: typer.Context,
    slug: SlugArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a collection; its repositories stay tracked, their data untouched.

    Example: ossgrowth collection delete frontend --yes
    """
    store = state_of(context).store()
    collection = store.get_collection(slug)
    if collection is None:
        raise unknown_collection(slug.lower())
    question = f"delete collection {collection.slug} ({_members(collection)})?"
    if not yes and not typer.confirm(question, default=False):
        raise typer.Exit(FAILURE_EXIT_CODE)
    store.delete_collection(collection.slug)
    typer.echo(f"deleted collection {collection.slug}; its repositories stay tracked")


_LIST_COLUMNS = (
    Column("slug", "slug"),
    Column("name", "name"),
    Column("members", "members"),
    Column("description", "description"),
    Column("created", "created_at"),
)


@collection_app.command("list")
def list_collections(context: typer.Context, as_json: JsonOption = False) -> None:
    """List the collections with their members.

    A table on a terminal; tab-separated whole values in a pipe or a file; JSON with --json.

    Example: ossgrowth collection list --json
    """
    state = state_of(context)
    collections = state.store(reading=True).list_collections()
    if not collections and not as_json:
        typer.echo(
            "no collections yet; make one with: ossgrowth collection create SLUG --name NAME"
        )
        return
    zone = state.settings().zone
    rows = [
        (
            each.slug,
            each.name,
            [repo.full_name for repo in each.members],
            each.description,
            each.created_at,
        )
        for each in collections
    ]
    shown = [
        (
            each.slug,
            each.name,
            ", ".join(repo.full_name for repo in each.members) or "—",
            each.description.replace("\n", " ") or "—",
            local_time(each.created_at, zone),
        )
        for each in collections
    ]
    title = f"Collections ({state.settings().environment.value})"
    print_rows(_LIST_COLUMNS, rows, shown, title=title, as_json=as_json)


_MEMBER_COLUMNS = (
    Column("repository", "repository"),
    Column("packages", "packages"),
    Column("stars", "stars"),
    Column("as of", "as_of"),
)


@collection_app.command("show")
def show(context: typer.Context, slug: SlugArgument, as_json: JsonOption = False) -> None:
    """Show a collection: its name, description and members with their newest star count.

    Example: ossgrowth collection show frontend
    """
    state = state_of(context)
    store = state.store(reading=True)
    collection = store.get_collection(slug)
    if collection is None:
        raise unknown_collection(slug.lower())
    keys = {member.key for member in collection.members}
    subjects = {s.repo.key: s for s in store.list_subjects() if s.repo.key in keys}
    newest = {p.repo.key: p for p in store.latest_points(Family.STARS) if p.repo.key in keys}
    zone = state.settings().zone
    rows: list[tuple[object, ...]] = []
    shown: list[tuple[str, ...]] = []
    for member in collection.members:
        subject, point = subjects.get(member.key), newest.get(member.key)
        packages = [str(package) for package in subject.packages] if subject else []
        stars = None if point is None else point.values["star_count"]
        as_of = None if point is None else point.observed_at
        rows.append((member.full_name, packages, stars, as_of))
        shown.append(
            (
                member.full_name,
                ", ".join(packages) or "—",
                "—" if stars is None else str(stars),
                local_time(as_of, zone),
            )
        )
    if as_json:
        document = {
            "slug": collection.slug,
            "name": collection.name,
            "description": collection.description,
            "created_at": as_json_value(collection.created_at),
            "members": [
                {
                    column.key: as_json_value(value)
                    for column, value in zip(_MEMBER_COLUMNS, row, strict=True)
                }
                for row in rows
            ],
        }
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{collection.slug}: {collection.name}")
    if collection.description:
        typer.echo(collection.description)
    if not rows:
        typer.echo(f"no members yet; add some with: ossgrowth collection add {collection.slug} …")
        return
    print_rows(_MEMBER_COLUMNS, rows, shown, title=_members(collection), as_json=False)
