"""Staging: every route of the app's route table asks for the password, except /health."""

from __future__ import annotations

import base64
import re

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from ossgrowth.errors import ConfigError
from tests.api.conftest import ADMIN_TOKEN, STAGING_PASSWORD, AppFactory, assert_problem, client_of

pytestmark = pytest.mark.anyio
SAMPLE_PATH_VALUES = {
    "owner": "octo",
    "name": "widgets",
    "family": "stars",
    "slug": "rockets",
    "rule_id": "1",
}


def staging_app(make_app: AppFactory) -> FastAPI:
    return make_app(
        environment="staging",
        staging_password=STAGING_PASSWORD,
        admin_token=ADMIN_TOKEN,
        staging_user="tester",
    )


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def every_route(app: FastAPI) -> list[tuple[str, str]]:
    """(method, concrete path) of every route in the app's route table."""
    found = []
    for route in iter_route_contexts(app.routes):
        assert route.path is not None
        path = re.sub(r"{(\w+)(?::\w+)?}", lambda match: SAMPLE_PATH_VALUES[match[1]], route.path)
        for method in sorted(route.methods or {"GET"}):
            found.append((method, path))
    return found


async def test_every_route_but_health_answers_401_with_a_basic_challenge(
    make_app: AppFactory,
) -> None:
    app = staging_app(make_app)
    routes = every_route(app)
    paths = {path for _, path in routes}
    assert {"/docs", "/openapi.json", "/api/v1/admin/reset-staging", "/metrics"} <= paths
    async with client_of(app) as client:
        for method, path in routes:
            response = await client.request(method, path)
            if path == "/health":
                assert response.status_code == 200
                continue
            assert response.status_code == 401, (method, path)
            if method != "HEAD":
                assert_problem(response, 401)
            assert response.headers["www-authenticate"].startswith("Basic "), path
        assert (await client.get("/no/such/route")).status_code == 401


async def test_the_staging_password_opens_every_read(make_app: AppFactory) -> None:
    async with client_of(staging_app(make_app)) as client:
        for path in ("/docs", "/openapi.json", "/api/v1/repos", "/api/v1/repos/octo/widgets"):
            response = await client.get(path, headers=basic("tester", STAGING_PASSWORD))
            assert response.status_code == 200, path


@pytest.mark.parametrize(
    "headers",
    [
        basic("tester", "wrong"),
        basic("someone", STAGING_PASSWORD),
        {"Authorization": "Basic not-base64!"},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {base64.b64encode(b'no-colon').decode()}"},
    ],
)
async def test_wrong_credentials_are_refused(make_app: AppFactory, headers: dict[str, str]) -> None:
    async with client_of(staging_app(make_app)) as client:
        assert_problem(await client.get("/api/v1/repos", headers=headers), 401)


async def test_the_admin_token_passes_the_gate_for_admin_work(make_app: AppFactory) -> None:
    async with client_of(staging_app(make_app)) as client:
        response = await client.get(
            "/api/v1/admin/runs", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
        )
        assert response.status_code == 200


async def test_the_openapi_of_staging_declares_401_everywhere_but_health(
    make_app: AppFactory,
) -> None:
    async with client_of(staging_app(make_app)) as client:
        document = (
            await client.get("/openapi.json", headers=basic("tester", STAGING_PASSWORD))
        ).json()
    for path, methods in document["paths"].items():
        for operation in methods.values():
            assert ("401" in operation["responses"]) == (path != "/health"), path


@pytest.mark.parametrize("password", [None, ""])
def test_staging_refuses_to_start_without_a_password(
    make_app: AppFactory, password: str | None
) -> None:
    with pytest.raises(ConfigError, match="OSSGROWTH_STAGING_PASSWORD"):
        make_app(environment="staging", staging_password=password)


async def test_a_cached_answer_still_needs_the_password(make_app: AppFactory) -> None:
    url = "/api/v1/repos/octo/widgets/series/stars"
    async with client_of(staging_app(make_app)) as client:
        filled = await client.get(url, headers=basic("tester", STAGING_PASSWORD))
        assert filled.status_code == 200
        assert_problem(await client.get(url), 401)


async def test_an_empty_admin_token_enables_nothing_and_opens_nothing(
    make_app: AppFactory,
) -> None:
    app = make_app(environment="staging", staging_password=STAGING_PASSWORD, admin_token="")
    async with client_of(app) as client:
        assert_problem(await client.get("/api/v1/repos", headers={"Authorization": "Bearer "}), 401)
        admin = await client.get("/api/v1/admin/runs", headers=basic("ossgrowth", STAGING_PASSWORD))
        assert_problem(admin, 404)
