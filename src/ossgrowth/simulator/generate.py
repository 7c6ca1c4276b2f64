"""Build a world's repositories from a seed: names, renames, stars, issue lifecycles, reach.

Every repository draws from its own ``random.Random`` seeded by the world seed and its index,
so one repository's history does not change when another knob does. Scenario bursts of stars
(:mod:`ossgrowth.simulator.bursts`) come on top, from streams of their own. Forks and watchers draw
from a second stream per repository (:mod:`ossgrowth.simulator.reach`), and forks take their
ids only after every repository has its own, so adding them changed no earlier figure.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ossgrowth.simulator.activity import activity_curve, lognormal_delay, spread_over_curve
from ossgrowth.simulator.bursts import burst_stars
from ossgrowth.simulator.config import WorldConfig
from ossgrowth.simulator.downloads import packages_for
from ossgrowth.simulator.entities import Closure, SimIssue, SimRepo, SimStar
from ossgrowth.simulator.identifiers import repository_node_id
from ossgrowth.simulator.reach import draw_forks, draw_watchers

__all__ = ["generate_repos"]

_GITHUB_EPOCH = datetime(2008, 1, 1, tzinfo=UTC)
_OWNERS = (
    "acme-labs", "brightloop", "cobaltworks", "driftwood-dev", "ember-io", "fernhill",
    "granite-oss", "harbor-tools", "ironbark", "juniper-hq", "kestrel-ai", "lumen-data",
    "mossgrove", "northwind-eng", "orchid-js", "pinecone-py", "quartzlab", "riverbend",
    "saltmarsh", "tidewater",
)  # fmt: skip
_FIRST_WORDS = (
    "fast", "tiny", "open", "deep", "swift", "lazy", "bright", "quiet", "rapid", "smart",
    "pure", "micro", "hyper", "simple", "solid", "prism", "nimble", "cosmic", "async", "zen",
)  # fmt: skip
_SECOND_WORDS = (
    "json", "cache", "router", "parser", "queue", "graph", "store", "lint", "build", "test",
    "vector", "stream", "auth", "schema", "charts", "sync", "search", "deploy", "metrics", "ui",
)  # fmt: skip
_LANGUAGES = ("Python", "TypeScript", "Rust", "Go", "JavaScript", "C++", "Java", "Kotlin")
_VERBS = ("Fix", "Add", "Support", "Improve", "Document", "Remove", "Refactor", "Speed up")
_TOPICS = (
    "error on empty input", "Windows paths", "streaming mode", "the CLI help", "retry logic",
    "unicode names", "config loading", "memory use", "timeouts", "the release workflow",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Plan:
    """Size and shape of one repository before its events are drawn."""

    created_at: datetime
    star_total: int
    item_total: int
    pull_request_share: float


def generate_repos(config: WorldConfig) -> tuple[SimRepo, ...]:
    """Every repository of the world described by ``config``, deterministic in its seed."""
    names = _unique_names(random.Random(f"{config.seed}:names"), config.repo_count + 1)
    total = config.repo_count + (1 if config.big_repo_items else 0)
    taken = {f"{owner}/{name}".lower() for owner, name in names[:total]}
    used_ids: set[int] = set()
    starts = []
    for index in range(total):  # every repository's id before any fork takes one
        rng = random.Random(f"{config.seed}:repo:{index}")
        plan = _plan(rng, config, index, big=index == config.repo_count)
        previous = _previous_names(rng, config, names, index, taken)
        starts.append((rng, plan, previous, _repository_id(plan.created_at, used_ids)))
    repos = []
    for index, (rng, plan, previous, database_id) in enumerate(starts):
        owner, name = names[index]
        curve = activity_curve(rng, _days_between(plan.created_at, config.horizon))
        stars = _stars(rng, plan, curve, config.horizon)
        items = _items(rng, plan, curve, config.horizon, database_id)
        language = rng.choice(_LANGUAGES)  # the draws keep their order: language, packages, forks
        packages = packages_for(rng, config, database_id, name, owner, plan.created_at)
        fork_share = rng.uniform(0.03, 0.2)
        reach = random.Random(f"{config.seed}:reach:{index}")
        extra_stars, accounts = burst_stars(
            config.seed,
            [
                (number, burst)
                for number, burst in enumerate(config.bursts)
                if burst.repo_index == index
            ],
            plan.created_at,
            config.horizon,
        )
        if extra_stars:
            stars = tuple(sorted((*stars, *extra_stars), key=lambda star: star.starred_at))
        repos.append(
            SimRepo(
                owner=owner,
                name=name,
                database_id=database_id,
                node_id=repository_node_id(database_id),
                created_at=plan.created_at,
                description=f"{name.replace('-', ' ').capitalize()}, simulated for ossgrowth.",
                language=language,
                owner_id=10_000 + sum(ord(char) for char in owner) * 97,
                previous_names=previous,
                stars=stars,
                items=items,
                packages=packages,
                fork_share=fork_share,
                forks=draw_forks(
                    reach,
                    int(plan.star_total * fork_share),
                    plan.created_at,
                    curve,
                    config.horizon,
                    lambda moment: _repository_id(moment, used_ids),
                ),
                watchers=draw_watchers(
                    reach, plan.star_total, plan.created_at, curve, config.horizon
                ),
                accounts=tuple(accounts),
            )
        )
    return tuple(repos)


def _unique_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """``2 * count`` distinct names (the spares are the old names of renames): drawn from the
    word lists while they are far from used up, then with a running number (``-7``)."""
    wanted = count * 2
    drawn = min(wanted, len(_OWNERS) * len(_FIRST_WORDS) * len(_SECOND_WORDS) // 2)
    names: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(names) < drawn:
        owner = rng.choice(_OWNERS)
        name = f"{rng.choice(_FIRST_WORDS)}-{rng.choice(_SECOND_WORDS)}"
        key = f"{owner}/{name}".lower()
        if key not in seen:
            seen.add(key)
            names.append((owner, name))
    for number in range(wanted - drawn):  # a third part no drawn name has: all distinct
        owner = rng.choice(_OWNERS)
        names.append((owner, f"{rng.choice(_FIRST_WORDS)}-{rng.choice(_SECOND_WORDS)}-{number}"))
    return names


def _previous_names(
    rng: random.Random,
    config: WorldConfig,
    names: list[tuple[str, str]],
    index: int,
    taken: set[str],
) -> tuple[str, ...]:
    if rng.random() >= config.rename_share:
        return ()
    spare_owner, spare_name = names[-1 - index]  # spares sit at the end, one per repository
    owner = spare_owner if rng.random() < 0.3 else names[index][0]  # a third are transfers
    for candidate in (f"{owner}/{spare_name}", f"{spare_owner}/{spare_name}"):
        if candidate.lower() not in taken:
            taken.add(candidate.lower())
            return (candidate,)
    return ()


def _plan(rng: random.Random, config: WorldConfig, index: int, *, big: bool) -> _Plan:
    scale = config.activity_scale
    if index == 0:
        age_days = config.oldest_repo_age_days
    else:
        age_days = int(30 + (min(config.oldest_repo_age_days, 3000) - 30) * rng.random() ** 1.5)
    created_at = config.now - timedelta(days=age_days, seconds=rng.randrange(86_400))
    popularity = math.exp(rng.gauss(5.6, 1.3)) * (6.0 if index == 0 else 1.0)
    star_total = int(min(popularity, 40_000) * scale)
    item_total = int(star_total * rng.uniform(0.1, 0.5)) + rng.randrange(3)
    if big:
        star_total = int(20_000 * scale)
        item_total = config.big_repo_items
    return _Plan(created_at, star_total, item_total, rng.uniform(0.3, 0.6))


def _repository_id(created_at: datetime, used: set[int]) -> int:
    candidate = 1_000 + int((created_at - _GITHUB_EPOCH).total_seconds() / 0.43)
    while candidate in used:
        candidate += 1
    used.add(candidate)
    return candidate


def _days_between(start: datetime, end: datetime) -> int:
    return max(1, math.ceil((end - start).total_seconds() / 86_400))


def _stars(
    rng: random.Random, plan: _Plan, curve: list[float], horizon: datetime
) -> tuple[SimStar, ...]:
    moments = spread_over_curve(rng, plan.star_total, plan.created_at, curve, horizon)
    user_ids = rng.sample(range(1_000, 9_000_000), len(moments))
    stars = []
    for user_id, starred_at in zip(user_ids, moments, strict=True):
        unstarred_at = None
        if rng.random() < 0.04:
            candidate = starred_at + timedelta(days=rng.expovariate(1 / 90.0), hours=1)
            unstarred_at = candidate if candidate <= horizon else None
        stars.append(SimStar(user_id, starred_at, unstarred_at))
    return tuple(stars)


def _items(
    rng: random.Random, plan: _Plan, curve: list[float], horizon: datetime, repository_id: int
) -> tuple[SimIssue, ...]:
    # Issues follow activity less steeply than stars: a launch brings stars more than bugs.
    softened = [math.sqrt(level) for level in curve]
    moments = spread_over_curve(rng, plan.item_total, plan.created_at, softened, horizon)
    items = []
    for number, created_at in enumerate(moments, start=1):
        is_pull_request = rng.random() < plan.pull_request_share
        title = f"{rng.choice(_VERBS)} {rng.choice(_TOPICS)}"
        if is_pull_request:
            closures, merged_at = _pull_request_lifecycle(rng, created_at, horizon)
        else:
            closures, merged_at = _issue_lifecycle(rng, created_at, horizon), None
        items.append(
            SimIssue(
                number=number,
                database_id=1_000_000_000 + repository_id % 10_000 * 100_000 + number,
                is_pull_request=is_pull_request,
                title=title,
                author_id=rng.randrange(1_000, 9_000_000),
                created_at=created_at,
                closures=closures,
                merged_at=merged_at,
            )
        )
    return tuple(items)


def _issue_lifecycle(
    rng: random.Random, created_at: datetime, horizon: datetime
) -> tuple[Closure, ...]:
    if rng.random() >= 0.75:
        return ()
    closed_at = created_at + lognormal_delay(rng, 72, 1.6)
    if closed_at > horizon:
        return ()
    if rng.random() >= 0.07:
        return (Closure(closed_at),)
    reopened_at = closed_at + lognormal_delay(rng, 48, 1.2)
    if reopened_at > horizon:
        return (Closure(closed_at),)
    first = Closure(closed_at, reopened_at)
    if rng.random() >= 0.7:
        return (first,)
    closed_again = reopened_at + lognormal_delay(rng, 120, 1.2)
    return (first, Closure(closed_again)) if closed_again <= horizon else (first,)


def _pull_request_lifecycle(
    rng: random.Random, created_at: datetime, horizon: datetime
) -> tuple[tuple[Closure, ...], datetime | None]:
    outcome = rng.random()
    if outcome >= 0.85:  # still open, or abandoned without a close
        return (), None
    closed_at = created_at + lognormal_delay(rng, 40, 1.5)
    if closed_at > horizon:
        return (), None
    if outcome < 0.65:
        return (Closure(closed_at),), closed_at
    if rng.random() >= 0.1:  # closed without merge, for good
        return (Closure(closed_at),), None
    reopened_at = closed_at + lognormal_delay(rng, 24, 1.0)
    if reopened_at > horizon:
        return (Closure(closed_at),), None
    merged_at = reopened_at + lognormal_delay(rng, 24, 1.0)
    if rng.random() < 0.5 and merged_at <= horizon:
        return (Closure(closed_at, reopened_at), Closure(merged_at)), merged_at
    return (Closure(closed_at, reopened_at),), None
