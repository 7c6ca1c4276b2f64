"""A store for looking at the dashboard: a few repositories with years of history up to now.

Used by the browser tests, ``docs/screenshots/make_screenshots.py`` and
``bench/dashboard.py``. The history is deterministic (a seeded random walk), ends at the
3-hour slot before ``now`` and has what the page must show right: reconstructed then measured
points, a day with no star points (a gap), PyPI totals counted from a window, a repository with
a single point, one still being reconstructed, and flagged days: a launch (a spike) and a
purchase of stars (unusual, its stargazers' accounts mostly new).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from ossgrowth.alert_types import AlertEvent, AlertRule, Channel, DeliveryStatus, RuleKind, Scope
from ossgrowth.checkpoints import BackfillStatus, PageCheckpoint
from ossgrowth.metrics.unusual import StargazerDay, daily_gains
from ossgrowth.model import Ecosystem, Family, PackageRef, Point, Provenance, RepoName
from ossgrowth.store import SqlStore

__all__ = [
    "BURSTS",
    "COLLECTION",
    "GAP_DAYS_AGO",
    "MEASURED_DAYS",
    "RULE",
    "RULE_ERROR",
    "SeededCollection",
    "SeededRepo",
    "WORLD",
    "seed_store",
    "slot_before",
]

STEP = timedelta(hours=3)
GAP_DAYS_AGO = 20
"""Stars of the first repository have no point on this day (counted back from ``now``)."""
MEASURED_DAYS = 90
"""The newest days are measured; everything older was reconstructed by the backfill."""


@dataclass(frozen=True, slots=True)
class SeededRepo:
    """A repository of the seeded world and how much history it gets."""

    repo: RepoName
    packages: tuple[PackageRef, ...]
    days: int
    stars_per_day: float
    first_stars: int = 0
    gap: bool = False
    backfilling: bool = False
    bursts: tuple[tuple[int, int, float], ...] = ()
    """Bursts of stars: (days before ``now``, stars, share of them from new accounts); a
    repository with bursts gets its stargazers' account ages too."""


WORLD: tuple[SeededRepo, ...] = (
    SeededRepo(
        RepoName("octo", "widgets"),
        (PackageRef(Ecosystem.NPM, "widgets"), PackageRef(Ecosystem.PYPI, "widgets")),
        days=5 * 365,
        stars_per_day=9.0,
        gap=True,
    ),
    SeededRepo(RepoName("acme", "rocket"), (PackageRef(Ecosystem.NPM, "rocket"),), 3 * 365, 25.0),
    SeededRepo(
        RepoName("lab", "notebook"),
        (PackageRef(Ecosystem.PYPI, "notebook"),),
        900,
        4.0,
        bursts=((60, 300, 0.04), (30, 300, 0.95)),
    ),
    SeededRepo(RepoName("tiny", "tool"), (), 400, 0.6, first_stars=2),
    SeededRepo(RepoName("octo", "gadgets"), (), 0, 0.0, first_stars=3),
    SeededRepo(RepoName("new", "arrival"), (), 0, 0.0, backfilling=True),
)


@dataclass(frozen=True, slots=True)
class SeededCollection:
    """A collection of the seeded world (made when all its members are in the world)."""

    slug: str
    name: str
    description: str
    members: tuple[RepoName, ...]


COLLECTION = SeededCollection(
    "rockets",
    "Rockets",
    "The fast growers",
    (RepoName("octo", "widgets"), RepoName("acme", "rocket"), RepoName("tiny", "tool")),
)
BURSTS = {"spike": 60, "unusual": 30}
"""Days before ``now`` of lab/notebook's flagged days, by the kind the API calls them."""
_NEW_ACCOUNT_SHARE = 0.03
"""Share of new accounts among the stargazers of an ordinary day."""
RULE = AlertRule(
    name="Widgets milestones",
    kind=RuleKind.MILESTONE,
    family=Family.STARS,
    field="star_count",
    scope=Scope.REPOSITORY,
    scope_name="octo/widgets",
    channel=Channel.WEBHOOK,
    target="https://hooks.example.com/services/seeded-path-secret",
    secret="seeded-signing-secret",
)
"""An alert rule of the seeded world, with one delivery that failed for good: the server never
sends it (served.py turns delivery off), and it never goes anywhere."""
RULE_ERROR = "503 Service Unavailable from https://hooks.example.com"


