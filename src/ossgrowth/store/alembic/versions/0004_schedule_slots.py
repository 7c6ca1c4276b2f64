"""Scheduled collection slots, so that one runner of many takes each.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedule_slots",
        sa.Column("job", sa.String(100), primary_key=True),
        sa.Column("slot", sa.BigInteger(), primary_key=True),
        sa.Column("owner", sa.String(96), nullable=False),
        sa.Column("claimed_at", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("schedule_slots")
