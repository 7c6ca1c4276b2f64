"""The overview, manage, environments and every view in Debian's chromium against real
``ossgrowth serve`` processes: what each shows, and that the page keeps to its own server.

Every page is opened through ``open_page`` (tests/web/conftest.py), which fails the test on a
console error or a request to anything but the page's own server.
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from ossgrowth.simulator import WorldConfig, build_world
from tests.web.conftest import (
    ADMIN_TOKEN,
    CROWD,
    SIMULATOR_REPOS,
    SMALL_WORLD,
    STAGING_PASSWORD,
    STAGING_USER,
    OpenPage,
    Server,
    SimulatedSetup,
)
from tests.web.dashboard_page import (
    VIEW_PATHS,
    query_of,
    wait_for_charts,
    wait_until_shown,
)
from tests.web.seed import WORLD

pytestmark = pytest.mark.browser

REPO = "octo/widgets"
STAGING_CREDENTIALS = {"username": STAGING_USER, "password": STAGING_PASSWORD}


# --- overview -------------------------------------------------------------------------------


def test_the_overview_lists_every_tracked_repository_and_the_backfill_in_progress(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    opened.goto("/")
    rows = opened.page.locator(".overview-table tbody tr")
    expect(rows).to_have_count(len(WORLD))
    names = rows.locator("th a").all_inner_texts()
    assert sorted(names) == sorted(str(seeded.repo) for seeded in WORLD)
    backfilling = [str(seeded.repo) for seeded in WORLD if seeded.backfilling]
    for name in backfilling:
        row = rows.filter(has=opened.page.get_by_role("link", name=name, exact=True))
        expect(row.locator("progress")).to_have_count(1)
        expect(row).to_contain_text("history queued")
    expect(rows.locator("progress")).to_have_count(len(backfilling))
    pager = opened.page.locator("nav.pager")
    expect(pager).to_contain_text(f"1–{len(WORLD)} of {len(WORLD)}")
    expect(pager.get_by_role("button", name="Previous")).to_be_disabled()
    expect(pager.get_by_role("button", name="Next")).to_be_disabled()  # 50 a page


def test_the_star_count_beside_its_sparkline_sits_at_the_height_of_its_neighbours(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    opened.goto("/")
    rows = opened.page.locator(".overview-table tbody tr")
    expect(rows).to_have_count(len(WORLD))
    # the text's own box (a range over it), the count's and the next cell's (1 day)
    offsets = rows.evaluate_all(
        """(rows) => rows.map((row) => {
          const top = (element) => {
            const range = document.createRange();
            range.selectNodeContents(element);
            return range.getBoundingClientRect().top;
          };
          return top(row.querySelector(".stars span")) - top(row.querySelectorAll("td")[2]);
        })"""
    )
    assert all(abs(offset) <= 1 for offset in offsets), offsets


def test_the_overview_fits_1280_pixels_with_a_collections_status_under_its_time(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server, viewport={"width": 1280, "height": 800})
    opened.goto("/")
    rows = opened.page.locator(".overview-table tbody tr")
    expect(rows).to_have_count(len(WORLD))
    late = opened.page.locator(".overview-table td.collection .status-text")
    expect(late.first).to_be_visible()  # the seeded world ends before the last slot: overdue
    scroller = opened.page.locator(".table-scroll").filter(has=rows.first)
    widths = scroller.evaluate("(element) => [element.scrollWidth, element.clientWidth]")
    assert widths[0] <= widths[1], f"the overview is cut at the right: {widths}"


def test_the_overview_filters_and_sorts_through_its_url(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    opened.goto("/?q=octo&sort=repo&order=asc")
    names = opened.page.locator(".overview-table tbody th a")
    expect(names).to_have_text(["octo/gadgets", "octo/widgets"])
    opened.page.get_by_role("columnheader", name="Stars").get_by_role("button").click()
    expect(names).to_have_text(["octo/widgets", "octo/gadgets"])  # most stars first
    assert query_of(opened.page.url) == {"q": "octo"}  # sort=stars&order=desc: the defaults
    expect(opened.page.locator("input[type=search]")).to_have_value("octo")


def test_the_overview_of_many_repositories_shows_fifty_a_page(
    crowded_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(crowded_server)
    opened.goto("/?sort=repo&order=asc")
    rows = opened.page.locator(".overview-table tbody tr")
    pager = opened.page.locator("nav.pager")
    expect(rows).to_have_count(50)
    expect(pager).to_contain_text(f"1–50 of {CROWD}")
    expect(rows.first.locator("th a")).to_have_text("crowd/repo000")
    pager.get_by_role("button", name="Next").click()
    expect(pager).to_contain_text(f"51–100 of {CROWD}")
    expect(rows.first.locator("th a")).to_have_text("crowd/repo050")
    pager.get_by_role("button", name="Next").click()
    expect(rows).to_have_count(CROWD - 100)
    expect(pager.get_by_role("button", name="Next")).to_be_disabled()
    assert query_of(opened.page.url)["page"] == "3"
    opened.page.go_back()
    expect(pager).to_contain_text(f"51–100 of {CROWD}")
    opened.page.locator("input[type=search]").fill("repo11")
    expect(rows).to_have_count(10)  # repo110 … repo119
    expect(pager).to_contain_text("1–10 of 10")


# --- manage ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("repo", "packages", "problem"),
    [("not a repo!", "", "#repo-problem"), ("octo/brand-new", "cargo:serde", "#packages-problem")],
    ids=["bad-name", "bad-package"],
)
def test_the_track_form_shows_the_apis_message_beside_the_field_at_fault(
    dev_server: Server, open_page: OpenPage, repo: str, packages: str, problem: str
) -> None:
    body = {"repo": repo, "packages": packages.split()}
    refused = httpx.post(dev_server.url("/api/v1/repos"), json=body)
    assert refused.status_code == 422  # nothing was tracked
    opened = open_page(dev_server)
    opened.record.allow_console_error(r"status of 422")
    opened.goto("/?view=manage")
    form = opened.page.get_by_role("form", name="Track a repository")
    form.locator("input[name=repo]").fill(repo)
    form.locator("input[name=packages]").fill(packages)
    form.get_by_role("button", name="Track").click()
    expect(opened.page.locator(problem)).to_have_text(refused.json()["detail"])
    field = "repo" if problem == "#repo-problem" else "packages"
    expect(form.locator(f"input[name={field}]")).to_have_attribute("aria-invalid", "true")


def test_without_an_admin_token_the_manage_page_says_how_to_enable_changes(
    prod_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(prod_server)
    opened.goto("/?view=manage")
    expect(opened.page.get_by_text("Changes are turned off on this server")).to_be_visible()
    expect(opened.page.get_by_text("OSSGROWTH_ADMIN_TOKEN").first).to_be_visible()
    form = opened.page.get_by_role("form", name="Track a repository")
    expect(form.get_by_role("button", name="Track")).to_be_disabled()
    expect(opened.page.get_by_role("button", name=re.compile("^Remove"))).to_have_count(0)


def test_the_admin_token_is_asked_once_and_kept_for_the_session_only(
    prod_token_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(prod_token_server)
    opened.record.allow_console_error(r"status of 401")
    opened.goto("/?view=manage")
    form = opened.page.get_by_role("form", name="Track a repository")
    expect(form.get_by_role("button", name="Track")).to_be_disabled()
    token = opened.page.get_by_label("Admin token")
    token.fill("not-the-token")
    opened.page.get_by_role("button", name="Use for this session").click()
    form.locator("input[name=repo]").fill("octo/fresh")
    form.get_by_role("button", name="Track").click()
    expect(form.locator(".form-problem")).to_contain_text("admin token")
    opened.page.get_by_role("button", name="Forget it").click()
    opened.page.get_by_label("Admin token").fill(ADMIN_TOKEN)
    opened.page.get_by_role("button", name="Use for this session").click()
    form.get_by_role("button", name="Track").click()
    expect(opened.page.get_by_role("heading", name="Tracking octo/fresh")).to_be_visible()
    kept = opened.page.evaluate(
        "() => [sessionStorage.getItem('ossgrowth-admin-token'), JSON.stringify(localStorage)]"
    )
    assert kept[0] == ADMIN_TOKEN and ADMIN_TOKEN not in kept[1]
    assert ADMIN_TOKEN not in opened.page.url
    opened.page.reload()  # the same browser session keeps it
    expect(opened.page.get_by_role("button", name="Forget it")).to_be_visible()
    tracked = opened.page.locator(".tracked-list li").filter(has_text="octo/fresh")
    tracked.get_by_role("button", name="Remove octo/fresh").click()
    opened.page.get_by_role("button", name="Remove octo/fresh and its data").click()
    expect(tracked).to_have_count(0)
    assert all(ADMIN_TOKEN not in url for url in opened.record.requests)


def smallest_simulated_repository() -> str:
    """The simulated world's repository with the fewest stars: the quickest to backfill."""
    world = build_world(WorldConfig(seed=0, repo_count=SIMULATOR_REPOS))
    return min(
        world.repos, key=lambda repo: world.snapshot(repo.full_name, world.config.now).star_count
    ).full_name


