"""axe-core finds no serious or critical accessibility problem in any view, light or dark.

axe-core comes from the dashboard's own dev dependencies (web/node_modules, ``npm ci``); it is
injected into the page, so those contexts bypass the page's Content-Security-Policy (which
rightly refuses inline scripts).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import OpenPage, Server
from tests.web.dashboard_page import VIEW_PATHS, wait_until_shown

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


def require_axe() -> None:
    """Skip without axe-core (``cd web && npm ci``), with the reason; under CI, fail."""
    if AXE.exists():
        return
    reason = f"axe-core is not installed at {AXE} (cd web && npm ci)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the accessibility tests, but {reason}")
    pytest.skip(reason)


def describe(violations: list[dict[str, Any]]) -> str:
    """axe's findings as lines a person can act on: rule, impact, help and where."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    at {node['target']}: {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("view", "scheme"),
    [
        ("overview", "light"),
        ("repository", "light"),
        ("repository", "dark"),
        ("compare", "light"),
        ("manage", "light"),
        ("manage", "dark"),
        ("collections", "light"),
        ("collection", "light"),
        ("collection", "dark"),
        ("leaderboard", "light"),
        ("leaderboard", "dark"),
        ("alerts", "light"),
        ("alerts", "dark"),
    ],
)
def test_a_view_has_no_serious_accessibility_problem(
    dev_server: Server, open_page: OpenPage, view: str, scheme: str
) -> None:
    require_axe()
    opened = open_page(dev_server, color_scheme=scheme, bypass_csp=True)
    opened.goto(VIEW_PATHS[view])
    wait_until_shown(opened.page, view)
    assert opened.page.evaluate("() => document.documentElement.dataset.theme") == scheme
    opened.page.add_script_tag(path=str(AXE))
    results = opened.page.evaluate("async () => await axe.run(document)")
    blocking = [
        violation for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert blocking == [], f"axe found in the {view} view ({scheme}):\n{describe(blocking)}"
