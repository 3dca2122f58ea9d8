"""The learned sentiment layer: a small linear model over the lexicon walk and the document's words.

Why: the lexicon walk sees the tone of real coverage but its fixed bands do not trust it (Chinese
tech media write hype in a vocabulary and rhythm synthetic text lacks; a reported quote reads as
alarm). A multinomial logistic regression, trained by ``ingest.tag.sentiment_train`` and chosen by
cross-validation on the audit set's tuning part, turns the walk's figures into the label:

- walk figures, per language and shared: the lexicon score, the positive and negative masses
  per square root of length (log1p), their balance, newsness;
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
                  news: float, chars: int = 0) -> dict[str, float]:
    """The lexicon walk's figures, once shared and once under the language's prefix. The loaded
    masses are taken per square root of length (like the score's own normalisation), so one
    strong word in a long article weighs what it weighs in the lexicon: little."""
    pos = neg = 0.0
    for v, _ in hits:
        if v > 0:
            pos += v
        elif v < 0:
            neg -= v
    scale = math.sqrt(1.0 + chars / 100.0)
    base = {
        "score": score,
        "balance": (pos - neg) / (pos + neg + 1.0),
        "pos": math.log1p(pos / scale),
        "neg": math.log1p(neg / scale),
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
             words: bool = True, terms: bool = True) -> dict[str, float]:
    lang = "zh" if doc.lang == "zh" else "en"
    hits = list(hits)
    feats = walk_features(lang, score, hits, news, len(doc.title) + len(doc.text))
    if terms:       # which lexicon terms fired (negated ones under their negated surface)
        for _, surface in hits:
            feats["h:" + surface] = 1.0
    if words:
        for w in word_features(doc):
            feats[w] = 1.0
    return feats


_WORD_ROWS: dict[int, tuple[LinearModel, dict[str, tuple[float, ...]]]] = {}


def _word_rows(model: LinearModel) -> dict[str, tuple[float, ...]]:
    """The model's word weights keyed by the bare token (holding the model keeps its id unique)."""
    entry = _WORD_ROWS.get(id(model))
    if entry is None:
        rows = {k[2:]: v for k, v in model.weights.items() if k.startswith("t:")}
        _WORD_ROWS[id(model)] = entry = (model, rows)
    return entry[1]


def label(model: LinearModel, doc: Doc, score: float, hits: Iterable[tuple[float, str]],
          news: float) -> str:
    """The model's label for a document: `features` scored without building word-feature names
    (the same sum: each distinct kept word adds its row once)."""
    out = model.scores(features(doc, score, hits, news, words=False,
                                terms=bool(model.meta.get("terms", False))))
    if model.meta.get("words", True):
        rows = _word_rows(model)
        if doc.lang == "zh":
            toks = doc.tokens
        else:
            from ingest.tag.sentiment import _en_tokens

            toks = _en_tokens(doc)
        n = len(out)
        get = rows.get
        for t in set(toks):
            row = get(t)
            if row is not None and len(t) <= _WORD_MAX:
                for k in range(n):
                    out[k] += row[k]
    return model.classes[max(range(len(out)), key=out.__getitem__)]