@pytest.mark.slow  # starts the simulator and a server with its worker, then waits on a backfill
def test_tracking_a_repository_follows_its_backfill_and_remove_drops_it(
    simulated_server: SimulatedSetup, open_page: OpenPage
) -> None:
    server = simulated_server.server
    repo = smallest_simulated_repository()
    opened = open_page(server)
    opened.record.allow_console_error(r"status of 422")
    page = opened.page
    opened.goto("/?view=manage")
    form = page.get_by_role("form", name="Track a repository")
    refused = httpx.post(server.url("/api/v1/repos"), json={"repo": "not a repo!"})
    assert refused.status_code == 422
    form.locator("input[name=repo]").fill("not a repo!")
    form.get_by_role("button", name="Track").click()
    expect(page.locator("#repo-problem")).to_have_text(refused.json()["detail"])
    form.locator("input[name=repo]").fill(repo)
    form.get_by_role("button", name="Track").click()
    expect(page.get_by_role("heading", name=f"Tracking {repo}")).to_be_visible()
    expect(page.locator("#repo-problem")).to_be_empty()
    progress = page.locator(".backfill-progress")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("data-complete", "true", timeout=60_000)
    assert httpx.get(server.url(f"/api/v1/repos/{repo}/backfill")).json()["complete"] is True
    tracked = page.locator(".tracked")
    expect(tracked.get_by_role("link", name=repo, exact=True)).to_be_visible()
    tracked.get_by_role("button", name=f"Remove {repo}", exact=True).click()
    tracked.get_by_role("button", name=f"Remove {repo} and its data").click()
    expect(tracked.get_by_role("link", name=repo, exact=True)).to_have_count(0)
    assert httpx.get(server.url(f"/api/v1/repos/{repo}")).status_code == 404


