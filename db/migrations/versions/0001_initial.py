"""Initial schema: sources, ingest runs, items with tags, syndicated copies.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Hand-checked against db/models.py (tests/test_engine.py compares the migrated database with the
models on SQLite and PostgreSQL). Datetimes are `timestamp with time zone` on PostgreSQL; SQLite
has no such type and db.models.UTCDateTime stores naive UTC there.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _utc(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _counts(*names: str) -> list[sa.Column]:
    return [sa.Column(n, sa.Integer(), nullable=False) for n in names]


COUNTS = ("fetched", "new", "duplicate", "irrelevant", "spam", "invalid", "failed")


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(10), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("topical", sa.Boolean(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("stale_days", sa.Integer(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.String(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        _utc("next_attempt_at"),
        _utc("last_fetched_at"),
        _utc("last_ok_at"),
        _utc("last_new_item_at"),
        sa.Column("last_error_class", sa.String(20), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _utc("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
    )

    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _utc("started_at", nullable=False),
        _utc("finished_at"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("tagger_version", sa.String(40), nullable=True),
        *_counts("sources", *COUNTS),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_runs"),
    )

    op.create_table(
        "run_sources",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        *_counts(*COUNTS),
        sa.Column("error_class", sa.String(20), nullable=True),
        sa.Column("error_text", sa.Text(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("elapsed_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["ingest_runs.id"], ondelete="CASCADE",
                                name="fk_run_sources_run_id_ingest_runs"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE",
                                name="fk_run_sources_source_id_sources"),
        sa.PrimaryKeyConstraint("id", name="pk_run_sources"),
        sa.UniqueConstraint("run_id", "source_id", name="uq_run_sources_run_id_source_id"),
    )
    op.create_index("ix_run_sources_source_id", "run_sources", ["source_id"])

    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("guid", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(10), nullable=False),
        _utc("published_at", nullable=False),
        sa.Column("date_is_fallback", sa.Boolean(), nullable=False),
        _utc("fetched_at", nullable=False),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("url_key", sa.String(64), nullable=True),
        sa.Column("guid_key", sa.String(64), nullable=True),
        sa.Column("content_key", sa.String(64), nullable=True),
        sa.Column("title_key", sa.String(64), nullable=True),
        sa.Column("relevant", sa.Boolean(), nullable=True),
        sa.Column("spam", sa.Boolean(), nullable=False),
        sa.Column("sentiment", sa.String(10), nullable=True),
        sa.Column("sentiment_score", sa.Float(), nullable=True),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("tagger_version", sa.String(40), nullable=True),
        _utc("tagged_at"),
        sa.Column("first_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE",
                                name="fk_items_source_id_sources"),
        sa.ForeignKeyConstraint(["first_run_id"], ["ingest_runs.id"], ondelete="SET NULL",
                                name="fk_items_first_run_id_ingest_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_items"),
        sa.UniqueConstraint("url_key", name="uq_items_url_key"),
        sa.UniqueConstraint("guid_key", name="uq_items_guid_key"),
        sa.UniqueConstraint("content_key", name="uq_items_content_key"),
    )
    for column in ("source_id", "lang", "published_at", "title_key", "sentiment"):
        op.create_index(f"ix_items_{column}", "items", [column])

    for table, column in (("item_models", "model"), ("item_themes", "theme")):
        op.create_table(
            table,
            sa.Column("item_id", sa.Integer(), nullable=False),
            sa.Column(column, sa.String(40), nullable=False),
            sa.Column("evidence", sa.JSON(), nullable=False),
            sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE",
                                    name=f"fk_{table}_item_id_items"),
            sa.PrimaryKeyConstraint("item_id", column, name=f"pk_{table}"),
        )
        op.create_index(f"ix_{table}_{column}", table, [column])

    op.create_table(
        "item_copies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("url_key", sa.String(64), nullable=False),   # '' when the copy had no URL
        sa.Column("guid_key", sa.String(64), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(10), nullable=False),
        _utc("seen_at", nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE",
                                name="fk_item_copies_item_id_items"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE",
                                name="fk_item_copies_source_id_sources"),
        sa.ForeignKeyConstraint(["run_id"], ["ingest_runs.id"], ondelete="SET NULL",
                                name="fk_item_copies_run_id_ingest_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_item_copies"),
        sa.UniqueConstraint("item_id", "source_id", "url_key",
                            name="uq_item_copies_item_id_source_id_url_key"),
    )
    for column in ("source_id", "url_key", "guid_key"):
        op.create_index(f"ix_item_copies_{column}", "item_copies", [column])


def downgrade() -> None:
    for table in ("item_copies", "item_themes", "item_models", "items", "run_sources",
                  "ingest_runs", "sources"):
        op.drop_table(table)
