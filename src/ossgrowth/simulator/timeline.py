"""Counts over time from events: how many stars, open issues … a repository had at any moment.

Each event adds a small vector of deltas at a moment; a query sums every event at or before
it. Sorting once and keeping running sums makes a query a binary search, so daily series over
ten years of a 50,000-item repository stay cheap.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate

__all__ = ["CountTimeline"]


class CountTimeline:
    """Running sums of ``width`` counters, queried by epoch second."""

    def __init__(self, width: int, events: Iterable[tuple[int, int, int]]) -> None:
        """Args:
        width: how many counters.
        events: ``(epoch_seconds, counter_index, delta)`` triples, in any order.
        """
        ordered = sorted(events)
        self._width = width
        self._times = [moment for moment, _, _ in ordered]
        columns: list[list[int]] = [[0] * len(ordered) for _ in range(width)]
        for position, (_, counter, delta) in enumerate(ordered):
            columns[counter][position] = delta
        self._running = [list(accumulate(column)) for column in columns]

    def at(self, epoch_seconds: int) -> tuple[int, ...]:
        """Every counter with all events at or before ``epoch_seconds`` applied."""
        position = bisect_right(self._times, epoch_seconds)
        if position == 0:
            return (0,) * self._width
        return tuple(running[position - 1] for running in self._running)
