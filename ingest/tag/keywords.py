"""Top keywords of a document, from the tokens it already has (never re-segmented).

zh: TF-IDF over the jieba tokens with jieba's bundled idf table (loaded once per process), minus
    stopwords, single characters and numbers. Title tokens count double.
en: frequency of non-stopword words and of bigrams of two such words, weighted by word length as a
    cheap idf estimate; a bigram that is picked hides its parts.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from ingest.tag.doc import Doc
from ingest.tag.lexicon import load_words

TOP_K = 8
_NUMERIC = re.compile(r"^[\d.,%:/\-+]+$")
_HAS_WORD = re.compile(r"[\u4e00-\u9fffa-z]")


@lru_cache(maxsize=1)
def _idf() -> tuple[dict[str, float], float]:
    import jieba

    path = Path(jieba.__file__).resolve().parent / "analyse" / "idf.txt"
    table: dict[str, float] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            word, _, value = line.rstrip("\n").rpartition(" ")
            if word:
                table[word] = float(value)
    median = sorted(table.values())[len(table) // 2] if table else 10.0
    return table, median


def _stop_zh() -> frozenset[str]:
    return load_words("stopwords_zh.txt") | load_words("stopwords_en.txt")


def keywords(doc: Doc, k: int = TOP_K) -> tuple[str, ...]:
    if doc.lang == "zh":
        return _keywords_zh(doc, k)
    return _keywords_en(doc, k)


def _title_token_count(doc: Doc) -> int:
    """How many leading tokens belong to the title (tokens are of norm, title first)."""
    if not doc.text:
        return len(doc.tokens)
    budget = len(doc.title)
    n = 0
    for tok in doc.tokens:
        if budget <= 0:
            break
        budget -= len(tok)
        n += 1
    return n


@lru_cache(maxsize=1)
def _zh_filter() -> tuple[frozenset[str], dict[str, bool]]:
    return _stop_zh(), {}


def _good_zh(tok: str) -> bool:
    stop, cache = _zh_filter()
    good = cache.get(tok)
    if good is None:
        good = (len(tok) >= 2 and tok not in stop and not _NUMERIC.match(tok)
                and bool(_HAS_WORD.search(tok)))
        if len(cache) < 200_000:
            cache[tok] = good
    return good


def _keywords_zh(doc: Doc, k: int) -> tuple[str, ...]:
    idf, median = _idf()
    in_title = _title_token_count(doc)
    tf: Counter[str] = Counter(t for t in doc.tokens if _good_zh(t))
    tf.update(t for t in doc.tokens[:in_title] if _good_zh(t))     # title words count double
    scored = {w: c * idf.get(w, median) for w, c in tf.items()}
    return tuple(w for w, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:k])


@lru_cache(maxsize=1)
def _en_cache() -> dict[str, bool]:
    return {}


def _keywords_en(doc: Doc, k: int) -> tuple[str, ...]:
    stop = load_words("stopwords_en.txt")
    in_title = _title_token_count(doc)
    tokens = doc.tokens
    uni: Counter[str] = Counter()
    bi: Counter[str] = Counter()
    bi_seen: Counter[str] = Counter()
    prev = ""
    cache = _en_cache()
    for n, tok in enumerate(tokens):
        good = cache.get(tok)
        if good is None:
            good = len(tok) > 2 and tok not in stop and not _NUMERIC.match(tok)
            if len(cache) < 200_000:
                cache[tok] = good
        weight = 2 if n < in_title else 1
        if good:
            uni[tok] += weight
            if prev:
                bi[f"{prev} {tok}"] += weight
                bi_seen[f"{prev} {tok}"] += 1
        prev = tok if good else ""
    scored: dict[str, float] = {w: c * math.log(2 + len(w)) for w, c in uni.items()}
    for pair, c in bi.items():
        if bi_seen[pair] >= 2:
            scored[pair] = 1.5 * c * math.log(2 + len(pair))
    out: list[str] = []
    hidden: set[str] = set()
    for word, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0])):
        if word in hidden:
            continue
        out.append(word)
        if " " in word:
            hidden.update(word.split())
        if len(out) == k:
            break
    return tuple(out)
