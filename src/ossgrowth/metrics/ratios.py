"""Ratios of the seed's families. A ratio whose divisor is 0 is ``None``: never 0 nor infinity."""

from __future__ import annotations

__all__ = ["issue_ratio", "pr_ratio", "safe_ratio"]


def safe_ratio(numerator: int | None, divisor: int | None) -> float | None:
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
