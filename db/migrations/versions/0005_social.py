"""Social posts, full text and syndication clusters.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

- items: kind (article | post | comment), author_handle, parent_url, shared_url, engagement
  counts (points, num_comments, reposts, likes, views) with engagement_at, full_text, and the
  cluster columns: cluster_id (the canonical item of a near-duplicate member; NULL for canonical
  and standalone items), reach (distinct sources of the cluster, exact copies included; on
  canonical and standalone items) and first_seen_at (earliest publication in the cluster).
- sources: full_text, cursor (API pagination state).
- item_signatures (MinHash per item), item_bands (the LSH index), pages (article pages fetched
  for full text, each once).

Existing items become standalone stories: kind from their source's category, reach = 1 + the
other sources of their recorded copies, first_seen_at = published_at.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COUNTS = ("points", "num_comments", "reposts", "likes", "views")


def _utc(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column("items", sa.Column("kind", sa.String(10), nullable=False,
                                     server_default="article"))
    for name in ("author_handle", "parent_url", "shared_url"):
        op.add_column("items", sa.Column(name, sa.Text(), nullable=True))
    for name in COUNTS:
        op.add_column("items", sa.Column(name, sa.Integer(), nullable=True))
    op.add_column("items", _utc("engagement_at"))
    op.add_column("items", sa.Column("full_text", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.add_column("items", sa.Column("cluster_id", sa.Integer(), nullable=True))
    op.add_column("items", sa.Column("reach", sa.Integer(), nullable=True))
    op.add_column("items", _utc("first_seen_at"))
    op.create_index("ix_items_kind", "items", ["kind"])
    # Partial: only members are indexed (the lookup of a cluster's members). A plain index would
    # also offer itself for "cluster_id IS NULL" (every story), and SQLite, without statistics,
    # then prefers it to the published_at index for the newest stories: 50x slower at 1M.
    op.create_index("ix_items_cluster_id", "items", ["cluster_id"],
                    sqlite_where=sa.text("cluster_id IS NOT NULL"),
                    postgresql_where=sa.text("cluster_id IS NOT NULL"))

    op.add_column("sources", sa.Column("full_text", sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    op.add_column("sources", sa.Column("cursor", sa.Text(), nullable=True))

    op.create_table(
        "item_signatures",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("minhash", sa.LargeBinary(), nullable=False),
        sa.Column("shingles", sa.Integer(), nullable=False),
        sa.Column("models", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE",
                                name="fk_item_signatures_item_id_items"),
        sa.PrimaryKeyConstraint("item_id", name="pk_item_signatures"),
    )
    op.create_table(
        "item_bands",
        sa.Column("band", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE",
                                name="fk_item_bands_item_id_items"),
        sa.PrimaryKeyConstraint("band", "item_id", name="pk_item_bands"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("url_key", sa.String(64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        _utc("fetched_at", nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error_class", sa.String(20), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_pages"),
        sa.UniqueConstraint("url_key", name="uq_pages_url_key"),
    )

    op.execute("UPDATE items SET kind = 'post' WHERE source_id IN "
               "(SELECT id FROM sources WHERE category = 'social')")
    op.execute("UPDATE items SET first_seen_at = published_at, reach = 1 + "
               "(SELECT COUNT(DISTINCT c.source_id) FROM item_copies c "
               "WHERE c.item_id = items.id AND c.source_id <> items.source_id)")


def downgrade() -> None:
    op.drop_table("pages")
    op.drop_table("item_bands")
    op.drop_table("item_signatures")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("cursor")
        batch.drop_column("full_text")
    op.drop_index("ix_items_cluster_id", table_name="items")
    op.drop_index("ix_items_kind", table_name="items")
    with op.batch_alter_table("items") as batch:
        for name in ("first_seen_at", "reach", "cluster_id", "full_text", "engagement_at",
                     *COUNTS, "shared_url", "parent_url", "author_handle", "kind"):
            batch.drop_column(name)
