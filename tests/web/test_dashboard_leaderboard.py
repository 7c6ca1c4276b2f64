"""The leaderboard in Debian's chromium against a real ``ossgrowth serve``: its table holds
what ``GET /api/v1/leaderboard`` answers, row for row, for each window, ranking and collection
the page offers, and its CSV link is the API's own."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.conftest import OpenPage, Server
from tests.web.dashboard_page import query_of
from tests.web.seed import COLLECTION, MEASURED_DAYS

pytestmark = pytest.mark.browser


def ranking(server: Server, **params: str) -> dict[str, Any]:
    answer = httpx.get(server.url("/api/v1/leaderboard"), params=params)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def shown_rows(page: Any) -> list[dict[str, Any]]:
    """Each row of the leaderboard table: rank, the move in words, repository, mark."""
    found: list[dict[str, Any]] = page.evaluate(
        """() => Array.from(document.querySelectorAll('.leaderboard-table tbody tr'), (row) => ({
          rank: Number(row.querySelector('.rank').textContent),
          move: row.querySelector('.rank-move .visually-hidden').textContent,
          repo: row.querySelector('th a').textContent,
          reconstructed: row.dataset.reconstructed === 'true',
        }))"""
    )
    return found


def expected_move(entry: dict[str, Any]) -> str:
    if entry["previous_rank"] is None:
        return "new in the ranking"
    change = entry["rank_change"]
    if change == 0:
        return "unchanged"
    places = f"{abs(change)} place{'' if abs(change) == 1 else 's'}"
    return f"up {places}" if change > 0 else f"down {places}"


def assert_table_is(page: Any, answer: dict[str, Any]) -> None:
    rows = page.locator(".leaderboard-table tbody tr")
    expect(rows).to_have_count(len(answer["entries"]))
    shown = shown_rows(page)
    assert [row["repo"] for row in shown] == [entry["repo"] for entry in answer["entries"]]
    assert [row["rank"] for row in shown] == [entry["rank"] for entry in answer["entries"]]
    assert [row["move"] for row in shown] == [expected_move(e) for e in answer["entries"]]
    marked = [
        any(label != "measured" for label in entry["provenance"]) for entry in answer["entries"]
    ]
    assert [row["reconstructed"] for row in shown] == marked


def test_the_leaderboard_shows_the_apis_ranking_and_marks_reconstructed_points(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    page = opened.page
    opened.goto("/")
    page.get_by_role("navigation", name="Views").get_by_role("link", name="Leaderboard").click()
    expect(page.get_by_role("heading", name="Leaderboard", level=1)).to_be_visible()
    month = ranking(dev_server, family="stars", window="30d", by="score")
    assert month["entries"], "the seeded world ranks"
    assert_table_is(page, month)
    assert not any(row["reconstructed"] for row in shown_rows(page))  # the last 90 days measured
    page.get_by_role("group", name="Window").get_by_role("button", name="1 year").click()
    year = ranking(dev_server, family="stars", window="1y", by="score")
    assert_table_is(page, year)
    assert any(row["reconstructed"] for row in shown_rows(page)), (
        f"a year reaches back past the {MEASURED_DAYS} measured days"
    )
    expect(page.locator(".provenance-mark").first).to_have_text("reconstructed")
    expect(page.get_by_text("growth score is the gain ÷ √(start value + 1)")).to_be_visible()
    assert query_of(page.url) == {"view": "leaderboard", "window": "1y"}


@pytest.mark.parametrize("by", ["gain", "relative"])
def test_each_ranking_the_page_offers_is_the_apis(
    dev_server: Server, open_page: OpenPage, by: str
) -> None:
    opened = open_page(dev_server)
    opened.goto("/?view=leaderboard&window=90d")
    expect(opened.page.locator(".leaderboard-table tbody tr").first).to_be_visible()
    name = {"gain": "Gain", "relative": "Relative gain"}[by]
    button = opened.page.get_by_role("group", name="Rank by").get_by_role(
        "button", name=name, exact=True
    )
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    assert_table_is(opened.page, ranking(dev_server, family="stars", window="90d", by=by))
    assert query_of(opened.page.url)["by"] == by


def test_a_collections_leaderboard_ranks_its_members_only(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    page = opened.page
    opened.goto("/?view=leaderboard")
    expect(page.locator(".leaderboard-table tbody tr").first).to_be_visible()
    page.get_by_label("Collection").select_option(COLLECTION.slug)
    expect(page.get_by_role("heading", name=f"Leaderboard of {COLLECTION.name}")).to_be_visible()
    answer = ranking(
        dev_server, family="stars", window="30d", by="score", collection=COLLECTION.slug
    )
    assert_table_is(page, answer)
    members = {str(repo) for repo in COLLECTION.members}
    assert {row["repo"] for row in shown_rows(page)} <= members


def test_the_csv_link_downloads_the_apis_csv_of_the_same_ranking(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    page = opened.page
    opened.goto(f"/?view=leaderboard&window=7d&by=relative&collection={COLLECTION.slug}")
    expect(page.locator(".leaderboard-table tbody tr").first).to_be_visible()
    link = page.get_by_role("link", name="CSV")
    href = link.get_attribute("href")
    assert href is not None
    query = query_of(href)
    assert query["format"] == "csv"
    assert {key: query[key] for key in ("window", "by", "collection")} == {
        "window": "7d",
        "by": "relative",
        "collection": COLLECTION.slug,
    }
    with page.expect_download() as download:
        link.click()
    text = download.value.path().read_text()
    answer = ranking(dev_server, family="stars", window="7d", by="relative", collection="rockets")
    assert len(text.strip().splitlines()) == len(answer["entries"]) + 1  # a header, then rows
    assert answer["entries"][0]["repo"] in text.splitlines()[1]


def test_an_unknown_collections_leaderboard_says_so_without_a_useless_retry(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    opened.record.allow_console_error(r"status of 404")
    opened.goto("/?view=leaderboard&collection=no-such-group")
    expect(opened.page.get_by_role("alert")).to_contain_text("there is no collection")
    expect(opened.page.get_by_role("button", name="Try again")).to_have_count(0)
