"""RawEntry -> Item: clean text, canonical URL, UTC date, language. Pure functions.

Dates are parsed from the feed's raw strings, not from feedparser's ``*_parsed`` tuples: those
ignore the source's time zone, and Chinese feeds often give naive Beijing time. A naive time is
read in the source's zone (``Source.timezone``) and converted to UTC.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Literal
from urllib.parse import quote, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingest.lang import detect_lang, to_simplified
from ingest.textclean import clean_line, clean_title, first_sentence, html_to_text, without_controls
from ingest.types import Item, RawEntry, Source

__all__ = [
    "Rejected", "normalize_entry", "parse_date", "canonical_url",
    "TRACKING_PARAMS", "TRACKING_PREFIXES", "MAX_TEXT_CHARS",
]

MAX_TEXT_CHARS = 50_000          # longer article text is cut (keeps rows and tagging bounded)
LANG_SAMPLE_CHARS = 1_500        # the opening of the text is enough to tell its language
EARLIEST = datetime(1995, 1, 1, tzinfo=timezone.utc)
MAX_FUTURE = timedelta(days=2)   # a date further ahead of the fetch time is a feed bug


@dataclass(frozen=True, slots=True)
class Rejected:
    """An entry that cannot become an Item."""

    reason: Literal["no_title", "no_link", "bad_link", "deleted"]


# --- dates ------------------------------------------------------------------------------------

_CHINA_ZONES = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "Asia/Urumqi",
                          "PRC", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei"})
_EPOCH = re.compile(r"^\d{9,10}(?:\.\d+)?$|^\d{13}$")
_ZH_DATE = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*"
    r"(?:(?:上午|下午|晚上)?\s*(\d{1,2})\s*[:：时點点]\s*(\d{1,2})\s*分?"
    r"(?:\s*[:：]\s*(\d{1,2})\s*秒?)?)?"
)
_SLASH_DATE = re.compile(
    r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_HAS_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_RFC822_HINT = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s")
_CST = re.compile(r"\s(?:CST|CCT|BJT)$")


@lru_cache(maxsize=64)
def _zone(name: str):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def _to_utc(dt: datetime, tz: str) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=_zone(tz))
    return dt.astimezone(timezone.utc)


def _fast_parse(s: str, tz: str) -> datetime | None:
    if _EPOCH.match(s):
        seconds = float(s) / (1000 if len(s) == 13 else 1)
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    if s[0].isdigit() and s[:4].isdigit():
        iso = s[:-1] + "+00:00" if s.endswith(("Z", "z")) else s
        try:
            return datetime.fromisoformat(iso)
        except ValueError:
            pass
        m = _SLASH_DATE.match(s)
        if m:
            y, mo, d, h, mi, sec = (int(x) if x else 0 for x in m.groups())
            return datetime(y, mo, d, h, mi, sec)
    if "年" in s:
        m = _ZH_DATE.search(s)
        if m:
            y, mo, d, h, mi, sec = (int(x) if x else 0 for x in m.groups())
            if h < 12 and ("下午" in s or "晚上" in s):
                h += 12
            return datetime(y, mo, d, h, mi, sec)
    if _RFC822_HINT.match(s):
        if tz in _CHINA_ZONES and _CST.search(s):
            s = _CST.sub(" +0800", s)   # "CST" on a Chinese site is China Standard Time
        return parsedate_to_datetime(s)
    return None


def _slow_parse(s: str) -> datetime | None:
    if not _HAS_YEAR.search(s):
        return None   # dateutil would invent a date from any number; require a year
    from dateutil import parser as dateutil_parser

    return dateutil_parser.parse(s, fuzzy=False)


def parse_date(raw: str | None, tz: str, *, now: datetime | None = None) -> datetime | None:
    """A UTC, tz-aware datetime from a feed's raw date string, or None.

    Accepts RFC 822 (also without zone), ISO 8601, "2016-10-26 16:53:42", "2016/6/29 15:07:41",
    "2016年10月26日 16:53", epoch seconds (or milliseconds), and what dateutil reads. Naive times
    are in ``tz`` (an IANA zone). Dates before 1995, or more than two days after ``now`` when given,
    are implausible and give None.
    """
    if not raw:
        return None
    s = " ".join(raw.split())
    if not s:
        return None
    try:
        dt = _fast_parse(s, tz)
        if dt is None:
            dt = _slow_parse(s)
    except (ValueError, TypeError, OverflowError, IndexError):
        return None
    if dt is None:
        return None
    try:
        dt = _to_utc(dt, tz)
    except (OverflowError, ValueError):
        return None
    if dt < EARLIEST or (now is not None and dt > _aware(now) + MAX_FUTURE):
        return None
    return dt


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


# --- URLs -------------------------------------------------------------------------------------

# Query parameters that identify a campaign, a share or a referrer, never the document.
# Matched case-insensitively on the parameter name.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "yclid", "msclkid", "twclid", "ttclid",
    "mc_cid", "mc_eid", "igshid", "igsh", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
    "ref", "ref_src", "ref_url", "referrer", "spm", "scm", "from", "from_source",
    "share_source", "share_medium", "share_plat", "share_from", "share_tag", "share_session_id",
    "sharer_shareid", "sharer_sharetime", "vd_source", "isappinstalled", "wt.mc_id",
    "hmsr", "hmpl", "hmcu", "hmkw", "hmci", "cmpid", "ncid", "sr_share", "at_medium", "at_campaign",
})
TRACKING_PREFIXES = ("utm_", "ktm_", "pk_", "mtm_")   # ktm_: 36氪's own utm_
# Parameters that are tracking only with these values ("?source=rss" but not "?source=github").
TRACKING_VALUES = {"source": frozenset({"rss", "feed", "atom", "rss2", "feedburner"}),
                   "f": frozenset({"rss"}), "rss": frozenset({"1", "true"})}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "/%:@!$&'()*+,;=~-._"
_QUERY_SAFE = "=%:@!$'()*+,;/?~-._&"
_CTRL = re.compile(r"[\x00-\x1f\x7f]")


def _tracking(param: str) -> bool:
    name, _, value = param.partition("=")
    name = name.lower()
    if name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES):
        return True
    values = TRACKING_VALUES.get(name)
    return values is not None and value.lower() in values


def canonical_url(link: str | None, base: str | None) -> str | None:
    """The canonical http(s) form of a link, or None when it is not a web link.

    Resolves relative links against base; lowercases scheme and host (IDNA for non-ASCII hosts);
    drops user info, default ports, the fragment and tracking parameters (TRACKING_PARAMS,
    TRACKING_PREFIXES, TRACKING_VALUES); keeps other parameters in their original order.
    """
    if not link:
        return None
    s = link.strip()
    if not s.isprintable():
        s = _CTRL.sub("", s)   # tabs and newlines inside a link are line wrapping, not data
    if not s:
        return None
    if s.startswith("//") and not base:
        s = "https:" + s
    if base and not s.lower().startswith(("http://", "https://")):
        try:
            s = urljoin(base.strip(), s)
        except ValueError:
            return None
    try:
        parts = urlsplit(s)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    host = host.lower()
    if ":" in host:
        host = f"[{host}]"   # IPv6 literal
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(parts.path, safe=_PATH_SAFE) or "/"
    query = parts.query
    if query:
        kept = [p for p in query.split("&") if p and not _tracking(p)]
        query = quote("&".join(kept), safe=_QUERY_SAFE)
    return urlunsplit((scheme, netloc, path, query, ""))


# --- entries ----------------------------------------------------------------------------------

_EMAIL_NAME = re.compile(r"^\S+@\S+\s*\((.+)\)$")
_EMAIL = re.compile(r"^\S+@\S+\.\S+$")


def _author(raw: str | None) -> str | None:
    name = clean_line(raw)
    if not name:
        return None
    m = _EMAIL_NAME.match(name)
    if m:
        name = m.group(1).strip()
    return None if not name or _EMAIL.match(name) else name[:200]


def _guid(raw: str | None) -> str | None:
    guid = without_controls(raw).strip() if raw else ""    # NUL: PostgreSQL refuses it in text
    return guid or None


def clean_text(fragment: str | None) -> str:
    """An entry's body (HTML or plain text) as it is stored and tagged: plain text, cut at
    MAX_TEXT_CHARS. `aigcwatch tag` cleans its input with it and `clean_title`, as ingest does."""
    return html_to_text(fragment)[:MAX_TEXT_CHARS]


def _text(entry: RawEntry) -> str:
    summary = html_to_text(entry.summary)
    content = html_to_text(entry.content) if entry.content and entry.content != entry.summary else ""
    text = content if len(content) > len(summary) else summary     # the longer, then cut
    return text[:MAX_TEXT_CHARS]


def normalize_entry(entry: RawEntry, source: Source, fetched_at: datetime) -> Item | Rejected:
    """Clean one entry into an Item, or say why it cannot be one.

    An Item needs a title (derived from the first sentence of the text when the feed gives none)
    and an http(s) link; an entry the platform shows as deleted is rejected. Without a usable date, published_at is the fetch time and
    date_is_fallback is True.
    """
    fetched_at = _aware(fetched_at)
    if entry.deleted:
        return Rejected("deleted")
    text = _text(entry)
    title = clean_title(entry.title)
    derived = not title
    if derived:
        title = first_sentence(text)
        if not title:
            return Rejected("no_title")
    if not entry.link or not entry.link.strip():
        return Rejected("no_link")
    url = canonical_url(entry.link, entry.base_url)
    if url is None:
        return Rejected("bad_link")
    published = (parse_date(entry.published, source.timezone, now=fetched_at)
                 or parse_date(entry.updated, source.timezone, now=fetched_at))
    return Item(
        source_id=entry.source_id,
        guid=_guid(entry.guid),
        url=url,
        title=title,
        text=text,
        lang=detect_lang(f"{title}\n{text[:LANG_SAMPLE_CHARS]}"),
        published_at=published or fetched_at,
        date_is_fallback=published is None,
        fetched_at=fetched_at,
        author=_author(entry.author),
        title_simplified=to_simplified(title),
        text_simplified=to_simplified(text),
        kind=entry.kind or ("post" if source.category == "social" else "article"),
        title_derived=derived,
        author_handle=clean_line(entry.author_handle)[:200] or None,
        parent_url=canonical_url(entry.parent_link, None),
        shared_url=canonical_url(entry.shared_link, None),
        engagement=entry.engagement if entry.engagement and entry.engagement.any() else None,
    )
