"""The tagger's evidence for relevance, sentiment and spam, stored with each item.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

- items: relevance_evidence, sentiment_evidence, spam_evidence (JSON lists of the phrases or
  reasons the tagger gave for that decision; models and themes keep theirs in item_models and
  item_themes). NULL means not recorded, [] that the tagger gave none.

Items stored before this revision keep NULL until `aigcwatch retag` tags them again and fills
the three lists; nothing else about them changes.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = ("relevance_evidence", "sentiment_evidence", "spam_evidence")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("items", sa.Column(name, sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
