"""Small, known corpora for the read-side tests (test_filters, test_buckets, test_trends,
test_rollups, test_queries), written through the real write side (db.store).

`Corpus` collects stories (a time, a source, tags or none, flags) and saves them in one batch per
source, then their syndicated copies; `random_corpus` is a deterministic mixed corpus
(random.Random(42)) spread over both DST changes of 2025 in Europe and North America, with
stories close to local midnights, spam, off-topic and untagged stories and copies.
`module_db` opens a migrated database of its own for a module-scoped fixture (read-only tests
share one corpus per backend instead of rebuilding it for every test).
"""
from __future__ import annotations

import random
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models as m
from db import store
from db.engine import make_engine, session_factory, upgrade
from ingest.dedup import keys_for
from ingest.types import Item, ItemIntent, Source, Tags

UTC = timezone.utc
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
VERSION = "readside-1"
SOURCES = (
    Source(id="en-news", name="Wire EN", kind="rss", url="https://en-news.example.com/feed",
           lang="en", category="news"),
    Source(id="en-social", name="Forum EN", kind="rss", url="https://en-social.example.com/feed",
           lang="en", category="social"),
    Source(id="zh-news", name="科技日报", kind="rss", url="https://zh-news.example.com/feed",
           lang="zh", category="news"),
    Source(id="zh-social", name="微博热搜", kind="rss", url="https://zh-social.example.com/feed",
           lang="zh", category="social"),
)
CATEGORY = {s.id: s.category for s in SOURCES}
SOURCE_LANG = {s.id: s.lang for s in SOURCES}
MODELS = ("sora", "kling", "veo", "runway")
THEMES = ("jobs", "copyright", "tech", "markets")
KEYWORDS = ("video", "model", "price", "launch", "clip", "版权", "发布", "价格")


def midday_zone(now: datetime | None = None) -> tuple[datetime, str, date]:
    """(now, a fixed-offset zone where it is about midday now, today there): a day not over with
    hours of it behind and ahead, whatever time the tests run."""
    from zoneinfo import ZoneInfo

    now = now or datetime.now(timezone.utc)
    offset = 12 - now.hour
    tz = "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"
    return now, tz, now.astimezone(ZoneInfo(tz)).date()


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


@dataclass
class Story:
    n: int
    at: datetime
    source_id: str
    lang: str
    title: str
    text: str
    tags: Tags | None
    fallback_date: bool = False
    copies: list[str] = field(default_factory=list)   # sources that carry a copy

    @property
    def guid(self) -> str:
        return f"rs-{self.n}"

    # what the read side should see (None tags: untagged, relevant NULL, not spam)
    @property
    def models(self) -> tuple[str, ...]:
        return self.tags.models if self.tags else ()

    @property
    def themes(self) -> tuple[str, ...]:
        return self.tags.themes if self.tags else ()

    @property
    def sentiment(self) -> str | None:
        return self.tags.sentiment if self.tags else None

    @property
    def spam(self) -> bool:
        return bool(self.tags and self.tags.spam)

    @property
    def relevant(self) -> bool | None:
        return self.tags.relevant if self.tags else None

    @property
    def category(self) -> str:
        return CATEGORY[self.source_id]

    def item(self, source_id: str | None = None) -> Item:
        """The story as its source published it, or as a copy carried by `source_id`."""
        src = source_id or self.source_id
        tag = self.guid if source_id is None else f"{self.guid}-copy-{src}"
        return Item(source_id=src, guid=tag, url=f"https://{src}.example.com/s/{tag}",
                    title=self.title if source_id is None else f"{self.title} ({src})",
                    text=self.text, lang=self.lang, published_at=self.at,
                    date_is_fallback=self.fallback_date, fetched_at=self.at + timedelta(minutes=5))


