"""THE read side, shared by the CLI, the dashboard, the digest and the exports.

Every function takes a session and returns plain lists of dicts (datetimes tz-aware UTC, days as
`datetime.date`). Aggregates run in SQL and work on SQLite and PostgreSQL alike; Python only
post-processes aggregated rows. Stories are counted once: syndicated copies are `item_copies` rows,
never items. Filters are one `db.filters.ItemFilter` everywhere, so a chart, a digest and an
export given the same filter agree.

Trend analytics (counts by bucket, KPIs, spikes, the zh/en gap, rising terms) live in
`db.trends` and are re-exported here: callers import `db.queries` only.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timezone

from sqlalchemy import Text, case, cast, func, literal, select, tuple_
from sqlalchemy.orm import Session, aliased

from db import models as m
from db.buckets import as_date, bucket_expr
from db.filters import ItemFilter

# A count of stories as a user reads it in a table: the column of `export trends` and of every
# dashboard chart's CSV (the read side's own rows call it "count").
STORIES = "stories"
_RUN_COUNTS = ("fetched", "new", "updated", "duplicate", "irrelevant", "spam", "invalid", "failed")
_IN_CHUNK = 500


def _dicts(result) -> list[dict]:
    return [dict(row._mapping) for row in result]


def as_filter(flt: ItemFilter | None = None, **filters) -> ItemFilter:
    """`flt` with keyword filters laid over it (the keyword form is kept for old callers)."""
    base = flt or ItemFilter()
    return base.replace(**filters) if filters else base


# --- runs and sources -------------------------------------------------------------------------

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


def latest_deliveries(session: Session, n: int = 50) -> list[dict]:
    """The delivery log: the `n` most recently attempted deliveries of digests and spike alerts,
    newest first (one row per digest date, period, focus, channel and recipient, with its status,
    attempts and last error; focus "" is the market-wide digest). An alert's row has period
    "alert", its local day as `digest_date`, its spike as "model:kling" in `spike` and its
    escalation level in `level` (0 the first alert, n a follow-up: report.alert_log; both None for
    a digest)."""
    d, a = m.Delivery, m.AlertDelivery
    digests = _dicts(session.execute(
        select(d.digest_date, d.period, d.focus, d.channel, d.recipient, d.status, d.attempts,
               d.last_attempt_at, d.sent_at, d.error, d.subject)
        .order_by(d.last_attempt_at.desc(), d.id.desc()).limit(n)))
    alerts = _dicts(session.execute(
        select(a.alert_date.label("digest_date"), a.dim, a.key, a.level, a.focus, a.channel, a.recipient,
               a.status, a.attempts, a.last_attempt_at, a.sent_at, a.error, a.subject)
        .order_by(a.last_attempt_at.desc(), a.id.desc()).limit(n)))
    rows = [{**r, "spike": None, "level": None} for r in digests]
    rows += [{**{k: v for k, v in r.items() if k not in ("dim", "key")}, "period": "alert",
              "spike": f"{r['dim']}:{r['key']}"} for r in alerts]
    rows.sort(key=lambda r: r["last_attempt_at"], reverse=True)     # stable: each log's order kept
    return rows[:n]


def source_names(session: Session, ids: Iterable[str] | None = None) -> dict[str, str]:
    """Source id -> its name in the sources table (the id when the name is empty), of `ids` (every
    source when None); an id not in the table is left out."""
    stmt = select(m.Source.id, m.Source.name).order_by(m.Source.id)
    if ids is not None:
        stmt = stmt.where(m.Source.id.in_(list(ids)))
    return {sid: name or sid for sid, name in session.execute(stmt)}


def source_health(session: Session) -> list[dict]:
    """Every source with its fetch state, last error, item count and newest item time."""
    from db.trends import counts

    src, it = m.Source, m.Item
    newest = (select(func.max(it.published_at)).where(it.source_id == src.id)   # index seek
              .correlate(src).scalar_subquery())
    stmt = (select(src.id, src.name, src.kind, src.url, src.lang, src.category, src.enabled,
                   src.stale_days, src.consecutive_failures, src.next_attempt_at,
                   src.last_fetched_at, src.last_ok_at, src.last_new_item_at,
                   src.last_error_class, src.last_error, newest.label("last_published_at"))
            .order_by(src.id))
    rows = _dicts(session.execute(stmt))
    stored = {r["source"]: r["count"] for r in counts(
        session, ItemFilter(include_spam=True, include_irrelevant=True), by=("source",))}
    for row in rows:   # a max() over a subquery loses the column type: restore aware UTC
        row["last_published_at"] = _as_utc(row["last_published_at"])
        row["items"] = stored.get(row["id"], 0)
    return rows


def source_stats(session: Session, flt: ItemFilter | None = None, *, tz: str = "UTC",
                 last_runs: int = 30, now: datetime | None = None) -> list[dict]:
    """source_health() plus the filter's stories per source ("items_in_range", "items_per_day"
    over the window's local days up to today at `now`: days still to come hold no stories, and a
    window not begun has no rate), and over the `last_runs` most recent ingest runs: runs the source took part
    in, its not-modified rate, failure rate and latest status (health is about now, whatever the
    window of stories)."""
    flt = flt or ItemFilter()
    rows = source_health(session)
    from db.trends import counts

    in_range = {r["source"]: r["count"] for r in counts(session, flt, by=("source",))}
    rs, run = m.RunSource, m.IngestRun
    recent = session.scalars(select(run.id).order_by(run.id.desc()).limit(last_runs)).all()
    stmt = (select(rs.source_id, func.count().label("runs"),
                   func.sum(case((rs.status == "not_modified", 1), else_=0)).label("nm"),
                   func.sum(case((rs.status == "failed", 1), else_=0)).label("failed"),
                   func.max(rs.run_id).label("last_run"))
            .where(rs.status != "skipped", rs.run_id >= (min(recent) if recent else 0)))
    runs = {r.source_id: r for r in session.execute(stmt.group_by(rs.source_id))}
    last_ids = [r.last_run for r in runs.values()]
    last_status = {}
    for chunk in _chunks(last_ids):
        for sid, run_id, status in session.execute(
                select(rs.source_id, rs.run_id, rs.status).where(rs.run_id.in_(chunk))):
            if runs.get(sid) is not None and runs[sid].last_run == run_id:
                last_status[sid] = status
    days = _window_days(session, flt, tz, clock(flt, now))
    for row in rows:
        r = runs.get(row["id"])
        n = in_range.get(row["id"], 0)
        row["items_in_range"] = n
        row["items_per_day"] = round(n / days, 2) if days else None
        row["runs"] = r.runs if r else 0
        row["not_modified_rate"] = round((r.nm or 0) / r.runs, 3) if r and r.runs else None
        row["failure_rate"] = round((r.failed or 0) / r.runs, 3) if r and r.runs else None
        row["last_status"] = last_status.get(row["id"])
    return rows


def _window_days(session: Session, flt: ItemFilter, tz: str, now: datetime) -> int | None:
    """How many local calendar days (zone `tz`) of the filter's window (open ends: the data's)
    have begun at `now`: today counts, days to come do not; None when none has."""
    from db.buckets import local_day
    from db.trends import day_range

    span = day_range(session, flt, tz)
    if not span:
        return None
    first, last = span[0], min(span[1], local_day(now, tz))
    return (last - first).days + 1 if last >= first else None


# --- items ------------------------------------------------------------------------------------

def count_items(session: Session, flt: ItemFilter | None = None, **filters) -> int:
    """How many stories match the filter (or the keyword fields of `db.filters.ItemFilter`)."""
    stmt = as_filter(flt, **filters).apply(select(func.count()).select_from(m.Item))
    return session.scalar(stmt) or 0


def undated_stories(session: Session, flt: ItemFilter | None = None) -> int:
    """How many of the matching stories carry no date from their feed (dated when fetched: a
    feed's undated backlog all lands on the day it was first fetched)."""
    stmt = as_filter(flt).apply(select(func.count()).select_from(m.Item)).where(m.Item.date_is_fallback.is_(True))
    return session.scalar(stmt) or 0


ENGAGEMENT = ("points", "num_comments", "reposts", "likes", "views")
# the columns of the tagger's evidence for the item's own decisions (see db.models)
DECISION_EVIDENCE = tuple(m.DECISION_EVIDENCE.values())


def _item_columns():
    it, src = m.Item, m.Source
    return (it.id, it.source_id, src.name.label("source_name"), src.category, it.url, it.title,
            it.text, it.lang, it.published_at, it.date_is_fallback, it.author, it.relevant, it.spam,
            it.sentiment, it.sentiment_score, it.keywords, it.tagger_version, it.kind,
            it.author_handle, it.parent_url, it.shared_url, *(getattr(it, c) for c in ENGAGEMENT),
            it.engagement_at, it.full_text, it.cluster_id, it.reach, it.first_seen_at,
            *(getattr(it, c) for c in DECISION_EVIDENCE))


ORDERS = ("new", "reach", "engaged")


def _engagement():
    """A story's engagement as ranked: points + likes + reposts (a count the platform gives none of
    is 0)."""
    it = m.Item
    return func.coalesce(it.points, 0) + func.coalesce(it.likes, 0) + func.coalesce(it.reposts, 0)


def _order(order: str) -> tuple:
    """ORDER BY terms: `new` newest first; `reach` carried most widely (distinct outlets of the
    story's cluster, then most copies); `engaged` most engaged (points + likes + reposts, as the
    Sources page ranks posts); each then newest first."""
    it = m.Item
    newest = (it.published_at.desc(), it.id.desc())
    if order == "reach":
        n_copies = (select(func.count()).select_from(m.ItemCopy).where(m.ItemCopy.item_id == it.id)
                    .correlate(it).scalar_subquery())
        return (func.coalesce(it.reach, 1).desc(), n_copies.desc(), *newest)
    if order == "engaged":
        return (_engagement().desc(), *newest)
    if order == "new":
        return newest
    raise ValueError(f"unknown order {order!r} (one of {', '.join(ORDERS)})")


def items(session: Session, flt: ItemFilter | None = None, *, limit: int = 100, offset: int = 0,
          order: str = "new", **filters) -> list[dict]:
    """Matching stories in `order` (ORDERS: newest first by default), each with its source,
    models, themes and copy count."""
    flt = as_filter(flt, **filters)
    it = m.Item
    stmt = select(*_item_columns()).join(m.Source, m.Source.id == it.source_id)
    stmt = flt.apply(stmt).order_by(*_order(order)).limit(limit).offset(offset)
    return _with_tags(session, _dicts(session.execute(stmt)))


def iter_items(session: Session, flt: ItemFilter | None = None, *, batch: int = 2000) -> Iterator[dict]:
    """Every matching story, newest first, in batches of `batch` (keyset pages: bounded memory
    however many rows match)."""
    flt = flt or ItemFilter()
    it = m.Item
    last: tuple[datetime, int] | None = None
    while True:
        stmt = select(*_item_columns()).join(m.Source, m.Source.id == it.source_id)
        stmt = flt.apply(stmt)
        stmt = _newest_first_page(stmt, last, batch)
        rows = _with_tags(session, _dicts(session.execute(stmt)))
        yield from rows
        if len(rows) < batch:
            return
        last = (rows[-1]["published_at"], rows[-1]["id"])


def _newest_first_page(stmt, last: tuple[datetime, int] | None, batch: int):
    """The next keyset page of `stmt`, newest first, after the row (published_at, id) `last`: a row
    value, so SQLite and PostgreSQL seek the index to it."""
    it = m.Item
    if last is not None:
        stmt = stmt.where(tuple_(it.published_at, it.id) < tuple_(
            literal(last[0], it.published_at.type), literal(last[1], it.id.type)))
    return stmt.order_by(it.published_at.desc(), it.id.desc()).limit(batch)


def _with_tags(session: Session, rows: list[dict]) -> list[dict]:
    ids = [row["id"] for row in rows]
    models = _tags_by_item(session, m.ItemModel.model, m.ItemModel.item_id, ids)
    themes = _tags_by_item(session, m.ItemTheme.theme, m.ItemTheme.item_id, ids)
    copies = copy_counts(session, ids)
    for row in rows:
        row["models"] = models.get(row["id"], [])
        row["themes"] = themes.get(row["id"], [])
        row["copies"] = copies.get(row["id"], 0)
    return rows


def copy_counts(session: Session, ids: list[int]) -> dict[int, int]:
    """Copies per item id: exact copies recorded against it (item_copies) plus the near-duplicate
    members of its story cluster."""
    out: dict[int, int] = {}
    for chunk in _chunks(ids):
        stmt = (select(m.ItemCopy.item_id, func.count()).where(m.ItemCopy.item_id.in_(chunk))
                .group_by(m.ItemCopy.item_id))
        out.update({item_id: n for item_id, n in session.execute(stmt)})
        stmt = (select(m.Item.cluster_id, func.count()).where(m.Item.cluster_id.in_(chunk))
                .group_by(m.Item.cluster_id))
        for item_id, n in session.execute(stmt):
            out[item_id] = out.get(item_id, 0) + n
    return out


def item_detail(session: Session, item_id: int) -> dict | None:
    """One story with its models and themes (each with evidence), the evidence of its relevance,
    tone and spam decisions (`DECISION_EVIDENCE`), its copies and its source."""
    it = m.Item
    stmt = (select(*_item_columns(), m.Source.url.label("source_url"), it.fetched_at)
            .join(m.Source, m.Source.id == it.source_id).where(it.id == item_id))
    row = session.execute(stmt).first()
    if row is None:
        return None
    out = _with_tags(session, [dict(row._mapping)])[0]
    out["models"] = [{"model": k, "evidence": list(ev or [])} for k, ev in session.execute(
        select(m.ItemModel.model, m.ItemModel.evidence).where(m.ItemModel.item_id == item_id)
        .order_by(m.ItemModel.model))]
    out["themes"] = [{"theme": k, "evidence": list(ev or [])} for k, ev in session.execute(
        select(m.ItemTheme.theme, m.ItemTheme.evidence).where(m.ItemTheme.item_id == item_id)
        .order_by(m.ItemTheme.theme))]
    cp, it = m.ItemCopy, m.Item
    exact = _dicts(session.execute(
        select(cp.source_id, m.Source.name.label("source_name"), cp.url, cp.title, cp.reason,
               cp.seen_at).join(m.Source, m.Source.id == cp.source_id)
        .where(cp.item_id == item_id).order_by(cp.seen_at, cp.id)))
    near = _dicts(session.execute(   # the story cluster's other members (edited republications)
        select(it.source_id, m.Source.name.label("source_name"), it.url, it.title,
               it.published_at.label("seen_at"), it.id.label("item_id"))
        .join(m.Source, m.Source.id == it.source_id)
        .where(it.cluster_id == item_id).order_by(it.published_at, it.id)))
    for row in near:
        row["reason"] = "near-duplicate"
    out["copies"] = sorted(exact + near, key=lambda r: (r["seen_at"], r["source_id"]))
    return out


def evidence_for(session: Session, ids: list[int], dim: str, key: str) -> dict[int, list[str]]:
    """The evidence phrases of one model or theme for each of these item ids."""
    table, col = (m.ItemModel, m.ItemModel.model) if dim == "model" else (m.ItemTheme, m.ItemTheme.theme)
    out: dict[int, list[str]] = {}
    for chunk in _chunks(ids):
        for item_id, ev in session.execute(
                select(table.item_id, table.evidence).where(table.item_id.in_(chunk), col == key)):
            out[item_id] = list(ev or [])
    return out


def _tags_by_item(session: Session, tag_col, item_col, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for chunk in _chunks(ids):
        stmt = select(item_col, tag_col).where(item_col.in_(chunk)).order_by(item_col, tag_col)
        for item_id, tag in session.execute(stmt):
            out.setdefault(item_id, []).append(tag)
    return out


def _chunks(values: list) -> Iterator[list]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start:start + _IN_CHUNK]


# --- facets -----------------------------------------------------------------------------------

def facets(session: Session) -> dict:
    """What the filters can offer: sources, the models, themes and languages present, the first and
    last publication times, and the number of stored items."""
    sources = _dicts(session.execute(
        select(m.Source.id, m.Source.name, m.Source.lang, m.Source.category, m.Source.kind)
        .order_by(m.Source.id)))
    from db.trends import counts

    models = _distinct(session, m.ItemModel.model)
    themes = _distinct(session, m.ItemTheme.theme)
    langs = _distinct(session, m.Item.lang)
    first, last = _bounds(session)
    n = sum(r["count"] for r in counts(session, ItemFilter(include_spam=True, include_irrelevant=True)))
    return {"sources": sources, "models": models, "themes": themes, "langs": langs,
            "first": first, "last": last, "items": n}


def _distinct(session: Session, column) -> list[str]:
    """Distinct values of an indexed column by skip-scan: one index seek per value (a recursive
    query), where SELECT DISTINCT would read every index entry."""
    cte = select(func.min(column).label("v")).cte("vals", recursive=True)
    nxt = (select(func.min(column)).where(column > cte.c.v).scalar_subquery())
    cte = cte.union_all(select(nxt).where(cte.c.v.is_not(None)))
    return [v for v in session.scalars(select(cte.c.v).where(cte.c.v.is_not(None)).order_by(cte.c.v))]


def _bounds(session: Session, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """First and last publication time. Items whose date is a fallback (the feed gave none, so the
    fetch time stands in) are left out when others exist: they would stretch every default window
    to today. The last is the last up to `now` (default: the current time) when there is one: a
    story a feed dated ahead (tomorrow) would stretch every default window past today, to a day
    that holds nothing yet (a period not over counts until now)."""
    it = m.Item
    now = now or datetime.now(timezone.utc)

    def edge(order, dated: bool, upto: datetime | None = None):   # walks the published_at index
        stmt = select(it.published_at).order_by(order).limit(1)  # from one end: no full scan
        if upto is not None:
            stmt = stmt.where(it.published_at <= upto)
        return session.scalar(stmt.where(it.date_is_fallback.is_(False)) if dated else stmt)

    lo = edge(it.published_at.asc(), True)
    dated = lo is not None
    if not dated:
        lo = edge(it.published_at.asc(), False)
    hi = edge(it.published_at.desc(), dated, now) or edge(it.published_at.desc(), dated)
    return _as_utc(lo), _as_utc(hi)


# --- legacy day counts (UTC days) -------------------------------------------------------------

def daily_counts(session: Session, *, by: str, since: datetime | None = None,
                 until: datetime | None = None, **filters) -> list[dict]:
    """Items per UTC day and per value of `by`: [{"day": date, "key": str|None, "count": int}]."""
    from db.trends import counts

    if by not in ("lang", "model", "theme", "sentiment"):
        raise ValueError(f"daily_counts: cannot group by {by!r}")
    rows = counts(session, as_filter(None, since=since, until=until, **filters), by=(by,),
                  bucket="day", tz="UTC")
    return [{"day": r["bucket"], "key": r[by], "count": r["count"]} for r in rows]


def _as_date(value) -> date:
    return as_date(value)


def _as_utc(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):   # SQLite returns max() of a text column as text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def most_engaged_posts(session: Session, *, limit: int = 16) -> list[dict]:
    """Per source that reports engagement, its most engaged item (points + likes + reposts):
    {source_id, kind, author_handle, title, points, num_comments, reposts, likes}, by source id."""
    it = m.Item
    score = _engagement()
    sources = session.scalars(select(it.source_id).where(it.engagement_at.is_not(None))
                              .group_by(it.source_id).order_by(it.source_id).limit(limit)).all()
    out = []
    for src in sources:
        out += _dicts(session.execute(
            select(it.source_id, it.kind, it.author_handle, it.title, it.points, it.num_comments,
                   it.reposts, it.likes)
            .where(it.source_id == src, it.engagement_at.is_not(None))
            .order_by(score.desc(), it.id).limit(1)))
    return out


def widest_clusters(session: Session, *, limit: int = 8) -> list[dict]:
    """Stories carried by more than one outlet, widest reach first: {id, title, reach,
    first_seen_at, edited_copies} (edited copies: the near-duplicate members of its cluster)."""
    it = m.Item
    rows = _dicts(session.execute(
        select(it.id, it.title, it.reach, it.first_seen_at)
        .where(it.cluster_id.is_(None), it.reach > 1)
        .order_by(it.reach.desc(), it.first_seen_at).limit(limit)))
    members = {}
    for chunk in _chunks([r["id"] for r in rows]):
        members.update(session.execute(select(it.cluster_id, func.count()).where(it.cluster_id.in_(chunk))
                                       .group_by(it.cluster_id)).all())
    for r in rows:
        r["edited_copies"] = members.get(r["id"], 0)
    return rows


from db.buckets import partial_buckets  # noqa: E402,F401  re-exported: the one read side
from db.trends import (  # noqa: E402  re-exported: the one read side
    DIMENSIONS,
    clock,
    comparable_window,
    counts,
    elapsed,
    evidence_top,
    js_divergence,
    language_gap,
    period_kpis,
    rising_terms,
    rising_terms_by_lang,
    sentiment_index,
    so_far,
    spike_stories,
    spikes,
)
from db.tally import view_tally  # noqa: E402  re-exported: the one read side

__all__ = ["DIMENSIONS", "as_filter", "clock", "comparable_window", "copy_counts", "count_items", "counts", "daily_counts",
           "evidence_for", "evidence_top", "facets", "item_detail", "items", "iter_items", "most_engaged_posts", "widest_clusters",
           "elapsed", "js_divergence", "language_gap", "latest_runs", "period_kpis", "rising_terms",
           "rising_terms_by_lang",
           "run_summary", "sentiment_index", "so_far", "source_health", "source_names", "source_stats", "spike_stories",
           "spikes", "bucket_expr", "view_tally"]


# --- digest/export helpers (report/) ----------------------------------------------------------

def tagger_versions(session: Session, flt: ItemFilter | None = None) -> list[dict]:
    """The tagger versions of the matching stories: [{"version": str|None, "count": int}], most
    used first (None: stored untagged)."""
    flt = flt or ItemFilter()
    it = m.Item
    stmt = flt.apply(select(it.tagger_version.label("version"), func.count().label("count"))
                     .select_from(it)).group_by(it.tagger_version)
    rows = _dicts(session.execute(stmt))
    rows.sort(key=lambda r: (-r["count"], r["version"] or ""))
    return rows


def top_stories(session: Session, flt: ItemFilter | None = None, *, limit: int = 5) -> list[dict]:
    """The matching stories carried most widely (widest reach -- distinct outlets of the story's
    cluster -- then most copies, then newest): items() rows."""
    return items(session, flt, limit=limit, order="reach")


def outlet_counts(session: Session, ids: list[int]) -> dict[int, int]:
    """How many distinct sources carried each story: its cluster's reach when stored, else its own
    source plus those of its copies."""
    out: dict[int, int] = {}
    for chunk in _chunks(ids):
        out.update({i: r for i, r in session.execute(
            select(m.Item.id, m.Item.reach).where(m.Item.id.in_(chunk), m.Item.reach.is_not(None)))})
        chunk = [i for i in chunk if i not in out]
        if not chunk:
            continue
        pairs = (select(m.Item.id.label("item_id"), m.Item.source_id).where(m.Item.id.in_(chunk))
                 .union(select(m.ItemCopy.item_id, m.ItemCopy.source_id)
                        .where(m.ItemCopy.item_id.in_(chunk)))).subquery()
        stmt = select(pairs.c.item_id, func.count()).group_by(pairs.c.item_id)
        out.update({item_id: n for item_id, n in session.execute(stmt)})
    return out


def iter_export_items(session: Session, flt: ItemFilter | None = None, *, batch: int = 5000,
                      evidence: bool = False) -> Iterator[dict]:
    """`iter_items` rows as the items export writes them, for millions of stories: the same stories
    in the same order (newest first) with the same values, but without text, keywords and author,
    and with models, themes and the copy count aggregated in SQL in the page's own query (one
    query per page of `batch`, Core rows, no ORM); with `evidence`, the decision evidence last."""
    flt = flt or ItemFilter()
    it, src = m.Item, m.Source
    pg = session.get_bind().dialect.name == "postgresql"

    def joined(table, col):
        agg = func.string_agg(col, "|") if pg else func.group_concat(col, "|")
        return select(agg).where(table.item_id == it.id).correlate(it).scalar_subquery()

    member = aliased(m.Item)
    n_copies = (select(func.count()).select_from(m.ItemCopy).where(m.ItemCopy.item_id == it.id)
                .correlate(it).scalar_subquery()
                + select(func.count()).select_from(member).where(member.cluster_id == it.id)
                .correlate(it).scalar_subquery())
    cols = (it.id, it.published_at, it.source_id, src.name.label("source_name"), src.category, it.lang,
            it.title, it.url, joined(m.ItemModel, m.ItemModel.model).label("models"),
            joined(m.ItemTheme, m.ItemTheme.theme).label("themes"), it.sentiment, it.sentiment_score,
            it.spam, it.relevant, n_copies.label("copies"), it.reach, it.tagger_version, it.date_is_fallback,
            # as their JSON text, decoded a page at a time (_json_column): decoding each value on
            # its own cost a third more CPU for the whole export
            *(cast(getattr(it, c), Text).label(c) for c in (DECISION_EVIDENCE if evidence else ())))
    keys = [c.key if hasattr(c, "key") else c.name for c in cols]
    i_models, i_themes = keys.index("models"), keys.index("themes")
    i_evidence = [keys.index(c) for c in DECISION_EVIDENCE] if evidence else []
    conn = session.connection()
    last: tuple[datetime, int] | None = None
    while True:
        stmt = flt.apply(select(*cols).join(src, src.id == it.source_id))
        rows = conn.execute(_newest_first_page(stmt, last, batch)).all()
        decoded = [_json_column([r[i] for r in rows]) for i in i_evidence]
        for n, r in enumerate(rows):
            row = dict(zip(keys, r))
            mo, th = r[i_models], r[i_themes]
            row["models"] = sorted(mo.split("|")) if mo else []
            row["themes"] = sorted(th.split("|")) if th else []
            if decoded:
                for c, values in zip(DECISION_EVIDENCE, decoded):
                    row[c] = values[n]
            yield row
        if len(rows) < batch:
            return
        last = (rows[-1].published_at, rows[-1].id)


def _json_column(texts: list[str | None]) -> list:
    """JSON texts (None: SQL NULL) decoded in one parse: the values, None for NULL."""
    if not texts:
        return []
    return json.loads("[" + ",".join("null" if t is None else t for t in texts) + "]")
