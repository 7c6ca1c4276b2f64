"""The DynamoDB calls the store makes, with what every one of them needs: pagination, batches
with their unprocessed items retried (with backoff), conditional writes whose failed condition
is an answer rather than an error, errors turned into the store's own, and a meter of the
capacity units spent.

DynamoDB bills reads in 4 KB units per request (a strongly consistent read costs one unit per
4 KB of items read, summed over a query's page) and writes in 1 KB units per item (twice that
in a transaction). The meter counts the same way from the items' sizes (as DynamoDB sizes
them: attribute names plus values), so a run against a local stand-in reports what AWS would
bill (docs/aws.md).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ossgrowth.errors import ConfigError, StoreError, StoreUnreachable

__all__ = [
    "BATCH_GET_LIMIT",
    "BATCH_WRITE_LIMIT",
    "CapacityMeter",
    "DynamoCalls",
    "Item",
    "item_size",
]

Item = dict[str, dict[str, Any]]
"""An item as the low-level client gives it: ``{"name": {"S": "…"}}``."""

BATCH_WRITE_LIMIT = 25
BATCH_GET_LIMIT = 100
_ATTEMPTS = 8
"""Tries of one batch's unprocessed items (or of a throttled call) before giving up."""
_BACKOFF_SECONDS = 0.05
_PAGE_ITEMS = 1000
"""Items a query page holds at most (DynamoDB stops a page at 1 MB anyway): long series come
in pages of bounded time, so reads and writes running side by side take turns."""
_RETRYABLE_CANCELLATIONS = {
    "TransactionConflict",
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
}


