"""Is the item substantively about AI video generation? (TAXONOMY: relevant)

Scored per sentence, not per word, so one passing sentence in a long piece stays a passing mention:
- a *video sentence* names a video model as such, or holds a strong AI-video phrase ("文生视频",
  "AI短剧", "text-to-video", "deepfake video"), or a weak video word ("视频", "clip", "deepfake")
  next to an AI word in the same sentence (not in a sentence about non-video AI: "deepfake audio");
- phrases inside a list of media types ("文字、图片、音频、视频", "images and video") count little;
- the title counts more than a body sentence;
- sentences about non-video AI (chatbots, image generators, LLMs) pull the score down when they
  outnumber the video sentences.

score = title/body video weights + density * (video sentences / sentences) - nonvideo penalty;
relevant when score >= threshold. Weights live in data/signals.toml [relevance.weights].

User aliases for models: see ingest.tag.lexicon (environment variable AIGCWATCH_ALIASES).
"""
from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ingest.tag.doc import Doc
from ingest.tag.lexicon import Matcher, load_toml
from ingest.tag.linear import derived, word_rows
from ingest.tag.linear import load as load_linear
from ingest.tag.models import ModelResult
from ingest.tag.words import model_words
from ingest.tag.words import tokens as word_tokens


RELEVANCE_MODEL = "relevance_model.json"
_HAS_AI = re.compile(r"(?<![a-z])ai(?![a-z])|aigc|人工智能")
# a matched phrase that is itself a deception word ("ai换脸", "deepfake video", "假视频")
_HAS_FAKE = re.compile(r"fake|face ?-?swap|换脸|伪造|深伪|深度合成|假")
# talk of AI itself, not of companies or products that also do AI (Google, 腾讯, 会员): what weak
# video words need beside them for a tag the learned layer makes (see grounded). Whole words only
# ("generate $76 billion", "扩散" as in news spreading, "模型车" are not AI talk).
_AI_TALK = re.compile(
    r"(?<![a-z0-9])(?:ai|a\.i\.|aigc|genai|generative|artificial intelligence|machine learning|"
    r"neural networks?|diffusion models?|video models?|ai models?|deep ?-?fakes?|face ?-?swap(?:s|ped|ping)?|"
    r"text-to-video|image-to-video|synthetic (?:video|media)|world models?|gpus?|openai|deepmind|chatgpt)(?![a-z0-9])|"
    r"人工智能|生成式|深度合成|大模型|视频模型|扩散模型|世界模型|换脸|深度伪造|深伪|机器学习|神经网络|算力|文生视频|图生视频")
# deception words that are AI fakery by themselves (no AI word needed around them)
_AI_FAKE = re.compile(r"deep ?-?fake|face ?-?swap|换脸|深度伪造|深伪|深度合成")


@dataclass(frozen=True)
class Signals:
    """Per-sentence video / AI / non-video-AI evidence of one document."""

    strong: dict[int, list[str]]       # sentence index -> strong video phrases
    weak: dict[int, list[str]]         # sentence index -> weak video words (AI word present)
    ai: frozenset[int]                 # sentences with an AI word
    nonvideo: frozenset[int]           # sentences about non-video AI
    listed: frozenset[int]             # sentences holding a list of media types
    fake: frozenset[int] = frozenset()     # sentences with a deception word
    media: frozenset[int] = frozenset()    # sentences naming other media (voice, image, text)
    law: frozenset[int] = frozenset()      # sentences about laws and rules

    @property
    def clearly_video(self) -> bool:
        """At least two strong video sentences: enough for a bare model name to count."""
        return len(self.strong) >= 2


@dataclass(frozen=True)
class Relevance:
    relevant: bool
    score: float
    evidence: tuple[str, ...]


