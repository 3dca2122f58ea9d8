"""Spike alert log: escalation levels.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

- alert_deliveries: level (0 the spike's first alert of the day; 1, 2, ... a follow-up each time
  its count doubled again: report.alert_log.level_of), part of the unique key, so a target gets
  one alert per level of a spike and never the same level twice. Existing rows get 0. SQLite
  rebuilds the table (batch mode) to change the constraint; PostgreSQL alters it in place.
- Downgrade keeps the first alerts only (level 0; the old key cannot hold two levels).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OLD = "uq_alert_deliveries_target"
NEW = "uq_alert_deliveries_target_level"
KEY = ["alert_date", "dim", "key", "focus", "channel", "recipient"]


def upgrade() -> None:
    with op.batch_alter_table("alert_deliveries") as batch:
        batch.add_column(sa.Column("level", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_constraint(OLD, type_="unique")
        batch.create_unique_constraint(NEW, [*KEY, "level"])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM alert_deliveries WHERE level <> 0"))
    with op.batch_alter_table("alert_deliveries") as batch:
        batch.drop_constraint(NEW, type_="unique")
        batch.create_unique_constraint(OLD, KEY)
        batch.drop_column("level")
