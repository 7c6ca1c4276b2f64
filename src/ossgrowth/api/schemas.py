"""Bodies the API accepts and returns, as pydantic models (they also write the OpenAPI)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ossgrowth.api import patterns

__all__ = [
    "AboutFamilyOut",
    "AboutFieldOut",
    "AboutOut",
    "AboutScheduleOut",
    "BackfillSummaryOut",
    "CollectionOut",
    "CompareOut",
    "CompareSeriesOut",
    "CompatRecord",
    "GrowthFiguresOut",
    "GrowthOut",
    "HealthOut",
    "OverviewItemOut",
    "OverviewOut",
    "PackageGrowthOut",
    "ReadyOut",
    "RunOut",
    "RunStartedOut",
    "SeriesOut",
    "SeriesPointOut",
    "ShieldsOut",
    "SubjectIn",
    "SubjectOut",
    "SubjectPage",
]


class SubjectIn(BaseModel):
    """A repository to track, with the packages it publishes."""

    model_config = ConfigDict(extra="forbid")

    repo: str = Field(
        max_length=300,
        examples=["vitejs/vite"],
        description="owner/name (a github.com URL is accepted too)",
        json_schema_extra={"pattern": patterns.REPO},
    )
    packages: list[Annotated[str, Field(json_schema_extra={"pattern": patterns.PACKAGE})]] = Field(
        default_factory=list,
        max_length=50,
        examples=[["npm:vite"]],
        description="npm:NAME or pypi:NAME",
    )


class SubjectOut(BaseModel):
    """A tracked repository."""

    repo: str = Field(examples=["vitejs/vite"])
    owner: str
    name: str
    packages: list[str]
    github_node_id: str | None
    added_at: str | None = Field(description="ISO-8601 UTC")
    url: str = Field(description="This subject in the API.")


class BackfillJobOut(BaseModel):
    """Where the history of one family of a repository stands."""

    family: str
    status: Literal["queued", "done", "failed"]
    running: bool = Field(description="A server or worker is working on it now (holds its lease).")
    pages_stored: int = Field(
        description="Pages fetched and kept so far (an unfinished job resumes from them)."
    )
    method: str | None = Field(description="The source the history came from, once done.")
    message: str | None = Field(description="What to know: a method fallen back to, an error.")
    since: str | None = Field(description="Only history from this day on (YYYY-MM-DD).")
    enqueued_at: str
    finished_at: str | None


class BackfillOut(BaseModel):
    """The backfill of a repository's history, per family (see docs/history.md)."""

    repo: str
    complete: bool = Field(description="Every family's history is reconstructed.")
    jobs: list[BackfillJobOut]


class SubjectPage(BaseModel):
    """One page of tracked repositories, by name."""

    items: list[SubjectOut]
    total: int
    limit: int
    offset: int
    next: str | None = Field(description="The next page, or null on the last one.")


class SeriesPointOut(BaseModel):
    """One point: its time, the family's fields, how it was known. All null in a gap."""

    model_config = ConfigDict(extra="allow")

    time: str = Field(description="ISO-8601 UTC (start of the interval when aggregated).")
    epoch_seconds: int
    provenance: Literal["measured", "reconstructed", "estimated"] | None
    source: str | None


class SeriesOut(BaseModel):
    """A series of one family of one repository (and package)."""

    repo: str
    family: str
    package: str | None
    interval: str
    fields: list[str]
    aggregation: dict[str, str] = Field(description="How each field is aggregated per interval.")
    count: int
    downsampled: bool
    total_counted_from: str | None = Field(
        None,
        description="Downloads: the first day (YYYY-MM-DD) counted in total_downloads when the "
        "totals cover only a window (PyPI stats keeps 180 days); null when they are all-time.",
    )
    notes: list[str] = Field(
        default_factory=list, description="What a reader must know to read these points right."
    )
    points: list[SeriesPointOut]


class CompareSeriesOut(BaseModel):
    """One repository's series in a comparison."""

    repo: str
    package: str | None
    day_zero: str | None = Field(description="Day 0 when aligned by age: the first point.")
    total_counted_from: str | None = Field(
        None, description="As in a series: where window-only download totals start."
    )
    notes: list[str] = Field(default_factory=list)
    points: list[SeriesPointOut]


class CompareOut(BaseModel):
    """Several repositories' series of one family."""

    family: str
    interval: str
    align: str
    fields: list[str]
    series: list[CompareSeriesOut]


class GrowthFiguresOut(BaseModel):
    """Growth of one count (see docs/api.md for the methods)."""

    as_of: str | None
    current: float | None
    per_day: dict[str, float | None] = Field(description="Change per day over 1, 7, 30, 90 days.")
    week_over_week_percent: float | None
    acceleration_per_day: float | None = Field(description="Change of the 7-day rate, per day.")
    next_milestone: int | None
    next_milestone_at: str | None


class PackageGrowthOut(GrowthFiguresOut):
    """Growth of a package's total downloads."""

    package: str
    total_counted_from: str | None = Field(
        None,
        description="The first day counted in `current` when the total covers only a window "
        "(PyPI stats keeps 180 days): then `current` and the milestones are not all-time.",
    )
    notes: list[str] = Field(default_factory=list)


class ReachGrowthOut(BaseModel):
    """Growth of a repository's forks and watchers."""

    forks: GrowthFiguresOut
    watchers: GrowthFiguresOut
    notes: list[str] = Field(
        description="What to know to read them: watchers have no history upstream, so their "
        "figures start at the first measurement."
    )


class GrowthOut(BaseModel):
    """Growth of a repository's stars, of each package's downloads, and of its reach."""

    repo: str
    now: str
    stars: GrowthFiguresOut
    downloads: list[PackageGrowthOut]
    reach: ReachGrowthOut


