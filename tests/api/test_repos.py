"""Subjects: list with paging, get, add and remove with the admin token."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import AppFactory, admin_headers, assert_problem, client_of

pytestmark = pytest.mark.anyio


async def test_repositories_are_listed_by_name_a_page_at_a_time(
    client: httpx.AsyncClient,
) -> None:
    first = (await client.get("/api/v1/repos", params={"limit": 1})).json()
    assert [item["repo"] for item in first["items"]] == ["octo/gadgets"]
    assert first["total"] == 2 and first["next"] == "/api/v1/repos?limit=1&offset=1"
    second = (await client.get(first["next"])).json()
    assert [item["repo"] for item in second["items"]] == ["octo/widgets"]
    assert second["next"] is None


async def test_a_repository_is_found_case_insensitively_with_its_packages(
    client: httpx.AsyncClient,
) -> None:
    body = (await client.get("/api/v1/repos/OCTO/Widgets")).json()
    assert body["repo"] == "octo/widgets" and body["packages"] == ["npm:widgets"]
    assert body["added_at"] == "2026-01-30T00:00:00Z"


async def test_adding_a_repository_tracks_it_and_answers_201(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/repos",
        json={"repo": "https://github.com/vitejs/vite", "packages": ["npm:vite", "pypi:Vite_X"]},
        headers=admin_headers(),
    )
    assert response.status_code == 201
    assert response.json()["packages"] == ["npm:vite", "pypi:vite-x"]
    assert (await client.get("/api/v1/repos/vitejs/vite")).status_code == 200


async def test_adding_a_bad_package_names_it(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/repos",
        json={"repo": "vitejs/vite", "packages": ["npm:vite", "crates:serde"]},
        headers=admin_headers(),
    )
    assert_problem(response, 422, "packages.1")


async def test_removing_a_repository_deletes_it_and_a_second_time_is_404(
    client: httpx.AsyncClient,
) -> None:
    url = "/api/v1/repos/octo/widgets"
    assert (await client.delete(url, headers=admin_headers())).status_code == 204
    assert_problem(await client.get(url), 404)
    assert_problem(await client.get(f"{url}/series/stars"), 404)
    assert_problem(await client.delete(url, headers=admin_headers()), 404)


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic b2N0bzpv"}]
)
async def test_writes_without_the_admin_token_are_401(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.post("/api/v1/repos", json={"repo": "a/b"}, headers=headers)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert_problem(await client.delete("/api/v1/repos/octo/widgets", headers=headers), 401)


async def test_without_an_admin_token_writes_and_admin_routes_do_not_exist(
    make_app: AppFactory,
) -> None:
    async with client_of(make_app()) as client:
        assert_problem(await client.post("/api/v1/repos", json={"repo": "a/b"}), 405)
        assert_problem(await client.get("/api/v1/admin/runs"), 404)
        document = (await client.get("/openapi.json")).json()
    assert not any("/admin/" in path for path in document["paths"])
