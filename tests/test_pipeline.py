"""Ingest end to end on loopback: real feeds, real HTTP, a real database file."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import pytest
from sqlalchemy import func, select

from db import engine as dbe
from db import models
from ingest.fetch import FetchSettings
from ingest.pipeline import run_ingest
from ingest.types import FailureClass, Source
from tests.support.scripted_server import Reply, scripted_server

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "feeds"
FAST = FetchSettings(timeout_s=5, retries=0, backoff_base_s=0.0, max_concurrency=4)

ZH_NEWS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>演示</title><link>https://zh.example/</link><description>d</description>
<item><title>可灵2.1正式上线：AI视频生成画质大幅提升</title><link>https://zh.example/a/1?utm_source=rss</link>
<guid>zh-1</guid><pubDate>2025-06-12 14:03:00</pubDate>
<description><![CDATA[<p>快手旗下的可灵AI视频生成模型今天发布2.1版本，生成视频的分辨率提升到1080p，时长最长10秒。</p><p>用户可以在可灵App和网页端使用文生视频和图生视频功能，会员价格不变。</p>]]></description></item>
<item><title>海螺水泥发布三季度业绩公告</title><link>https://zh.example/a/2</link><guid>zh-2</guid>
<pubDate>2025-06-12 15:00:00</pubDate><description>海螺水泥公布三季度营收和净利润，水泥销量同比下降。</description></item>
<item><title>无链接的条目</title><guid>zh-3</guid><description>没有链接的条目不能保存。</description></item>
</channel></rss>"""

ZH_COPY = ZH_NEWS.replace("可灵2.1正式上线：AI视频生成画质大幅提升", "【快讯】可灵2.1正式上线：AI视频生成画质大幅提升_演示科技") \
    .replace("https://zh.example/a/1?utm_source=rss", "https://copy.example/news/77").replace("zh-1", "copy-77")


def sqlite_factory(tmp_path):
    url = f"sqlite:///{tmp_path / 'ingest.db'}"
    return url, dbe.session_factory(dbe.ensure_schema(url))


def src(id_, url, **kw):
    return Source(id=id_, name=id_, kind="rss", url=url, **kw)


def count(sf, model):
    with sf() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("workers", [0, 1], ids=["one-process", "worker"])
def test_relevant_items_stored_once_with_copies_counted(db_url, workers):
    settings = replace(FAST, workers=workers)
    sf = dbe.session_factory(dbe.ensure_schema(db_url))
    with scripted_server() as srv:
        srv.route("/zh.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml"))
        srv.route("/copy.xml", Reply(200, body=ZH_COPY, content_type="application/rss+xml"))
        sources = [src("zh", srv.url("/zh.xml"), lang="zh", timezone="Asia/Shanghai"),
                   src("copy", srv.url("/copy.xml"), lang="zh", timezone="Asia/Shanghai")]
        first = run_ingest(sf, sources, settings=settings)
        by = {r.source_id: r for r in first.results}
        # Each feed: one relevant story, one name collision (海螺水泥), one entry without a link.
        for r in by.values():
            assert (r.fetched, r.irrelevant, r.invalid) == (3, 1, 1)
        # The first source of the list holds the story (results reach the store in source order,
        # whatever the network's timing); the other is recorded as its copy.
        assert (by["zh"].new, by["copy"].new) == (1, 0)
        assert (by["zh"].duplicate, by["copy"].duplicate) == (0, 1)
        second = run_ingest(sf, sources, settings=settings, force=True)
        assert sum(r.new for r in second.results) == 0
    with sf() as s:
        [item] = s.scalars(select(models.Item)).all()
        assert item.url == "https://zh.example/a/1"
        assert item.published_at.hour == 6 and item.published_at.utcoffset().total_seconds() == 0  # 14:03 Beijing
        assert item.lang == "zh" and "kling" in {m.model for m in s.scalars(select(models.ItemModel))}
        copies = s.scalars(select(models.ItemCopy)).all()
        assert len(copies) == 1 and copies[0].source_id != item.source_id
        runs = s.scalars(select(models.IngestRun).order_by(models.IngestRun.id)).all()
        assert [r.status for r in runs] == ["ok", "ok"]