def slot_before(moment: datetime) -> datetime:
    """The 3-hour UTC boundary at or before ``moment``."""
    moment = moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return moment - timedelta(hours=moment.hour % 3)


def _provenance(moment: datetime, end: datetime) -> Provenance:
    recent = moment > end - timedelta(days=MEASURED_DAYS)
    return Provenance.MEASURED if recent else Provenance.RECONSTRUCTED


def _star_points(seeded: SeededRepo, end: datetime, rng: random.Random) -> Iterator[Point]:
    if seeded.days == 0:
        if seeded.first_stars:
            yield Point(
                seeded.repo,
                Family.STARS,
                end,
                {"star_count": seeded.first_stars},
                Provenance.MEASURED,
                "github-graphql",
            )
        return
    gap_start = end - timedelta(days=GAP_DAYS_AGO)
    moment = end - timedelta(days=seeded.days)
    stars = float(seeded.first_stars)
    burst_at = {_burst_moment(end, days_ago): count for days_ago, count, _ in seeded.bursts}
    while moment <= end:
        stars += max(0.0, rng.gauss(seeded.stars_per_day / 8, seeded.stars_per_day / 8))
        stars += burst_at.get(moment, 0)
        if not (seeded.gap and gap_start <= moment < gap_start + timedelta(days=1)):
            provenance = _provenance(moment, end)
            source = "github-graphql" if provenance is Provenance.MEASURED else "github-stargazers"
            yield Point(
                seeded.repo, Family.STARS, moment, {"star_count": int(stars)}, provenance, source
            )
        moment += STEP


def _burst_moment(end: datetime, days_ago: int) -> datetime:
    """The 3-hour step at noon UTC of the day ``days_ago`` days before ``end``."""
    noon = (end - timedelta(days=days_ago)).replace(hour=12)
    return end - timedelta(hours=3) * int((end - noon) / timedelta(hours=3))


def _stargazer_days(seeded: SeededRepo, points: list[Point], end: datetime) -> list[StargazerDay]:
    """The account ages the star backfill would have kept: each day's gain, listed, with
    :data:`_NEW_ACCOUNT_SHARE` of it from new accounts (a burst's own share on its day)."""
    shares = {(end - timedelta(days=ago)).date(): share for ago, _, share in seeded.bursts}
    stars = [(point.epoch_seconds, float(point.values["star_count"] or 0)) for point in points]
    days = []
    for gain in daily_gains(stars):
        listed = max(0, int(gain.gain))
        share = shares.get(gain.day, _NEW_ACCOUNT_SHARE)
        days.append(StargazerDay(gain.day, listed, round(listed * share)))
    return days


