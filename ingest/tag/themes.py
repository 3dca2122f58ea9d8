"""Themes (TAXONOMY: jobs, creative_industry, ... compute), the same definitions in zh and en.

A theme counts only when substantively present: cues are scored per sentence (strong cue 2, weak
cue 1, distinct cues add up, at most 3 a sentence, the title x1.5) and the theme is kept when its
best sentence reaches the theme's `sentence` threshold (one sentence about it) or the sum over
sentences reaches its `total` threshold (it runs through the piece). One word is never enough.
`paired` cues ("beats", "更", "超过") count as strong only in a sentence naming two models or more;
a sentence naming three models or more is itself a weak competition cue.
Evidence keeps the cue phrases and the best sentence.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Iterator, Mapping, NamedTuple

from ingest.tag.doc import Doc
from ingest.tag.lexicon import Matcher, load_toml
from ingest.tag.linear import derived, word_rows
from ingest.tag.linear import load as load_linear
from ingest.tag.sentiment import en_tokens
from ingest.tag.words import is_word, model_words

THEMES: tuple[str, ...] = (
    "jobs", "creative_industry", "agi_world_model", "flaws", "tech", "markets", "competition",
    "copyright", "misinformation", "regulation", "launch_access", "compute",
)
STRONG, WEAK = 2.0, 1.0
SENTENCE_CAP = 3.0
TITLE_FACTOR = 1.5
MANY_MODELS = 3
SHORT_BASE, SHORT_PER_SENTENCE = 3.0, 0.5
THEME_MODEL = "theme_model.json"
LONG = 15            # past this many sentences the `total` threshold grows with length
_NEGATION = re.compile(r"(?:不|没|没有|无|未|不会|毫无)$|\b(?:no|not|never|without|zero)\s+$|n't\s+$")


@dataclass(frozen=True)
class ThemeResult:
    themes: tuple[str, ...]
    evidence: dict[str, tuple[str, ...]]
    scores: dict[str, float]


@dataclass(frozen=True)
class _Lexicon:
    cues: Matcher                     # payload: (theme, weight, paired)
    thresholds: dict[str, tuple[float, float]]   # theme -> (sentence, total)
    negatable: frozenset[str]         # themes whose cues a negation right before cancels


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    data = load_toml("themes.toml")
    entries = []
    thresholds = {}
    for theme in THEMES:
        spec = data.get(theme, {})
        entries += [(c, (theme, STRONG, False)) for c in spec.get("strong", [])]
        entries += [(c, (theme, WEAK, False)) for c in spec.get("weak", [])]
        entries += [(c, (theme, STRONG, True)) for c in spec.get("paired", [])]
        thresholds[theme] = (float(spec.get("sentence", 3)), float(spec.get("total", 6)))
    negatable = frozenset(t for t in THEMES if data.get(t, {}).get("negatable", False))
    return _Lexicon(Matcher(entries), thresholds, negatable)


# theme -> sentence -> cue key -> (weight, phrase as written)
_Found = dict[str, dict[int, dict[str, tuple[float, str]]]]
# theme -> sentence -> sum of its cue weights
_Totals = dict[str, dict[int, float]]


def _found(doc: Doc, model_counts: Mapping[int, int]) -> tuple[_Found, _Totals]:
    lex = _lexicon()
    norm = doc.norm
    starts, spans = doc.starts, doc.spans
    negatable = lex.negatable
    found: _Found = {}
    totals: _Totals = {}
    for start, _, text, key, payloads in lex.cues.scan(norm):
        i = bisect_right(starts, start) - 1          # doc.sentence_at(start), inlined
        if i < 0 or start >= spans[i][1]:
            continue
        negated: bool | None = None
        for theme, weight, paired in payloads:
            if paired and model_counts.get(i, 0) < 2:
                continue
            if theme in negatable:
                if negated is None:
                    negated = bool(_NEGATION.search(norm, max(0, start - 8), start))
                if negated:
                    continue
            by_sentence = found.get(theme)
            if by_sentence is None:
                by_sentence = found[theme] = {}
                totals[theme] = {}
            cues = by_sentence.get(i)
            if cues is None:
                by_sentence[i] = {key: (weight, text)}
                totals[theme][i] = weight
                continue
            old = cues.get(key)
            if old is None:
                cues[key] = (weight, text)
                totals[theme][i] += weight
            elif weight > old[0]:
                cues[key] = (weight, text)
                totals[theme][i] += weight - old[0]
    for i, n in model_counts.items():
        if n >= MANY_MODELS:     # a sentence lining up several models is a comparison cue
            cues = found.setdefault("competition", {}).setdefault(i, {})
            if "#models" not in cues:
                cues["#models"] = (WEAK, f"{n} models")
                sums = totals.setdefault("competition", {})
                sums[i] = sums.get(i, 0.0) + WEAK
    return found, totals


class ThemeStats(NamedTuple):
    """How much of one theme a document holds (the inputs of the decision)."""
    best: float              # best sentence score (title x1.5)
    total: float             # sum over sentences
    need_sentence: float     # the theme's thresholds for this document
    need_total: float
    sentences: int           # sentences with a cue of the theme
    cues: int                # distinct cue phrases
    strong: int              # distinct strong cues
    in_title: bool
    best_sentence: int = -1  # the sentence scoring `best` (the first of equals)
    listed: bool = False     # its one cue sits among short Chinese clauses between commas (a list?)

    @property
    def by_rule(self) -> bool:
        """The fixed thresholds' verdict (a cue that may be a list item is none)."""
        return not self.listed and (self.best >= self.need_sentence or self.total >= self.need_total)


