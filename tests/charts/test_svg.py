"""SVG charts and badges: well-formed, escaped, gaps break lines."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossgrowth.charts import Theme, compact_number, render_badge, render_chart


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "n/a"),
        (0, "0"),
        (999, "999"),
        (1000, "1k"),
        (1234, "1.2k"),
        (2_500_000, "2.5M"),
        (3_000_000_000, "3B"),
        (0.5, "0.50"),
    ],
)
def test_numbers_are_shown_compactly(value: float | None, shown: str) -> None:
    assert compact_number(value) == shown


def test_a_gap_starts_a_new_line() -> None:
    svg = render_chart([0, 1, 2, 3], [1, None, 3, 4], title="t")
    path = svg.split(' d="')[1].split('"')[0]
    assert path.startswith("M") and path.count("M") == 2


def test_an_empty_chart_says_so() -> None:
    assert "no data yet" in render_chart([], [], title="nothing")


@given(
    st.text(max_size=50),
    st.lists(st.one_of(st.none(), st.floats(-1e9, 1e9)), max_size=30),
    st.sampled_from(list(Theme)),
)
def test_any_title_and_values_give_well_formed_svg(
    title: str, values: list[float | None], theme: Theme
) -> None:
    cleaned = "".join(character for character in title if character.isprintable())
    svg = render_chart(list(range(len(values))), values, title=cleaned, theme=theme)
    ElementTree.fromstring(svg)


@given(st.text(max_size=30).filter(str.isprintable), st.text(max_size=30).filter(str.isprintable))
def test_badges_escape_their_text(label: str, message: str) -> None:
    root = ElementTree.fromstring(render_badge(label, message))
    texts = [element.text or "" for element in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == [label, message]
