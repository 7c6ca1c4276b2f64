"""Alerts raised by collection: once per event, whoever collects and however often."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ossgrowth.alert_types import AlertRule, Channel, DeliveryStatus, RuleKind, Scope
from ossgrowth.clock import FixedClock
from ossgrowth.collect import build_upstreams, collect_once
from ossgrowth.collect.alerting import events_of, write_overdue_events
from ossgrowth.metrics.alert_rules import round_number_at_most
from ossgrowth.model import Family, Point, Provenance, RepoName
from ossgrowth.simulator import SimulatorTransport, World, WorldConfig, build_world, create_app
from ossgrowth.sources import RetryPolicy, clock_sleeper
from ossgrowth.store import SqlStore
from tests.collect.test_backfill import track
from tests.collect.test_collect_once import simulator_settings
from tests.collect.test_scheduler import LOS_ANGELES, WEDNESDAY_NOON, Refusing, scheduler_of

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(
        WorldConfig(seed=9, repo_count=3, activity_scale=0.1, now=WEDNESDAY_NOON.astimezone(UTC))
    )


def add_rule(store: SqlStore, kind: RuleKind = RuleKind.MILESTONE, **changes: Any) -> AlertRule:
    values: dict[str, Any] = {
        "name": f"{kind.value} rule",
        "kind": kind,
        "family": Family.STARS,
        "field": "star_count",
        "scope": Scope.ALL,
        "channel": Channel.WEBHOOK,
        "target": "https://hooks.example.com/x",
        "created_at": WEDNESDAY_NOON,
    }
    values.update(changes)
    return store.add_alert_rule(AlertRule(**values))


def stars_before(store: SqlStore, world: World, moment: datetime) -> dict[RepoName, int]:
    """Store, for each repository, a star count one below the round number its count at
    ``moment`` passed, an hour before it; returns those round numbers."""
    passed: dict[RepoName, int] = {}
    for repo in world.repos:
        name = RepoName(repo.owner, repo.name)
        count = world.snapshot(repo.full_name, moment).star_count
        threshold = round_number_at_most(count)
        assert threshold is not None and threshold >= 1
        store.write_points(
            [
                Point(
                    name,
                    Family.STARS,
                    moment - timedelta(hours=1),
                    {"star_count": threshold - 1},
                    Provenance.MEASURED,
                    "test",
                )
            ]
        )
        passed[name] = threshold
    return passed


async def collect(store: SqlStore, world: World, clock: FixedClock) -> None:
    upstreams = build_upstreams(
        simulator_settings("sim-token-1"),
        clock,
        transport=SimulatorTransport(create_app(world, clock)),
        retry=RetryPolicy(sleep=clock_sleeper(clock), seed=1),
    )
    async with upstreams:
        result = await collect_once(store, upstreams, clock, families={Family.STARS})
    assert result.run.status.value == "succeeded", result.run.error


async def test_a_collection_raises_a_milestone_once_and_collecting_again_does_not(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(WEDNESDAY_NOON)
    track(store, world)
    passed = stars_before(store, world, clock.now())
    rule = add_rule(store)
    add_rule(store, name="disabled", enabled=False)

    await collect(store, world, clock)
    await collect(store, world, clock)  # a second collector, at the same moment
    clock.advance(timedelta(hours=3))
    await collect(store, world, clock)  # the next slot

    deliveries = store.list_deliveries(limit=100)
    assert sorted(d.event.event_key for d in deliveries) == sorted(
        f"milestone:{repo.key}:star_count:{threshold}" for repo, threshold in passed.items()
    )
    assert {d.event.rule_id for d in deliveries} == {rule.id}
    assert all(d.status is DeliveryStatus.PENDING for d in deliveries)
    assert all(d.event.observed_at == WEDNESDAY_NOON for d in deliveries)


async def test_rules_watch_only_their_scope(store: SqlStore, world: World) -> None:
    clock = FixedClock(WEDNESDAY_NOON)
    track(store, world)
    passed = stars_before(store, world, clock.now())
    first, second, third = sorted(passed)
    store.create_collection("tools", name="Tools", created_at=clock.now())
    store.add_collection_members("tools", [second])
    one = add_rule(store, scope=Scope.REPOSITORY, scope_name=first.full_name.upper())
    group = add_rule(store, scope=Scope.COLLECTION, scope_name="tools")
    add_rule(store, scope=Scope.COLLECTION, scope_name="deleted-since")
    reach = add_rule(store, family=Family.REACH, field="forks", params={"value": 10**9})

    await collect(store, world, clock)

    raised = {(d.event.rule_id, d.event.repo) for d in store.list_deliveries(limit=100)}
    assert raised == {(one.id, first), (group.id, second)}
    assert third not in {repo for _, repo in raised} and reach.id is not None


def test_no_rules_means_no_reads(store: SqlStore) -> None:
    store.add_subject(RepoName("octo", "widgets"), [], added_at=WEDNESDAY_NOON)
    point = Point(
        RepoName("octo", "widgets"),
        Family.STARS,
        WEDNESDAY_NOON,
        {"star_count": 10},
        Provenance.MEASURED,
        "t",
    )
    assert events_of(store, [point]) == []


def test_a_batch_reads_the_recent_stretch_of_watched_repositories_only(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    widgets, gadgets, gizmos = (RepoName("octo", name) for name in ("widgets", "gadgets", "gizmos"))
    for name in (widgets, gadgets, gizmos):
        store.add_subject(name, [], added_at=WEDNESDAY_NOON)
    batch = [
        Point(name, Family.STARS, WEDNESDAY_NOON, {"star_count": 10}, Provenance.MEASURED, "t")
        for name in (widgets, gadgets)
    ]
    reads: list[list[RepoName] | None] = []
    read_recent = store.read_recent

    def recorded(family: Family, **arguments: Any) -> Any:
        reads.append(arguments.get("repos"))
        return read_recent(family, **arguments)

    monkeypatch.setattr(store, "read_recent", recorded)
    add_rule(store, scope=Scope.REPOSITORY, scope_name=gizmos.full_name)
    assert events_of(store, batch) == [] and reads == []  # no rule watches the batch
    add_rule(store, scope=Scope.REPOSITORY, scope_name="OCTO/Widgets")
    events_of(store, batch)
    assert reads == [[widgets]]


async def test_a_scheduler_whose_collections_fail_raises_an_overdue_alert_once_per_outage(
    store: SqlStore, world: World
) -> None:
    clock = FixedClock(WEDNESDAY_NOON)
    track(store, world)
    rule = add_rule(store, RuleKind.OVERDUE, params={"slots": 2})
    scheduler = scheduler_of(store, world, clock)
    await scheduler.run_due()  # collected: nothing overdue
    assert store.list_deliveries() == []

    failing = scheduler_of(store, world, clock, transport=Refusing())
    for _ in range(4):  # four slots of stars refused
        clock.advance(timedelta(hours=3))
        await failing.run_due()
    (delivery,) = store.list_deliveries()
    assert delivery.event.rule_id == rule.id and delivery.event.repo is None
    assert delivery.event.event_key.startswith("overdue:stars:all:")
    assert delivery.event.details["series_count"] == len(world.repos)

    clock.advance(timedelta(hours=3))
    await scheduler.run_due()  # collected again: the outage is over
    for _ in range(4):
        clock.advance(timedelta(hours=3))
        await failing.run_due()
    keys = [d.event.event_key for d in store.list_deliveries()]
    assert len(keys) == 2 and len(set(keys)) == 2


def test_overdue_rules_judge_only_their_scope_and_their_schedule(store: SqlStore) -> None:
    repo, other = RepoName("octo", "widgets"), RepoName("octo", "gadgets")
    tracked = datetime(2026, 11, 2, tzinfo=UTC)
    store.add_subject(repo, [], added_at=tracked)
    store.add_subject(other, [], added_at=tracked)
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    store.write_points(
        [Point(other, Family.STARS, now, {"star_count": 1}, Provenance.MEASURED, "t")]
    )
    add_rule(
        store,
        RuleKind.OVERDUE,
        params={"slots": 3},
        scope=Scope.REPOSITORY,
        scope_name=other.full_name,
    )
    mine = add_rule(
        store,
        RuleKind.OVERDUE,
        params={"slots": 3},
        scope=Scope.REPOSITORY,
        scope_name=repo.full_name,
    )
    (event,) = write_overdue_events(store, now, LOS_ANGELES)
    assert event.rule_id == mine.id and event.repo == repo
    again = write_overdue_events(store, now + timedelta(hours=1), LOS_ANGELES)
    assert [each.event_key for each in again] == [event.event_key]
    assert len(store.list_deliveries()) == 1  # the same outage: written once
