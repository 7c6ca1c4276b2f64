"""The DynamoDB store: the serverless deployment's backend, behind the same ``Store`` protocol.

Selected by a store URL ``dynamodb://?region=…&endpoint=…&table_prefix=…``. Tables and keys
are in :mod:`ossgrowth.store.dynamo_tables`; points and rollups in
:mod:`ossgrowth.store.dynamo_points`; backfill jobs, pages and schedule slots in
:mod:`ossgrowth.store.dynamo_operations`. This module holds the store's lifecycle, the tracked
repositories and the runs.

A tracked repository is an item of ``{env}-repositories`` keyed by its current name; its
``id`` is the name it was first tracked under, and that id is the ``repo`` of its points, so
history stays put when GitHub renames the repository. An id is reserved in the operations
table for as long as it is used, so a repository tracked later under a freed name gets an id
of its own.

What DynamoDB cannot give, the store says: there is no multi-item read snapshot
(:meth:`snapshot` only runs the block), and a batch of points larger than one request is
written in chunks (idempotently) rather than in one transaction.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from ossgrowth.errors import StoreError
from ossgrowth.metrics.registry import FAMILIES, definition
from ossgrowth.model import (
    PackageRef,
    RepoName,
    Run,
    RunStatus,
    Subject,
    from_epoch_seconds,
    to_epoch_seconds,
)
from ossgrowth.store.dynamo_alerts import DynamoAlerts
from ossgrowth.store.dynamo_collections import DynamoCollections
from ossgrowth.store.dynamo_io import DynamoCalls
from ossgrowth.store.dynamo_items import Item, iso, number, text
from ossgrowth.store.dynamo_operations import DynamoOperations
from ossgrowth.store.dynamo_points import DynamoPoints, DynamoRollupKeeper, series_key
from ossgrowth.store.dynamo_stargazers import DynamoStargazerDays
from ossgrowth.store.dynamo_tables import DynamoLocation, TableNames
from ossgrowth.store.dynamo_values_at import DynamoValuesAt

__all__ = ["SCHEMA_REVISION", "DynamoStore"]

SCHEMA_REVISION = "dynamodb-1"
"""The table layout's version (a later layout migrates from it)."""
_META = "meta"
_SUBJECT_IDS = "subject-id"
_RUNS = "runs"
_RUN_IDS = "run-id"
_THREADS = 16
"""Requests in flight at once for one store (series read side by side, batches of a write)."""


