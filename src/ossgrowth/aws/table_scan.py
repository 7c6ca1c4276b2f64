"""An environment's DynamoDB tables read as they are, item by item: ``ossgrowth aws scan``.

What the seed's operators did with ``aws dynamodb scan``, through the DynamoDB store's own
client (:attr:`DynamoStore.calls`, its errors translated) and table names
(:attr:`DynamoStore.tables`): a table by its suffix (``star-growth`` … ``operations``), or
``runs`` (the operations table's runs, newest first). ``repo`` narrows a point table to the
repository's series (a query per series, newest first), ``repositories`` to its item and
``rollups`` to its series' rollups. Items come back as plain values (numbers as numbers,
string sets as lists, binary as bytes).
"""

from __future__ import annotations

import base64
import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ossgrowth.aws.clients import endpoint_override
from ossgrowth.errors import ConfigError, InputError
from ossgrowth.metrics.registry import FAMILIES, definition
from ossgrowth.model import Ecosystem, Family, PackageRef, RepoName
from ossgrowth.store.dynamo import DynamoStore
from ossgrowth.store.dynamo_points import series_key
from ossgrowth.store.dynamo_tables import KEYS, DynamoLocation, is_dynamodb_url

__all__ = [
    "ScanResult",
    "ScanTable",
    "cell_text",
    "json_ready",
    "open_scan_store",
    "plain_item",
    "scan_store_url",
    "scan_table",
]


class ScanTable(enum.StrEnum):
    """What ``aws scan`` reads: a table by its name's suffix, or ``runs``."""

    STAR_GROWTH = "star-growth"
    PR_VELOCITY = "pr-velocity"
    ISSUE_HEALTH = "issue-health"
    PACKAGE_DOWNLOADS = "package-downloads"
    REPOSITORIES = "repositories"
    ROLLUPS = "rollups"
    OPERATIONS = "operations"
    RUNS = "runs"
    """The runs in the operations table (partition ``runs``), newest first."""

    @property
    def suffix(self) -> str:
        """The suffix of the table read."""
        return "operations" if self is ScanTable.RUNS else self.value


_RUNS_PARTITION = "runs"
_FAMILY_BY_SUFFIX = {row.seed_table_suffix: family for family, row in FAMILIES.items()}


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Items read from ``table``, and whether it holds more than were read."""

    table: str
    keys: tuple[str, ...]
    """The table's key attributes: partition, then sort (if any)."""
    items: list[dict[str, Any]]
    more: bool


def scan_store_url(
    configured: str | None,
    *,
    region: str | None = None,
    endpoint: str | None = None,
    table_prefix: str | None = None,
) -> str:
    """The DynamoDB store URL to read: the configured one when it is a ``dynamodb://`` URL,
    its parts replaced by those given; else one from the given parts alone (and
    ``OSSGROWTH_AWS_ENDPOINT_URL`` for the endpoint).

    Raises:
        ConfigError: the configured URL is a DynamoDB URL that cannot be read.
    """
    known = DynamoLocation()
    if configured and is_dynamodb_url(configured):
        known = DynamoLocation.parse(configured)
    parts = {
        "region": region or known.region,
        "endpoint": endpoint or known.endpoint or endpoint_override(),
        "table_prefix": known.table_prefix if table_prefix is None else table_prefix,
    }
    return "dynamodb://?" + urlencode({name: value for name, value in parts.items() if value})


def open_scan_store(url: str, environment: str) -> DynamoStore:
    """The DynamoDB store at ``url`` for reading (never migrated); close it after use.

    Raises:
        ConfigError: the URL cannot be read, boto3 is missing, or no region is known.
    """
    location = DynamoLocation.parse(url)
    if location.region is None:
        try:
            import boto3
        except ImportError:
            raise ConfigError("the aws commands need boto3: pip install 'ossgrowth[aws]'") from None
        if boto3.session.Session().region_name is None:
            raise ConfigError("no AWS region: pass --region or set AWS_REGION")
    return DynamoStore(url, environment=environment)


def scan_table(
    store: DynamoStore, table: ScanTable, *, repo: RepoName | None = None, limit: int = 100
) -> ScanResult:
    """Up to ``limit`` items of ``table`` (of ``repo`` only, when given), as plain values.

    Raises:
        InputError: ``repo`` is not tracked, or narrows a table it cannot (operations, runs).
        StoreError: a table is missing, or DynamoDB refused a call.
    """
    name = store.tables.named(table.suffix)
    partition, sort = KEYS[table.suffix]
    keys = (partition,) if sort is None else (partition, sort)
    if table is ScanTable.RUNS:
        if repo is not None:
            raise InputError("--repo does not apply to runs (a run covers every repository)")
        raw = store.calls.query(
            name,
            limit=limit + 1,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": _RUNS_PARTITION}},
            ScanIndexForward=False,
        )
    elif repo is None:
        raw = _scan(store, name, limit + 1)
    else:
        raw = _of_repo(store, table, name, repo, limit + 1)
    items = [plain_item(item) for item in raw[:limit]]
    return ScanResult(table=name, keys=keys, items=items, more=len(raw) > limit)


