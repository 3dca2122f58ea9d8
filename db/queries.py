"""THE read side, shared by the CLI, the dashboard, the digest and the exports.

Every function takes a session and returns plain lists of dicts (datetimes tz-aware UTC, days as
`datetime.date`). Aggregates run in SQL and work on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Literal

from sqlalchemy import Date, Select, cast, func, select
from sqlalchemy.orm import Session

from db import models as m
from db.filters import ItemFilter

_RUN_COUNTS = ("fetched", "new", "duplicate", "irrelevant", "spam", "invalid", "failed")


def _dicts(result) -> list[dict]:
    return [dict(row._mapping) for row in result]


def run_summary(session: Session, run_id: int) -> list[dict]:
    """Per source outcome of one run, by source id."""
    rs, src = m.RunSource, m.Source
    stmt = (select(rs.source_id, src.name, rs.status, *(getattr(rs, c) for c in _RUN_COUNTS),
                   rs.error_class, rs.error_text, rs.http_status, rs.elapsed_ms)
            .join(src, src.id == rs.source_id)
            .where(rs.run_id == run_id)
            .order_by(rs.source_id))
    return _dicts(session.execute(stmt))


def latest_runs(session: Session, n: int = 10) -> list[dict]:
    """The `n` most recent runs, newest first, with their totals."""
    run = m.IngestRun
    stmt = (select(run.id, run.started_at, run.finished_at, run.status, run.tagger_version,
                   run.sources, *(getattr(run, c) for c in _RUN_COUNTS))
            .order_by(run.id.desc()).limit(n))
    return _dicts(session.execute(stmt))


def source_health(session: Session) -> list[dict]:
    """Every source with its fetch state, last error, item count and newest item time."""
    src, it = m.Source, m.Item
    per_source = (select(it.source_id, func.count().label("n_items"),
                         func.max(it.published_at).label("last_published_at"))
                  .group_by(it.source_id).subquery())
    stmt = (select(src.id, src.name, src.kind, src.lang, src.category, src.enabled,
                   src.stale_days, src.consecutive_failures, src.next_attempt_at,
                   src.last_fetched_at, src.last_ok_at, src.last_new_item_at,
                   src.last_error_class, src.last_error,
                   func.coalesce(per_source.c.n_items, 0).label("items"),
                   per_source.c.last_published_at)
            .outerjoin(per_source, per_source.c.source_id == src.id)
            .order_by(src.id))
    rows = _dicts(session.execute(stmt))
    for row in rows:   # a max() over a subquery loses the column type: restore aware UTC
        row["last_published_at"] = _as_utc(row["last_published_at"])
    return rows


def count_items(session: Session, **filters) -> int:
    """How many items match the filters (the fields of `db.filters.ItemFilter`)."""
    stmt = ItemFilter(**filters).apply(select(func.count()).select_from(m.Item))
    return session.scalar(stmt) or 0


def items(session: Session, *, since: datetime | None = None, until: datetime | None = None,
          lang: str | None = None, model: str | None = None, theme: str | None = None,
          sentiment: str | None = None, include_spam: bool = False, limit: int = 100,
          **more_filters) -> list[dict]:
    """Matching items, newest first, each with its source name, models and themes."""
    flt = ItemFilter(since=since, until=until, lang=lang, model=model, theme=theme,
                     sentiment=sentiment, include_spam=include_spam, **more_filters)
    it, src = m.Item, m.Source
    stmt = (select(it.id, it.source_id, src.name.label("source_name"), it.url, it.title, it.text,
                   it.lang, it.published_at, it.date_is_fallback, it.author, it.relevant, it.spam,
                   it.sentiment, it.sentiment_score, it.keywords, it.tagger_version)
            .join(src, src.id == it.source_id))
    stmt = flt.apply(stmt).order_by(it.published_at.desc(), it.id.desc()).limit(limit)
    rows = _dicts(session.execute(stmt))
    ids = [row["id"] for row in rows]
    models = _tags_by_item(session, m.ItemModel.model, m.ItemModel.item_id, ids)
    themes = _tags_by_item(session, m.ItemTheme.theme, m.ItemTheme.item_id, ids)
    for row in rows:
        row["models"] = models.get(row["id"], [])
        row["themes"] = themes.get(row["id"], [])
    return rows


def _tags_by_item(session: Session, tag_col, item_col, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for start in range(0, len(ids), 500):
        stmt = (select(item_col, tag_col).where(item_col.in_(ids[start:start + 500]))
                .order_by(item_col, tag_col))
        for item_id, tag in session.execute(stmt):
            out.setdefault(item_id, []).append(tag)
    return out


def _utc_day(session: Session):
    """published_at's UTC calendar day as an SQL expression, per dialect."""
    if session.get_bind().dialect.name == "postgresql":
        # timezone('UTC', timestamptz) -> the UTC wall time, whatever the session TimeZone is.
        return cast(func.timezone("UTC", m.Item.published_at), Date)
    return func.date(m.Item.published_at)   # SQLite stores naive UTC text


def daily_counts(session: Session, *, by: Literal["lang", "model", "theme", "sentiment"],
                 since: datetime | None = None, until: datetime | None = None,
                 **filters) -> list[dict]:
    """Items per UTC day and per value of `by`: [{"day": date, "key": str|None, "count": int}]."""
    day = _utc_day(session).label("day")
    stmt: Select
    if by == "lang" or by == "sentiment":
        key = getattr(m.Item, by)
        stmt = select(day, key.label("key"), func.count().label("count")).select_from(m.Item)
    elif by == "model":
        stmt = (select(day, m.ItemModel.model.label("key"), func.count().label("count"))
                .select_from(m.Item).join(m.ItemModel, m.ItemModel.item_id == m.Item.id))
    elif by == "theme":
        stmt = (select(day, m.ItemTheme.theme.label("key"), func.count().label("count"))
                .select_from(m.Item).join(m.ItemTheme, m.ItemTheme.item_id == m.Item.id))
    else:
        raise ValueError(f"daily_counts: cannot group by {by!r}")
    stmt = ItemFilter(since=since, until=until, **filters).apply(stmt)
    stmt = stmt.group_by(day, "key").order_by(day, "key")
    return [{"day": _as_date(r.day), "key": r.key, "count": r.count}
            for r in session.execute(stmt)]


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _as_utc(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):   # SQLite returns max() of a text column as text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
