"""Leaderboards from the store: read what a ranking needs, then rank it.

One read (``Store.values_at``) gives every series of the family (of a collection's members,
for a collection) at the three moments a ranking needs (the window's end, its start, and the
start of the window before, for the previous rank) with its oldest point; the ranking itself is
:func:`ossgrowth.metrics.leaderboard.rank`. The API, the CLI and the collection badge call
:func:`build_leaderboard`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ossgrowth.errors import InputError, UnknownName
from ossgrowth.metrics.leaderboard import Contender, RankBy, Standing, Window, rank
from ossgrowth.metrics.registry import FAMILIES, FieldKind
from ossgrowth.model import Collection, Family, Provenance, RepoName, field_position
from ossgrowth.store import Store

__all__ = ["MAX_LIMIT", "Leaderboard", "build_leaderboard", "rankable_field"]

MAX_LIMIT = 1000
"""The most entries one answer lists."""
_LABELS = {int(member): member.label for member in Provenance}


@dataclass(frozen=True, slots=True)
class Leaderboard:
    """A ranking as asked for: what was ranked, over what, and its first entries."""

    family: Family
    field: str
    window: Window
    by: RankBy
    as_of: datetime
    collection: Collection | None
    standings: list[Standing]
    """The entries in rank order, at most the limit asked for."""
    ranked: int
    """How many series were ranked (before the limit)."""

    @property
    def provenance(self) -> tuple[str, ...]:
        """How the listed entries' points were known, each label once (best first)."""
        labels = {label for standing in self.standings for label in standing.provenance}
        return tuple(
            member.label for member in sorted(Provenance, reverse=True) if member.label in labels
        )

    def standing_of(self, repo: RepoName) -> Standing | None:
        """The first listed entry of ``repo`` (case-insensitive), or ``None``."""
        wanted = repo.key
        return next((s for s in self.standings if s.repo.lower() == wanted), None)


def rankable_field(family: Family, text: str | None) -> str:
    """The field of ``family`` a ranking is asked for (``None``: its headline).

    Raises:
        InputError: the family has no such field, or it is a ratio (ranked by its parts).
    """
    row = FAMILIES[family]
    if text is None:
        return row.headline
    wanted = text.strip()
    found = next((field for field in row.fields if field.name == wanted), None)
    if found is None:
        known = ", ".join(row.field_names)
        raise InputError(f"{family.value} has no field {text[:40]!r}; rank one of {known}")
    if found.kind is FieldKind.RATIO:
        parts = " and ".join(found.ratio_of or ())
        raise InputError(
            f"{family.value} {found.name} is a ratio; a ratio's gain is not ranked: rank {parts}"
        )
    return found.name


def build_leaderboard(
    store: Store,
    family: Family,
    *,
    window: Window,
    by: RankBy,
    as_of: datetime,
    field: str | None = None,
    collection: str | None = None,
    limit: int | None = None,
) -> Leaderboard:
    """Rank the series of ``family`` (of ``collection``'s members) by ``by`` over ``window``
    ending at ``as_of``; the first ``limit`` entries (every one when ``None``).

    Raises:
        InputError: a field that cannot be ranked, a limit below 1 or above :data:`MAX_LIMIT`,
            an invalid collection slug.
        UnknownName: no collection ``collection``.
    """
    name = rankable_field(family, field)
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit must be 1 to {MAX_LIMIT}, not {limit}")
    chosen: Collection | None = None
    members: tuple[RepoName, ...] | None = None
    if collection is not None:
        chosen = store.get_collection(collection)
        if chosen is None:
            raise UnknownName(f"there is no collection {collection[:64]!r}")
        members = chosen.members
    length = timedelta(seconds=window.seconds)
    try:
        moments = [as_of - 2 * length, as_of - length, as_of]
    except OverflowError:
        raise InputError(
            f"as_of {as_of.date().isoformat()} leaves no room for two {window.value} windows "
            "before it"
        ) from None
    series = store.values_at(family, moments, repos=members)
    value_index = field_position(family, name)
    provenance_index = 1 + len(FAMILIES[family].field_names)
    labels = _LABELS
    contenders = [
        Contender(
            repo=found.repo.full_name,
            package=None if found.package is None else str(found.package),
            readings=tuple(
                [(row[0], row[value_index], labels[row[provenance_index]]) for row in found.rows]
            ),
        )
        for found in series
    ]
    standings = rank(contenders, window=window, by=by, as_of=int(as_of.timestamp()), limit=limit)
    end = as_of.timestamp()  # a series is ranked when it has a point by then: its first one
    ranked = sum(1 for contender in contenders if contender.readings[0][0] <= end)
    return Leaderboard(family, name, window, by, as_of, chosen, standings, ranked)
