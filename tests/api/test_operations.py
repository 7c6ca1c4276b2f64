"""Operations: health, readiness, Prometheus metrics, security headers, CORS."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from ossgrowth.collect.slots import SCHEDULES, latest_slot
from ossgrowth.model import Run, RunStatus
from tests.api.conftest import NOW, AppFactory, client_of

pytestmark = pytest.mark.anyio
HOUR = timedelta(hours=1)


async def test_health_and_ready_answer(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    store = client._transport.app.state.context.store  # type: ignore[attr-defined]
    for schedule in SCHEDULES:  # every slot collected: nothing is late
        slot = latest_slot(schedule, NOW, ZoneInfo("America/Los_Angeles"))
        store.claim_slot(schedule.name, slot, owner="a", now=slot, until=slot + HOUR)
        store.finish_slot(schedule.name, slot, owner="a", now=slot + HOUR)
    assert (await client.get("/ready")).json() == {
        "status": "ready",
        "environment": "dev",
        "overdue": [],
    }


async def test_ready_says_degraded_and_metrics_tell_which_collection_is_overdue(
    client: httpx.AsyncClient,
) -> None:
    store = client._transport.app.state.context.store  # type: ignore[attr-defined]
    stars = next(schedule for schedule in SCHEDULES if schedule.name == "collect:stars")
    slot = latest_slot(stars, NOW, ZoneInfo("America/Los_Angeles"))  # an hour before NOW
    store.claim_slot("collect:stars#1/1", slot, owner="a", now=slot, until=slot + HOUR)
    store.finish_slot("collect:stars#1/1", slot, owner="a", now=slot + timedelta(minutes=2))
    store.record_run(
        Run(
            job="collect:stars#1/1",
            environment="dev",
            started_at=slot,
            finished_at=slot + timedelta(minutes=2),
            status=RunStatus.PARTIAL,
        )
    )
    ready = await client.get("/ready")  # nothing ran the others for 30 days
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "degraded",
        "environment": "dev",
        "overdue": ["collect:prs+issues", "collect:downloads"],
    }
    text = (await client.get("/metrics")).text
    assert 'ossgrowth_collection_overdue{job="collect:stars"} 0.0' in text
    assert 'ossgrowth_collection_overdue{job="collect:prs+issues"} 1.0' in text
    seconds = (NOW - slot - timedelta(minutes=2)).total_seconds()
    assert f'ossgrowth_collection_seconds_since_success{{job="collect:stars"}} {seconds}' in text
    assert 'ossgrowth_collection_seconds_since_success{job="collect:downloads"}' not in text


async def test_metrics_count_requests_by_route_and_runs_by_status(
    client: httpx.AsyncClient, make_app: AppFactory
) -> None:
    store = client._transport.app.state.context.store  # type: ignore[attr-defined]
    store.record_run(
        Run(
            job="collect",
            environment="dev",
            started_at=NOW,
            status=RunStatus.SUCCEEDED,
            counts={"points": 12},
        )
    )
    await client.get("/api/v1/repos/octo/widgets/series/stars")
    await client.get("/api/v1/repos/octo/nothing")
    text = (await client.get("/metrics")).text
    assert (
        'ossgrowth_http_requests_total{method="GET",'
        'route="/api/v1/repos/{owner}/{name}/series/{family}",status="200"} 1.0'
    ) in text
    assert 'route="/api/v1/repos/{owner}/{name}",status="404"} 1.0' in text
    assert "ossgrowth_http_request_duration_seconds_bucket" in text
    assert 'ossgrowth_runs{job="collect",status="succeeded"} 1.0' in text
    assert "ossgrowth_points_written 12.0" in text
    assert "ossgrowth_store_up 1.0" in text


async def test_every_answer_carries_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/health", "/docs", "/api/v1/repos", "/api/v1/nothing"):
        headers = (await client.get(path)).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path


async def test_cors_allows_only_the_configured_origins(make_app: AppFactory) -> None:
    app = make_app(cors_origins="https://dash.example,https://other.example")
    async with client_of(app) as client:
        allowed = await client.get("/api/v1/repos", headers={"Origin": "https://dash.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://dash.example"
        refused = await client.get("/api/v1/repos", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in refused.headers
