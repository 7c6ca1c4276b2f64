"""Ratios are null when their divisor is 0: never 0, never infinity."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossgrowth.metrics import issue_ratio, pr_ratio, safe_ratio

counts = st.integers(min_value=0, max_value=10**12)


def test_merged_ratio_is_none_when_no_prs_are_open() -> None:
    assert pr_ratio(merged_prs=12, open_prs=0) is None


def test_issue_ratio_is_none_when_no_issues_are_open() -> None:
    assert issue_ratio(closed_issues=0, open_issues=0) is None


@pytest.mark.parametrize(("numerator", "divisor"), [(None, 3), (3, None), (None, None)])
def test_a_missing_count_gives_no_ratio(numerator: int | None, divisor: int | None) -> None:
    assert safe_ratio(numerator, divisor) is None


@given(counts, counts)
def test_ratios_are_finite_or_none_and_never_divide_by_zero(numerator: int, divisor: int) -> None:
    ratio = safe_ratio(numerator, divisor)
    if divisor == 0:
        assert ratio is None
    else:
        assert ratio is not None and math.isfinite(ratio) and ratio == numerator / divisor
