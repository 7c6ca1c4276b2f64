"""Serve the dashboard and the interactive API docs from the package, with nothing fetched
from another origin.

``make venv`` builds ``web/`` into ``static/`` beside this module: ``index.html``, assets under
``assets/`` whose names carry a hash of their content, and ``manifest.json`` naming them. So:

- ``/`` (and ``/index.html``) is the page, never cached (``no-cache``), with a
  Content-Security-Policy that lets it load its own files and talk to its API only;
- ``/assets/…`` are kept by browsers for a year (``immutable``): a new build has new names;
- ``/config.json`` tells the page where the API is (``api_base_url``; relative to the page
  unless ``OSSGROWTH_DASHBOARD_API_URL`` names another origin), so the same files can be served
  from a bucket with the API elsewhere;
- ``/docs`` is Swagger UI from the same assets, so it works offline and behind a firewall.

A package built without Node.js has no ``static/``: the page then answers 503 with how to build
it; the API is unaffected.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

__all__ = ["STATIC_DIR", "dashboard_config", "install_dashboard"]

STATIC_DIR = Path(__file__).parent / "static"
"""Where ``make venv`` puts the built page."""

DEFAULT_API_BASE_URL = "api/v1"
"""The API, relative to the page: the same server."""
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
_NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ossgrowth: dashboard not built</title></head>
<body><main><h1>The dashboard is not built</h1>
<p>This copy of ossgrowth was installed without its web page. Install Node.js 20 or newer
and run <code>make venv</code> (or <code>npm ci &amp;&amp; npm run build</code> in
<code>web/</code>), then restart the server. The HTTP API works without it: see
<a href="openapi.json">openapi.json</a>.</p></main></body></html>
"""


def dashboard_config(api_base_url: str | None) -> dict[str, str]:
    """What ``/config.json`` answers: where the page finds the API."""
    return {"api_base_url": api_base_url or DEFAULT_API_BASE_URL}


_CONFIG_SLOT = re.compile(rb"<!--ossgrowth:config.*?-->")


def _with_config(page: bytes, api_base_url: str | None) -> bytes:
    """The page with its config written in (so it needs no request for it), and a preload of
    ``/about``, which it asks for first."""
    config = json.dumps(dashboard_config(api_base_url)).replace("<", "\\u003c")
    about = html.escape((api_base_url or DEFAULT_API_BASE_URL).rstrip("/") + "/about")
    inline = (
        f'<script id="ossgrowth-config" type="application/json">{config}</script>\n'
        f'    <link rel="preload" href="{about}" as="fetch" crossorigin="anonymous" />'
    ).encode()
    return _CONFIG_SLOT.sub(lambda _: inline, page, count=1)


def _content_security_policy(api_base_url: str | None) -> str:
    """Only this origin's scripts, styles and images; requests to this origin and the API's."""
    connect = "'self'"
    if api_base_url:
        parts = urlsplit(api_base_url)
        if parts.scheme and parts.netloc:
            connect += f" {parts.scheme}://{parts.netloc}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob:; connect-src {connect}; font-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


def _read(path: Path) -> bytes | None:
    """A built file, read afresh (a rebuild replaces them while the server runs)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _manifest() -> dict[str, str] | None:
    raw = _read(STATIC_DIR / "manifest.json")
    if raw is None:
        return None
    found = json.loads(raw)
    assert isinstance(found, dict)
    return {str(key): str(value) for key, value in found.items()}


class ImmutableAssets(StaticFiles):
    """Static files whose names change with their content: cached for a year."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_cached(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start" and message.get("status") == 200:
                headers = list(message.get("headers", []))  # type: ignore[call-overload]
                headers.append((b"cache-control", IMMUTABLE.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await super().__call__(scope, receive, send_cached)  # type: ignore[arg-type]


def install_dashboard(app: FastAPI, *, api_base_url: str | None = None) -> None:
    """Add the page, its assets, ``/config.json`` and offline ``/docs`` to ``app``.

    Args:
        app: the API's app, created with ``docs_url=None`` (this serves ``/docs``).
        api_base_url: the API's ``/api/v1`` as the page should call it; default: this server.
    """
    policy = _content_security_policy(api_base_url)

    async def page() -> Response:
        body = _read(STATIC_DIR / "index.html")
        if body is None:
            return HTMLResponse(_NOT_BUILT, status_code=503, headers={"Cache-Control": NO_CACHE})
        headers = {"Cache-Control": NO_CACHE, "Content-Security-Policy": policy}
        return HTMLResponse(_with_config(body, api_base_url), headers=headers)

    async def config() -> Response:
        return JSONResponse(dashboard_config(api_base_url), headers={"Cache-Control": NO_CACHE})

    async def docs() -> Response:
        manifest = _manifest()
        if manifest is None:
            return HTMLResponse(_NOT_BUILT, status_code=503, headers={"Cache-Control": NO_CACHE})
        html = get_swagger_ui_html(
            openapi_url="openapi.json",
            title="ossgrowth API",
            swagger_js_url=manifest["swagger_js"],
            swagger_css_url=manifest["swagger_css"],
            swagger_favicon_url=manifest["favicon"],
            # no badge fetched from the public validator: nothing leaves this server
            swagger_ui_parameters={"validatorUrl": None},
        )
        html.headers["Cache-Control"] = NO_CACHE
        return html

    for path in ("/", "/index.html"):
        app.add_api_route(path, page, methods=["GET"], include_in_schema=False)
    app.add_api_route("/config.json", config, methods=["GET"], include_in_schema=False)
    app.add_api_route("/docs", docs, methods=["GET"], include_in_schema=False)
    app.mount(
        "/assets",
        ImmutableAssets(directory=STATIC_DIR / "assets", check_dir=False),
        name="assets",
    )
