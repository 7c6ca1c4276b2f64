"""Leaderboards: the growth score's properties (Hypothesis), the window figures and ranking."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ossgrowth.errors import InputError
from ossgrowth.metrics.leaderboard import (
    DAY_SECONDS,
    Contender,
    RankBy,
    Reading,
    Window,
    growth_score,
    measure,
    rank,
    reading_at,
)

WINDOW_DAYS = [window.days for window in Window]
sizes = st.floats(min_value=0, max_value=1e9, allow_nan=False)
gains = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_subnormal=False)
ages = st.floats(min_value=0, max_value=36_500, allow_nan=False)
windows = st.sampled_from(WINDOW_DAYS)
AS_OF = 1_800_000_000
DAY = DAY_SECONDS


@given(gains, gains, sizes, ages, windows)
def test_the_score_rises_with_the_gain_at_a_fixed_size_and_age(
    first: float, second: float, size: float, age: float, window: int
) -> None:
    assume(first < second)
    low, high = growth_score(first, size, age, window), growth_score(second, size, age, window)
    assert low <= high
    if second - first > 1e-6 * max(abs(first), abs(second), 1.0):
        assert low < high


@given(gains, ages, windows)
def test_the_score_is_defined_for_a_start_of_zero_and_an_age_of_zero(
    gain: float, age: float, window: int
) -> None:
    for score in (growth_score(gain, 0, age, window), growth_score(gain, 0, 0, window)):
        assert math.isfinite(score)
        assert (score > 0) == (gain > 0) and (score < 0) == (gain < 0)


@given(
    st.floats(min_value=1, max_value=1e7),
    st.floats(min_value=0.001, max_value=100),
    ages,
    windows,
)
def test_a_hundred_times_bigger_repository_with_the_same_relative_gain_wins_by_far_less(
    size: float, relative: float, age: float, window: int
) -> None:
    small = growth_score(relative * size, size, age, window)
    big = growth_score(relative * 100 * size, 100 * size, age, window)
    assert small < big  # the bigger one's gain is still worth more …
    assert big / small <= 10 * math.sqrt(2) + 1e-9  # … but about √100 = 10 times, never 100


@given(
    st.floats(min_value=0, max_value=1e6),
    st.floats(min_value=2, max_value=1e4),
    st.floats(min_value=0.0001, max_value=10),
    st.floats(min_value=1.01, max_value=10),
    ages,
    windows,
)
def test_a_small_fast_grower_outranks_a_big_slow_one(
    small_size: float,
    times_bigger: float,
    big_relative: float,
    margin: float,
    age: float,
    window: int,
) -> None:
    """A repository k times smaller (counted from start + 1) wins once its gain relative to
    start + 1 is more than √k times the bigger one's."""
    assume(margin < math.sqrt(times_bigger))  # so the small one gains less in absolute terms
    big_size = (small_size + 1) * times_bigger - 1
    big_gain = big_relative * (big_size + 1)
    small_gain = big_relative * math.sqrt(times_bigger) * margin * (small_size + 1)
    assert growth_score(small_gain, small_size, age, window) > growth_score(
        big_gain, big_size, age, window
    )
    assert small_gain < big_gain


def test_the_example_of_the_docs_ranks_the_small_fast_grower_first() -> None:
    big = growth_score(1_000, 100_000, 900, 30)  # +1 %
    small = growth_score(50, 100, 900, 30)  # +50 %
    assert small > big
    assert round(big, 2) == 3.16 and round(small, 2) == 4.98


@given(gains, sizes, ages, ages, windows)
def test_an_older_series_never_scores_lower_for_a_gain(
    gain: float, size: float, younger: float, older: float, window: int
) -> None:
    assume(younger <= older and gain >= 0)
    assert growth_score(gain, size, younger, window) <= growth_score(gain, size, older, window)


@given(gains, sizes, st.floats(min_value=1, max_value=36_500), windows)
def test_age_counts_only_while_a_series_is_younger_than_the_window(
    gain: float, size: float, extra: float, window: int
) -> None:
    assert growth_score(gain, size, window, window) == growth_score(
        gain, size, window + extra, window
    )


