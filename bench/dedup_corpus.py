"""A labelled corpus for the clustering benchmark: stories, their lightly edited copies, and hard
negatives, in Chinese and English. Deterministic for a seed; nothing is downloaded.

Text is synthetic but has real word statistics: Chinese words are drawn by frequency from jieba's
dictionary, English words from the jusText English stop list (frequent function words) and the
VADER lexicon (content words), both shipped with packages we already install.

Every item carries its family: the story it is a copy of (itself for an original). Kinds:
- original stories, each naming one or two video models;
- edited copies of an original (the positives): a new title, a lead-in ("据…报道，", "(Outlet) -"),
  an outlet tail, a dropped sentence, a few words replaced, sometimes cut to its first 70%, and
  for a third of Chinese copies the whole text in Traditional script;
- truncated summaries (positives, edit `summary`): a feed's summary of an original, its opening
  (15-40% of it) cut mid-sentence with an ellipsis, under a rewritten title;
- hard negatives, labelled as stories of their own: *template twins* (another story's wording
  with other models named and a quarter of the sentences rewritten — what launch templates
  produce), *quote sharers* (new stories that reuse one or two sentences of another) and
  *openers* (new stories on the same models that open with another's first sentence).

Summaries and openers are drawn from a random stream of their own: with their shares at 0 the
corpus is the one generated before they existed.
"""
from __future__ import annotations

import bisect
import contextlib
import itertools
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

ZH_MODELS = ("可灵", "即梦", "海螺", "Vidu", "Sora", "Veo", "通义万相", "混元视频")
EN_MODELS = ("Sora", "Veo", "Runway", "Kling", "Pika", "Hailuo", "Luma", "Vidu")
MODEL_IDS = {"可灵": "kling", "即梦": "jimeng", "海螺": "hailuo", "Vidu": "vidu", "Sora": "sora",
             "Veo": "veo", "通义万相": "wan", "混元视频": "hunyuan_video", "Runway": "runway",
             "Kling": "kling", "Pika": "pika", "Hailuo": "hailuo", "Luma": "luma"}
ZH_OUTLETS = ("新浪科技", "网易科技", "腾讯新闻", "凤凰网", "澎湃新闻", "界面新闻", "中关村在线", "快科技")
EN_OUTLETS = ("Reuters", "AP", "Bloomberg", "The Wire", "Tech Daily", "Business Desk", "Newsroom")
T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class Doc:
    n: int                  # position in arrival order
    family: int             # the original's number (itself for an original)
    lang: str
    title: str
    text: str
    models: frozenset[str]
    published: datetime
    kind: str               # original | copy | twin | quoter
    edits: str = ""         # for copies: the edits applied, "+"-joined


class _Vocab:
    def __init__(self, words: list[str], weights: list[float]) -> None:
        self.words = words
        self.cum = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random, k: int) -> list[str]:
        total = self.cum[-1]
        return [self.words[bisect.bisect(self.cum, rng.random() * total)] for _ in range(k)]


def _zh_vocab(limit: int = 60_000) -> _Vocab:
    path = Path(str(resources.files("jieba") / "dict.txt"))
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]{1,4}", parts[0]):
            rows.append((int(parts[1]), parts[0]))
    rows.sort(reverse=True)
    rows = rows[:limit]
    return _Vocab([w for _, w in rows], [f ** 0.75 for f, _ in rows])


def _en_vocab() -> _Vocab:
    stop = Path(str(resources.files("justext") / "stoplists" / "English.txt")).read_text().split()
    lex = Path(str(resources.files("vaderSentiment") / "vader_lexicon.txt")).read_text(
        encoding="utf-8", errors="replace").splitlines()
    content = sorted({ln.split("\t")[0] for ln in lex if re.fullmatch(r"[a-z]{3,}", ln.split("\t")[0])})
    words = [w.lower() for w in stop if w.isalpha()] + content
    weights = [180.0 / (i + 1) ** 0.5 for i in range(len(stop))] + [1.0] * len(content)
    return _Vocab(words, weights[:len(words)])


