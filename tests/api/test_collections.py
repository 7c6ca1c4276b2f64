"""Collections through the API: reads for everyone, changes with the admin token, the members'
overview rows and comparison, and every kind of bad or hostile input answered with a clear 4xx."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ossgrowth.api import create_app
from ossgrowth.clock import FixedClock
from ossgrowth.config import load_settings
from ossgrowth.store import SqlStore
from tests.api.conftest import START, AppFactory, admin_headers, assert_problem, client_of

pytestmark = pytest.mark.anyio
ADMIN = admin_headers()


async def make(
    client: httpx.AsyncClient, slug: str = "frontend", members: list[str] | None = None, **body: Any
) -> dict[str, Any]:
    """Create a collection (and add members) through the API; its final JSON."""
    response = await client.post(
        "/api/v1/collections", json={"slug": slug, "name": "Front end", **body}, headers=ADMIN
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    if members:
        added = await client.put(
            f"/api/v1/collections/{slug}/members", json={"repos": members}, headers=ADMIN
        )
        assert added.status_code == 200, added.text
        created = added.json()
    return created


async def test_a_collection_is_made_listed_and_read_with_its_members_overview(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/api/v1/collections")).json() == {"collections": []}
    made = await make(client, description="Bundlers")
    assert made == {
        "slug": "frontend",
        "name": "Front end",
        "description": "Bundlers",
        "members": [],
        "created_at": "2026-03-01T00:00:00Z",
    }
    added = await client.put(
        "/api/v1/collections/frontend/members",
        json={"repos": ["octo/widgets", "OCTO/Gadgets", "octo/widgets"]},
        headers=ADMIN,
    )
    assert added.status_code == 200 and added.json()["members"] == ["octo/gadgets", "octo/widgets"]
    listed = (await client.get("/api/v1/collections")).json()
    assert listed == {"collections": [added.json()]}
    detail = (await client.get("/api/v1/collections/FrontEnd")).json()
    overview = (await client.get("/api/v1/overview")).json()
    assert detail == {**added.json(), "overview": overview["items"]}  # the same rows
    assert [row["repo"] for row in detail["overview"]] == ["octo/gadgets", "octo/widgets"]
    assert detail["overview"][1]["stars"] == 1140 and detail["overview"][1]["stars_change"]


async def test_the_overview_holds_only_the_members(client: httpx.AsyncClient) -> None:
    await make(client, members=["octo/gadgets"])
    detail = (await client.get("/api/v1/collections/frontend")).json()
    assert [row["repo"] for row in detail["overview"]] == ["octo/gadgets"]
    await make(client, "empty")
    assert (await client.get("/api/v1/collections/empty")).json()["overview"] == []


async def test_renaming_and_describing_keep_the_slug_and_what_is_not_given(
    client: httpx.AsyncClient,
) -> None:
    await make(client, description="old", members=["octo/widgets"])
    renamed = await client.patch(
        "/api/v1/collections/FRONTEND", json={"name": "  Build tools "}, headers=ADMIN
    )
    assert renamed.status_code == 200
    assert renamed.json() | {"created_at": None} == {
        "slug": "frontend",
        "name": "Build tools",
        "description": "old",
        "members": ["octo/widgets"],
        "created_at": None,
    }
    described = await client.patch(
        "/api/v1/collections/frontend", json={"description": "a\r\nb"}, headers=ADMIN
    )
    assert described.json()["name"] == "Build tools" and described.json()["description"] == "a\nb"
    assert (await client.get("/api/v1/collections")).json()["collections"] == [described.json()]


async def test_members_are_removed_one_at_a_time_and_stay_tracked(
    client: httpx.AsyncClient,
) -> None:
    await make(client, members=["octo/widgets", "octo/gadgets"])
    url = "/api/v1/collections/frontend/members/OCTO/Widgets"
    assert (await client.delete(url, headers=ADMIN)).status_code == 204
    assert (await client.get("/api/v1/collections/frontend")).json()["members"] == ["octo/gadgets"]
    assert (await client.get("/api/v1/repos/octo/widgets")).status_code == 200
    again = await client.delete(url, headers=ADMIN)
    assert_problem(again, 404)
    assert "OCTO/Widgets is not in collection 'frontend'" in again.json()["detail"]


async def test_deleting_a_collection_keeps_its_members_and_a_second_time_is_404(
    client: httpx.AsyncClient,
) -> None:
    await make(client, members=["octo/widgets"])
    assert (await client.delete("/api/v1/collections/frontend", headers=ADMIN)).status_code == 204
    assert_problem(await client.get("/api/v1/collections/frontend"), 404)
    assert_problem(await client.delete("/api/v1/collections/frontend", headers=ADMIN), 404)
    assert (await client.get("/api/v1/repos/octo/widgets")).status_code == 200
    assert (await client.get("/api/v1/collections")).json() == {"collections": []}


async def test_untracking_a_repository_takes_it_out_of_its_collections(
    client: httpx.AsyncClient,
) -> None:
    await make(client, members=["octo/widgets", "octo/gadgets"])
    assert (await client.delete("/api/v1/repos/octo/widgets", headers=ADMIN)).status_code == 204
    detail = (await client.get("/api/v1/collections/frontend")).json()
    assert detail["members"] == ["octo/gadgets"]
    assert [row["repo"] for row in detail["overview"]] == ["octo/gadgets"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/collections/nothing", None),
        ("GET", "/api/v1/collections/nothing/compare", None),
        ("PATCH", "/api/v1/collections/nothing", {"name": "n"}),
        ("PUT", "/api/v1/collections/nothing/members", {"repos": ["octo/widgets"]}),
        ("DELETE", "/api/v1/collections/nothing/members/octo/widgets", None),
        ("DELETE", "/api/v1/collections/nothing", None),
    ],
)
async def test_an_unknown_slug_is_404_on_every_route(
    client: httpx.AsyncClient, method: str, path: str, body: Any
) -> None:
    response = await client.request(method, path, json=body, headers=ADMIN)
    assert_problem(response, 404)
    assert "there is no collection 'nothing'" in response.json()["detail"]


async def test_a_taken_slug_is_409_in_any_case(client: httpx.AsyncClient) -> None:
    await make(client)
    again = await client.post(
        "/api/v1/collections", json={"slug": "FrontEnd", "name": "Other"}, headers=ADMIN
    )
    assert_problem(again, 409, "slug")
    assert (await client.get("/api/v1/collections/frontend")).json()["name"] == "Front end"


async def test_an_untracked_member_is_422_naming_it_and_nothing_is_added(
    client: httpx.AsyncClient,
) -> None:
    await make(client)
    response = await client.put(
        "/api/v1/collections/frontend/members",
        json={"repos": ["octo/widgets", "no/body"]},
        headers=ADMIN,
    )
    assert_problem(response, 422, "repos.1")
    assert "no/body is not tracked" in response.json()["detail"]
    assert (await client.get("/api/v1/collections/frontend")).json()["members"] == []


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"slug": "has space", "name": "n"}, "slug"),
        ({"slug": "a" * 65, "name": "n"}, "slug"),
        ({"slug": "caf\u00e9", "name": "n"}, "slug"),
        ({"slug": "../etc", "name": "n"}, "slug"),
        ({"slug": "", "name": "n"}, "slug"),
        ({"slug": "ok", "name": "x" * 201}, "name"),
        ({"slug": "ok", "name": "x" * 10_000}, "name"),
        ({"slug": "ok", "name": "   "}, "name"),
        ({"slug": "ok", "name": "bell\x07"}, "name"),
        ({"slug": "ok", "name": "evil\u202egnp.exe"}, "name"),
        ({"slug": "ok", "name": "n", "description": "d" * 2001}, "description"),
        ({"slug": "ok", "name": "n", "description": "nul\x00"}, "description"),
        ({"slug": "ok", "name": 7}, "name"),
        ({"slug": "ok"}, "name"),
        ({"slug": "ok", "name": "n", "colour": "blue"}, "colour"),
    ],
)
async def test_bad_collections_are_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], parameter: str
) -> None:
    response = await client.post("/api/v1/collections", json=body, headers=ADMIN)
    assert_problem(response, 422, parameter)
    assert len(response.json()["detail"]) <= 300
    assert (await client.get("/api/v1/collections")).json() == {"collections": []}


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"name": "x" * 10_000}, "name"),
        ({"name": ""}, "name"),
        ({"description": "\x1b[31mred"}, "description"),
        ({"slug": "renamed"}, "slug"),
    ],
)
async def test_bad_changes_are_422_and_change_nothing(
    client: httpx.AsyncClient, body: dict[str, Any], parameter: str
) -> None:
    made = await make(client)
    response = await client.patch("/api/v1/collections/frontend", json=body, headers=ADMIN)
    assert_problem(response, 422, parameter)
    assert (await client.get("/api/v1/collections")).json() == {"collections": [made]}


@pytest.mark.parametrize(
    ("repos", "parameter"),
    [
        (["not a repo"], "repos.0"),
        (["octo/widgets", "x" * 10_000], "repos.1"),
        (["https://example.com/octo/widgets"], "repos.0"),
        (["octo/widgets/../../etc"], "repos.0"),
    ],
)
async def test_bad_member_names_are_422(
    client: httpx.AsyncClient, repos: list[str], parameter: str
) -> None:
    await make(client)
    response = await client.put(
        "/api/v1/collections/frontend/members", json={"repos": repos}, headers=ADMIN
    )
    assert_problem(response, 422, parameter)


async def test_unicode_names_and_descriptions_are_kept_as_typed(client: httpx.AsyncClient) -> None:
    name = "Ünïcödé 字 👩\u200d💻 " + "é" * 150
    made = await make(client, "unicode", name=name, description="línea\nzweite\tZeile ✓")
    assert made["name"] == name.strip()
    detail = (await client.get("/api/v1/collections/unicode")).json()
    assert detail["name"] == name.strip() and detail["description"] == "línea\nzweite\tZeile ✓"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/collections/has%20space", 422),
        ("/api/v1/collections/caf%C3%A9", 422),
        ("/api/v1/collections/%2E%2E", 422),
        ("/api/v1/collections/" + "a" * 65, 422),
        ("/api/v1/collections/" + "a" * 10_000, 422),
        ("/api/v1/collections/%00", 422),
        ("/api/v1/collections/%F0%9F%98%80", 422),
        ("/api/v1/collections/a%2Fb", 404),  # no route: a slash splits the path
    ],
)
async def test_hostile_slugs_in_paths_are_a_clear_4xx_never_a_500(
    client: httpx.AsyncClient, path: str, status: int
) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(method, path, json={"name": "n"}, headers=ADMIN)
        assert_problem(response, status, "slug" if status == 422 else None)


async def test_path_tricks_do_not_reach_other_routes(client: httpx.AsyncClient) -> None:
    await make(client, members=["octo/widgets"])
    for path in (
        "/api/v1/collections/frontend/members/..%2F..%2Fadmin/runs",
        "/api/v1/collections/frontend/members/octo/%2E%2E",
        "/api/v1/collections/%2E%2E/repos/octo/widgets",
        "/api/v1/collections/frontend/%2E%2E/%2E%2E/repos/octo/widgets",
    ):
        response = await client.delete(path, headers=ADMIN)
        assert response.status_code in {404, 405, 422}, (path, response.text)
    assert (await client.get("/api/v1/collections/frontend")).json()["members"] == ["octo/widgets"]
    assert (await client.get("/api/v1/repos/octo/widgets")).status_code == 200


async def test_a_body_over_the_limit_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/collections",
        json={"slug": "big", "name": "n", "description": "d" * 70_000},
        headers=ADMIN,
    )
    assert_problem(response, 413)


WRITES = [
    ("POST", "/api/v1/collections", {"slug": "x", "name": "n"}),
    ("PATCH", "/api/v1/collections/frontend", {"name": "n"}),
    ("PUT", "/api/v1/collections/frontend/members", {"repos": ["octo/gadgets"]}),
    ("DELETE", "/api/v1/collections/frontend/members/octo/widgets", None),
    ("DELETE", "/api/v1/collections/frontend", None),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic b2N0bzpv"}]
)
async def test_changes_without_the_admin_token_are_401_and_change_nothing(
    client: httpx.AsyncClient, method: str, path: str, body: Any, headers: dict[str, str]
) -> None:
    before = await make(client, members=["octo/widgets"])
    response = await client.request(method, path, json=body, headers=headers)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert (await client.get("/api/v1/collections")).json() == {"collections": [before]}


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
async def test_without_an_admin_token_changes_do_not_exist_but_reads_do(
    make_app: AppFactory, store: SqlStore, method: str, path: str, body: Any
) -> None:
    store.create_collection("frontend", name="Front end", created_at=START)
    async with client_of(make_app()) as client:
        response = await client.request(method, path, json=body)
        assert response.status_code in {404, 405}
        assert (await client.get("/api/v1/collections/frontend")).status_code == 200
        document = (await client.get("/openapi.json")).json()
    assert "/api/v1/collections/{slug}/members" not in document["paths"]
    assert set(document["paths"]["/api/v1/collections"]) == {"get"}


@pytest.mark.parametrize(
    ("client", "host", "origin", "status"),
    [
        (("127.0.0.1", 50000), "http://127.0.0.1:8000", None, 201),
        (("127.0.0.1", 50000), "http://127.0.0.1:8000", "https://evil.example", 401),
        (("127.0.0.1", 50000), "http://evil.example:8000", None, 401),
        (("10.0.0.7", 50000), "http://127.0.0.1:8000", None, 401),
    ],
)
async def test_a_dev_server_on_loopback_takes_changes_from_this_machine_only(
    store: SqlStore,
    clock: FixedClock,
    client: tuple[str, int],
    host: str,
    origin: str | None,
    status: int,
) -> None:
    app = create_app(load_settings(), store, clock, local_writes=True)
    transport = httpx.ASGITransport(app=app, client=client)
    headers = {} if origin is None else {"Origin": origin}
    async with httpx.AsyncClient(transport=transport, base_url=host) as http:
        response = await http.post(
            "/api/v1/collections", json={"slug": "local", "name": "n"}, headers=headers
        )
    assert response.status_code == status, response.text
    assert (store.get_collection("local") is not None) == (status == 201)


async def test_reads_answer_304_to_their_entity_tag_and_change_after_a_write(
    client: httpx.AsyncClient,
) -> None:
    await make(client)
    first = await client.get("/api/v1/collections")
    tag = first.headers["etag"]
    again = await client.get("/api/v1/collections", headers={"If-None-Match": tag})
    assert again.status_code == 304
    await client.patch("/api/v1/collections/frontend", json={"name": "New"}, headers=ADMIN)
    changed = await client.get("/api/v1/collections", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.json()["collections"][0]["name"] == "New"


# compare ---------------------------------------------------------------------------------


async def test_compare_answers_as_compare_does_for_the_members(client: httpx.AsyncClient) -> None:
    await make(client, members=["octo/widgets", "octo/gadgets"])
    query = "family=stars&align=age&max_points=3"
    mine = (await client.get(f"/api/v1/collections/frontend/compare?{query}")).json()
    theirs = (
        await client.get(f"/api/v1/compare?repo=octo/gadgets&repo=octo/widgets&{query}")
    ).json()
    assert mine == {**theirs, "collection": "frontend", "omitted": []}
    assert [series["repo"] for series in mine["series"]] == ["octo/gadgets", "octo/widgets"]


async def test_compare_of_downloads_leaves_out_members_without_a_package(
    client: httpx.AsyncClient,
) -> None:
    await make(client, members=["octo/widgets", "octo/gadgets"])
    body = (await client.get("/api/v1/collections/frontend/compare?family=downloads")).json()
    assert [series["repo"] for series in body["series"]] == ["octo/widgets"]
    assert body["series"][0]["package"] == "npm:widgets" and body["omitted"] == ["octo/gadgets"]


async def test_compare_takes_the_members_asked_for(client: httpx.AsyncClient) -> None:
    await make(client, members=["octo/widgets", "octo/gadgets"])
    url = "/api/v1/collections/frontend/compare"
    body = (await client.get(f"{url}?repo=OCTO/widgets")).json()
    assert [s["repo"] for s in body["series"]] == ["octo/widgets"]
    assert body["omitted"] == ["octo/gadgets"]
    outsider = await client.get(f"{url}?repo=vitejs/vite")
    assert_problem(outsider, 404, "repo")
    assert_problem(await client.get(f"{url}?repo=not-a-repo"), 422, "repo.0")
    assert_problem(await client.get(f"{url}?family=forks"), 422, "family")


async def test_compare_takes_the_first_ten_members_and_names_the_rest(
    client: httpx.AsyncClient,
) -> None:
    names = [f"many/repo-{number:02d}" for number in range(12)]
    for name in names:
        await client.post("/api/v1/repos", json={"repo": name}, headers=ADMIN)
    await make(client, "many", members=names)
    body = (await client.get("/api/v1/collections/many/compare")).json()
    assert [s["repo"] for s in body["series"]] == names[:10]
    assert body["omitted"] == names[10:]
    assert all(s["points"] == [] for s in body["series"])
