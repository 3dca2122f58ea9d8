"""Article pages remember how many times they were fetched (a passing failure is retried).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

- pages: attempts (fetches made of the page; pages recorded before this revision count 1). A page
  whose fetch failed for a passing reason (network, 429, 5xx) is fetched again by later runs while
  its item is in the feed, up to ingest.collect.MAX_PAGE_ATTEMPTS fetches in all.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pages", sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("attempts")
