"""Every error is one problem+json shape naming the parameter at fault; client input never 500s."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import event

from ossgrowth.api import create_app
from ossgrowth.clock import FixedClock
from ossgrowth.config import load_settings
from ossgrowth.store import SqlStore
from tests.api.conftest import assert_problem, client_of

pytestmark = pytest.mark.anyio
SERIES = "/api/v1/repos/octo/widgets/series/stars"


@pytest.mark.parametrize(
    ("url", "status", "parameter"),
    [
        (f"{SERIES}?from=yesterday", 422, "from"),
        (f"{SERIES}?to=2026-02-30", 422, "to"),
        (f"{SERIES}?interval=fortnight", 422, "interval"),
        (f"{SERIES}?max_points=1", 422, "max_points"),
        (f"{SERIES}?max_points=lots", 422, "max_points"),
        (f"{SERIES}?provenance=guessed", 422, "provenance.0"),
        (f"{SERIES}?format=xml", 422, "format"),
        ("/api/v1/repos/octo/widgets/series/downloads?package=cargo:serde", 422, "package"),
        ("/api/v1/repos/octo/widgets/series/forks", 422, "family"),
        ("/api/v1/repos?limit=0", 422, "limit"),
        ("/api/v1/compare?repo=octo", 422, "repo.0"),
        ("/api/v1/compare?align=sideways&repo=octo/widgets", 422, "align"),
        ("/api/v1/repos/octo/widgets/shields.json?family=forks", 422, "family"),
    ],
)
async def test_bad_parameters_are_422_problems_naming_the_parameter(
    client: httpx.AsyncClient, url: str, status: int, parameter: str
) -> None:
    assert_problem(await client.get(url), status, parameter)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/repos/octo/%2E%2E",
        "/api/v1/repos/-octo/widgets",
        "/api/v1/repos/octo/wid%00gets",
        "/api/v1/repos/octo/wid%0Agets",
        "/api/v1/repos/octo/" + "w" * 500,
        "/api/v1/repos/" + "o" * 500 + "/widgets/series/stars",
        "/api/v1/repos/octo/%3Cscript%3E/backfill",
        "/api/v1/repos/octo/widgets%20x/growth",
    ],
)
async def test_hostile_names_are_client_errors_with_problem_bodies(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert 400 <= response.status_code < 500
    assert_problem(response, response.status_code)


async def test_an_encoded_slash_in_a_name_finds_no_route(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/repos/octo/a%2Fb"), 404)


async def test_an_untracked_repository_is_a_404_problem(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/repos/octo/nothing", "/api/v1/repos/octo/nothing/series/stars"):
        assert_problem(await client.get(path), 404)


async def test_an_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/anything"), 404)


async def test_a_wrong_method_is_a_405_problem_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.put("/api/v1/repos/octo/widgets/series/stars")
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


async def test_a_body_that_is_not_json_is_a_400_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/repos",
        content=b"{not json",
        headers={"Content-Type": "application/json", "Authorization": "Bearer admin-secret-token"},
    )
    assert_problem(response, 400)
    assert response.json()["detail"].startswith("the body is not valid JSON")


async def test_a_body_of_the_wrong_shape_is_a_422_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/repos",
        json={"repository": "octo/widgets"},
        headers={"Authorization": "Bearer admin-secret-token"},
    )
    assert_problem(response, 422)


async def test_an_unreachable_store_is_a_503_problem(clock: FixedClock) -> None:
    store = SqlStore("postgresql+psycopg://nobody@127.0.0.1:9/none", environment="dev")
    async with client_of(create_app(load_settings(), store, clock)) as client:
        assert_problem(await client.get("/ready"), 503)
        assert_problem(await client.get("/api/v1/repos/octo/widgets/series/stars"), 503)
        assert (await client.get("/health")).status_code == 200


async def test_a_store_file_deleted_while_serving_takes_no_more_writes(
    tmp_path: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "served.db"
    store = SqlStore(f"sqlite:///{path}", environment="dev")
    store.upgrade()
    app = create_app(load_settings(admin_token="admin-secret-token"), store, clock)
    headers = {"Authorization": "Bearer admin-secret-token"}
    async with client_of(app) as client:
        added = await client.post("/api/v1/repos", json={"repo": "octo/one"}, headers=headers)
        assert added.status_code == 201
        path.unlink()  # an operator's mistake, or a disk cleaned up under the server
        refused = await client.post("/api/v1/repos", json={"repo": "octo/two"}, headers=headers)
        assert_problem(refused, 503)  # the file's path stays in the server's log
        assert "was deleted or replaced" in caplog.text and str(path) not in refused.text
        assert_problem(await client.get("/ready"), 503)
        assert_problem(await client.get("/api/v1/repos/octo/one"), 503)
        assert (await client.get("/health")).status_code == 200
    store.close()


@pytest.mark.parametrize("trouble", ["read-only", "full"])
async def test_a_store_that_refuses_writes_is_a_503_and_not_ready_until_a_write_succeeds(
    tmp_path: Path, clock: FixedClock, trouble: str
) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'refusing.db'}", environment="dev")
    store.upgrade()
    with store.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
    pragma = (
        "PRAGMA query_only = ON" if trouble == "read-only" else f"PRAGMA max_page_count = {pages}"
    )

    def refuse(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.execute(pragma)  # type: ignore[attr-defined]

    app = create_app(load_settings(admin_token="admin-secret-token"), store, clock)
    headers = {"Authorization": "Bearer admin-secret-token"}
    async with client_of(app) as client:
        event.listen(store.engine, "connect", refuse)
        store.engine.dispose()  # new connections: the disk is full, or the file read-only
        many = [f"npm:package-{index}-{'x' * 150}" for index in range(50)]
        refused = await client.post(
            "/api/v1/repos", json={"repo": "octo/one", "packages": many}, headers=headers
        )
        assert_problem(refused, 503)
        assert_problem(await client.get("/ready"), 503)
        assert (await client.get("/api/v1/repos")).status_code == 200  # reads go on
        event.remove(store.engine, "connect", refuse)
        store.engine.dispose()  # space freed, or writable again
        added = await client.post("/api/v1/repos", json={"repo": "octo/one"}, headers=headers)
        assert added.status_code == 201
        assert (await client.get("/ready")).status_code == 200
    store.close()
