"""Rollups of stories per local day and facet combination, so counts over a large archive read a
few thousand rollup rows instead of joining a million items.

Write side: `refresh(session, tz)` builds a zone's rollup, or adds the items stored since its
watermark (ingest calls it after each run); `invalidate(session)` drops every zone's rollup when
stored items change in place (retag, tag updates), and the next refresh rebuilds it.

Only stories are counted (items.cluster_id IS NULL: a near-duplicate member of a story cluster is
not a story); `db.clusters` takes a canonical item out with `adjust` when a newcomer replaces it.

Read side: `try_counts(...)` answers a `db.trends.counts` call from the rollup when the rollup is
current (its watermark is the newest item id) and the request fits it: no text search or keyword, a window on
local-midnight boundaries of that zone, at most one model and one theme filter unless the request
groups by that dimension, and no source filter or grouping where models or themes are involved
(their rows keep only the source's category). Anything else returns None and the caller counts the items
directly — the two paths give identical numbers (tests/test_rollups.py checks them against each
other).
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, String, and_, case, cast, delete, func, literal, select
from sqlalchemy.orm import Session

from db import models as m
from db.buckets import as_date, bucket_expr
from db.filters import ItemFilter

R = m.RollupDay
ITEM_FACETS = ("lang", "sentiment", "source", "category", "spam")
ALL = "*"   # theme-model rows: category and sentiment not kept
_KEY = ("tz", "dim", "day", "key", "category", "source_id", "lang", "sentiment", "spam", "relevant")


# --- write side --------------------------------------------------------------------------------

def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _selects(session: Session, tz: str, lo: int, hi: int, ids: list[int] | None = None,
             sign: int = 1):
    """INSERT-able SELECTs of rollup rows for items with lo < id <= hi (one per dim), or for the
    items `ids` within that range; counts multiplied by `sign`."""
    it = m.Item
    day = bucket_expr(session, "day", tz, None, None)
    facets = [it.lang, func.coalesce(it.sentiment, ""), it.spam,
              case((it.relevant.is_(None), -1), (it.relevant.is_(True), 1), else_=0)]
    rng = and_(it.id > lo, it.id <= hi, it.cluster_id.is_(None))   # stories only
    if ids is not None:
        rng = and_(rng, it.id.in_(ids))
    pair_key = m.ItemTheme.theme + literal("|", String) + m.ItemModel.model
    joins = {"": (), "model": ((m.ItemModel, m.ItemModel.item_id == it.id),),
             "theme": ((m.ItemTheme, m.ItemTheme.item_id == it.id),),
             "pair": ((m.ItemTheme, m.ItemTheme.item_id == it.id),
                      (m.ItemModel, m.ItemModel.item_id == it.id))}
    keys = {"": literal("", String), "model": m.ItemModel.model, "theme": m.ItemTheme.theme,
            "pair": pair_key}
    for dim, join in joins.items():
        source = it.source_id if dim == "" else literal("", String)
        category = literal(ALL, String) if dim == "pair" else m.Source.category
        sentiment = literal(ALL, String) if dim == "pair" else facets[1]
        cols = [literal(tz, String), literal(dim, String), day, keys[dim], category, source,
                facets[0], sentiment, *facets[2:]]
        stmt = select(*cols, func.count() * sign).select_from(it).join(m.Source, m.Source.id == it.source_id)
        for target in join:
            stmt = stmt.join(*target)
        constant = {id(source), id(category), id(sentiment)} - {id(it.source_id), id(m.Source.category),
                                                                id(facets[1])}
        yield stmt.where(rng).group_by(*(c for c in cols[2:] if id(c) not in constant))


def _upsert(session: Session, stmts) -> None:
    insert = _insert(session)
    for stmt in stmts:
        ins = insert(R).from_select(list(_KEY) + ["count"], stmt)
        ins = ins.on_conflict_do_update(index_elements=list(_KEY),
                                        set_={"count": R.count + ins.excluded.count})
        session.execute(ins)


def adjust(session: Session, item_ids: list[int], sign: int) -> None:
    """Take stored items out of (sign -1) or back into (+1) every built rollup, as they count
    now. Call with -1 before changing what an item counts as (its tags, whether it is a story)
    and +1 after; items newer than a zone's watermark are left to `refresh`."""
    for state in session.scalars(select(m.RollupState)):
        for start in range(0, len(item_ids), 500):
            _upsert(session, _selects(session, state.tz, 0, state.watermark,
                                      ids=item_ids[start:start + 500], sign=sign))
    session.execute(delete(R).where(R.count == 0))
    session.flush()


def refresh(session: Session, tz: str) -> int:
    """Build zone `tz`'s rollup, or add the items stored since its watermark. Returns how many
    items it took in. The caller commits."""
    ZoneInfo(tz)
    state = session.get(m.RollupState, tz)
    top = session.scalar(select(func.max(m.Item.id))) or 0
    lo = state.watermark if state else 0
    if state is None:
        session.execute(delete(R).where(R.tz == tz))
    added = session.scalar(select(func.count()).where(m.Item.id > lo, m.Item.id <= top)) or 0
    if added:
        _upsert(session, _selects(session, tz, lo, top))
    now = datetime.now(timezone.utc)
    if state is None:
        session.add(m.RollupState(tz=tz, watermark=top, built_at=now))
    else:
        state.watermark, state.built_at = top, now
    session.flush()
    return added


def invalidate(session: Session) -> list[str]:
    """Drop every zone's rollup (stored items changed in place). Returns the zones dropped, for
    the caller to rebuild."""
    zones = list(session.scalars(select(m.RollupState.tz)))
    if zones:
        session.execute(delete(m.RollupState))
        session.execute(delete(R))
    return zones


