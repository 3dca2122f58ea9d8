"""Read-side rollups: stories per local day per facet combination, per time zone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

- rollup_days: (tz, dim, day, key, category, source_id, lang, sentiment, spam, relevant) -> count; a
  clustered primary key (WITHOUT ROWID on SQLite) so a date range of one dim is one contiguous range
  scan. Story rows keep the source; model and theme rows keep only its category (source_id ''),
  theme-model rows neither category nor tone ('*'), which makes them several times smaller.
- rollup_state: the zones whose rollup is built and the last item id it includes.
Kept current by db/rollups.py (ingest adds new items; retag and any tag update invalidate).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KEY = ["tz", "dim", "day", "key", "category", "source_id", "lang", "sentiment", "spam", "relevant"]


def upgrade() -> None:
    op.create_table(
        "rollup_days",
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("dim", sa.String(8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("lang", sa.String(10), nullable=False),
        sa.Column("sentiment", sa.String(10), nullable=False),
        sa.Column("spam", sa.Boolean(), nullable=False),
        sa.Column("relevant", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, name="pk_rollup_days"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rollup_state",
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("watermark", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tz", name="pk_rollup_state"),
    )


def downgrade() -> None:
    op.drop_table("rollup_state")
    op.drop_table("rollup_days")
