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

from collections.abc import Iterable, Set

from ingest.cluster import LEAD_SCAN
from ingest.dedup import terms, unrelated_terms
from ingest.types import Item

MIN_LINKS = 3            # entries under this many different links share it
MIN_BYTES = 12           # a sentence whose fingerprint is shorter (4 Han characters, 12 letters) tells nothing
SCAN = 2 * LEAD_SCAN     # characters of each text read: the signature's opening and what it may lose
MAX_PAIRS = 200          # title pairs compared per sentence at most

# A sentence ends at a line break, after Chinese end punctuation, or at an end mark, semicolon or
# colon followed by a space. Plain `str.replace` and `bytes.translate` (C speed): a regular
# expression with look-behinds cost five times as much, half a signature's time.
_BREAKS = (("。", "。\n"), ("！", "！\n"), ("？", "？\n"), ("；", "；\n"), ("! ", "!\n"), ("? ", "?\n"),
           (". ", ".\n"), ("; ", ";\n"), (": ", ":\n"))
# ASCII that is not a letter (digits, punctuation, spaces) but the line break: an issue number or
# a date in a sentence does not matter
_NOT_LETTER = bytes(b for b in range(128) if not 97 <= b <= 122 and b != 10)


def _broken(text: str) -> str:
    """The opening of `text` with a line break after each sentence."""
    head = (text or "")[:SCAN]
    for mark, broken in _BREAKS:
        head = head.replace(mark, broken)
    return head


def _prints(broken: str) -> list[bytes]:
    """The fingerprint of each line of `broken`: lower case, no ASCII but letters."""
    return broken.lower().encode("utf-8").translate(None, _NOT_LETTER).split(b"\n")


def of(items: Iterable[Item]) -> frozenset[bytes]:
    """The fingerprints of the sentences that are boilerplate among these entries of one source."""
    carriers: dict[bytes, list[int]] = {}
    titles: list[str] = []
    links: set[str] = set()
    for item in items:
        if item.url in links:
            continue
        links.add(item.url)
        n = len(titles)
        titles.append(item.title or "")
        for fp in set(_prints(_broken(item.text))):
            if len(fp) >= MIN_BYTES:
                carriers.setdefault(fp, []).append(n)
    found: set[bytes] = set()
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
            if unrelated_terms(of_title(a), of_title(b)):
                return True
            pairs += 1
            if pairs >= MAX_PAIRS:
                return False
    return False


def strip(text: str, found: Set[bytes]) -> str:
    """`text` without its boilerplate sentences (the text itself when it has none), for signing
    only: the sentences kept are joined by line breaks, which no shingle sees."""
    if not found or not text:
        return text
    broken = _broken(text)
    sentences = broken.split("\n")
    kept = [s for s, fp in zip(sentences, _prints(broken)) if fp not in found]
    if len(kept) == len(sentences):
        return text
    return "\n".join(kept) + text[SCAN:]
