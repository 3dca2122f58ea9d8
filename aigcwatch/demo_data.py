"""Deterministic offline demo corpus: ~14 generated RSS/Atom feeds about AI video generation.

Everything here is invented and marked as demo data. Same seed and dates -> same bytes, with no
dependence on the clock. The shape is what matters: a weekly baseline with launch spikes, zh/en
differences in which models and themes dominate, syndicated copies, name-collision distractors,
gambling-SEO spam, and the feed quirks the ingest path must survive (GBK, naive Beijing times,
"2025/6/12" dates, relative links under xml:base, utm_* links, missing GUIDs/dates/links, one
feed that is an HTML error page), and a few hostile posts whose text holds script markup and
javascript: links (HOSTILE_STRINGS), which every page must show as plain text.

    python -m aigcwatch.demo_data OUT_DIR      # write the files for inspection
"""
from __future__ import annotations

import argparse
import math
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr
from aigcwatch.demo_text import (  # noqa: E402 - invented text pools
    _AUTHORS,
    _HOSTILE,
    HOSTILE_IMG,
    HOSTILE_JS_LINK,
    HOSTILE_SCRIPT,
    _BILI_PREFIX,
    _DETAIL_FRAMES,
    _DETAIL_SLOTS,
    _DISTRACTORS,
    _EVENT_THEMES,
    _MODELS,
    _MODEL_WEIGHTS,
    _RIVALS,
    _SENTENCES,
    _SPAM_BRANDS,
    _SPAM_TITLES,
    _THEME_TONE,
    _THEME_WEIGHTS,
    _TITLES,
    _TONE,
    _TONE_WEIGHTS,
)



DEMO_NOTE = "aigcwatch demo data — generated, not real news"
DEFAULT_START = date(2025, 5, 1)
DEFAULT_END = date(2025, 10, 31)
UTC = timezone.utc
BEIJING = timezone(timedelta(hours=8))
EASTERN = timezone(timedelta(hours=-4))


@dataclass(frozen=True)
class DemoFeed:
    """One generated feed file and how to configure it as a source."""

    source_id: str
    name: str
    filename: str
    lang: str                 # zh | en (hint)
    category: str             # news | social
    topical: bool
    timezone: str             # for naive times in the feed
    content_type: str         # HTTP Content-Type to serve, incl. charset
    kind: str = "rss"
    entry_count: int = 0      # entries written (0 for the broken feed)
    broken: bool = False      # True: not a feed; ingest must report a parse failure


# ---------------------------------------------------------------- feed table

@dataclass(frozen=True)
class _Spec:
    id: str
    name: str
    lang: str
    category: str
    fmt: str                  # rss2 | atom | rss1 | html
    rate: float               # baseline entries per weekday
    host: str
    topical: bool = False
    tz: str = "UTC"
    encoding: str = "utf-8"
    content_type: str = "application/rss+xml; charset=utf-8"
    dates: str = "rfc822"     # rfc822 | iso | naive_dash | naive_slash
    guids: bool = True
    author_p: float = 0.7
    nodate_p: float = 0.0
    nolink: int = 0           # entries written without a link (invalid)
    distractor_p: float = 0.05
    spam_p: float = 0.0


_SPECS: tuple[_Spec, ...] = (
    _Spec("demo-kejiribao", "演示·科技日报", "zh", "news", "rss2", 0.97, "kejiribao.demo.example",
          tz="Asia/Shanghai", author_p=0.85),
    _Spec("demo-liangziqianyan", "演示·量子前沿", "zh", "news", "atom", 0.79, "lzqy.demo.example",
          tz="Asia/Shanghai", content_type="application/atom+xml; charset=utf-8", dates="iso"),
    _Spec("demo-itzhijia", "演示·IT之家", "zh", "news", "rss2", 0.79, "itzj.demo.example",
          tz="Asia/Shanghai", encoding="gbk", content_type="application/rss+xml; charset=GBK"),
    _Spec("demo-chuangtou", "演示·创投观察", "zh", "news", "rss2", 0.48, "ctgc.demo.example",
          tz="Asia/Shanghai", dates="naive_dash", author_p=0.5),
    _Spec("demo-kuaixun", "演示·快讯聚合", "zh", "news", "rss2", 0.31, "kxjh.demo.example",
          tz="Asia/Shanghai", dates="naive_slash", guids=False, author_p=0.0, nodate_p=0.03,
          spam_p=0.08),
    _Spec("demo-weibo-search", "演示·微博搜索「AI视频」", "zh", "social", "rss2", 1.1,
          "weibo.demo.example", tz="Asia/Shanghai", content_type="application/xml; charset=utf-8",
          author_p=1.0, nolink=3, distractor_p=0.06, spam_p=0.04),
    _Spec("demo-bilibili-up", "演示·B站UP主「AI影像实验室」", "zh", "social", "rss2", 0.4,
          "bili.demo.example", topical=True, tz="Asia/Shanghai", guids=False, author_p=1.0,
          nodate_p=0.04, distractor_p=0.0),
    _Spec("demo-techdaily", "Demo Tech Daily", "en", "news", "rss2", 0.88, "techdaily.demo.example",
          tz="America/New_York"),
    _Spec("demo-circuit", "Demo Circuit Review", "en", "news", "atom", 0.66, "circuit.demo.example",
          content_type="application/atom+xml; charset=utf-8", dates="iso"),
    _Spec("demo-wire", "Demo Wire Service", "en", "news", "rss1", 0.53, "wire.demo.example",
          content_type="application/rdf+xml; charset=utf-8", dates="iso", author_p=0.3),
    _Spec("demo-markets", "Demo Markets Journal", "en", "news", "rss2", 0.31, "markets.demo.example",
          tz="America/New_York"),
    _Spec("demo-reddit-search", "Demo Reddit search: ai video", "en", "social", "atom", 0.88,
          "reddit.demo.example", content_type="application/atom+xml; charset=utf-8", dates="iso",
          author_p=1.0, nolink=2, distractor_p=0.07),
    _Spec("demo-hn", "Demo HN: video generation", "en", "social", "rss2", 0.53, "hn.demo.example",
          author_p=0.9, nodate_p=0.03, distractor_p=0.06),
    _Spec("demo-broken", "演示·门户频道（坏源）", "zh", "news", "html", 0.0, "portal.demo.example",
          tz="Asia/Shanghai", content_type="text/html; charset=utf-8"),
)