def zones(session: Session) -> list[str]:
    return list(session.scalars(select(m.RollupState.tz).order_by(m.RollupState.tz)))


# --- read side ---------------------------------------------------------------------------------

def is_current(session: Session, tz: str) -> bool:
    state = session.get(m.RollupState, tz)
    if state is None:
        return False
    return state.watermark == (session.scalar(select(func.max(m.Item.id))) or 0)


def _midnight(value: datetime | None, zone: ZoneInfo) -> bool:
    return value is None or value.astimezone(zone).time() == time(0, 0)


def _aligned(flt: ItemFilter, zone: ZoneInfo) -> bool:
    return _midnight(flt.since, zone) and _midnight(flt.until, zone)


def _plan(flt: ItemFilter, by: tuple[str, ...]) -> tuple[str, dict] | None:
    """Which rollup rows answer this request: (dim, {"model": keys, "theme": keys}) or None."""
    want_model, want_theme = "model" in by, "theme" in by
    if want_model and want_theme:
        return "pair", {"model": flt.model, "theme": flt.theme}
    if want_model:
        if len(flt.theme) > 1:
            return None
        return ("pair" if flt.theme else "model"), {"model": flt.model, "theme": flt.theme}
    if want_theme:
        if len(flt.model) > 1:
            return None
        return ("pair" if flt.model else "theme"), {"model": flt.model, "theme": flt.theme}
    if len(flt.model) > 1 or len(flt.theme) > 1:
        return None
    if flt.model and flt.theme:
        return "pair", {"model": flt.model, "theme": flt.theme}
    if flt.model:
        return "model", {"model": flt.model, "theme": ()}
    if flt.theme:
        return "theme", {"model": (), "theme": flt.theme}
    return "", {"model": (), "theme": ()}


def try_counts(session: Session, flt: ItemFilter, by: tuple[str, ...], bucket: str | None,
               tz: str) -> list[dict] | None:
    """`db.trends.counts` from the rollup of zone `tz`, or None when the rollup cannot answer."""
    if flt.q or flt.keyword or flt.include_copies or not set(by) <= set(ITEM_FACETS) | {"model", "theme"}:
        return None
    if bucket is None:   # no buckets: any built zone whose midnights bound the window will do
        for zone_name in [tz] + [z for z in zones(session) if z != tz]:
            if _aligned(flt, ZoneInfo(zone_name)):
                tz = zone_name
                break
    zone = ZoneInfo(tz)
    if not _aligned(flt, zone):
        return None
    plan = _plan(flt, by)
    if plan is None:
        return None
    dim, keys = plan
    if dim and (flt.source_id or "source" in by):   # only story rows keep the source
        return None
    if dim == "pair" and (flt.sentiment or flt.category or {"sentiment", "category"} & set(by)):
        return None   # theme-model rows keep neither tone nor category
    if not is_current(session, tz):
        return None
    where = [R.tz == tz, R.dim == dim]
    if flt.since is not None:
        where.append(R.day >= flt.since.astimezone(zone).date())
    if flt.until is not None:
        where.append(R.day < flt.until.astimezone(zone).date())
    if dim == "pair":
        theme_col = func.substr(R.key, 1, func.instr(R.key, "|") - 1)
        model_col = func.substr(R.key, func.instr(R.key, "|") + 1)
        if session.get_bind().dialect.name == "postgresql":
            theme_col = func.split_part(R.key, "|", 1)
            model_col = func.split_part(R.key, "|", 2)
    else:
        theme_col = model_col = R.key
    if keys["model"]:
        where.append(model_col.in_(keys["model"]))
    if keys["theme"]:
        where.append(theme_col.in_(keys["theme"]))
    if flt.lang:
        where.append(R.lang.in_(flt.lang))
    if flt.sentiment:
        where.append(R.sentiment.in_(flt.sentiment))
    if flt.source_id:
        where.append(R.source_id.in_(flt.source_id))
    if flt.category:
        where.append(R.category.in_(flt.category))
    if not flt.include_spam:
        where.append(R.spam.is_(False))
    if not flt.include_irrelevant:
        where.append(R.relevant != 0)
    cols = []
    if bucket:
        cols.append(_bucket_of_day(session, bucket).label("bucket"))
    for d in by:
        if d == "source":
            cols.append(R.source_id.label("source"))
        elif d == "category":
            cols.append(R.category.label("category"))
        elif d == "model":
            cols.append(model_col.label("model"))
        elif d == "theme":
            cols.append(theme_col.label("theme"))
        else:
            cols.append(getattr(R, d).label(d))
    stmt = select(*cols, cast(func.coalesce(func.sum(R.count), 0), Integer).label("count")).where(*where)
    names = [c.name for c in cols]
    if names:   # cells that adjust() brought to 0 are no stories: leave them out, as SQL does
        stmt = stmt.group_by(*names).having(func.sum(R.count) > 0).order_by(*names)
    result = session.connection().execute(stmt)   # Core rows: no ORM loading per row
    keys = list(result.keys())
    out = [dict(zip(keys, r)) for r in result]
    if bucket and out and not isinstance(out[0]["bucket"], date):
        for row in out:
            row["bucket"] = as_date(row["bucket"])
    if "sentiment" in keys:
        for row in out:
            if row["sentiment"] == "":
                row["sentiment"] = None
    return out


def _bucket_of_day(session: Session, bucket: str):
    if bucket == "day":
        return R.day
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc(bucket, R.day), Date)
    if bucket == "week":
        return func.date(R.day, "-6 days", "weekday 1")
    return func.date(R.day, "start of month")