def test_unchanged_feed_is_not_modified_on_the_second_run(tmp_path):
    _, sf = sqlite_factory(tmp_path)
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "zh.xml").write_text(ZH_NEWS, encoding="utf-8")
    with scripted_server() as srv:
        srv.serve_dir("/f/", tmp_path / "feeds")
        sources = [src("zh", srv.url("/f/zh.xml"), lang="zh", timezone="Asia/Shanghai")]
        run_ingest(sf, sources, settings=FAST)
        again = run_ingest(sf, sources, settings=FAST)
        assert [r.status for r in again.results] == ["not_modified"]
        assert srv.requests("/f/zh.xml")[-1].header("if-none-match")


@pytest.mark.parametrize("workers", [0, 1], ids=["one-process", "worker"])
def test_one_broken_source_never_stops_the_run(tmp_path, workers):
    _, sf = sqlite_factory(tmp_path)
    with scripted_server() as srv:
        srv.route("/ok.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml"))
        srv.route("/500.xml", Reply(500))
        srv.route("/html.xml", Reply(200, body="<html><body>not a feed", content_type="text/html"))
        srv.route("/404.xml", Reply(404))
        sources = [src(n, srv.url(f"/{n}.xml"), lang="zh") for n in ("ok", "500", "html", "404")]
        summary = run_ingest(sf, sources, settings=replace(FAST, workers=workers))
    by = {r.source_id: r for r in summary.results}
    assert by["ok"].new == 1 and summary.status == "partial"
    assert by["500"].error_class == FailureClass.HTTP_STATUS and by["404"].http_status == 404
    assert by["html"].error_class == FailureClass.PARSE and by["html"].error
    with sf() as s:
        state = s.get(models.Source, "500")
        assert state.consecutive_failures == 1 and state.next_attempt_at is not None
        rs = s.scalars(select(models.RunSource).where(models.RunSource.run_id == summary.run_id)).all()
        assert {r.source_id: r.status for r in rs} == {"ok": "ok", "500": "failed", "html": "failed", "404": "failed"}
    # A failing source backs off: the next run skips it (recorded, not dropped silently).
    with scripted_server() as srv2:
        later = run_ingest(sf, [src("500", srv2.url("/x.xml"))], settings=FAST)
    assert [r.status for r in later.results] == ["skipped"]
    # Before: a run that asked no source (all backing off) was recorded as "ok".
    assert later.status == "skipped"
    with sf() as s:
        assert s.get(models.IngestRun, later.run_id).status == "skipped"


EMPTY_SEARCH = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                '<title>"可灵 2.5" - Google News</title><link>https://news.example/</link></channel></rss>')


def test_a_news_search_with_no_hit_is_ok_with_a_warning_and_keeps_being_read(tmp_path):
    # Before: a feed with no entries failed as `empty` and backed off (15 min doubling up to a
    # day), so a narrow search missed its first hits for hours.
    _, sf = sqlite_factory(tmp_path)
    with scripted_server() as srv:
        srv.route("/q.xml", Reply(200, body=EMPTY_SEARCH, content_type="application/rss+xml"))
        first = run_ingest(sf, [src("q", srv.url("/q.xml"), lang="zh")], settings=FAST)
        [r] = first.results
        assert (r.status, r.error_class, r.fetched) == ("ok", FailureClass.EMPTY, 0)
        assert r.error == "feed has no entries"
        with sf() as s:
            state = s.get(models.Source, "q")
            assert state.consecutive_failures == 0 and state.next_attempt_at is None
        srv.route("/q.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml"))
        later = run_ingest(sf, [src("q", srv.url("/q.xml"), lang="zh")], settings=FAST)
    assert [(r.status, r.new) for r in later.results] == [("ok", 1)]


