"""Reddit listing JSON (`/r/<sub>/new.json`, `/search.json?q=...&sort=new`, `.../comments.json`).

A listing is `{"kind": "Listing", "data": {"after": ..., "children": [{"kind": "t3"|"t1",
"data": {...}}]}}`, newest first; `after` names the next (older) page. Posts (t3) and comments
(t1) become RawEntry objects linked to their permalink; deleted or removed ones are flagged.
Pure functions.
"""
from __future__ import annotations

import html
from urllib.parse import urlsplit

from ingest.connectors.base import (ApiError, Mark, Page, as_int, as_score, clean_str,
                                    error_message, load_json, param, unusable, with_params)
from ingest.parse import FeedParseError
from ingest.types import Engagement, RawEntry

KIND = "reddit"
DEFAULT_INTERVAL_S = 6.0       # unauthenticated clients get about ten requests a minute
PAGE_SIZE = 50
SITE = "https://www.reddit.com"
_GONE = ("[deleted]", "[removed]")


def url_problem(url: str) -> str | None:
    if not urlsplit(url).path.endswith(".json"):
        return "a reddit source needs a listing's JSON address (.../r/<sub>/new.json)"
    return None


def first_url(url: str) -> str:
    # raw_json=1: text fields arrive unescaped (no &amp;lt;)
    return with_params(url, after=None, before=None, count=None,
                       limit=param(url, "limit") or PAGE_SIZE, raw_json=1)


def resume_url(url: str, before: Mark) -> str:
    return with_params(first_url(url), after=before.id)


def _permalink(path: object) -> str | None:
    if not isinstance(path, str) or not path:
        return None
    return path if path.startswith(("http://", "https://")) else SITE + path


def _parent_link(d: dict, link: str | None) -> str | None:
    parent = clean_str(d.get("parent_id")) or ""
    kind, _, pid = parent.partition("_")
    if kind == "t3":
        return _permalink(d.get("link_permalink")) or f"{SITE}/comments/{pid}/"
    if kind == "t1" and link:
        # a comment's permalink is <post permalink><comment id>/; its parent's is the same shape
        head = link.rstrip("/").rsplit("/", 1)[0]
        return f"{head}/{pid}/"
    return None


def _entry(source_id: str, child: dict) -> tuple[RawEntry, Mark] | None:
    kind, d = child.get("kind"), child.get("data")
    if kind not in ("t3", "t1") or not isinstance(d, dict):
        return None
    name = clean_str(d.get("name")) or (f"{kind}_{d['id']}" if isinstance(d.get("id"), str) else None)
    created = d.get("created_utc")
    if name is None or isinstance(created, bool) or not isinstance(created, (int, float)):
        return None
    link = _permalink(d.get("permalink"))
    author = clean_str(d.get("author"))
    handle = None if author in _GONE else author
    published = str(int(created))
    if kind == "t1":
        body = clean_str(d.get("body"))
        title = clean_str(d.get("link_title"))
        entry = RawEntry(
            source_id=source_id, guid=name,
            title=html.escape(f"Re: {title}", quote=False) if title else None,
            link=link, summary=html.escape(body, quote=False) if body else None, content=None,
            author=handle, published=published, updated=None, kind="comment",
            author_handle=handle, parent_link=_parent_link(d, link),
            engagement=Engagement(points=as_score(d.get("score"))),
            deleted=body is None or body in _GONE)
    else:
        title = clean_str(d.get("title"))
        selftext = clean_str(d.get("selftext"))
        outside = clean_str(d.get("url"))
        shared = None if d.get("is_self") or not outside or outside == link else outside
        gone = (d.get("removed_by_category") is not None
                or (author in _GONE and (selftext in _GONE or not selftext)))
        entry = RawEntry(
            source_id=source_id, guid=name,
            title=html.escape(title, quote=False) if title else None, link=link,
            summary=None if selftext in _GONE or not selftext else html.escape(selftext, quote=False),
            content=None, author=handle, published=published, updated=None, kind="post",
            author_handle=handle, shared_link=shared,
            engagement=Engagement(points=as_score(d.get("score")),
                                  comments=as_int(d.get("num_comments")),
                                  views=as_int(d.get("view_count"))),
            deleted=gone or title is None)
    return entry, Mark(float(created), name)


def _listings(doc: object, source_id: str) -> list[dict]:
    """The listing(s) in a document: one, or several (a post with its comments)."""
    docs = doc if isinstance(doc, list) else [doc]
    out = []
    for d in docs:
        if isinstance(d, dict) and d.get("kind") == "Listing" and isinstance(d.get("data"), dict) \
                and isinstance(d["data"].get("children"), list):
            out.append(d["data"])
            continue
        msg = error_message(d, "data")
        if msg is not None:
            raise ApiError(msg, source_id)
        found = f"keys {sorted(d)[:6]}" if isinstance(d, dict) else type(d).__name__
        raise FeedParseError(f"not a Reddit listing (found {found})", source_id)
    return out


def parse_page(source_id: str, body: bytes, url: str, link: str | None = None) -> Page:
    listings = _listings(load_json(body, source_id), source_id)
    entries, marks = [], []
    for listing in listings:
        for child in listing["children"]:
            if isinstance(child, dict) and child.get("kind") == "more":
                continue            # "load more comments" stub, not a post
            entry, mark = (_entry(source_id, child) if isinstance(child, dict) else None) \
                or unusable(source_id)
            entries.append(entry)
            marks.append(mark)
    after = clean_str(listings[-1].get("after")) if listings else None
    next_url = with_params(url, after=after) if after and entries else None
    return Page(tuple(entries), tuple(marks), next_url, sum(e.deleted for e in entries))
