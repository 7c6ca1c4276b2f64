"""Ratios of the families. A ratio whose divisor is 0 is ``None``: never 0 nor infinity.

A family's ratio fields name their parts in the registry; :func:`with_ratios` completes the
counts a source or a reconstruction made with them, so no caller divides by hand.
"""

from __future__ import annotations

from collections.abc import Mapping

from ossgrowth.metrics.registry import Family, definition

__all__ = ["issue_ratio", "pr_ratio", "safe_ratio", "with_ratios"]

Value = int | float | None


def safe_ratio(numerator: float | None, divisor: float | None) -> float | None:
    """``numerator / divisor``, or ``None`` when either is missing or the divisor is 0."""
    if numerator is None or divisor is None or divisor == 0:
        return None
    return numerator / divisor


def pr_ratio(merged_prs: int | None, open_prs: int | None) -> float | None:
    """PR velocity: PRs merged so far per PR open now."""
    return safe_ratio(merged_prs, open_prs)


def issue_ratio(closed_issues: int | None, open_issues: int | None) -> float | None:
    """Issue health: issues closed so far per issue open now."""
    return safe_ratio(closed_issues, open_issues)


def with_ratios(family: Family, counts: Mapping[str, Value]) -> dict[str, Value]:
    """Every field of ``family``: ``counts`` with each ratio computed from its parts.

    Raises:
        KeyError: a field other than a ratio is missing from ``counts``.
    """
    values: dict[str, Value] = {}
    for field in definition(family).fields:
        if field.ratio_of is None:
            values[field.name] = counts[field.name]
        else:
            numerator, divisor = field.ratio_of
            values[field.name] = safe_ratio(counts[numerator], counts[divisor])
    return values