def stats(doc: Doc, model_counts: Mapping[int, int] | None = None, skip_title: bool = False
          ) -> tuple[dict[str, ThemeStats], _Found, _Totals]:
    """Per theme with any cue: its ThemeStats; plus the cues found and per-sentence cue totals."""
    lex = _lexicon()
    found, totals = _found(doc, model_counts or {})
    if skip_title and doc.text:
        found = {t: {i: c for i, c in ss.items() if not doc.in_title(i)} for t, ss in found.items()}
        totals = {t: {i: v for i, v in ss.items() if not doc.in_title(i)}
                  for t, ss in totals.items()}
    out: dict[str, ThemeStats] = {}
    n = len(doc.spans)
    titled = doc.title_sentences
    for theme in THEMES:
        sums = totals.get(theme)
        if not sums:
            continue
        best = total = 0.0
        best_i = -1
        for i, v in sums.items():           # capped per sentence, the title weighing more
            v = min(SENTENCE_CAP, v) * (TITLE_FACTOR if 0 <= i < titled else 1.0)
            total += v
            if v > best or (v == best and i < best_i):
                best = v
                best_i = i
        need_sentence, need_total = lex.thresholds[theme]
        # a short post is "about" a theme with fewer cues than a long article, and a long
        # article gathers scattered weak cues by sheer length
        need_total = min(need_total, SHORT_BASE + SHORT_PER_SENTENCE * n) * max(1.0, n / LONG)
        by_sentence = found[theme]
        listed = False
        if len(by_sentence) == 1:
            seen = by_sentence[best_i]
            if len(seen) == 1:
                kind = _listed(doc, best_i, next(iter(seen.values()))[1])
                if kind == "list":
                    continue                    # one word in a list is not the theme (TAXONOMY)
                # short Chinese clauses between commas: maybe a list, maybe a sentence about
                # the theme ("输出不稳定，可能要多试几次，"): no theme by the rule, the layer weighs it
                listed = kind == "clauses"
        else:
            seen = {}
            for cues in by_sentence.values():   # distinct cues (the last sentence's weight)
                seen.update(cues)
        strong = 0
        for w, _ in seen.values():
            if w >= STRONG:
                strong += 1
        out[theme] = ThemeStats(best, total, need_sentence, need_total, len(sums), len(seen),
                                strong, min(sums) < titled, best_i, listed)
    return out, found, totals


# what only a list has between its items (Chinese prose also strings short clauses with commas)
_ENUMERATION_MARKS = r"[、;；/]|\s(?:and|or)\s|[和及与或]"
_ENUMERATION = re.compile(_ENUMERATION_MARKS)
_LIST_SEP = re.compile(r"[,，:：]|" + _ENUMERATION_MARKS)
_HAN = re.compile(r"[\u4e00-\u9fff]")
LIST_ITEM = 24            # a list item is at most this long (characters)