class Corpus:
    def __init__(self) -> None:
        self.stories: list[Story] = []
        self.ids: dict[int, int] = {}          # story n -> item id, once saved

    def add(self, at: datetime, source_id: str = "en-news", *, lang: str | None = None,
            models=(), themes=(), sentiment: str | None = "neutral", spam: bool = False,
            relevant: bool = True, tagged: bool = True, keywords=(), evidence=None,
            title: str | None = None, text: str | None = None, fallback_date: bool = False,
            copies=()) -> Story:
        n = len(self.stories) + 1
        lang = lang or SOURCE_LANG[source_id]
        title = title or f"Story {n} of the read side corpus about video models"
        body = text or (f"{title}. Body of story number {n}, written for the read-side tests, "
                        f"long enough to carry a content key of its own ({n}).")
        tags = None
        if tagged:
            if evidence is None:
                evidence = {k: (f"{k} phrase",) for k in (*models, *themes)}
            tags = Tags(relevant=relevant, models=tuple(models), themes=tuple(themes),
                        sentiment=sentiment or "neutral", sentiment_score=0.0, spam=spam,
                        keywords=tuple(keywords), evidence=dict(evidence), version=VERSION)
        story = Story(n, at, source_id, lang, title, body, tags, fallback_date, list(copies))
        self.stories.append(story)
        return story

    def save(self, session: Session, *, upto: int | None = None,
             now: datetime | None = None) -> dict[int, int]:
        """Store every unsaved story (up to story number `upto`), one batch per source, then their
        copies; commit. Returns story n -> item id for all saved stories."""
        now = now or utc(2026, 1, 1)
        store.sync_sources(session, SOURCES)
        run_id = store.start_run(session, VERSION, now=now)
        todo = [s for s in self.stories if s.n not in self.ids and (upto is None or s.n <= upto)]
        for src in dict.fromkeys(s.source_id for s in todo):
            batch = [ItemIntent(s.item(), keys_for(s.item()), s.tags)
                     for s in todo if s.source_id == src]
            counts = store.store_intents(session, run_id, src, batch, now)
            assert counts.new == len(batch), f"corpus stories collided in {src}: {counts}"
        for s in todo:
            for src in s.copies:
                copy = s.item(src)
                counts = store.store_intents(session, run_id, src,
                                             [ItemIntent(copy, keys_for(copy), s.tags)], now)
                assert counts.copies == 1, f"story {s.n} copy in {src} was not recorded: {counts}"
        store.finish_run(session, run_id, "ok", now=now)
        session.commit()
        guids = {s.guid: s.n for s in todo}
        for item_id, guid in session.execute(select(m.Item.id, m.Item.guid)):
            if guid in guids:
                self.ids[guids[guid]] = item_id
        return self.ids

    def by_id(self) -> dict[int, Story]:
        return {item_id: self.stories[n - 1] for n, item_id in self.ids.items()}


def visible(story: Story, *, include_spam: bool = False, include_irrelevant: bool = False) -> bool:
    """Whether a default ItemFilter counts the story (untagged stories always count)."""
    return (include_spam or not story.spam) and (include_irrelevant or story.relevant is not False)


def random_corpus(seed: int = 42, n: int = 150) -> Corpus:
    """A mixed corpus over 2025-03-01..04-05 and 2025-10-20..11-08 (both DST changes in Europe
    and North America), a third of the stories within an hour of a local midnight of UTC,
    Asia/Shanghai, America/New_York or Europe/Berlin."""
    rnd = random.Random(seed)
    corpus = Corpus()
    spans = [(utc(2025, 3, 1), 36), (utc(2025, 10, 20), 20)]
    midnights = (0, 16, 4, 5, 22, 23)   # UTC hours of local midnights (Shanghai, NY, Berlin)
    for _ in range(n):
        start, days = rnd.choice(spans)
        day = start + timedelta(days=rnd.randrange(days))
        if rnd.random() < 0.35:
            at = day + timedelta(hours=rnd.choice(midnights), minutes=rnd.choice((-30, -1, 0, 1, 30)))
        else:
            at = day + timedelta(minutes=rnd.randrange(24 * 60))
        source = rnd.choice(SOURCES).id
        lang = rnd.choices(("zh", "en", "other"), (45, 45, 10))[0]
        models = tuple(rnd.sample(MODELS, rnd.choices((0, 1, 2, 3), (15, 55, 25, 5))[0]))
        themes = tuple(rnd.sample(THEMES, rnd.choices((0, 1, 2), (25, 55, 20))[0]))
        roll = rnd.random()
        corpus.add(at, source, lang=lang, models=models, themes=themes,
                   sentiment=rnd.choice(("positive", "neutral", "negative")),
                   spam=roll < 0.06, relevant=not (0.06 <= roll < 0.12), tagged=roll < 0.94,
                   keywords=tuple(rnd.sample(KEYWORDS, rnd.randrange(0, 4))),
                   copies=[s.id for s in SOURCES
                           if s.id != source and rnd.random() < 0.05 and roll >= 0.06])
    return corpus


