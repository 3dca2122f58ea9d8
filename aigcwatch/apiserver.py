"""A loopback server speaking the shapes of the four social APIs aigcwatch reads, over posts held
in memory (demo and tests). Written from the public API documentation; nothing is copied.

    api = SocialApi(posts)
    with serve_social(api) as base:
        base + "/hn/api/v1/search_by_date?query=sora&tags=story"
        base + "/reddit/r/aivideo/new.json"           # and /comments.json
        base + "/mastodon/api/v1/timelines/tag/aivideo"
        base + "/bsky/xrpc/app.bsky.feed.searchPosts?q=ai+video"

Each answers newest first and paginates the way the real API does: Algolia `page`/`nbPages`
(and `numericFilters=created_at_i<=T`), Reddit `after`, Mastodon `max_id` with a `Link` header,
Bluesky `cursor` (and `until`). Posts may be added or their counts changed between requests;
`fail_next` scripts one error answer (a 429 with Retry-After, say). Every request is logged.
"""
from __future__ import annotations

import hashlib
import html
import json
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, quote, urlsplit

from aigcwatch.localserver import serve_handler


@dataclass
class ApiPost:
    """One post or comment on one platform (counts may change between requests)."""

    platform: str                  # hn | reddit | mastodon | bluesky
    id: str                        # the platform's id (HN digits, Reddit base36, ...)
    created: datetime              # UTC
    author: str                    # handle
    text: str                      # plain text
    title: str | None = None       # HN stories, Reddit posts
    display: str | None = None     # display name
    link: str | None = None        # the outside page the post shares
    parent: str | None = None      # id of the post or comment answered
    story: str | None = None       # HN story / Reddit post a comment belongs to
    story_title: str | None = None
    community: str = ""            # subreddit or hashtag
    lang: str = "en"
    points: int | None = None
    comments: int | None = None
    reposts: int | None = None
    likes: int | None = None
    deleted: bool = False

    @property
    def epoch(self) -> int:
        return int(self.created.timestamp())

    @property
    def iso(self) -> str:
        return self.created.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _paras(text: str) -> str:
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in text.split("\n") if p.strip())


def hn_hit(p: ApiPost) -> dict:
    comment = p.parent is not None
    return {
        "objectID": p.id, "created_at": p.iso, "created_at_i": p.epoch,
        "author": None if p.deleted else p.author,
        "title": None if comment else p.title, "url": None if comment else p.link,
        "story_text": None if comment or p.link else (_paras(p.text) or None),
        "comment_text": (None if p.deleted else _paras(p.text)) if comment else None,
        "points": None if comment else p.points, "num_comments": None if comment else p.comments,
        "story_id": int(p.story) if comment and p.story else None,
        "story_title": p.story_title if comment else None,
        "parent_id": int(p.parent) if comment else None,
        "_tags": ["comment" if comment else "story", f"author_{p.author}",
                  f"story_{p.story if comment else p.id}"],
    }


def reddit_child(p: ApiPost) -> dict:
    slug = "_".join((p.story_title or p.title or "post").lower().split()[:6])
    if p.parent is None:
        permalink = f"/r/{p.community}/comments/{p.id}/{quote(slug)}/"
        return {"kind": "t3", "data": {
            "id": p.id, "name": f"t3_{p.id}", "subreddit": p.community, "title": p.title,
            "selftext": "[deleted]" if p.deleted else ("" if p.link else p.text),
            "author": "[deleted]" if p.deleted else p.author,
            "url": p.link or f"https://www.reddit.com{permalink}", "is_self": p.link is None,
            "permalink": permalink, "created_utc": float(p.epoch), "score": p.points,
            "num_comments": p.comments, "removed_by_category": None, "view_count": None}}
    post_link = f"/r/{p.community}/comments/{p.story}/{quote(slug)}/"
    parent_kind = "t3" if p.parent == p.story else "t1"
    return {"kind": "t1", "data": {
        "id": p.id, "name": f"t1_{p.id}", "subreddit": p.community,
        "body": "[deleted]" if p.deleted else p.text, "author": "[deleted]" if p.deleted else p.author,
        "link_id": f"t3_{p.story}", "parent_id": f"{parent_kind}_{p.parent}",
        "link_title": p.story_title, "link_permalink": f"https://www.reddit.com{post_link}",
        "permalink": f"{post_link}{p.id}/", "created_utc": float(p.epoch), "score": p.points}}


