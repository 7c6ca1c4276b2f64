"""The stargazers' account ages by day in the DynamoDB store (the operations table);
:class:`DynamoStore` inherits these methods.

One item per (repository, UTC day with a listed star): partition ``stargazer_days|{subject
id}`` (counted as the SQL store's ``stargazer_days`` table by ``delete_all``), sort key the
day (``YYYY-MM-DD``, so a range of days is a key range), with ``listed`` and
``new_accounts``. A followed list's mark (the newest ``starredAt`` the counts hold) is one
item, partition ``stargazer_reads|{subject id}``, sort key ``mark``, with ``read_through``
(epoch seconds) and, once a collection read the list through, ``stars_seen`` (the star count
seen before that read). A collection adds newer counts (``ADD``) and moves the mark
(conditional on the mark it read) in one transaction. Kept by subject id, so a repository
GitHub renames keeps them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ossgrowth.errors import StoreError, StoreUnreachable
from ossgrowth.metrics.unusual import StargazerDay
from ossgrowth.model import RepoName, from_epoch_seconds, to_epoch_seconds
from ossgrowth.store.base import StargazerMark
from ossgrowth.store.dynamo_io import DynamoCalls
from ossgrowth.store.dynamo_items import Item, number, text
from ossgrowth.store.dynamo_tables import TableNames
from ossgrowth.store.sql_stargazers import check_added_days

__all__ = ["DynamoStargazerDays"]

_KIND = "stargazer_days"
_READS = "stargazer_reads"
_MARK = "mark"
_ATTEMPTS = 8
"""Tries of a transaction that conflicts with another writer before giving up."""


class DynamoStargazerDays:
    """The stargazer account-age methods of :class:`~ossgrowth.store.dynamo.DynamoStore`."""

    _calls: DynamoCalls
    _tables: TableNames

    if TYPE_CHECKING:  # provided by DynamoStore

        def _subject_item(self, repo: RepoName) -> Item | None: ...

        def _subject_ids(self, keys: set[str]) -> dict[str, str]: ...

    def write_stargazer_days(
        self,
        repo: RepoName,
        days: Sequence[StargazerDay],
        *,
        read_through: datetime | None = None,
    ) -> int:
        subject_id = self._stargazers_subject_id(repo)
        partition = f"{_KIND}|{subject_id}"
        unique = {row.day: row for row in days}  # a batch may name each key once
        self._calls.batch_write(
            self._tables.operations,
            [
                {
                    "PutRequest": {
                        "Item": {
                            "pk": text(partition),
                            "sk": text(row.day.isoformat()),
                            "listed": number(row.listed),
                            "new_accounts": number(row.new_accounts),
                        }
                    }
                }
                for row in unique.values()
            ],
        )
        if read_through is not None:  # after the days: a write cut short follows nothing
            mark = number(to_epoch_seconds(read_through))
            self._calls.update(  # a later mark already kept stays (the condition fails)
                self._tables.operations,
                _mark_key(subject_id),
                UpdateExpression="SET read_through = :t",
                ConditionExpression="attribute_not_exists(read_through) OR read_through < :t",
                ExpressionAttributeValues={":t": mark},
            )
        return len(unique)

    def add_stargazer_days(
        self,
        repo: RepoName,
        days: Sequence[StargazerDay],
        *,
        after: datetime,
        through: datetime,
        stars_seen: int | None = None,
    ) -> bool:
        check_added_days(days, after, through)
        subject_id = self._stargazers_subject_id(repo)
        values = {
            ":after": number(to_epoch_seconds(after)),
            ":through": number(to_epoch_seconds(through)),
        }
        if stars_seen is None:
            expression = "SET read_through = :through REMOVE stars_seen"
        else:
            expression = "SET read_through = :through, stars_seen = :seen"
            values[":seen"] = number(stars_seen)
        actions: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self._tables.operations,
                    "Key": _mark_key(subject_id),
                    "UpdateExpression": expression,
                    "ConditionExpression": "read_through = :after",
                    "ExpressionAttributeValues": values,
                }
            },
            *(
                {
                    "Update": {
                        "TableName": self._tables.operations,
                        "Key": {
                            "pk": text(f"{_KIND}|{subject_id}"),
                            "sk": text(row.day.isoformat()),
                        },
                        "UpdateExpression": "ADD listed :listed, new_accounts :new",
                        "ExpressionAttributeValues": {
                            ":listed": number(row.listed),
                            ":new": number(row.new_accounts),
                        },
                    }
                }
                for row in days
            ),
        ]
        return self._transact_stargazer_days(actions)

    def keep_stars_seen(self, repo: RepoName, stars_seen: int, *, read_through: datetime) -> bool:
        subject_id = self._stargazers_subject_id(repo)
        return self._calls.update(
            self._tables.operations,
            _mark_key(subject_id),
            UpdateExpression="SET stars_seen = :seen",
            ConditionExpression="read_through = :mark",
            ExpressionAttributeValues={
                ":seen": number(stars_seen),
                ":mark": number(to_epoch_seconds(read_through)),
            },
        )

    def stargazer_marks(self, repos: Sequence[RepoName]) -> dict[str, StargazerMark]:
        ids = self._subject_ids({repo.key for repo in repos})
        if not ids:
            return {}
        key_of = {subject_id: key for key, subject_id in ids.items()}
        items = self._calls.batch_get(
            self._tables.operations,
            [_mark_key(subject_id) for subject_id in sorted(key_of)],
        )
        return {
            key_of[item["pk"]["S"].split("|", 1)[1]]: StargazerMark(
                from_epoch_seconds(int(item["read_through"]["N"])),
                int(item["stars_seen"]["N"]) if "stars_seen" in item else None,
            )
            for item in items
        }

    def stargazers_read_through(self, repos: Sequence[RepoName]) -> dict[str, datetime]:
        return {key: mark.read_through for key, mark in self.stargazer_marks(repos).items()}

    def stop_stargazer_reads(self, repo: RepoName) -> None:
        subject = self._subject_item(repo)
        if subject is not None:
            self._calls.delete(self._tables.operations, _mark_key(subject["id"]["S"]))

    def read_stargazer_days(
        self, repo: RepoName, *, first: date | None = None, last: date | None = None
    ) -> list[StargazerDay]:
        subject = self._subject_item(repo)
        if subject is None:
            return []
        low = (first or date.min).isoformat()
        high = (last or date.max).isoformat()
        items = self._calls.query(
            self._tables.operations,
            KeyConditionExpression="pk = :p AND sk BETWEEN :low AND :high",
            ExpressionAttributeValues={
                ":p": text(f"{_KIND}|{subject['id']['S']}"),
                ":low": text(low),
                ":high": text(high),
            },
        )
        return [
            StargazerDay(
                date.fromisoformat(item["sk"]["S"]),
                int(item["listed"]["N"]),
                int(item["new_accounts"]["N"]),
            )
            for item in items
        ]

    def _delete_stargazer_days_of(self, subject_id: str) -> None:
        keys = self._calls.query(
            self._tables.operations,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": text(f"{_KIND}|{subject_id}")},
            ProjectionExpression="pk, sk",
        )
        self._calls.batch_write(
            self._tables.operations,
            [{"DeleteRequest": {"Key": key}} for key in [*keys, _mark_key(subject_id)]],
        )

    def _stargazers_subject_id(self, repo: RepoName) -> str:
        subject = self._subject_item(repo)
        if subject is None:
            raise StoreError(f"{repo} is not tracked")
        return str(subject["id"]["S"])

    def _transact_stargazer_days(self, actions: list[dict[str, Any]]) -> bool:
        """Run one transaction whose first action is the mark's conditional move: ``False``
        when that condition failed; a conflict with another writer is tried again."""
        from botocore.exceptions import ClientError

        for attempt in range(_ATTEMPTS):
            with self._calls.translated():
                try:
                    self._calls.client.transact_write_items(TransactItems=actions)
                except ClientError as error:
                    if error.response.get("Error", {}).get("Code") != (
                        "TransactionCanceledException"
                    ):
                        raise
                    reasons = error.response.get("CancellationReasons", [])
                    if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                        self._calls.meter.write([actions[0]["Update"]["Key"]])
                        return False
                    self._calls._backoff(attempt)
                    continue
            self._calls.meter.write(
                [action["Update"]["Key"] for action in actions], transactional=True
            )
            return True
        raise StoreUnreachable("DynamoDB kept cancelling the write of stargazer days")


def _mark_key(subject_id: str) -> Item:
    return {"pk": text(f"{_READS}|{subject_id}"), "sk": text(_MARK)}
