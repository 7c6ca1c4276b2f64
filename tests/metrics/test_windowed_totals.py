"""Download totals from a window are told apart from all-time ones."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ossgrowth.metrics.windowed_totals import PYPI_WINDOW_SOURCE, total_counted_from, total_note


def row(day: date, total: int, source: str) -> tuple[object, ...]:
    stamp = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    return (stamp, 10, total, 2, source)


def test_totals_from_a_full_history_count_from_the_first_day() -> None:
    rows = [row(date(2026, 1, day), day * 10, "npm-downloads") for day in range(2, 9)]
    assert total_counted_from(rows) is None
    assert total_counted_from([]) is None


def test_a_windowed_total_counts_from_the_day_before_its_first_point() -> None:
    """A point is stamped at the end of its day: the first one closes the window's first day."""
    rows = [row(date(2026, 5, day), day, PYPI_WINDOW_SOURCE) for day in range(30, 32)]
    assert total_counted_from(rows) == date(2026, 5, 29)


def test_measured_points_before_a_window_do_not_hide_it() -> None:
    rows = [
        row(date(2026, 4, 1), 0, "pypistats-recent"),
        row(date(2026, 5, 30), 5, "pypistats-180d"),
    ]
    assert total_counted_from(rows) == date(2026, 5, 29)


def test_the_note_names_the_day_and_says_not_all_time() -> None:
    note = total_note(date(2026, 5, 29))
    assert "2026-05-29" in note and "not all-time" in note and "180 days" in note
