"""``ossgrowth leaderboard``: tracked repositories ranked by their growth over a window."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from ossgrowth.cli.output import Column, JsonOption, print_rows
from ossgrowth.cli.state import state_of
from ossgrowth.clock import SystemClock
from ossgrowth.errors import InputError
from ossgrowth.leaderboards import MAX_LIMIT, build_leaderboard
from ossgrowth.metrics.leaderboard import RankBy, Standing, Window
from ossgrowth.metrics.registry import parse_family
from ossgrowth.model import from_epoch_seconds

__all__ = ["register"]

_COLUMNS = (
    Column("rank", "rank"),
    Column("move", "rank_change"),
    Column("repository", "repo"),
    Column("package", "package"),
    Column("value", "value"),
    Column("start", "start_value"),
    Column("gain", "gain"),
    Column("relative", "relative_gain"),
    Column("score", "score"),
    Column("points", "provenance"),
    Column("since", "start_at"),
)


def register(app: typer.Typer) -> None:
    """Add the command of this module to ``app``."""
    app.command()(leaderboard)


def leaderboard(
    context: typer.Context,
    family: Annotated[
        str, typer.Option(help="stars, prs, issues, downloads (per package) or reach.")
    ] = "stars",
    field: Annotated[
        str | None,
        typer.Option(help="The field ranked (not a ratio). [default: the family's headline]"),
    ] = None,
    window: Annotated[str, typer.Option(help="7d, 30d, 90d or 1y, ending now.")] = "30d",
    by: Annotated[
        str, typer.Option(help="gain, relative (gain ÷ start) or score (docs/metrics.md).")
    ] = "score",
    collection: Annotated[
        str | None, typer.Option(help="Rank only this collection's members (its slug).")
    ] = None,
    limit: Annotated[
        int, typer.Option(help="At most this many entries.", min=1, max=MAX_LIMIT)
    ] = 20,
    as_of: Annotated[
        str | None,
        typer.Option(help="End the window at this day (YYYY-MM-DD) or time, UTC. [default: now]"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Rank tracked repositories by their growth over a window: gain, relative gain or score.

    Each entry shows its move since the window before (+2: up two places; new: not ranked
    then) and whether its points were measured or reconstructed.

    Example: ossgrowth leaderboard --window 90d --by relative --collection frontend
    """
    state = state_of(context)
    board = build_leaderboard(
        state.store(reading=True),
        parse_family(family),
        window=Window.parse(window),
        by=RankBy.parse(by),
        as_of=SystemClock().now() if as_of is None else _moment(as_of),
        field=field,
        collection=collection,
        limit=limit,
    )
    if not board.standings and not as_json:
        where = f"collection {board.collection.slug}" if board.collection else "the store"
        typer.echo(f"nothing to rank: no {board.family.value} points in {where} by then")
        return
    raw = [_raw(standing) for standing in board.standings]
    shown = [_shown(standing) for standing in board.standings]
    scope = f" in {board.collection.name}" if board.collection else ""
    title = (
        f"{board.family.value} {board.field}{scope}: {board.window.value} by {board.by.value}, "
        f"{len(board.standings)} of {board.ranked}"
    )
    print_rows(_COLUMNS, raw, shown, title=title, as_json=as_json)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        raise InputError(
            f"--as-of must be a day (2026-03-01) or a time (2026-03-01T12:00:00Z), "
            f"not {text[:40]!r}"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _raw(standing: Standing) -> tuple[Any, ...]:
    figures = standing.figures
    return (
        standing.rank,
        standing.rank_change,
        standing.repo,
        standing.package,
        figures.end[1],
        figures.start[1],
        figures.gain,
        None if figures.relative_gain is None else round(figures.relative_gain, 6),
        None if figures.score is None else round(figures.score, 4),
        list(standing.provenance),
        from_epoch_seconds(figures.start[0]),
    )


def _shown(standing: Standing) -> tuple[str, ...]:
    figures = standing.figures
    change = standing.rank_change
    move = "new" if change is None else ("=" if change == 0 else f"{change:+d}")
    relative = figures.relative_gain
    return (
        str(standing.rank),
        move,
        standing.repo,
        standing.package or "—",
        _number(figures.end[1]),
        _number(figures.start[1]),
        "—" if figures.gain is None else f"{figures.gain:+,g}",
        "—" if relative is None else f"{relative * 100:+.1f} %",
        "—" if figures.score is None else f"{figures.score:.2f}",
        ", ".join(standing.provenance),
        from_epoch_seconds(figures.start[0]).strftime("%Y-%m-%d"),
    )


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:,g}"
