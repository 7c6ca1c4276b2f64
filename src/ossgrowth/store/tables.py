"""The SQL schema, one SQLAlchemy Core table set shared by SQLite and PostgreSQL.

Family tables are built from the metric registry and keep the seed's names (``star_growth`` …).
Times are stored as integer epoch seconds (UTC), so no database ever guesses a time zone.
Each family table's primary key is (subject, [package,] observed_at): the idempotency key.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ossgrowth.metrics.registry import FAMILIES, FamilyDefinition, FieldKind
from ossgrowth.model import Family

__all__ = [
    "ALERT_DELIVERIES_TABLE",
    "ALERT_RULES_TABLE",
    "BACKFILL_JOBS_TABLE",
    "COLLECTIONS_TABLE",
    "COLLECTION_MEMBERS_TABLE",
    "BACKFILL_PAGES_TABLE",
    "FAMILY_TABLES",
    "META_TABLE",
    "PACKAGES_TABLE",
    "ROLLUP_TABLES",
    "RUNS_TABLE",
    "SCHEDULE_SLOTS_TABLE",
    "STARGAZER_DAYS_TABLE",
    "STARGAZER_READS_TABLE",
    "SUBJECTS_TABLE",
    "metadata",
]

metadata = MetaData()

SUBJECTS_TABLE = Table(
    "subjects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner", String(39), nullable=False),
    Column("name", String(100), nullable=False),
    Column("repo_key", String(140), nullable=False, unique=True),
    Column("github_node_id", String(100), nullable=True, unique=True),
    Column("added_at", BigInteger, nullable=False),
)

PACKAGES_TABLE = Table(
    "packages",
    metadata,
    Column(
        "subject_id",
        Integer,
        ForeignKey("subjects.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("ecosystem", String(8), primary_key=True),
    Column("name", String(214), primary_key=True),
)

RUNS_TABLE = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job", String(100), nullable=False),
    Column("environment", String(16), nullable=False),
    Column("started_at", BigInteger, nullable=False, index=True),
    Column("finished_at", BigInteger, nullable=True),
    Column("status", String(16), nullable=False),
    Column("counts", Text, nullable=False),
    Column("error", Text, nullable=True),
    Column("requests_spent", Integer, nullable=False),
)

SCHEDULE_SLOTS_TABLE = Table(
    "schedule_slots",
    metadata,
    Column("job", String(100), primary_key=True),
    Column("slot", BigInteger, primary_key=True),
    Column("owner", String(96), nullable=False),
    Column("claimed_at", BigInteger, nullable=False),
    Column("lease_expires_ms", BigInteger, nullable=True),
    Column("finished_at", BigInteger, nullable=True),
)
"""One row per scheduled collection slot taken (migration 0004): of servers and workers
sharing a store, the one whose insert lands runs the slot; its lease and end (migration 0005)
let another take up a slot whose runner died."""

META_TABLE = Table(
    "ossgrowth_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

BACKFILL_JOBS_TABLE = Table(
    "backfill_jobs",
    metadata,
    Column("subject_id", Integer, ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True),
    Column("family", String(16), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("since", BigInteger, nullable=True),
    Column("enqueued_at", BigInteger, nullable=False),
    Column("finished_at", BigInteger, nullable=True),
    Column("method", String(64), nullable=True),
    Column("message", Text, nullable=True),
    Column("lease_owner", String(96), nullable=True),
    Column("lease_expires_ms", BigInteger, nullable=True),
)
"""One row per (subject, family) backfill: the queue and its outcome (migration 0002); the
runner holding a job and until when (migration 0003)."""

BACKFILL_PAGES_TABLE = Table(
    "backfill_pages",
    metadata,
    Column("subject_id", Integer, ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True),
    Column("family", String(16), primary_key=True),
    Column("stream", String(120), primary_key=True),
    Column("page", Integer, primary_key=True),
    Column("next_cursor", Text, nullable=True),
    Column("payload", Text, nullable=False),
)
"""Checkpoints: each fetched page of a running backfill with the cursor after it."""


COLLECTIONS_TABLE = Table(
    "collections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)
"""Named groups of tracked repositories (migration 0008); ``slug`` is stored in lower case."""

COLLECTION_MEMBERS_TABLE = Table(
    "collection_members",
    metadata,
    Column(
        "collection_id",
        Integer,
        ForeignKey("collections.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("subject_id", Integer, ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True),
)
"""Which subjects each collection holds; a subject no longer tracked leaves its collections."""

ALERT_RULES_TABLE = Table(
    "alert_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("family", String(16), nullable=False),
    Column("field", String(64), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("scope_name", String(140), nullable=True),
    Column("channel", String(16), nullable=False),
    Column("target", Text, nullable=False),
    Column("params", Text, nullable=False),
    Column("secret", Text, nullable=True),
    Column("enabled", Boolean, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    sqlite_autoincrement=True,
)
"""Alert rules (migration 0008); ``params`` is a JSON object. Ids are never reused (SQLite's
AUTOINCREMENT; PostgreSQL's sequences never go back): a deleted rule's delivered history keeps
its id, and a new rule must not take it over, nor be blocked by its event keys."""

ALERT_DELIVERIES_TABLE = Table(
    "alert_deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("rule_id", Integer, nullable=False),
    Column("event_key", String(300), nullable=False),
    Column("repo", String(140), nullable=True),
    Column("family", String(16), nullable=False),
    Column("observed_at", BigInteger, nullable=False),
    Column("summary", Text, nullable=False),
    Column("details", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", BigInteger, nullable=True),
    Column("delivered_at", BigInteger, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("lease_owner", String(96), nullable=True),
    Column("lease_expires_ms", BigInteger, nullable=True),
    UniqueConstraint("rule_id", "event_key", name="uq_alert_deliveries_event"),
    Index("ix_alert_deliveries_due", "status", "next_attempt_at"),
    Index("ix_alert_deliveries_created", "created_at"),
)
"""The alert outbox and its history (migration 0008): one row per (rule, event), written in
the transaction of the points that raised it; the row's ``id`` is the delivery id."""


STARGAZER_DAYS_TABLE = Table(
    "stargazer_days",
    metadata,
    Column("subject_id", Integer, ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True),
    Column("day", BigInteger, primary_key=True),
    Column("listed", Integer, nullable=False),
    Column("new_accounts", Integer, nullable=False),
)
"""Per day with a listed star: stars listed and those from accounts made within 30 days
before (migration 0009); read by the unusual-growth flags."""


STARGAZER_READS_TABLE = Table(
    "stargazer_reads",
    metadata,
    Column("subject_id", Integer, ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True),
    Column("read_through", BigInteger, nullable=False),
    Column("stars_seen", Integer, nullable=True),
)
"""Per repository whose stargazer list is followed: the newest ``starredAt`` (epoch seconds)
its ``stargazer_days`` count, and the star count GitHub showed before the read that set it
(``NULL`` until a collection reads the list through; a collection whose count is the same
does not read the list) (migration 0010). A row exists from the star backfill that read the
list until GitHub hides the list from the token."""


def _series_columns(row: FamilyDefinition) -> list[Column[Any]]:
    """The key columns naming one series: its subject and, per package, its package."""
    columns: list[Column[Any]] = [
        Column(
            "subject_id",
            Integer,
            ForeignKey("subjects.id", ondelete="CASCADE"),
            primary_key=True,
        )
    ]
    if row.per_package:
        columns.append(Column("package", String(230), primary_key=True))
    return columns


def _value_columns(row: FamilyDefinition) -> list[Column[Any]]:
    """One nullable column per field: ratios as floats, counts as integers."""
    return [
        Column(field.name, Float if field.kind is FieldKind.RATIO else BigInteger, nullable=True)
        for field in row.fields
    ]


def _family_table(row: FamilyDefinition) -> Table:
    key_columns = _series_columns(row)
    key_columns.append(Column("observed_at", BigInteger, primary_key=True))
    value_columns = _value_columns(row)
    return Table(
        row.table,
        metadata,
        *key_columns,
        *value_columns,
        Column("provenance", SmallInteger, nullable=False),
        Column("source", String(64), nullable=False),
        sqlite_with_rowid=False,
    )


FAMILY_TABLES: Mapping[Family, Table] = MappingProxyType(
    {family: _family_table(row) for family, row in FAMILIES.items()}
)


def _rollup_table(row: FamilyDefinition) -> Table:
    key_columns = _series_columns(row)
    key_columns.extend(
        [
            Column("base", SmallInteger, primary_key=True),
            Column("depth", SmallInteger, primary_key=True),
            Column("observed_at", BigInteger, primary_key=True),
        ]
    )
    value_columns = _value_columns(row)
    return Table(
        f"{row.table}_rollup",
        metadata,
        *key_columns,
        *value_columns,
        Column("provenance", SmallInteger, nullable=True),
        Column("source", String(64), nullable=True),
        Column("roles", SmallInteger, nullable=False),
        sqlite_with_rowid=False,
    )


ROLLUP_TABLES: Mapping[Family, Table] = MappingProxyType(
    {family: _rollup_table(row) for family, row in FAMILIES.items()}
)
"""Rollups (migration 0006): per series, per interval ``base`` and ``depth``, the rows a
downsampled read keeps (see :mod:`ossgrowth.metrics.rollups`); a gap row has no provenance."""
