"""Embeds never put JSON in an <img>: errors are badges, or shields.io's error document."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import httpx
import pytest

from tests.api.conftest import assert_problem

pytestmark = pytest.mark.anyio
SVG = "{http://www.w3.org/2000/svg}"


def badge_text(response: httpx.Response) -> str:
    """The ``label: message`` of an SVG badge (its title), checking it is a valid SVG image."""
    assert response.headers["content-type"] == "image/svg+xml"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-cache"
    assert "etag" not in response.headers
    root = ElementTree.fromstring(response.text)
    assert root.tag == f"{SVG}svg"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text is not None
    return title.text


@pytest.mark.parametrize("embed", ["badge.svg", "chart.svg", "chart.svg?theme=dark"])
@pytest.mark.parametrize(
    ("repo", "status", "text"),
    [
        ("octo/nothing", 404, "stars: not tracked"),
        ("octo/%2E%2E", 422, "stars: invalid repository"),
        ("-octo/widgets", 422, "stars: invalid repository"),
    ],
)
async def test_an_untracked_or_invalid_repository_gets_an_image_saying_so(
    client: httpx.AsyncClient, embed: str, repo: str, status: int, text: str
) -> None:
    response = await client.get(f"/api/v1/repos/{repo}/{embed}")
    assert response.status_code == status
    assert badge_text(response) == text


@pytest.mark.parametrize(
    ("query", "status", "text"),
    [
        ("family=prs", 404, "open PRs: not tracked"),
        ("family=downloads&package=npm:other", 200, None),
        ("theme=neon", 422, "stars: invalid theme"),
        ("width=5", 422, "stars: invalid width"),
        ("family=forks", 422, "ossgrowth: invalid family"),
        ("family=downloads&package=cargo:serde", 422, "downloads: invalid package"),
    ],
)
async def test_a_bad_parameter_gets_an_image_naming_it(
    client: httpx.AsyncClient, query: str, status: int, text: str | None
) -> None:
    repo = "octo/nothing" if status == 404 else "octo/widgets"
    response = await client.get(f"/api/v1/repos/{repo}/chart.svg?{query}")
    if text is None:  # a package the repository does not have
        assert response.status_code == 404
        assert badge_text(response) == "downloads: not found"
        return
    assert response.status_code == status
    assert badge_text(response) == text


async def test_a_hostile_name_is_never_echoed_into_the_image(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/repos/octo/%3Cscript%3Ealert(1)%3C%5Cscript%3E/badge.svg")
    assert response.status_code in {404, 422}
    assert "<script" not in response.text and "alert" not in response.text
    badge_text(response)


async def test_an_error_image_is_not_kept_by_the_response_cache(
    client: httpx.AsyncClient,
) -> None:
    path = "/api/v1/repos/octo/later/badge.svg"
    assert (await client.get(path)).status_code == 404
    added = await client.post(
        "/api/v1/repos",
        json={"repo": "octo/later"},
        headers={"Authorization": "Bearer admin-secret-token"},
    )
    assert added.status_code == 201
    assert (await client.get(path)).status_code == 200


@pytest.mark.parametrize(
    ("repo", "message"),
    [("octo/nothing", "not tracked"), ("octo/%2E%2E", "invalid repository")],
)
async def test_shields_json_answers_an_unknown_repository_with_its_error_document(
    client: httpx.AsyncClient, repo: str, message: str
) -> None:
    response = await client.get(f"/api/v1/repos/{repo}/shields.json")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert response.json() == {
        "schemaVersion": 1,
        "label": "stars",
        "message": message,
        "isError": True,
        "color": "lightgrey",
    }


async def test_shields_json_keeps_problems_for_parameters_its_schema_rules_out(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/repos/octo/widgets/shields.json?family=forks")
    assert_problem(response, 422, "family")


async def test_the_openapi_declares_images_for_svg_errors_and_any_name_for_shields(
    client: httpx.AsyncClient,
) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for embed in ("chart.svg", "badge.svg"):
        responses = paths[f"/api/v1/repos/{{owner}}/{{name}}/{embed}"]["get"]["responses"]
        for status in ("200", "404", "422"):
            assert list(responses[status]["content"]) == ["image/svg+xml"], (embed, status)
    shields = paths["/api/v1/repos/{owner}/{name}/shields.json"]["get"]
    names = {each["name"]: each["schema"] for each in shields["parameters"]}
    for name in ("owner", "name"):
        assert "pattern" not in names[name] and not any(key.startswith("x-") for key in names[name])
    properties = (await client.get("/openapi.json")).json()["components"]["schemas"]["ShieldsOut"]
    assert "isError" in properties["properties"]