# --- environments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("server_fixture", "banner"),
    [("dev_server", "dev"), ("staging_server", "staging"), ("prod_server", None)],
)
def test_a_banner_names_dev_and_staging_but_not_prod(
    request: pytest.FixtureRequest, open_page: OpenPage, server_fixture: str, banner: str | None
) -> None:
    server: Server = request.getfixturevalue(server_fixture)
    credentials = (
        {"http_credentials": STAGING_CREDENTIALS} if server.environment == "staging" else {}
    )
    opened = open_page(server, **credentials)
    opened.goto("/")
    expect(opened.page.locator(".overview-table tbody tr").first).to_be_visible()
    banners = opened.page.locator(".banner")
    if banner is None:
        expect(banners).to_have_count(0)
    else:
        expect(banners).to_have_count(1)
        expect(banners).to_have_attribute("data-environment", banner)


def test_staging_answers_401_without_its_password_and_renders_with_it(
    staging_server: Server, open_page: OpenPage
) -> None:
    refused = open_page(staging_server)
    refused.record.allow_console_error(r"status of 401")
    with pytest.raises(PlaywrightError, match="ERR_INVALID_AUTH_CREDENTIALS"):
        refused.goto("/")  # chromium gets the 401 and, having no password, shows nothing
    for path in ("/", "/config.json", "/api/v1/about", "/docs"):
        response = refused.page.request.get(staging_server.url(path))
        assert response.status == 401, path
        assert response.headers["www-authenticate"].startswith("Basic"), path
    allowed = open_page(staging_server, http_credentials=STAGING_CREDENTIALS)
    response = allowed.goto("/")
    assert response is not None and response.status == 200
    names = allowed.page.locator(".overview-table tbody th a")
    expect(names).to_have_count(len(SMALL_WORLD))
    assert sorted(names.all_inner_texts()) == sorted(str(seeded.repo) for seeded in SMALL_WORLD)


# --- every view -----------------------------------------------------------------------------


@pytest.mark.parametrize("view", list(VIEW_PATHS))
def test_every_view_fits_a_375_pixel_wide_screen(
    dev_server: Server, open_page: OpenPage, view: str
) -> None:
    opened = open_page(dev_server, viewport={"width": 375, "height": 740})
    opened.goto(VIEW_PATHS[view])
    wait_until_shown(opened.page, view)
    width = opened.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the {view} page scrolls sideways: {width} px wide"


_BACKGROUND_LIGHTNESS = """() => {
  for (const element of [document.body, document.documentElement]) {
    const color = getComputedStyle(element).backgroundColor;
    const [r, g, b, a = 1] = color.match(/[\\d.]+/g).map(Number);
    if (a > 0) return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  }
  return 1;
}"""


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_the_page_follows_the_systems_colour_scheme(
    dev_server: Server, open_page: OpenPage, scheme: str
) -> None:
    opened = open_page(dev_server, color_scheme=scheme)
    opened.goto(f"/?repo={REPO}")
    wait_for_charts(opened.page)
    assert opened.page.evaluate("() => document.documentElement.dataset.theme") == scheme
    lightness = opened.page.evaluate(_BACKGROUND_LIGHTNESS)
    assert (lightness < 0.3) if scheme == "dark" else (lightness > 0.7)


def test_moving_through_every_view_stays_on_this_server_without_errors(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    page = opened.page
    opened.goto("/")
    wait_until_shown(page, "overview")
    views = page.get_by_role("navigation", name="Views")
    views.get_by_role("link", name="Compare").click()
    expect(page.get_by_role("heading", name="Compare", level=1)).to_be_visible()
    views.get_by_role("link", name="Manage").click()
    wait_until_shown(page, "manage")
    page.locator(".tracked-list").get_by_role("link", name=REPO, exact=True).click()
    wait_until_shown(page, "repository")
    page.get_by_role("link", name="Compare with others").click()
    wait_for_charts(page, ["compare"])
    assert opened.record.requests_to("/api/v1/"), "the page read the API"
    assert opened.record.foreign_requests() == []
    assert opened.record.console_errors == []
    assert opened.record.page_errors == []


def test_api_docs_render_from_this_server_alone(dev_server: Server, open_page: OpenPage) -> None:
    opened = open_page(dev_server)
    opened.goto("/docs")
    expect(opened.page.locator(".opblock").first).to_be_visible()
    assert opened.record.requests_to("/openapi.json")
