"""Redo the dashboard's screenshots in docs/screenshots/ from a seeded store.

Starts ``ossgrowth serve`` over the store of ``tests/web/seed.py`` (history up to now) and
takes each view in headless Chromium: the overview, a repository page in light and in dark,
compare aligned by age, and a repository page at a phone's 375 px.

    python docs/screenshots/make_screenshots.py        (or: make screenshots)

Needs the built dashboard (``make venv``) and Debian's chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from tests.web.served import CHROMIUM, CHROMIUM_ARGS, running_server, seeded_store  # noqa: E402

SHOTS = [
    # file, query, width, colour scheme, whole page
    ("overview.png", "", 1280, "light", False),
    ("repository-light.png", "?repo=octo/widgets", 1280, "light", True),
    ("repository-dark.png", "?repo=octo/widgets&range=90d", 1280, "dark", True),
    (
        "compare.png",
        "?view=compare&repos=octo/widgets,acme/rocket,lab/notebook,tiny/tool&align=age",
        1280,
        "light",
        False,
    ),
    ("phone.png", "?repo=octo/widgets&range=30d&families=stars,downloads", 375, "light", True),
]


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        store_url = seeded_store(Path(directory) / "screenshots.db")
        with running_server(store_url) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for name, query, width, scheme, whole in SHOTS:
                    context = browser.new_context(
                        viewport={"width": width, "height": 860},
                        color_scheme=scheme,  # type: ignore[arg-type]
                        device_scale_factor=1,
                    )
                    page = context.new_page()
                    page.goto(f"{base}/{query}")
                    if "repo=" in query or "compare" in query:
                        page.wait_for_function(
                            "() => performance.getEntriesByName('ossgrowth:all-charts').length"
                        )
                    else:
                        page.wait_for_selector(".overview-table tbody tr")
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=HERE / name, full_page=whole)
                    context.close()
                    print(f"wrote docs/screenshots/{name}")
            finally:
                browser.close()


if __name__ == "__main__":
    main()
