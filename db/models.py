"""Typed SQLAlchemy 2.x models. Policy lives in `Base`: UTC-aware datetimes, JSON lists, names.

Every datetime column is a `UTCDateTime`: it refuses naive values, stores UTC (naive on SQLite,
`timestamptz` on PostgreSQL) and always returns tz-aware UTC, whichever backend is used.
The schema itself is created by the Alembic migrations in `db/migrations`, which a test keeps in
step with these classes.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

RUN_STATUSES = ("running", "ok", "partial", "failed", "interrupted", "skipped")   # skipped: all backing off
RUN_SOURCE_STATUSES = ("ok", "not_modified", "failed", "skipped")
COPY_REASONS = ("url", "guid", "content", "title")
ITEM_KINDS = ("article", "post", "comment")


class UTCDateTime(TypeDecorator[datetime]):
    """Tz-aware UTC in and out; naive UTC on SQLite, `timestamp with time zone` elsewhere."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(DateTime(timezone=False))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: aigcwatch stores tz-aware UTC only")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        str: String(),
        list[str]: JSON(),
        dict[str, Any]: JSON(),
    }


class Source(Base):
    """A configured feed (config fields synced from sources.toml) and its fetch state."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str]
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(20))
    topical: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    stale_days: Mapped[int] = mapped_column(Integer, default=14)
    # Conditional-GET and back-off state (ingest.types.FetchState).
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    # Health.
    last_fetched_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]
    last_new_item_at: Mapped[datetime | None]
    last_error_class: Mapped[str | None] = mapped_column(String(20))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    # Migration 0005: article pages fetched for full text; API pagination state (ingest.paging).
    full_text: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    cursor: Mapped[str | None] = mapped_column(Text)


class IngestRun(Base):
    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")   # RUN_STATUSES
    tagger_version: Mapped[str | None] = mapped_column(String(40))
    sources: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    duplicate: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0, server_default="0")   # migration 0007
    irrelevant: Mapped[int] = mapped_column(Integer, default=0)
    spam: Mapped[int] = mapped_column(Integer, default=0)
    invalid: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)


class RunSource(Base):
    """One source's outcome in one run (ingest.types.SourceResult)."""

    __tablename__ = "run_sources"
    __table_args__ = (UniqueConstraint("run_id", "source_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("ingest_runs.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))   # RUN_SOURCE_STATUSES
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    duplicate: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0, server_default="0")   # migration 0007
    irrelevant: Mapped[int] = mapped_column(Integer, default=0)
    spam: Mapped[int] = mapped_column(Integer, default=0)
    invalid: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)   # 0 or 1
    error_class: Mapped[str | None] = mapped_column(String(20))
    error_text: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    elapsed_ms: Mapped[int] = mapped_column(Integer, default=0)


# The tagger's evidence for the decisions stored on the item itself: Tags.evidence key -> Item
# column (lists of phrases or reasons; None: not recorded, i.e. untagged, or tagged before
# migration 0006 and not retagged since). Models and themes keep theirs in item_models and
# item_themes. db.store writes these columns and db.queries reads them through this one map.
DECISION_EVIDENCE = {"relevance": "relevance_evidence", "sentiment": "sentiment_evidence",
                     "spam": "spam_evidence"}