def _corpus_sources(url_of):
    out = []
    for p in sorted(CORPUS.glob("*.xml")):
        zh = p.name.startswith(("zh-", "mixed-"))
        out.append(src(p.stem.lower().replace("_", "-")[:60], url_of(p.name), lang="zh" if zh else "und",
                       timezone="Asia/Shanghai" if zh else "UTC", topical=True))
    return out


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/feeds absent")
def test_real_corpus_every_entry_is_stored_or_counted_and_rerun_adds_nothing(tmp_path):
    _, sf = sqlite_factory(tmp_path)
    with scripted_server() as srv:
        srv.serve_dir("/c/", CORPUS)
        sources = _corpus_sources(lambda n: srv.url(f"/c/{n}"))
        first = run_ingest(sf, sources, settings=FAST, tagging=False)
        second = run_ingest(sf, sources, settings=FAST, force=True, tagging=False)
    by = {r.source_id: r for r in first.results}
    for s in sources:
        r = by[s.id]
        if r.status == "failed":
            assert r.error_class in (FailureClass.PARSE, FailureClass.EMPTY, FailureClass.DECODE), (s.id, r)
            continue
        assert r.fetched == r.new + r.updated + r.duplicate + r.irrelevant + r.invalid, (s.id, r)
    failed = {r.source_id for r in first.results if r.status == "failed"}
    assert "en-reuters-malformed" in failed
    assert len(failed) <= 3, failed
    # Every entry with a title and a link is stored or a duplicate.
    linked = 0
    for p in CORPUS.glob("*.xml"):
        sid = p.stem.lower().replace("_", "-")[:60]
        if sid in failed:
            continue
        linked += sum(1 for e in feedparser.parse(p.read_bytes()).entries if e.get("title") and e.get("link"))
    assert sum(r.new + r.duplicate for r in first.results) >= linked * 0.98
    assert sum(r.new for r in second.results) == 0
    assert sum(r.updated for r in second.results) == 0     # the same files: nothing edited
    with sf() as s:
        titles = s.scalars(select(models.Item.title).where(models.Item.source_id.like("zh-%"))).all()
    assert titles and all(not any(bad in t for bad in ("Ã", "â€", "锟斤拷", "\ufffd")) for t in titles)
    han = sum(1 for t in titles if any("\u4e00" <= ch <= "\u9fff" for ch in t))
    assert han >= 0.9 * len(titles)


KILL_SCRIPT = r"""
import sys
from db import engine as dbe
from ingest.fetch import FetchSettings
from ingest.pipeline import run_ingest
from ingest.types import Source
url, base = sys.argv[1], sys.argv[2]
sf = dbe.session_factory(dbe.ensure_schema(url))
sources = [Source(id=f"s{i}", name=f"s{i}", kind="rss", url=f"{base}/s{i}.xml", lang="zh", topical=True)
           for i in range(4)]
run_ingest(sf, sources, settings=FetchSettings(timeout_s=30, retries=0, max_concurrency=1), tagging=False)
"""


def _feed(i: int, n: int) -> str:
    items = "".join(
        f"<item><title>视频生成模型测试条目第{i}组第{k}条，画面与运动质量评测</title>"
        f"<link>https://k.example/{i}/{k}</link><guid>{i}-{k}</guid>"
        f"<description>第{i}组第{k}条：这是一段用于测试中断恢复的正文内容，讨论AI视频生成模型的画面质量。</description></item>"
        for k in range(n))
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>k{i}</title>{items}</channel></rss>'


