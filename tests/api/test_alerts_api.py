"""The alert routes: admin only, rules without their secrets, hostile rules a clear 422."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ossgrowth.alert_types import AlertEvent, DeliveryStatus
from ossgrowth.model import Family
from ossgrowth.store import SqlStore
from tests.api.conftest import (
    ADMIN_TOKEN,
    NOW,
    WIDGETS,
    AppFactory,
    admin_headers,
    assert_problem,
    client_of,
)

pytestmark = pytest.mark.anyio
RULES = "/api/v1/alerts/rules"
DELIVERIES = "/api/v1/alerts/deliveries"
PUBLIC_HOOK = "https://93.184.215.14/hooks/T000/B000/secret-path"
SECRET = "whsec-do-not-show-1"


def rule_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "widgets passes a round number",
        "kind": "milestone",
        "family": "stars",
        "scope": "repository",
        "scope_name": "octo/widgets",
        "channel": "webhook",
        "target": PUBLIC_HOOK,
        "secret": SECRET,
    }
    body.update(changes)
    return body


@pytest.fixture
async def private_client(make_app: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose operator allows private targets."""
    app = make_app(admin_token=ADMIN_TOKEN, alerts_allow_private_targets=True)
    async with client_of(app) as client:
        yield client


async def test_every_alert_route_needs_the_admin_token(client: httpx.AsyncClient) -> None:
    for method, path in [
        ("GET", RULES),
        ("POST", RULES),
        ("GET", f"{RULES}/1"),
        ("DELETE", f"{RULES}/1"),
        ("GET", DELIVERIES),
    ]:
        answer = await client.request(method, path, json=rule_body() if method == "POST" else None)
        assert_problem(answer, 401)
        wrong = await client.request(method, path, headers={"Authorization": "Bearer nope"})
        assert_problem(wrong, 401)


async def test_without_an_admin_token_the_alert_routes_do_not_exist(
    make_app: AppFactory,
) -> None:
    async with client_of(make_app(environment="prod")) as client:
        assert_problem(await client.get(RULES), 404)


