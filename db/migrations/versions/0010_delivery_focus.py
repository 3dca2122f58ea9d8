"""Delivery log: focused digests apart from the market-wide one.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

- deliveries: focus (report.focus key: "model=kling; q=sora OR 可灵", "" for the market-wide
  digest), part of the unique key, so a recipient can get the day's market-wide digest and each
  focused one, each skipped or retried on its own. Existing rows get "". SQLite rebuilds the table
  (batch mode) to change the constraint; PostgreSQL alters it in place.
- Downgrade keeps the market-wide rows only (the old key cannot hold two focuses).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OLD = "uq_deliveries_digest_date_period_channel_recipient"
NEW = "uq_deliveries_digest_date_period_focus_channel_recipient"


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("focus", sa.String(200), nullable=False, server_default=""))
        batch.drop_constraint(OLD, type_="unique")
        batch.create_unique_constraint(NEW, ["digest_date", "period", "focus", "channel", "recipient"])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM deliveries WHERE focus <> ''"))
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint(NEW, type_="unique")
        batch.create_unique_constraint(OLD, ["digest_date", "period", "channel", "recipient"])
        batch.drop_column("focus")
