"""The registry is the one place a family is defined; its rows check themselves."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest

from ossgrowth.collect.slots import SCHEDULES
from ossgrowth.metrics.ratios import with_ratios
from ossgrowth.metrics.registry import (
    FAMILIES,
    Cadence,
    Family,
    FieldDefinition,
    FieldKind,
    definition,
)
from ossgrowth.metrics.resample import CADENCE_INTERVALS, RATIO_PARTS


def test_every_family_is_collected_by_exactly_one_schedule_at_its_cadences_times() -> None:
    for family, row in FAMILIES.items():
        (schedule,) = [schedule for schedule in SCHEDULES if family in schedule.families]
        assert schedule.name == row.cadence.job
        assert schedule.times == row.cadence.times
        assert schedule.weekdays == row.cadence.weekdays
        assert CADENCE_INTERVALS[family].value == row.cadence.interval


def test_the_seeds_schedules_come_out_of_the_registry() -> None:
    by_job = {schedule.name: schedule for schedule in SCHEDULES}
    assert by_job["collect:stars"].times == tuple(time(hour) for hour in range(0, 24, 3))
    assert by_job["collect:prs+issues"].families == {Family.PRS, Family.ISSUES}
    assert by_job["collect:downloads"].weekdays == {6}
    assert by_job["collect:downloads"].times == (time(23, 50),)


def test_ratio_parts_are_the_registrys() -> None:
    assert RATIO_PARTS == {
        (Family.PRS, "ratio"): ("merged_prs", "open_prs"),
        (Family.ISSUES, "ratio"): ("closed_issues", "open_issues"),
    }


def test_with_ratios_completes_counts_and_never_divides_by_zero() -> None:
    assert with_ratios(Family.PRS, {"open_prs": 4, "merged_prs": 10}) == {
        "open_prs": 4,
        "merged_prs": 10,
        "ratio": 2.5,
    }
    assert with_ratios(Family.ISSUES, {"open_issues": 0, "closed_issues": 3})["ratio"] is None
    assert with_ratios(Family.STARS, {"star_count": 7}) == {"star_count": 7}
    with pytest.raises(KeyError):
        with_ratios(Family.PRS, {"open_prs": 4})


def test_a_row_refuses_a_headline_it_does_not_have_and_a_ratio_of_unknown_fields() -> None:
    stars = definition(Family.STARS)
    with pytest.raises(ValueError, match="headline"):
        replace(stars, headline="forks")
    odd = FieldDefinition("ratio", FieldKind.RATIO, "x", ratio_of=("a", "b"))
    with pytest.raises(ValueError, match="divides"):
        replace(stars, fields=(*stars.fields, odd))
    with pytest.raises(ValueError, match="names its parts"):
        FieldDefinition("ratio", FieldKind.RATIO, "no parts")
    with pytest.raises(ValueError, match="names its parts"):
        FieldDefinition("star_count", FieldKind.COUNT, "parts", ratio_of=("a", "b"))


def test_families_of_one_job_must_agree_on_its_times() -> None:
    from ossgrowth.collect import slots as slots_module

    issues = definition(Family.ISSUES)
    late = Cadence(issues.cadence.job, (time(22, 0),), None, "day", "daily at 22:00")
    rows = {**FAMILIES, Family.ISSUES: replace(issues, cadence=late)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(slots_module, "FAMILIES", rows)
        with pytest.raises(ValueError, match="disagree"):
            slots_module._schedules()


def test_backfill_order_and_headlines_are_set_for_every_family() -> None:
    orders = [row.backfill_order for row in FAMILIES.values()]
    assert len(set(orders)) == len(orders)
    for row in FAMILIES.values():
        assert row.headline in row.field_names
        assert row.badge.label