# zh news copied into another zh outlet, en wire stories carried by the markets journal
_ZH_SYNDICATION = {"demo-kejiribao": ("demo-kuaixun", "demo-itzhijia"),
                   "demo-liangziqianyan": ("demo-kuaixun", "demo-itzhijia"),
                   "demo-chuangtou": ("demo-kuaixun", "demo-kejiribao")}
_ZH_SYNDICATION_P = 0.16
_WIRE_CARRY_P = 0.3

# (model or theme, day 0, en peak multiplier, zh peak multiplier)
_EVENTS: tuple[tuple[str, date, float, float], ...] = (
    ("veo", date(2025, 5, 20), 7.0, 2.5),
    ("kling", date(2025, 6, 3), 1.8, 4.5),
    ("hailuo", date(2025, 6, 18), 1.4, 3.5),
    ("runway", date(2025, 7, 24), 2.4, 1.2),
    ("wan", date(2025, 7, 28), 1.3, 2.4),
    ("jimeng", date(2025, 8, 12), 1.6, 4.5),
    ("theme:regulation", date(2025, 9, 1), 1.0, 1.8),
    ("sora", date(2025, 9, 30), 8.0, 5.0),
)
_PROFILE = (1.0, 0.95, 0.75, 0.5, 0.3, 0.2, 0.1)


# ---------------------------------------------------------------- entries

@dataclass(frozen=True)
class _Entry:
    feed: str
    lang: str
    kind: str                 # relevant | distractor | spam | hostile
    title: str
    paragraphs: tuple[str, ...]
    when: datetime | None     # UTC
    author: str | None
    model: str | None
    theme: str | None
    uid: int
    link: str | None = None
    guid: str | None = None
    raw_html: str | None = None   # the entry's HTML as written (hostile entries), else built from paragraphs


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _multiplier(day: date, lang: str) -> tuple[float, str | None]:
    """Volume multiplier for a day and the event driving it (if any)."""
    best, driver = 1.0, None
    for what, day0, en_peak, zh_peak in _EVENTS:
        k = (day - day0).days
        if 0 <= k < len(_PROFILE):
            peak = en_peak if lang == "en" else zh_peak
            m = 1.0 + (peak - 1.0) * _PROFILE[k]
            if m > best:
                best, driver = m, what
    return best, driver


def _model_name(model: str, lang: str, day: date) -> str:
    name = ""
    for since, en, zh in _MODELS[model]["names"]:
        if day >= since:
            name = en if lang == "en" else zh
    return name


def _values(rng: random.Random, model: str, lang: str, day: date) -> dict[str, str]:
    info = _MODELS[model]
    rival, rival2 = rng.sample([r for r in _RIVALS if r != model], k=2)
    return {
        "rival": _model_name(rival, lang, day),
        "rival2": _model_name(rival2, lang, day),
        "m": _model_name(model, lang, day),
        "co": info["co_en"] if lang == "en" else info["co_zh"],
        "sec": str(rng.choice((5, 8, 10, 12, 16, 20))),
        "res": rng.choice(("720p", "1080p", "1080p", "4K")),
        "fps": str(rng.choice((24, 30, 60))),
        "params": str(rng.choice((30, 50, 130, 140, 200))),
        "params_b": str(rng.choice((3, 5, 13, 14, 20))),
        "val": str(rng.choice((5, 8, 12, 20, 30, 45))),
        "rev": str(rng.choice((1, 2, 3, 5))),
        "price_cny": str(rng.choice((29, 66, 79, 99, 199))),
        "price_usd": str(rng.choice((10, 20, 35, 95, 200))),
        "api": rng.choice(("0.5", "1.2", "2.5")) if lang == "zh" else rng.choice(("0.15", "0.35", "0.50")),
        "vram": str(rng.choice((12, 16, 24, 48, 80))),
        "pct": str(rng.choice((12, 18, 25, 30, 40))),
    }


