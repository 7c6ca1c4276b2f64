"""Collection: the only code that knows both sources and the store."""

from ossgrowth.collect.backfill import (
    DEFAULT_BACKFILL_CONCURRENCY,
    DEFAULT_LEASE_SECONDS,
    BackfillResult,
    JobOutcome,
    build_history_sources,
    enqueue_backfill,
    run_backfill,
)
from ossgrowth.collect.backfill_families import HistorySources, StarMethod
from ossgrowth.collect.backfill_pages import Progress, SilentProgress
from ossgrowth.collect.collection import CollectionResult, collect_once
from ossgrowth.collect.scheduler import CollectionScheduler
from ossgrowth.collect.slots import SCHEDULES, Schedule
from ossgrowth.collect.upstreams import Upstreams, build_upstreams
from ossgrowth.collect.worker import BackfillWorker

__all__ = [
    "DEFAULT_BACKFILL_CONCURRENCY",
    "DEFAULT_LEASE_SECONDS",
    "SCHEDULES",
    "BackfillResult",
    "BackfillWorker",
    "CollectionResult",
    "CollectionScheduler",
    "HistorySources",
    "JobOutcome",
    "Progress",
    "Schedule",
    "SilentProgress",
    "StarMethod",
    "Upstreams",
    "build_history_sources",
    "build_upstreams",
    "collect_once",
    "enqueue_backfill",
    "run_backfill",
]
