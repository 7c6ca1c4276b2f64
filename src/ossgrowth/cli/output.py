"""What listing and showing commands print: a table for people, whole values for scripts.

On a terminal a command prints a Rich table, cut to the terminal's width. Anywhere else (a
pipe, a file) it prints the same rows tab-separated under a header line, every value whole:
Rich would cut ``driftwood-dev/vite-plugin-…`` to the 80 columns it assumes. With ``--json``
it prints the rows as JSON objects with typed values (numbers as numbers, times as ISO 8601
in UTC, nothing as ``null``), one document.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["Column", "JsonOption", "as_json_value", "local_time", "print_rows"]

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON (typed values, times in UTC) for scripts.")
]
"""The ``--json`` option of every command that lists or shows."""


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its heading, its JSON key, and how a value reads in the table."""

    heading: str
    key: str


def as_json_value(value: Any) -> Any:
    """``value`` as JSON holds it: times as ISO 8601 in UTC, the rest as it is."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {key: as_json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_json_value(item) for item in value]
    return value


def local_time(moment: datetime | None, zone: tzinfo) -> str:
    """``2026-11-30 19:00 PST``: ``moment`` in ``zone``, or a dash for none."""
    if moment is None:
        return "—"
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def print_rows(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    shown: Sequence[Sequence[str]],
    *,
    title: str,
    as_json: bool,
) -> None:
    """Print ``rows`` (raw values) as JSON, or ``shown`` (the same rows as people read them)
    as a table on a terminal and tab-separated lines elsewhere."""
    if as_json:
        records = [
            {column.key: as_json_value(value) for column, value in zip(columns, row, strict=True)}
            for row in rows
        ]
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if not sys.stdout.isatty():
        typer.echo("\t".join(column.key for column in columns))
        for line in shown:
            typer.echo("\t".join(_cell(value) for value in line))
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column.heading)
    for line in shown:
        table.add_row(*line)
    Console().print(table)


def _cell(value: str) -> str:
    """A value on one tab-separated line: no tab or line break inside it."""
    return value.replace("\t", " ").replace("\n", " ")