class _Lexicon:
    def __init__(self, signals: Matcher, weights: dict[str, float]) -> None:
        self.signals = signals        # payload: "strong" | "weak" | "ai" | "nonvideo" | "listed"
        self.weights = weights
        self._kinds: dict[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]]] = {}

    def kinds(self, text: str, payloads: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
        """A match as written -> (phrase with white space collapsed, kinds to file it under):
        its payloads, then "ai" when the phrase holds an AI word ("ai换脸", "ai video")."""
        entry = self._kinds.get((text, payloads))
        if entry is None:
            phrase = " ".join(text.split())
            kinds = payloads
            if "ai" not in payloads and _HAS_AI.search(phrase):
                kinds = kinds + ("ai",)
            if "fake" not in payloads and _HAS_FAKE.search(phrase):
                kinds = kinds + ("fake",)
            if "fake" in kinds and _AI_FAKE.search(phrase):
                kinds = kinds + ("aifake",)
            entry = (phrase, kinds)
            if len(self._kinds) < 50_000:
                self._kinds[(text, payloads)] = entry
        return entry


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    data = load_toml("signals.toml")
    rel = data["relevance"]
    entries = [(p, "strong") for p in rel["video_strong"]]
    entries += [(p, "weak") for p in rel["video_weak"]]
    entries += [(p, "ai") for p in data["context"]["ai"]]
    entries += [(p, "nonvideo") for p in rel["nonvideo_ai"]]
    entries += [(p, "listed") for p in rel["media_list"]]
    entries += [(p, "film") for p in rel["video_film"]]
    entries += [(p, "fake") for p in rel["fake"]]
    entries += [(p, "media") for p in rel["other_media"]]
    entries += [(p, "law") for p in rel["law"]]
    entries += [(p, "aimade") for p in rel["ai_made"]]
    return _Lexicon(Matcher(entries), {k: float(v) for k, v in rel["weights"].items()})


def by_kind(doc: Doc) -> dict[str, dict[int, list[str]]]:
    """One pass over the text: kind -> sentence index -> phrases found there."""
    lex = _lexicon()
    out: dict[str, dict[int, list[str]]] = {k: {} for k in ("strong", "weak", "ai", "nonvideo",
                                                              "listed", "film", "fake", "aifake", "media", "law",
                                                              "aimade")}
    starts, spans = doc.starts, doc.spans
    for start, _, text, _, payloads in lex.signals.scan(doc.norm):
        i = bisect_right(starts, start) - 1          # doc.sentence_at(start), inlined
        if i < 0 or start >= spans[i][1]:
            continue
        phrase, kinds = lex.kinds(text, payloads)
        for kind in kinds:
            found = out[kind]
            phrases = found.get(i)
            if phrases is None:
                found[i] = [phrase]
            else:
                phrases.append(phrase)
    return out


def scan(doc: Doc, model_sentences: frozenset[int] = frozenset()) -> Signals:
    """Video/AI signals per sentence. `model_sentences`: sentences naming a video model (they make
    the document topical like a strong phrase does)."""
    return signals_from(doc, by_kind(doc), model_sentences)


def strong_sentences(found: dict[str, dict[int, list[str]]]) -> dict[int, list[str]]:
    """Sentences with a strong video phrase, and those about an AI-faked video: a deception word
    and a video word in one sentence, AI fakery named in it or next to it ("网传视频系AI合成的虚假
    信息", "a deepfake video of me", "视频通话里的“亲友”是AI换脸"), or a saying that something is
    AI-made within two sentences of a video word ("That clip? Didn't happen. It's AI.")."""
    ai = found["ai"]
    strong = dict(found["strong"])
    video_words = found["weak"]
    aimade = found["aimade"]
    for i, fakes in found["fake"].items():
        if i in strong or i not in video_words:
            continue
        # "Video of pilot rescuing puppy is not real" ... three sentences on, "an AI generator's
        # watermark"; "...isn't real? ... it's AI, Nana."
        if (i in found["aifake"] or any(j in ai for j in range(i - 3, i + 4))
                or any(j in aimade for j in range(i - 4, i + 5))):
            strong[i] = [fakes[0]]
    # "That clip? Didn't happen. It's AI." / "这段视频大家别转了。是AI。": a saying that something
    # is AI-made within two sentences of a video word (not one that is itself AI talk, "ai ad")
    media = found["media"]
    for i, said in aimade.items():
        if i in strong or i in media:
            continue
        if any(j in video_words and any(not _HAS_AI.search(w) for w in video_words[j])
               for j in range(i - 2, i + 3)):
            strong[i] = [said[0]]
    return strong


def signals_from(doc: Doc, found: dict[str, dict[int, list[str]]],
                 model_sentences: frozenset[int] = frozenset(),
                 strong: dict[int, list[str]] | None = None) -> Signals:
    """Signals from by_kind's output; `strong`: strong_sentences(found) when already known."""
    ai = found["ai"]
    nonvideo = frozenset(found["nonvideo"])
    if strong is None:
        strong = strong_sentences(found)
    anchors = set(strong) | model_sentences
    # Weak video words count next to an AI word, or anywhere once the document is about video:
    # it has strong video sentences and they are not outweighed by non-video AI sentences. Film
    # industry words count only in such a document.
    topical = bool(anchors) and _weighted(doc, anchors) >= _weighted(doc, nonvideo - anchors)
    weak = {i: words for i, words in found["weak"].items()
            if (topical or i in ai) and i not in anchors and i not in nonvideo}
    if topical:
        for i, words in found["film"].items():
            if i not in anchors and i not in nonvideo and i not in weak:
                weak[i] = words
    return Signals(strong=strong, weak=weak, ai=frozenset(ai), nonvideo=nonvideo,
                   listed=frozenset(found["listed"]), fake=frozenset(found["fake"]),
                   media=frozenset(found["media"]), law=frozenset(found["law"]))


def _weighted(doc: Doc, sentences: set[int] | frozenset[int]) -> float:
    title = _lexicon().weights["title"]
    return sum(title if doc.in_title(i) else 1.0 for i in sentences)


@dataclass(frozen=True)
class Scored:
    """The rule's arithmetic for one document."""
    per_sentence: dict[int, tuple[float, str]]     # sentence -> (weight, phrase)
    score: float
    density: float
    extra: float                                    # non-video AI sentences beyond the anchors
    anchors: frozenset[int]
    rule: bool                                      # score >= threshold


def scored(doc: Doc, signals: Signals, models: ModelResult) -> Scored:
    w = _lexicon().weights
    per_sentence: dict[int, tuple[float, str]] = {}

    def offer(i: int, weight: float, phrase: str) -> None:
        if i in signals.listed:
            weight *= w["listed"]
        if doc.in_title(i):
            weight *= w["title"]
        if weight > per_sentence.get(i, (0.0, ""))[0]:
            per_sentence[i] = (weight, phrase)

    for hit in models.hits:
        i = doc.sentence_at(hit.start)
        if i >= 0:
            offer(i, w["strong"], " ".join(hit.text.split()))
    for i, phrases in signals.strong.items():
        offer(i, w["strong"], phrases[0])
    for i, phrases in signals.weak.items():
        offer(i, w["weak"], phrases[0])

    n_sentences = max(1, len(doc.spans))
    body = sum(v for v, _ in per_sentence.values())
    density = min(1.0, body / n_sentences)
    anchors = frozenset(i for i in per_sentence if i not in signals.weak)
    extra = max(0.0, _weighted(doc, signals.nonvideo - anchors) - _weighted(doc, anchors))
    score = body + w["density"] * density - w["nonvideo"] * extra if body else 0.0
    return Scored(per_sentence, score, density, extra, anchors, score >= w["threshold"])


def decide(doc: Doc, signals: Signals, models: ModelResult, learned: bool = True) -> Relevance:
    """Relevant when the score reaches the threshold; or, when data/relevance_model.json is
    present and `learned`, when the learned layer over `decision_features` (and the document's
    words, when the layer was trained with them) says so. Either way only when `grounded`."""
    sc = scored(doc, signals, models)
    ranked = sorted(sc.per_sentence.items(), key=lambda kv: (-kv[1][0], kv[0]))
    evidence = tuple(dict.fromkeys(phrase for _, (_, phrase) in ranked))[:6]
    relevant = sc.rule
    model = load_linear(RELEVANCE_MODEL) if learned else None
    if model is not None and len(model.classes) == 2:
        bias, dense, langs, by_title, first, log_counts = _unrolled(model)
        lang = "zh" if doc.lang == "zh" else "en"
        margin = bias + langs.get(lang, 0.0)
        values = _decision_values(doc, signals, models, sc)
        for v, w in zip(values, dense):
            margin += v * w
        deltas = by_title[values[_TITLE] > 0]
        if deltas:
            margin += word_margin(doc, deltas, log_counts)
        # argmax: a tie goes to the first class
        relevant = margin > 0 or (margin == 0 and first)
    elif model is not None:
        relevant = model.label(decision_features(doc, signals, models, sc)) == "relevant"
    relevant = relevant and grounded(sc, doc.norm)
    return Relevance(relevant=relevant, score=round(sc.score, 3), evidence=evidence)


def grounded(sc: Scored, doc_norm: str) -> bool:
    """Evidence the tag can show: a sentence naming a video model or holding a video phrase, or
    weak video words ("短视频", "直播") in a text that speaks of AI itself (`_AI_TALK`; a company
    name is not enough). The layer's words alone never make a tag: feeds carry pieces on
    short-video and live-streaming numbers, VC careers or sports business that the audit set (all
    of it about AI) never showed the layer. Weak sentences outside a video document already hold
    an AI word of the broad context list (companies too), so only `_AI_TALK` is checked here."""
    if sc.anchors:
        return True
    return bool(sc.per_sentence) and _AI_TALK.search(doc_norm) is not None


def word_margin(doc: Doc, deltas: dict[str, float], log_counts: bool) -> float:
    """What the document's words add to the layer's margin: each word's weight, times log(1 + the
    times it occurs) when the layer was trained on counts (a piece that says "video" ten times is
    more about video than one that says it once)."""
    present = deltas.keys() & model_words(doc)
    if not present:
        return 0.0
    if not log_counts:
        return sum(map(deltas.__getitem__, present))
    counts = Counter(word_tokens(doc))
    log1p = math.log1p
    return sum(deltas[w] * log1p(counts[w]) for w in present)


_Unrolled = tuple[float, tuple[float, ...], dict[str, float],
                  tuple[dict[str, float], dict[str, float]], bool, bool]


def _unrolled(model: Any) -> _Unrolled:
    """A two-class model as margins of "relevant" over the other class: (bias, weights of the
    _DECISION figures in order, lang -> bias, bare word -> weight when the title holds no video
    sentence and when it does, "relevant" is the first class, words count as log counts).
    Computed once per model object."""
    return derived(model, "relevance", _unroll)


def _unroll(model: Any) -> _Unrolled:
    k = model.classes.index("relevant")
    zero = (0.0, 0.0)

    def delta(name: str) -> float:
        row = model.weights.get(name, zero)
        return row[k] - row[1 - k]

    by_title: tuple[dict[str, float], dict[str, float]] = ({}, {})
    if model.meta.get("words"):
        plain = {w: row[k] - row[1 - k] for w, row in word_rows(model).items()}
        for flag, prefix in enumerate(CROSSED_WORDS):
            crossed = {name[len(prefix):]: row[k] - row[1 - k]
                       for name, row in model.weights.items() if name.startswith(prefix)}
            by_title[flag].update({w: plain.get(w, 0.0) + crossed.get(w, 0.0)
                                   for w in plain.keys() | crossed.keys()})
    return (model.bias[k] - model.bias[1 - k], tuple(delta(f"all:{n}") for n in _DECISION),
            {lang: delta(f"{lang}:bias") for lang in ("zh", "en")}, by_title, k == 0,
            bool(model.meta.get("log_counts")))


_DECISION = ("score", "log_score", "rule", "density", "extra", "strong", "models", "distinct_models",
             "weak", "nonvideo", "ai", "listed", "fake", "media", "law", "media_share", "title", "len",
             "first", "lead", "anchor_share", "nonvideo_share")
_TITLE = _DECISION.index("title")
# the prefixes of the word rows apart by the title flag (index 0: no video sentence in the title)
CROSSED_WORDS = ("X0:t:", "X1:t:")


def _decision_values(doc: Doc, signals: Signals, models: ModelResult, sc: Scored
                     ) -> tuple[float, ...]:
    """decision_features' figures in _DECISION order."""
    log1p = math.log1p
    score, anchors = sc.score, sc.anchors
    model_sentences = {doc.sentence_at(h.start) for h in models.hits}
    media = len(signals.media)
    titled = doc.title_sentences
    n = max(1, len(doc.spans))
    return (
        max(-5.0, min(score, 20.0)) / 10.0, log1p(max(score, 0.0)), 1.0 if sc.rule else 0.0,
        sc.density, log1p(sc.extra), log1p(len(signals.strong)), log1p(len(model_sentences)),
        log1p(len(models.models)), log1p(len(signals.weak)), log1p(len(signals.nonvideo)),
        log1p(len(signals.ai)), log1p(len(signals.listed)), log1p(len(signals.fake)),
        log1p(media), log1p(len(signals.law)), media / max(1, media + len(anchors)),
        1.0 if any(0 <= i < titled for i in anchors) else 0.0, log1p(len(doc.spans)),
        # where the video evidence starts, and how much of the AI talk it is: a piece that comes
        # to video late, or talks mostly of other AI, is about something else
        min(anchors) / n if anchors else 1.0,
        1.0 if any(i <= titled + 1 for i in anchors) else 0.0,
        len(anchors) / max(1, len(signals.ai | anchors)),
        len(signals.nonvideo) / n,
    )


def decision_features(doc: Doc, signals: Signals, models: ModelResult, sc: Scored
                      ) -> dict[str, float]:
    """What the learned relevance layer weighs: the rule's score and verdict, and how many
    sentences of each kind the document has (video phrases, model names, weak video words,
    non-video AI, AI words, deception words, other media, laws), whether the title is one of
    them, the document's length, where the first video sentence stands (its share of the way
    through; in the title or the first two body sentences), the video sentences' share of the
    sentences that speak of AI, and the non-video AI sentences' share of all."""
    lang = "zh" if doc.lang == "zh" else "en"
    out = {f"all:{k}": v for k, v in zip(_DECISION, _decision_values(doc, signals, models, sc))}
    out[f"{lang}:bias"] = 1.0
    return out


def has_ai(signals: Signals) -> bool:
    return bool(signals.ai or signals.strong)
