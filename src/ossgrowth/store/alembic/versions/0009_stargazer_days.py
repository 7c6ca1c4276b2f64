"""Stargazer days: how many of each day's stargazers had accounts created within 30 days.

Filled by the star backfill when the stargazer list is readable (collaborator repositories),
read by the unusual-growth flags. Starts empty: a repository backfilled again fills it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stargazer_days",
        sa.Column(
            "subject_id",
            sa.Integer(),
            sa.ForeignKey("subjects.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("day", sa.BigInteger(), primary_key=True),
        sa.Column("listed", sa.Integer(), nullable=False),
        sa.Column("new_accounts", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("stargazer_days")
