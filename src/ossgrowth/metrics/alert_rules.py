"""What an alert rule notices: the events new points raise, and the overdue collections. Pure.

Each event carries a key that names what happened, so that noticing it again (a second
collector, a retried batch, a later look at the same day) is the same event, delivered once:

- **milestone**: the series passed a round number (1, 2 and 5 times a power of ten: 1, 2, 5,
  10, 20, 50, 100 …), or the rule's own ``params["value"]``: the value before the new point was
  below it and the new value is at or above it. When a point passes several round numbers at
  once, the highest is the event. The key names the threshold, so a milestone fires once ever
  per series, even if the value falls back and rises again.
- **spike**: a day's gain above ``params["k"]`` times the median of the daily gains over the
  ``params.get("days", 28)`` days before it (a median below 1 counts as 1, so a quiet series
  needs more than ``k`` in a day). Days are UTC days; a day's gain is its last value less the
  day before's, counted only for days with an observation whose day before had one too, and at
  least :data:`MIN_SPIKE_DAYS` such days are needed. The key names the day.
- **downloads-drop**: a weekly value (``weekly_downloads``) down more than
  ``params["percent"]`` % against the value a week before (the newest observation from a day
  before that moment to 12 hours after it). The key names the ISO week.
- **overdue**: a scheduled collection did not measure a watched series for the last
  ``params["slots"]`` slots of its schedule (the collection was late, failed, or failed for that
  repository): :func:`overdue_events`, evaluated where the schedule runs. The key names the
  slot the outage began with.

Nothing here reads a store or a clock: :mod:`ossgrowth.collect.alerting` passes what it read.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ossgrowth.alert_types import AlertEvent, AlertRule, RuleKind, Scope
from ossgrowth.metrics.registry import FAMILIES
from ossgrowth.model import PackageRef, Point, RepoName, Series

__all__ = [
    "DEFAULT_SPIKE_DAYS",
    "EVENT_KEY_LENGTH",
    "MIN_SPIKE_DAYS",
    "Watched",
    "evaluate",
    "in_scope",
    "overdue_events",
    "recent_span",
    "round_number_at_most",
]

DEFAULT_SPIKE_DAYS = 28
MIN_SPIKE_DAYS = 7
"""Daily gains a spike needs behind it: with fewer, every first busy day would be a spike."""
EVENT_KEY_LENGTH = 300
"""The longest event key the stores keep; a longer one is shortened with a hash of it."""
_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
_MANTISSAS = (5, 2, 1)

Observation = tuple[int, float]
"""(epoch seconds, value) of one field."""


def round_number_at_most(value: float) -> int | None:
    """The largest round number (1, 2 or 5 times a power of ten) at most ``value``, or
    ``None`` below 1."""
    if value < 1:
        return None
    whole = int(value)
    power = int("1" + "0" * (len(str(whole)) - 1))
    return next(m * power for m in _MANTISSAS if m * power <= whole)


def recent_span(rule: AlertRule) -> timedelta:
    """How much of a series before its newest point :func:`evaluate` needs for ``rule``."""
    if rule.kind is RuleKind.SPIKE:
        return (int(rule.params.get("days", DEFAULT_SPIKE_DAYS)) + 2) * _DAY
    if rule.kind is RuleKind.DOWNLOADS_DROP:
        return _WEEK + 2 * _DAY
    return _DAY


def in_scope(rule: AlertRule, repo: RepoName, members: frozenset[str] | None = None) -> bool:
    """Whether ``rule`` watches ``repo``; ``members`` are the keys of its collection's
    members (``None``: the collection does not exist, so it watches nothing)."""
    if rule.scope is Scope.ALL:
        return True
    if rule.scope is Scope.REPOSITORY:
        return rule.scope_name is not None and rule.scope_name.lower() == repo.key
    return members is not None and repo.key in members


def evaluate(rule: AlertRule, recent: Series | None, new: Sequence[Point]) -> list[AlertEvent]:
    """The events ``new`` points of one series raise under ``rule``, given the ``recent``
    stretch stored before them (:meth:`~ossgrowth.store.base.Store.read_recent`).

    Points are taken in time order, each against what came before it (stored or new). An
    overdue rule raises nothing here (see :func:`overdue_events`).
    """
    if rule.kind is RuleKind.OVERDUE or rule.id is None or not new:
        return []
    stored = recent.observations(rule.field) if recent is not None else []
    fresh = sorted(
        (
            (point.epoch_seconds, float(value), point)
            for point in new
            if point.family is rule.family and (value := point.values.get(rule.field)) is not None
        ),
        key=lambda entry: entry[0],
    )
    events: list[AlertEvent] = []
    history: list[Observation] = [(moment, float(value)) for moment, value in stored]
    for moment, value, point in fresh:
        before = [entry for entry in history if entry[0] < moment]
        found = _noticed(rule, before, moment, value, point)
        if found is not None:
            events.append(found)
        history.append((moment, value))
    return events


def _noticed(
    rule: AlertRule, before: list[Observation], moment: int, value: float, point: Point
) -> AlertEvent | None:
    if rule.kind is RuleKind.MILESTONE:
        return _milestone(rule, before, value, point)
    if rule.kind is RuleKind.SPIKE:
        return _spike(rule, before, moment, value, point)
    return _drop(rule, before, moment, value, point)


def _milestone(
    rule: AlertRule, before: list[Observation], value: float, point: Point
) -> AlertEvent | None:
    if not before:
        return None  # the first value known: nothing was passed, as far as anyone can tell
    previous = before[-1][1]
    wanted = rule.params.get("value")
    threshold: float | None
    if wanted is not None:
        threshold = float(wanted) if previous < float(wanted) <= value else None
    else:
        threshold = round_number_at_most(value)
        if threshold is not None and threshold <= previous:
            threshold = None
    if threshold is None:
        return None
    shown = _number(threshold)
    return _event(
        rule,
        point,
        marker=shown,
        summary=f"{_series_label(point)} reached {_grouped(threshold)} {_field_label(rule)}",
        facts={"threshold": threshold, "previous": _plain(previous), "value": _plain(value)},
    )


def _daily_closes(observations: list[Observation]) -> dict[date, float]:
    """Each UTC day's last value, for the days with an observation."""
    closes: dict[date, float] = {}
    for moment, value in observations:
        closes[datetime.fromtimestamp(moment, UTC).date()] = value
    return closes