def _relevant(rng: random.Random, spec: _Spec, day: date, driver: str | None,
              event_p: float) -> tuple[str, str, str, tuple[str, ...]]:
    """(model, theme, title, paragraphs) for one on-topic entry."""
    lang, cat = spec.lang, spec.category
    on_event = driver is not None and rng.random() < event_p
    if on_event and not driver.startswith("theme:"):
        model = driver
        theme = _pick(rng, _EVENT_THEMES[cat])
    else:
        model = _pick(rng, _MODEL_WEIGHTS[lang])
        theme = driver[6:] if on_event else _pick(rng, _THEME_WEIGHTS[(lang, cat)])
    second = _pick(rng, _THEME_WEIGHTS[(lang, cat)])
    v = _values(rng, model, lang, day)
    bias = dict(zip(("positive", "neutral", "negative"), _THEME_TONE[theme]))
    tone = _pick(rng, {t: w * bias[t] for t, w in _TONE_WEIGHTS[(lang, cat)].items()})
    pool = _SENTENCES[(lang, cat)]
    sentences = rng.sample(pool[theme], k=min(len(pool[theme]), rng.randint(1, 3)))
    if second != theme:
        sentences += rng.sample(pool[second], k=1)
    if tone != "neutral" or rng.random() < 0.5:
        sentences += rng.sample(_TONE[(lang, cat)][tone], k=rng.randint(1, 2 if tone != "neutral" else 1))
    sentences = sentences[:6]
    if len(sentences) < 2:
        sentences.append(rng.choice(_TONE[(lang, cat)]["neutral"]))
    sentences = [s.format_map(v) for s in sentences]
    title = rng.choice(_TITLES[(lang, "social" if spec.fmt == "atom" and cat == "social" else "news")][theme])
    title = title.format_map(v)
    if spec.id == "demo-weibo-search":
        tag = rng.choice(("#AI视频#", f"#{v['m']}#", "", ""))
        sentences[0] = tag + sentences[0]
        text = "".join(sentences)
        title = text if len(text) <= 40 else text[:38] + "…"
        return model, theme, title, (text,)
    if spec.id == "demo-bilibili-up":
        title = rng.choice([p for p in _BILI_PREFIX if p[1:3] not in title]) + title
    if spec.id == "demo-hn" and rng.random() < 0.3:
        title = "Ask HN: " + rng.choice(_TITLES[("en", "social")][theme]).format_map(v)
    sep = "" if lang == "zh" else " "
    if cat == "social" or len(sentences) <= 3:
        return model, theme, title, (sep.join(sentences),)
    cut = rng.randint(1, len(sentences) - 1)
    return model, theme, title, (sep.join(sentences[:cut]), sep.join(sentences[cut:]))


def _details(uid: int, spec: _Spec, model: str, day: date, count: int) -> list[str]:
    """`count` sentences of the story's own particulars (a person, a place, what the clip
    showed), from a random stream of its own: the sentence pools are small, and without them
    distinct stories about one model share most of their text, so near-duplicate grouping would
    rightly read them as edited copies of each other. Draws nothing from the generator's stream."""
    rng = random.Random(f"detail:{uid}")
    slots = _DETAIL_SLOTS[spec.lang]
    out = []
    for frame in rng.sample(_DETAIL_FRAMES[(spec.lang, spec.category)], k=count):
        values = {k: rng.choice(v) for k, v in slots.items()}
        values |= {"m": _model_name(model, spec.lang, day), "k": str(rng.randint(3, 40)),
                   "n": str(rng.randint(6, 90))}
        values["detail"] = values["detail"].format_map(values)
        out.append(frame.format_map(values))
    return out


def _with_details(uid: int, spec: _Spec, model: str, day: date,
                  paras: tuple[str, ...]) -> tuple[str, ...]:
    """The story with a sentence of particulars after its first pool sentence (a news lead goes
    on with who and where), and a second after its third when it has four or more."""
    split = [[x for x in _SENTENCE_END[spec.lang].split(p) if x] for p in paras]
    total = sum(len(p) for p in split)
    details = iter(_details(uid, spec, model, day, 1 if total <= 3 else 2))
    sep = "" if spec.lang == "zh" else " "
    out, seen = [], 0
    for sentences in split:
        para = []
        for x in sentences:
            para.append(x)
            seen += 1
            detail = next(details, None) if seen % 2 else None
            if detail is not None:
                para.append(detail)
        out.append(para)
    return tuple(sep.join(p) for p in out)


def _distractor(rng: random.Random, lang: str) -> tuple[str, tuple[str, ...]]:
    topic = rng.choice(list(_DISTRACTORS[lang]))
    title_pool, body_pool = _DISTRACTORS[lang][topic]
    body = rng.sample(body_pool, k=min(len(body_pool), rng.randint(2, 4)))
    return rng.choice(title_pool), (("" if lang == "zh" else " ").join(body),)


