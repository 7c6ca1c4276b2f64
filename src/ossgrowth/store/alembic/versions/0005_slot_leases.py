"""Leases on scheduled collection slots: a slot whose runner died is taken up by another.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schedule_slots") as table:
        table.add_column(sa.Column("lease_expires_ms", sa.BigInteger(), nullable=True))
        table.add_column(sa.Column("finished_at", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schedule_slots") as table:
        table.drop_column("finished_at")
        table.drop_column("lease_expires_ms")
