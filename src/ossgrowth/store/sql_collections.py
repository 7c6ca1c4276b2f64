"""Collections of tracked repositories in the SQL store; :class:`SqlStore` inherits these
methods.

A collection is a row of ``collections`` (its slug in lower case, unique); each member a row
of ``collection_members`` naming the collection's and the subject's ids. Members are kept by
subject, not by name, so a repository GitHub renames stays in its collections; untracking a
repository deletes its subject and, by the foreign key's cascade, its memberships (SQLite
runs with foreign keys on: see :mod:`ossgrowth.store.engines`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, and_, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ossgrowth.collection_names import (
    check_description,
    check_name,
    parse_slug,
    unknown_collection,
)
from ossgrowth.errors import InputError
from ossgrowth.model import (
    Collection,
    RepoName,
    from_epoch_seconds,
    to_epoch_seconds,
)
from ossgrowth.store.engines import translated_errors
from ossgrowth.store.tables import (
    COLLECTION_MEMBERS_TABLE,
    COLLECTIONS_TABLE,
    SUBJECTS_TABLE,
)

__all__ = ["CollectionTables"]

_COLLECTIONS = COLLECTIONS_TABLE.c
_MEMBERS = COLLECTION_MEMBERS_TABLE.c
_SUBJECTS = SUBJECTS_TABLE.c


class CollectionTables:
    """The collection methods of :class:`~ossgrowth.store.sql.SqlStore` (see ``Store``)."""

    _engine: Engine

    if TYPE_CHECKING:  # provided by SqlStore

        def _writing(self) -> AbstractContextManager[Connection]: ...

        def _reading(self) -> AbstractContextManager[Connection]: ...

    def create_collection(
        self, slug: str, *, name: str, description: str = "", created_at: datetime
    ) -> Collection:
        slug = parse_slug(slug)
        values = {
            "slug": slug,
            "name": check_name(name),
            "description": check_description(description),
            "created_at": to_epoch_seconds(created_at),
        }
        builder = postgresql.Insert if self._engine.dialect.name == "postgresql" else sqlite.Insert
        statement = (
            builder(COLLECTIONS_TABLE)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["slug"])
            .returning(_COLLECTIONS.id)
        )
        with translated_errors(self._engine), self._writing() as connection:
            if connection.execute(statement).scalar_one_or_none() is None:
                raise InputError(f"there is a collection {slug!r} already")
            return self._collections(connection, slug)[0]

    def get_collection(self, slug: str) -> Collection | None:
        slug = parse_slug(slug)
        with self._reading() as connection:
            found = self._collections(connection, slug)
        return found[0] if found else None

    def list_collections(self) -> list[Collection]:
        with self._reading() as connection:
            return self._collections(connection, None)

    def update_collection(
        self, slug: str, *, name: str | None = None, description: str | None = None
    ) -> Collection:
        slug = parse_slug(slug)
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = check_name(name)
        if description is not None:
            values["description"] = check_description(description)
        with translated_errors(self._engine), self._writing() as connection:
            if values:
                connection.execute(
                    update(COLLECTIONS_TABLE).where(_COLLECTIONS.slug == slug).values(**values)
                )
            found = self._collections(connection, slug)
        if not found:
            raise unknown_collection(slug)
        return found[0]

    def add_collection_members(self, slug: str, repos: Sequence[RepoName]) -> Collection:
        slug = parse_slug(slug)
        keys = list(dict.fromkeys(repo.key for repo in repos))
        with translated_errors(self._engine), self._writing() as connection:
            collection_id = self._locked_collection_id(connection, slug)
            ids: dict[str, int] = {}
            if keys:
                rows = connection.execute(
                    select(_SUBJECTS.repo_key, _SUBJECTS.id).where(_SUBJECTS.repo_key.in_(keys))
                )
                ids = {row.repo_key: row.id for row in rows}
            untracked = next((repo for repo in repos if repo.key not in ids), None)
            if untracked is not None:
                raise InputError(
                    f"{untracked} is not tracked, so it cannot join a collection; track it "
                    f"with: ossgrowth track {untracked}"
                )
            present = set(
                connection.execute(
                    select(_MEMBERS.subject_id).where(_MEMBERS.collection_id == collection_id)
                ).scalars()
            )
            fresh = [
                {"collection_id": collection_id, "subject_id": ids[key]}
                for key in keys
                if ids[key] not in present
            ]
            if fresh:
                builder = (
                    postgresql.Insert
                    if self._engine.dialect.name == "postgresql"
                    else sqlite.Insert
                )
                connection.execute(
                    builder(COLLECTION_MEMBERS_TABLE).on_conflict_do_nothing(), fresh
                )
            return self._collections(connection, slug)[0]

    def remove_collection_members(self, slug: str, repos: Sequence[RepoName]) -> Collection:
        slug = parse_slug(slug)
        keys = list(dict.fromkeys(repo.key for repo in repos))
        with translated_errors(self._engine), self._writing() as connection:
            collection_id = self._locked_collection_id(connection, slug)
            if keys:
                subjects = select(_SUBJECTS.id).where(_SUBJECTS.repo_key.in_(keys))
                connection.execute(
                    delete(COLLECTION_MEMBERS_TABLE).where(
                        and_(
                            _MEMBERS.collection_id == collection_id,
                            _MEMBERS.subject_id.in_(subjects.scalar_subquery()),
                        )
                    )
                )
            return self._collections(connection, slug)[0]

    def delete_collection(self, slug: str) -> bool:
        slug = parse_slug(slug)
        with translated_errors(self._engine), self._writing() as connection:
            collection_id = connection.execute(
                select(_COLLECTIONS.id).where(_COLLECTIONS.slug == slug)
            ).scalar_one_or_none()
            if collection_id is None:
                return False
            connection.execute(
                delete(COLLECTION_MEMBERS_TABLE).where(_MEMBERS.collection_id == collection_id)
            )
            connection.execute(delete(COLLECTIONS_TABLE).where(_COLLECTIONS.id == collection_id))
            return True

    def _locked_collection_id(self, connection: Connection, slug: str) -> int:
        """The id of the collection ``slug``, its row locked for the transaction (PostgreSQL:
        a deletion at the same moment waits; SQLite's write transactions queue anyway)."""
        collection_id = connection.execute(
            select(_COLLECTIONS.id).where(_COLLECTIONS.slug == slug).with_for_update()
        ).scalar_one_or_none()
        if collection_id is None:
            raise unknown_collection(slug)
        return int(collection_id)

    def _collections(self, connection: Connection, slug: str | None) -> list[Collection]:
        """The collection ``slug`` (or every one, by slug) with its members by name."""
        query = select(COLLECTIONS_TABLE).order_by(_COLLECTIONS.slug)
        members = (
            select(_MEMBERS.collection_id, _SUBJECTS.owner, _SUBJECTS.name)
            .select_from(
                COLLECTION_MEMBERS_TABLE.join(SUBJECTS_TABLE, _SUBJECTS.id == _MEMBERS.subject_id)
            )
            .order_by(_SUBJECTS.repo_key)
        )
        if slug is not None:
            query = query.where(_COLLECTIONS.slug == slug)
            members = members.where(
                _MEMBERS.collection_id.in_(
                    select(_COLLECTIONS.id).where(_COLLECTIONS.slug == slug).scalar_subquery()
                )
            )
        rows = connection.execute(query).all()
        if not rows:
            return []
        held: defaultdict[int, list[RepoName]] = defaultdict(list)
        for member in connection.execute(members):
            held[member.collection_id].append(RepoName(member.owner, member.name))
        return [
            Collection(
                slug=row.slug,
                name=row.name,
                description=row.description,
                members=tuple(held[row.id]),
                created_at=from_epoch_seconds(row.created_at),
            )
            for row in rows
        ]
