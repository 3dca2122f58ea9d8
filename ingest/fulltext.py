"""Article pages -> main text: charset detection (GBK/GB18030 included), trafilatura extraction,
and the pure rule deciding whether the extracted text replaces the feed's summary.

Chinese pages often declare GB2312 or GBK (or nothing) and are really GB18030, or declare UTF-8
and are not. `decode_html` trusts a declaration only when the bytes decode under it, and
otherwise picks among UTF-8, GB18030 and Big5 the decoding that reads most like Chinese.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from ingest.cluster import mostly_chinese
from ingest.dedup import HAN_RUN, fold, terms
from ingest.parse import canonical_charset, han_score

MIN_EXTRACT_CHARS = 40          # folded characters: less than this is not an article body
# Share of the item's terms (of its title, or of its title and summary together) the page's text
# must hold to be the item's article: a consent, login or paywall page that a link redirects to
# holds almost none (0-0.12), real articles at least 0.31 of them in the captured feeds.
MIN_TERMS_SHARED = 0.2
MIN_TERMS = 3                   # an item with fewer terms cannot be judged: its page is taken
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030",
            "big5": "big5hkscs", "big5hkscs": "big5hkscs", "ascii": "cp1252",
            "latin_1": "cp1252", "iso8859-1": "cp1252", "cp1252": "cp1252"}
_GUESSES = ("gb18030", "big5hkscs")
# A character reference to a code point XML cannot hold ("&#12;", a form feed pasted from a word
# processor) makes the extractor's XML tree refuse the whole page: it becomes a space first.
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


@dataclass(frozen=True, slots=True)
class PageText:
    """What one page fetch gave: the extracted text (None when there is none) or why not."""

    url: str
    text: str | None
    http_status: int | None = None
    error_class: str | None = None      # a FailureClass value, or "extract" (no main text)
    error: str | None = None
    attempts: int = 1                   # fetches made of this page, this one included


# Failures that say nothing about the page itself: a later run may find it up.
_PASSING = ("network", "rate_limited")


def retry_page(page: PageText, max_attempts: int) -> bool:
    """True when a recorded page is to be fetched again: its last fetch failed for a passing
    reason (timeout, connection, 429, a 5xx or 408 status) and it has had fewer than
    `max_attempts` fetches. A page with text, a 404, a block or a page without main text stays."""
    if page.text is not None or page.attempts >= max_attempts:
        return False
    status = page.http_status or 0
    return page.error_class in _PASSING or (page.error_class == "http_status"
                                            and (status >= 500 or status == 408))


def _codec(name: str | None) -> str | None:
    """The codec to try for a declared charset (GB and Big5 by their widest members, Latin
    declarations as cp1252); None if unknown."""
    canonical = canonical_charset(name)
    return None if canonical is None else _ALIASES.get(canonical, canonical)


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def declared_charset(body: bytes, content_type: str | None) -> str | None:
    """The charset the server (Content-Type) or the page (<meta>) declares; HTTP first."""
    m = _HTTP_CHARSET.search(content_type or "")
    if m:
        return m.group(1)
    m = _META_CHARSET.search(body[:8192])
    return m.group(1).decode("ascii", "replace") if m else None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, codec used). A declared charset is used only when the bytes decode under it."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            text = _strict(body[len(bom):], codec)
            if text is not None:
                return text, codec
    declared = _codec(declared_charset(body, content_type))
    if declared and declared != "cp1252":
        text = _strict(body, declared)
        if text is not None:
            if declared == "utf-8" or body.isascii():
                return text, declared
            utf8 = _strict(body, "utf-8")   # UTF-8 bytes also decode as GB18030: compare
            if utf8 is None or han_score(text)[0] >= han_score(utf8)[0]:
                return text, declared
            return utf8, "utf-8"
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    best: tuple[float, str, str] | None = None
    for codec in _GUESSES:
        candidate = _strict(body, codec)
        if candidate is not None:
            score = han_score(candidate)[0]
            if best is None or score > best[0]:
                best = (score, candidate, codec)
    if best is not None and best[0] >= 0.3:
        return best[1], best[2]
    if declared == "cp1252":
        return body.decode("cp1252", "replace"), "cp1252"
    from charset_normalizer import from_bytes

    match = from_bytes(body[:200_000]).best()
    if match is not None and match.encoding:
        guessed = _strict(body, match.encoding)
        if guessed is not None:
            return guessed, match.encoding
    return body.decode("utf-8", "replace"), "utf-8"


def extract_main_text(page_html: str, url: str | None = None) -> str | None:
    """The page's main text (paragraphs separated by newlines) by trafilatura; None if none.

    Without trafilatura's `deduplicate`: it remembers texts across calls in the process and
    drops one seen a few times before, so the fourth portal carrying a wire story (or any page
    met again in a long `aigcwatch schedule`) would come back empty."""
    import trafilatura

    page_html = _CHAR_REF.sub(_xml_safe_ref, page_html)
    try:
        text = trafilatura.extract(page_html, url=url, include_comments=False,
                                   include_tables=False, include_images=False,
                                   deduplicate=False)
    except Exception:  # noqa: BLE001 - a page that breaks the extractor just has no text
        return None
    text = (text or "").strip()
    return text or None


def _xml_safe_ref(m: re.Match) -> str:
    """The reference as it is when XML can hold its character, else a space."""
    cp = int(m.group(1), 16) if m.group(1) else int(m.group(2))
    ok = cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD \
        or 0x10000 <= cp <= 0x10FFFF
    return m.group(0) if ok else " "


def page_text(url: str, body: bytes, content_type: str | None) -> PageText:
    """Decode and extract one fetched page (pure)."""
    html_text, _ = decode_html(body, content_type)
    text = extract_main_text(html_text, url)
    if text is None or len(fold(text)) < MIN_EXTRACT_CHARS:
        return PageText(url, None, 200, "extract", "no main text found on the page")
    return PageText(url, text, 200)


def about_item(extracted: str, title: str, summary: str) -> bool:
    """True when the page's text is about the item: it holds enough of the terms of the item's
    title, or of its title and summary (a summary may be an editor's line the article lacks).
    An item with too few terms in the page's script (an English post sharing a Chinese article)
    cannot be judged and its page is taken; on a page that is not Chinese, only words count."""
    han = mostly_chinese(extracted[:400])
    own = terms(title)
    both = own | terms(summary[:300])
    if sum(_is_han(t) == han for t in both) < MIN_TERMS:
        return True
    if not han:
        own, both = ({t for t in ts if not _is_han(t)} for ts in (own, both))
    page = terms(extracted)
    shares = [len(ts & page) / len(ts) for ts in (own, both) if ts]
    return max(shares) >= MIN_TERMS_SHARED


def _is_han(term: str) -> bool:
    return bool(HAN_RUN.match(term))


def long_enough(summary: str, extracted: str) -> bool:
    """The extracted text is a real body at least as long as the summary."""
    n = len(fold(extracted))
    return n >= MIN_EXTRACT_CHARS and n >= len(fold(summary))


def choose_text(summary: str, extracted: str | None, title: str = "") -> str | None:
    """The extracted text when it is a real body at least as long as the summary and about the
    item (see about_item), else None (the summary is kept)."""
    if extracted and long_enough(summary, extracted) and about_item(extracted, title, summary):
        return extracted
    return None