def readings(*pairs: tuple[int, float | None], provenance: str = "measured") -> list[Reading]:
    return [(moment, value, provenance) for moment, value in pairs]


def test_the_value_at_a_moment_is_the_newest_reading_at_or_before_it() -> None:
    series = readings((10, 1), (20, 2), (30, 3))
    assert reading_at(series, 9) is None
    assert reading_at(series, 20) == (20, 2, "measured")
    assert reading_at(series, 29) == (20, 2, "measured")
    assert reading_at(series, 99) == (30, 3, "measured")


def test_figures_over_a_window_take_the_values_at_its_ends() -> None:
    series = readings((AS_OF - 400 * DAY, 10), (AS_OF - 31 * DAY, 100), (AS_OF - DAY, 150))
    figures = measure(series, AS_OF, 30 * DAY)
    assert figures is not None
    assert figures.start == (AS_OF - 31 * DAY, 100, "measured")
    assert figures.end == (AS_OF - DAY, 150, "measured")
    assert figures.gain == 50 and figures.relative_gain == 0.5
    assert figures.age_days == 400
    assert figures.score == pytest.approx(50 / math.sqrt(101))


def test_a_series_that_started_inside_the_window_counts_from_its_first_point() -> None:
    series = readings((AS_OF - 10 * DAY, 0), (AS_OF, 500), provenance="reconstructed")
    figures = measure(series, AS_OF, 30 * DAY)
    assert figures is not None
    assert figures.start[0] == AS_OF - 10 * DAY and figures.gain == 500
    assert figures.relative_gain is None  # from 0: not a number
    assert figures.age_days == 10
    assert figures.score == pytest.approx(500 * 11 / 31)


def test_a_series_without_a_point_by_the_end_has_no_figures() -> None:
    assert measure(readings((AS_OF + 1, 5)), AS_OF, 30 * DAY) is None
    assert measure([], AS_OF, 30 * DAY) is None


def test_an_unknown_value_leaves_the_gain_unknown_never_zero() -> None:
    figures = measure(readings((AS_OF - 40 * DAY, None), (AS_OF, 7)), AS_OF, 30 * DAY)
    assert figures is not None and figures.end[1] == 7
    assert figures.gain is None and figures.relative_gain is None and figures.score is None


def contender(name: str, *pairs: tuple[int, float | None], package: str | None = None) -> Contender:
    return Contender(name, package, readings(*pairs))


def test_ranks_by_gain_share_a_rank_on_a_tie_and_list_a_tie_by_name() -> None:
    board = rank(
        [
            contender("zeta/z", (AS_OF - 30 * DAY, 0), (AS_OF, 10)),
            contender("Alpha/a", (AS_OF - 30 * DAY, 5), (AS_OF, 15)),
            contender("beta/b", (AS_OF - 30 * DAY, 0), (AS_OF, 30)),
            contender("gamma/g", (AS_OF - 30 * DAY, 1), (AS_OF, 2)),
        ],
        window=Window.MONTH,
        by=RankBy.GAIN,
        as_of=AS_OF,
    )
    assert [(s.rank, s.repo) for s in board] == [
        (1, "beta/b"),
        (2, "Alpha/a"),
        (2, "zeta/z"),
        (4, "gamma/g"),
    ]


def test_relative_gain_ranks_starts_of_zero_after_the_others_by_gain_then_unknowns() -> None:
    board = rank(
        [
            contender("a/from-zero", (AS_OF - 30 * DAY, 0), (AS_OF, 1000)),
            contender("b/small", (AS_OF - 30 * DAY, 10), (AS_OF, 11)),
            contender("c/doubled", (AS_OF - 30 * DAY, 10), (AS_OF, 20)),
            contender("d/also-zero", (AS_OF - 30 * DAY, 0), (AS_OF, 5)),
            contender("e/unknown", (AS_OF - 30 * DAY, None), (AS_OF, 5)),
        ],
        window=Window.MONTH,
        by=RankBy.RELATIVE,
        as_of=AS_OF,
    )
    assert [(s.rank, s.repo) for s in board] == [
        (1, "c/doubled"),
        (2, "b/small"),
        (3, "a/from-zero"),
        (4, "d/also-zero"),
        (5, "e/unknown"),
    ]


