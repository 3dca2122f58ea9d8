"""Story index: which items' opening keys are in it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

- item_signatures: opening_indexed (true: the item's opening key, when its text has one, is among
  its item_bands rows). Items indexed before opening keys existed get false; `aigcwatch reindex`
  (db.openings.fill) adds their keys in chunks and sets it. The column is added with a constant
  default, which neither SQLite nor PostgreSQL (11+) rewrites the table for; no item is hashed here
  (a migration runs on every first connection, with no progress to show).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("item_signatures", sa.Column("opening_indexed", sa.Boolean(), nullable=False,
                                               server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("item_signatures") as batch:
        batch.drop_column("opening_indexed")
