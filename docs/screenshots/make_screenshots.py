"""Redo the dashboard's screenshots in docs/screenshots/ from a seeded store.

Starts ``ossgrowth serve`` over the store of ``tests/web/seed.py`` (history up to now) and
takes each view in headless Chromium: the overview, a repository page in light and in dark,
compare aligned by age, a repository page at a phone's 375 px, a collection's page (its
members' table and chart), the leaderboard, and the alerts page (rules and delivery history).

The server takes changes with an admin token made up for the run, which the alerts shot
enters in the page's token form, so the page shows what an administrator sees. Before a shot
is written, the page's text, markup and form fields are checked for that token, the seeded
rule's signing secret and its webhook's path: none may be on the page.

    python docs/screenshots/make_screenshots.py        (or: make screenshots)

Needs the built dashboard (``make venv``) and Debian's chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from tests.web.seed import COLLECTION, RULE  # noqa: E402
from tests.web.served import CHROMIUM, CHROMIUM_ARGS, running_server, seeded_store  # noqa: E402

MARGIN_PIXELS = 24
"""Room left under a shot's last element (``Shot.until``)."""
CHARTS = "charts"
"""A shot's ``ready`` when it waits for every chart of the view to be drawn."""


@dataclass(frozen=True, slots=True)
class Shot:
    """One screenshot: the file, the page's query and how to take it."""

    name: str
    query: str
    ready: str
    """``CHARTS``, or a CSS selector that matches once the view has drawn what it loads."""
    width: int = 1280
    scheme: str = "light"
    whole_page: bool = False
    until: str | None = None
    """A CSS selector: the shot ends under the element it matches (the page below is left out)."""
    admin: bool = False
    """Enter the admin token in the page's token form first."""


SHOTS = (
    Shot("overview.png", "", ".overview-table tbody tr"),
    Shot("repository-light.png", "?repo=octo/widgets", CHARTS, whole_page=True),
    Shot(
        "repository-dark.png",
        "?repo=octo/widgets&range=90d",
        CHARTS,
        scheme="dark",
        whole_page=True,
    ),
    Shot(
        "compare.png",
        "?view=compare&repos=octo/widgets,acme/rocket,lab/notebook,tiny/tool&align=age",
        CHARTS,
    ),
    Shot(
        "phone.png",
        "?repo=octo/widgets&range=30d&families=stars,downloads",
        CHARTS,
        width=375,
        whole_page=True,
    ),
    Shot(
        "collection.png",
        f"?view=collections&collection={COLLECTION.slug}&range=90d",
        CHARTS,
        until='[data-chart="collection"]',
    ),
    Shot("leaderboard.png", "?view=leaderboard&window=1y", ".leaderboard-table tbody tr"),
    Shot(
        "alerts.png",
        "?view=alerts",
        ".deliveries-table tbody tr",
        whole_page=True,
        admin=True,
    ),
)

_SHOWN = """() => [
  document.documentElement.outerHTML,
  document.body.innerText,
  ...Array.from(document.querySelectorAll("input, textarea, select"), (field) => field.value),
].join("\\n")"""


def check_nothing_secret(page: Page, name: str, secret_texts: list[str]) -> None:
    """Stop the run when any of ``secret_texts`` is in the page's markup, text or form fields."""
    shown = str(page.evaluate(_SHOWN))
    leaked = [text for text in secret_texts if text in shown]
    if leaked:
        raise SystemExit(f"{name}: the page shows a secret ({len(leaked)} of them); not written")


def framing(page: Page, shot: Shot) -> dict[str, Any]:
    """The screenshot's extent: the viewport, the whole page, or down to ``shot.until``."""
    if shot.until is None:
        return {"full_page": shot.whole_page}
    box = page.locator(shot.until).bounding_box()
    if box is None:
        raise SystemExit(f"{shot.name}: {shot.until} is not on the page")
    height = box["y"] + box["height"] + MARGIN_PIXELS
    return {"full_page": True, "clip": {"x": 0, "y": 0, "width": shot.width, "height": height}}


def main() -> None:
    admin_token = secrets.token_urlsafe(24)
    secret_texts = [admin_token, urlsplit(RULE.target).path]
    if RULE.secret:
        secret_texts.append(RULE.secret)
    with tempfile.TemporaryDirectory() as directory:
        store_url = seeded_store(Path(directory) / "screenshots.db")
        settings = {"OSSGROWTH_ADMIN_TOKEN": admin_token}
        with running_server(store_url, settings) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for shot in SHOTS:
                    context = browser.new_context(
                        viewport={"width": shot.width, "height": 860},
                        color_scheme=shot.scheme,  # type: ignore[arg-type]
                        device_scale_factor=1,
                    )
                    page = context.new_page()
                    page.goto(f"{base}/{shot.query}")
                    if shot.admin:
                        page.get_by_label("Admin token").fill(admin_token)
                        page.get_by_role("button", name="Use for this session").click()
                    if shot.ready == CHARTS:
                        page.wait_for_function(
                            "() => performance.getEntriesByName('ossgrowth:all-charts').length"
                        )
                    else:
                        page.wait_for_selector(shot.ready)
                    page.wait_for_load_state("networkidle")
                    check_nothing_secret(page, shot.name, secret_texts)
                    page.screenshot(path=HERE / shot.name, **framing(page, shot))
                    context.close()
                    print(f"wrote docs/screenshots/{shot.name}")
            finally:
                browser.close()


if __name__ == "__main__":
    main()
