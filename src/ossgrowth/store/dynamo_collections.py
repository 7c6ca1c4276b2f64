"""Collections of tracked repositories in the DynamoDB store (the operations table);
:class:`DynamoStore` inherits these methods.

Items (partition ``pk`` / sort ``sk``), named as the SQL store's tables so ``delete_all``
counts them under the same names:

- a collection: ``collections`` / ``{slug}``, with ``name``, ``description`` and
  ``created_at`` (epoch seconds); made by a conditional put, so of two writers creating the
  same slug one is told it exists;
- a member: ``collection_members`` / ``{slug}|{subject id}``, with ``id`` (the subject's id,
  which stays when GitHub renames the repository) and ``repo`` (its name when it joined, to
  find it in one batch read; a renamed one is found by its id).

Deleting a collection deletes its members first, then the collection: one cut short is
finished by deleting it again. Untracking a repository deletes its memberships before the
repository (see ``DynamoStore.remove_subject``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ossgrowth.collection_names import (
    check_description,
    check_name,
    parse_slug,
    unknown_collection,
)
from ossgrowth.errors import InputError
from ossgrowth.model import Collection, RepoName, Subject, from_epoch_seconds, to_epoch_seconds
from ossgrowth.store.dynamo_io import DynamoCalls
from ossgrowth.store.dynamo_items import Item, number, text
from ossgrowth.store.dynamo_tables import TableNames

__all__ = ["DynamoCollections"]

_COLLECTIONS = "collections"
_MEMBERS = "collection_members"


class DynamoCollections:
    """The collection methods of :class:`~ossgrowth.store.dynamo.DynamoStore`."""

    _calls: DynamoCalls
    _tables: TableNames

    if TYPE_CHECKING:  # provided by DynamoStore

        def _subjects_with_ids(self) -> list[tuple[Subject, str]]: ...

    def create_collection(
        self, slug: str, *, name: str, description: str = "", created_at: datetime
    ) -> Collection:
        slug = parse_slug(slug)
        item: Item = {
            **_header_key(slug),
            "name": text(check_name(name)),
            "description": text(check_description(description)),
            "created_at": number(to_epoch_seconds(created_at)),
        }
        if not self._calls.put(
            self._tables.operations, item, ConditionExpression="attribute_not_exists(pk)"
        ):
            raise InputError(f"there is a collection {slug!r} already")
        self._delete_members(self._member_items(slug))  # left by a deletion raced by an add
        return _collection(item, [])

    def get_collection(self, slug: str) -> Collection | None:
        slug = parse_slug(slug)
        header = self._calls.get(self._tables.operations, _header_key(slug))
        if header is None:
            return None
        members = self._member_names(self._member_items(slug))
        return _collection(header, members.get(slug, []))

    def list_collections(self) -> list[Collection]:
        headers = self._calls.query(
            self._tables.operations,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": text(_COLLECTIONS)},
        )
        if not headers:
            return []
        members = self._member_names(self._member_items(None))
        return [_collection(header, members.get(header["sk"]["S"], [])) for header in headers]

    def update_collection(
        self, slug: str, *, name: str | None = None, description: str | None = None
    ) -> Collection:
        slug = parse_slug(slug)
        setting: list[str] = []
        values: dict[str, Any] = {}
        if name is not None:
            setting.append("#n = :n")
            values[":n"] = text(check_name(name))
        if description is not None:
            setting.append("description = :d")
            values[":d"] = text(check_description(description))
        if setting and not self._calls.update(
            self._tables.operations,
            _header_key(slug),
            UpdateExpression=f"SET {', '.join(setting)}",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#n": "name"} if name is not None else {},
            ExpressionAttributeValues=values,
        ):
            raise unknown_collection(slug)
        found = self.get_collection(slug)
        if found is None:
            raise unknown_collection(slug)
        return found

    def add_collection_members(self, slug: str, repos: Sequence[RepoName]) -> Collection:
        slug = parse_slug(slug)
        self._require(slug)
        wanted = {repo.key: repo for repo in repos}
        ids = self._ids_by_name(set(wanted))
        untracked = next((repo for repo in repos if repo.key not in ids), None)
        if untracked is not None:
            raise InputError(
                f"{untracked} is not tracked, so it cannot join a collection; track it "
                f"with: ossgrowth track {untracked}"
            )
        written: list[Item] = [
            {**_member_key(slug, subject_id), "id": text(subject_id), "repo": text(key)}
            for key, subject_id in sorted(ids.items())
        ]
        self._calls.batch_write(
            self._tables.operations, [{"PutRequest": {"Item": item}} for item in written]
        )
        found = self.get_collection(slug)
        if found is None:  # deleted while the members were written: take them back
            self._delete_members(written)
            raise unknown_collection(slug)
        return found

    def remove_collection_members(self, slug: str, repos: Sequence[RepoName]) -> Collection:
        slug = parse_slug(slug)
        self._require(slug)
        ids = self._ids_by_name({repo.key for repo in repos})
        self._delete_members([_member_key(slug, subject_id) for subject_id in set(ids.values())])
        found = self.get_collection(slug)
        if found is None:
            raise unknown_collection(slug)
        return found

    def delete_collection(self, slug: str) -> bool:
        slug = parse_slug(slug)
        if self._calls.get(self._tables.operations, _header_key(slug)) is None:
            return False
        self._delete_members(self._member_items(slug))
        return self._calls.delete(
            self._tables.operations,
            _header_key(slug),
            ConditionExpression="attribute_exists(pk)",
        )

    def _leave_collections(self, subject_id: str) -> None:
        """Take the subject ``subject_id`` out of every collection (it is being untracked)."""
        self._delete_members(
            [
                item
                for item in self._member_items(None)
                if item["sk"]["S"].partition("|")[2] == subject_id
            ]
        )

    def _require(self, slug: str) -> None:
        if self._calls.get(self._tables.operations, _header_key(slug)) is None:
            raise unknown_collection(slug)

    def _ids_by_name(self, keys: set[str]) -> dict[str, str]:
        """The subject id of each tracked repository of ``keys`` (lower-case names)."""
        if not keys:
            return {}
        found = self._calls.batch_get(
            self._tables.repositories,
            [{"repo": text(key)} for key in sorted(keys)],
            projection="repo, id",
        )
        return {item["repo"]["S"]: item["id"]["S"] for item in found}

    def _member_items(self, slug: str | None) -> list[Item]:
        """The member items of the collection ``slug``, or of every collection."""
        condition = "pk = :p"
        values: dict[str, Any] = {":p": text(_MEMBERS)}
        if slug is not None:
            condition += " AND begins_with(sk, :s)"
            values[":s"] = text(f"{slug}|")
        return self._calls.query(
            self._tables.operations,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
        )

    def _delete_members(self, items: Sequence[Item]) -> None:
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in items]
        self._calls.batch_write(
            self._tables.operations, [{"DeleteRequest": {"Key": key}} for key in keys]
        )

    def _member_names(self, items: Sequence[Item]) -> dict[str, list[RepoName]]:
        """The current names of the members ``items`` hold, by collection slug and name.

        One batch read by the names they joined under; a member renamed since is found by
        its id in one scan of the tracked repositories; one untracked meanwhile is left out.
        """
        if not items:
            return {}
        joined = {item["repo"]["S"] for item in items}
        found = self._calls.batch_get(
            self._tables.repositories,
            [{"repo": text(key)} for key in sorted(joined)],
            projection="repo, id, #o, #n",
            names={"#o": "owner", "#n": "name"},
        )
        names = {item["id"]["S"]: RepoName(item["owner"]["S"], item["name"]["S"]) for item in found}
        if any(item["id"]["S"] not in names for item in items):
            names = {subject_id: subject.repo for subject, subject_id in self._subjects_with_ids()}
        held: dict[str, list[RepoName]] = {}
        for item in items:
            slug = item["sk"]["S"].partition("|")[0]
            repo = names.get(item["id"]["S"])
            if repo is not None:
                held.setdefault(slug, []).append(repo)
        return {slug: sorted(repos, key=lambda repo: repo.key) for slug, repos in held.items()}


def _header_key(slug: str) -> Item:
    return {"pk": text(_COLLECTIONS), "sk": text(slug)}


def _member_key(slug: str, subject_id: str) -> Item:
    return {"pk": text(_MEMBERS), "sk": text(f"{slug}|{subject_id}")}


def _collection(header: Item, members: Sequence[RepoName]) -> Collection:
    return Collection(
        slug=header["sk"]["S"],
        name=header["name"]["S"],
        description=header["description"]["S"],
        members=tuple(members),
        created_at=from_epoch_seconds(int(header["created_at"]["N"])),
    )
