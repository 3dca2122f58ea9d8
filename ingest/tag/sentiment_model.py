"""The learned sentiment layer: a small linear model over the lexicon walk and the document's words.

Why: the lexicon walk sees the tone of real coverage but its fixed bands do not trust it (Chinese
tech media write hype in a vocabulary and rhythm synthetic text lacks; a reported quote reads as
alarm). A multinomial logistic regression, trained by ``ingest.tag.sentiment_train`` and chosen by
cross-validation on the audit set's tuning part, turns the walk's figures into the label:

- walk figures, per language and shared: the lexicon score, the positive and negative masses
  (log1p), their balance, how many loaded words, the strongest word each way, newsness;
- words: the set of the document's word tokens (jieba words for Chinese, words for English) that
  the model kept (those seen in enough training documents), each worth 1.

Runtime is pure Python (``ingest.tag.linear``): the weights live in ``data/sentiment_model.json``.
"""
from __future__ import annotations

import math
from typing import Iterable

from ingest.tag.doc import Doc
from ingest.tag.linear import LinearModel, load

MODEL_FILE = "sentiment_model.json"
_WORD_MAX = 12          # longer tokens (URLs, runs of digits) are not words


def load_model() -> LinearModel | None:
    """The shipped model (read once), or None when its data file is absent."""
    return load(MODEL_FILE)


def walk_features(lang: str, score: float, hits: Iterable[tuple[float, str]],
                  news: float) -> dict[str, float]:
    """The lexicon walk's figures, once shared and once under the language's prefix."""
    pos = neg = top_pos = top_neg = 0.0
    n_pos = n_neg = 0
    for v, _ in hits:
        if v > 0:
            pos += v
            n_pos += 1
            top_pos = max(top_pos, v)
        elif v < 0:
            neg -= v
            n_neg += 1
            top_neg = max(top_neg, -v)
    base = {
        "score": score,
        "pos": math.log1p(pos),
        "neg": math.log1p(neg),
        "balance": (pos - neg) / (pos + neg + 1.0),
        "n_pos": math.log1p(n_pos),
        "n_neg": math.log1p(n_neg),
        "top_pos": top_pos,
        "top_neg": top_neg,
        "news": news,
    }
    out = {f"w:{k}": v for k, v in base.items()}
    out.update({f"{lang}:{k}": v for k, v in base.items()})
    return out


def word_features(doc: Doc) -> set[str]:
    """The document's distinct word tokens (lower-case; jieba words for Chinese)."""
    if doc.lang == "zh":
        toks = doc.tokens
    else:
        from ingest.tag.sentiment import _en_tokens

        toks = _en_tokens(doc)
    return {"t:" + t for t in toks if len(t) <= _WORD_MAX and t[0].isalnum()}


def features(doc: Doc, score: float, hits: Iterable[tuple[float, str]], news: float,
             words: bool = True) -> dict[str, float]:
    lang = "zh" if doc.lang == "zh" else "en"
    feats = walk_features(lang, score, hits, news)
    if words:
        for w in word_features(doc):
            feats[w] = 1.0
    return feats
