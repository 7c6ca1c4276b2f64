"""Flagged days on a repository's stars chart, in Debian's chromium against a real
``ossgrowth serve``: a marker for each day the API flags, labelled ``spike`` or ``unusual``,
placed on its day, and the same days listed in words under the chart."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.conftest import OpenPage, Server
from tests.web.dashboard_page import wait_for_charts
from tests.web.seed import BURSTS, slot_before

pytestmark = pytest.mark.browser

REPO = "lab/notebook"


def flagged(url: str) -> list[dict[str, Any]]:
    response = httpx.get(url)
    assert response.status_code == 200, response.text
    days: list[dict[str, Any]] = response.json()["days"]
    return days


def test_the_stars_chart_marks_and_lists_the_flagged_days(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    opened.goto(f"/?repo={REPO}")
    wait_for_charts(opened.page)
    asked = opened.record.requests_to(f"/api/v1/repos/{REPO}/unusual?")
    assert asked, "the page never asked for the flagged days"
    days = flagged(asked[-1])
    end = slot_before(dev_server.seeded_at)
    expected = {
        kind: (end - timedelta(days=days_ago)).date().isoformat()
        for kind, days_ago in BURSTS.items()
    }
    assert [(day["kind"], day["day"]) for day in days] == [
        ("spike", expected["spike"]),
        ("unusual", expected["unusual"]),
    ]

    stars = opened.page.locator('[data-chart="stars"]')
    markers = stars.locator(".chart-marker")
    expect(markers).to_have_count(2)
    items = stars.locator(".flagged-days li")
    expect(items).to_have_count(2)
    for index, day in enumerate(days):
        marker, item = markers.nth(index), items.nth(index)
        expect(marker).to_have_attribute("data-kind", day["kind"])
        expect(marker.locator(".chart-marker-label")).to_have_text(day["kind"])
        expect(item).to_have_attribute("data-kind", day["kind"])
        expect(item).to_contain_text(f"{day['kind']} (+{round(day['gain'])} stars")
        assert marker.get_attribute("title") == item.text_content()
        noon = int(datetime.fromisoformat(day["day"]).replace(tzinfo=UTC).timestamp()) + 43_200
        placed = opened.page.evaluate("(x) => window.ossgrowthCharts.stars.valToPos(x, 'x')", noon)
        left = marker.evaluate("(element) => parseFloat(element.style.left)")
        assert abs(left - placed) < 1
    expect(stars.locator(".chart-canvas")).to_have_attribute(
        "aria-label",
        re.compile(f"^Star growth of {REPO}, with 2 flagged days listed under the chart\\. "),
    )
    expect(stars.locator(".flagged").get_by_text("account ages")).to_have_count(0)


def test_a_repository_without_account_ages_says_the_test_was_not_run(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    opened.goto("/?repo=octo/widgets&range=all")
    wait_for_charts(opened.page)
    asked = opened.record.requests_to("/api/v1/repos/octo/widgets/unusual?")
    assert asked, "the page never asked for the flagged days"
    answer = httpx.get(asked[-1]).json()
    assert answer["account_age_test"] == "not_run"
    assert answer["days"], "five years of a noisy walk have a day past the threshold"
    assert {day["kind"] for day in answer["days"]} == {"spike"}
    stars = opened.page.locator('[data-chart="stars"]')
    expect(stars.locator(".chart-marker")).to_have_count(len(answer["days"]))
    expect(stars.locator('.chart-marker[data-kind="unusual"]')).to_have_count(0)
    expect(stars.locator(".flagged-days li")).to_have_count(len(answer["days"]))
    expect(stars.get_by_text("account-age test was not run")).to_be_visible()


def test_a_flag_at_the_charts_right_edge_keeps_its_label_inside_the_plot(
    dev_server: Server, open_page: OpenPage
) -> None:
    end = slot_before(dev_server.seeded_at)
    noon = (end - timedelta(days=BURSTS["unusual"])).replace(hour=12, minute=0)
    start, stop = noon - timedelta(days=20), noon + timedelta(hours=6)
    opened = open_page(dev_server)
    opened.goto(f"/?repo={REPO}&from={iso(start)}&to={iso(stop)}")
    wait_for_charts(opened.page)
    stars = opened.page.locator('[data-chart="stars"]')
    marker = stars.locator('.chart-marker[data-kind="unusual"]')
    expect(marker).to_have_count(1)
    expect(marker).to_have_attribute("data-side", "left")
    plot = stars.locator(".u-over").bounding_box()
    label = marker.locator(".chart-marker-label").bounding_box()
    assert plot is not None and label is not None
    assert plot["x"] <= label["x"] and label["x"] + label["width"] <= plot["x"] + plot["width"]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_flagged_days_arriving_after_the_points_are_placed_on_the_chart_already_drawn(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    page = opened.page
    held: list[Any] = []
    page.route(re.compile(r"/unusual\?"), lambda route: held.append(route))  # answered later
    opened.goto(f"/?repo={REPO}")
    wait_for_charts(page)
    assert held, "the page never asked for the flagged days"
    page.evaluate("() => { window.ossgrowthCharts.stars.ossgrowthBeforeFlags = true; }")
    for route in held:
        route.continue_()
    stars = page.locator('[data-chart="stars"]')
    expect(stars.locator(".chart-marker")).to_have_count(len(BURSTS))
    assert page.evaluate("() => window.ossgrowthCharts.stars.ossgrowthBeforeFlags === true"), (
        "the chart was built anew for its flags"
    )