class Generator:
    def __init__(self, seed: int = 11) -> None:
        self.rng = random.Random(seed)
        self.zh, self.en = _zh_vocab(), _en_vocab()
        from opencc import OpenCC

        self.s2t = OpenCC("s2t")

    # -- sentences -------------------------------------------------------------------------
    def sentence(self, lang: str, model: str | None = None) -> str:
        rng = self.rng
        if lang == "zh":
            words = self.zh.draw(rng, rng.randint(8, 18))
            if model:
                words.insert(rng.randrange(len(words)), model)
            cut = rng.randrange(3, len(words)) if len(words) > 6 else len(words)
            return "".join(words[:cut]) + "，" + "".join(words[cut:]) + "。"
        words = self.en.draw(rng, rng.randint(10, 22))
        if model:
            words.insert(rng.randrange(len(words)), model)
        return " ".join(words).capitalize() + "."

    def story(self, n: int, lang: str, when: datetime) -> Doc:
        rng = self.rng
        names = rng.sample(ZH_MODELS if lang == "zh" else EN_MODELS, rng.choice((1, 1, 2)))
        sents = [self.sentence(lang, names[i % len(names)] if i < 2 or rng.random() < 0.3 else None)
                 for i in range(rng.randint(5, 9))]
        title = self.sentence(lang, names[0]).rstrip("。.")[:40]
        return Doc(n, n, lang, title, _join(sents, lang), frozenset(MODEL_IDS.get(m, m) for m in names),
                   when, "original")

    # -- edited copies (positives) ---------------------------------------------------------
    def copy(self, n: int, orig: Doc, when: datetime) -> Doc:
        rng, lang = self.rng, orig.lang
        sents = _split(orig.text, lang)
        edits = []
        if len(sents) > 3 and rng.random() < 0.7:
            del sents[rng.randrange(1, len(sents))]
            edits.append("drop")
        if rng.random() < 0.8:
            sents = [self._swap_words(s, lang, 0.03) for s in sents]
            edits.append("words")
        if rng.random() < 0.2:
            keep = max(2, int(len(sents) * 0.7))
            sents = sents[:keep]
            edits.append("cut")
        if lang == "zh":
            outlet = rng.choice(ZH_OUTLETS)
            if rng.random() < 0.7:
                sents[0] = f"据{outlet}报道，" + sents[0]
                edits.append("lead")
            if rng.random() < 0.5:
                sents.append(f"（来源：{outlet}，责任编辑：{self.zh.draw(rng, 1)[0]}）")
                edits.append("tail")
            text = _join(sents, lang)
            if rng.random() < 0.33:
                text = self.s2t.convert(text)
                edits.append("traditional")
        else:
            outlet = rng.choice(EN_OUTLETS)
            if rng.random() < 0.7:
                sents[0] = f"({outlet}) - " + sents[0]
                edits.append("lead")
            if rng.random() < 0.5:
                sents.append(f"This article originally appeared on {outlet}.")
                edits.append("tail")
            text = _join(sents, lang)
        title = self.sentence(lang).rstrip("。.")[:40]
        return Doc(n, orig.family, lang, title, text, orig.models, when, "copy", "+".join(edits))

    def _swap_words(self, sentence: str, lang: str, p: float) -> str:
        rng = self.rng
        if lang == "zh":
            chars = list(sentence)
            for i in range(len(chars)):
                if "\u4e00" <= chars[i] <= "\u9fff" and rng.random() < p:
                    chars[i] = self.zh.draw(rng, 1)[0][0]
            return "".join(chars)
        words = sentence.split(" ")
        for i in range(len(words)):
            if rng.random() < p:
                words[i] = self.en.draw(rng, 1)[0]
        return " ".join(words)

    # -- hard negatives --------------------------------------------------------------------
    def twin(self, n: int, other: Doc, when: datetime) -> Doc:
        """Another story's wording with other models named and a quarter rewritten."""
        rng, lang = self.rng, other.lang
        pool = ZH_MODELS if lang == "zh" else EN_MODELS
        names = [m for m in pool if MODEL_IDS.get(m, m) not in other.models]
        new = rng.choice(names)
        text = other.text
        for m in pool:
            text = text.replace(m, new)
        sents = _split(text, lang)
        for i in rng.sample(range(len(sents)), max(1, len(sents) // 4)):
            sents[i] = self.sentence(lang, new)
        return Doc(n, n, lang, self.sentence(lang, new)[:40], _join(sents, lang),
                   frozenset({MODEL_IDS.get(new, new)}), when, "twin")

    def quoter(self, n: int, other: Doc, when: datetime) -> Doc:
        """A new story on the same models that reuses one or two sentences of another."""
        fresh = self.story(n, other.lang, when)
        sents = _split(fresh.text, other.lang)
        quoted = _split(other.text, other.lang)
        for _ in range(self.rng.choice((1, 2))):
            sents.insert(self.rng.randrange(len(sents) + 1), self.rng.choice(quoted))
        return Doc(n, n, other.lang, fresh.title, _join(sents, other.lang), other.models, when,
                   "quoter")


    # -- drawn from their own stream (see corpus) ------------------------------------------
    def summary(self, n: int, orig: Doc, when: datetime, rng: random.Random) -> Doc:
        """A feed's truncated summary of `orig`: its opening cut mid-sentence, under a new title."""
        share = rng.uniform(0.15, 0.4)       # of the text: a feed's summary of a longer article
        if orig.lang == "zh":
            text = orig.text[:max(40, int(len(orig.text) * share))].rstrip("，。") + "…"
        else:
            words = orig.text.split(" ")
            text = " ".join(words[:max(20, int(len(words) * share))]).rstrip(",.") + "..."
        with self._drawing(rng):
            title = self.sentence(orig.lang).rstrip("。.")[:40]
        return Doc(n, orig.family, orig.lang, title, text, orig.models, when, "copy", "summary")

    def opener(self, n: int, other: Doc, when: datetime, rng: random.Random) -> Doc:
        """A new story on the same models that opens with another's first sentence."""
        with self._drawing(rng):
            fresh = self.story(n, other.lang, when)
        sents = _split(fresh.text, other.lang)
        sents[0] = _split(other.text, other.lang)[0]
        return Doc(n, n, other.lang, fresh.title, _join(sents, other.lang), other.models, when,
                   "opener")

    @contextlib.contextmanager
    def _drawing(self, rng: random.Random):
        saved, self.rng = self.rng, rng
        try:
            yield
        finally:
            self.rng = saved


def _split(text: str, lang: str) -> list[str]:
    if lang == "zh":
        return [s for s in re.findall(r"[^。]*。", text) if s] or [text]
    return [s for s in re.split(r"(?<=\.)\s+", text) if s] or [text]


def _join(sents: list[str], lang: str) -> str:
    return ("" if lang == "zh" else " ").join(sents)


def corpus(total: int, seed: int = 11, *, copy_share: float = 0.3, twin_share: float = 0.04,
           quoter_share: float = 0.04, summary_share: float = 0.1,
           opener_share: float = 0.02) -> list[Doc]:
    """`total` documents in arrival order: originals first, their copies within the next days.
    `summary_share` of the copies are truncated summaries; after `opener_share` of the originals
    an opener of one of the recent ones arrives."""
    gen = Generator(seed)
    rng = gen.rng
    extra = random.Random(seed * 7919 + 1)      # summaries and openers: the rest stays as it was
    docs: list[Doc] = []
    originals: list[Doc] = []
    pending: list[tuple[datetime, int, Doc]] = []      # copies waiting for their time
    when = T0
    while len(docs) < total:
        when += timedelta(seconds=rng.randint(20, 200))
        while pending and pending[0][0] <= when and len(docs) < total:
            at, _, orig = pending.pop(0)
            doc = gen.copy(len(docs), orig, at)
            if extra.random() < summary_share:
                doc = gen.summary(doc.n, orig, at, extra)
            docs.append(doc)
        if len(docs) >= total:
            break
        lang = "zh" if rng.random() < 0.5 else "en"
        r = rng.random()
        same_lang = [o for o in originals[-2000:] if o.lang == lang]
        if same_lang and r < twin_share:
            doc = gen.twin(len(docs), rng.choice(same_lang), when)
        elif same_lang and r < twin_share + quoter_share:
            doc = gen.quoter(len(docs), rng.choice(same_lang), when)
        else:
            doc = gen.story(len(docs), lang, when)
            originals.append(doc)
            if rng.random() < copy_share:
                for _ in range(rng.choice((1, 1, 2, 2, 3, 5))):
                    at = when + timedelta(minutes=rng.randint(10, 3 * 24 * 60))
                    bisect.insort(pending, (at, rng.random(), doc))
        docs.append(doc)
        if len(docs) < total and same_lang and extra.random() < opener_share:
            docs.append(gen.opener(len(docs), extra.choice(same_lang), when, extra))
    return docs