def _listed(doc: Doc, sentence: int, phrase: str) -> str | None:
    """Is `phrase` an item of a list in that sentence: three or more short segments between
    commas, enumeration marks or "and"/"和", one of them holding the phrase? "list" when it is,
    "clauses" when the segments are Chinese text between commas or colons only (short clauses of
    a sentence look the same), None when it is no list."""
    start, end = doc.spans[sentence]
    text = doc.norm[start:end]
    parts = _LIST_SEP.split(text)
    if len(parts) < 3:
        return None
    phrase = " ".join(phrase.lower().split())
    short = [p for p in parts if len(p.strip()) <= LIST_ITEM]
    if len(short) < 3 or not any(phrase in " ".join(p.split()) for p in short):
        return None
    if _HAN.search(text) and not _ENUMERATION.search(text):
        return "clauses"
    return "list"


_LOG1P = tuple(math.log1p(i) for i in range(256))


def _log1p(n: int) -> float:
    return _LOG1P[n] if n < 256 else math.log1p(n)


_BASE = ("r_best", "r_total", "rule", "sent", "cues", "strong", "title", "share", "len", "listed")


def _values(st: ThemeStats, sentences: int) -> tuple[float, ...]:
    """per_theme_features' cue figures ("all:" names) in _BASE order."""
    return (st.best / st.need_sentence, st.total / st.need_total, 1.0 if st.by_rule else 0.0,
            _log1p(st.sentences), _log1p(st.cues), _log1p(st.strong),
            1.0 if st.in_title else 0.0, st.sentences / max(1, sentences), _log1p(sentences),
            1.0 if st.listed else 0.0)


def per_theme_features(st: ThemeStats, lang: str, sentences: int,
                       words: frozenset[str] | set[str] = frozenset(),
                       local: frozenset[str] | set[str] = frozenset()) -> dict[str, float]:
    """The per-theme layer's view of one theme in one document: the theme's cue figures (shared
    names, one model column per theme), the language, the document's words ("t:" + word) and the
    words of the sentences holding the theme's cues ("l:" + word, see `cue_words`)."""
    out = {f"all:{k}": v for k, v in zip(_BASE, _values(st, sentences))}
    out[f"{lang}:bias"] = 1.0
    for w in words:
        out["t:" + w] = 1.0
    for w in local:
        out["l:" + w] = 1.0
    return out


def _sentence_tokens(doc: Doc, i: int) -> Iterable[str]:
    """The tokens of sentence `i`: jieba's (found by their offsets) for Chinese, else the words
    as the document's words are read (`words.tokens`: "don’t" is one word, don't)."""
    a, b = doc.spans[i]
    ends = doc.token_ends
    if ends:
        return doc.tokens[bisect_right(ends, a):bisect_right(ends, b)]
    return en_tokens(doc.norm, a, b)


def cue_words(doc: Doc, sentences: Iterable[int]) -> frozenset[str]:
    """The words of the sentences holding a theme's cues: what the theme is said *with* (翻车 beside
    手指 and 物理 is a flaw; beside 股价 it is not). The learned layer weighs them per theme, apart
    from the document's words."""
    return frozenset(w for i in sentences for w in _sentence_tokens(doc, i) if is_word(w))


class _Unrolled(NamedTuple):
    """The per-theme model as `_present` reads it (classes = themes, one logit column per theme,
    already shifted by the cut)."""
    column: dict[str, int]                        # theme -> column
    bias: Any                                     # bias row
    rows: tuple[tuple[float, ...], ...]           # _BASE weight rows
    langs: dict[str, tuple[float, ...]]           # lang -> row
    words: dict[str, tuple[float, ...]]           # document word -> row ("t:")
    local: dict[str, tuple[float, ...]]           # cue-sentence word -> row ("l:")
    local_words: frozenset[str]                   # local's words (a set intersects faster)


def _cue_word_sum(unrolled: _Unrolled, k: int, doc: Doc, sentences: Iterable[int],
                  seen: dict[int, frozenset[str]]) -> float:
    """Column k's weight of the cue-sentence words the model weighs (`cue_words` met with its
    "l:" rows); `seen` keeps each sentence's kept words for the document's other themes."""
    words: set[str] = set()
    for i in sentences:
        kept = seen.get(i)
        if kept is None:
            kept = seen[i] = unrolled.local_words.intersection(_sentence_tokens(doc, i))
        words |= kept
    local = unrolled.local
    return sum(local[w][k] for w in words)


def _fast_weights(model: Any) -> _Unrolled:
    """The per-theme model unrolled for `_present`; computed once per model object."""
    return derived(model, "themes", _unroll)


