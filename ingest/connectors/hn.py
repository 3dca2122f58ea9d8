"""Hacker News through the public Algolia search API (`/api/v1/search_by_date?query=...&tags=...`).

Stories and comments both arrive as "hits", newest first, `page` numbered from 0 up to `nbPages`.
Each becomes a RawEntry whose link is the discussion on news.ycombinator.com; a story's outside
link is its shared link, a comment's parent is the item it answers. Pure functions.
"""
from __future__ import annotations

import html
from urllib.parse import urlsplit

from ingest.connectors.base import (Mark, Page, as_int, as_score, clean_str, data_list, load_json,
                                    param, unusable, with_params)
from ingest.types import Engagement, RawEntry

KIND = "hn"
DEFAULT_INTERVAL_S = 1.0       # Algolia allows far more; one request a second is polite
PAGE_SIZE = 50
ITEM_URL = "https://news.ycombinator.com/item?id={}"


def url_problem(url: str) -> str | None:
    path = urlsplit(url).path
    if not path.rstrip("/").endswith(("/search_by_date", "/search")):
        return "an hn source needs the Algolia search address (.../api/v1/search_by_date?query=...)"
    return None


def first_url(url: str) -> str:
    """The newest page: the configured query with a page size and no page number."""
    return with_params(url, page=None, hitsPerPage=param(url, "hitsPerPage") or PAGE_SIZE)


def resume_url(url: str, before: Mark) -> str:
    """Entries at or before `before`'s second (older ones continue an unfinished walk)."""
    base = first_url(url)
    given = param(base, "numericFilters")
    bound = f"created_at_i<={int(before.t)}"
    return with_params(base, numericFilters=f"{given},{bound}" if given else bound)


def _next(url: str, doc: dict) -> str | None:
    page, pages = as_int(doc.get("page")), as_int(doc.get("nbPages"))
    if page is None or pages is None or page + 1 >= pages:
        return None
    return with_params(url, page=page + 1)


def _entry(source_id: str, hit: dict) -> tuple[RawEntry, Mark] | None:
    oid = hit.get("objectID")
    when = hit.get("created_at_i")
    if not isinstance(oid, (str, int)) or isinstance(when, bool) or not isinstance(when, (int, float)):
        return None
    oid = str(oid)
    tags = hit.get("_tags") if isinstance(hit.get("_tags"), list) else []
    is_comment = "comment" in tags or (hit.get("comment_text") is not None and not hit.get("title"))
    author = clean_str(hit.get("author"))
    engagement = Engagement(points=as_score(hit.get("points")), comments=as_int(hit.get("num_comments")))
    if is_comment:
        text = clean_str(hit.get("comment_text"))
        story_title = clean_str(hit.get("story_title"))
        parent = hit.get("parent_id") or hit.get("story_id")
        entry = RawEntry(
            source_id=source_id, guid=oid,
            title=html.escape(f"Re: {story_title}", quote=False) if story_title else None,
            link=ITEM_URL.format(oid), summary=text, content=None, author=author,
            published=clean_str(hit.get("created_at")) or str(int(when)), updated=None,
            kind="comment", author_handle=author,
            parent_link=ITEM_URL.format(parent) if isinstance(parent, (int, str)) and parent else None,
            engagement=engagement, deleted=text is None or author is None)
    else:
        title = clean_str(hit.get("title"))
        entry = RawEntry(
            source_id=source_id, guid=oid,
            title=html.escape(title, quote=False) if title else None,
            link=ITEM_URL.format(oid), summary=clean_str(hit.get("story_text")), content=None,
            author=author, published=clean_str(hit.get("created_at")) or str(int(when)), updated=None,
            kind="post", author_handle=author, shared_link=clean_str(hit.get("url")),
            engagement=engagement, deleted=title is None or author is None)
    return entry, Mark(float(when), oid)


def parse_page(source_id: str, body: bytes, url: str, link: str | None = None) -> Page:
    doc = load_json(body, source_id)
    hits = data_list(doc, "hits", source_id, "an Algolia search result")
    entries, marks = [], []
    for hit in hits:
        entry, mark = (_entry(source_id, hit) if isinstance(hit, dict) else None) or unusable(source_id)
        entries.append(entry)
        marks.append(mark)
    deleted = sum(e.deleted for e in entries)
    return Page(tuple(entries), tuple(marks), _next(url, doc) if hits else None, deleted)
