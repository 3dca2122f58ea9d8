"""Top keywords of a document, from the tokens it already has (never re-segmented).

zh: TF-IDF over the jieba tokens with jieba's bundled idf table (loaded once per process), minus
    stopwords, single characters and numbers. Title tokens count double.
en: frequency of non-stopword words and of bigrams of two such words parted only by spaces
    (never across punctuation: every keyword is a phrase of the text), weighted by word length as a
    cheap idf estimate; a bigram that is picked hides its parts.
"""
from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from itertools import compress
from operator import and_
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


_CACHE_LIMIT = 200_000   # distinct tokens remembered per language


@lru_cache(maxsize=1)
def _zh_weights() -> dict[str, float | None]:
    """token -> idf weight, or None for a token that is no keyword (cache, filled as met)."""
    return {}


def _good_zh(tok: str) -> bool:
    return (len(tok) >= 2 and tok not in _stop_zh() and not _NUMERIC.match(tok)
            and bool(_HAS_WORD.search(tok)))


def _zh_weight(tok: str, weights: dict[str, float | None]) -> float | None:
    idf, median = _idf()
    weight = idf.get(tok, median) if _good_zh(tok) else None
    if len(weights) < _CACHE_LIMIT:
        weights[tok] = weight
    return weight


def _keywords_zh(doc: Doc, k: int) -> tuple[str, ...]:
    tokens = doc.tokens
    in_title = _title_token_count(doc)
    tf: Counter[str] = Counter(tokens)
    if in_title:
        tf.update(tokens[:in_title])                    # title words count double
    weights = _zh_weights()
    ranked: list[tuple[float, str]] = []
    for w, c in tf.items():
        weight = weights.get(w, _MISSING)
        if weight is _MISSING:
            weight = _zh_weight(w, weights)
        if weight is not None:
            ranked.append((-(c * weight), w))
    return tuple(w for _, w in heapq.nsmallest(k, ranked))


_MISSING = object()


@lru_cache(maxsize=1)
def _en_cache() -> dict[str, bool]:
    return {}


_LOG_LEN = tuple(math.log(2 + n) for n in range(256))


def _log_len(n: int) -> float:
    return _LOG_LEN[n] if n < len(_LOG_LEN) else math.log(2 + n)


def _keywords_en(doc: Doc, k: int) -> tuple[str, ...]:
    tokens = doc.tokens
    in_title = _title_token_count(doc)
    cache = _en_cache()
    flags = list(map(cache.get, tokens))          # is the token a keyword candidate?
    if None in flags:
        stop = load_words("stopwords_en.txt")
        for i, ok in enumerate(flags):
            if ok is None:
                tok = tokens[i]
                flags[i] = ok = len(tok) > 2 and tok not in stop and not _NUMERIC.match(tok)
                if len(cache) < _CACHE_LIMIT:
                    cache[tok] = ok
    # unigrams: title occurrences count double; bigrams: two good words in a row, weighted by
    # the second word's place, kept when seen twice or more
    uni: Counter[str] = Counter(compress(tokens, flags))
    both = list(map(and_, map(and_, flags, flags[1:]), doc.joined))   # parted by spaces only
    bi_seen: Counter[str] = Counter(map(" ".join, compress(zip(tokens, tokens[1:]), both)))
    bi = bi_seen.copy()
    if in_title:
        uni.update(compress(tokens[:in_title], flags[:in_title]))
        bi.update(map(" ".join, compress(zip(tokens[:in_title], tokens[1:in_title]), both)))
    ranked = [(-(c * _log_len(len(w))), w) for w, c in uni.items()]
    ranked += [(-(1.5 * c * _log_len(len(pair))), pair) for pair, c in bi.items()
               if bi_seen[pair] >= 2]
    heapq.heapify(ranked)
    out: list[str] = []
    hidden: set[str] = set()
    while ranked and len(out) < k:
        _, word = heapq.heappop(ranked)
        if word in hidden:
            continue
        out.append(word)
        if " " in word:
            hidden.update(word.split())
    return tuple(out)
