"""SEO spam: a betting, adult or link-farm title or keywords pasted over copied content.

Independent of relevance (the copied article underneath may be real). Scored (weights in
data/spam.toml [weights]):
- in the title: seo shapes ("手机版网页登录", "官网入口", "app下载", "login"), gambling words, adult
  keywords, a list of many short keyword segments;
- anywhere: spam brands, link-farm injections ("安康市某某…客服中心"); gambling words in the body,
  keyword stuffing;
- the title is the item's title, or for an untitled text its first short line;
- title/body mismatch: the title's own words, seo shapes and gambling words aside, are not in the
  body. That is what a pasted title looks like whatever its brand: "星耀手机版网页登录" over an
  article about AI video. A mismatch counts only beside a spam shape in the title.
News *about* gambling (a Macau revenue report) has gambling words but no seo shape, no brand and
no mismatch, so it stays under the threshold; an seo shape alone ("可灵App下载量破千万" over an
article about it) is not spam.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ingest.tag.doc import Doc
from ingest.tag.lexicon import Matcher, load_toml


HEAD, TAIL = 800, 400
_KINDS = ("seo", "gambling", "brands", "adult", "adult_soft", "injection")
_SEGMENTS = re.compile(r"\s*[_|,，、]\s*|\s+-\s+|\s*–\s*")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9]{2,}")
_TITLE_STOP = frozenset("the and for with from your you best top new free official site app".split())
MISMATCH = 0.25           # at most this share of the title's own words found in the body


@dataclass(frozen=True)
class SpamResult:
    spam: bool
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class _Lexicon:
    terms: Matcher                 # payload: one of _KINDS
    weights: dict[str, float]


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    data = load_toml("spam.toml")
    entries = [(t, kind) for kind in _KINDS for t in data.get(kind, [])]
    return _Lexicon(Matcher(entries), {k: float(v) for k, v in data["weights"].items()})


def title_overlap(title: str, body: str) -> float | None:
    """Share of the title's own words (Chinese: character pairs) that occur in the body; None
    when the title has no words left (or there is no body)."""
    if not title.strip() or not body.strip():
        return None
    words: set[str] = set()
    for run in _CJK_RUN.findall(title):
        if len(run) == 1:
            words.add(run)
        words.update(run[i:i + 2] for i in range(len(run) - 1))
    words.update(w for w in _LATIN_WORD.findall(title) if w not in _TITLE_STOP)
    if not words:
        return None
    return sum(1 for w in words if w in body) / len(words)


FIRST_LINE = 200          # an untitled text's first line up to this long stands for its title
_SENTENCE_END = frozenset("。.…;；:：")     # a title may end in ? or !


def _head_end(doc: Doc) -> int:
    """End of the title in doc.norm; for an untitled text, of its first line when that line is
    short, reads as a title (no sentence-ending punctuation) and more text follows (a page
    scraped with its title, or a keyword line pasted above the copied article); else 0."""
    if doc.title_sentences:
        return doc.spans[doc.title_sentences - 1][1]
    norm = doc.norm
    start = len(norm) - len(norm.lstrip())
    cut = norm.find("\n", start, start + FIRST_LINE + 1)
    if cut <= start or not norm[cut:].strip():
        return 0
    line = norm[start:cut].rstrip()
    if line[-1:] in _SENTENCE_END or "。" in line:     # a paragraph, not a title line
        return 0
    return cut


def detect(doc: Doc) -> SpamResult:
    lex = _lexicon()
    w = lex.weights
    title_end = _head_end(doc)
    counts: Counter[str] = Counter()
    kinds: dict[str, set[str]] = {}
    title_kinds: dict[str, set[str]] = {}
    title_cuts: list[tuple[int, int]] = []        # spam phrases inside the title
    norm = doc.norm
    if len(norm) > HEAD + TAIL:   # spam keywords sit in the title, the head and the tail
        norm = norm[:HEAD] + "\n" + norm[-TAIL:]
    for start, end, _, key, payloads in lex.terms.scan(norm):
        counts[key] += 1
        for kind in payloads:
            kinds.setdefault(kind, set()).add(key)
            if start < title_end:
                title_kinds.setdefault(kind, set()).add(key)
                title_cuts.append((start, end))
    score = 0.0
    if "seo" in title_kinds:
        score += w["title_seo"]
    if "gambling" in title_kinds or "brands" in title_kinds:
        score += w["title_gambling"]
    if kinds.get("brands"):
        score += w["brand"]
    score += w["body_gambling"] * len(kinds.get("gambling", ()))
    if any(n >= 4 for n in counts.values()) and kinds.get("gambling"):
        score += w["stuffing"]
    adult = (len(title_kinds.get("adult", ())) + 0.5 * len(title_kinds.get("adult_soft", ())))
    score += w["title_adult"] * adult
    if kinds.get("injection"):
        score += w["injection"]
    shaped = bool(title_kinds.get("seo") or title_kinds.get("gambling") or title_kinds.get("brands")
                  or adult)
    mismatch = False
    if shaped and title_end:
        title = doc.norm[:title_end]
        for a, b in sorted(title_cuts, reverse=True):     # the title's own words only
            title = title[:a] + " " + title[b:]
        overlap = title_overlap(title, doc.norm[title_end:])
        if overlap is None or overlap <= MISMATCH:
            mismatch = True
            score += w["mismatch"]
        if len([s for s in _SEGMENTS.split(doc.norm[:title_end]) if s.strip()]) >= 4:
            score += w["keyword_list"]
    if not (kinds.get("gambling") or kinds.get("brands") or adult or kinds.get("injection")
            or mismatch):
        score = min(score, w["threshold"] - 0.5)   # an seo shape alone is not spam
    found = set()
    for kind in ("brands", "gambling", "adult", "adult_soft", "injection"):
        found |= kinds.get(kind, set())
    evidence = tuple(sorted(found))[:6] + (("title/body mismatch",) if mismatch else ())
    return SpamResult(score >= w["threshold"], round(score, 2), evidence)
