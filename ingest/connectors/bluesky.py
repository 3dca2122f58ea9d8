"""Bluesky public post search (`/xrpc/app.bsky.feed.searchPosts?q=...`).

The answer is `{"posts": [postView, ...], "cursor": "..."}` with `sort=latest` newest first; the
cursor asks for the next (older) page. A post's web address is
`https://bsky.app/profile/<handle>/post/<rkey>`, built from its `at://` URI. Pure functions.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from ingest.connectors.base import (Mark, Page, as_int, clean_str, data_list, epoch_of, iso_utc,
                                    load_json, param, unusable, with_params)
from ingest.types import Engagement, RawEntry

KIND = "bluesky"
DEFAULT_INTERVAL_S = 1.0
PAGE_SIZE = 50
WEB = "https://bsky.app"
_GONE_TYPES = ("app.bsky.feed.defs#notFoundPost", "app.bsky.feed.defs#blockedPost")


def url_problem(url: str) -> str | None:
    if not urlsplit(url).path.endswith("app.bsky.feed.searchPosts"):
        return "a bluesky source needs the search address (.../xrpc/app.bsky.feed.searchPosts?q=...)"
    if not param(url, "q"):
        return "a bluesky search address needs a q= parameter"
    return None


def first_url(url: str) -> str:
    return with_params(url, cursor=None, sort=param(url, "sort") or "latest",
                       limit=param(url, "limit") or PAGE_SIZE)


def resume_url(url: str, before: Mark) -> str:
    # `until` is exclusive: a millisecond later keeps posts of the same instant
    return with_params(first_url(url), until=iso_utc(before.t + 0.001))


def web_url(uri: str | None, who: str | None) -> str | None:
    """at://<did>/app.bsky.feed.post/<rkey> -> https://bsky.app/profile/<who or did>/post/<rkey>."""
    if not uri or not uri.startswith("at://"):
        return None
    parts = uri[len("at://"):].split("/")
    if len(parts) != 3 or parts[1] != "app.bsky.feed.post" or not parts[2]:
        return None
    return f"{WEB}/profile/{who or parts[0]}/post/{parts[2]}"


def _shared(record: dict, view: dict) -> str | None:
    for embed in (record.get("embed"), view.get("embed")):
        if isinstance(embed, dict) and isinstance(embed.get("external"), dict):
            uri = clean_str(embed["external"].get("uri"))
            if uri:
                return uri
    return None


def _entry(source_id: str, view: dict) -> tuple[RawEntry, Mark] | None:
    uri = clean_str(view.get("uri"))
    record = view.get("record") if isinstance(view.get("record"), dict) else None
    author = view.get("author") if isinstance(view.get("author"), dict) else {}
    created = epoch_of(record.get("createdAt")) if record else None
    indexed = epoch_of(view.get("indexedAt"))
    if uri is None or (created is None and indexed is None):
        return None
    # sort=latest orders by the earlier of the two times (a backdated post sorts by its date)
    order = min(t for t in (created, indexed) if t is not None)
    handle = clean_str(author.get("handle"))
    text = clean_str(record.get("text")) if record else None
    reply = record.get("reply") if record and isinstance(record.get("reply"), dict) else {}
    parent = reply.get("parent") if isinstance(reply.get("parent"), dict) else {}
    gone = record is None or view.get("$type") in _GONE_TYPES
    entry = RawEntry(
        source_id=source_id, guid=uri, title=None, link=web_url(uri, handle),
        summary=_escape(text), content=None,
        author=clean_str(author.get("displayName")) or handle,
        published=(record or {}).get("createdAt") or view.get("indexedAt"), updated=None,
        kind="comment" if parent else "post", author_handle=handle,
        parent_link=web_url(clean_str(parent.get("uri")), None),
        shared_link=_shared(record or {}, view),
        engagement=Engagement(comments=as_int(view.get("replyCount")),
                              reposts=as_int(view.get("repostCount")),
                              likes=as_int(view.get("likeCount"))),
        deleted=gone or (text is None and _shared(record or {}, view) is None))
    return entry, Mark(order, uri)


def _escape(text: str | None) -> str | None:
    if text is None:
        return None
    # plain text: keep it verbatim through HTML-to-text, line breaks included
    return "<br>".join(t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                       for t in text.split("\n"))


def parse_page(source_id: str, body: bytes, url: str, link: str | None = None) -> Page:
    doc = load_json(body, source_id)
    posts = data_list(doc, "posts", source_id, "a searchPosts result")
    entries, marks = [], []
    for view in posts:
        entry, mark = (_entry(source_id, view) if isinstance(view, dict) else None) \
            or unusable(source_id)
        entries.append(entry)
        marks.append(mark)
    cursor = clean_str(doc.get("cursor"))
    next_url = with_params(url, cursor=cursor) if cursor and entries else None
    return Page(tuple(entries), tuple(marks), next_url, sum(e.deleted for e in entries))
