"""What alert rules notice: milestones, spikes, weekly download drops and overdue collections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossgrowth.alert_types import AlertRule, Channel, RuleKind, Scope
from ossgrowth.metrics.alert_rules import (
    EVENT_KEY_LENGTH,
    Watched,
    evaluate,
    in_scope,
    overdue_events,
    recent_span,
    round_number_at_most,
)
from ossgrowth.model import Ecosystem, Family, PackageRef, Point, Provenance, RepoName, Series

REPO = RepoName("Octo", "Widgets")
NPM = PackageRef(Ecosystem.NPM, "widgets")
T0 = datetime(2026, 3, 2, 12, tzinfo=UTC)  # a Monday
DAY = timedelta(days=1)


def rule(kind: RuleKind = RuleKind.MILESTONE, **changes: Any) -> AlertRule:
    values: dict[str, Any] = {
        "name": "watch",
        "kind": kind,
        "family": Family.STARS,
        "field": "star_count",
        "scope": Scope.ALL,
        "channel": Channel.WEBHOOK,
        "target": "https://hooks.example.com/x",
        "params": {},
        "id": 7,
        "created_at": T0,
    }
    values.update(changes)
    return AlertRule(**values)


def star(count: int, at: datetime, repo: RepoName = REPO) -> Point:
    return Point(repo, Family.STARS, at, {"star_count": count}, Provenance.MEASURED, "t")


def weekly(count: int, at: datetime) -> Point:
    return Point(
        REPO,
        Family.DOWNLOADS,
        at,
        {"weekly_downloads": count, "total_downloads": None},
        Provenance.MEASURED,
        "npm",
        package=NPM,
    )


def stored(points: list[Point]) -> Series:
    first = points[0]
    rows = [
        (p.epoch_seconds, *p.ordered_values, int(p.provenance), p.source)
        for p in sorted(points, key=lambda p: p.epoch_seconds)
    ]
    return Series(first.repo, first.family, first.package, rows)


# round numbers -------------------------------------------------------------------------------


def _is_round(number: int) -> bool:
    text = str(number)
    return text[0] in "125" and set(text[1:]) <= {"0"}


@given(st.integers(min_value=1, max_value=10**15))
def test_the_round_number_at_most_a_value_is_the_largest_of_1_2_5_times_a_power_of_ten(
    value: int,
) -> None:
    found = round_number_at_most(value)
    assert found is not None and _is_round(found) and found <= value
    following = [m * 10**p for p in range(17) for m in (1, 2, 5) if m * 10**p > found]
    assert min(following) > value


def test_below_one_there_is_no_round_number() -> None:
    assert round_number_at_most(0) is None and round_number_at_most(0.5) is None
    assert round_number_at_most(1.7) == 1 and round_number_at_most(999.99) == 500


# milestones ----------------------------------------------------------------------------------


def test_a_milestone_fires_when_the_next_round_number_is_passed() -> None:
    (event,) = evaluate(rule(), stored([star(990, T0)]), [star(1004, T0 + timedelta(hours=3))])
    assert event.event_key == "milestone:octo/widgets:star_count:1000"
    assert event.summary == "Octo/Widgets reached 1,000 stars"
    assert event.details["threshold"] == 1000 and event.details["previous"] == 990
    assert event.rule_id == 7 and event.repo == REPO and event.family is Family.STARS


def test_no_milestone_without_a_value_before_or_without_passing_one() -> None:
    assert evaluate(rule(), None, [star(1004, T0)]) == []
    assert evaluate(rule(), stored([star(1001, T0)]), [star(1500, T0 + DAY)]) == []
    # a point at the stored moment again (a second collector) compares with what came before
    (again,) = evaluate(
        rule(), stored([star(990, T0), star(1004, T0 + DAY)]), [star(1004, T0 + DAY)]
    )
    assert again.event_key.endswith(":1000")


def test_a_milestone_passing_several_round_numbers_names_the_highest() -> None:
    (event,) = evaluate(rule(), stored([star(900, T0)]), [star(2100, T0 + DAY)])
    assert event.event_key.endswith(":2000")


def test_a_rules_own_value_is_the_milestone() -> None:
    watch = rule(params={"value": 1234})
    assert evaluate(watch, stored([star(1200, T0)]), [star(1233, T0 + DAY)]) == []
    (event,) = evaluate(watch, stored([star(1233, T0)]), [star(1234, T0 + DAY)])
    assert event.event_key.endswith(":1234") and event.details["threshold"] == 1234


@given(st.lists(st.integers(min_value=0, max_value=5_000), min_size=2, max_size=40))
def test_milestones_name_a_passed_round_number_and_each_fires_at_most_once_on_the_way_up(
    steps: list[int],
) -> None:
    values = [sum(steps[: n + 1]) for n in range(len(steps))]  # never falls
    points = [star(value, T0 + n * timedelta(hours=3)) for n, value in enumerate(values)]
    events = evaluate(rule(), stored(points[:1]), points[1:])
    keys = [event.event_key for event in events]
    assert len(keys) == len(set(keys))
    for event in events:
        threshold = event.details["threshold"]
        assert _is_round(threshold)
        assert event.details["previous"] < threshold <= event.details["value"]
    if values[-1] >= 1 and values[0] < (top := round_number_at_most(values[-1]) or 0):
        assert keys and keys[-1].endswith(f":{top}")


# spikes --------------------------------------------------------------------------------------


def steady(days: int, per_day: int, *, start: int = 100) -> list[Point]:
    return [star(start + per_day * n, T0 - (days - n) * DAY) for n in range(days + 1)]


def test_a_day_gaining_more_than_k_times_the_median_is_a_spike() -> None:
    history = steady(28, 10)  # 10 a day, the last at T0 - 0 days
    last = history[-1].values["star_count"]
    assert isinstance(last, int)
    spike = rule(RuleKind.SPIKE, params={"k": 3})
    (event,) = evaluate(spike, stored(history), [star(last + 31, T0 + DAY)])
    assert event.event_key == f"spike:octo/widgets:star_count:{(T0 + DAY).date().isoformat()}"
    assert event.details["gain"] == 31 and event.details["median_gain"] == 10
    assert evaluate(spike, stored(history), [star(last + 30, T0 + DAY)]) == []


def test_a_quiet_series_needs_more_than_k_in_a_day() -> None:
    history = steady(20, 0)
    spike = rule(RuleKind.SPIKE, params={"k": 5})
    assert evaluate(spike, stored(history), [star(105, T0 + DAY)]) == []
    (event,) = evaluate(spike, stored(history), [star(106, T0 + DAY)])
    assert event.details["median_gain"] == 0


def test_no_spike_without_a_week_of_daily_gains_or_without_yesterday() -> None:
    spike = rule(RuleKind.SPIKE, params={"k": 2})
    assert evaluate(spike, stored(steady(5, 1)), [star(999, T0 + DAY)]) == []
    history = steady(28, 1)
    assert evaluate(spike, stored(history), [star(999, T0 + 3 * DAY)]) == []  # a gap


def test_the_days_of_a_spike_rule_bound_the_median_it_reads() -> None:
    history = steady(28, 1) + [star(200 + n * 50, T0 + (n + 1) * DAY) for n in range(10)]
    spike = rule(RuleKind.SPIKE, params={"k": 2, "days": 7})
    assert evaluate(spike, stored(history), [star(200 + 9 * 50 + 60, T0 + 11 * DAY)]) == []
    wide = rule(RuleKind.SPIKE, params={"k": 2, "days": 28})
    assert len(evaluate(wide, stored(history), [star(200 + 9 * 50 + 60, T0 + 11 * DAY)])) == 1
    assert recent_span(spike) == 9 * DAY and recent_span(wide) == 30 * DAY


# weekly download drops -----------------------------------------------------------------------


def test_weekly_downloads_falling_beyond_the_percent_is_a_drop_named_by_its_week() -> None:
    drop = rule(
        RuleKind.DOWNLOADS_DROP,
        family=Family.DOWNLOADS,
        field="weekly_downloads",
        params={"percent": 50},
    )
    (event,) = evaluate(drop, stored([weekly(1000, T0)]), [weekly(400, T0 + 7 * DAY)])
    assert event.event_key == "downloads-drop:octo/widgets#npm:widgets:weekly_downloads:2026-W11"
    assert event.details["percent"] == 60 and event.details["package"] == "npm:widgets"
    assert "fell 60% in a week, from 1,000 to 400" in event.summary
    assert evaluate(drop, stored([weekly(1000, T0)]), [weekly(500, T0 + 7 * DAY)]) == []
    assert evaluate(drop, stored([weekly(1000, T0)]), [weekly(10, T0 + 10 * DAY)]) == []
    assert evaluate(drop, stored([weekly(0, T0)]), [weekly(0, T0 + 7 * DAY)]) == []


@given(
    st.integers(min_value=1, max_value=10**7),
    st.integers(min_value=0, max_value=10**7),
    st.floats(min_value=0.01, max_value=100),
)
def test_a_drop_fires_exactly_when_the_fall_exceeds_the_percent(
    before: int, after: int, percent: float
) -> None:
    drop = rule(
        RuleKind.DOWNLOADS_DROP,
        family=Family.DOWNLOADS,
        field="weekly_downloads",
        params={"percent": percent},
    )
    events = evaluate(drop, stored([weekly(before, T0)]), [weekly(after, T0 + 7 * DAY)])
    assert bool(events) == ((before - after) / before * 100 > percent)


# scope, overdue and keys ---------------------------------------------------------------------


def test_scopes_name_a_repository_a_collections_members_or_all() -> None:
    assert in_scope(rule(), REPO)
    one = rule(scope=Scope.REPOSITORY, scope_name="octo/WIDGETS")
    assert in_scope(one, REPO) and not in_scope(one, RepoName("octo", "other"))
    group = rule(scope=Scope.COLLECTION, scope_name="tools")
    assert in_scope(group, REPO, frozenset({"octo/widgets"}))
    assert not in_scope(group, REPO, frozenset()) and not in_scope(group, REPO, None)


SLOTS = [T0 + n * timedelta(hours=3) for n in range(8)]


def _after(moment: datetime) -> datetime:
    return next(slot for slot in [*SLOTS, SLOTS[-1] + timedelta(hours=3)] if slot > moment)


def test_an_overdue_rule_names_the_series_that_missed_the_last_slots() -> None:
    overdue = rule(RuleKind.OVERDUE, params={"slots": 3})
    fresh = Watched(RepoName("a", "fresh"), None, SLOTS[-1], T0 - DAY)
    stale = Watched(RepoName("b", "stale"), None, SLOTS[3], T0 - DAY)
    never = Watched(RepoName("c", "never"), None, None, T0 - DAY)
    late = Watched(RepoName("d", "new"), None, None, SLOTS[-2])  # tracked since the first
    now = SLOTS[-1] + timedelta(hours=1)
    (event,) = overdue_events(
        overdue, slots=SLOTS, watched=[fresh, stale, never, late], first_slot_after=_after, now=now
    )
    assert event.details["series"] == ["b/stale", "c/never"]
    # the slot after b's last point (SLOTS[3], 21:00): the newest outage began there
    assert event.event_key == "overdue:stars:all:2026-03-03T00:00:00Z"
    assert event.repo is None and event.observed_at == now
    assert (
        overdue_events(
            overdue, slots=SLOTS, watched=[fresh, late], first_slot_after=_after, now=now
        )
        == []
    )
    assert (
        overdue_events(
            rule(RuleKind.OVERDUE, params={"slots": 30}),
            slots=SLOTS,
            watched=[stale],
            first_slot_after=_after,
            now=now,
        )
        == []
    )


def test_the_key_of_one_outage_stays_while_it_lasts() -> None:
    overdue = rule(RuleKind.OVERDUE, params={"slots": 2})
    stale = Watched(REPO, None, SLOTS[1], T0 - DAY)
    keys = {
        event.event_key
        for end in range(4, len(SLOTS) + 1)
        for event in overdue_events(
            overdue, slots=SLOTS[:end], watched=[stale], first_slot_after=_after, now=SLOTS[end - 1]
        )
    }
    assert keys == {"overdue:stars:all:2026-03-02T18:00:00Z"}


def test_event_keys_are_kept_short_and_stable() -> None:
    package = PackageRef(Ecosystem.NPM, "x" * 214)
    long_rule = rule(
        RuleKind.MILESTONE, family=Family.DOWNLOADS, field="weekly_downloads", params={}
    )
    repo = RepoName("o" * 39, "n" * 100)

    def point(count: int, at: datetime) -> Point:
        return Point(
            repo,
            Family.DOWNLOADS,
            at,
            {"weekly_downloads": count, "total_downloads": None},
            Provenance.MEASURED,
            "npm",
            package=package,
        )

    first = evaluate(long_rule, stored([point(90, T0)]), [point(100, T0 + DAY)])
    second = evaluate(long_rule, stored([point(90, T0)]), [point(100, T0 + DAY)])
    assert len(first[0].event_key) == EVENT_KEY_LENGTH
    assert first[0].event_key == second[0].event_key


@pytest.mark.parametrize("kind", list(RuleKind))
def test_a_rule_without_an_id_or_without_new_points_notices_nothing(kind: RuleKind) -> None:
    params = {"k": 2, "percent": 10, "slots": 1}
    assert evaluate(rule(kind, params=params, id=None), None, [star(5, T0)]) == []
    assert evaluate(rule(kind, params=params), stored([star(5, T0)]), []) == []
