"""Story index: which items are roundups.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

- item_signatures: roundup (true: the item lists several stories, a daily briefing or a
  newsletter, and is the same story only with a copy of the whole of it: ingest.cluster,
  db.roundups). Existing items get false; `aigcwatch recluster` finds the roundups among them.
  A constant default: neither SQLite nor PostgreSQL (11+) rewrites the table for it.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("item_signatures", sa.Column("roundup", sa.Boolean(), nullable=False,
                                               server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("item_signatures") as batch:
        batch.drop_column("roundup")
