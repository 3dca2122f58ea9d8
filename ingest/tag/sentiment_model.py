"""The learned sentiment layer: a small linear model over the lexicon walk and the document's words.

Why: the lexicon walk sees the tone of real coverage but its fixed bands do not trust it (Chinese
tech media write hype in a vocabulary and rhythm synthetic text lacks; a reported quote reads as
alarm). A multinomial logistic regression, trained by ``ingest.tag.sentiment_train`` and chosen by
cross-validation on the audit set's tuning part, turns the walk's figures into the label:

- walk figures, per language and shared: the lexicon score, the positive and negative masses
  per square root of length (log1p), their balance, newsness;
- words: the set of the document's word tokens (jieba words for Chinese, words for English) that
  the model kept (those seen in enough training documents), each worth 1;
- themes: the themes the tagger found in the item, shared and per language, each worth 1 (what a
  piece is about leans its tone: job-loss fears and deepfakes are mostly told with alarm, launches
  mostly with enthusiasm; cross-validated on the tune part, 0.676 -> 0.691).

Runtime is pure Python (``ingest.tag.linear``): the weights live in ``data/sentiment_model.json``.
"""
from __future__ import annotations

import math
from typing import Any, Iterable

from ingest.tag.doc import Doc
from ingest.tag.linear import LinearModel, derived, load, word_rows
from ingest.tag.words import model_words, word_set

MODEL_FILE = "sentiment_model.json"


def load_model() -> LinearModel | None:
    """The shipped model (read once), or None when its data file is absent."""
    return load(MODEL_FILE)


_WALK = ("score", "balance", "pos", "neg", "news")


def walk_values(score: float, hits: Iterable[tuple[float, str]], news: float,
                chars: int = 0) -> tuple[float, ...]:
    """The lexicon walk's figures in _WALK order. The loaded masses are taken per square root of
    length (like the score's own normalisation), so one strong word in a long article weighs
    what it weighs in the lexicon: little."""
    pos = neg = 0.0
    for v, _ in hits:
        if v > 0:
            pos += v
        elif v < 0:
            neg -= v
    scale = math.sqrt(1.0 + chars / 100.0)
    return (score, (pos - neg) / (pos + neg + 1.0), math.log1p(pos / scale),
            math.log1p(neg / scale), news)


def walk_features(lang: str, score: float, hits: Iterable[tuple[float, str]],
                  news: float, chars: int = 0) -> dict[str, float]:
    """The walk's figures as named features, once shared ("w:") and once under the language."""
    values = walk_values(score, hits, news, chars)
    out = {f"w:{k}": v for k, v in zip(_WALK, values)}
    out.update({f"{lang}:{k}": v for k, v in zip(_WALK, values)})
    return out


def word_features(doc: Doc) -> set[str]:
    """The document's distinct word tokens (lower-case; jieba words for Chinese), as features."""
    return {"t:" + t for t in word_set(doc)}


def theme_features(lang: str, themes: Iterable[str]) -> dict[str, float]:
    """The item's themes as named features, once shared ("th:") and once under the language."""
    out = {}
    for t in themes:
        out[f"th:{t}"] = out[f"{lang}:th:{t}"] = 1.0
    return out


def features(doc: Doc, score: float, hits: Iterable[tuple[float, str]], news: float,
             words: bool = True, terms: bool = True, themes: Iterable[str] = ()) -> dict[str, float]:
    lang = "zh" if doc.lang == "zh" else "en"
    hits = list(hits)
    feats = walk_features(lang, score, hits, news, len(doc.title) + len(doc.text))
    feats.update(theme_features(lang, themes))
    if terms:       # which lexicon terms fired (negated ones under their negated surface)
        for _, surface in hits:
            feats["h:" + surface] = 1.0
    if words:
        for w in word_features(doc):
            feats[w] = 1.0
    return feats


def _unrolled(model: LinearModel) -> Any:
    """(bias, lang -> weights of the _WALK figures (shared + that language's) per class, lang ->
    theme -> row (shared + that language's), bare word -> row); computed once per model object."""
    return derived(model, "sentiment", _unroll)


def _unroll(model: LinearModel) -> Any:
    zero = (0.0,) * len(model.classes)

    def row(name: str) -> tuple[float, ...]:
        return model.weights.get(name, zero)

    dense = {lang: tuple(tuple(a + b for a, b in zip(row(f"w:{k}"), row(f"{lang}:{k}")))
                         for k in _WALK) for lang in ("zh", "en")}
    named = {name.partition("th:")[2] for name in model.weights
             if name.startswith(("th:", "zh:th:", "en:th:"))}
    themes = {lang: {t: tuple(a + b for a, b in zip(row(f"th:{t}"), row(f"{lang}:th:{t}")))
                     for t in named} for lang in ("zh", "en")}
    return model.bias, dense, themes, word_rows(model)


def label(model: LinearModel, doc: Doc, score: float, hits: Iterable[tuple[float, str]],
          news: float, themes: Iterable[str] = ()) -> str:
    """The model's label for a document: the same sum as model.label(features(...)), computed from
    unrolled weights without building feature names (each distinct kept word adds its row once)."""
    if model.meta.get("terms", False):
        return model.label(features(doc, score, hits, news, terms=True,
                                    words=bool(model.meta.get("words", True)), themes=themes))
    bias, dense, theme_rows, words = _unrolled(model)
    lang = "zh" if doc.lang == "zh" else "en"
    values = walk_values(score, hits, news, len(doc.title) + len(doc.text))
    out = list(bias)
    for v, w in zip(values, dense[lang]):
        if v:
            out = [o + v * x for o, x in zip(out, w)]
    for t in set(themes):
        w = theme_rows[lang].get(t)
        if w is not None:
            out = [o + x for o, x in zip(out, w)]
    if model.meta.get("words", True):
        common = words.keys() & model_words(doc)
        if common:
            out = [a + sum(col) for a, col in zip(out, zip(*map(words.__getitem__, common)))]
    return model.classes[max(range(len(out)), key=out.__getitem__)]
