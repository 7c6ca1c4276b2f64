"""Reach: forks and watchers, the fifth family, with its rollups.

Both tables start empty: the family is collected from this revision on (and its forks are
reconstructed by a backfill), so there are no rollups to build.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_FIELDS = (("forks", sa.BigInteger()), ("watchers", sa.BigInteger()))


def _subject() -> sa.Column[Any]:
    return sa.Column(
        "subject_id",
        sa.Integer(),
        sa.ForeignKey("subjects.id", ondelete="CASCADE"),
        primary_key=True,
    )


def upgrade() -> None:
    op.create_table(
        "reach",
        _subject(),
        sa.Column("observed_at", sa.BigInteger(), primary_key=True),
        *(sa.Column(name, kind, nullable=True) for name, kind in _FIELDS),
        sa.Column("provenance", sa.SmallInteger(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "reach_rollup",
        _subject(),
        sa.Column("base", sa.SmallInteger(), primary_key=True),
        sa.Column("depth", sa.SmallInteger(), primary_key=True),
        sa.Column("observed_at", sa.BigInteger(), primary_key=True),
        *(sa.Column(name, kind, nullable=True) for name, kind in _FIELDS),
        sa.Column("provenance", sa.SmallInteger(), nullable=True),
        sa.Column("source", sa.String(64), nullable=True),
        sa.Column("roles", sa.SmallInteger(), nullable=False),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("reach_rollup")
    op.drop_table("reach")
