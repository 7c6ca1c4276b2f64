"""Reconstructed history equals what daily snapshots of the simulated world recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ossgrowth.metrics.history import (
    DayCount,
    ItemTimes,
    day_of,
    download_history,
    fork_history,
    issue_history,
    midnight_seconds,
    pull_request_history,
    star_history_from_days,
    star_history_from_stargazers,
)
from ossgrowth.model import to_epoch_seconds
from ossgrowth.simulator import Closure, SimIssue, SimRepo, SimStar, World, WorldConfig
from ossgrowth.simulator.star_history import weekly_rows

NOW = datetime(2026, 11, 25, tzinfo=UTC)
CONFIG = WorldConfig(now=NOW, repo_count=1)


@st.composite
def repositories(draw: st.DrawFn, *, midnight_stars: bool = True) -> SimRepo:
    """A repository whose items were never reopened and whose stars were never taken back."""
    age_seconds = draw(st.integers(2 * 86_400, 90 * 86_400))
    created_at = NOW - timedelta(seconds=age_seconds)
    moment = st.integers(0, age_seconds)
    items = []
    for number in range(1, draw(st.integers(0, 30)) + 1):
        opened = draw(moment)
        pull = draw(st.booleans())
        fate = draw(st.sampled_from(["open", "closed", "merged"] if pull else ["open", "closed"]))
        closed = None if fate == "open" else draw(st.integers(opened, age_seconds))
        at = [created_at + timedelta(seconds=s) for s in (opened, closed) if s is not None]
        items.append(
            SimIssue(
                number=number,
                database_id=number,
                is_pull_request=pull,
                title="t",
                author_id=1,
                created_at=at[0],
                closures=(Closure(at[1]),) if len(at) == 2 else (),
                merged_at=at[1] if fate == "merged" else None,
            )
        )
    items.sort(key=lambda item: item.created_at)
    offsets = sorted(draw(st.lists(moment, max_size=40)))
    if not midnight_stars:
        offsets = [s for s in offsets if (to_epoch_seconds(created_at) + s) % 86_400]
    stars = tuple(
        SimStar(user_id=index, starred_at=created_at + timedelta(seconds=s))
        for index, s in enumerate(offsets)
    )
    return SimRepo(
        owner="octo",
        name="history",
        database_id=1,
        node_id="R_1",
        created_at=created_at,
        description="",
        language="Python",
        owner_id=1,
        previous_names=(),
        stars=stars,
        items=tuple(items),
        packages=(),
        fork_share=0.0,
    )


def times(repo: SimRepo, pull: bool) -> list[ItemTimes]:
    return [
        ItemTimes(
            created_at=to_epoch_seconds(item.created_at),
            closed_at=_seconds(item.closed_at_at(NOW)),
            merged_at=_seconds(item.merged_at_at(NOW)),
        )
        for item in repo.items
        if item.is_pull_request == pull
    ]


def _seconds(moment: datetime | None) -> int | None:
    return None if moment is None else to_epoch_seconds(moment)


def truth(repo: SimRepo) -> list[tuple[date, tuple[int, ...]]]:
    world = World(CONFIG, (repo,))
    return [
        (day, (s.star_count, s.open_issues, s.closed_issues, s.open_prs, s.merged_prs))
        for day, s in world.daily_snapshots(repo.full_name)
    ]


def span(repo: SimRepo) -> tuple[date, date]:
    return repo.created_at.date() + timedelta(days=1), NOW.date()


@settings(max_examples=60, deadline=None)
@given(repositories())
def test_issue_and_pull_request_history_equals_the_daily_snapshots(repo: SimRepo) -> None:
    first, last = span(repo)
    issues = issue_history(times(repo, pull=False), first, last)
    pulls = pull_request_history(times(repo, pull=True), first, last)
    rebuilt = [
        (i.day, (i.open_issues, i.closed_issues, p.open_prs, p.merged_prs))
        for i, p in zip(issues, pulls, strict=True)
    ]
    assert rebuilt == [(day, values[1:]) for day, values in truth(repo)]


@settings(max_examples=60, deadline=None)
@given(repositories())
def test_star_history_from_stargazers_equals_the_daily_snapshots(repo: SimRepo) -> None:
    first, last = span(repo)
    stars = [to_epoch_seconds(star.starred_at) for star in repo.stars]
    rebuilt = star_history_from_stargazers(stars, first, last)
    assert [(s.day, s.star_count) for s in rebuilt] == [(d, v[0]) for d, v in truth(repo)]


@settings(max_examples=60, deadline=None)
@given(repositories(midnight_stars=False))
def test_star_history_from_weekly_rows_equals_the_daily_snapshots(repo: SimRepo) -> None:
    rows = weekly_rows(list(repo.stars), repo.created_at, NOW)
    daily = [
        DayCount(day_of(int(row["week"]) + 86_400 * offset), count)  # type: ignore[call-overload]
        for row in rows
        for offset, count in enumerate(row["days"])  # type: ignore[arg-type]
    ]
    first, last = span(repo)
    rebuilt = star_history_from_days(daily, first, last)
    assert [(s.day, s.star_count) for s in rebuilt] == [(d, v[0]) for d, v in truth(repo)]


def test_a_reopened_issue_counts_as_open_since_creation_which_is_the_documented_limit() -> None:
    first = date(2026, 1, 1)
    reopened = ItemTimes(created_at=midnight_seconds(first) - 10)  # closed on day 2, reopened
    history = issue_history([reopened], first, first + timedelta(days=3))
    assert [day.open_issues for day in history] == [1, 1, 1, 1]


def test_a_star_history_ends_at_the_stars_held_today() -> None:
    daily = [DayCount(date(2026, 1, 1), 3), DayCount(date(2026, 1, 3), 2)]
    history = star_history_from_days(daily, date(2026, 1, 1), date(2026, 1, 4))
    assert [day.star_count for day in history] == [0, 3, 3, 5]


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=60), st.booleans())
def test_download_weeks_are_seven_day_sums_and_totals_running_sums(
    counts: list[int], from_first_day: bool
) -> None:
    start = date(2025, 6, 1)
    daily = [DayCount(start + timedelta(days=i), n) for i, n in enumerate(counts)]
    history = download_history(daily, starts_with_first_day=from_first_day)
    for index, day in enumerate(history):
        assert day.total_downloads == sum(counts[: index + 1])
        if index >= 6 or from_first_day:
            assert day.weekly_downloads == sum(counts[max(0, index - 6) : index + 1])
        else:
            assert day.weekly_downloads is None
    assert history[-1].total_downloads == sum(counts)


@st.composite
def forks(draw: st.DrawFn) -> tuple[list[tuple[int, int | None]], date, date]:
    """Forks as ``(created, deleted or None)`` in epoch seconds, and the days to rebuild."""
    start = midnight_seconds(date(2026, 1, 1))
    span_days = draw(st.integers(1, 60))
    moment = st.integers(start, start + span_days * 86_400)
    made = []
    for _ in range(draw(st.integers(0, 40))):
        created = draw(moment)
        deleted = draw(st.one_of(st.none(), st.integers(created, start + (span_days + 5) * 86_400)))
        made.append((created, deleted))
    return made, date(2026, 1, 1), date(2026, 1, 1) + timedelta(days=span_days)


@settings(max_examples=100, deadline=None)
@given(forks())
def test_fork_history_counts_todays_forks_and_misses_exactly_those_deleted_since(
    drawn: tuple[list[tuple[int, int | None]], date, date],
) -> None:
    made, first, last = drawn
    surviving = [created for created, deleted in made if deleted is None]
    rebuilt = fork_history(surviving, first, last)
    assert [row.day for row in rebuilt] == [
        first + timedelta(days=n) for n in range((last - first).days + 1)
    ]
    for row in rebuilt:
        midnight = midnight_seconds(row.day)
        existing = [
            deleted
            for created, deleted in made
            if created <= midnight and (deleted is None or deleted > midnight)
        ]
        deleted_since = sum(1 for deleted in existing if deleted is not None)
        assert row.forks == len(existing) - deleted_since
