"""Backfill jobs, their pages and schedule slots in the DynamoDB store (the operations table);
:class:`DynamoStore` inherits these methods.

Items (partition ``pk`` / sort ``sk``):

- a backfill job: ``backfill`` / ``{subject id}|{family}``; leases are conditional updates
  (free, mine, or ended), so of runners claiming at once exactly one gets a job;
- a fetched page: ``pages|{subject id}|{family}`` / ``{stream}|{page:08d}``, its payload
  compressed (a page of a hundred issues stays well below DynamoDB's 400 KB item limit);
- a schedule slot: ``slot|{job}`` / ``{slot}|{job or part}``, taken by a conditional write
  (absent, or unfinished with its lease ended), so exactly one runner gets each slot.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from ossgrowth.checkpoints import BackfillJob, BackfillStatus, PageCheckpoint
from ossgrowth.errors import InputError
from ossgrowth.metrics.history import day_of, midnight_seconds
from ossgrowth.model import (
    Family,
    Point,
    RepoName,
    SlotClaim,
    Subject,
    from_epoch_seconds,
    to_epoch_seconds,
)
from ossgrowth.store.dynamo_io import DynamoCalls
from ossgrowth.store.dynamo_items import Item, iso, number, text
from ossgrowth.store.dynamo_tables import TableNames
from ossgrowth.store.sql_backfill import epoch_ms

__all__ = ["DynamoOperations"]

_JOBS = "backfill"
_SLOT = "slot"


class DynamoOperations:
    """The backfill and schedule methods of :class:`~ossgrowth.store.dynamo.DynamoStore`."""

    _calls: DynamoCalls
    _tables: TableNames

    if TYPE_CHECKING:  # provided by DynamoStore and DynamoPoints

        def _subject_item(self, repo: RepoName) -> Item | None: ...

        def _series_id(self, repo: RepoName) -> str | None: ...

        def _subjects_with_ids(self) -> list[tuple[Subject, str]]: ...

        def write_points(self, points: Sequence[Point]) -> int: ...

    # backfill jobs -----------------------------------------------------------------------

    def _tracked_id(self, repo: RepoName) -> str:
        subject_id = self._series_id(repo)
        if subject_id is None:
            raise InputError(f"{repo} is not tracked; track it with: ossgrowth track {repo}")
        return subject_id

    def _job_key(self, subject_id: str, family: Family) -> Item:
        return {"pk": text(_JOBS), "sk": text(f"{subject_id}|{family.value}")}

    def enqueue_backfill(
        self,
        repo: RepoName,
        families: Sequence[Family],
        *,
        enqueued_at: datetime,
        since: date | None = None,
        keep_done: bool = False,
    ) -> list[BackfillJob]:
        subject_id = self._tracked_id(repo)
        for family in families:
            values: dict[str, Any] = {
                ":queued": text(BackfillStatus.QUEUED.value),
                ":at": number(to_epoch_seconds(enqueued_at)),
            }
            setting = "#s = :queued, enqueued_at = :at"
            removing = ["finished_at", "method", "message"]
            if since is None:
                removing.append("since")
            else:
                setting += ", since = :since"
                values[":since"] = number(midnight_seconds(since))
            arguments: dict[str, Any] = {}
            if keep_done:
                arguments["ConditionExpression"] = "attribute_not_exists(#s) OR #s <> :done"
                values[":done"] = text(BackfillStatus.DONE.value)
            self._calls.update(
                self._tables.operations,
                self._job_key(subject_id, family),
                UpdateExpression=f"SET {setting} REMOVE {', '.join(f'#{n}' for n in removing)}",
                ExpressionAttributeNames={"#s": "status", **{f"#{n}": n for n in removing}},
                ExpressionAttributeValues=values,
                **arguments,
            )
        wanted = set(families)
        return [job for job in self.backfill_jobs(repo=repo) if job.family in wanted]

    def backfill_jobs(
        self, status: BackfillStatus | None = None, *, repo: RepoName | None = None
    ) -> list[BackfillJob]:
        repos_by_id = {
            subject_id: subject.repo for subject, subject_id in self._subjects_with_ids()
        }
        condition = "pk = :p"
        values: dict[str, Any] = {":p": text(_JOBS)}
        if repo is not None:
            subject_id = self._series_id(repo)
            if subject_id is None:
                return []
            condition += " AND begins_with(sk, :s)"
            values[":s"] = text(f"{subject_id}|")
        items = self._calls.query(
            self._tables.operations,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
        )
        found = []
        for item in items:
            subject_id, _, family = item["sk"]["S"].rpartition("|")
            owner = repos_by_id.get(subject_id)
            if owner is None:
                continue
            job = _job(owner, Family(family), item)
            if status is None or job.status is status:
                found.append(job)
        return sorted(found, key=lambda job: (job.enqueued_at, job.repo.key, job.family.value))

    def count_backfill_pages(self, repo: RepoName) -> dict[Family, int]:
        subject_id = self._series_id(repo)
        if subject_id is None:
            return {}
        counts = {}
        for family in Family:
            count = self._calls.count(
                self._tables.operations,
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": text(f"pages|{subject_id}|{family.value}")},
            )
            if count:
                counts[family] = count
        return counts

    def claim_backfill(
        self, repo: RepoName, family: Family, *, owner: str, now: datetime, until: datetime
    ) -> bool:
        subject_id = self._series_id(repo)
        if subject_id is None:
            return False
        return self._calls.update(
            self._tables.operations,
            self._job_key(subject_id, family),
            UpdateExpression="SET lease_owner = :o, lease_ms = :until",
            ConditionExpression=(
                "#s = :queued AND (attribute_not_exists(lease_owner) OR lease_owner = :o"
                " OR lease_ms <= :now)"
            ),
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":o": text(owner),
                ":until": number(epoch_ms(until)),
                ":now": number(epoch_ms(now)),
                ":queued": text(BackfillStatus.QUEUED.value),
            },
        )

    def release_backfill(self, repo: RepoName, family: Family, *, owner: str) -> None:
        subject_id = self._series_id(repo)
        if subject_id is None:
            return
        self._calls.update(
            self._tables.operations,
            self._job_key(subject_id, family),
            UpdateExpression="REMOVE lease_owner, lease_ms",
            ConditionExpression="lease_owner = :o",
            ExpressionAttributeValues={":o": text(owner)},
        )

    def save_backfill_page(self, page: PageCheckpoint) -> None:
        subject_id = self._tracked_id(page.repo)
        item: Item = {
            "pk": text(f"pages|{subject_id}|{page.family.value}"),
            "sk": text(f"{page.stream}|{page.page:08d}"),
            "stream": text(page.stream),
            "page": number(page.page),
            "payload": {"B": zlib.compress(page.payload.encode(), 6)},
        }
        if page.next_cursor is not None:
            item["next_cursor"] = text(page.next_cursor)
        self._calls.put(self._tables.operations, item)

    def backfill_pages(self, repo: RepoName, family: Family) -> list[PageCheckpoint]:
        subject_id = self._series_id(repo)
        if subject_id is None:
            return []
        items = self._calls.query(
            self._tables.operations,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": text(f"pages|{subject_id}|{family.value}")},
        )
        pages = [
            PageCheckpoint(
                repo,
                family,
                item["stream"]["S"],
                int(item["page"]["N"]),
                item["next_cursor"]["S"] if "next_cursor" in item else None,
                zlib.decompress(item["payload"]["B"]).decode(),
            )
            for item in items
        ]
        return sorted(pages, key=lambda page: (page.stream, page.page))

    def finish_backfill(
        self,
        repo: RepoName,
        family: Family,
        points: Sequence[Point],
        *,
        status: BackfillStatus,
        finished_at: datetime,
        method: str | None = None,
        message: str | None = None,
    ) -> None:
        """Points first, then the outcome, then (done) the pages: a runner that dies between
        leaves the job queued with its points stored, and the next run finishes it."""
        subject_id = self._tracked_id(repo)
        self.write_points(list(points))
        values: dict[str, Any] = {
            ":status": text(status.value),
            ":at": number(to_epoch_seconds(finished_at)),
        }
        setting = ["#s = :status", "finished_at = :at"]
        removing = ["lease_owner", "lease_ms"]
        names = {"#s": "status"}
        for name, value in (("method", method), ("message", message)):
            names[f"#{name}"] = name  # both are DynamoDB reserved words
            if value is None:
                removing.append(f"#{name}")
            else:
                setting.append(f"#{name} = :{name}")
                values[f":{name}"] = text(value)
        self._calls.update(
            self._tables.operations,
            self._job_key(subject_id, family),
            UpdateExpression=f"SET {', '.join(setting)} REMOVE {', '.join(removing)}",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
        if status is BackfillStatus.DONE:
            self._delete_pages(subject_id, family)

    def _delete_pages(self, subject_id: str, family: Family) -> None:
        keys = self._calls.query(
            self._tables.operations,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": text(f"pages|{subject_id}|{family.value}")},
            ProjectionExpression="pk, sk",
        )
        self._calls.batch_write(
            self._tables.operations, [{"DeleteRequest": {"Key": key}} for key in keys]
        )

    def _delete_backfill_of(self, subject_id: str) -> None:
        for family in Family:
            self._delete_pages(subject_id, family)
            self._calls.delete(self._tables.operations, self._job_key(subject_id, family))

    # schedule slots ----------------------------------------------------------------------

    def _slot_key(self, job: str, slot: datetime) -> Item:
        base = job.split("#", 1)[0]
        return {
            "pk": text(f"{_SLOT}|{base}"),
            "sk": text(f"{iso(to_epoch_seconds(slot))}|{job}"),
        }

    def claim_slot(
        self, job: str, slot: datetime, *, owner: str, now: datetime, until: datetime
    ) -> bool:
        return self._calls.update(
            self._tables.operations,
            self._slot_key(job, slot),
            UpdateExpression=(
                "SET job = :job, slot = :slot, #o = :o, claimed_at = :now_s, lease_ms = :until"
            ),
            ConditionExpression=(
                "attribute_not_exists(pk) OR (attribute_not_exists(finished_at) AND "
                "(attribute_not_exists(lease_ms) OR lease_ms <= :now_ms))"
            ),
            ExpressionAttributeNames={"#o": "owner"},
            ExpressionAttributeValues={
                ":job": text(job),
                ":slot": number(to_epoch_seconds(slot)),
                ":o": text(owner),
                ":now_s": number(to_epoch_seconds(now)),
                ":until": number(epoch_ms(until)),
                ":now_ms": number(epoch_ms(now)),
            },
        )

    def renew_slot(self, job: str, slot: datetime, *, owner: str, until: datetime) -> bool:
        return self._calls.update(
            self._tables.operations,
            self._slot_key(job, slot),
            UpdateExpression="SET lease_ms = :until",
            ConditionExpression="#o = :o AND attribute_not_exists(finished_at)",
            ExpressionAttributeNames={"#o": "owner"},
            ExpressionAttributeValues={":o": text(owner), ":until": number(epoch_ms(until))},
        )

    def finish_slot(self, job: str, slot: datetime, *, owner: str, now: datetime) -> None:
        self._calls.update(
            self._tables.operations,
            self._slot_key(job, slot),
            UpdateExpression="SET finished_at = :at REMOVE lease_ms",
            ConditionExpression="#o = :o",
            ExpressionAttributeNames={"#o": "owner"},
            ExpressionAttributeValues={":o": text(owner), ":at": number(to_epoch_seconds(now))},
        )

    def release_slot(self, job: str, slot: datetime, *, owner: str) -> None:
        self._calls.delete(
            self._tables.operations,
            self._slot_key(job, slot),
            ConditionExpression="#o = :o",
            ExpressionAttributeNames={"#o": "owner"},
            ExpressionAttributeValues={":o": text(owner)},
        )

    def latest_slot_taken(self, job: str) -> datetime | None:
        items = self._calls.query(
            self._tables.operations,
            filtered=True,
            limit=1,
            KeyConditionExpression="pk = :p",
            FilterExpression="job = :job OR begins_with(job, :parts)",
            ExpressionAttributeValues={
                ":p": text(f"{_SLOT}|{job.split('#', 1)[0]}"),
                ":job": text(job),
                ":parts": text(f"{job}#"),
            },
            ScanIndexForward=False,
        )
        return from_epoch_seconds(int(items[0]["slot"]["N"])) if items else None

    def slot_claims(self, job: str, slot: datetime) -> list[SlotClaim]:
        items = self._calls.query(
            self._tables.operations,
            filtered=True,
            KeyConditionExpression="pk = :p AND begins_with(sk, :at)",
            FilterExpression="job = :job OR begins_with(job, :parts)",
            ExpressionAttributeValues={
                ":p": text(f"{_SLOT}|{job.split('#', 1)[0]}"),
                ":at": text(f"{iso(to_epoch_seconds(slot))}|"),
                ":job": text(job),
                ":parts": text(f"{job}#"),
            },
        )
        claims = [
            SlotClaim(
                job=item["job"]["S"],
                slot=from_epoch_seconds(int(item["slot"]["N"])),
                owner=item["owner"]["S"],
                claimed_at=from_epoch_seconds(int(item["claimed_at"]["N"])),
                lease_until=None
                if "lease_ms" not in item
                else datetime.fromtimestamp(int(item["lease_ms"]["N"]) / 1000, UTC),
                finished_at=None
                if "finished_at" not in item
                else from_epoch_seconds(int(item["finished_at"]["N"])),
            )
            for item in items
        ]
        return sorted(claims, key=lambda claim: claim.job)


def _job(repo: RepoName, family: Family, item: Item) -> BackfillJob:
    def optional(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    return BackfillJob(
        repo=repo,
        family=family,
        status=BackfillStatus(item["status"]["S"]),
        enqueued_at=from_epoch_seconds(int(item["enqueued_at"]["N"])),
        since=day_of(int(item["since"]["N"])) if "since" in item else None,
        finished_at=from_epoch_seconds(int(item["finished_at"]["N"]))
        if "finished_at" in item
        else None,
        method=optional("method"),
        message=optional("message"),
        lease_owner=optional("lease_owner"),
        leased_until=datetime.fromtimestamp(int(item["lease_ms"]["N"]) / 1000, UTC)
        if "lease_ms" in item
        else None,
    )
