"""Frozen stage objects passed between ingest stages.

Source -> FetchResult -> RawEntry -> Item -> (Tags) -> ItemIntent

Stage functions take and return these, never ORM rows or loose dicts.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class FailureClass(str, enum.Enum):
    """Why a source failed, in terms a user can act on."""

    NETWORK = "network"            # DNS, connect, reset, timeout, TLS
    HTTP_STATUS = "http_status"    # 4xx/5xx other than the classes below
    BLOCKED = "blocked"            # anti-crawl: 403, 418, 432, 451, captcha pages
    RATE_LIMITED = "rate_limited"  # 429 (Retry-After honoured)
    TOO_LARGE = "too_large"        # body larger than the size cap
    DECODE = "decode"              # bytes could not be decoded to text
    PARSE = "parse"                # not a feed / malformed XML with no entries
    EMPTY = "empty"                # valid feed with no entries
    STALE = "stale"                # no new item for N days


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    name: str
    kind: str                  # rss (RSS/Atom) | hn | reddit | mastodon | bluesky (JSON APIs)
    url: str
    lang: str = "und"           # hint only: zh | en | und
    category: str = "news"      # news | social
    topical: bool = False       # True: every item is on topic, skip relevance filter
    timezone: str = "UTC"       # for naive times in this feed
    enabled: bool = True
    stale_days: int = 14        # no new item for this many days -> STALE warning
    full_text: bool = False     # fetch each new item's page and extract its main text
    max_pages: int = 3          # API kinds: pages read per run at most
    min_interval_s: float = 0.0  # seconds between two requests to this source's host


@dataclass(frozen=True, slots=True)
class Engagement:
    """Counts a platform shows for a post, as last seen (None: not given by this platform)."""

    points: int | None = None       # HN points, Reddit score
    comments: int | None = None     # replies / comments
    reposts: int | None = None      # boosts, reposts, quotes
    likes: int | None = None        # favourites, likes
    views: int | None = None

    def any(self) -> bool:
        return any(v is not None for v in (self.points, self.comments, self.reposts, self.likes,
                                            self.views))


@dataclass(frozen=True, slots=True)
class FetchState:
    """Conditional-GET and back-off state kept per source (stored in db.sources)."""

    etag: str | None = None
    last_modified: str | None = None
    consecutive_failures: int = 0
    next_attempt_at: datetime | None = None   # UTC; None = may fetch now
    cursor: str | None = None       # API kinds: pagination state (ingest.paging.Cursor as JSON)


@dataclass(frozen=True, slots=True)
class FetchResult:
    source_id: str
    url: str                        # URL requested
    final_url: str | None = None    # after redirects
    status: str = "ok"              # ok | not_modified | error
    http_status: int | None = None
    body: bytes | None = None       # decompressed body (gzip handled)
    content_type: str | None = None  # Content-Type header as sent
    etag: str | None = None
    last_modified: str | None = None
    error_class: FailureClass | None = None
    error: str | None = None        # one line, human readable
    retry_after_s: float | None = None
    elapsed_ms: int = 0
    fetched_at: datetime | None = None   # UTC
    link: str | None = None         # the Link header (API pagination)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One entry as the feed gave it (after decoding, before normalisation)."""

    source_id: str
    guid: str | None
    title: str | None               # may hold HTML / entities
    link: str | None                # as given, may be relative
    summary: str | None             # HTML or text
    content: str | None             # full HTML content if present
    author: str | None
    published: str | None           # raw date string as in the feed
    updated: str | None
    base_url: str | None = None     # feed/base URL for resolving relative links
    # Social posts (API kinds); feeds leave these unset.
    kind: str | None = None         # post | comment (None: decided from the source's category)
    author_handle: str | None = None
    parent_link: str | None = None  # a comment's parent post or comment
    shared_link: str | None = None  # the outside page a post links to
    engagement: Engagement | None = None
    deleted: bool = False           # the platform shows it as deleted or removed


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    source_id: str
    entries: tuple[RawEntry, ...]
    encoding: str | None            # encoding actually used to decode
    title: str | None = None
    link: str | None = None
    warnings: tuple[str, ...] = ()  # non-fatal problems (bozo, encoding override)


@dataclass(frozen=True, slots=True)
class Item:
    """A normalised entry: clean text, canonical URL, UTC time, language."""

    source_id: str
    guid: str | None
    url: str | None                 # canonical http(s) URL or None
    title: str
    text: str                       # clean plain text (original script kept)
    lang: str                       # zh | en | other
    published_at: datetime          # UTC, tz-aware
    date_is_fallback: bool          # True: no usable date in the feed; fetch time used
    fetched_at: datetime            # UTC
    author: str | None = None
    title_simplified: str = ""      # Traditional folded to Simplified (matching/dedup only)
    text_simplified: str = ""
    kind: str = "article"           # article | post | comment
    title_derived: bool = False     # no title given: the first sentence of the text stands in
    author_handle: str | None = None
    parent_url: str | None = None   # canonical URL of a comment's parent
    shared_url: str | None = None   # canonical URL of the page a post links to
    engagement: Engagement | None = None
    full_text: bool = False         # text was extracted from the item's page


@dataclass(frozen=True, slots=True)
class Evidence:
    tag: str                        # model id or theme id
    phrases: tuple[str, ...]        # words / sentence that triggered it


@dataclass(frozen=True, slots=True)
class Tags:
    relevant: bool
    models: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    sentiment: str = "neutral"      # positive | neutral | negative
    sentiment_score: float = 0.0    # [-1, 1]
    spam: bool = False
    keywords: tuple[str, ...] = ()
    evidence: dict[str, tuple[str, ...]] = field(default_factory=dict)
    version: str = ""


@dataclass(frozen=True, slots=True)
class DedupKeys:
    url_key: str | None             # versioned hash of canonical URL
    guid_key: str | None            # versioned hash of (source, guid)
    content_key: str | None         # versioned hash of normalised text (None if too short)
    title_key: str | None           # versioned hash of normalised title (None if too short)


@dataclass(frozen=True, slots=True)
class ItemIntent:
    """What the store will write for one entry."""

    item: Item
    keys: DedupKeys
    tags: Tags | None = None
    signature: object | None = None  # ingest.cluster.Signature for near-duplicate clustering


@dataclass(frozen=True, slots=True)
class SourceResult:
    """Outcome of one source in one run: counts, not-modified, or an error. Never an abort."""

    source_id: str
    status: str                     # ok | not_modified | failed | skipped
    fetched: int = 0                # entries in the feed
    new: int = 0
    duplicate: int = 0
    irrelevant: int = 0
    spam: int = 0
    invalid: int = 0                # entries without title or link
    error_class: FailureClass | None = None
    error: str | None = None
    http_status: int | None = None
    elapsed_ms: int = 0
    warnings: tuple[str, ...] = ()
    pages: int = 0                  # requests made for this source (API pages, article pages)
    refreshed: int = 0              # known posts whose engagement was brought up to date
    updated: int = 0                # stored items the source re-served edited (db.edits)
