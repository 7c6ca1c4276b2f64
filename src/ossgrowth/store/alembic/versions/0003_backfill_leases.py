"""Leases on backfill jobs, so that runners sharing a store never run one job twice at once.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("backfill_jobs") as table:
        table.add_column(sa.Column("lease_owner", sa.String(96), nullable=True))
        table.add_column(sa.Column("lease_expires_ms", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("backfill_jobs") as table:
        table.drop_column("lease_expires_ms")
        table.drop_column("lease_owner")