def test_the_previous_rank_is_the_rank_over_the_window_before() -> None:
    month = 30 * DAY
    board = rank(
        [
            # fast before, slow now
            contender("a/early", (AS_OF - 2 * month, 0), (AS_OF - month, 100), (AS_OF, 110)),
            # slow before, fast now
            contender("b/late", (AS_OF - 2 * month, 0), (AS_OF - month, 10), (AS_OF, 210)),
            # new this month: no previous rank
            contender("c/new", (AS_OF - 5 * DAY, 0), (AS_OF, 50)),
        ],
        window=Window.MONTH,
        by=RankBy.GAIN,
        as_of=AS_OF,
    )
    assert [(s.repo, s.rank, s.previous_rank, s.rank_change) for s in board] == [
        ("b/late", 1, 2, 1),
        ("c/new", 2, None, None),
        ("a/early", 3, 1, -2),
    ]


def test_an_entry_keeps_the_points_it_was_computed_from_with_their_provenance() -> None:
    series = [
        (AS_OF - 60 * DAY, 1, "reconstructed"),
        (AS_OF - 30 * DAY, 10, "reconstructed"),
        (AS_OF, 20, "measured"),
    ]
    (standing,) = rank(
        [Contender("o/n", "npm:n", series)], window=Window.MONTH, by=RankBy.SCORE, as_of=AS_OF
    )
    assert standing.package == "npm:n"
    assert standing.points == (series[1], series[2])
    assert standing.provenance == ("measured", "reconstructed")
    (alone,) = rank(
        [Contender("o/n", None, series[:1])], window=Window.MONTH, by=RankBy.GAIN, as_of=AS_OF
    )
    assert alone.points == (series[0],) and alone.figures.gain == 0


def test_a_series_with_nothing_by_the_end_is_not_ranked() -> None:
    board = rank(
        [contender("a/later", (AS_OF + DAY, 1)), contender("b/now", (AS_OF, 1))],
        window=Window.WEEK,
        by=RankBy.SCORE,
        as_of=AS_OF,
    )
    assert [s.repo for s in board] == ["b/now"]


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=50),
            st.integers(min_value=0, max_value=10_000),
            st.integers(min_value=0, max_value=10_000),
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(list(RankBy)),
)
def test_ranks_are_deterministic_competition_ranks(
    rows: list[tuple[int, int, int]], by: RankBy
) -> None:
    contenders = [
        contender(f"o/r{index}", (AS_OF - started * DAY, start), (AS_OF, start + gain))
        for index, (started, start, gain) in enumerate(rows)
    ]
    board = rank(contenders, window=Window.MONTH, by=by, as_of=AS_OF)
    again = rank(list(reversed(contenders)), window=Window.MONTH, by=by, as_of=AS_OF)
    assert [(s.rank, s.repo) for s in board] == [(s.rank, s.repo) for s in again]
    assert len(board) == len(contenders)
    assert board[0].rank == 1
    for position, standing in enumerate(board, start=1):
        assert 1 <= standing.rank <= position
        if standing.rank < position:  # tied with the one before
            assert board[position - 2].rank == standing.rank


@pytest.mark.parametrize(
    ("text", "window", "days", "phrase"),
    [("7d", Window.WEEK, 7, "this week"), (" 1Y ", Window.YEAR, 365, "this year")],
)
def test_windows_parse_as_typed(text: str, window: Window, days: int, phrase: str) -> None:
    assert Window.parse(text) is window
    assert window.days == days and window.phrase == phrase


def test_unknown_windows_and_rankings_are_clear_errors() -> None:
    with pytest.raises(InputError, match="unknown window '2w'; expected one of 7d, 30d, 90d, 1y"):
        Window.parse("2w")
    with pytest.raises(InputError, match="unknown ranking 'best'; expected one of gain"):
        RankBy.parse("best")
