"""Search: which stories hold full-width Latin letters or digits.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30

- items: fullwidth (true: the title or the text holds a full-width Latin letter or digit,
  "ＳＯＲＡ", "Ｋｌｉｎｇ２"; db.textfold.has_wide). A search for "sora" finds them (db.filters):
  SQLite's LIKE cannot, so it tries the full-width forms in these stories only. Set here for the
  stored items (one pass over the texts), by ingest and edits for new ones.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

WIDE_CLASS = "[０-９Ａ-Ｚａ-ｚ]"    # db.textfold.WIDE_CLASS, as it was for this migration


def upgrade() -> None:
    op.add_column("items", sa.Column("fullwidth", sa.Boolean(), nullable=False, server_default=sa.false()))
    if op.get_bind().dialect.name == "postgresql":
        held = f"title ~ '{WIDE_CLASS}' OR text ~ '{WIDE_CLASS}'"
    else:
        held = f"title GLOB '*{WIDE_CLASS}*' OR text GLOB '*{WIDE_CLASS}*'"
    op.execute(f"UPDATE items SET fullwidth = TRUE WHERE {held}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # not a batch copy of items: dropping the old table would cascade to every row that
        # refers to an item (signatures, bands, themes...) with foreign keys on
        op.execute("ALTER TABLE items DROP COLUMN fullwidth")
    else:
        op.drop_column("items", "fullwidth")
