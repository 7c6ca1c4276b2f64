"""Backfill jobs and page checkpoints.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _subject() -> sa.Column[int]:
    return sa.Column(
        "subject_id",
        sa.Integer(),
        sa.ForeignKey("subjects.id", ondelete="CASCADE"),
        primary_key=True,
    )


def upgrade() -> None:
    op.create_table(
        "backfill_jobs",
        _subject(),
        sa.Column("family", sa.String(16), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("since", sa.BigInteger(), nullable=True),
        sa.Column("enqueued_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.Column("method", sa.String(64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
    )
    op.create_table(
        "backfill_pages",
        _subject(),
        sa.Column("family", sa.String(16), primary_key=True),
        sa.Column("stream", sa.String(120), primary_key=True),
        sa.Column("page", sa.Integer(), primary_key=True),
        sa.Column("next_cursor", sa.Text(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("backfill_pages")
    op.drop_table("backfill_jobs")
