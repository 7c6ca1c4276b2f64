"""``GET /api/v1/about``: what this server is, whether it takes changes, and its families."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from ossgrowth import __version__
from ossgrowth.api.auth import WritesMode, writes_mode
from ossgrowth.api.context import ApiContext, context_of
from ossgrowth.api.parameters import iso_utc
from ossgrowth.api.schemas import AboutFamilyOut, AboutFieldOut, AboutOut, AboutScheduleOut
from ossgrowth.collect.slots import SCHEDULES, describe, latest_slot, next_slot
from ossgrowth.metrics.registry import FAMILIES
from ossgrowth.metrics.resample import CADENCE_INTERVALS

__all__ = ["ABOUT_CACHE_CONTROL", "WRITES_HINTS", "router"]

router = APIRouter(prefix="/api/v1", tags=["about"])

ABOUT_CACHE_CONTROL = "no-cache"
"""It tells the time: never kept (nor put in the app's response cache)."""
WRITES_HINTS = {
    WritesMode.OPEN: "this dev server on loopback accepts changes from this machine without a "
    "token",
    WritesMode.TOKEN: "changes need the admin token (OSSGROWTH_ADMIN_TOKEN)",
    WritesMode.OFF: "changes are off: start the server with OSSGROWTH_ADMIN_TOKEN set to enable "
    "them",
}
"""``writes`` in one sentence, for people."""


@router.get("/about", response_model=AboutOut)
def about(response: Response, context: Annotated[ApiContext, Depends(context_of)]) -> AboutOut:
    """This server: version, environment, time zone and time, whether it takes changes, and
    each family with its fields, cadence and schedule (last and next slot, the newest taken)."""
    settings = context.settings
    now, zone = context.clock.now(), settings.zone
    taken_by_job = {each.name: context.store.latest_slot_taken(each.name) for each in SCHEDULES}
    families = []
    for family, row in FAMILIES.items():
        schedule = next(each for each in SCHEDULES if family in each.families)
        taken = taken_by_job[schedule.name]
        families.append(
            AboutFamilyOut(
                family=family.value,
                title=row.title,
                per_package=row.per_package,
                fields=[
                    AboutFieldOut(
                        name=field.name, kind=field.kind.value, description=field.description
                    )
                    for field in row.fields
                ],
                cadence_interval=CADENCE_INTERVALS[family].value,
                schedule=AboutScheduleOut(
                    job=schedule.name,
                    description=describe(schedule),
                    timezone=settings.timezone,
                    last_slot_at=iso_utc(latest_slot(schedule, now, zone)),
                    next_slot_at=iso_utc(next_slot(schedule, now, zone)),
                    last_taken_at=None if taken is None else iso_utc(taken),
                ),
            )
        )
    writes = writes_mode(settings, local_writes=context.local_writes)
    response.headers["Cache-Control"] = ABOUT_CACHE_CONTROL
    return AboutOut(
        name="ossgrowth",
        version=__version__,
        environment=settings.environment.value,
        timezone=settings.timezone,
        now=iso_utc(now),
        writes=writes.value,
        writes_hint=WRITES_HINTS[writes],
        families=families,
    )
