"""Write-side helpers for social posts and full text: engagement refresh, fetched pages, and the
"is this item already stored?" lookup the full-text stage asks before fetching a page.

Every function takes a session; the caller owns it and commits.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from db import models as m
from ingest import types as t
from ingest.dedup import url_key
from ingest.fulltext import PageText

CHUNK = 500
ENGAGEMENT_COLUMNS = {"points": "points", "comments": "num_comments", "reposts": "reposts",
                      "likes": "likes", "views": "views"}


def _chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    values = sorted(set(values))
    for i in range(0, len(values), size):
        yield values[i:i + size]


def engagement_values(e: t.Engagement | None, now: datetime) -> dict:
    """Item columns for an engagement (all None and no time when there is none)."""
    if e is None or not e.any():
        return {col: None for col in ENGAGEMENT_COLUMNS.values()} | {"engagement_at": None}
    return {col: getattr(e, attr) for attr, col in ENGAGEMENT_COLUMNS.items()} | {"engagement_at": now}


def refresh_engagement(session: Session, updates: Sequence[tuple[int, t.Engagement]],
                       now: datetime) -> int:
    """Bring stored items' engagement up to the latest values seen (a count the platform no
    longer gives keeps its last value). Returns how many items were updated."""
    latest: dict[int, t.Engagement] = {}
    for item_id, e in updates:
        if e is not None and e.any():
            latest[item_id] = e
    if not latest:
        return 0
    table = m.Item.__table__
    values = {col: func.coalesce(bindparam(f"v_{col}"), table.c[col])
              for col in ENGAGEMENT_COLUMNS.values()}
    stmt = update(table).where(table.c.id == bindparam("item_id")) \
        .values(**values, engagement_at=bindparam("v_at"))
    rows = [{"item_id": item_id, "v_at": now,
             **{f"v_{col}": getattr(e, attr) for attr, col in ENGAGEMENT_COLUMNS.items()}}
            for item_id, e in sorted(latest.items())]
    session.execute(stmt, rows)
    return len(rows)


def known_keys(session: Session, url_keys: Iterable[str],
               guid_keys: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """The given URL and GUID keys that belong to a stored item or a recorded copy, each with
    its holder's URL key and title (to tell a GUID the source reused from the same entry)."""
    found: dict[str, tuple[str | None, str | None]] = {}
    it, cp = m.Item, m.ItemCopy
    for column, keys, holder in ((it.url_key, url_keys, it), (it.guid_key, guid_keys, it),
                                 (cp.url_key, url_keys, cp), (cp.guid_key, guid_keys, cp)):
        for chunk in _chunks(k for k in keys if k):
            for key, link, title in session.execute(
                    select(column, holder.url_key, holder.title).where(column.in_(chunk))):
                found.setdefault(key, (link or None, title))
    return found


def guid_texts(session: Session, guid_keys: Iterable[str]) -> dict[str, str | None]:
    """The stored text of the item each GUID key belongs to (a recorded copy's: its original's),
    the text db.store compares to tell a reused GUID from the same entry under a moved link."""
    found: dict[str, str | None] = {}
    it, cp = m.Item, m.ItemCopy
    for chunk in _chunks(k for k in guid_keys if k):
        for key, text in session.execute(select(it.guid_key, it.text).where(it.guid_key.in_(chunk))):
            found.setdefault(key, text)
        for key, text in session.execute(select(cp.guid_key, it.text).join(it, it.id == cp.item_id)
                                         .where(cp.guid_key.in_(chunk))):
            found.setdefault(key, text)
    return found


def kept_versions(session: Session, source_id: str,
                  url_keys: Iterable[str]) -> dict[str, tuple[str, str, bool]]:
    """The title, text and spam flag of the source's own stored items under the given URL keys:
    an entry served again with that title and text is a plain duplicate (nothing to tag)."""
    out: dict[str, tuple[str, str, bool]] = {}
    it = m.Item
    for chunk in _chunks(k for k in url_keys if k):
        rows = session.execute(select(it.url_key, it.title, it.text, it.spam)
                               .where(it.source_id == source_id, it.url_key.in_(chunk)))
        for key, title, text, spam in rows:
            out[key] = (title, text, bool(spam))
    return out


def fetched_pages(session: Session, urls: Iterable[str]) -> dict[str, PageText]:
    """Pages already fetched for full text, by URL (whatever their outcome)."""
    by_key = {url_key(u): u for u in urls if u}
    out: dict[str, PageText] = {}
    pg = m.Page
    for chunk in _chunks(by_key):
        rows = session.execute(select(pg.url_key, pg.text, pg.http_status, pg.error_class, pg.error,
                                      pg.attempts).where(pg.url_key.in_(chunk)))
        for key, text, status, cls, err, attempts in rows:
            url = by_key[key]
            out[url] = PageText(url, text, status, cls, err, attempts)
    return out


def record_pages(session: Session, pages: Iterable[PageText], now: datetime) -> int:
    """Remember fetched pages. A page recorded with fewer attempts than this fetch made (a
    retry of a passing failure, see ingest.fulltext.retry_page) takes the new outcome; one
    recorded otherwise is left alone. Returns how many rows were written."""
    todo = {url_key(p.url): p for p in pages if p.url}
    if not todo:
        return 0
    again: dict[str, PageText] = {}
    for chunk in _chunks(todo):
        for key, attempts in session.execute(select(m.Page.url_key, m.Page.attempts)
                                             .where(m.Page.url_key.in_(chunk))):
            page = todo.pop(key)
            if page.attempts > attempts:
                again[key] = page

    def values(p: PageText) -> dict:
        return {"fetched_at": now, "http_status": p.http_status, "error_class": p.error_class,
                "error": (p.error or "")[:500] or None, "text": p.text, "attempts": p.attempts}

    if todo:
        session.execute(insert(m.Page), [{"url_key": key, "url": p.url, **values(p)}
                                         for key, p in todo.items()])
    if again:
        table = m.Page.__table__
        cols = {c: bindparam(f"v_{c}") for c in values(next(iter(again.values())))}
        session.execute(update(table).where(table.c.url_key == bindparam("key")).values(**cols),
                        [{"key": key, **{f"v_{c}": v for c, v in values(p).items()}}
                         for key, p in again.items()])
    return len(todo) + len(again)