def item_size(item: Mapping[str, Mapping[str, Any]]) -> int:
    """Bytes of an item as DynamoDB counts them: each attribute's name and value."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Mapping[str, Any]) -> int:
    kind, content = next(iter(value.items()))
    if kind == "S":
        return len(str(content).encode())
    if kind == "N":
        digits = str(content).lstrip("-").replace(".", "").split("e")[0].split("E")[0]
        return 1 + math.ceil(len(digits.lstrip("0") or "0") / 2)
    if kind == "B":
        return len(content)
    if kind in ("NULL", "BOOL"):
        return 1
    if kind == "SS":
        return sum(len(str(member).encode()) for member in content)
    if kind == "L":
        return 3 + sum(1 + _value_size(member) for member in content)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + _value_size(v) for k, v in content.items())
    return len(str(content).encode())


@dataclass
class CapacityMeter:
    """Read and write capacity units spent, as DynamoDB would bill them (see module doc)."""

    read_units: float = 0.0
    write_units: float = 0.0
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def read(self, items: Sequence[Mapping[str, Mapping[str, Any]]], *, consistent: bool) -> None:
        size = sum(item_size(item) for item in items)
        units = max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)
        with self._lock:
            self.read_units += units
            self.requests += 1

    def read_each(self, items: Sequence[Mapping[str, Mapping[str, Any]]]) -> None:
        """Items fetched by key (a get or a batch get): 4 KB units per item."""
        units = sum(max(1, math.ceil(item_size(item) / 4096)) for item in items)
        with self._lock:
            self.read_units += max(units, 1)
            self.requests += 1

    def write(
        self, items: Sequence[Mapping[str, Mapping[str, Any]]], *, transactional: bool = False
    ) -> None:
        units = sum(max(1, math.ceil(item_size(item) / 1024)) for item in items)
        with self._lock:
            self.write_units += units * (2 if transactional else 1)
            self.requests += 1

    def snapshot(self) -> tuple[float, float, int]:
        """(read units, write units, requests) so far."""
        with self._lock:
            return self.read_units, self.write_units, self.requests


class DynamoCalls:
    """The low-level client, called the way the store needs it."""

    def __init__(
        self,
        *,
        region: str | None,
        endpoint: str | None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        try:
            import boto3
            from botocore.config import Config
        except ImportError:
            raise ConfigError(
                "the DynamoDB store needs boto3: pip install 'ossgrowth[aws]'"
            ) from None
        config = Config(
            retries={"max_attempts": 10, "mode": "adaptive"},
            max_pool_connections=32,
            connect_timeout=5,
            read_timeout=30,
        )
        self.client: Any = boto3.session.Session().client(
            "dynamodb", region_name=region, endpoint_url=endpoint, config=config
        )
        self.meter = CapacityMeter()
        self._sleep = sleep
        self._where = endpoint or f"DynamoDB in {self.client.meta.region_name}"

    @contextmanager
    def translated(self) -> Iterator[None]:
        """botocore's errors as the store's: unreachable, or a clear one-line store error."""
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            EndpointConnectionError,
            NoCredentialsError,
            NoRegionError,
        )

        try:
            yield
        except NoRegionError:
            raise ConfigError(
                "no AWS region for the DynamoDB store: add ?region=… to the store URL or set "
                "AWS_REGION"
            ) from None
        except NoCredentialsError:
            raise StoreUnreachable(
                "no AWS credentials for the DynamoDB store (AWS_PROFILE, AWS_ACCESS_KEY_ID, or a "
                "role); none were found"
            ) from None
        except EndpointConnectionError:
            raise StoreUnreachable(f"{self._where} does not answer") from None
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            message = error.response.get("Error", {}).get("Message", "")
            if code == "ResourceNotFoundException":
                raise StoreError(
                    f"a DynamoDB table is missing ({message}); deploy the stack, or run "
                    "`ossgrowth db upgrade` against a local endpoint"
                ) from None
            if code in ("ProvisionedThroughputExceededException", "ThrottlingException"):
                raise StoreUnreachable(f"DynamoDB throttled the store: {message}") from None
            raise StoreError(f"DynamoDB refused a call ({code}): {message}") from None
        except BotoCoreError as error:
            raise StoreUnreachable(f"{self._where}: {error}") from None

    # reads -------------------------------------------------------------------------------

    def get(self, table: str, key: Item) -> Item | None:
        with self.translated():
            found = self.client.get_item(TableName=table, Key=key, ConsistentRead=True)
        item: Item | None = found.get("Item")
        self.meter.read_each([item] if item else [])
        return item

    def query(
        self, table: str, *, limit: int | None = None, filtered: bool = False, **arguments: Any
    ) -> list[Item]:
        """Every item a query gives (all its pages, up to ``limit`` items), strongly
        consistent: a read after a write sees it. With a ``FilterExpression`` (``filtered``),
        DynamoDB's own limit would count the items it looks at, not those it keeps: pages
        are read until ``limit`` items are kept instead."""
        items: list[Item] = []
        request: dict[str, Any] = {"TableName": table, "ConsistentRead": True, **arguments}
        while True:
            request["Limit"] = _PAGE_ITEMS
            if limit is not None and not filtered:
                request["Limit"] = min(limit - len(items), _PAGE_ITEMS)
            with self.translated():
                page = self.client.query(**request)
            got = page.get("Items", [])
            self.meter.read(got, consistent=True)
            items.extend(got)
            after = page.get("LastEvaluatedKey")
            if after is None or (limit is not None and len(items) >= limit):
                return items if limit is None else items[:limit]
            request["ExclusiveStartKey"] = after

    def count(self, table: str, **arguments: Any) -> int:
        """How many items a query matches (every page of it)."""
        return self.count_up_to(table, None, **arguments)

    def count_up_to(self, table: str, most: int | None, **arguments: Any) -> int:
        """How many items a query matches, counting no further than ``most`` (``None``:
        all)."""
        total = 0
        request: dict[str, Any] = {
            "TableName": table,
            "ConsistentRead": True,
            "Select": "COUNT",
            **arguments,
        }
        while most is None or total < most:
            if most is not None:
                request["Limit"] = most - total
            with self.translated():
                page = self.client.query(**request)
            total += int(page.get("Count", 0))
            self.meter.read([], consistent=True)
            after = page.get("LastEvaluatedKey")
            if after is None:
                break
            request["ExclusiveStartKey"] = after
        return total if most is None else min(total, most)

    def scan(self, table: str, **arguments: Any) -> list[Item]:
        """Every item of a table (all pages), strongly consistent."""
        items: list[Item] = []
        request: dict[str, Any] = {"TableName": table, "ConsistentRead": True, **arguments}
        while True:
            with self.translated():
                page = self.client.scan(**request)
            got = page.get("Items", [])
            self.meter.read(got, consistent=True)
            items.extend(got)
            after = page.get("LastEvaluatedKey")
            if after is None:
                return items
            request["ExclusiveStartKey"] = after

    def batch_get(
        self,
        table: str,
        keys: Sequence[Item],
        *,
        projection: str | None = None,
        names: Mapping[str, str] | None = None,
    ) -> list[Item]:
        """The items of ``keys`` that exist (in no particular order)."""
        found: list[Item] = []
        for start in range(0, len(keys), BATCH_GET_LIMIT):
            request: dict[str, Any] = {
                "Keys": list(keys[start : start + BATCH_GET_LIMIT]),
                "ConsistentRead": True,
            }
            if projection is not None:
                request["ProjectionExpression"] = projection
            if names:
                request["ExpressionAttributeNames"] = dict(names)
            pending: dict[str, Any] = {table: request}
            for attempt in range(_ATTEMPTS):
                with self.translated():
                    answer = self.client.batch_get_item(RequestItems=pending)
                got = answer.get("Responses", {}).get(table, [])
                self.meter.read_each(got)
                found.extend(got)
                pending = answer.get("UnprocessedKeys") or {}
                if not pending:
                    break
                self._backoff(attempt)
            else:
                raise StoreUnreachable("DynamoDB kept keys of a batch read unprocessed")
        return found

    # writes ------------------------------------------------------------------------------

    def batch_write(self, table: str, requests: Sequence[dict[str, Any]]) -> None:
        """Puts and deletes (``{"PutRequest": …}`` / ``{"DeleteRequest": …}``), 25 a call,
        unprocessed ones retried with backoff. Each key may appear once."""
        for start in range(0, len(requests), BATCH_WRITE_LIMIT):
            pending: dict[str, Any] = {table: list(requests[start : start + BATCH_WRITE_LIMIT])}
            for attempt in range(_ATTEMPTS):
                sent = pending[table]
                with self.translated():
                    answer = self.client.batch_write_item(RequestItems=pending)
                pending = answer.get("UnprocessedItems") or {}
                left = pending.get(table, [])
                done = [r for r in sent if r not in left]
                self.meter.write(
                    [
                        r["PutRequest"]["Item"] if "PutRequest" in r else r["DeleteRequest"]["Key"]
                        for r in done
                    ]
                )
                if not left:
                    break
                self._backoff(attempt)
            else:
                raise StoreUnreachable("DynamoDB kept items of a batch write unprocessed")

    def put(self, table: str, item: Item, **arguments: Any) -> bool:
        """One put; ``False`` when its condition failed."""
        return self._conditional(
            lambda: self.client.put_item(TableName=table, Item=item, **arguments), item
        )

    def update(self, table: str, key: Item, **arguments: Any) -> bool:
        """One update; ``False`` when its condition failed."""
        return self._conditional(
            lambda: self.client.update_item(TableName=table, Key=key, **arguments), key
        )

    def update_returning(self, table: str, key: Item, **arguments: Any) -> Item:
        """One update whose new attributes come back (``ReturnValues`` is set here)."""
        with self.translated():
            answer = self.client.update_item(
                TableName=table, Key=key, ReturnValues="UPDATED_NEW", **arguments
            )
        self.meter.write([key])
        attributes: Item = answer.get("Attributes", {})
        return attributes

    def delete(self, table: str, key: Item, **arguments: Any) -> bool:
        """One delete; ``False`` when its condition failed."""
        return self._conditional(
            lambda: self.client.delete_item(TableName=table, Key=key, **arguments), key
        )

    def _conditional(self, call: Callable[[], Any], item: Item) -> bool:
        from botocore.exceptions import ClientError

        with self.translated():
            try:
                call()
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if code != "ConditionalCheckFailedException":
                    raise
                self.meter.write([item])
                return False
        self.meter.write([item])
        return True

    def _backoff(self, attempt: int) -> None:
        self._sleep(_BACKOFF_SECONDS * (2**attempt) * (0.5 + random.random()))
