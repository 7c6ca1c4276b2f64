"""Rollups: per series, interval and depth, the rows a downsampled read keeps.

The tables start empty. When points exist already, a marker in ``ossgrowth_meta`` says their
rollups are still to be built: ``SqlStore.upgrade`` builds them after this migration, a series
per transaction, and reads use the points until it is done (``ossgrowth init`` resumes a build
that was stopped).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_FAMILY_FIELDS = {
    "star_growth": (("star_count", sa.BigInteger()),),
    "pr_velocity": (
        ("open_prs", sa.BigInteger()),
        ("merged_prs", sa.BigInteger()),
        ("ratio", sa.Float()),
    ),
    "issue_health": (
        ("open_issues", sa.BigInteger()),
        ("closed_issues", sa.BigInteger()),
        ("ratio", sa.Float()),
    ),
    "package_downloads": (
        ("weekly_downloads", sa.BigInteger()),
        ("total_downloads", sa.BigInteger()),
    ),
}
_PENDING_KEY = "rollups_pending"


def upgrade() -> None:
    for table, fields in _FAMILY_FIELDS.items():
        keys: list[sa.Column[Any]] = [
            sa.Column(
                "subject_id",
                sa.Integer(),
                sa.ForeignKey("subjects.id", ondelete="CASCADE"),
                primary_key=True,
            )
        ]
        if table == "package_downloads":
            keys.append(sa.Column("package", sa.String(230), primary_key=True))
        keys.extend(
            [
                sa.Column("base", sa.SmallInteger(), primary_key=True),
                sa.Column("depth", sa.SmallInteger(), primary_key=True),
                sa.Column("observed_at", sa.BigInteger(), primary_key=True),
            ]
        )
        op.create_table(
            f"{table}_rollup",
            *keys,
            *(sa.Column(name, kind, nullable=True) for name, kind in fields),
            sa.Column("provenance", sa.SmallInteger(), nullable=True),
            sa.Column("source", sa.String(64), nullable=True),
            sa.Column("roles", sa.SmallInteger(), nullable=False),
            sqlite_with_rowid=False,
        )
    connection = op.get_bind()
    holding = any(
        connection.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None
        for table in _FAMILY_FIELDS
    )
    if holding:
        meta = sa.table("ossgrowth_meta", sa.column("key"), sa.column("value"))
        op.execute(meta.insert().values(key=_PENDING_KEY, value=""))


def downgrade() -> None:
    op.execute(sa.text(f"DELETE FROM ossgrowth_meta WHERE key = '{_PENDING_KEY}'"))
    for table in reversed(list(_FAMILY_FIELDS)):
        op.drop_table(f"{table}_rollup")
