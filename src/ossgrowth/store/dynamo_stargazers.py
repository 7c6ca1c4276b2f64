"""The stargazers' account ages by day in the DynamoDB store (the operations table);
:class:`DynamoStore` inherits these methods.

One item per (repository, UTC day with a listed star): partition ``stargazer_days|{subject
id}`` (counted as the SQL store's ``stargazer_days`` table by ``delete_all``), sort key the
day (``YYYY-MM-DD``, so a range of days is a key range), with ``listed`` and
``new_accounts``. Kept by subject id, so a repository GitHub renames keeps them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from ossgrowth.errors import StoreError
from ossgrowth.metrics.unusual import StargazerDay
from ossgrowth.model import RepoName
from ossgrowth.store.dynamo_io import DynamoCalls
from ossgrowth.store.dynamo_items import Item, number, text
from ossgrowth.store.dynamo_tables import TableNames

__all__ = ["DynamoStargazerDays"]

_KIND = "stargazer_days"


class DynamoStargazerDays:
    """The stargazer account-age methods of :class:`~ossgrowth.store.dynamo.DynamoStore`."""

    _calls: DynamoCalls
    _tables: TableNames

    if TYPE_CHECKING:  # provided by DynamoStore

        def _subject_item(self, repo: RepoName) -> Item | None: ...

    def write_stargazer_days(self, repo: RepoName, days: Sequence[StargazerDay]) -> int:
        subject = self._subject_item(repo)
        if subject is None:
            raise StoreError(f"{repo} is not tracked")
        partition = f"{_KIND}|{subject['id']['S']}"
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
        return len(unique)

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
            self._tables.operations, [{"DeleteRequest": {"Key": key}} for key in keys]
        )
