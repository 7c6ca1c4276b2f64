"""A dev server on loopback takes changes from its own machine without a token, and only them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from ossgrowth.api import create_app
from ossgrowth.api.auth import local_writes_for
from ossgrowth.clock import FixedClock
from ossgrowth.config import load_settings
from ossgrowth.errors import ConfigError
from ossgrowth.model import RepoName
from ossgrowth.store import SqlStore
from tests.api.conftest import ADMIN_TOKEN, STAGING_PASSWORD, admin_headers, assert_problem

pytestmark = pytest.mark.anyio
VITE = {"repo": "vitejs/vite", "packages": ["npm:vite"]}
VITE_REPO = RepoName("vitejs", "vite")
LocalClient = Callable[..., Any]


@pytest.fixture
def local_client(store: SqlStore, clock: FixedClock) -> LocalClient:
    """A client of a dev app with local writes, from ``client`` to ``base_url``."""

    @asynccontextmanager
    async def connect(
        *,
        client: tuple[str, int] = ("127.0.0.1", 50000),
        base_url: str = "http://127.0.0.1:8000",
        **settings: Any,
    ) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(load_settings(**settings), store, clock, local_writes=True)
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
            yield http

    return connect


@pytest.mark.parametrize(
    ("client", "base_url", "origin"),
    [
        (("127.0.0.1", 50000), "http://127.0.0.1:8000", None),
        (("127.0.0.1", 50000), "http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        (("127.0.0.1", 50000), "http://localhost:8000", "http://localhost:8000"),
        (("::1", 50000), "http://[::1]:8000", "http://[::1]:8000"),
        (("127.0.0.2", 50000), "http://LOCALHOST", None),
    ],
)
async def test_a_local_request_adds_a_repository_without_a_token(
    local_client: LocalClient,
    store: SqlStore,
    client: tuple[str, int],
    base_url: str,
    origin: str | None,
) -> None:
    headers = {} if origin is None else {"Origin": origin}
    async with local_client(client=client, base_url=base_url) as http:
        added = await http.post("/api/v1/repos", json=VITE, headers=headers)
        assert added.status_code == 201, added.text
        assert store.get_subject(VITE_REPO) is not None
        removed = await http.delete("/api/v1/repos/vitejs/vite", headers=headers)
        assert removed.status_code == 204
        runs = await http.get("/api/v1/admin/runs", headers=headers)
        assert runs.status_code == 200


@pytest.mark.parametrize(
    ("client", "base_url", "headers"),
    [
        pytest.param(
            ("127.0.0.1", 50000),
            "http://127.0.0.1:8000",
            {"Origin": "https://evil.example"},
            id="a page of another site (CSRF)",
        ),
        pytest.param(
            ("127.0.0.1", 50000),
            "http://127.0.0.1:8000",
            {"Origin": "null"},
            id="an opaque origin",
        ),
        pytest.param(
            ("127.0.0.1", 50000),
            "http://127.0.0.1:8000",
            {"Origin": "http://127.0.0.1:9999"},
            id="another port of this machine",
        ),
        pytest.param(
            ("127.0.0.1", 50000),
            "http://evil.example:8000",
            {},
            id="a rebound DNS name in Host",
        ),
        pytest.param(
            ("127.0.0.1", 50000),
            "http://127.0.0.1.evil.example:8000",
            {},
            id="a look-alike Host",
        ),
        pytest.param(
            ("203.0.113.5", 1234),
            "http://127.0.0.1:8000",
            {},
            id="a client on another machine",
        ),
        pytest.param(
            ("127.0.0.1", 50000),
            "http://127.0.0.1:8000",
            {"X-Real-IP": "203.0.113.5"},
            id="relayed by a proxy on this machine",
        ),
        pytest.param(
            ("127.0.0.1", 50000),
            "http://127.0.0.1:8000",
            {"Forwarded": "for=203.0.113.5"},
            id="relayed by a standard proxy",
        ),
    ],
)
async def test_a_request_not_provably_local_gets_the_usual_401(
    local_client: LocalClient,
    store: SqlStore,
    client: tuple[str, int],
    base_url: str,
    headers: dict[str, str],
) -> None:
    async with local_client(client=client, base_url=base_url) as http:
        refused = await http.post("/api/v1/repos", json=VITE, headers=headers)
        assert_problem(refused, 401)
        assert refused.headers["www-authenticate"].startswith("Bearer")
        assert "this machine" in refused.json()["detail"]
        assert_problem(await http.post("/api/v1/admin/collect", headers=headers), 401)
    assert store.get_subject(VITE_REPO) is None


async def test_the_admin_token_still_opens_writes_from_anywhere(
    local_client: LocalClient,
) -> None:
    async with local_client(client=("203.0.113.5", 1234), admin_token=ADMIN_TOKEN) as http:
        added = await http.post("/api/v1/repos", json=VITE, headers=admin_headers())
        assert added.status_code == 201


async def test_about_tells_a_page_that_changes_are_open(local_client: LocalClient) -> None:
    async with local_client() as http:
        about = (await http.get("/api/v1/about")).json()
    assert about["writes"] == "open"
    assert about["writes_hint"].startswith("this dev server on loopback accepts changes")


@pytest.mark.parametrize(
    ("environment", "extra"),
    [("prod", {}), ("staging", {"staging_password": STAGING_PASSWORD})],
)
def test_staging_and_prod_never_open_writes_without_a_token(
    store: SqlStore, clock: FixedClock, environment: str, extra: dict[str, str]
) -> None:
    settings = load_settings(environment=environment, **extra)
    with pytest.raises(ConfigError, match="never takes changes without the admin token"):
        create_app(settings, store, clock, local_writes=True)
    assert not local_writes_for(settings, "127.0.0.1")


@pytest.mark.parametrize(
    ("host", "settings", "opened"),
    [
        ("127.0.0.1", {}, True),
        ("::1", {}, True),
        ("[::1]", {}, True),
        ("localhost", {}, True),
        ("127.0.0.5", {}, True),
        ("0.0.0.0", {}, False),
        ("192.0.2.10", {}, False),
        ("example.com", {}, False),
        ("127.0.0.1", {"admin_token": ADMIN_TOKEN}, False),
        ("127.0.0.1", {"admin_token": ""}, True),
        ("127.0.0.1", {"environment": "prod"}, False),
    ],
)
def test_serve_opens_local_writes_on_dev_loopback_without_a_token_only(
    host: str, settings: dict[str, str], opened: bool
) -> None:
    assert local_writes_for(load_settings(**settings), host) is opened
