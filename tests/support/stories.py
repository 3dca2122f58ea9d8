"""A small, known set of stories written through the real write side (db.store), for the export,
digest and delivery tests.

Days are local days in Asia/Shanghai (UTC+8). Around `DAY` (2025-03-10):
- a Kling surge on DAY (zh leads, en follows), against a quiet baseline of one Kling story every
  other day over the four weeks before;
- English Sora stories every day; a Chinese story syndicated by two other outlets (copies);
- a spam item and an off-topic item that every default count leaves out;
- hostile feed text: a title with <script> and an ampersand, a `javascript:` link, and a title that
  starts with '=' (a spreadsheet formula).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from db import store
from ingest.dedup import keys_for
from ingest.types import Item, ItemIntent, Source, Tags

TZ = "Asia/Shanghai"
DAY = date(2025, 3, 10)
VERSION = "test-tagger-1"
SOURCES = (
    Source(id="cn-news", name="中文科技", kind="rss", url="https://cn.example.com/feed", lang="zh",
           category="news"),
    Source(id="cn-social", name="微博搜索", kind="rss", url="https://weibo.example.com/feed", lang="zh",
           category="social"),
    Source(id="cn-mirror", name="转载站", kind="rss", url="https://mirror.example.com/feed", lang="zh",
           category="news"),
    Source(id="en-news", name="Tech Wire", kind="rss", url="https://wire.example.com/feed", lang="en",
           category="news"),
)
HOSTILE_TITLE = '<script>alert("x")</script> Kling & friends <b>bold</b>'
FORMULA_TITLE = '=HYPERLINK("http://evil.example","click") Kling 2.1'
SYNDICATED_TITLE = "可灵2.1全面开放，创作者排队试用"
# The tagger's evidence is feed text too: a phrase with markup, and one a spreadsheet would run.
HOSTILE_EVIDENCE = "<img src=x onerror=alert(2)> kling glitch"
FORMULA_EVIDENCE = "=1+2 kling wins"
SPAM_EVIDENCE = ("app下载", "title/body mismatch")


@dataclass
class Built:
    ids: dict[str, int]          # name -> item id of the notable stories


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """`hour:minute` on local `day` in Asia/Shanghai, as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone(timedelta(hours=8))
                    ).astimezone(timezone.utc)


class _Writer:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.n = 0
        store.sync_sources(session, SOURCES)
        self.run_id = store.start_run(session, VERSION)

    def add(self, source_id: str, when: datetime, title: str, *, lang: str, models=(), themes=(),
            sentiment="neutral", score=0.0, spam=False, relevant=True, url: str | None = None,
            text: str | None = None, keywords=(), evidence: dict | None = None,
            undated: bool = False) -> ItemIntent:
        self.n += 1
        item = Item(source_id=source_id, guid=f"g-{self.n}",
                    url=url if url is not None else f"https://{source_id}.example.com/s/{self.n}",
                    title=title, text=text or f"{title}. Story body number {self.n} about video models.",
                    lang=lang, published_at=when, date_is_fallback=undated, fetched_at=when)
        tags = Tags(relevant=relevant, models=tuple(models), themes=tuple(themes), sentiment=sentiment,
                    sentiment_score=score, spam=spam, keywords=tuple(keywords) or tuple(models),
                    evidence={k: (k,) for k in (*models, *themes)} | (evidence or {}), version=VERSION)
        intent = ItemIntent(item=item, keys=keys_for(item), tags=tags)
        store.store_intents(self.session, self.run_id, source_id, [intent], when)
        return intent


def add_story(session: Session, source_id: str, when: datetime, title: str, *, lang: str,
              models=(), undated: bool = False) -> None:
    """One more story, in a run of its own, committed (beside the stories of `build`); `undated`:
    its feed gave no date, `when` is its fetch time."""
    w = _Writer(session)
    w.add(source_id, when, title, lang=lang, models=models, undated=undated)
    store.finish_run(session, w.run_id, "ok")
    session.commit()