def _unroll(model: Any) -> _Unrolled:
    zero = (0.0,) * len(model.classes)
    local = {name[2:]: row for name, row in model.weights.items() if name.startswith("l:")}
    return _Unrolled({t: k for k, t in enumerate(model.classes)}, model.bias,
                     tuple(model.weights.get(f"all:{b}", zero) for b in _BASE),
                     {lang: model.weights.get(f"{lang}:bias", zero) for lang in ("zh", "en")},
                     word_rows(model), local, frozenset(local))


def _word_sums(unrolled: _Unrolled, words: set[str] | frozenset[str]) -> tuple[float, ...] | None:
    """Per-theme sum of the weights of the document's distinct kept words."""
    rows = unrolled.words
    common = rows.keys() & words
    if not common:
        return None
    return tuple(map(sum, zip(*map(rows.__getitem__, common))))


def _present(unrolled: _Unrolled, theme: str, st: ThemeStats, lang: str, doc: Doc,
             cue_sentences: Iterable[int], word_sums: tuple[float, ...] | None = None,
             seen: dict[int, frozenset[str]] | None = None) -> bool:
    """The theme's column of the model > 0 for per_theme_features(...) with the document's words
    (`word_sums`: _word_sums of them) and the words of `cue_sentences`, without building the
    feature dict. `seen`: cue-sentence words already met for this document's other themes."""
    k = unrolled.column.get(theme)
    if k is None:
        return False
    z = unrolled.bias[k] + unrolled.langs[lang][k]
    for v, row in zip(_values(st, len(doc.spans)), unrolled.rows):
        if v:
            z += v * row[k]
    if word_sums is not None:
        z += word_sums[k]
    if unrolled.local:
        z += _cue_word_sum(unrolled, k, doc, cue_sentences, {} if seen is None else seen)
    return z > 0.0


def detect(doc: Doc, model_counts: Mapping[int, int] | None = None,
           skip_title: bool = False, learned: bool = True) -> ThemeResult:
    """Themes of `doc`. `model_counts`: sentence index -> distinct video models named in it and
    its neighbours (for `paired` cues, which count only where two models or more are named).
    `skip_title`: ignore the title (a spam title pasted over the article). The decision is the
    learned layer's (data/theme_model.json) when it is present and `learned`, else the rule."""
    found_stats, found, totals = stats(doc, model_counts, skip_title)
    model = load_linear(THEME_MODEL) if learned else None
    lang = "zh" if doc.lang == "zh" else "en"
    themes: list[str] = []
    evidence: dict[str, tuple[str, ...]] = {}
    scores: dict[str, float] = {}
    texts: dict[int, str] = {}          # evidence sentences (themes often share their best one)
    unrolled = _fast_weights(model) if model is not None and found_stats else None
    word_sums = _word_sums(unrolled, model_words(doc)) if unrolled is not None else None
    seen: dict[int, frozenset[str]] = {}   # sentence -> its words the model weighs ("l:")
    for theme, st in found_stats.items():
        if unrolled is not None:
            keep = _present(unrolled, theme, st, lang, doc, found[theme], word_sums, seen)
        else:
            keep = st.by_rule
        if not st.listed or keep:
            scores[theme] = round(st.total, 2)
        if not keep:
            continue
        themes.append(theme)
        best = st.best_sentence
        sentence = texts.get(best)
        if sentence is None:
            sentence = texts[best] = doc.sentence_text(best, 100)
        evidence[theme] = tuple(_phrases(found[theme], best, limit=4)) + (sentence,)
    return ThemeResult(tuple(themes), evidence, scores)


def _phrases(sentences: dict[int, dict[str, tuple[float, str]]], best: int,
             limit: int | None = None) -> list[str]:
    """Distinct cue phrases, the best sentence's first, then by sentence, the heavier first
    within a sentence; the first `limit` of them."""
    out: list[str] = []
    for i in _sentence_order(sentences, best):
        cues = sentences[i]
        ranked = sorted(cues.values(), key=_by_weight) if len(cues) > 1 else cues.values()
        for _, phrase in ranked:
            if not phrase.isalnum():          # white space inside: one space each
                phrase = " ".join(phrase.split())
            if phrase not in out:
                out.append(phrase)
                if len(out) == limit:
                    return out
    return out


def _sentence_order(sentences: dict[int, dict[str, tuple[float, str]]], best: int) -> Iterator[int]:
    yield best
    if len(sentences) > 1:
        yield from sorted(i for i in sentences if i != best)


def _by_weight(cue: tuple[float, str]) -> float:
    return -cue[0]