class Item(Base):
    """One stored story (the first copy seen) with its tags."""

    __tablename__ = "items"
    __table_args__ = (   # migration 0002: covering index for day counts over facets
        Index("ix_items_facets", "published_at", "lang", "sentiment", "spam", "relevant", "source_id"),
        Index("ix_items_source_published", "source_id", "published_at"),
        Index("ix_items_cluster_id", "cluster_id", sqlite_where=text("cluster_id IS NOT NULL"),
              postgresql_where=text("cluster_id IS NOT NULL")),   # members only (migration 0005)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    guid: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(10), index=True)
    published_at: Mapped[datetime] = mapped_column(index=True)
    date_is_fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    fetched_at: Mapped[datetime]
    author: Mapped[str | None] = mapped_column(Text)
    # Dedup keys (ingest.dedup): versioned hashes.
    url_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    guid_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    content_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    title_key: Mapped[str | None] = mapped_column(String(64), index=True)
    # Tags (ingest.types.Tags); None while tagging is off.
    relevant: Mapped[bool | None] = mapped_column(Boolean)
    spam: Mapped[bool] = mapped_column(Boolean, default=False)
    sentiment: Mapped[str | None] = mapped_column(String(10), index=True)
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    tagger_version: Mapped[str | None] = mapped_column(String(40))
    tagged_at: Mapped[datetime | None]
    # Migration 0006: the tagger's evidence for its relevance, tone and spam decisions (the
    # phrases or reasons it gives, as for models and themes in item_models / item_themes).
    # NULL: not recorded (untagged, or tagged before 0006 until `aigcwatch retag`); []: none given.
    relevance_evidence: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    sentiment_evidence: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    spam_evidence: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    first_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("ingest_runs.id", ondelete="SET NULL"))
    # Migration 0005 — social posts: kind (ITEM_KINDS), who, what it answers or shares, and the
    # engagement counts as last seen (None: the platform gives none).
    kind: Mapped[str] = mapped_column(String(10), default="article", server_default="article",
                                      index=True)
    author_handle: Mapped[str | None] = mapped_column(Text)
    parent_url: Mapped[str | None] = mapped_column(Text)
    shared_url: Mapped[str | None] = mapped_column(Text)
    points: Mapped[int | None] = mapped_column(Integer)
    num_comments: Mapped[int | None] = mapped_column(Integer)
    reposts: Mapped[int | None] = mapped_column(Integer)
    likes: Mapped[int | None] = mapped_column(Integer)
    views: Mapped[int | None] = mapped_column(Integer)
    engagement_at: Mapped[datetime | None]
    full_text: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Syndication clusters (db.clusters): a near-duplicate member points at its cluster's
    # canonical item; canonical and standalone items have NULL and carry the cluster's reach
    # (distinct sources, exact copies included) and first-seen time (earliest publication).
    cluster_id: Mapped[int | None] = mapped_column(Integer)   # partial index: __table_args__
    reach: Mapped[int | None] = mapped_column(Integer)
    first_seen_at: Mapped[datetime | None]
    # Migration 0014: the title or the text holds a full-width Latin letter or digit ("ＳＯＲＡ",
    # db.textfold.has_wide, written with them): SQLite's search looks for an ASCII term's
    # full-width forms in these stories only (LIKE finds the others).
    fullwidth: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ItemModel(Base):
    """A video model an item mentions, with the phrases that showed it."""

    __tablename__ = "item_models"
    __table_args__ = (Index("ix_item_models_model_item", "model", "item_id"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)


class ItemTheme(Base):
    __tablename__ = "item_themes"
    __table_args__ = (Index("ix_item_themes_theme_item", "theme", "item_id"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)


class ItemCopy(Base):
    """A syndicated copy (another source or another URL) recorded against the original item.

    `url_key` is '' when the copy had no URL, so the unique constraint holds on every backend
    (NULLs never collide in a SQL unique constraint).
    """

    __tablename__ = "item_copies"
    __table_args__ = (UniqueConstraint("item_id", "source_id", "url_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    url: Mapped[str | None] = mapped_column(Text)
    url_key: Mapped[str] = mapped_column(String(64), default="", index=True)
    guid_key: Mapped[str | None] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(10))   # COPY_REASONS
    seen_at: Mapped[datetime]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id", ondelete="SET NULL"))



# --- delivery (report/) and locks (db/locks.py): migration 0003 ---------------------------------

DELIVERY_STATUSES = ("sent", "failed")


class _Attempts:
    """A delivery log row's outcome: status, attempts, the last error, the subject, and when."""

    status: Mapped[str] = mapped_column(String(10))        # DELIVERY_STATUSES
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    first_attempt_at: Mapped[datetime]
    last_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Delivery(_Attempts, Base):
    """One digest sent (or tried) to one recipient on one channel: the log that stops a digest
    going out twice and makes the next run retry a failure. A focused digest (report.focus) is
    logged apart from the market-wide one (focus "") and from other focuses."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("digest_date", "period", "focus", "channel", "recipient"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest_date: Mapped[date] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(10))        # day | week
    focus: Mapped[str] = mapped_column(String(200), default="", server_default="")   # report.focus key
    channel: Mapped[str] = mapped_column(String(40))       # email | webhook kind
    recipient: Mapped[str] = mapped_column(String(320))    # address | webhook name


class AlertDelivery(_Attempts, Base):
    """One spike alert sent (or tried) to one recipient on one channel (`aigcwatch alerts`): a
    spike of a local day (its dim and key) goes to each target once per focus (report.focus key,
    "" market-wide) and escalation level (0 the first alert, then one per doubling of its count:
    report.alert_log.level_of); a failure is retried by the next runs that day and the next."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (UniqueConstraint("alert_date", "dim", "key", "focus", "channel", "recipient", "level",
                                       name="uq_alert_deliveries_target_level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_date: Mapped[date] = mapped_column(Date)        # the spike's local day
    dim: Mapped[str] = mapped_column(String(10))           # model | theme
    key: Mapped[str] = mapped_column(String(100))          # the model or theme id
    focus: Mapped[str] = mapped_column(String(200), default="", server_default="")   # report.focus key
    channel: Mapped[str] = mapped_column(String(40))       # email | webhook:<kind>
    recipient: Mapped[str] = mapped_column(String(320))    # address | webhook name
    count: Mapped[int] = mapped_column(Integer)            # the spike's stories when last tried
    level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")   # escalation level


class Lock(Base):
    """A named lock with a lease (SQLite; PostgreSQL uses advisory locks and records the holder here)."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


# --- read-side rollups (db/rollups.py): migration 0004 ----------------------------------------

class RollupDay(Base):
    """Stories per local day in one time zone, per facet combination: what the dashboard, digest
    and exports count from when the rollup is current (db/rollups.py keeps it so).

    dim/key: ''/'' counts stories; 'model'/<id> and 'theme'/<id> count stories per model or theme;
    'pair'/'<theme>|<model>' per theme and model together. Only story rows keep the source; model
    and theme rows keep its category (source_id ''); pair rows keep neither category nor tone
    ('*'). sentiment '' stands for untagged and relevant -1 for NULL (primary-key columns cannot
    be NULL)."""

    __tablename__ = "rollup_days"
    __table_args__ = {"sqlite_with_rowid": False}

    tz: Mapped[str] = mapped_column(String(64), primary_key=True)
    dim: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    lang: Mapped[str] = mapped_column(String(10), primary_key=True)
    sentiment: Mapped[str] = mapped_column(String(10), primary_key=True)
    spam: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    relevant: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class RollupState(Base):
    """A time zone whose rollup is built, up to which item id (ingest adds newer items to it)."""

    __tablename__ = "rollup_state"

    tz: Mapped[str] = mapped_column(String(64), primary_key=True)
    watermark: Mapped[int] = mapped_column(Integer)
    built_at: Mapped[datetime]


class ItemSignature(Base):
    """An item's MinHash signature over its text's shingles (ingest.cluster.Signature)."""

    __tablename__ = "item_signatures"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    minhash: Mapped[bytes] = mapped_column(LargeBinary)
    shingles: Mapped[int] = mapped_column(Integer)
    models: Mapped[str] = mapped_column(Text, default="")   # tagged video models, comma-joined
    # its opening key (when its text has one) is among its item_bands rows; false for items
    # indexed before opening keys existed, until `aigcwatch reindex` (db.openings) adds theirs
    opening_indexed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=false())
    # the item lists several stories (a briefing, a newsletter): the same story only with a copy
    # of the whole of it (ingest.cluster.several_stories, db.roundups; migration 0013)
    roundup: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ItemBand(Base):
    """The LSH index: one row per band of an item's signature. Items sharing a band are
    candidates for the same cluster; a new item is looked up here, never against all items."""

    __tablename__ = "item_bands"
    # SQLite: the rows live in the primary-key B-tree itself (one tree to update per band, not two)
    __table_args__ = {"sqlite_with_rowid": False}

    band: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)


class Page(Base):
    """An article page fetched for full text: fetched once, whatever the outcome, but for a
    passing failure (ingest.fulltext.retry_page), fetched again by later runs a few times."""

    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url_key: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime]
    http_status: Mapped[int | None] = mapped_column(Integer)
    error_class: Mapped[str | None] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    # Migration 0008: fetches made of this page (a passing failure is retried a few times).
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
