"""What an attacker or an unlucky client sends: bodies without credentials or of any size,
HEAD requests, a made-up Host header. Each gets a clear answer and costs the server nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.api.conftest import admin_headers, assert_problem

pytestmark = pytest.mark.anyio


async def test_a_write_without_credentials_is_refused_before_its_body_is_read(
    client: httpx.AsyncClient,
) -> None:
    read = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal read
        for _ in range(200):  # 2 MB, sent in chunks without a length
            read += 1
            yield b"x" * 10_000

    response = await client.post(
        "/api/v1/repos", content=body(), headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 401)
    assert read <= 1  # refused on its headers: the body was not taken
    invalid = await client.post("/api/v1/repos", content=b"{not json")
    assert_problem(invalid, 401)  # no hint of how a body is checked, without credentials


@pytest.mark.parametrize("chunked", [False, True])
async def test_a_body_over_64_kib_is_a_413_problem(
    client: httpx.AsyncClient, chunked: bool
) -> None:
    payload = b'{"repo": "' + b"a" * 70_000 + b'"}'

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 8192):
            yield payload[start : start + 8192]

    response = await client.post(
        "/api/v1/repos",
        content=chunks() if chunked else payload,
        headers={"Content-Type": "application/json", **admin_headers()},
    )
    assert_problem(response, 413)
    assert response.json()["detail"] == "request bodies are 65536 bytes at most"


async def test_a_body_under_the_limit_reaches_the_route_whole(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/repos", json={"repo": "octo/newcomer", "packages": []}, headers=admin_headers()
    )
    assert response.status_code == 201, response.text
    assert response.json()["repo"] == "octo/newcomer"


@pytest.mark.parametrize(
    "path", ["/health", "/api/v1/repos", "/api/v1/repos/octo/widgets/series/stars", "/"]
)
async def test_head_answers_what_get_would_without_the_body(
    client: httpx.AsyncClient, path: str
) -> None:
    got = await client.get(path)
    head = await client.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers.get("etag") == got.headers.get("etag")


async def test_a_trailing_slash_redirect_never_names_the_hosts_header(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/api/v1/repos/?limit=5", headers={"Host": "evil.example"}, follow_redirects=False
    )
    assert response.status_code == 307
    assert response.headers["location"] == "/api/v1/repos?limit=5"
    followed = await client.get("/api/v1/repos/", follow_redirects=True)
    assert followed.status_code == 200 and followed.json()
