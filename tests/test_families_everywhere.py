"""Every family of the registry is in every place a family shows: a family cannot be half-added.

The places: the schedules, the store's tables (SQL and DynamoDB, and the CDK app's), the
history readers, the series, compare, growth and embed routes (their OpenAPI), the series'
CSV, the dashboard's list of families, and docs/metrics.md.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

from ossgrowth.collect.backfill_families import HISTORY_READERS
from ossgrowth.collect.schedule import SCHEDULES
from ossgrowth.metrics.registry import FAMILIES, Family
from ossgrowth.store.dynamo_tables import KEYS
from ossgrowth.store.tables import FAMILY_TABLES, ROLLUP_TABLES

ROOT = Path(__file__).resolve().parents[1]
EVERY_FAMILY = pytest.mark.parametrize("family", list(FAMILIES), ids=str)


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
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from ossgrowth.api.app import create_app
    from ossgrowth.clock import SystemClock
    from ossgrowth.config import load_settings
    from ossgrowth.store import open_store

    path = tmp_path_factory.mktemp("openapi") / "store.db"
    settings = load_settings(store_url=f"sqlite:///{path}", environment="dev")
    store = open_store(settings)
    try:
        return create_app(settings, store, SystemClock()).openapi()
    finally:
        store.close()


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


def test_growth_answers_every_repository_wide_headline(openapi: dict[str, Any]) -> None:
    properties = openapi["components"]["schemas"]["GrowthOut"]["properties"]
    assert {"stars", "downloads", "reach"} <= set(properties)


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
