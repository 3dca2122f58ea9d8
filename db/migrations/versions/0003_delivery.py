"""Delivery log and named locks (digest delivery, scheduler, ingest).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

- deliveries: one row per (digest date, period, channel, recipient) with its status, attempts,
  last error and sent time; a digest already sent is not sent again unless forced, a failed one is
  retried by the next run.
- locks: a named lock with an owner and a lease. SQLite takes it by inserting or taking over an
  expired row; PostgreSQL holds an advisory lock and only records the holder here.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _utc(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("digest_date", sa.Date(), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        _utc("first_attempt_at", nullable=False),
        _utc("last_attempt_at", nullable=False),
        _utc("sent_at"),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.UniqueConstraint("digest_date", "period", "channel", "recipient",
                            name="uq_deliveries_digest_date_period_channel_recipient"),
    )
    op.create_table(
        "locks",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        _utc("acquired_at", nullable=False),
        _utc("expires_at", nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_locks"),
    )


def downgrade() -> None:
    op.drop_table("locks")
    op.drop_table("deliveries")
