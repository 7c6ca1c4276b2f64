"""The API's handler, invoked with API Gateway HTTP API (payload 2.0) events: the app of
``ossgrowth serve`` through Mangum, its secrets from moto, answers in API Gateway's shape."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from typing import Any

import pytest

from ossgrowth.aws import handlers
from ossgrowth.model import RepoName
from ossgrowth.store import Store
from tests.aws.conftest import (
    ADMIN_TOKEN,
    STAGING_PASSWORD,
    FakeContext,
    Simulator,
    http_api_event,
    json_lines,
)


def body_of(response: dict[str, Any]) -> Any:
    text = response["body"]
    if response.get("isBase64Encoded"):
        text = base64.b64decode(text).decode()
    return json.loads(text)


def test_health_answers_through_mangum_with_the_apps_headers(tracked_store: Store) -> None:
    response = handlers.api(http_api_event("GET", "/health"), FakeContext())

    assert response["statusCode"] == 200
    assert body_of(response) == {"status": "ok"}
    headers = response["headers"]
    assert headers["content-type"] == "application/json"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


def test_a_series_read_answers_the_stored_points_and_then_not_modified(
    starred: RepoName,
) -> None:
    path = f"/api/v1/repos/{starred}/series/stars"

    response = handlers.api(http_api_event("GET", path), FakeContext())

    assert response["statusCode"] == 200, response
    series = body_of(response)
    assert series["count"] == 8
    assert [point["star_count"] for point in series["points"]] == list(range(100, 108))
    etag = response["headers"]["etag"]
    again = handlers.api(
        http_api_event("GET", path, headers={"if-none-match": etag}), FakeContext()
    )
    assert again["statusCode"] == 304 and again.get("body", "") == ""


def test_query_parameters_reach_the_app(starred: RepoName) -> None:
    path = f"/api/v1/repos/{starred}/series/stars"

    response = handlers.api(http_api_event("GET", path, query="max_points=0"), FakeContext())

    assert response["statusCode"] == 422
    assert response["headers"]["content-type"] == "application/problem+json"
    assert response["isBase64Encoded"] is False
    assert body_of(response)["parameter"] == "max_points"


def test_each_request_is_one_json_log_line_with_the_request_id(
    tracked_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    context = FakeContext()

    handlers.api(http_api_event("GET", "/health"), context)

    lines = json_lines(capsys.readouterr().out)
    (request,) = [line for line in lines if line["logger"] == "ossgrowth.aws.api_function"]
    assert request["aws_request_id"] == context.aws_request_id
    assert (request["method"], request["path"], request["status"]) == ("GET", "/health", 200)


@pytest.mark.parametrize(
    ("event", "detail"),
    [
        ("GET /health", "not a JSON object"),
        ({"version": "1.0", "httpMethod": "GET", "path": "/health"}, 'payload format "2.0"'),
        ({"version": "2.0", "rawPath": "/health"}, "no requestContext.http"),
        (
            {"version": "2.0", "requestContext": {"http": {"method": "GET", "path": "/health"}}},
            "requestContext.http.sourceIp is missing",
        ),
        (
            {**http_api_event("GET", "/health"), "headers": {"accept": ["application/json"]}},
            "headers must all be strings",
        ),
        ({**http_api_event("GET", "/health"), "body": {"a": 1}}, "body has the wrong type"),
        ({"job": "collect:stars", "scheduled_time": "2026-12-03T11:00:00Z"}, "version"),
    ],
)
def test_a_malformed_event_is_a_400_problem_saying_what_is_wrong(
    event: object, detail: str, tracked_store: Store
) -> None:
    response = handlers.api(event, FakeContext())  # type: ignore[arg-type]

    assert response["statusCode"] == 400
    assert response["headers"] == {"content-type": "application/problem+json"}
    problem = body_of(response)
    assert problem["status"] == 400 and problem["title"] == "Bad request"
    assert detail in problem["detail"] and "Traceback" not in response["body"]


@pytest.mark.parametrize("lambda_env_name", ["staging"])
def test_staging_takes_its_password_and_admin_token_from_the_api_secret(
    tracked_store: Store,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    make_secret: Callable[[dict[str, Any]], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(
        "OSSGROWTH_API_SECRET",
        make_secret({"admin_token": ADMIN_TOKEN, "staging_password": STAGING_PASSWORD}),
    )
    basic = base64.b64encode(f"ossgrowth:{STAGING_PASSWORD}".encode()).decode()

    refused = handlers.api(http_api_event("GET", "/api/v1/repos"), FakeContext())
    opened = handlers.api(
        http_api_event("GET", "/api/v1/repos", headers={"authorization": f"Basic {basic}"}),
        FakeContext(),
    )
    runs = handlers.api(
        http_api_event(
            "GET", "/api/v1/admin/runs", headers={"authorization": f"Bearer {ADMIN_TOKEN}"}
        ),
        FakeContext(),
    )

    assert refused["statusCode"] == 401 and "www-authenticate" in refused["headers"]
    assert opened["statusCode"] == 200 and len(body_of(opened)["items"]) == len(
        simulator.world.repos
    )
    assert runs["statusCode"] == 200, runs
    out, err = capsys.readouterr()
    assert STAGING_PASSWORD not in out + err and ADMIN_TOKEN not in out + err


@pytest.mark.parametrize("lambda_env_name", ["staging"])
def test_staging_without_a_password_is_a_503_that_names_no_secret(
    tracked_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    response = handlers.api(http_api_event("GET", "/api/v1/repos"), FakeContext())

    assert response["statusCode"] == 503
    assert body_of(response)["detail"] == "the API is not configured correctly; its logs say why"
    (error,) = [line for line in json_lines(capsys.readouterr().out) if line["level"] == "ERROR"]
    assert "OSSGROWTH_STAGING_PASSWORD" in error["message"]


def test_an_api_secret_that_does_not_exist_is_a_503_and_a_log_line_naming_it(
    tracked_store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OSSGROWTH_API_SECRET", "ossgrowth/dev/no-such-secret")

    response = handlers.api(http_api_event("GET", "/health"), FakeContext())

    assert response["statusCode"] == 503
    assert "no-such-secret" not in response["body"]
    (error,) = [line for line in json_lines(capsys.readouterr().out) if line["level"] == "ERROR"]
    assert "'ossgrowth/dev/no-such-secret' was not found" in error["message"]


def test_another_api_secret_rebuilds_the_app_with_its_admin_token(
    tracked_store: Store,
    monkeypatch: pytest.MonkeyPatch,
    make_secret: Callable[[dict[str, Any]], str],
) -> None:
    monkeypatch.setenv("OSSGROWTH_API_SECRET", make_secret({"admin_token": ADMIN_TOKEN}))

    def runs_with(token: str) -> int:
        event = http_api_event(
            "GET", "/api/v1/admin/runs", headers={"authorization": f"Bearer {token}"}
        )
        return int(handlers.api(event, FakeContext())["statusCode"])

    assert runs_with(ADMIN_TOKEN) == 200
    monkeypatch.setenv("OSSGROWTH_API_SECRET", make_secret({"admin_token": "rotated-token-1"}))
    assert (runs_with(ADMIN_TOKEN), runs_with("rotated-token-1")) == (401, 200)


def test_a_gzipped_answer_comes_base64_encoded_as_api_gateway_expects(starred: RepoName) -> None:
    path = f"/api/v1/repos/{starred}/series/stars"

    response = handlers.api(
        http_api_event("GET", path, headers={"accept-encoding": "gzip"}), FakeContext()
    )

    assert response["statusCode"] == 200 and response["headers"]["content-encoding"] == "gzip"
    assert response["isBase64Encoded"] is True
    series = json.loads(gzip.decompress(base64.b64decode(response["body"])))
    assert series["count"] == 8
