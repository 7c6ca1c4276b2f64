"""Stargazer reads: the newest star counted in the stargazer days of each followed repository.

Written by the star backfill when it reads the stargazer list, moved on by each collection of
stars as it counts the newer stargazers (the counts and the mark in one transaction), with the
star count seen before that read (``stars_seen``: a collection that sees the same count does
not read the list). Starts empty: a repository whose days were kept before this revision is
followed once its star backfill runs again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stargazer_reads",
        sa.Column(
            "subject_id",
            sa.Integer(),
            sa.ForeignKey("subjects.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("read_through", sa.BigInteger(), nullable=False),
        sa.Column("stars_seen", sa.Integer(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("stargazer_reads")