@pytest.mark.slow
def test_killed_ingest_rerun_leaves_no_duplicate_and_no_half_written_item(tmp_path):
    url, sf = sqlite_factory(tmp_path)
    with scripted_server() as srv:
        for i in range(4):
            delay = 30.0 if i == 2 else 0.0   # the run hangs on s2 and is killed there
            srv.route(f"/s{i}.xml", Reply(200, body=_feed(i, 50), content_type="application/rss+xml", delay_s=delay))
        env = dict(os.environ, PYTHONPATH=str(REPO))
        proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, url, srv.base_url], env=env)
        deadline = time.time() + 60
        while time.time() < deadline and not srv.requests("/s2.xml"):
            time.sleep(0.05)
        # s0 and s1 are stored while s2 hangs (under load that can take longer than a fixed pause)
        while time.time() < deadline and count(sf, models.Item) < 100:
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        stored_before = count(sf, models.Item)
        assert stored_before in (100,), stored_before       # s0 and s1 committed whole, nothing of s2
        for i in range(4):
            srv.route(f"/s{i}.xml", Reply(200, body=_feed(i, 50), content_type="application/rss+xml"))
        sources = [src(f"s{i}", srv.url(f"/s{i}.xml"), lang="zh", topical=True) for i in range(4)]
        again = run_ingest(sf, sources, settings=FAST, tagging=False)
    assert count(sf, models.Item) == 200
    assert sum(r.new for r in again.results) == 100 and sum(r.duplicate for r in again.results) == 100
    with sf() as s:
        statuses = [r.status for r in s.scalars(select(models.IngestRun).order_by(models.IngestRun.id))]
        assert statuses == ["interrupted", "ok"]
        dup_urls = s.execute(select(models.Item.url, func.count()).group_by(models.Item.url)
                             .having(func.count() > 1)).all()
        assert dup_urls == []


def test_an_entry_that_breaks_tagging_costs_only_itself():
    from datetime import datetime, timezone

    from ingest.pipeline import each, prepare
    from ingest.tag import engine
    from ingest.types import FetchResult

    def fragile(title, text, lang):
        if "海螺水泥" in title:
            raise ValueError("lexicon exploded")
        return engine.tag(title, text, lang)

    res = FetchResult(source_id="zh", url="https://zh.example/feed", body=ZH_NEWS.encode(),
                      content_type="application/rss+xml", fetched_at=datetime(2025, 6, 13, tzinfo=timezone.utc))
    prep = prepare(src("zh", "https://zh.example/feed", lang="zh", timezone="Asia/Shanghai"), res, tagger=each(fragile))
    assert prep.fetched == 3 and len(prep.intents) == 1 and prep.invalid == 2
    assert any("lexicon exploded" in w and "zh.example/a/2" in w for w in prep.warnings)

    # the engine's batch tagger gives the same tags as tagging item by item
    whole = prepare(src("zh", "https://zh.example/feed", lang="zh", timezone="Asia/Shanghai"), res,
                    tagger=engine.tag_batch)
    single = prepare(src("zh", "https://zh.example/feed", lang="zh", timezone="Asia/Shanghai"), res,
                     tagger=each(engine.tag))
    assert [i.tags for i in whole.intents] == [i.tags for i in single.intents]


def test_source_with_nothing_new_for_stale_days_is_flagged_stale(tmp_path):
    from datetime import datetime, timedelta, timezone

    _, sf = sqlite_factory(tmp_path)
    with scripted_server() as srv:
        srv.route("/zh.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml"))
        source = src("zh", srv.url("/zh.xml"), lang="zh", timezone="Asia/Shanghai", stale_days=7)
        first = run_ingest(sf, [source], settings=FAST)
        assert first.results[0].new == 1 and first.results[0].error_class is None
        later = datetime.now(timezone.utc) + timedelta(days=9)
        again = run_ingest(sf, [source], settings=FAST, now=lambda: later)
    [r] = again.results
    assert r.status == "ok" and r.new == 0 and r.error_class == FailureClass.STALE
    assert "no new item for" in r.error
    with sf() as s:
        assert s.get(models.Source, "zh").last_error_class == "stale"


def test_nul_and_control_bytes_from_a_broken_feed_are_dropped_not_fatal(db_url):
    # Raw NUL bytes (a broken CMS) reach the lenient parser's text. PostgreSQL refuses NUL in a
    # text column: the source's INSERT raised DataError out of run_ingest and the run died.
    sf = dbe.session_factory(dbe.ensure_schema(db_url))
    body = (ZH_NEWS.replace("zh-1", "zh-\x001").replace("快手旗下的", "快手\x00旗下的\x1b")
            .encode("utf-8"))
    with scripted_server() as srv:
        srv.route("/nul.xml", Reply(200, body=body, content_type="application/rss+xml"))
        srv.route("/copy.xml", Reply(200, body=ZH_COPY, content_type="application/rss+xml"))
        summary = run_ingest(sf, [src("nul", srv.url("/nul.xml"), lang="zh", timezone="Asia/Shanghai"),
                                  src("copy", srv.url("/copy.xml"), lang="zh")], settings=FAST)
    by = {r.source_id: r for r in summary.results}
    assert (by["nul"].status, by["nul"].new) == ("ok", 1)
    assert (by["copy"].status, by["copy"].duplicate) == ("ok", 1)
    with sf() as s:
        item = s.scalars(select(models.Item).where(models.Item.source_id == "nul")).one()
    assert item.guid == "zh-1" and item.text.startswith("快手旗下的可灵AI视频生成模型")


