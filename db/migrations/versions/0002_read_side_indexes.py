"""Read-side indexes: the dashboard, digest and exports aggregate by day over facets.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

- items(published_at, lang, sentiment, spam, relevant, source_id): a covering index, so a count
  over a date range by language / tone / source never reads the table rows (SQLite and PostgreSQL).
- items(source_id, published_at): a source's newest story is one index seek (source health).
- item_models(model, item_id) and item_themes(theme, item_id): a model or theme filter finds its
  item ids in the index alone (SQLite's single-column index would need a row lookup per match).
"""
from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FACETS = ["published_at", "lang", "sentiment", "spam", "relevant", "source_id"]


def upgrade() -> None:
    op.create_index("ix_items_facets", "items", FACETS)
    op.create_index("ix_items_source_published", "items", ["source_id", "published_at"])
    op.create_index("ix_item_models_model_item", "item_models", ["model", "item_id"])
    op.create_index("ix_item_themes_theme_item", "item_themes", ["theme", "item_id"])


def downgrade() -> None:
    op.drop_index("ix_item_themes_theme_item", table_name="item_themes")
    op.drop_index("ix_item_models_model_item", table_name="item_models")
    op.drop_index("ix_items_source_published", table_name="items")
    op.drop_index("ix_items_facets", table_name="items")