def _of_repo(
    store: DynamoStore, table: ScanTable, name: str, repo: RepoName, wanted: int
) -> list[dict[str, dict[str, Any]]]:
    if table is ScanTable.OPERATIONS:
        raise InputError(
            "--repo narrows the point tables, repositories and rollups, not operations"
        )
    subject = store.calls.get(store.tables.repositories, {"repo": {"S": repo.key}})
    if subject is None:
        raise InputError(f"{repo} is not tracked in {store.environment}")
    if table is ScanTable.REPOSITORIES:
        return [subject]
    subject_id = subject["id"]["S"]
    if table is ScanTable.ROLLUPS:
        return _scan(
            store,
            name,
            wanted,
            FilterExpression="begins_with(#s, :whole) OR begins_with(#s, :package)",
            ExpressionAttributeNames={"#s": "series"},
            ExpressionAttributeValues={
                ":whole": {"S": f"{subject_id}|"},
                ":package": {"S": f"{subject_id}#"},
            },
        )
    found: list[dict[str, dict[str, Any]]] = []
    for partition in _partitions(_FAMILY_BY_SUFFIX[table.suffix], subject_id, subject):
        found += store.calls.query(
            name,
            limit=wanted - len(found),
            KeyConditionExpression="#r = :r",
            ExpressionAttributeNames={"#r": "repo"},
            ExpressionAttributeValues={":r": {"S": partition}},
            ScanIndexForward=False,
        )
        if len(found) >= wanted:
            break
    return found


def _partitions(family: Family, subject_id: str, subject: Mapping[str, Any]) -> list[str]:
    """The point partitions of a subject in ``family``: one, or one per package."""
    if not definition(family).per_package:
        return [series_key(subject_id, None)]
    packages = []
    for text in sorted(subject.get("packages", {}).get("SS", [])):
        ecosystem, _, package = text.partition(":")
        packages.append(series_key(subject_id, PackageRef(Ecosystem(ecosystem), package)))
    return packages


def _scan(
    store: DynamoStore, name: str, wanted: int, **arguments: Any
) -> list[dict[str, dict[str, Any]]]:
    """Up to ``wanted`` items of a scan, page by page (a filtered scan reads on until it has
    kept them, as DynamoDB's ``Limit`` counts the items it looks at)."""
    found: list[dict[str, dict[str, Any]]] = []
    request: dict[str, Any] = {"TableName": name, **arguments}
    while len(found) < wanted:
        if "FilterExpression" not in arguments:
            request["Limit"] = wanted - len(found)
        with store.calls.translated():
            page = store.calls.client.scan(**request)
        found.extend(page.get("Items", []))
        after = page.get("LastEvaluatedKey")
        if after is None:
            break
        request["ExclusiveStartKey"] = after
    return found[:wanted]


def plain_item(item: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """An item of the low-level client (``{"n": {"N": "3"}}``) as plain values."""
    return {name: _plain(value) for name, value in item.items()}


def _plain(attribute: Mapping[str, Any]) -> Any:
    kind, content = next(iter(attribute.items()))
    if kind == "N":
        return _number(content)
    if kind == "NULL":
        return None
    if kind in ("S", "BOOL", "B"):
        return content
    if kind == "SS":
        return sorted(content)
    if kind == "NS":
        return sorted(_number(member) for member in content)
    if kind == "BS":
        return list(content)
    if kind == "L":
        return [_plain(member) for member in content]
    if kind == "M":
        return {key: _plain(value) for key, value in content.items()}
    raise ConfigError(f"an item holds an attribute of unknown type {kind!r}")


def _number(text: str) -> int | float:
    return float(text) if any(mark in text for mark in ".eE") else int(text)


def json_ready(value: Any) -> Any:
    """``value`` as JSON holds it: bytes as base64 text, the rest as it is."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {key: json_ready(member) for key, member in value.items()}
    if isinstance(value, list):
        return [json_ready(member) for member in value]
    return value


def cell_text(value: Any, present: bool = True) -> str:
    """A value in a table cell: absent empty, null ``null``, bytes by their size, lists and
    maps as compact JSON."""
    if not present:
        return ""
    if value is None:
        return "null"
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(json_ready(value), ensure_ascii=False, separators=(",", ":"))
    return str(value)
