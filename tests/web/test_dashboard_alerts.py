"""Alerts in Debian's chromium against real ``ossgrowth serve`` processes: the rules (never
their secrets or their targets' paths), adding one, the API's refusal of a private address
shown beside the field, deleting, the delivery history, and who sees the page at all."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.conftest import ADMIN_TOKEN, OpenPage, Server
from tests.web.seed import COLLECTION, RULE, RULE_ERROR

pytestmark = pytest.mark.browser

PUBLIC_ADDRESS = "93.184.215.14"
"""A public address as a rule's host: checked without a name to resolve (tests have no DNS);
nothing is ever sent to it (the servers of these tests deliver nothing)."""


def test_the_seeded_rule_shows_its_targets_host_but_never_its_path_or_secret(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    page = opened.page
    opened.goto("/")
    page.get_by_role("navigation", name="Views").get_by_role("link", name="Alerts").click()
    row = page.locator(".rules-table tbody tr").filter(has_text=RULE.name)
    expect(row).to_have_count(1)
    expect(row.locator(".target")).to_have_text("https://hooks.example.com")
    expect(row).to_contain_text("secret set")
    expect(row).to_contain_text("octo/widgets")
    expect(row).to_contain_text("Milestone reached")
    content = page.content()
    assert "seeded-path-secret" not in content
    assert RULE.secret is not None and RULE.secret not in content


def test_the_delivery_history_shows_status_attempts_error_and_delivery_id(
    dev_server: Server, open_page: OpenPage
) -> None:
    history = httpx.get(dev_server.url("/api/v1/alerts/deliveries")).json()["deliveries"]
    failed = next(item for item in history if item["status"] == "failed")
    opened = open_page(dev_server)
    opened.goto("/?view=alerts")
    row = opened.page.locator(".deliveries-table tbody tr").filter(has_text=failed["id"])
    expect(row).to_have_count(1)
    expect(row.locator(".delivery-status")).to_have_text("failed")
    expect(row.locator("td.number")).to_have_text("3")
    expect(row.locator(".last-error")).to_have_text(RULE_ERROR)
    expect(row).to_contain_text(RULE.name)


def test_adding_a_rule_lists_it_and_deleting_it_takes_it_away(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    page = opened.page
    opened.goto("/?view=alerts")
    form = page.get_by_role("form", name="Add an alert rule")
    form.get_by_label("Name").fill("Stars leap")
    form.get_by_label("Kind").select_option("spike")
    form.get_by_label("k (times the trailing median)").fill("4")
    form.get_by_label("URL").fill(f"https://{PUBLIC_ADDRESS}/leap/very-private-path")
    form.get_by_label("Signing secret (optional)").fill("leap-signing-secret")
    form.get_by_role("button", name="Add rule").click()
    expect(form.get_by_role("status")).to_have_text("Added Stars leap.")
    row = page.locator(".rules-table tbody tr").filter(has_text="Stars leap")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Spike in daily gain")
    expect(row).to_contain_text("k = 4")
    expect(row).to_contain_text("all repositories")
    expect(row).to_contain_text("secret set")
    expect(row.locator(".target")).to_have_text(f"https://{PUBLIC_ADDRESS}")
    listed = httpx.get(dev_server.url("/api/v1/alerts/rules")).json()["rules"]
    added = next(rule for rule in listed if rule["name"] == "Stars leap")
    assert added["kind"] == "spike" and added["params"]["k"] == 4 and added["secret_set"]
    content = page.content()
    assert "very-private-path" not in content and "leap-signing-secret" not in content
    row.get_by_role("button", name="Delete Stars leap").click()
    row.get_by_role("button", name="Delete rule Stars leap").click()
    expect(row).to_have_count(0)
    assert httpx.get(dev_server.url(f"/api/v1/alerts/rules/{added['id']}")).status_code == 404


def test_the_rules_table_fits_a_laptops_width_with_every_delete_button_in_sight(
    dev_server: Server, open_page: OpenPage
) -> None:
    long_name = "Weekly downloads of every package the front-end team publishes, watched closely"
    bodies = [
        {
            "name": long_name,
            "kind": "downloads-drop",
            "family": "downloads",
            "scope": "collection",
            "scope_name": COLLECTION.slug,
            "channel": "slack",
            "target": f"https://{PUBLIC_ADDRESS}/services/T0/B0/slack-path",
            "params": {"percent": 30},
        },
        {
            "name": "Late collections",
            "kind": "overdue",
            "family": "stars",
            "scope": "all",
            "scope_name": None,
            "channel": "email",
            "target": "team@example.com",
            "params": {"slots": 2},
        },
    ]
    made = []
    try:
        for body in bodies:
            answer = httpx.post(dev_server.url("/api/v1/alerts/rules"), json=body)
            assert answer.status_code == 201, answer.text
            made.append(answer.json()["id"])
        opened = open_page(dev_server, viewport={"width": 1280, "height": 800})
        page = opened.page
        opened.goto("/?view=alerts")
        expect(page.locator(".rules-table tbody tr")).to_have_count(1 + len(bodies))
        scroller = page.locator(".alert-rules .table-scroll")
        widths = scroller.evaluate("(element) => [element.scrollWidth, element.clientWidth]")
        assert widths[0] <= widths[1], f"the rules table is cut at the right: {widths}"
        buttons = page.locator(".rules-table tbody").get_by_role(
            "button", name=re.compile("^Delete ")
        )
        expect(buttons).to_have_count(1 + len(bodies))
        for index in range(buttons.count()):
            box = buttons.nth(index).bounding_box()
            assert box is not None and box["x"] + box["width"] <= 1280, box
    finally:
        for rule_id in made:
            httpx.delete(dev_server.url(f"/api/v1/alerts/rules/{rule_id}"))


def test_asking_to_delete_a_rule_puts_the_focus_on_the_question_and_cancel_gives_it_back(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    page = opened.page
    opened.goto("/?view=alerts")
    trigger = page.get_by_role("button", name=f"Delete {RULE.name}", exact=True)
    trigger.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=f"Delete rule {RULE.name}")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Enter")
    expect(trigger).to_be_focused()
    expect(page.locator(".rules-table tbody tr").filter(has_text=RULE.name)).to_have_count(1)


def test_a_secret_typed_for_a_webhook_is_not_sent_once_the_channel_is_e_mail(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    page = opened.page
    opened.goto("/?view=alerts")
    form = page.get_by_role("form", name="Add an alert rule")
    form.get_by_label("Name").fill("Mailed milestones")
    form.get_by_label("Signing secret (optional)").fill("typed-before-changing")
    form.get_by_label("Channel").select_option("email")
    expect(form.get_by_label("Signing secret (optional)")).to_have_count(0)
    form.get_by_label("Address").fill("team@example.com")
    form.get_by_role("button", name="Add rule").click()
    expect(form.get_by_role("status")).to_have_text("Added Mailed milestones.")
    listed = httpx.get(dev_server.url("/api/v1/alerts/rules")).json()["rules"]
    added = next(rule for rule in listed if rule["name"] == "Mailed milestones")
    httpx.delete(dev_server.url(f"/api/v1/alerts/rules/{added['id']}"))
    assert added["channel"] == "email" and not added["secret_set"]


def test_a_rule_to_a_private_address_shows_the_apis_422_beside_the_target(
    dev_server: Server, open_page: OpenPage
) -> None:
    target = "http://10.1.2.3/hook"
    body = {
        "name": "Inside",
        "kind": "milestone",
        "family": "stars",
        "scope": "all",
        "scope_name": None,
        "channel": "webhook",
        "target": target,
        "params": {},
    }
    refused = httpx.post(dev_server.url("/api/v1/alerts/rules"), json=body)
    assert refused.status_code == 422, refused.text  # nothing was made
    opened = open_page(dev_server)
    opened.record.allow_console_error(r"status of 422")
    opened.goto("/?view=alerts")
    form = opened.page.get_by_role("form", name="Add an alert rule")
    form.get_by_label("Name").fill("Inside")
    form.get_by_label("URL").fill(target)
    form.get_by_role("button", name="Add rule").click()
    expect(opened.page.locator("#rule-target-problem")).to_have_text(refused.json()["detail"])
    expect(form.get_by_label("URL")).to_have_attribute("aria-invalid", "true")
    expect(opened.page.locator(".rules-table tbody tr").filter(has_text="Inside")).to_have_count(0)


def test_a_kinds_missing_parameter_is_named_before_anything_is_sent(
    dev_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(dev_server)
    opened.goto("/?view=alerts")
    form = opened.page.get_by_role("form", name="Add an alert rule")
    form.get_by_label("Name").fill("Quiet week")
    form.get_by_label("Kind").select_option("downloads-drop")
    form.get_by_label("URL").fill("https://hooks.example.com/drop")
    before = len(opened.record.requests_to("/api/v1/alerts/rules"))
    form.get_by_label("Drop percent").evaluate("(input) => { input.required = false; }")
    form.get_by_role("button", name="Add rule").click()
    expect(opened.page.locator("#rule-params-percent-problem")).to_have_text(
        "Drop percent is needed."
    )
    assert len(opened.record.requests_to("/api/v1/alerts/rules")) == before


def test_alerts_are_not_offered_where_the_page_cannot_write(
    prod_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(prod_server)
    opened.goto("/")
    views = opened.page.get_by_role("navigation", name="Views")
    expect(views.get_by_role("link", name="Leaderboard")).to_be_visible()
    expect(views.get_by_role("link", name="Alerts")).to_have_count(0)
    opened.goto("/?view=alerts")
    expect(opened.page.get_by_text("Changes are turned off on this server")).to_be_visible()
    assert opened.record.requests_to("/api/v1/alerts") == []


def test_alerts_ask_for_the_admin_token_before_reading_the_rules(
    prod_token_server: Server, open_page: OpenPage
) -> None:
    opened = open_page(prod_token_server)
    page = opened.page
    opened.goto("/?view=alerts")
    expect(page.get_by_text("enter the admin token above")).to_be_visible()
    assert httpx.get(prod_token_server.url("/api/v1/alerts/rules")).status_code == 401
    assert opened.record.requests_to("/api/v1/alerts") == []
    page.get_by_label("Admin token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Use for this session").click()
    expect(page.get_by_text("No rules yet: add one below.")).to_be_visible()
    expect(page.get_by_text("Nothing delivered yet")).to_be_visible()
    assert all(ADMIN_TOKEN not in url for url in opened.record.requests)
