"""Dedup keys: stable, versioned hashes of canonical input. Pure functions.

A change of algorithm bumps the version prefix, so old and new keys never silently collide:
stories are neither merged nor split by an upgrade (old keys simply stop matching new ones).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Set

from ingest.lang import to_simplified
from ingest.types import DedupKeys, Item

URL_V = "u1"
GUID_V = "g1"
CONTENT_V = "c1"
TITLE_V = "t2"

MIN_CONTENT_CHARS = 60      # shorter normalised text gives no content key (too generic)
MIN_TITLE_CHARS_ZH = 8      # Han characters after normalisation
MIN_TITLE_WORDS_EN = 5

# Outlet suffixes and prefixes Chinese portals add to wire copy: "_36氪", "｜机器之心", " - 新浪科技" ...
# A colon starts a subtitle ("支持720p与12秒生成"), not an outlet name, so it is no separator here;
# a dash separates only with spaces around it ("Sora 2 is out - The Verge", not "Gen-4").
_TITLE_SUFFIX = re.compile(
    r"(?:\s*[_|｜·]\s*|\s+[-–—]\s+)[^_|｜·]{1,14}$"
)
_BRACKETS = re.compile(r"[【\[（(〔「『《][^】\]）)〕」』》]{0,20}[】\]）)〕」』》]")
_DECOR = re.compile(r"[\u2b50\u2605\u2606\u2728\U0001F300-\U0001FAFF]+")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u9fff]")


def _h(version: str, text: str) -> str:
    return f"{version}:" + hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def fold(text: str) -> str:
    """Canonical matching form: NFKC (folds full-width), Simplified, lower case, no punctuation/space."""
    text = unicodedata.normalize("NFKC", text or "")
    text = to_simplified(text).lower()
    return _NON_WORD.sub("", text)


def title_core(title: str) -> str:
    """Strip decoration, bracketed tags and outlet suffixes from a title before folding."""
    t = unicodedata.normalize("NFKC", title or "")
    t = _DECOR.sub("", t).strip()
    t = _BRACKETS.sub("", t).strip()
    # Only strip a suffix when what stays is still a real title.
    m = _TITLE_SUFFIX.search(t)
    if m and len(fold(t[: m.start()])) >= 8:
        t = t[: m.start()]
    return fold(t)


def title_key(title: str) -> str | None:
    core = title_core(title)
    han = len(_HAN.findall(core))
    if han:
        if han < MIN_TITLE_CHARS_ZH:
            return None
    else:
        words = len(re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKC", title or "").lower()))
        if words < MIN_TITLE_WORDS_EN or len(core) < 20:
            return None
    return _h(TITLE_V, core)


def content_key(text: str) -> str | None:
    core = fold(text)
    if len(core) < MIN_CONTENT_CHARS:
        return None
    return _h(CONTENT_V, core[:2000])


SIG_CHARS = 600            # folded characters compared for near-duplicate text
SIG_MIN_CHARS = 40         # below this a text is too short to judge; the title decides
SIMILAR = 0.5              # Jaccard overlap of character 4-grams for "the same text"


def text_signature(text: str) -> frozenset[int] | None:
    """Character 4-gram hashes of the start of the folded text (None if too short to judge)."""
    core = fold(text)[:SIG_CHARS]
    if len(core) < SIG_MIN_CHARS:
        return None
    return frozenset(hash(core[i:i + 4]) for i in range(len(core) - 3))


def same_text(a: frozenset[int] | None, b: frozenset[int] | None) -> bool:
    """True when two signatures come from the same text (lightly edited or cut differently).

    A missing signature (very short text) cannot contradict a title match."""
    if a is None or b is None:
        return True
    inter = len(a & b)
    return inter >= SIMILAR * min(len(a), len(b)) or inter >= SIMILAR * len(a | b)


_EN_STOP = frozenset("""the and for with that this from are was were has have had its his her
their our you your will would can could not but all any more most into over than then them they
what when which who how why about after also been being just only other some such very new says
said one two out off per via""".split())
_WORD = re.compile(r"[a-z0-9]{3,}")
HAN_RUN = re.compile(r"[\u3400-\u9fff]+")


def terms(text: str) -> set[str]:
    """Content words (3+ letters or digits, no function words) and Chinese character bigrams."""
    t = to_simplified(unicodedata.normalize("NFKC", text or "")).lower()
    out = {w for w in _WORD.findall(t) if w not in _EN_STOP}
    for run in HAN_RUN.findall(t):
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    return out


UNRELATED_SHARE = 0.2      # titles sharing at most this share of their terms are unrelated


def unrelated_titles(a: str, b: str) -> bool:
    """True when two titles share at most a fifth of the terms of the one with fewer: two items
    under them are not one story, whatever text they carry (an uploader's boilerplate)."""
    return unrelated_terms(terms(a), terms(b))


def unrelated_terms(ta: set[str], tb: set[str]) -> bool:
    """`unrelated_titles` of two titles' `terms`, found already."""
    if not ta or not tb:
        return False
    return len(ta & tb) <= UNRELATED_SHARE * min(len(ta), len(tb))


def url_key(url: str | None) -> str | None:
    return _h(URL_V, url) if url else None


def guid_key(source_id: str, guid: str | None) -> str | None:
    return _h(GUID_V, f"{source_id}\x00{guid.strip()}") if guid and guid.strip() else None


def shared_guids(items: Iterable[Item]) -> dict[str, int]:
    """GUIDs that entries of more than one link carry in one fetch, with how many links: a feed
    that gives every entry the same GUID (its home page, say) does not name its entries by it."""
    links: dict[str, set[str]] = {}
    for item in items:
        guid = (item.guid or "").strip()
        if guid:
            links.setdefault(guid, set()).add(item.url)
    return {guid: len(urls) for guid, urls in links.items() if len(urls) > 1}


def reused_guid(stored_url_key: str | None, stored_title: str | None,
                stored_sig: frozenset[int] | None, item: Item, item_sig: frozenset[int] | None) -> bool:
    """True when `item`, carrying the GUID of a stored entry of its source, is another story (a
    CMS handing out its ids again, a daily column under one fixed id): it has another link, and
    another text (`text_signature`s; both long enough to compare) or, when a text is too short
    to judge or unknown (None), a title unrelated to the stored one. An entry keeping its link,
    or its text under a new link and headline, is the same entry (an edit or a re-serve)."""
    if stored_url_key is None or stored_url_key == url_key(item.url):
        return False
    if stored_sig is not None and item_sig is not None:
        return not same_text(stored_sig, item_sig)
    return stored_title is not None and unrelated_titles(stored_title, item.title)


def keys_for(item: Item, shared: Set[str] = frozenset()) -> DedupKeys:
    """A comment's or an untitled post's title is not a headline (every reply to one story
    shares its "Re: ..." line; short posts share opening words): it gives no title key.
    A GUID in `shared` (see shared_guids) gives no GUID key: those entries are told apart by
    their links."""
    headline = item.kind != "comment" and not item.title_derived
    # A post whose text was taken from the page it shares is not a copy of that page's article.
    borrowed = item.kind == "post" and item.full_text
    return DedupKeys(
        url_key=url_key(item.url),
        guid_key=None if (item.guid or "").strip() in shared else guid_key(item.source_id, item.guid),
        content_key=None if borrowed else content_key(item.text),
        title_key=title_key(item.title) if headline else None,
    )
