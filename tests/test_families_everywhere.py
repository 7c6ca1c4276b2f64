"""Every family of the registry is in every place a family shows: a family cannot be half-added.

The places: the schedules, the store's tables (SQL and DynamoDB, and the CDK app's), the
history readers, the series, compare and embed routes (their OpenAPI), the series' CSV, the
dashboard's list of families, and docs/metrics.md.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ossgrowth.api.app import create_app
from ossgrowth.clock import FixedClock
from ossgrowth.collect.backfill_families import HISTORY_READERS
from ossgrowth.collect.slots import SCHEDULES
from ossgrowth.config import load_settings
from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.model import Ecosystem, PackageRef, Point, Provenance, RepoName
from ossgrowth.store import open_store
from ossgrowth.store.dynamo_tables import KEYS
from ossgrowth.store.tables import FAMILY_TABLES, ROLLUP_TABLES

ROOT = Path(__file__).resolve().parents[1]
EVERY_FAMILY = pytest.mark.parametrize("family", list(FAMILIES), ids=str)
REPO = RepoName("octo", "widgets")
MOMENT = datetime(2026, 3, 1, tzinfo=UTC)


@EVERY_FAMILY
def test_a_schedule_collects_it(family: Family) -> None:
    assert [schedule.name for schedule in SCHEDULES if family in schedule.families] == [
        FAMILIES[family].cadence.job
    ]


@EVERY_FAMILY
def test_the_stores_and_the_deployment_have_its_tables(family: Family) -> None:
    row = FAMILIES[family]
    assert FAMILY_TABLES[family].name == row.table
    assert ROLLUP_TABLES[family].name == f"{row.table}_rollup"
    assert KEYS[row.seed_table_suffix] == ("repo", "timestamp")
    sys.path.insert(0, str(ROOT / "deploy" / "aws"))
    try:
        from ossgrowth_stack.tables import TABLES
    finally:
        sys.path.remove(str(ROOT / "deploy" / "aws"))
    assert row.seed_table_suffix in {spec.suffix for spec in TABLES}


@EVERY_FAMILY
def test_its_history_has_a_reader(family: Family) -> None:
    assert family in HISTORY_READERS


def _family_enum(document: dict[str, Any], path: str) -> list[str]:
    """The values the ``family`` parameter of ``path`` takes, path or query."""
    operation = document["paths"][path]["get"]
    for parameter in operation["parameters"]:
        if parameter["name"] == "family":
            schema = parameter["schema"]
            reference = schema.get("$ref") or next(
                (item["$ref"] for item in schema.get("anyOf", []) if "$ref" in item), None
            )
            if reference is not None:
                schema = document["components"]["schemas"][reference.rsplit("/", 1)[1]]
            return list(schema["enum"])
    raise AssertionError(f"{path} has no family parameter")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """An app over a store holding one measured point of every family of one repository."""
    path = tmp_path_factory.mktemp("families") / "store.db"
    settings = load_settings(store_url=f"sqlite:///{path}", environment="dev")
    store = open_store(settings)
    store.upgrade()
    package = PackageRef(Ecosystem.NPM, "widgets")
    store.add_subject(REPO, [package], added_at=MOMENT)
    store.write_points(
        Point(
            REPO,
            family,
            MOMENT,
            {name: 1 for name in row.field_names},
            Provenance.MEASURED,
            "test",
            package if row.per_package else None,
        )
        for family, row in FAMILIES.items()
    )
    try:
        yield create_app(settings, store, FixedClock(MOMENT))
    finally:
        store.close()


@pytest.fixture(scope="module")
def openapi(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


@EVERY_FAMILY
def test_its_csv_has_a_column_per_field(app: FastAPI, family: Family) -> None:
    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(f"/api/v1/repos/{REPO.full_name}/series/{family}?format=csv")

    answer = asyncio.run(get())
    assert answer.status_code == 200, answer.text
    header, row = answer.text.splitlines()
    fields = list(FAMILIES[family].field_names)
    assert header.split(",") == ["time", "epoch_seconds", *fields, "provenance", "source"]
    assert [float(value) for value in row.split(",")[2 : 2 + len(fields)]] == [1.0] * len(fields)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/repos/{owner}/{name}/series/{family}",
        "/api/v1/compare",
        "/api/v1/repos/{owner}/{name}/badge.svg",
    ],
)
def test_the_routes_taking_a_family_take_every_one(openapi: dict[str, Any], path: str) -> None:
    assert sorted(_family_enum(openapi, path)) == sorted(family.value for family in FAMILIES)


def test_the_dashboard_lists_every_family() -> None:
    text = (ROOT / "web" / "src" / "types.ts").read_text()
    listed = re.search(r"export const FAMILIES: readonly Family\[\] = \[([^\]]*)\]", text)
    assert listed is not None
    assert re.findall(r'"(\w+)"', listed.group(1)) == [family.value for family in FAMILIES]


@EVERY_FAMILY
def test_docs_metrics_has_its_row_and_its_fields(family: Family) -> None:
    text = (ROOT / "docs" / "metrics.md").read_text()
    row = FAMILIES[family]
    (line,) = [line for line in text.splitlines() if line.startswith(f"| `{family.value}` ")]
    assert f"`{row.table}`" in line
    assert row.cadence.words in line
    for name in row.field_names:
        assert f"`{name}`" in line