def mastodon_status(p: ApiPost, origin: str) -> dict:
    account = {"id": str(zlib.crc32(p.author.encode())), "username": p.author.split("@")[0],
               "acct": p.author, "display_name": p.display or p.author,
               "url": f"{origin}/@{p.author}"}
    return {
        "id": p.id, "created_at": p.iso, "in_reply_to_id": p.parent,
        "in_reply_to_account_id": account["id"] if p.parent else None, "sensitive": False,
        "spoiler_text": "", "visibility": "public", "language": p.lang,
        "uri": f"{origin}/users/{account['username']}/statuses/{p.id}",
        "url": f"{origin}/@{p.author}/{p.id}", "replies_count": p.comments or 0,
        "reblogs_count": p.reposts or 0, "favourites_count": p.likes or 0,
        "content": "" if p.deleted else _paras(p.text), "reblog": None, "account": account,
        "media_attachments": [], "tags": [{"name": p.community}],
        "card": {"url": p.link, "title": p.story_title or "", "type": "link"} if p.link else None,
    }


def bsky_did(handle: str) -> str:
    return "did:plc:" + hashlib.blake2b(handle.encode(), digest_size=12).hexdigest()


def bsky_post(p: ApiPost) -> dict:
    did = bsky_did(p.author)
    record: dict = {"$type": "app.bsky.feed.post", "text": p.text, "createdAt": p.iso,
                    "langs": [p.lang]}
    if p.parent:
        ref = {"uri": f"at://{did}/app.bsky.feed.post/{p.parent}", "cid": f"bafy{p.parent}"}
        record["reply"] = {"root": ref, "parent": ref}
    if p.link:
        record["embed"] = {"$type": "app.bsky.embed.external",
                           "external": {"uri": p.link, "title": p.story_title or "", "description": ""}}
    return {"uri": f"at://{did}/app.bsky.feed.post/{p.id}", "cid": f"bafy{p.id}",
            "author": {"did": did, "handle": p.author, "displayName": p.display or ""},
            "record": record, "replyCount": p.comments or 0, "repostCount": p.reposts or 0,
            "likeCount": p.likes or 0, "quoteCount": 0, "indexedAt": p.iso}


