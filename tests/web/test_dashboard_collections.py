"""Collections in Debian's chromium against real ``ossgrowth serve`` processes: the list, a
collection's page (its members' overview, their chart, its leaderboard), and making, changing
and deleting one from the page.

The dev server's store holds ``seed.COLLECTION``; what a test makes it deletes again.
"""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.conftest import OpenPage, Server
from tests.web.dashboard_page import chart_summaries, query_of, wait_for_charts
from tests.web.seed import COLLECTION

pytestmark = pytest.mark.browser

MEMBERS = sorted(str(repo) for repo in COLLECTION.members)


def test_the_collections_page_lists_each_with_its_description_and_member_count(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    opened.goto("/")
    opened.page.get_by_role("navigation", name="Views").get_by_role(
        "link", name="Collections"
    ).click()
    row = opened.page.locator(f".collections-table tr[data-slug={COLLECTION.slug}]")
    expect(row.get_by_role("rowheader")).to_have_text(COLLECTION.name)
    expect(row.locator("td").nth(0)).to_have_text(COLLECTION.description)
    expect(row.locator("td").nth(1)).to_have_text(str(len(COLLECTION.members)))
    assert query_of(opened.page.url) == {"view": "collections"}


def test_a_collection_shows_its_members_overview_their_chart_and_its_leaderboard(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    page = opened.page
    opened.goto("/?view=collections")
    page.get_by_role("link", name=COLLECTION.name, exact=True).click()
    expect(page.get_by_role("heading", name=COLLECTION.name, level=1)).to_be_visible()
    expect(page.locator(".collection-description")).to_have_text(COLLECTION.description)
    names = page.locator(".overview-table tbody th a")
    expect(names).to_have_count(len(COLLECTION.members))
    assert sorted(names.all_inner_texts()) == MEMBERS
    wait_for_charts(page, ["collection"])
    chart = chart_summaries(page, ["collection"])["collection"]
    assert sorted(chart["labels"]) == MEMBERS
    page.get_by_label("Family").select_option("issues")
    expect(page.locator("[data-chart=collection] h2")).to_contain_text("Issue")
    assert query_of(page.url)["family"] == "issues"
    page.get_by_role("link", name=f"Leaderboard of {COLLECTION.name}").click()
    expect(page.get_by_role("heading", name=f"Leaderboard of {COLLECTION.name}")).to_be_visible()
    ranked = page.locator(".leaderboard-table tbody th a")
    expect(ranked.first).to_be_visible()
    assert set(ranked.all_inner_texts()) <= set(MEMBERS)
    assert query_of(page.url)["collection"] == COLLECTION.slug


def test_making_a_collection_adding_members_renaming_and_deleting_it(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    page = opened.page
    opened.goto("/?view=collections")
    create = page.get_by_role("form", name="Create a collection")
    create.get_by_label("Name").fill("Small Things")
    expect(create.get_by_label("Slug (in its address)")).to_have_value("small-things")
    create.get_by_label("Description (optional)").fill("Tools that stay small")
    create.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Small Things", level=1)).to_be_visible()
    assert query_of(page.url)["collection"] == "small-things"
    add = page.get_by_role("form", name="Add members")
    add.get_by_label("Tracked repositories").fill("tiny/tool, octo/gadgets, nobody/here")
    add.get_by_role("button", name="Add").click()
    expect(add.get_by_role("alert")).to_contain_text("Not tracked: nobody/here")
    add.get_by_label("Tracked repositories").fill("tiny/tool, octo/gadgets")
    add.get_by_role("button", name="Add").click()
    names = page.locator(".overview-table tbody th a")
    expect(names).to_have_count(2)
    assert sorted(names.all_inner_texts()) == ["octo/gadgets", "tiny/tool"]
    members = page.get_by_role("list", name="Members of Small Things")
    members.get_by_role("button", name="Remove octo/gadgets from Small Things").click()
    expect(names).to_have_text(["tiny/tool"])
    answer = httpx.get(dev_server.url("/api/v1/collections/small-things")).json()
    assert answer["members"] == ["tiny/tool"]
    details = page.get_by_role("form", name="Name and description")
    details.get_by_label("Name").fill("Smaller Things")
    details.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Smaller Things", level=1)).to_be_visible()
    page.get_by_role("button", name="Delete collection").click()
    page.get_by_role("button", name="Delete Smaller Things (its repositories stay tracked)").click()
    expect(page.get_by_role("heading", name="Collections", level=1)).to_be_visible()
    expect(page.locator(".collections-table tr[data-slug=small-things]")).to_have_count(0)
    assert httpx.get(dev_server.url("/api/v1/collections/small-things")).status_code == 404
    assert httpx.get(dev_server.url("/api/v1/repos/tiny/tool")).status_code == 200


def test_a_refused_collection_shows_the_apis_message(
    dev_server: Server, open_page: OpenPage
) -> None:
    body = {"slug": COLLECTION.slug, "name": "Again", "description": ""}
    refused = httpx.post(dev_server.url("/api/v1/collections"), json=body)
    assert 400 <= refused.status_code < 500  # the slug is taken: nothing was made
    opened = open_page(dev_server)
    opened.record.allow_console_error(rf"status of {refused.status_code}")
    opened.goto("/?view=collections")
    create = opened.page.get_by_role("form", name="Create a collection")
    create.get_by_label("Name").fill("Again")
    create.get_by_label("Slug (in its address)").fill(COLLECTION.slug)
    create.get_by_role("button", name="Create").click()
    expect(create).to_contain_text(refused.json()["detail"])
    expect(opened.page.get_by_role("heading", name="Collections", level=1)).to_be_visible()


def test_an_unknown_collection_says_so(dev_server: Server, open_page: OpenPage) -> None:
    opened = open_page(dev_server)
    opened.record.allow_console_error(r"status of 404")
    opened.goto("/?view=collections&collection=no-such-group")
    expect(opened.page.get_by_role("alert")).to_have_text("There is no collection no-such-group.")
    expect(opened.page.get_by_role("button", name="Try again")).to_have_count(0)


def test_without_writes_the_collections_page_reads_only_and_says_how_to_make_one(
    prod_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(prod_server)
    opened.goto("/?view=collections")
    expect(opened.page.get_by_text("No collections yet.")).to_be_visible()
    expect(opened.page.get_by_text("ossgrowth collection create")).to_be_visible()
    expect(opened.page.get_by_role("form", name="Create a collection")).to_have_count(0)