def _unique(seen: set[tuple[str, ...]], make: Callable[[], tuple]) -> tuple:
    """Call `make` until its body (last element) is new; independent posts never share a text."""
    for _ in range(50):
        result = make()
        if result[-1] not in seen:
            break
    seen.add(result[-1])
    return result


_SENTENCE_END = {"zh": re.compile(r"(?<=[。！？!?])"), "en": re.compile(r"(?<=[.!?])\s+")}


def _fresh_title(used: set[str], title: str, paras: tuple[str, ...], lang: str,
                 keep: bool = False) -> str:
    """The drawn headline, or when another story already has it, one cut from this story's own
    sentences (as a news headline condenses its lead): the title pools are small, and distinct
    stories under one headline would read as copies that deduplication missed. `keep`: the drawn
    headline stays at the head, a clause of the story after it (a distractor's title holds the name
    that collides: 海螺水泥, Kingdom Hearts). Draws nothing from the generator's random stream."""
    if title in used:
        sentences = [x for p in paras for x in _SENTENCE_END[lang].split(p) if x.strip()]
        alone = [_headline(x, lang) for x in sentences]
        joined = [f"{title}{'：' if lang == 'zh' else ': '}{_headline(x, lang)}" for x in sentences]
        for candidate in (joined if keep else alone + joined):
            if candidate and candidate not in used:
                title = candidate
                break
    used.add(title)
    return title


# A first clause that only leads in (who said it, or "according to ..."): alone it is no
# headline ("据知情人士透露", "According to the technical report"). A speaker stays before a colon
# ("OpenAI也承认：模型…"); a prepositional lead-in is dropped.
_SPEAKER = {"zh": re.compile(r"(?:表示|透露|承认|认为|指出|显示|反驳说|发声)$"),
            "en": re.compile(r"(?: said| says| admits| argues| warns)$")}
_PREPOSITION = {"zh": re.compile(r"^(?:据|随着)"), "en": re.compile(r"^(?:According to|In|As|With) ")}


def _headline(sentence: str, lang: str) -> str:
    """A sentence as a headline: no closing stop, at most ~30 characters (zh) or ~90 (en), cut
    at a clause break where one comes early enough, a lead-in clause joined to what follows."""
    text = sentence.strip().rstrip("。.")
    limit, comma = (30, "，") if lang == "zh" else (90, ", ")
    cut = text.find(comma)
    if cut > 0 and (_SPEAKER[lang].search(text[:cut]) or _PREPOSITION[lang].match(text[:cut])):
        lead, rest = text[:cut], text[cut + len(comma):]
        if _PREPOSITION[lang].match(lead):
            text = rest[:1].upper() + rest[1:] if lang == "en" else rest
        else:
            text = f"{lead}{'：' if lang == 'zh' else ': '}{rest}"
            limit += limit // 4                # a speaker's headline runs a little longer
        cut = -1                               # the clause break is spent: cut at the limit
    if len(text) <= limit:
        return text
    if 0 < cut <= limit and cut >= limit // 4:
        return text[:cut]
    if lang == "zh":
        return text[:limit - 1] + "…"
    return text[:limit].rsplit(" ", 1)[0] + "…"


def _when(rng: random.Random, spec: _Spec, day: date) -> datetime:
    if spec.lang == "zh":   # Beijing daytime and evening
        hour = rng.choice((7, 8, 9, 9, 10, 10, 11, 12, 14, 15, 16, 17, 19, 20, 21, 22, 23))
        local = datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60),
                         tzinfo=BEIJING)
    else:                   # US working day
        hour = rng.choice((6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 22))
        local = datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60),
                         tzinfo=EASTERN)
    return local.astimezone(UTC)


def _author(rng: random.Random, spec: _Spec) -> str | None:
    if rng.random() >= spec.author_p:
        return None
    if spec.id == "demo-bilibili-up":
        return "AI影像实验室"
    name = rng.choice(_AUTHORS[(spec.lang, spec.category)])
    return name.removeprefix("/u/") if spec.id == "demo-hn" else name