def _daily_points(seeded: SeededRepo, end: datetime, rng: random.Random) -> Iterator[Point]:
    day = end.replace(hour=0) - timedelta(days=seeded.days)
    open_prs, merged, open_issues, closed = 5, 0, 10, 0
    while day <= end:
        provenance = _provenance(day, end)
        merged += rng.randint(0, 4)
        open_prs = max(0, open_prs + rng.randint(-2, 2) + (open_prs < 40) - (open_prs > 60))
        closed += rng.randint(0, 5)
        drift = (open_issues < 120) - (open_issues > 180)
        open_issues = max(0, open_issues + rng.randint(-3, 3) + drift)
        yield Point(
            seeded.repo,
            Family.PRS,
            day,
            {
                "open_prs": open_prs,
                "merged_prs": merged,
                "ratio": round(merged / open_prs, 2) if open_prs else None,
            },
            provenance,
            "github-graphql" if provenance is Provenance.MEASURED else "github-timeline",
        )
        yield Point(
            seeded.repo,
            Family.ISSUES,
            day,
            {
                "open_issues": open_issues,
                "closed_issues": closed,
                "ratio": round(closed / open_issues, 2) if open_issues else None,
            },
            provenance,
            "github-graphql" if provenance is Provenance.MEASURED else "github-timeline",
        )
        measured = provenance is Provenance.MEASURED
        yield Point(
            seeded.repo,
            Family.REACH,
            day,
            {"forks": merged // 3, "watchers": 20 + closed // 50 if measured else None},
            provenance,
            "github-graphql" if measured else "github-forks",
        )
        day += timedelta(days=1)


def _download_points(seeded: SeededRepo, end: datetime, rng: random.Random) -> Iterator[Point]:
    for package in seeded.packages:
        pypi = package.ecosystem is Ecosystem.PYPI
        days = min(seeded.days, 180) if pypi else seeded.days
        day = end.replace(hour=0) - timedelta(days=days)
        daily: list[int] = []
        total = 0
        base = 400 if pypi else 1500
        while day <= end:
            count = max(0, int(rng.gauss(base + len(daily) * 2, base / 5)))
            daily.append(count)
            total += count
            weekly = sum(daily[-7:]) if len(daily) >= 7 else None
            if pypi:
                yield Point(
                    seeded.repo,
                    Family.DOWNLOADS,
                    day,
                    {"weekly_downloads": weekly, "total_downloads": total},
                    Provenance.RECONSTRUCTED,
                    "pypistats-180d",
                    package=package,
                )
            else:
                yield Point(
                    seeded.repo,
                    Family.DOWNLOADS,
                    day,
                    {"weekly_downloads": weekly, "total_downloads": total},
                    _provenance(day, end),
                    "npm-downloads",
                    package=package,
                )
            day += timedelta(days=1)


def _seed_alerts(store: SqlStore, end: datetime) -> None:
    """:data:`RULE` and one event of it whose delivery failed after three tries."""
    rule = store.add_alert_rule(replace(RULE, created_at=end - timedelta(days=2)))
    assert rule.id is not None
    event = AlertEvent(
        rule.id,
        "milestone:octo/widgets:stars:10000",
        RepoName("octo", "widgets"),
        Family.STARS,
        end - timedelta(days=1),
        "octo/widgets reached 10,000 stars",
        {"value": 10000},
    )
    store.write_points([], events=[event])
    (delivery,) = store.list_deliveries(rule_id=rule.id)
    owner = "seed"
    for attempt in (1, 2, 3):
        at = end - timedelta(hours=4 - attempt)
        assert store.claim_delivery(delivery.id, owner=owner, now=at, until=at + STEP)
        final = attempt == 3
        store.settle_delivery(
            delivery.id,
            owner=owner,
            status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
            attempts=attempt,
            at=at,
            next_attempt_at=None if final else at + timedelta(minutes=1),
            error=RULE_ERROR,
        )


def seed_store(store: SqlStore, now: datetime, world: tuple[SeededRepo, ...] = WORLD) -> None:
    """Track ``world`` in ``store`` and write its history up to the slot before ``now``; when
    the world holds :data:`COLLECTION`'s members, make it and :data:`RULE` too."""
    end = slot_before(now)
    rng = random.Random(7)
    for seeded in world:
        added = end - timedelta(days=max(seeded.days, 1))
        store.add_subject(seeded.repo, list(seeded.packages), added_at=added)
        stars = list(_star_points(seeded, end, rng))
        batch: list[Point] = list(stars)
        for generated in (
            _daily_points(seeded, end, rng) if seeded.days else iter(()),
            _download_points(seeded, end, rng) if seeded.days else iter(()),
        ):
            batch.extend(generated)
            if len(batch) > 50_000:
                store.write_points(batch)
                batch = []
        store.write_points(batch)
        if seeded.bursts:
            store.write_stargazer_days(seeded.repo, _stargazer_days(seeded, stars, end))
        families = list(Family)
        store.enqueue_backfill(seeded.repo, families, enqueued_at=added)
        if seeded.backfilling:
            page = PageCheckpoint(seeded.repo, Family.STARS, "stars", 1, "c1", "{}")
            store.save_backfill_page(page)
            continue
        for family in families:
            store.finish_backfill(
                seeded.repo,
                family,
                [],
                status=BackfillStatus.DONE,
                finished_at=added + timedelta(minutes=5),
                method="seeded",
            )
    tracked = {seeded.repo for seeded in world}
    if set(COLLECTION.members) <= tracked:
        store.create_collection(
            COLLECTION.slug,
            name=COLLECTION.name,
            description=COLLECTION.description,
            created_at=end - timedelta(days=3),
        )
        store.add_collection_members(COLLECTION.slug, list(COLLECTION.members))
        _seed_alerts(store, end)
