"""Spike alert log.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

- alert_deliveries: one row per (local day, spike dim, spike key, focus, channel, recipient) with
  its status, attempts, last error, the spike's count and the sent time: `aigcwatch alerts` sends
  each of today's spikes to each target once and retries a failure on its next run. A table of its
  own, not `deliveries`: its key has the spike's dim and key, and the digest's retry reads every
  failed `deliveries` row of its focus as a digest to send again.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_date", sa.Date(), nullable=False),
        sa.Column("dim", sa.String(10), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("focus", sa.String(200), nullable=False, server_default=""),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("first_attempt_at", UTC, nullable=False),
        sa.Column("last_attempt_at", UTC, nullable=False),
        sa.Column("sent_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alert_deliveries"),
        sa.UniqueConstraint("alert_date", "dim", "key", "focus", "channel", "recipient",
                            name="uq_alert_deliveries_target"),
    )


def downgrade() -> None:
    op.drop_table("alert_deliveries")
