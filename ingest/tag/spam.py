"""SEO gambling/betting spam: a betting site's title or keywords pasted over copied content.

Independent of relevance (the copied article underneath may be real). Scored: seo shapes and
gambling words in the title, spam brands anywhere, gambling words in the body, keyword stuffing.
News *about* gambling (a Macau revenue report) has gambling words but no seo shape and no brand,
so it stays under the threshold. Weights: data/spam.toml [weights].
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ingest.tag.doc import Doc
from ingest.tag.lexicon import Matcher, load_toml


HEAD, TAIL = 800, 400


@dataclass(frozen=True)
class SpamResult:
    spam: bool
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class _Lexicon:
    terms: Matcher                 # payload: "seo" | "gambling" | "brand"
    weights: dict[str, float]


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    data = load_toml("spam.toml")
    entries = [(t, kind) for kind in ("seo", "gambling", "brands") for t in data[kind]]
    return _Lexicon(Matcher(entries), {k: float(v) for k, v in data["weights"].items()})


def detect(doc: Doc) -> SpamResult:
    lex = _lexicon()
    w = lex.weights
    title_end = doc.spans[doc.title_sentences - 1][1] if doc.title_sentences else 0
    counts: Counter[str] = Counter()
    kinds: dict[str, set[str]] = {}
    title_kinds: set[str] = set()
    norm = doc.norm
    if len(norm) > HEAD + TAIL:   # spam keywords sit in the title, the head and the tail
        norm = norm[:HEAD] + "\n" + norm[-TAIL:]
    for start, _, _, key, payloads in lex.terms.scan(norm):
        counts[key] += 1
        for kind in payloads:
            kinds.setdefault(kind, set()).add(key)
            if start < title_end:
                title_kinds.add(kind)
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
    if not kinds.get("gambling") and not kinds.get("brands"):
        score = min(score, w["threshold"] - 0.5)   # an seo shape alone is not gambling spam
    evidence = tuple(sorted(kinds.get("brands", set()) | kinds.get("gambling", set())))[:6]
    return SpamResult(score >= w["threshold"], round(score, 2), evidence)
