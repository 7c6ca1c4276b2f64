"""Initial schema: subjects, packages, the four family tables, runs, meta.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
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


def upgrade() -> None:
    op.create_table(
        "subjects",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("owner", sa.String(39), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("repo_key", sa.String(140), nullable=False),
        sa.Column("github_node_id", sa.String(100), nullable=True),
        sa.Column("added_at", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("repo_key"),
        sa.UniqueConstraint("github_node_id"),
    )
    op.create_table(
        "packages",
        sa.Column(
            "subject_id",
            sa.Integer(),
            sa.ForeignKey("subjects.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("ecosystem", sa.String(8), primary_key=True),
        sa.Column("name", sa.String(214), primary_key=True),
    )
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
        keys.append(sa.Column("observed_at", sa.BigInteger(), primary_key=True))
        op.create_table(
            table,
            *keys,
            *(sa.Column(name, kind, nullable=True) for name, kind in fields),
            sa.Column("provenance", sa.SmallInteger(), nullable=False),
            sa.Column("source", sa.String(64), nullable=False),
            sqlite_with_rowid=False,
        )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("job", sa.String(100), nullable=False),
        sa.Column("environment", sa.String(16), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requests_spent", sa.Integer(), nullable=False),
    )
    op.create_index("ix_runs_started_at", "runs", ["started_at"])
    op.create_table(
        "ossgrowth_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ossgrowth_meta")
    op.drop_index("ix_runs_started_at", table_name="runs")
    op.drop_table("runs")
    for table in reversed(tuple(_FAMILY_FIELDS)):
        op.drop_table(table)
    op.drop_table("packages")
    op.drop_table("subjects")