def build(session: Session) -> Built:
    """Write the stories and commit. Returns the ids of the notable ones."""
    w = _Writer(session)
    # Baseline: 28 days before DAY: Kling every other day (zh), Sora every day (en).
    for back in range(28, 0, -1):
        d = DAY - timedelta(days=back)
        if back % 2 == 0:
            w.add("cn-news", local(d, 10), f"可灵日常更新 第{back}期", lang="zh", models=("kling",),
                  themes=("launch_access",), sentiment="neutral", keywords=("可灵", "更新"))
        w.add("en-news", local(d, 9), f"Sora daily note {back}", lang="en", models=("sora",),
              themes=("tech",), sentiment="positive", score=0.4, keywords=("sora", "model"))
    # The day before: a zh Kling story starts the surge (Chinese reacts first).
    prev = DAY - timedelta(days=1)
    for k in range(3):
        w.add("cn-social", local(prev, 20, k), f"可灵2.1内测流出 网友实测{k}", lang="zh",
              models=("kling",), themes=("launch_access",), sentiment="positive", score=0.5,
              keywords=("可灵", "内测"))
    # DAY: the surge.
    for k in range(6):
        w.add("cn-news", local(DAY, 9, k), f"可灵2.1发布 第{k}篇报道", lang="zh", models=("kling",),
              themes=("launch_access", "competition"), sentiment="positive", score=0.6,
              keywords=("可灵", "发布", "国产"))
    for k in range(4):
        w.add("en-news", local(DAY, 15, k), f"Kling 2.1 launches, take {k}", lang="en",
              models=("kling",), themes=("launch_access",), sentiment="neutral",
              keywords=("kling", "launch"))
    w.add("en-news", local(DAY, 8), "Sora note of the day", lang="en", models=("sora",),
          themes=("tech",), sentiment="negative", score=-0.5, keywords=("sora", "physics"))
    jobs = w.add("cn-news", local(DAY, 11), "AI视频冲击剪辑师就业", lang="zh", models=("kling",),
                 themes=("jobs",), sentiment="negative", score=-0.7, keywords=("失业", "剪辑师"),
                 evidence={"relevance": ("ai视频",), "sentiment": ("冲击", "失业")})
    hostile = w.add("en-news", local(DAY, 16), HOSTILE_TITLE, lang="en", models=("kling",),
                    themes=("flaws",), sentiment="negative", score=-0.3, url="javascript:alert(1)",
                    keywords=("kling", "glitch"),
                    evidence={"relevance": (HOSTILE_EVIDENCE,), "sentiment": ("glitch",)})
    formula = w.add("en-news", local(DAY, 17), FORMULA_TITLE, lang="en", models=("kling",),
                    themes=("launch_access",), keywords=("kling",),
                    evidence={"relevance": ("kling 2.1",), "sentiment": (FORMULA_EVIDENCE, "@home")})
    # One zh story carried by two more outlets (copies: same text, other sources and URLs).
    text = "快手可灵2.1今日全面开放，创作者排队试用，生成时长提升到十秒，画面稳定性明显改善。" * 2
    original = w.add("cn-news", local(DAY, 12), SYNDICATED_TITLE, lang="zh", models=("kling",),
                     themes=("creative_industry",), sentiment="positive", score=0.8, text=text,
                     keywords=("可灵", "创作者"))
    for src in ("cn-mirror", "cn-social"):
        w.add(src, local(DAY, 13), SYNDICATED_TITLE, lang="zh", models=("kling",),
              themes=("creative_industry",), text=text, url=f"https://{src}.example.com/copy")
    # Left out of every default count.
    spam = w.add("cn-news", local(DAY, 14), "体育app下载官网入口 可灵", lang="zh", models=("kling",),
                 spam=True, evidence={"relevance": ("可灵",), "spam": SPAM_EVIDENCE})
    w.add("en-news", local(DAY, 14), "Runway fashion week opens", lang="en", relevant=False)
    store.finish_run(session, w.run_id, "ok")
    session.commit()
    from db import models as m
    from sqlalchemy import select

    def item_id(intent: ItemIntent) -> int:
        return session.scalar(select(m.Item.id).where(m.Item.guid == intent.item.guid))

    ids = {"jobs": item_id(jobs), "hostile": item_id(hostile), "formula": item_id(formula),
           "syndicated": item_id(original), "spam": item_id(spam)}
    session.commit()   # end the read transaction: a CLI run next may need the tables (migrations)
    return Built(ids=ids)