@dataclass
class _Failure:
    prefix: str
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass
class SocialApi:
    posts: list[ApiPost] = field(default_factory=list)
    page_size: int | None = None            # overrides the client's limit (tests: tiny pages)
    log: list[str] = field(default_factory=list)
    _failures: list[_Failure] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, prefix: str, status: int, body: str | bytes = b"",
                  headers: dict[str, str] | None = None) -> None:
        """The next request whose path starts with `prefix` gets this answer instead."""
        data = body.encode() if isinstance(body, str) else body
        with self._lock:
            self._failures.append(_Failure(prefix, status, data, dict(headers or {})))

    def requests(self, prefix: str = "/") -> list[str]:
        with self._lock:
            return [r for r in self.log if r.startswith(prefix)]

    def _take_failure(self, path: str) -> _Failure | None:
        with self._lock:
            for f in self._failures:
                if path.startswith(f.prefix):
                    self._failures.remove(f)
                    return f
        return None

    def _select(self, platform: str, *, comments: bool | None = None,
                community: str | None = None) -> list[ApiPost]:
        with self._lock:
            out = [p for p in self.posts if p.platform == platform
                   and (comments is None or (p.parent is not None) == comments)
                   and (community is None or p.community.lower() == community.lower())]
        return sorted(out, key=lambda p: (p.created, p.id), reverse=True)

    def _limit(self, q: dict, default: int) -> int:
        if self.page_size:
            return self.page_size
        try:
            return max(1, min(100, int(q.get("limit", q.get("hitsPerPage", [default]))[0])))
        except ValueError:
            return default

    # -- one answer per API ------------------------------------------------------------------
    def answer(self, path: str, q: dict, origin: str) -> tuple[int, dict[str, str], object]:
        if path.startswith("/hn/api/v1/search"):
            return self._hn(q)
        if path.startswith("/reddit/r/") and path.endswith((".json",)):
            sub, _, what = path[len("/reddit/r/"):].partition("/")
            return self._reddit(sub, what == "comments.json", q)
        if path.startswith("/mastodon/api/v1/timelines/tag/"):
            return self._mastodon(path.rsplit("/", 1)[1], q, origin + "/mastodon")
        if path == "/bsky/xrpc/app.bsky.feed.searchPosts":
            return self._bluesky(q)
        return 404, {}, {"error": "NotFound", "message": f"no route for {path}"}

    def _hn(self, q: dict) -> tuple[int, dict, object]:
        tags = q.get("tags", [""])[0]
        posts = self._select("hn", comments={"story": False, "comment": True}.get(tags))
        for f in ",".join(q.get("numericFilters", [])).split(","):
            if f.startswith("created_at_i<="):
                posts = [p for p in posts if p.epoch <= int(f.split("<=")[1])]
        size, page = self._limit(q, 20), int(q.get("page", ["0"])[0])
        pages = (len(posts) + size - 1) // size
        hits = [hn_hit(p) for p in posts[page * size:(page + 1) * size]]
        return 200, {}, {"hits": hits, "nbHits": len(posts), "page": page, "nbPages": pages,
                         "hitsPerPage": size, "processingTimeMS": 1}

    def _reddit(self, sub: str, comments: bool, q: dict) -> tuple[int, dict, object]:
        posts = self._select("reddit", comments=comments, community=sub)
        after = q.get("after", [None])[0]
        if after:
            names = [f"{'t1' if p.parent else 't3'}_{p.id}" for p in posts]
            posts = posts[names.index(after) + 1:] if after in names else []
        size = self._limit(q, 25)
        page, more = posts[:size], len(posts) > size
        after_out = f"{'t1' if page[-1].parent else 't3'}_{page[-1].id}" if page and more else None
        return 200, {}, {"kind": "Listing", "data": {
            "after": after_out, "before": None, "dist": len(page),
            "children": [reddit_child(p) for p in page]}}

    def _mastodon(self, tag: str, q: dict, origin: str) -> tuple[int, dict, object]:
        posts = self._select("mastodon", community=tag)
        if q.get("max_id"):
            posts = [p for p in posts if int(p.id) < int(q["max_id"][0])]
        size = self._limit(q, 20)
        page = posts[:size]
        headers = {}
        if page:
            base = f"{origin}/api/v1/timelines/tag/{tag}?limit={size}"
            headers["Link"] = (f'<{base}&max_id={page[-1].id}>; rel="next", '
                               f'<{base}&min_id={page[0].id}>; rel="prev"')
        return 200, headers, [mastodon_status(p, origin) for p in page]

    def _bluesky(self, q: dict) -> tuple[int, dict, object]:
        if not q.get("q", [""])[0]:
            return 400, {}, {"error": "InvalidRequest", "message": "Error: Params must have the property \"q\""}
        posts = self._select("bluesky")
        if q.get("until"):
            until = datetime.fromisoformat(q["until"][0].replace("Z", "+00:00"))
            posts = [p for p in posts if p.created < until]
        start = int(q.get("cursor", ["0"])[0] or 0)
        size = self._limit(q, 25)
        page = posts[start:start + size]
        body: dict = {"posts": [bsky_post(p) for p in page], "hitsTotal": len(posts)}
        if start + size < len(posts):
            body["cursor"] = str(start + size)
        return 200, {}, body


def _handler(api: SocialApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            parts = urlsplit(self.path)
            with api._lock:
                api.log.append(self.path)
            failure = api._take_failure(parts.path)
            if failure is not None:
                self._send(failure.status, failure.body, failure.headers)
                return
            origin = f"http://{self.headers.get('Host', 'localhost')}"
            status, headers, doc = api.answer(parts.path, parse_qs(parts.query), origin)
            body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
            self._send(status, body, {"Content-Type": "application/json; charset=utf-8", **headers})

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def serve_social(api: SocialApi, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `api` on a free loopback port; yields the base URL (no trailing slash)."""
    with serve_handler(_handler(api), host=host) as base:
        yield base