class ShieldsOut(BaseModel):
    """shields.io's endpoint badge schema."""

    schemaVersion: int = 1  # noqa: N815 - the field name shields.io reads
    label: str
    message: str
    isError: bool | None = Field(  # noqa: N815 - the field name shields.io reads
        None, description="true on an error document (an untracked or invalid repository)."
    )
    color: str


class CompatRecord(BaseModel):
    """A point as the seed's API returned it: repo, timestamp, the family's fields."""

    model_config = ConfigDict(extra="allow")

    repo: str
    timestamp: str = Field(description="ISO-8601 UTC")


class RunOut(BaseModel):
    """A recorded collection or backfill run."""

    id: int | None
    job: str
    environment: str
    status: str
    started_at: str
    finished_at: str | None
    counts: dict[str, int]
    error: str | None
    requests_spent: int


class RunStartedOut(BaseModel):
    """A collection started in the background."""

    run_id: int
    status: str
    runs: str = Field(description="Where to follow it.")


class BackfillStartedOut(BaseModel):
    """Backfill jobs queued and started in the background."""

    queued_jobs: int = Field(description="Jobs queued by this call (families not yet done).")
    runs: str = Field(description="Where to follow the run.")


class HealthOut(BaseModel):
    """The process answers."""

    status: Literal["ok"]


class ReadyOut(BaseModel):
    """The store answers; ``degraded`` when a scheduled collection is overdue."""

    status: Literal["ready", "degraded"]
    environment: str
    overdue: list[str] = Field(
        default_factory=list,
        description="Schedules whose latest slot was missed (no runner, or it failed), "
        "more than 30 minutes ago.",
    )


class AboutFieldOut(BaseModel):
    """One stored field of a family."""

    name: str = Field(examples=["star_count"])
    kind: Literal["count", "window", "ratio"] = Field(
        description="count: a level (an interval keeps the last); window: an amount over a "
        "trailing window, e.g. 7 days (an interval keeps the last); ratio: recomputed from counts."
    )
    description: str


class AboutScheduleOut(BaseModel):
    """When a family is collected, on the server's wall clock."""

    job: str = Field(description="The job its runs are recorded under.", examples=["collect:stars"])
    description: str = Field(examples=["every 3 hours from 00:00"])
    timezone: str = Field(description="IANA time zone of the times in `description`.")
    last_slot_at: str = Field(description="The latest slot at or before now (ISO-8601 UTC).")
    next_slot_at: str = Field(description="The first slot after now (ISO-8601 UTC).")
    last_taken_at: str | None = Field(
        description="The newest slot any runner took (ISO-8601 UTC); null when none has."
    )


class AboutFamilyOut(BaseModel):
    """A metric family: its fields, its cadence and its schedule."""

    family: str = Field(examples=["stars"])
    title: str
    per_package: bool = Field(description="Kept per package (downloads), not per repository.")
    fields: list[AboutFieldOut]
    cadence_interval: str = Field(
        description="The series interval of its collection: a missed collection is a gap there."
    )
    schedule: AboutScheduleOut


class AboutOut(BaseModel):
    """What this server is: version, environment, clock, whether changes are allowed, families."""

    name: Literal["ossgrowth"]
    version: str
    environment: Literal["dev", "staging", "prod"]
    timezone: str = Field(description="IANA time zone of the schedules.")
    now: str = Field(description="The server's time (ISO-8601 UTC).")
    writes: Literal["open", "token", "off"] = Field(
        description="open: a dev server on loopback takes changes from this machine without a "
        "token; token: changes need the admin token; off: no changes through the API."
    )
    writes_hint: str = Field(description="`writes` in one sentence, for people.")
    families: list[AboutFamilyOut]


class CollectionOut(BaseModel):
    """Where a repository's scheduled collection stands (docs/api.md)."""

    status: Literal["ok", "overdue", "failed", "pending"]
    last_measured_at: str | None = Field(description="Its newest measured point, of any family.")
    message: str | None = Field(description="What is wrong or coming; null when all is well.")


class BackfillSummaryOut(BaseModel):
    """The backfill of a repository's history, taken over its families."""

    status: Literal["done", "running", "queued", "failed", "none"]
    families_done: int
    families_total: int
    pages_stored: int = Field(description="Pages kept so far by its unfinished jobs.")
    message: str | None = Field(description="The first failed family's message.")


class OverviewItemOut(BaseModel):
    """One tracked repository as an overview table shows it. Null where there is no data."""

    repo: str = Field(examples=["vitejs/vite"])
    packages: list[str]
    added_at: str | None
    stars: int | None = Field(description="The newest star count at or before now.")
    stars_as_of: str | None = Field(description="When `stars` was observed.")
    stars_change: dict[str, int | None] = Field(
        description="Stars gained over 1, 7 and 30 days up to `stars_as_of`; null when the "
        "series does not reach back that far."
    )
    sparkline: list[int | None] = Field(
        description="The last star count of each of the last `sparkline_days` UTC days, oldest "
        "first, ending with today; null for a day without a point."
    )
    sparkline_start: str = Field(description="The first day of `sparkline` (YYYY-MM-DD).")
    open_issues: int | None
    open_prs: int | None
    pr_ratio: float | None = Field(description="merged_prs / open_prs of the newest PR point.")
    weekly_downloads: int | None = Field(
        description="The sum of each package's newest weekly downloads."
    )
    collection: CollectionOut
    backfill: BackfillSummaryOut


class OverviewOut(BaseModel):
    """Every tracked repository, by name, in one answer."""

    now: str
    sparkline_days: int
    items: list[OverviewItemOut]