def _generate(rng: random.Random, start: date, end: date) -> dict[str, list[_Entry]]:
    out: dict[str, list[_Entry]] = {s.id: [] for s in _SPECS}
    seen: set[tuple[str, ...]] = set()   # bodies so far: only syndicated copies share one
    headlines: set[str] = set()          # titles so far: distinct stories read as distinct
    uid = 0
    day = start
    while day <= end:
        weekend = day.weekday() >= 5
        for spec in _SPECS:
            if spec.rate <= 0:
                continue
            mult, driver = _multiplier(day, spec.lang)
            lam = spec.rate * mult * ((0.9 if spec.category == "social" else 0.55) if weekend else 1.0)
            for _ in range(_poisson(rng, lam)):
                uid += 1
                roll = rng.random()
                when = _when(rng, spec, day)
                author = _author(rng, spec)
                if roll < spec.distractor_p:
                    title, paras = _unique(seen, lambda: _distractor(rng, spec.lang))
                    title = _fresh_title(headlines, title, paras, spec.lang, keep=True)
                    out[spec.id].append(_Entry(spec.id, spec.lang, "distractor", title, paras, when,
                                               author, None, None, uid))
                    continue
                model, theme, title, paras = _unique(
                    seen, lambda: _relevant(rng, spec, day, driver, (mult - 1) / mult))
                kind = "relevant"
                title = _fresh_title(headlines, title, paras, spec.lang)
                paras = _with_details(uid, spec, model, day, paras)
                if roll > 1 - spec.spam_p:
                    kind, title = "spam", rng.choice(_SPAM_TITLES).format(b=rng.choice(_SPAM_BRANDS))
                    copied = [e for e in out["demo-kejiribao"][-40:] if e.kind == "relevant"]
                    if copied:   # gambling SEO title over a copied article
                        source_paras = rng.choice(copied).paragraphs
                        # one in three copies an outlet the demo does not carry: stored as an
                        # item of its own, flagged spam (a copy of a carried story is filed as
                        # one of that story's copies)
                        paras = paras if uid % 3 == 0 else source_paras
                out[spec.id].append(_Entry(spec.id, spec.lang, kind, title, paras, when, author,
                                           model, theme, uid))
        day += timedelta(days=1)
    _syndicate(rng, out, uid, limit=datetime(end.year, end.month, end.day, 16, tzinfo=UTC))
    return out


def _zh_variant(rng: random.Random, title: str, outlet: str) -> str:
    style = rng.randrange(5)
    if style == 0:
        return f"{title}_{outlet}"
    if style == 1:
        return f"【快讯】{title}"
    if style == 2:
        return f"{title}｜{outlet}"
    table = str.maketrans({":": "：", ",": "，", "?": "？", "!": "！", "(": "（", ")": "）",
                           "“": "\"", "”": "\"", " ": ""})
    if style == 3:
        return title.translate(table) + "（附视频）"
    return f"[{outlet}] {title.translate(table)}"


def _syndicate(rng: random.Random, out: dict[str, list[_Entry]], uid: int, *, limit: datetime) -> None:
    """Republish some zh news in another zh outlet and carry some wire stories, same body."""
    outlets = {s.id: s.name.replace("演示·", "演示") for s in _SPECS}
    for source, targets in _ZH_SYNDICATION.items():
        for e in list(out[source]):
            if e.kind != "relevant" or rng.random() >= _ZH_SYNDICATION_P:
                continue
            target = rng.choice(targets)
            uid += 1
            when = min(e.when + timedelta(minutes=rng.randint(20, 480)), limit)
            out[target].append(replace(e, feed=target, uid=uid, when=when,
                                       title=_zh_variant(rng, e.title, outlets[source]),
                                       author=None if target == "demo-kuaixun" else e.author))
    for e in list(out["demo-wire"]):
        if e.kind == "relevant" and rng.random() < _WIRE_CARRY_P:
            uid += 1
            title = e.title if rng.random() < 0.6 else f"{e.title} - Demo Wire"
            when = min(e.when + timedelta(minutes=rng.randint(5, 90)), limit)
            out["demo-markets"].append(replace(e, feed="demo-markets", uid=uid, when=when,
                                               title=title, author="Demo Wire staff"))


# ---------------------------------------------------------------- links, ids, dates