CONST_GUID = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>g</title><link>https://cg.example/</link><description>d</description>
<item><title>Runway发布Gen-4.5视频模型，物理效果大幅提升</title><link>https://cg.example/a/1</link>
<guid>https://cg.example/</guid><pubDate>Sat, 28 Nov 2026 08:00:00 GMT</pubDate>
<description>Runway今日发布Gen-4.5视频生成模型，在物理模拟、角色一致性和镜头控制上大幅提升，面向所有付费用户开放。</description></item>
<item><title>谷歌Veo 3.1上线，支持更长的AI视频</title><link>https://cg.example/a/2</link>
<guid>https://cg.example/</guid><pubDate>Sat, 28 Nov 2026 09:00:00 GMT</pubDate>
<description>谷歌发布Veo 3.1视频生成模型，支持生成更长的视频片段和原生音频，并在Gemini应用和Flow中向用户开放。</description></item>
{more}</channel></rss>"""
CONST_GUID_MORE = """<item><title>Pika推出新的AI视频特效功能，上传照片即可生成</title><link>https://cg.example/a/3</link>
<guid>https://cg.example/</guid><pubDate>Sat, 28 Nov 2026 10:00:00 GMT</pubDate>
<description>AI视频初创公司Pika推出新的视频特效功能，用户上传照片即可生成带有各种特效的短视频，在社交媒体上引发模仿热潮。</description></item>"""


def test_entries_sharing_one_guid_are_told_apart_by_link(db_url):
    """A feed that gives every entry the same GUID (its home page) loses none of them, on the
    first run or when a new entry arrives with that GUID, and says why."""
    sf = dbe.session_factory(dbe.ensure_schema(db_url))
    source = src("cg", "", lang="zh", timezone="Asia/Shanghai", topical=True)
    with scripted_server() as srv:
        srv.route("/cg.xml", Reply(200, body=CONST_GUID.replace("{more}", ""),
                                   content_type="application/rss+xml"))
        first = run_ingest(sf, [replace(source, url=srv.url("/cg.xml"))], settings=FAST,
                           tagging=False)
        [r] = first.results
        assert (r.status, r.fetched, r.new, r.duplicate) == ("ok", 2, 2, 0)
        assert "share the GUID 'https://cg.example/'" in r.error
        srv.route("/cg.xml", Reply(200, body=CONST_GUID.replace("{more}", CONST_GUID_MORE),
                                   content_type="application/rss+xml"))
        second = run_ingest(sf, [replace(source, url=srv.url("/cg.xml"))], settings=FAST,
                            tagging=False, force=True)
        [r] = second.results
        assert (r.fetched, r.new, r.duplicate) == (3, 1, 2)
    with sf() as s:
        assert sorted(s.scalars(select(models.Item.url))) == [
            f"https://cg.example/a/{n}" for n in (1, 2, 3)]


UNSTORABLE = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>u</title><link>https://u.example/</link><description>d</description>
<item><title>Sora 2 cameo clips flood social feeds</title><description>OpenAI's Sora 2 app lets users put themselves into AI video.</description></item>
<item><title>Veo 3.1 adds longer AI video clips</title><link>javascript:alert(1)</link><description>Google's Veo 3.1 video model makes longer clips.</description></item>
<item><link>https://u.example/empty</link></item>
<item><title>Kling 2.5 Turbo cuts the price of AI video</title><link>https://u.example/kling</link><description>Kuaishou's Kling 2.5 Turbo video model is cheaper.</description></item>
</channel></rss>"""


