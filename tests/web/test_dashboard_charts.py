"""A repository page and a comparison in Debian's chromium against a real ``ossgrowth serve``:
each chart's points are the API's, and the tooltip, zoom, scale, gaps and URL behave.

Every page is opened through ``open_page`` (tests/web/conftest.py), which fails the test on a
console error or a request to anything but the page's own server.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.conftest import (
    OpenedPage,
    OpenPage,
    Server,
)
from tests.web.dashboard_page import (
    REPO_CHARTS,
    chart_summaries,
    mark_charts_stale,
    query_of,
    wait_for_charts,
)
from tests.web.seed import GAP_DAYS_AGO, STEP, WORLD, slot_before

pytestmark = pytest.mark.browser

REPO = "octo/widgets"
RECONSTRUCTED = " (reconstructed)"


def requested_series(opened: OpenedPage, family: str, repo: str = REPO) -> dict[str, Any]:
    """The API's answer to the newest series request the page made for ``family``."""
    asked = opened.record.requests_to(f"/api/v1/repos/{repo}/series/{family}?")
    assert asked, f"the page never asked for the {family} series"
    response = httpx.get(asked[-1])
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


def epoch_of(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def server_zone(server: Server) -> ZoneInfo:
    return ZoneInfo(httpx.get(server.url("/api/v1/about")).json()["timezone"])


def day_in(zone: ZoneInfo, epoch_seconds: int) -> str:
    """``Jun 1, 2026``, as the page writes a day."""
    moment = datetime.fromtimestamp(epoch_seconds, zone)
    return f"{moment:%b} {moment.day}, {moment.year}"


def values_by_field(chart: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    """A repository chart's lines joined per field: the measured line and its reconstructed
    part are one column (a value where either holds one), in the order the chart has them."""
    joined: dict[str, list[Any]] = {}
    for label, line in zip(chart["labels"], chart["lines"], strict=True):
        field = label.removesuffix(RECONSTRUCTED)
        if field not in joined:
            joined[field] = list(line)
        else:
            joined[field] = [
                old if old is not None else new
                for old, new in zip(joined[field], line, strict=True)
            ]
    return list(joined.items())


def range_button(opened: OpenedPage, name: str) -> Any:
    return opened.page.get_by_role("toolbar", name="Chart controls").get_by_role(
        "button", name=name, exact=True
    )


def drag_across(opened: OpenedPage, chart: str, start: float, end: float) -> None:
    """Press, move and release the mouse across ``chart``'s plot, between two fractions of it."""
    box = opened.page.locator(f'[data-chart="{chart}"] .u-over').bounding_box()
    assert box is not None
    middle = box["y"] + box["height"] / 2
    opened.page.mouse.move(box["x"] + box["width"] * start, middle)
    opened.page.mouse.down()
    opened.page.mouse.move(box["x"] + box["width"] * end, middle, steps=8)
    opened.page.mouse.up()


# --- a repository ---------------------------------------------------------------------------


def test_each_chart_of_a_repository_draws_every_point_the_api_returns(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    opened.goto(f"/?repo={REPO}")
    wait_for_charts(opened.page)
    marks = opened.page.evaluate(
        "() => performance.getEntriesByType('mark').map((mark) => mark.name)"
    )
    assert {"ossgrowth:first-chart", "ossgrowth:all-charts"} <= set(marks)
    charts = chart_summaries(opened.page)
    for family in REPO_CHARTS:
        series = requested_series(opened, family)
        chart = charts[family]
        points = series["points"]
        assert chart["xs"] == [point["epoch_seconds"] for point in points], family
        drawn = values_by_field(chart)
        assert [field for field, _ in drawn] == [
            label for label in chart["labels"] if not label.endswith(RECONSTRUCTED)
        ]
        assert len(drawn) == len(series["fields"]), family
        for (label, values), field in zip(drawn, series["fields"], strict=True):
            expected = [point[field] for point in points]
            drawn_count = sum(value is not None for value in values)
            expected_count = sum(value is not None for value in expected)
            assert drawn_count == expected_count, f"{family} {field}: points drawn"
            assert values == expected, f"{family} {field} ({label}): values drawn"
        measured = sum(point["provenance"] is not None for point in points)
        holder = opened.page.locator(f'[data-chart="{family}"] [data-points]')
        expect(holder).to_have_attribute("data-points", str(measured))
        reconstructed = [label.endswith(RECONSTRUCTED) for label in chart["labels"]]
        assert any(reconstructed), f"{family}: the seeded history older than 90 days"
        assert chart["dashed"] == reconstructed, f"{family}: only reconstructed lines are dashed"
        legend = opened.page.locator(f'[data-chart="{family}"] .legend li')
        dashed_entry = legend.filter(has_text="reconstructed").locator("[stroke-dasharray]")
        expect(dashed_entry).to_have_count(1)


@pytest.mark.parametrize(
    ("fraction", "provenance"),
    [(0.2, "reconstructed"), (0.95, "measured")],
    ids=["reconstructed-year-ago", "measured-recently"],
)
def test_hovering_a_chart_shows_the_exact_value_and_where_it_came_from(
    dev_server: Server, open_page: OpenPage, fraction: float, provenance: str
) -> None:
    opened = open_page(dev_server)
    opened.goto(f"/?repo={REPO}")
    wait_for_charts(opened.page, ["stars"])
    over = opened.page.locator('[data-chart="stars"] .u-over')
    box = over.bounding_box()
    assert box is not None
    over.hover(position={"x": box["width"] * fraction, "y": box["height"] / 2})
    tooltip = opened.page.locator('[data-chart="stars"] .chart-tooltip')
    expect(tooltip).to_be_visible()
    index = opened.page.evaluate("() => window.ossgrowthCharts.stars.cursor.idx")
    point = requested_series(opened, "stars")["points"][index]
    assert point["provenance"] == provenance
    expect(tooltip.locator(".tooltip-title")).to_have_text(
        day_in(server_zone(dev_server), point["epoch_seconds"])
    )
    expect(tooltip.locator(".tooltip-row")).to_have_text(f"stars: {point['star_count']:,}")
    expect(tooltip.locator(".tooltip-note")).to_have_text(f"{provenance} · {point['source']}")


def test_the_arrow_keys_read_a_chart_point_by_point(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    opened.goto(f"/?repo={REPO}")
    wait_for_charts(opened.page, ["stars"])
    points = [
        point
        for point in requested_series(opened, "stars")["points"]
        if point["provenance"] is not None
    ]
    canvas = opened.page.locator('[data-chart="stars"] .chart-canvas')
    row = opened.page.locator('[data-chart="stars"] .chart-tooltip .tooltip-row')
    canvas.focus()
    canvas.press("End")
    expect(row).to_have_text(f"stars: {points[-1]['star_count']:,}")
    canvas.press("ArrowLeft")
    expect(row).to_have_text(f"stars: {points[-2]['star_count']:,}")
    canvas.press("Home")
    expect(row).to_have_text(f"stars: {points[0]['star_count']:,}")
    canvas.press("ArrowRight")
    expect(row).to_have_text(f"stars: {points[1]['star_count']:,}")
    canvas.press("Escape")
    expect(opened.page.locator('[data-chart="stars"] .chart-tooltip')).to_be_hidden()


def test_dragging_across_a_chart_zooms_every_chart_and_reset_zoom_undoes_it(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    opened.goto(f"/?repo={REPO}")
    wait_for_charts(opened.page)
    before = chart_summaries(opened.page)
    mark_charts_stale(opened.page)
    drag_across(opened, "stars", 0.3, 0.6)
    opened.page.wait_for_url(re.compile(r"[?&]from=.+&to="))
    zoom = query_of(opened.page.url)
    wait_for_charts(opened.page)
    zoomed = chart_summaries(opened.page)
    for family in REPO_CHARTS:
        span_before = before[family]["xMax"] - before[family]["xMin"]
        span_zoomed = zoomed[family]["xMax"] - zoomed[family]["xMin"]
        assert span_zoomed < span_before / 2, family
        asked = query_of(opened.record.requests_to(f"/api/v1/repos/{REPO}/series/{family}?")[-1])
        assert (asked["from"], asked["to"]) == (zoom["from"], zoom["to"]), family
    assert epoch_of(zoom["to"]) - epoch_of(zoom["from"]) < 200 * 86_400
    reset = opened.page.get_by_role("button", name="Reset zoom")
    expect(reset).to_be_visible()
    mark_charts_stale(opened.page)
    reset.click()
    opened.page.wait_for_url(lambda url: "from=" not in url)
    wait_for_charts(opened.page)
    after = chart_summaries(opened.page)
    for family in REPO_CHARTS:
        # the same year as before (a week of slack: the hour may have turned meanwhile)
        assert after[family]["xMin"] == pytest.approx(before[family]["xMin"], abs=7 * 86_400)
        assert after[family]["xMax"] == pytest.approx(before[family]["xMax"], abs=7 * 86_400)
    expect(reset).to_have_count(0)


def test_the_log_scale_draws_every_chart_on_a_logarithmic_axis(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    opened.goto(f"/?repo={REPO}")
    wait_for_charts(opened.page)
    assert {chart["yDistr"] for chart in chart_summaries(opened.page).values()} == {1}
    mark_charts_stale(opened.page)
    range_button(opened, "Log").click()
    opened.page.wait_for_url(re.compile(r"scale=log"))
    wait_for_charts(opened.page)
    assert {chart["yDistr"] for chart in chart_summaries(opened.page).values()} == {3}
    expect(range_button(opened, "Log")).to_have_attribute("aria-pressed", "true")
    expect(range_button(opened, "Linear")).to_have_attribute("aria-pressed", "false")


def test_a_day_without_star_points_stays_a_gap(dev_server: Server, open_page: OpenPage) -> None:
    gap_start = slot_before(dev_server.seeded_at) - timedelta(days=GAP_DAYS_AGO)
    gap = [int((gap_start + STEP * slot).timestamp()) for slot in range(8)]
    opened = open_page(dev_server)
    opened.goto(f"/?repo={REPO}&range=30d")
    wait_for_charts(opened.page, ["stars"])
    chart = chart_summaries(opened.page, ["stars"])["stars"]
    empty = [
        x
        for index, x in enumerate(chart["xs"])
        if all(line[index] is None for line in chart["lines"])
    ]
    assert empty == gap, "every 3-hour slot of the gap day, and nothing else, is drawn empty"
    assert all(value != 0 for line in chart["lines"] for value in line), "a gap is never 0"
    position = opened.page.evaluate("(x) => window.ossgrowthCharts.stars.valToPos(x, 'x')", gap[4])
    box = opened.page.locator('[data-chart="stars"] .u-over').bounding_box()
    assert box is not None
    opened.page.locator('[data-chart="stars"] .u-over').hover(
        position={"x": position, "y": box["height"] / 2}
    )
    note = opened.page.locator('[data-chart="stars"] .chart-tooltip .tooltip-note')
    expect(note).to_have_text("Gap: nothing was collected here")


def test_the_url_restores_a_view_and_back_returns_to_the_previous_one(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    page = opened.page
    opened.goto(f"/?repo={REPO}&range=90d&scale=log")

    def shows_ninety_days_on_a_log_scale() -> None:
        expect(range_button(opened, "90 days")).to_have_attribute("aria-pressed", "true")
        expect(range_button(opened, "1 year")).to_have_attribute("aria-pressed", "false")
        expect(range_button(opened, "Log")).to_have_attribute("aria-pressed", "true")
        wait_for_charts(page)
        charts = chart_summaries(page)
        assert {chart["yDistr"] for chart in charts.values()} == {3}
        days_back = (datetime.now(UTC).timestamp() - charts["stars"]["xs"][0]) / 86_400
        assert 89 < days_back < 91

    shows_ninety_days_on_a_log_scale()
    mark_charts_stale(page)
    range_button(opened, "7 days").click()
    page.wait_for_url(re.compile(r"range=7d"))
    expect(range_button(opened, "7 days")).to_have_attribute("aria-pressed", "true")
    wait_for_charts(page)
    mark_charts_stale(page)
    page.go_back()
    page.wait_for_url(re.compile(r"range=90d"))
    shows_ninety_days_on_a_log_scale()
    page.get_by_role("navigation", name="Views").get_by_role("link", name="Overview").click()
    expect(page.locator(".overview-table tbody tr")).to_have_count(len(WORLD))
    page.go_back()
    page.wait_for_url(re.compile(r"range=90d&scale=log"))
    shows_ninety_days_on_a_log_scale()


# --- compare --------------------------------------------------------------------------------


def test_comparing_by_age_starts_every_repository_at_day_zero(
    dev_server: Server, open_page: OpenPage
) -> None:
    compared = ["octo/widgets", "acme/rocket", "tiny/tool"]
    opened = open_page(dev_server)
    opened.goto(f"/?view=compare&repos={','.join(compared)}&family=stars&align=age")
    wait_for_charts(opened.page, ["compare"])
    chart = chart_summaries(opened.page, ["compare"])["compare"]
    assert chart["labels"] == compared
    longest_days = max(seeded.days for seeded in WORLD)
    assert 0 <= min(chart["xs"]) and max(chart["xs"]) <= longest_days + 1, "x is days of age"
    for repo, line in zip(compared, chart["lines"], strict=True):
        first = next(index for index, value in enumerate(line) if value not in (None, "undefined"))
        assert chart["xs"][first] == 0, f"{repo} starts at day {chart['xs'][first]}"
    expect(opened.page.get_by_role("button", name="By age")).to_have_attribute(
        "aria-pressed", "true"
    )
    mark_charts_stale(opened.page, ["compare"])
    opened.page.get_by_label("Normalise").check()
    opened.page.wait_for_url(re.compile(r"normalize=1"))
    wait_for_charts(opened.page, ["compare"])
    normalised = chart_summaries(opened.page, ["compare"])["compare"]
    for repo, line in zip(compared, normalised["lines"], strict=True):
        peak = max(value for value in line if value not in (None, "undefined"))
        assert peak == pytest.approx(100), f"{repo} peaks at {peak} %"


def test_per_day_shows_each_days_change_of_a_count(dev_server: Server, open_page: OpenPage) -> None:
    opened = open_page(dev_server)
    opened.goto(f"/?repo={REPO}&range=30d&families=stars&mode=daily")
    wait_for_charts(opened.page, ["stars"])
    series = requested_series(opened, "stars")
    assert (
        query_of(opened.record.requests_to(f"/api/v1/repos/{REPO}/series/stars?")[-1])["interval"]
        == "day"
    )
    counts = [point["star_count"] for point in series["points"]]
    expected = [
        None if before is None or after is None else after - before
        for before, after in zip([None, *counts[:-1]], counts, strict=True)
    ]
    chart = chart_summaries(opened.page, ["stars"])["stars"]
    drawn = dict(values_by_field(chart))
    assert list(drawn) == ["stars per day"]
    assert drawn["stars per day"] == expected


def test_a_chart_downloads_as_png_and_csv_and_offers_its_embed_snippets(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    opened.goto(f"/?repo={REPO}&range=90d&families=stars")
    wait_for_charts(opened.page, ["stars"])
    card = opened.page.locator('[data-chart="stars"]')
    with opened.page.expect_download() as png:
        card.get_by_role("button", name="PNG").click()
    assert png.value.suggested_filename == "octo-widgets-stars.png"
    assert Path(png.value.path()).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    with opened.page.expect_download() as csv:
        card.get_by_role("link", name="CSV").click()
    lines = Path(csv.value.path()).read_text().splitlines()
    assert lines[0] == "time,epoch_seconds,star_count,provenance,source"
    assert len(lines) > 90
    card.get_by_role("button", name="Embed").click()
    markdown = card.get_by_label("Markdown (chart)")
    expected = f"{dev_server.base_url}/api/v1/repos/{REPO}/chart.svg?family=stars"
    expect(markdown).to_have_value(f"![{REPO} stars]({expected})")
    assert httpx.get(expected).headers["content-type"].startswith("image/svg+xml")


@pytest.mark.parametrize("width", [375, 1280])
def test_every_axis_label_fits_beside_its_chart(
    dev_server: Server, open_page: OpenPage, width: int
) -> None:
    opened = open_page(dev_server, viewport={"width": width, "height": 900})
    opened.goto(f"/?repo={REPO}&range=30d")
    wait_for_charts(opened.page)
    # each y axis's width (uPlot's) against its widest label drawn in its font, less the
    # tick (10 px) and the gap (5 px) beside the labels
    axes = opened.page.evaluate(
        """(ids) => {
          const context = document.createElement("canvas").getContext("2d");
          return ids.flatMap((id) => window.ossgrowthCharts[id].axes.slice(1).map((axis) => {
            context.font = Array.isArray(axis.font) ? axis.font[0] : axis.font;
            const widths = (axis._values ?? []).map((label) => context.measureText(label).width);
            return { id, size: axis._size, widest: Math.max(0, ...widths), labels: axis._values };
          }));
        }""",
        list(REPO_CHARTS),
    )
    assert axes and all(axis["labels"] for axis in axes)
    cut = [axis for axis in axes if axis["widest"] > axis["size"] - 15]
    assert not cut, cut