def _slug(title: str, uid: int) -> str:
    words = "".join(c.lower() if c.isascii() and c.isalnum() else " " for c in title).split()
    return "-".join(words[:8]) or f"story-{uid}"


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def _address(rng: random.Random, spec: _Spec, e: _Entry) -> tuple[str, str | None]:
    """(link, guid) for an entry; the guid is None where the feed has none."""
    h, uid, d = spec.host, e.uid, _local(spec, e.when or datetime(2025, 1, 1, tzinfo=UTC))
    slug = _slug(e.title, uid)
    match spec.id:
        case "demo-kejiribao":
            return f"https://{h}/p/{uid + 200000}.html", f"kjrb-{uid + 200000}"
        case "demo-liangziqianyan":
            return f"https://{h}/{d:%Y/%m}/{uid}.html", f"tag:{h},2025:{uid}"
        case "demo-itzhijia":
            link = f"https://{h}/0/{uid % 1000}/{uid}.htm"
            return link, link
        case "demo-chuangtou":
            return f"https://{h}/news/{uid}?utm_source=rss&utm_medium=feed", f"ctgc{uid}"
        case "demo-weibo-search":
            link = f"https://{h}/{rng.randrange(10**9, 10**10)}/{_b36(uid * 7919 + 10**8)}"
            return link, link
        case "demo-bilibili-up":
            return f"https://{h}/video/BV1{_b36(uid * 104729 + 36**6).upper()}", None
        case "demo-techdaily":
            return (f"https://{h}/{d:%Y/%m/%d}/{slug}/?utm_source=rss&utm_medium=rss&utm_campaign={slug}",
                    f"https://{h}/?p={uid}")
        case "demo-circuit":
            # relative to xml:base, resolved by the parser
            if uid % 3 == 0:
                return f"{slug}-{uid}", f"tag:{h},2025:{uid}"
            return f"/{d:%Y/%m/%d}/{uid}/{slug}", f"tag:{h},2025:{uid}"
        case "demo-wire":
            link = f"https://{h}/article/{slug}-{uid}?utm_source=feed&utm_campaign=wire"
            return link, link
        case "demo-markets":
            link = f"https://{h}/tech/{slug}-{uid}.html?utm_source=rss&utm_medium=referral"
            return link, link
        case "demo-reddit-search":
            sub = rng.choice(("aivideo", "StableDiffusion", "singularity", "vfx", "Filmmakers", "technology"))
            return f"https://www.{h}/r/{sub}/comments/{_b36(uid + 36**5)}/{slug[:40]}/", f"t3_{_b36(uid + 36**5)}"
        case "demo-hn":
            item = f"https://{h}/item?id={40_000_000 + uid}"
            if rng.random() < 0.6:
                host = rng.choice(("techdaily.demo.example", "circuit.demo.example", "blog.demo.example",
                                   "arxiv.demo.example", "github.demo.example"))
                return f"https://{host}/{slug}", item
            return item, item
        case _:
            return f"https://{h}/{uid}", None


def _finalize(rng: random.Random, entries: dict[str, list[_Entry]]) -> dict[str, list[_Entry]]:
    """Newest first; links, GUIDs; blank dates and links where the feed has them missing."""
    out: dict[str, list[_Entry]] = {}
    for spec in _SPECS:
        rows = sorted(entries[spec.id], key=lambda e: (e.when, e.uid), reverse=True)
        nolink = set(rng.sample(range(len(rows)), k=min(spec.nolink, len(rows))))
        done = []
        for i, e in enumerate(rows):
            link, guid = _address(rng, spec, e)
            if not spec.guids:
                guid = None
            if i in nolink:
                link, guid = None, (f"tag:{spec.host},2025:nolink-{e.uid}" if spec.guids else None)
            when = None if rng.random() < spec.nodate_p else e.when
            done.append(replace(e, link=link, guid=guid, when=when))
        out[spec.id] = done
    return out


HOSTILE_STRINGS = (HOSTILE_SCRIPT, HOSTILE_IMG, HOSTILE_JS_LINK)
"""Markup the hostile demo entries store as literal text; every page must show it as text."""
_HOSTILE_UID = 900_000


def _with_hostile(entries: dict[str, list[_Entry]], start: date, end: date) -> dict[str, list[_Entry]]:
    """Add the hostile entries (demo_text._HOSTILE) near the last demo day, newest first again.

    Added after everything else is drawn, so the rest of the corpus is the same with or without them.
    """
    specs = {s.id: s for s in _SPECS}
    out = {k: list(v) for k, v in entries.items()}
    for n, (feed, back, hour, author, title, para, raw, link) in enumerate(_HOSTILE, 1):
        spec = specs[feed]
        day = max(start, end - timedelta(days=back))
        zone = BEIJING if spec.lang == "zh" else EASTERN
        when = datetime(day.year, day.month, day.day, hour, 7 * n, tzinfo=zone).astimezone(UTC)
        uid = _HOSTILE_UID + n
        page = f"https://{spec.host}/hostile/{uid}"
        guid = (f"tag:{spec.host},2025:{uid}" if spec.fmt == "atom" else page) if spec.guids else None
        out[feed].append(_Entry(feed, spec.lang, "hostile", title, (para,), when, author, None, None, uid,
                                link=link or page, guid=guid, raw_html=raw))
        out[feed].sort(key=lambda e: (e.when or datetime.min.replace(tzinfo=UTC), e.uid), reverse=True)
    return out


def _local(spec: _Spec, when: datetime) -> datetime:
    """The outlet's wall clock (fixed offsets: the demo span has no DST change)."""
    return when.astimezone({"Asia/Shanghai": BEIJING, "America/New_York": EASTERN}.get(spec.tz, UTC))


def _fmt_date(spec: _Spec, when: datetime) -> str:
    local = _local(spec, when)
    match spec.dates:
        case "iso":
            return local.isoformat()
        case "naive_dash":
            return f"{local:%Y-%m-%d %H:%M:%S}"
        case "naive_slash":
            return f"{local.year}/{local.month}/{local.day} {local:%H:%M:%S}"
        case _:
            return format_datetime(local)


# ---------------------------------------------------------------- writers

