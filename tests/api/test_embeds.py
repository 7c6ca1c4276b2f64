"""Embeds: SVG chart and badge, shields.io JSON; cacheable, never carrying a secret."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import httpx
import pytest

from tests.api.conftest import ADMIN_TOKEN, AppFactory, client_of

pytestmark = pytest.mark.anyio
BASE = "/api/v1/repos/octo/widgets"


@pytest.mark.parametrize(
    "path",
    [
        f"{BASE}/chart.svg",
        f"{BASE}/chart.svg?theme=dark&family=downloads&width=300&height=120",
        f"{BASE}/badge.svg",
        f"{BASE}/badge.svg?family=downloads",
        "/api/v1/repos/octo/gadgets/badge.svg?family=prs",
    ],
)
async def test_svg_embeds_are_well_formed_and_cacheable(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["cache-control"] == "public, max-age=900"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    root = ElementTree.fromstring(response.text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    again = await client.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


async def test_the_badge_shows_the_newest_value_compactly(client: httpx.AsyncClient) -> None:
    badge = (await client.get(f"{BASE}/badge.svg")).text
    assert "stars: 1.1k" in badge
    downloads = (await client.get(f"{BASE}/badge.svg?family=downloads")).text
    assert "downloads: 700/week" in downloads
    nothing = (await client.get("/api/v1/repos/octo/gadgets/badge.svg?family=issues")).text
    assert "no data" in nothing


async def test_shields_json_follows_the_endpoint_schema(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/shields.json")
    assert response.json() == {
        "schemaVersion": 1,
        "label": "stars",
        "message": "1.1k",
        "color": "007ec6",
    }
    assert response.headers["etag"]


async def test_embeds_never_carry_a_token(make_app: AppFactory) -> None:
    app = make_app(admin_token=ADMIN_TOKEN, github_tokens="ghp_secret_one")
    async with client_of(app) as client:
        for path in ("chart.svg", "badge.svg", "shields.json"):
            body = (await client.get(f"{BASE}/{path}")).text
            assert ADMIN_TOKEN not in body and "ghp_secret_one" not in body


async def test_a_gap_breaks_the_chart_line(client: httpx.AsyncClient) -> None:
    svg = (await client.get(f"{BASE}/chart.svg?width=2000")).text
    path = svg.split(' d="')[1].split('"')[0]
    assert path.count("M") == 2