def _spike(
    rule: AlertRule, before: list[Observation], moment: int, value: float, point: Point
) -> AlertEvent | None:
    k = float(rule.params["k"])
    days = int(rule.params.get("days", DEFAULT_SPIKE_DAYS))
    today = datetime.fromtimestamp(moment, UTC).date()
    closes = _daily_closes(before)
    yesterday = closes.get(today - _DAY)
    if yesterday is None:
        return None
    gain = value - yesterday
    gains = [
        closes[day] - closes[day - _DAY]
        for offset in range(1, days + 1)
        if (day := today - offset * _DAY) in closes and day - _DAY in closes
    ]
    if len(gains) < MIN_SPIKE_DAYS:
        return None
    median = statistics.median(gains)
    baseline = max(median, 1.0)
    if gain <= k * baseline:
        return None
    return _event(
        rule,
        point,
        marker=today.isoformat(),
        summary=(
            f"{_series_label(point)} gained {_grouped(gain)} {_field_label(rule)} on "
            f"{today.isoformat()}, over {_number(k)} × the usual {_grouped(median)} a day"
        ),
        facts={
            "day": today.isoformat(),
            "gain": _plain(gain),
            "median_gain": _plain(median),
            "k": _plain(k),
            "days": len(gains),
            "value": _plain(value),
        },
    )


def _drop(
    rule: AlertRule, before: list[Observation], moment: int, value: float, point: Point
) -> AlertEvent | None:
    percent = float(rule.params["percent"])
    week_ago = moment - int(_WEEK.total_seconds())
    earliest, latest = week_ago - int(_DAY.total_seconds()), week_ago + 12 * 3600
    candidates = [entry for entry in before if earliest <= entry[0] <= latest]
    if not candidates:
        return None
    previous = candidates[-1][1]
    if previous <= 0:
        return None
    fall = (previous - value) / previous * 100
    if fall <= percent:
        return None
    year, week, _ = datetime.fromtimestamp(moment, UTC).isocalendar()
    return _event(
        rule,
        point,
        marker=f"{year}-W{week:02d}",
        summary=(
            f"{_series_label(point)}: {_field_label(rule)} fell {fall:.0f}% in a week, "
            f"from {_grouped(previous)} to {_grouped(value)}"
        ),
        facts={
            "week": f"{year}-W{week:02d}",
            "previous": _plain(previous),
            "value": _plain(value),
            "percent": round(fall, 2),
            "threshold_percent": _plain(percent),
        },
    )