def _html(spec: _Spec, e: _Entry) -> str:
    if e.raw_html is not None:
        return e.raw_html
    paras = [escape(p) for p in e.paragraphs]
    if spec.id == "demo-weibo-search":
        img = f'<br><img src="https://wx.{spec.host}/large/{_b36(e.uid)}.jpg">' if e.uid % 4 == 0 else ""
        return "<br>".join(paras) + img
    if spec.id == "demo-hn":
        pts, com = 3 + (e.uid * 37) % 480, (e.uid * 13) % 230
        return (f"<p>{paras[0]}</p><hr><p>Points: {pts}</p>"
                f"<p># Comments: {com}</p>")
    if spec.id == "demo-reddit-search":
        who = escape(e.author or "[deleted]")
        return '<div class="md">' + "".join(f"<p>{p}</p>" for p in paras) + f"</div> submitted by {who}"
    return "".join(f"<p>{p}</p>" for p in paras)


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _rss2(spec: _Spec, rows: list[_Entry], built: datetime) -> str:
    cdata = spec.lang == "zh"
    ns = ' xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    out = [f'<?xml version="1.0" encoding="{"GBK" if spec.encoding == "gbk" else "UTF-8"}"?>',
           f'<rss version="2.0"{ns}>', "<channel>",
           f"<title>{escape(spec.name)}</title>", f"<link>https://{spec.host}/</link>",
           f"<description>{escape(DEMO_NOTE)}</description>",
           f"<language>{'zh-cn' if spec.lang == 'zh' else 'en-us'}</language>",
           f"<lastBuildDate>{format_datetime(built)}</lastBuildDate>",
           "<generator>aigcwatch.demo_data</generator>"]
    for e in rows:
        html = _html(spec, e)
        out.append("<item>")
        out.append(f"<title>{_cdata(e.title) if cdata else escape(e.title)}</title>")
        if e.link:
            out.append(f"<link>{escape(e.link)}</link>")
        if spec.id == "demo-kejiribao":
            out.append(f"<description>{_cdata(escape(e.paragraphs[0]))}</description>")
            out.append(f"<content:encoded>{_cdata(html)}</content:encoded>")
        else:
            out.append(f"<description>{_cdata(html) if cdata else escape(html)}</description>")
        if e.author:
            out.append(f"<dc:creator>{escape(e.author)}</dc:creator>")
        if e.when:
            out.append(f"<pubDate>{_fmt_date(spec, e.when)}</pubDate>")
        if e.guid:
            perma = "true" if e.guid == e.link else "false"
            out.append(f'<guid isPermaLink="{perma}">{escape(e.guid)}</guid>')
        if spec.id == "demo-hn" and e.guid:
            out.append(f"<comments>{escape(e.guid)}</comments>")
        out.append("</item>")
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def _atom(spec: _Spec, rows: list[_Entry], built: datetime) -> str:
    base = f"https://{spec.host}/"
    xml_base = f" xml:base={quoteattr(base)}" if spec.id == "demo-circuit" else ""
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{spec.lang}"{xml_base}>',
           f"<title>{escape(spec.name)}</title>", f"<subtitle>{escape(DEMO_NOTE)}</subtitle>",
           f'<link rel="alternate" href="{base}"/>', f'<link rel="self" href="{base}feed.atom"/>',
           f"<id>tag:{spec.host},2025:feed</id>", f"<updated>{built.isoformat()}</updated>",
           "<generator>aigcwatch.demo_data</generator>"]
    for e in rows:
        sub_base = spec.id == "demo-circuit" and e.link is not None and not e.link.startswith("/")
        attr = f' xml:base="{base}features/"' if sub_base else ""
        out.append(f"<entry{attr}>")
        out.append(f'<title type="text">{escape(e.title)}</title>')
        if e.link:
            out.append(f'<link rel="alternate" type="text/html" href={quoteattr(e.link)}/>')
        out.append(f"<id>{escape(e.guid or f'tag:{spec.host},2025:{e.uid}')}</id>")
        if e.when:
            stamp = _fmt_date(spec, e.when)
            out.append(f"<published>{stamp}</published><updated>{stamp}</updated>")
        if e.author:
            out.append(f"<author><name>{escape(e.author)}</name></author>")
        out.append(f'<content type="html">{escape(_html(spec, e))}</content>')
        out.append("</entry>")
    out += ["</feed>", ""]
    return "\n".join(out)


def _rss1(spec: _Spec, rows: list[_Entry], built: datetime) -> str:
    about = [e.link or f"https://{spec.host}/x/{e.uid}" for e in rows]
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">',
           f'<channel rdf:about="https://{spec.host}/rss">',
           f"<title>{escape(spec.name)}</title>", f"<link>https://{spec.host}/</link>",
           f"<description>{escape(DEMO_NOTE)}</description>",
           f"<dc:date>{built.isoformat()}</dc:date>", "<items>", "<rdf:Seq>"]
    out += [f"<rdf:li rdf:resource={quoteattr(a)}/>" for a in about]
    out += ["</rdf:Seq>", "</items>", "</channel>"]
    for e, a in zip(rows, about):
        out.append(f"<item rdf:about={quoteattr(a)}>")
        out.append(f"<title>{escape(e.title)}</title>")
        if e.link:
            out.append(f"<link>{escape(e.link)}</link>")
        out.append(f"<description>{escape(' '.join(e.paragraphs))}</description>")
        if e.author:
            out.append(f"<dc:creator>{escape(e.author)}</dc:creator>")
        if e.when:
            out.append(f"<dc:date>{_fmt_date(spec, e.when)}</dc:date>")
        out.append("</item>")
    out += ["</rdf:RDF>", ""]
    return "\n".join(out)