async def test_a_rule_is_made_listed_read_and_deleted_without_its_secret_ever_shown(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    made = await client.post(RULES, json=rule_body(params={"value": 1000}), headers=admin_headers())
    assert made.status_code == 201, made.text
    rule = made.json()
    assert rule == {
        "id": rule["id"],
        "name": "widgets passes a round number",
        "kind": "milestone",
        "family": "stars",
        "field": "star_count",
        "scope": "repository",
        "scope_name": "octo/widgets",
        "channel": "webhook",
        "target": "https://93.184.215.14/…",
        "params": {"value": 1000},
        "secret_set": True,
        "enabled": True,
        "created_at": "2026-03-01T00:00:00Z",
    }
    listed = await client.get(RULES, headers=admin_headers())
    one = await client.get(f"{RULES}/{rule['id']}", headers=admin_headers())
    assert listed.json() == {"rules": [rule]} and one.json() == rule
    for answer in (made, listed, one):
        assert SECRET not in answer.text and "secret-path" not in answer.text
    assert SECRET not in caplog.text
    gone = await client.delete(f"{RULES}/{rule['id']}", headers=admin_headers())
    assert gone.status_code == 204 and gone.content == b""
    assert_problem(await client.get(f"{RULES}/{rule['id']}", headers=admin_headers()), 404)
    assert_problem(await client.delete(f"{RULES}/{rule['id']}", headers=admin_headers()), 404)
    assert (await client.get(RULES, headers=admin_headers())).json() == {"rules": []}


@pytest.mark.parametrize(
    ("changes", "parameter", "detail"),
    [
        ({"kind": "spike", "params": {"k": 1e9}}, "params.k", "params.k is a number above 1"),
        ({"kind": "spike", "params": {"k": 0.5}}, "params.k", "at most 1,000, not 0.5"),
        (
            {"target": "http://127.0.0.1:8080/hook"},
            "target",
            "address 127.0.0.1 is a private, loopback or link-local",
        ),
        ({"target": "http://localhost:9/hook"}, "target", "host 'localhost' resolves to"),
        (
            {"target": "http://169.254.169.254/latest"},
            "target",
            "address 169.254.169.254 is a private",
        ),
        ({"name": "x" * 10_240}, "name", "at most 200 characters, not 10,240"),
        ({"family": "galaxies"}, "family", "unknown family 'galaxies'"),
        ({"kind": "earthquake"}, "kind", "unknown rule kind"),
        ({"scope_name": "octo/unknown"}, "scope_name", "octo/unknown is not tracked"),
        ({"scope": "collection", "scope_name": "nope"}, "scope_name", "no collection 'nope'"),
        ({"channel": "email", "target": "nobody"}, "target", "one address"),
        ({"secret": "tiny"}, "secret", "8 to 200 characters"),
        ({"params": {"value": -3}}, "params.value", "above 0"),
    ],
)
async def test_a_hostile_rule_is_a_clear_422_naming_its_part(
    client: httpx.AsyncClient, changes: dict[str, Any], parameter: str, detail: str
) -> None:
    answer = await client.post(RULES, json=rule_body(**changes), headers=admin_headers())
    assert_problem(answer, 422, parameter)
    assert detail in answer.json()["detail"]
    assert SECRET not in answer.text
    assert (await client.get(RULES, headers=admin_headers())).json() == {"rules": []}


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x"},  # most of it missing
        {**rule_body(), "surprise": True},
        {**rule_body(), "params": "k=3"},
    ],
)
async def test_a_malformed_body_is_a_422(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    assert_problem(await client.post(RULES, json=body, headers=admin_headers()), 422)


async def test_an_out_of_range_rule_id_is_a_422(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get(f"{RULES}/{2**40}", headers=admin_headers()), 422, "rule_id")
    assert_problem(await client.get(f"{RULES}/0", headers=admin_headers()), 422, "rule_id")


async def test_private_targets_are_taken_when_the_operator_allows_them(
    private_client: httpx.AsyncClient,
) -> None:
    answer = await private_client.post(
        RULES,
        json=rule_body(target="http://127.0.0.1:8080/hook", kind="spike", params={"k": 4}),
        headers=admin_headers(),
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["target"] == "http://127.0.0.1:8080/…"
    assert answer.json()["params"] == {"k": 4}


async def test_the_delivery_history_is_listed_newest_first_with_filters(
    private_client: httpx.AsyncClient, store: SqlStore
) -> None:
    made = await private_client.post(
        RULES, json=rule_body(target="http://127.0.0.1:8080/hook"), headers=admin_headers()
    )
    rule_id = made.json()["id"]
    events = [
        AlertEvent(
            rule_id,
            f"milestone:octo/widgets:star_count:{threshold}",
            WIDGETS,
            Family.STARS,
            NOW.replace(hour=hour),
            f"octo/widgets reached {threshold} stars",
            {"threshold": threshold},
        )
        for hour, threshold in ((1, 1000), (2, 2000))
    ]
    store.write_points([], events=events)
    first = store.due_deliveries(now=NOW.replace(hour=3))[0]
    assert store.claim_delivery(
        first.id, owner="t", now=NOW.replace(hour=3), until=NOW.replace(hour=5)
    )
    store.settle_delivery(
        first.id, owner="t", status=DeliveryStatus.DELIVERED, attempts=1, at=NOW.replace(hour=4)
    )

    listed = await private_client.get(DELIVERIES, headers=admin_headers())
    newest, oldest = listed.json()["deliveries"]
    assert newest["event_key"].endswith(":2000") and newest["status"] == "pending"
    assert oldest == {
        "id": first.id,
        "rule_id": rule_id,
        "event_key": "milestone:octo/widgets:star_count:1000",
        "status": "delivered",
        "summary": "octo/widgets reached 1000 stars",
        "repo": "octo/widgets",
        "family": "stars",
        "observed_at": "2026-03-01T01:00:00Z",
        "details": {"threshold": 1000},
        "attempts": 1,
        "created_at": "2026-03-01T01:00:00Z",
        "next_attempt_at": None,
        "delivered_at": "2026-03-01T04:00:00Z",
        "last_error": None,
    }
    delivered = await private_client.get(
        DELIVERIES, params={"status": "delivered"}, headers=admin_headers()
    )
    assert [d["id"] for d in delivered.json()["deliveries"]] == [first.id]
    limited = await private_client.get(
        DELIVERIES, params={"limit": 1, "rule_id": rule_id}, headers=admin_headers()
    )
    assert [d["event_key"] for d in limited.json()["deliveries"]] == [newest["event_key"]]
    other = await private_client.get(
        DELIVERIES, params={"rule_id": rule_id + 1}, headers=admin_headers()
    )
    assert other.json() == {"deliveries": []}
    assert_problem(
        await private_client.get(DELIVERIES, params={"status": "lost"}, headers=admin_headers()),
        422,
        "status",
    )
    assert_problem(
        await private_client.get(DELIVERIES, params={"limit": 0}, headers=admin_headers()),
        422,
        "limit",
    )