def test_entries_that_cannot_be_stored_are_counted_with_the_reason(tmp_path):
    """An entry without a link, with a javascript: link or with neither title nor text is
    counted invalid and the run says which entries and why; the good entry is stored."""
    _, sf = sqlite_factory(tmp_path)
    with scripted_server() as srv:
        srv.route("/u.xml", Reply(200, body=UNSTORABLE, content_type="application/rss+xml"))
        [r] = run_ingest(sf, [src("u", srv.url("/u.xml"), topical=True)], settings=FAST,
                         tagging=False).results
    assert (r.status, r.fetched, r.new, r.invalid) == ("ok", 4, 1, 3)
    assert "1 entry without a link skipped (entry 1)" in r.error
    assert "1 entry whose link is not http(s) skipped (entry 2)" in r.error
    assert "1 entry without a title or text skipped (entry 3)" in r.error


RESERVED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>r</title><link>https://r.example/</link><description>d</description>
{entries}</channel></rss>"""


def _reserved_entry(n: int, title: str, text: str) -> str:
    return (f"<item><title>{title}</title><link>https://r.example/a/{n}</link><guid>r-{n}</guid>"
            f"<pubDate>Tue, 10 Jun 2025 0{n}:00:00 GMT</pubDate><description>{text}</description></item>")


@pytest.mark.parametrize("workers", [0, 1], ids=["one-process", "worker"])
def test_a_feed_served_again_tags_only_its_new_and_edited_entries(db_url, tmp_path, workers):
    """A feed without full text re-serving its entries (no validators, or one new entry on top):
    an entry stored already with this title and text is a plain duplicate and is not tagged
    again; an edited entry and a new one are, in one process or in worker processes."""
    from functools import partial

    from db import store
    from ingest.collect import DbLookup, collect_all
    from ingest.prepare import finish
    from ingest.types import FetchState
    from tests.support.tagging import noted, noting_tagger

    sf = dbe.session_factory(dbe.ensure_schema(db_url))
    kept = (1, "Kling 2.1 opens to every creator with 1080p AI video",
            "Kuaishou opened its Kling 2.1 AI video generation model to every creator on Tuesday.")
    edited = (2, "Runway Gen-4 arrives for paying subscribers",
              "Runway released Gen-4, an AI video model that keeps characters consistent across shots.")
    fixed = (2, "Runway Gen-4 and its API arrive for paying subscribers and studios", edited[2])
    fresh = (3, "Veo 3 adds sound to Google's AI video clips",
             "Google's Veo 3 video generation model now makes sound effects and dialogue with its clips.")
    log = str(tmp_path / "tagged.jsonl")
    tagger = partial(noting_tagger, log)
    with scripted_server() as srv:
        source = src("r", srv.url("/r.xml"), lang="en")
        with sf() as s:
            store.sync_sources(s, [source])
            s.commit()
        for entries in ((kept, edited), (kept, fixed, fresh)):
            srv.route("/r.xml", Reply(200, body=RESERVED.format(
                entries="".join(_reserved_entry(*e) for e in entries)), content_type="application/rss+xml"))
            [got] = collect_all([(source, FetchState())], replace(FAST, workers=workers),
                                lookup=DbLookup(sf), tagger=tagger)
            prep = got.prepared if got.prepared is not None else finish(source, got.norm, tagger)
            with sf() as s:
                counts = store.store_intents(s, None, "r", prep.intents, datetime.now(timezone.utc))
                s.commit()
    assert noted(log) == [kept[1], edited[1], fixed[1], fresh[1]]
    assert (counts.new, counts.updated, counts.duplicate) == (1, 1, 1)
    assert [i.tags is None for i in prep.intents] == [True, False, False]
    with sf() as s:
        titles = {i.url: i.title for i in s.scalars(select(models.Item))}
        kling = s.scalar(select(models.Item.id).where(models.Item.title == kept[1]))
        assert set(s.scalars(select(models.ItemModel.model).where(models.ItemModel.item_id == kling))) \
            == {"kling"}
    assert titles == {f"https://r.example/a/{n}": t for n, t, _ in (kept, fixed, fresh)}
