"""How ``ossgrowth serve`` hands out the dashboard: caching, its policy, its config, offline docs
and embeds of unknown repositories. Plain HTTP against a real server process; no browser."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from tests.web.conftest import Server

ONE_YEAR_SECONDS = 365 * 24 * 3600
_ASSET = re.compile(r"""(?:href|src)="(assets/[^"]+)\"""")
_INLINE_CONFIG = re.compile(
    r'<script id="ossgrowth-config" type="application/json">(.*?)</script>', re.DOTALL
)
_ABSOLUTE_URL = re.compile(r"""https?://[^\s"'<>)]+""")


class _References(HTMLParser):
    """Every ``src`` and ``href`` of a page, by tag."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href"} and value:
                self.found.append((tag, value))


def references(page: str) -> list[tuple[str, str]]:
    parser = _References()
    parser.feed(page)
    return parser.found


def test_page_is_never_cached_and_carries_its_policy_and_inline_config(
    dev_server: Server,
) -> None:
    response = httpx.get(dev_server.url("/"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    policy = response.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "connect-src 'self'"):
        assert directive in policy
    config = _INLINE_CONFIG.search(response.text)
    assert config is not None, "the server did not write the config into the page"
    assert json.loads(config.group(1)) == {"api_base_url": "api/v1"}
    assert 'rel="preload" href="api/v1/about"' in response.text


def test_hashed_assets_are_kept_for_a_year(dev_server: Server) -> None:
    page = httpx.get(dev_server.url("/")).text
    assets = sorted(set(_ASSET.findall(page)))
    assert any(asset.endswith(".js") for asset in assets)
    assert any(asset.endswith(".css") for asset in assets)
    for asset in assets:
        response = httpx.get(dev_server.url(f"/{asset}"))
        assert response.status_code == 200, asset
        cache = [part.strip() for part in response.headers["cache-control"].split(",")]
        assert "immutable" in cache, asset
        assert f"max-age={ONE_YEAR_SECONDS}" in cache, asset


def test_an_unknown_asset_is_not_found_and_not_kept(dev_server: Server) -> None:
    response = httpx.get(dev_server.url("/assets/app-NOSUCHHASH.js"))
    assert response.status_code == 404
    assert "immutable" not in response.headers.get("cache-control", "")


def test_config_json_tells_the_page_where_the_api_is(dev_server: Server) -> None:
    response = httpx.get(dev_server.url("/config.json"))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert response.json() == {"api_base_url": "api/v1"}


def test_api_docs_load_their_scripts_and_styles_from_this_server_only(
    dev_server: Server,
) -> None:
    response = httpx.get(dev_server.url("/docs"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    own_host = urlsplit(dev_server.base_url).netloc
    foreign = [
        url for url in _ABSOLUTE_URL.findall(response.text) if urlsplit(url).netloc != own_host
    ]
    assert foreign == [], "the docs page names another host"
    found = references(response.text)
    assert {tag for tag, _ in found} >= {"script", "link"}
    for _, reference in found:
        loaded = httpx.get(urljoin(dev_server.url("/docs"), reference))
        assert loaded.status_code == 200, reference
        assert urlsplit(str(loaded.url)).netloc == own_host


@pytest.mark.parametrize("image", ["chart.svg", "badge.svg", "chart.svg?theme=dark"])
def test_an_embedded_image_of_an_untracked_repository_is_an_svg_saying_so(
    dev_server: Server, image: str
) -> None:
    response = httpx.get(dev_server.url(f"/api/v1/repos/nobody/nothing/{image}"))
    assert response.status_code == 404
    assert response.headers["content-type"] == "image/svg+xml"
    root = ElementTree.fromstring(response.text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "not tracked" in (root.get("aria-label") or "")


def test_the_shields_endpoint_of_an_untracked_repository_is_a_shields_error(
    dev_server: Server,
) -> None:
    response = httpx.get(dev_server.url("/api/v1/repos/nobody/nothing/shields.json"))
    assert response.status_code == 200  # shields.io shows any other status as "inaccessible"
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert document["schemaVersion"] == 1
    assert document["isError"] is True
    assert document["message"] == "not tracked"