def _broken(spec: _Spec) -> str:
    """What a portal answers when it blocks crawlers: an HTML page with status 200."""
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"description\" content=\"{escape(DEMO_NOTE)}\">"
            "<title>访问验证 - 演示门户</title></head>\n<body><div class=\"box\">"
            "<h1>访问过于频繁</h1><p>系统检测到异常访问，请完成验证后继续浏览。</p>"
            "<p>Too many requests. Please complete the check to continue.</p>"
            "<form action=\"/verify\" method=\"post\"><input type=\"hidden\" name=\"t\" value=\"demo\">"
            "<button>我不是机器人</button></form></div>\n<!-- " + escape(DEMO_NOTE) + " -->\n"
            "</body></html>\n")


# ---------------------------------------------------------------- public API

def build_demo_feeds(out_dir: Path, *, seed: int = 42, start: date = DEFAULT_START,
                     end: date = DEFAULT_END) -> list[DemoFeed]:
    """Write the demo feed files into `out_dir` (created if needed) and describe them.

    Deterministic: the same seed and dates give byte-identical files. The files are named
    "<source_id>.xml"; serve each with its `content_type`.
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    entries = _with_hostile(_finalize(rng, _generate(rng, start, end)), start, end)
    built = datetime(end.year, end.month, end.day, 23, 59, tzinfo=UTC)
    feeds = []
    for spec in _SPECS:
        rows = entries[spec.id]
        writer: Callable[[_Spec, list[_Entry], datetime], str] | None = {
            "rss2": _rss2, "atom": _atom, "rss1": _rss1}.get(spec.fmt)
        text = writer(spec, rows, built) if writer else _broken(spec)
        data = text.encode(spec.encoding, errors="xmlcharrefreplace")
        filename = f"{spec.id}.xml"
        (out_dir / filename).write_bytes(data)
        feeds.append(DemoFeed(source_id=spec.id, name=spec.name, filename=filename, lang=spec.lang,
                              category=spec.category, topical=spec.topical, timezone=spec.tz,
                              content_type=spec.content_type, kind="rss",
                              entry_count=len(rows) if writer else 0, broken=writer is None))
    return feeds


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def demo_sources_toml(feeds: list[DemoFeed], base_url: str, *, stale_days: int | None = 3650) -> str:
    """A sources TOML pointing at `base_url` + each feed's filename.

    `stale_days` defaults high because the demo data ends in the past; None leaves it out.
    """
    base = base_url.rstrip("/")
    out = ["# aigcwatch demo sources — generated feeds, demo data, not real news.", ""]
    for f in feeds:
        out += ["[[source]]",
                f"id = {_toml_str(f.source_id)}",
                f"name = {_toml_str(f.name)}",
                f"kind = {_toml_str(f.kind)}",
                f"url = {_toml_str(f'{base}/{f.filename}')}",
                f"lang = {_toml_str(f.lang)}",
                f"category = {_toml_str(f.category)}",
                f"topical = {'true' if f.topical else 'false'}",
                f"timezone = {_toml_str(f.timezone)}",
                "enabled = true"]
        if stale_days is not None:
            out.append(f"stale_days = {int(stale_days)}")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m aigcwatch.demo_data",
        description="Write the generated aigcwatch demo feeds (demo data, not real news) into OUT_DIR.")
    ap.add_argument("out_dir", metavar="OUT_DIR", type=Path, help="directory to write the feed files into")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    ap.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START,
                    help=f"first day, YYYY-MM-DD (default {DEFAULT_START})")
    ap.add_argument("--end", type=date.fromisoformat, default=DEFAULT_END,
                    help=f"last day, YYYY-MM-DD (default {DEFAULT_END})")
    ap.add_argument("--base-url", default=None,
                    help="also write sources.toml pointing at this base URL (e.g. http://127.0.0.1:8000)")
    args = ap.parse_args(argv)
    feeds = build_demo_feeds(args.out_dir, seed=args.seed, start=args.start, end=args.end)
    for f in feeds:
        state = "BROKEN (HTML page)" if f.broken else f"{f.entry_count:5d} entries"
        print(f"{f.filename:28s} {f.lang} {f.category:6s} {state}  {f.content_type}")
    print(f"{sum(f.entry_count for f in feeds)} entries in {len(feeds)} files -> {args.out_dir}")
    if args.base_url:
        (args.out_dir / "sources.toml").write_text(demo_sources_toml(feeds, args.base_url), encoding="utf-8")
        print(f"sources.toml -> {args.out_dir / 'sources.toml'}")
    return 0



if __name__ == "__main__":
    sys.exit(main())