@dataclass(frozen=True, slots=True)
class Watched:
    """A series an overdue rule watches, as the store knows it."""

    repo: RepoName
    package: PackageRef | None
    last_measured: datetime | None
    """Its newest measured point, if any."""
    tracked_since: datetime | None
    """When its repository was tracked."""


def overdue_events(
    rule: AlertRule,
    *,
    slots: Sequence[datetime],
    watched: Sequence[Watched],
    first_slot_after: Callable[[datetime], datetime],
    now: datetime,
) -> list[AlertEvent]:
    """The event of an overdue rule at ``now``, if its watched series missed the last
    ``params["slots"]`` of ``slots``.

    Args:
        rule: an overdue rule.
        slots: the schedule's slots judged so far (each given time to be collected), in
            order; at least the last ``params["slots"]`` of them.
        watched: the series in the rule's scope.
        first_slot_after: the schedule's first slot after a moment.
        now: when this is judged.

    Returns:
        One event naming the series that missed them, keyed by the slot the newest of their
        outages began with; none when nothing missed them.
    """
    count = int(rule.params["slots"])
    if rule.kind is not RuleKind.OVERDUE or rule.id is None or len(slots) < count:
        return []
    first = slots[-count]
    missed = [
        each
        for each in watched
        if (each.last_measured is None or each.last_measured < first)
        and (each.tracked_since is None or each.tracked_since <= first)
    ]
    if not missed:
        return []
    known = [moment for each in missed if (moment := each.last_measured or each.tracked_since)]
    began = max((first_slot_after(moment) for moment in known), default=first)
    names = sorted(_watched_label(each) for each in missed)
    family = rule.family.value
    scope = rule.scope.value if rule.scope_name is None else f"{rule.scope.value}:{rule.scope_name}"
    marker = began.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return [
        AlertEvent(
            rule_id=rule.id,
            event_key=_bounded(f"overdue:{family}:{scope.lower()}:{marker}"),
            repo=missed[0].repo if rule.scope is Scope.REPOSITORY else None,
            family=rule.family,
            observed_at=now,
            summary=(
                f"{family} not collected for {count} slot{'s' if count != 1 else ''} since "
                f"{marker}: {shown}"
            ),
            details={
                "rule": rule.name,
                "kind": rule.kind.value,
                "family": family,
                "slots": count,
                "since": marker,
                "series": names[:100],
                "series_count": len(names),
            },
        )
    ]


def _event(
    rule: AlertRule, point: Point, *, marker: str, summary: str, facts: dict[str, Any]
) -> AlertEvent:
    assert rule.id is not None
    series = point.repo.key if point.package is None else f"{point.repo.key}#{point.package}"
    details: dict[str, Any] = {
        "rule": rule.name,
        "kind": rule.kind.value,
        "repo": point.repo.full_name,
        "family": rule.family.value,
        "field": rule.field,
        "observed_at": point.observed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **facts,
    }
    if point.package is not None:
        details["package"] = str(point.package)
    return AlertEvent(
        rule_id=rule.id,
        event_key=_bounded(f"{rule.kind.value}:{series}:{rule.field}:{marker}"),
        repo=point.repo,
        family=rule.family,
        observed_at=point.observed_at,
        summary=summary,
        details=details,
    )


def _bounded(key: str) -> str:
    """``key`` as the stores keep it: at most :data:`EVENT_KEY_LENGTH` characters, a long one
    cut and followed by a hash of the whole (the same key always gives the same text)."""
    if len(key) <= EVENT_KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{key[: EVENT_KEY_LENGTH - 33]}~{digest}"


def _series_label(point: Point) -> str:
    return point.repo.full_name if point.package is None else f"{point.repo} ({point.package})"


def _watched_label(each: Watched) -> str:
    return each.repo.full_name if each.package is None else f"{each.repo} ({each.package})"


def _field_label(rule: AlertRule) -> str:
    row = FAMILIES[rule.family]
    if rule.field == row.headline:
        return row.badge.label + row.badge.suffix
    return rule.field.replace("_", " ")


def _plain(value: float) -> int | float:
    """A whole number as an int (JSON shows ``1000``, not ``1000.0``)."""
    return int(value) if float(value).is_integer() else value


def _number(value: float) -> str:
    return str(_plain(value))


def _grouped(value: float) -> str:
    plain = _plain(value)
    return f"{plain:,}" if isinstance(plain, int) else f"{plain:,.2f}"
