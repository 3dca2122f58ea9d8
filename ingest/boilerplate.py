"""A source's boilerplate: the sentences its entries share whatever their story (an account's call
to follow it, a footer block, a newsletter's welcome paragraph, a shop's disclaimer). Pure.

Found among the entries of one fetched feed: a sentence (a line, or a line's sentence) is
boilerplate when entries under at least `MIN_LINKS` different links carry it and two of them are
under unrelated titles (ingest.dedup.unrelated_titles). Two entries sharing a sentence may be a
story and its follow-up; a story re-served under several links keeps related headlines. Only the
opening that cluster signatures read is looked at (`SCAN` characters). The story index signs an
item's text without its source's boilerplate (ingest.prepare), so the stories of one source are
never one story by it; its stored text and its dedup keys are unchanged.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Set

from ingest.cluster import LEAD_SCAN
from ingest.dedup import UNRELATED_SHARE, terms
from ingest.types import Item

MIN_LINKS = 3            # entries under this many different links share it
MIN_CHARS = 8            # a sentence folded to fewer letters is too short to tell anything
SCAN = 2 * LEAD_SCAN     # characters of each text read: the signature's opening and what it may lose
MAX_PAIRS = 200          # title pairs compared per sentence at most

# A sentence ends at a line break, after Chinese or other end punctuation, or at a period,
# semicolon or colon followed by a space.
_SPLIT = re.compile(r"\n+|(?<=[。！？!?；])|(?<=[.;:])\s+")
_NOT_LETTER = re.compile(r"[\W\d_]+", re.UNICODE)


def _fingerprint(sentence: str) -> str:
    """Letters only, lower case: an issue number or a date in the sentence does not matter."""
    return _NOT_LETTER.sub("", sentence.lower())


def _sentences(text: str) -> list[str]:
    return _SPLIT.split((text or "")[:SCAN])


def of(items: Iterable[Item]) -> frozenset[str]:
    """The fingerprints of the sentences that are boilerplate among these entries of one source."""
    carriers: dict[str, list[int]] = {}
    titles: list[str] = []
    links: set[str] = set()
    for item in items:
        if item.url in links:
            continue
        links.add(item.url)
        n = len(titles)
        titles.append(item.title or "")
        for fp in {_fingerprint(s) for s in _sentences(item.text)}:
            if len(fp) >= MIN_CHARS:
                carriers.setdefault(fp, []).append(n)
    found: set[str] = set()
    cache: dict[int, set[str]] = {}
    for fp, who in carriers.items():
        if len(who) >= MIN_LINKS and _unrelated_pair(who, titles, cache):
            found.add(fp)
    return frozenset(found)


def _unrelated_pair(who: list[int], titles: list[str], cache: dict[int, set[str]]) -> bool:
    """Whether two of these entries are under unrelated titles (as ingest.dedup.unrelated_titles
    says, each title's terms found once; a bounded number of pairs)."""
    def of_title(n: int) -> set[str]:
        if n not in cache:
            cache[n] = terms(titles[n])
        return cache[n]

    pairs = 0
    for a_pos, a in enumerate(who):
        for b in who[a_pos + 1:]:
            ta, tb = of_title(a), of_title(b)
            if ta and tb and len(ta & tb) <= UNRELATED_SHARE * min(len(ta), len(tb)):
                return True
            pairs += 1
            if pairs >= MAX_PAIRS:
                return False
    return False


def strip(text: str, found: Set[str]) -> str:
    """`text` without its boilerplate sentences (the text itself when it has none), for signing."""
    if not found or not text:
        return text
    head = text[:SCAN] + "\n"      # so that the last sentence ends with a break too
    kept: list[str] = []
    dropped = False
    start = 0
    for m in _SPLIT.finditer(head):                # each sentence with the break after it
        if _fingerprint(head[start:m.start()]) in found:
            dropped = True
        else:
            kept.append(head[start:m.end()])
        start = m.end()
    return "".join(kept)[:-1] + text[SCAN:] if dropped else text
