"""Mastodon hashtag timelines of any instance (`/api/v1/timelines/tag/<tag>`).

The answer is a JSON array of statuses, newest first; the `Link` header's `rel="next"` address
holds the older page (`max_id`). A boost carries the original status, which is what is stored.
Pure functions.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from ingest.connectors.base import (ApiError, Mark, Page, as_int, clean_str, epoch_of,
                                    error_message, load_json, param, unusable, with_params)
from ingest.parse import FeedParseError
from ingest.types import Engagement, RawEntry

KIND = "mastodon"
DEFAULT_INTERVAL_S = 1.0       # instances allow 300 requests per 5 minutes per address
PAGE_SIZE = 40
_LINK_PART = re.compile(r'<([^>]*)>\s*;\s*rel="?([^";]+)"?')


def url_problem(url: str) -> str | None:
    if "/api/v1/timelines/tag/" not in urlsplit(url).path:
        return "a mastodon source needs a hashtag timeline address (.../api/v1/timelines/tag/<tag>)"
    return None


def first_url(url: str) -> str:
    return with_params(url, max_id=None, since_id=None, min_id=None,
                       limit=param(url, "limit") or PAGE_SIZE)


def resume_url(url: str, before: Mark) -> str:
    return with_params(first_url(url), max_id=before.id)


def link_next(header: str | None) -> str | None:
    """The rel="next" address of a Link header, or None."""
    for target, rel in _LINK_PART.findall(header or ""):
        if "next" in rel.split():
            return target
    return None


def _order_time(status_id: str, created: float) -> float:
    """Timelines are ordered by id; Mastodon ids carry their creation time in ms above 16 bits."""
    if status_id.isdigit() and len(status_id) >= 15:
        return (int(status_id) >> 16) / 1000.0
    return created


def _entry(source_id: str, status: dict, origin: str) -> tuple[RawEntry, Mark] | None:
    outer_id = clean_str(status.get("id"))
    inner = status.get("reblog") if isinstance(status.get("reblog"), dict) else status
    created = epoch_of(inner.get("created_at"))
    account = inner.get("account") if isinstance(inner.get("account"), dict) else {}
    if outer_id is None or created is None:
        return None
    acct = clean_str(account.get("acct"))
    handle = acct if acct is None or "@" in acct else f"{acct}@{urlsplit(origin).hostname}"
    name = clean_str(account.get("display_name")) or clean_str(account.get("username"))
    sid = clean_str(inner.get("id")) or outer_id
    parent_id = clean_str(inner.get("in_reply_to_id"))
    parent = None
    if parent_id:
        own = inner.get("in_reply_to_account_id") == account.get("id")
        profile = clean_str(account.get("url"))
        parent = f"{profile}/{parent_id}" if own and profile else f"{origin}/api/v1/statuses/{parent_id}"
    content = clean_str(inner.get("content"))
    warning = clean_str(inner.get("spoiler_text"))
    card = inner.get("card") if isinstance(inner.get("card"), dict) else {}
    entry = RawEntry(
        source_id=source_id, guid=clean_str(inner.get("uri")) or sid, title=None,
        link=clean_str(inner.get("url")) or clean_str(inner.get("uri")),
        summary=f"<p>{warning}</p>{content or ''}" if warning else content, content=None,
        author=name, published=clean_str(inner.get("created_at")), updated=None,
        kind="comment" if parent_id else "post", author_handle=handle, parent_link=parent,
        shared_link=clean_str(card.get("url")),
        engagement=Engagement(comments=as_int(inner.get("replies_count")),
                              reposts=as_int(inner.get("reblogs_count")),
                              likes=as_int(inner.get("favourites_count"))),
        deleted=content is None and not inner.get("media_attachments"))
    return entry, Mark(_order_time(outer_id, created), outer_id)


def parse_page(source_id: str, body: bytes, url: str, link: str | None = None) -> Page:
    doc = load_json(body, source_id)
    if not isinstance(doc, list):
        msg = error_message(doc, "id")
        if msg is not None:
            raise ApiError(msg, source_id)
        raise FeedParseError(f"not a Mastodon timeline: expected a JSON array, got "
                             f"{type(doc).__name__}", source_id)
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    entries, marks = [], []
    for status in doc:
        entry, mark = (_entry(source_id, status, origin) if isinstance(status, dict) else None) \
            or unusable(source_id)
        entries.append(entry)
        marks.append(mark)
    if not entries:
        next_url = None
    elif link is not None:
        next_url = link_next(link)
    else:
        last = next((m for m in reversed(marks) if m is not None), None)
        next_url = with_params(url, max_id=last.id) if last else None
    return Page(tuple(entries), tuple(marks), next_url, sum(e.deleted for e in entries))