class DynamoStore(
    DynamoPoints,
    DynamoOperations,
    DynamoCollections,
    DynamoAlerts,
    DynamoStargazerDays,
    DynamoValuesAt,
):
    """A :class:`~ossgrowth.store.base.Store` on DynamoDB."""

    def __init__(
        self, url: str, *, environment: str, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        location = DynamoLocation.parse(url)
        self._environment = environment
        self._location = location
        self._tables = TableNames(location.table_prefix, environment)
        self._calls = DynamoCalls(region=location.region, endpoint=location.endpoint, sleep=sleep)
        self._pool = ThreadPoolExecutor(_THREADS, thread_name_prefix="dynamodb")
        self._dirty_checked_at = float("-inf")

    # lifecycle ---------------------------------------------------------------------------

    @property
    def environment(self) -> str:
        return self._environment

    @property
    def tables(self) -> TableNames:
        return self._tables

    @property
    def calls(self) -> DynamoCalls:
        """The client and its capacity meter (what a run spent: docs/aws.md)."""
        return self._calls

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    @property
    def newest_revision(self) -> str:
        return SCHEMA_REVISION

    def ping(self) -> None:
        with self._calls.translated():
            self._calls.client.list_tables(Limit=1)

    def upgrade(self, progress: Callable[[int, int], None] | None = None) -> str:
        """Create any table that is missing (on AWS the stack made them all: then this only
        checks), claim the tables for this environment, and rebuild rollups a writer that
        died left behind."""
        client = self._calls.client
        with self._calls.translated():
            existing = set(_all_table_names(client))
            missing = {n: k for n, k in self._tables.all().items() if n not in existing}
            for name, (partition, sort) in missing.items():
                keys = [{"AttributeName": partition, "KeyType": "HASH"}]
                attributes = [{"AttributeName": partition, "AttributeType": "S"}]
                if sort is not None:
                    keys.append({"AttributeName": sort, "KeyType": "RANGE"})
                    attributes.append({"AttributeName": sort, "AttributeType": "S"})
                client.create_table(
                    TableName=name,
                    KeySchema=keys,
                    AttributeDefinitions=attributes,
                    BillingMode="PAY_PER_REQUEST",
                )
            for done, name in enumerate(missing, start=1):
                client.get_waiter("table_exists").wait(
                    TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
                )
                if progress is not None:
                    progress(done, len(missing))
        self._claim_environment()
        self.repair_rollups()
        return SCHEMA_REVISION

    def schema_revision(self) -> str | None:
        with self._calls.translated():
            existing = set(_all_table_names(self._calls.client))
        return SCHEMA_REVISION if set(self._tables.all()) <= existing else None

    def is_current(self) -> bool:
        if self.schema_revision() != SCHEMA_REVISION:
            return False
        owner = self._calls.get(self._tables.operations, _key(_META, "environment"))
        if owner is not None and owner["value"]["S"] != self._environment:
            raise StoreError(
                f"this store holds {owner['value']['S']!r} data, not {self._environment!r}; "
                "give each environment its own store"
            )
        return owner is not None

    def _claim_environment(self) -> None:
        claimed = self._calls.put(
            self._tables.operations,
            {**_key(_META, "environment"), "value": text(self._environment)},
            ConditionExpression="attribute_not_exists(pk) OR #v = :v",
            ExpressionAttributeNames={"#v": "value"},
            ExpressionAttributeValues={":v": text(self._environment)},
        )
        if not claimed:
            self.is_current()  # raises, naming the owner
            raise StoreError("the store's tables belong to another environment")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """DynamoDB has no read snapshot across items: the block runs as it is, and an export
        taken while collections write may hold points written during it (for a consistent
        copy, use point-in-time recovery or an on-demand backup: docs/aws.md)."""
        yield

    # subjects ----------------------------------------------------------------------------

    def _subject_item(self, repo: RepoName) -> Item | None:
        return self._calls.get(self._tables.repositories, {"repo": text(repo.key)})

    def _subject_ids(self, keys: set[str]) -> dict[str, str]:
        found = self._calls.batch_get(
            self._tables.repositories,
            [{"repo": text(key)} for key in sorted(keys)],
            projection="repo, id",
        )
        return {item["repo"]["S"]: item["id"]["S"] for item in found}

    def add_subject(
        self, repo: RepoName, packages: Sequence[PackageRef], *, added_at: datetime
    ) -> Subject:
        item = self._subject_item(repo)
        if item is None:
            subject_id = self._reserve_id(repo.key)
            fresh: Item = {
                "repo": text(repo.key),
                "id": text(subject_id),
                "owner": text(repo.owner),
                "name": text(repo.name),
                "added_at": number(to_epoch_seconds(added_at)),
                "environment": text(self._environment),
            }
            if not self._calls.put(
                self._tables.repositories,
                fresh,
                ConditionExpression="attribute_not_exists(repo)",
            ):  # tracked meanwhile by another writer: theirs stands
                self._release_id(subject_id)
        wanted = sorted({str(package) for package in packages})
        if wanted:
            self._calls.update(
                self._tables.repositories,
                {"repo": text(repo.key)},
                UpdateExpression="ADD packages :p",
                ExpressionAttributeValues={":p": {"SS": wanted}},
            )
        subject = self.get_subject(repo)
        if subject is None:
            raise StoreError(f"{repo} was tracked, then untracked at once by another writer")
        return subject

    def _reserve_id(self, key: str) -> str:
        """An id for a newly tracked repository: its name, unless a renamed one still uses it."""
        candidate = key
        while not self._calls.put(
            self._tables.operations,
            {**_key(_SUBJECT_IDS, candidate), "repo": text(key)},
            ConditionExpression="attribute_not_exists(pk)",
        ):
            candidate = f"{key}~{secrets.token_hex(3)}"
        return candidate

    def _release_id(self, subject_id: str) -> None:
        self._calls.delete(self._tables.operations, _key(_SUBJECT_IDS, subject_id))

    def get_subject(self, repo: RepoName) -> Subject | None:
        item = self._subject_item(repo)
        return None if item is None else _subject(item)

    def list_subjects(self) -> list[Subject]:
        return [subject for subject, _ in self._subjects_with_ids()]

    def _subjects_with_ids(self) -> list[tuple[Subject, str]]:
        """Every tracked subject with the id its points are kept under, by name (one scan)."""
        items = self._calls.scan(self._tables.repositories)
        found = [(_subject(item), item["id"]["S"]) for item in items]
        return sorted(found, key=lambda entry: entry[0].repo.key)

    def first_added_at(self) -> datetime | None:
        items = self._calls.scan(
            self._tables.repositories,
            ProjectionExpression="added_at",
        )
        if not items:
            return None
        return from_epoch_seconds(min(int(item["added_at"]["N"]) for item in items))

    def remove_subject(self, repo: RepoName) -> bool:
        """Delete the repository's points, rollups, jobs, pages and places in collections, then
        stop tracking it: a removal cut short leaves it tracked, and removing it again finishes
        the work."""
        item = self._subject_item(repo)
        if item is None:
            return False
        subject_id = item["id"]["S"]
        subject = _subject(item)
        self._delete_series_of(subject_id, subject.packages)
        self._delete_backfill_of(subject_id)
        self._leave_collections(subject_id)
        self._delete_stargazer_days_of(subject_id)
        self._calls.delete(self._tables.repositories, {"repo": text(repo.key)})
        self._release_id(subject_id)
        return True

    def set_identity(self, repo: RepoName, *, node_id: str, current: RepoName) -> Subject:
        item = self._subject_item(repo)
        if item is None:
            raise StoreError(f"{repo} is not tracked")
        moved: Item = {
            **item,
            "repo": text(current.key),
            "owner": text(current.owner),
            "name": text(current.name),
            "node_id": text(node_id),
        }
        if current.key == repo.key:
            self._calls.put(self._tables.repositories, moved)
        else:
            taken = self._subject_item(current)
            if taken is not None:
                raise StoreError(f"{current} is tracked already; untrack one of the two first")
            self._move_subject(repo, moved)
        found = self.get_subject(current)
        if found is None:
            raise StoreError(f"{current} was untracked while it was being renamed")
        return found

    def _move_subject(self, old: RepoName, moved: Item) -> None:
        """The item under its new name and gone from the old one, in one transaction."""
        from botocore.exceptions import ClientError

        table = self._tables.repositories
        with self._calls.translated():
            try:
                self._calls.client.transact_write_items(
                    TransactItems=[
                        {
                            "Delete": {
                                "TableName": table,
                                "Key": {"repo": text(old.key)},
                                "ConditionExpression": "attribute_exists(repo)",
                            }
                        },
                        {
                            "Put": {
                                "TableName": table,
                                "Item": moved,
                                "ConditionExpression": "attribute_not_exists(repo)",
                            }
                        },
                    ]
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                    raise StoreError(
                        f"{old} was renamed or untracked by another writer at the same time"
                    ) from None
                raise
        self._calls.meter.write([moved], transactional=True)

    def _delete_series_of(self, subject_id: str, packages: Sequence[PackageRef]) -> None:
        for family in FAMILIES:
            per_package = definition(family).per_package
            owned: list[PackageRef | None] = list(packages) if per_package else [None]
            for package in owned:
                partition = series_key(subject_id, package)
                table = self._tables.points(family)
                keys = self._calls.query(
                    table,
                    KeyConditionExpression="#r = :r",
                    ExpressionAttributeNames={"#r": "repo", "#t": "timestamp"},
                    ExpressionAttributeValues={":r": text(partition)},
                    ProjectionExpression="#r, #t",
                )
                self._calls.batch_write(table, [{"DeleteRequest": {"Key": key}} for key in keys])
                DynamoRollupKeeper(self, family, [f"{partition}|{family.value}"]).delete_all()

    # runs --------------------------------------------------------------------------------

    def record_run(self, run: Run) -> Run:
        if run.id is None:
            counter = self._calls.update_returning(
                self._tables.operations,
                _key(_META, "run-counter"),
                UpdateExpression="ADD #n :one",
                ExpressionAttributeNames={"#n": "next"},
                ExpressionAttributeValues={":one": number(1)},
            )
            run = replace(run, id=int(counter["next"]["N"]))
            place = _run_sort_key(run)
            self._calls.put(
                self._tables.operations,
                {**_key(_RUN_IDS, f"{run.id:012d}"), "at": text(place)},
            )
            self._calls.put(self._tables.operations, _run_item(run, place))
            return run
        pointer = self._calls.get(self._tables.operations, _key(_RUN_IDS, f"{run.id:012d}"))
        if pointer is None:
            raise StoreError(f"run {run.id} does not exist")
        self._calls.put(self._tables.operations, _run_item(run, pointer["at"]["S"]))
        return run

    def list_runs(
        self,
        limit: int = 50,
        *,
        job: str | None = None,
        status: RunStatus | None = None,
        since: datetime | None = None,
    ) -> list[Run]:
        names: dict[str, str] = {"#j": "job", "#s": "status"}
        values: dict[str, Any] = {":p": text(_RUNS)}
        condition = "pk = :p"
        if since is not None:
            condition += " AND sk >= :since"
            values[":since"] = text(iso(to_epoch_seconds(since)))
        filters = []
        if job is not None:
            filters.append("(#j = :job OR begins_with(#j, :parts))")
            values[":job"], values[":parts"] = text(job), text(f"{job}#")
        if status is not None:
            filters.append("#s = :status")
            values[":status"] = text(status.value)
        more: dict[str, Any] = {}
        if filters:
            more["FilterExpression"] = " AND ".join(filters)
            more["ExpressionAttributeNames"] = {
                name: field for name, field in names.items() if name in more["FilterExpression"]
            }
        items = self._calls.query(
            self._tables.operations,
            limit=limit,
            filtered=bool(filters),
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            ScanIndexForward=False,
            **more,
        )
        return [_run(item) for item in items]

    # whole environment -------------------------------------------------------------------

    def delete_all(self) -> dict[str, int]:
        """Delete every item but the environment's claim and its alerts. Counted under the
        names the SQL store gives the same records (``star_growth``, ``subjects``, ``runs`` …),
        table by table: DynamoDB has no transaction this large, and running it again finishes
        it."""
        logical = {self._tables.points(f): FAMILIES[f].table for f in FAMILIES}
        logical[self._tables.repositories] = "subjects"
        logical[self._tables.rollups] = "rollups"
        deleted: dict[str, int] = {}
        for name, (partition, sort) in self._tables.all().items():
            attributes = [partition] if sort is None else [partition, sort]
            names = {f"#k{index}": attribute for index, attribute in enumerate(attributes)}
            items = self._calls.scan(
                name,
                ProjectionExpression=", ".join(names),
                ExpressionAttributeNames=names,
            )
            if name == self._tables.operations:  # the claim and the alerts stay (see Store)
                items = [item for item in items if not _kept_by_delete_all(item["pk"]["S"])]
            self._calls.batch_write(name, [{"DeleteRequest": {"Key": item}} for item in items])
            for item in items:
                kind = logical.get(name) or _operation_kind(item["pk"]["S"])
                deleted[kind] = deleted.get(kind, 0) + 1
        return deleted


def _kept_by_delete_all(partition: str) -> bool:
    """Whether emptying the environment keeps an operations item: its claim, and its alert
    rules, events, deliveries and pending marks."""
    return partition == _META or partition.split("|", 1)[0].startswith("alert-")


def _operation_kind(partition: str) -> str:
    """What an operations item is, by its partition, named as the SQL store's table."""
    kind = partition.split("|", 1)[0]
    return {
        _RUNS: "runs",
        _RUN_IDS: "runs",
        "backfill": "backfill_jobs",
        "pages": "backfill_pages",
        "slot": "schedule_slots",
        _SUBJECT_IDS: "subject_ids",
        "rollups-dirty": "rollups",
        "alert-rule": "alert_rules",
        "alert-delivery": "alert_deliveries",
        "alert-event": "alert_event_keys",
        "alert-pending": "alert_pending_marks",
    }.get(kind, kind)


def _key(partition: str, sort: str) -> Item:
    return {"pk": text(partition), "sk": text(sort)}


def _all_table_names(client: Any) -> Iterator[str]:
    for page in client.get_paginator("list_tables").paginate():
        yield from page.get("TableNames", [])


def _subject(item: Item) -> Subject:
    packages = sorted(
        (PackageRef.from_key(name) for name in item.get("packages", {}).get("SS", [])),
        key=lambda package: (package.ecosystem.value, package.name),
    )
    node = item.get("node_id")
    return Subject(
        repo=RepoName(item["owner"]["S"], item["name"]["S"]),
        packages=tuple(packages),
        github_node_id=None if node is None else node["S"],
        added_at=from_epoch_seconds(int(item["added_at"]["N"])),
    )


def _run_sort_key(run: Run) -> str:
    """Runs sort by start, then id: the newest first is one backward query."""
    return f"{iso(to_epoch_seconds(run.started_at))}#{run.id:012d}"


def _run_item(run: Run, place: str) -> Item:
    item: Item = {
        **_key(_RUNS, place),
        "id": number(run.id or 0),
        "job": text(run.job),
        "environment": text(run.environment),
        "started_at": number(to_epoch_seconds(run.started_at)),
        "status": text(run.status.value),
        "counts": text(json.dumps(dict(run.counts), sort_keys=True)),
        "requests_spent": number(run.requests_spent),
    }
    if run.finished_at is not None:
        item["finished_at"] = number(to_epoch_seconds(run.finished_at))
    if run.error is not None:
        item["error"] = text(run.error)
    return item


def _run(item: Item) -> Run:
    finished = item.get("finished_at")
    error = item.get("error")
    return Run(
        id=int(item["id"]["N"]),
        job=item["job"]["S"],
        environment=item["environment"]["S"],
        started_at=from_epoch_seconds(int(item["started_at"]["N"])),
        finished_at=None if finished is None else from_epoch_seconds(int(finished["N"])),
        status=RunStatus(item["status"]["S"]),
        counts=json.loads(item["counts"]["S"]),
        error=None if error is None else error["S"],
        requests_spent=int(item["requests_spent"]["N"]),
    )
