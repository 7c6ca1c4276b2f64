"""The knobs of a simulated world: its size, its moment, its tokens and the upstream rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ossgrowth.clock import utc
from ossgrowth.errors import InputError

__all__ = ["DEFAULT_NOW", "DEFAULT_TOKENS", "StarBurst", "WorldConfig"]

DEFAULT_NOW = datetime(2026, 11, 25, tzinfo=UTC)
DEFAULT_TOKENS = ("sim-token-1", "sim-token-2", "sim-token-3")
STARGAZER_LIST_RESTRICTED_FROM = datetime(2026, 6, 30, tzinfo=UTC)
STARGAZER_HISTORY_FROM = datetime(2026, 9, 4, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class StarBurst:
    """A scenario: ``stars`` extra stars given to one repository within one UTC day.

    ``bought``: the stars of a purchase, from accounts created one to seven days before the
    day (each account stars once and does nothing else). Otherwise an ordinary burst (a
    launch, a front page): accounts of all ages, as any other stargazer's.
    """

    repo_index: int
    """Which repository, in ``World.repos`` order."""
    day: date
    stars: int
    bought: bool = False

    def __post_init__(self) -> None:
        if self.repo_index < 0:
            raise InputError("invalid world: a burst's repo_index cannot be negative")
        if not 1 <= self.stars <= 100_000:
            raise InputError("invalid world: a burst has 1 to 100,000 stars")


@dataclass(frozen=True, slots=True)
class WorldConfig:
    """All :func:`~ossgrowth.simulator.build_world` needs; equal configs give equal worlds."""

    seed: int = 0
    repo_count: int = 20
    """Ordinary repositories; the big repository (``big_repo_items``) comes on top."""
    now: datetime = DEFAULT_NOW
    """The world's present: ground-truth helpers default to it, and a served world starts there."""
    future_days: int = 30
    """Days of activity simulated after ``now``, revealed as the clock advances."""
    activity_scale: float = 1.0
    """Multiplies every star, issue and download volume; tests use small worlds (0.05–0.2)."""
    oldest_repo_age_days: int = 3650
    """Age at ``now`` of the first repository (ten years by default)."""
    big_repo_items: int = 0
    """Issues plus pull requests of one extra, busy repository; 0 for none (50,000 for stress)."""
    package_share: float = 0.7
    """Share of repositories that publish packages (npm, PyPI or both)."""
    max_packages_per_repo: int = 2
    rename_share: float = 0.15
    """Share of repositories that were renamed or transferred once."""
    tokens: tuple[str, ...] = DEFAULT_TOKENS
    """Tokens the simulated GitHub accepts; any other token answers 401 Bad credentials."""
    collaborators: tuple[tuple[str, str], ...] = ()
    """Extra ``(token, full_name)`` grants on top of the default round-robin (see World)."""
    core_requests_per_hour: int = 5000
    graphql_points_per_hour: int = 5000
    anonymous_requests_per_hour: int = 60
    rate_limited_status: int = 403
    """Status of a primary-limit refusal: GitHub answers 403 or 429."""
    stargazer_list_restricted_from: datetime = STARGAZER_LIST_RESTRICTED_FROM
    stargazer_history_from: datetime = STARGAZER_HISTORY_FROM
    stats_land_after: timedelta = timedelta(hours=1)
    """How long after UTC midnight a day's npm and PyPI download counts become available."""
    bursts: tuple[StarBurst, ...] = ()
    """Extra bursts of stars (launches, purchases) on top of the drawn activity."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "now", utc(self.now))
        object.__setattr__(
            self, "stargazer_list_restricted_from", utc(self.stargazer_list_restricted_from)
        )
        object.__setattr__(self, "stargazer_history_from", utc(self.stargazer_history_from))
        checks = (
            (self.repo_count >= 1, "repo_count must be at least 1"),
            (self.future_days >= 0, "future_days cannot be negative"),
            (self.activity_scale > 0, "activity_scale must be positive"),
            (self.oldest_repo_age_days >= 30, "oldest_repo_age_days must be at least 30"),
            (0 <= self.big_repo_items <= 99_999, "big_repo_items must be between 0 and 99,999"),
            (0 <= self.package_share <= 1, "package_share must be between 0 and 1"),
            (self.max_packages_per_repo >= 1, "max_packages_per_repo must be at least 1"),
            (0 <= self.rename_share <= 1, "rename_share must be between 0 and 1"),
            (len(self.tokens) >= 1, "give at least one token"),
            (len(set(self.tokens)) == len(self.tokens), "tokens must be distinct"),
            (self.rate_limited_status in (403, 429), "rate_limited_status must be 403 or 429"),
            (self.core_requests_per_hour >= 1, "core_requests_per_hour must be positive"),
            (self.graphql_points_per_hour >= 1, "graphql_points_per_hour must be positive"),
            (self.anonymous_requests_per_hour >= 1, "anonymous_requests_per_hour must be positive"),
            (self.stats_land_after >= timedelta(0), "stats_land_after cannot be negative"),
        )
        for passed, message in checks:
            if not passed:
                raise InputError(f"invalid world: {message}")
        for burst in self.bursts:
            if burst.repo_index >= self.repo_count:
                raise InputError(
                    f"invalid world: a burst names repository {burst.repo_index}, "
                    f"but there are {self.repo_count}"
                )
        for token, _ in self.collaborators:
            if token not in self.tokens:
                raise InputError(f"invalid world: collaborator token {token!r} is not in tokens")

    @property
    def horizon(self) -> datetime:
        """The end of simulated time: nothing happens after it."""
        return self.now + timedelta(days=self.future_days)
