"""The plain route binds exactly what FastAPI would bind, or leaves the request to FastAPI."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import pytest
from fastapi import APIRouter, Body, FastAPI, Header, Request
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import solve_dependencies
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.responses import Response

from ossgrowth.api.plain_route import PlainParametersRoute, plain_binder
from ossgrowth.api.routers.series import router as series_router
from tests.api.conftest import WIDGETS, AppFactory, assert_problem, client_of

pytestmark = pytest.mark.anyio

SERIES_ROUTE = next(route for route in series_router.routes if isinstance(route, APIRoute))
SERIES_BINDER = plain_binder(SERIES_ROUTE.dependant)

texts = st.one_of(
    st.sampled_from(["", " ", "0", "01", "2", "1000", "100000", "100001", "-5", "+7", " 12"]),
    st.sampled_from(["1_000", "1e3", "10.0", "٣", "99999999999"]),
    st.sampled_from(["raw", "3h", "day", "week", "month", "RAW", "json", "csv", "CSV"]),
    st.sampled_from(["measured", "reconstructed", "estimated", "guessed", "npm:vite", "pypi:x"]),
    st.sampled_from(["2026-01-01", "2026-01-01T00:00:00Z", "x" * 40, "x" * 41, "ü" * 40]),
    st.text(max_size=12),
)
keys = st.sampled_from(
    ["from", "to", "interval", "max_points", "provenance", "package", "format", "start_text", "x"]
)
owners = st.one_of(st.sampled_from(["vitejs", "a" * 300, "a" * 301, "", "é"]), st.text(max_size=8))
families = st.sampled_from(["stars", "downloads", "prs", "issues", "Stars", "reach", ""])


def request_for(app: FastAPI, path: dict[str, str], query: list[tuple[str, str]]) -> Request:
    """A request as the router hands it to a route: path parameters matched, query as sent."""
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/",
            "raw_path": b"/",
            "query_string": urlencode(query, quote_via=quote).encode(),
            "headers": [(b"host", b"testserver")],
            "path_params": path,
            "app": app,
        }
    )


async def solved_by_fastapi(dependant: Dependant, request: Request) -> tuple[dict[str, Any], Any]:
    async with AsyncExitStack() as stack:
        # where FastAPI's handler puts its exit stacks
        request.scope["fastapi_inner_astack"] = request.scope["fastapi_function_astack"] = stack
        solved = await solve_dependencies(
            request=request, dependant=dependant, async_exit_stack=stack, embed_body_fields=False
        )
    return solved.values, solved.errors


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    owner=owners,
    name=owners,
    family=families,
    query=st.lists(st.tuples(keys, texts), max_size=6),
)
async def test_what_the_series_route_binds_is_what_fastapi_binds(
    make_app: AppFactory, owner: str, name: str, family: str, query: list[tuple[str, str]]
) -> None:
    assert SERIES_BINDER is not None
    app = make_app()
    request = request_for(app, {"owner": owner, "name": name, "family": family}, query)
    bound = await SERIES_BINDER(request)
    values, errors = await solved_by_fastapi(SERIES_ROUTE.dependant, request)
    if bound is not None:
        assert not errors
        assert bound == values


@pytest.mark.parametrize(
    "query",
    [
        [],
        [("max_points", "1000"), ("interval", "day"), ("from", "2021-12-13T23:40:09Z")],
        [("to", "2026-10-24"), ("format", "csv"), ("package", "npm:vite")],
        [("provenance", "measured"), ("provenance", "reconstructed"), ("utm_source", "x")],
    ],
)
async def test_everyday_series_requests_are_bound_without_fastapi(
    make_app: AppFactory, query: list[tuple[str, str]]
) -> None:
    assert SERIES_BINDER is not None
    request = request_for(make_app(), {"owner": "vitejs", "name": "vite", "family": "stars"}, query)
    bound = await SERIES_BINDER(request)
    assert bound is not None
    assert bound == (await solved_by_fastapi(SERIES_ROUTE.dependant, request))[0]


@pytest.mark.parametrize(
    "query", ["max_points=1", "interval=year", "format=xml", "from=" + "9" * 41, "max_points=x"]
)
async def test_a_request_out_of_its_declarations_gets_fastapis_own_problem(
    make_app: AppFactory, query: str
) -> None:
    async with client_of(make_app()) as client:
        response = await client.get(f"/api/v1/repos/{WIDGETS.full_name}/series/stars?{query}")
    assert_problem(response, 422)


@pytest.mark.parametrize(
    ("query", "count"), [("max_points=%2B7", 7), ("max_points=1000&max_points=20", 20)]
)
async def test_a_request_fastapi_reads_its_own_way_is_answered_as_before(
    make_app: AppFactory, query: str, count: int
) -> None:
    """A sign, or a parameter given twice (FastAPI takes the last), goes through FastAPI."""
    async with client_of(make_app()) as client:
        response = await client.get(f"/api/v1/repos/{WIDGETS.full_name}/series/stars?{query}")
    assert response.status_code == 200, response.text
    assert response.json()["count"] <= count
    assert response.json()["downsampled"]


async def test_routes_declaring_what_it_does_not_bind_are_left_to_fastapi() -> None:
    router = APIRouter(route_class=PlainParametersRoute)

    @router.post("/body")
    async def with_body(payload: Annotated[dict[str, int], Body()]) -> Response:
        return Response(str(payload))

    @router.get("/header")
    async def with_header(agent: Annotated[str, Header()]) -> Response:
        return Response(agent)

    @router.get("/model")
    async def with_model(count: int) -> dict[str, int]:
        return {"count": count}

    @router.get("/float")
    async def with_float(share: float) -> Response:
        return Response(str(share))

    routes = {route.path: route for route in router.routes if isinstance(route, APIRoute)}
    for path in ("/body", "/header", "/float"):
        assert plain_binder(routes[path].dependant) is None, path
    app = FastAPI()
    app.include_router(router)
    async with client_of(app) as client:
        assert (await client.get("/model", params={"count": "3"})).json() == {"count": 3}
        assert (await client.post("/body", json={"a": 1})).text == "{'a': 1}"
        assert (await client.get("/float", params={"share": "0.5"})).text == "0.5"