@contextmanager
def module_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
              backend: str | None = None) -> Iterator[Session]:
    """A session on a migrated database of its own on `backend` ("sqlite" | "postgresql",
    default request.param), for a module-scoped fixture; dropped afterwards."""
    if (backend or request.param) == "sqlite":
        path = tmp_path_factory.mktemp("readside") / "aigcwatch.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        url = f"sqlite:///{path}"
        drop = None
    else:
        server = request.getfixturevalue("pg_server")
        name = f"rs_{uuid.uuid4().hex[:16]}"
        url = server.create_database(name)
        upgrade(url)
        drop = lambda: server.drop_database(name)  # noqa: E731
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()
        if drop:
            drop()


@contextmanager
def searched_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                stories: dict[str, tuple[str, str, str]], at: datetime,
                models: dict[str, tuple[str, ...]]) -> Iterator[Session]:
    """`module_db` holding one story per entry of `stories` (name: (lang, title, text)), a minute
    apart from `at`, from zh-news or en-news by its language, with `models[lang]`."""
    with module_db(request, tmp_path_factory) as session:
        corpus = Corpus()
        for i, (lang, title, text) in enumerate(stories.values()):
            corpus.add(at + timedelta(minutes=i), "zh-news" if lang == "zh" else "en-news", lang=lang,
                       title=title, text=text, models=models[lang])
        corpus.save(session)
        yield session


def found_by_search(session: Session, stories: dict[str, tuple[str, str, str]], q: str) -> set[str]:
    """The names of `stories` (by title) that the search `q` lists; its count must agree."""
    from db import queries
    from db.filters import ItemFilter

    by_title = {v[1]: k for k, v in stories.items()}
    flt = ItemFilter(q=q)
    names = {by_title[r["title"]] for r in queries.items(session, flt, limit=100)}
    assert queries.count_items(session, flt) == len(names)   # the count agrees with the list
    return names


def matches(story: Story, flt) -> bool:
    """Python twin of ItemFilter.apply (text search aside) for a corpus story."""
    return ((flt.since is None or story.at >= flt.since)
            and (flt.until is None or story.at < flt.until)
            and (flt.as_of is None or story.at < flt.as_of)
            and (not flt.lang or story.lang in flt.lang)
            and (not flt.model or bool(set(story.models) & set(flt.model)))
            and (not flt.theme or bool(set(story.themes) & set(flt.theme)))
            and (not flt.sentiment or story.sentiment in flt.sentiment)
            and (not flt.source_id or story.source_id in flt.source_id)
            and (not flt.category or story.category in flt.category)
            and visible(story, include_spam=flt.include_spam,
                        include_irrelevant=flt.include_irrelevant))


def expected_counts(corpus: Corpus, flt, by=(), bucket=None, tz="UTC") -> dict[tuple, int]:
    """What counts() must return, worked out in Python: {(bucket?, *by values): stories}."""
    from collections import Counter

    from db.buckets import bucket_start, local_day

    out: Counter = Counter()
    for s in corpus.stories:
        if not matches(s, flt):
            continue
        values = {"lang": [s.lang], "sentiment": [s.sentiment], "source": [s.source_id],
                  "category": [s.category], "spam": [s.spam],
                  "model": [k for k in s.models if not flt.model or k in flt.model],
                  "theme": [k for k in s.themes if not flt.theme or k in flt.theme]}
        cells = [(bucket_start(local_day(s.at, tz), bucket),) if bucket else ()]
        for dim in by:
            cells = [c + (v,) for c in cells for v in values[dim]]
        out.update(cells)
    return dict(out)


def as_cells(rows: list[dict], by=(), bucket=None) -> dict[tuple, int]:
    names = (("bucket",) if bucket else ()) + tuple(by)
    return {tuple(r[n] for n in names): r["count"] for r in rows if r["count"]}
