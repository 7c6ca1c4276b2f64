"""Alerts raised by collection: the events a batch of points raises, and overdue collections.

A scheduled or standalone collection (:func:`~ossgrowth.collect.collection.collect_once`)
asks :func:`events_of` for the events of the points it is about to write, and writes both in
one call (:meth:`~ossgrowth.store.base.Store.write_points`), so an event is in the outbox if
and only if its point is stored. The rules are loaded once per batch, and each family's recent
stretch of the batch's repositories that a rule watches (those only: a batch of a 100,000
repository cycle does not read the others') is read in one
:meth:`~ossgrowth.store.base.Store.read_recent` call, before the write.
Backfills raise no alerts: their points are the past rebuilt, not news.

The scheduler (:class:`~ossgrowth.collect.scheduler.CollectionScheduler`) asks
:func:`overdue_events_at` once per look at the schedules. What "not collected" means follows
:mod:`ossgrowth.collect.status`: a slot counts once :data:`~ossgrowth.collect.status.GRACE`
has passed since it, and a series missed it when it has no point at or after it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from ossgrowth.alert_types import AlertEvent, AlertRule, RuleKind, Scope
from ossgrowth.collect.slots import SCHEDULES, Schedule, latest_slot, next_slot
from ossgrowth.collect.status import GRACE
from ossgrowth.metrics.alert_rules import (
    Watched,
    evaluate,
    in_scope,
    overdue_events,
    recent_span,
)
from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.model import PackageRef, Point, Series
from ossgrowth.store import Store

__all__ = ["events_of", "overdue_events_at", "write_collected", "write_overdue_events"]

logger = logging.getLogger(__name__)

_SECOND = timedelta(seconds=1)


def _members(store: Store, rules: Sequence[AlertRule]) -> dict[str, frozenset[str] | None]:
    """The member keys of each collection the rules name (``None``: no such collection)."""
    found: dict[str, frozenset[str] | None] = {}
    for rule in rules:
        if rule.scope is not Scope.COLLECTION or rule.scope_name is None:
            continue
        slug = rule.scope_name.lower()
        if slug not in found:
            collection = store.get_collection(slug)
            found[slug] = (
                None
                if collection is None
                else frozenset(member.key for member in collection.members)
            )
    return found


def _scope_members(
    rule: AlertRule, members: dict[str, frozenset[str] | None]
) -> frozenset[str] | None:
    if rule.scope is not Scope.COLLECTION or rule.scope_name is None:
        return None
    return members.get(rule.scope_name.lower())


def events_of(store: Store, points: Sequence[Point]) -> list[AlertEvent]:
    """The events the enabled rules notice in ``points`` (not written yet), against the
    recent stretch stored before them."""
    families = {point.family for point in points}
    rules = [
        rule
        for rule in store.list_alert_rules()
        if rule.enabled and rule.kind is not RuleKind.OVERDUE and rule.family in families
    ]
    if not rules:
        return []
    members = _members(store, rules)
    series: dict[tuple[Family, str, PackageRef | None], list[Point]] = {}
    for point in points:
        series.setdefault((point.family, point.repo.key, point.package), []).append(point)
    events: list[AlertEvent] = []
    for family in sorted(families, key=list(FAMILIES).index):
        watching = [rule for rule in rules if rule.family is family]
        if not watching:
            continue
        judged = [
            (rule, new)
            for (of_family, _, _), new in series.items()
            if of_family is family
            for rule in watching
            if in_scope(rule, new[0].repo, _scope_members(rule, members))
        ]
        if not judged:
            continue
        span = max(recent_span(rule) for rule in watching)
        watched = list({new[0].repo.key: new[0].repo for _, new in judged}.values())
        stored: dict[tuple[str, PackageRef | None], Series] = {
            (stretch.repo.key, stretch.package): stretch
            for stretch in store.read_recent(family, span=span, repos=watched)
        }
        for rule, new in judged:
            before = stored.get((new[0].repo.key, new[0].package))
            events.extend(evaluate(rule, before, new))
    if events:
        logger.info("%d alert event(s) raised by %d point(s)", len(events), len(points))
    return events


def write_collected(store: Store, points: Sequence[Point]) -> list[AlertEvent]:
    """Write a collection's ``points`` with the events they raise, in one write; returns
    the events (those already in the outbox are not written again)."""
    events = events_of(store, points)
    store.write_points(points, events=events)
    return events


def _judged_slots(
    schedule: Schedule, until: datetime, zone: ZoneInfo, count: int
) -> list[datetime]:
    """The last ``count`` slots at or before ``until``, oldest first."""
    slots = [latest_slot(schedule, until, zone)]
    while len(slots) < count:
        slots.append(latest_slot(schedule, slots[-1] - _SECOND, zone))
    return slots[::-1]


def _slot_after(schedule: Schedule, zone: ZoneInfo, moment: datetime) -> datetime:
    return next_slot(schedule, moment, zone)


def overdue_events_at(
    store: Store,
    now: datetime,
    zone: ZoneInfo,
    schedules: Sequence[Schedule] = SCHEDULES,
) -> list[AlertEvent]:
    """The events of the enabled overdue rules at ``now`` (not written yet)."""
    rules = [
        rule for rule in store.list_alert_rules() if rule.enabled and rule.kind is RuleKind.OVERDUE
    ]
    if not rules:
        return []
    subjects = store.list_subjects()
    members = _members(store, rules)
    newest: dict[Family, dict[tuple[str, PackageRef | None], datetime]] = {}
    events: list[AlertEvent] = []
    for rule in rules:
        schedule = next((each for each in schedules if rule.family in each.families), None)
        if schedule is None:
            continue  # not collected by the schedules this runner keeps
        if rule.family not in newest:
            newest[rule.family] = {
                (point.repo.key, point.package): point.observed_at
                for point in store.latest_points(rule.family)
            }
        last = newest[rule.family]
        per_package = FAMILIES[rule.family].per_package
        scope = _scope_members(rule, members)
        watched = [
            Watched(
                subject.repo,
                package,
                last.get((subject.repo.key, package)),
                subject.added_at,
            )
            for subject in subjects
            if in_scope(rule, subject.repo, scope)
            for package in (subject.packages if per_package else (None,))
        ]
        count = int(rule.params["slots"])
        events.extend(
            overdue_events(
                rule,
                slots=_judged_slots(schedule, now - GRACE, zone, count),
                watched=watched,
                first_slot_after=partial(_slot_after, schedule, zone),
                now=now,
            )
        )
    return events


def write_overdue_events(
    store: Store, now: datetime, zone: ZoneInfo, schedules: Sequence[Schedule] = SCHEDULES
) -> list[AlertEvent]:
    """Put the overdue rules' events at ``now`` in the outbox; returns them."""
    events = overdue_events_at(store, now, zone, schedules)
    if events:
        store.write_points([], events=events)
        logger.info("%d overdue alert event(s) at %s", len(events), now.isoformat())
    return events
