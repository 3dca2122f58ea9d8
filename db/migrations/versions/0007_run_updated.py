"""Run records count the items a source edited (db.edits).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

- ingest_runs, run_sources: updated (stored items their own source served again with another
  title or text, updated in place; not in `duplicate`). Runs recorded before this revision have 0.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("ingest_runs", "run_sources")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("updated", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("updated")
