"""A source's boilerplate (an account's header and footer, a newsletter's intro, a shop's
disclaimer) is no part of its stories: ingest.boilerplate finds it among a feed's entries, and the
story index (db.clusters, through the real pipeline: loopback feeds, SQLite and PostgreSQL) never
files two of the source's stories as one by it. Copies from other outlets still join."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from db import clusters
from db import engine as dbe
from db import models as m
from ingest import boilerplate, cluster
from ingest.fetch import FetchSettings
from ingest.parse import parse_feed
from ingest.pipeline import run_ingest
from ingest.prepare import finish, normalise_feed
from ingest.types import Source
from tests.factories import T0, make_item, make_source, make_tags
from tests.support import rss
from tests.support.scripted_server import Reply, scripted_server

FAST = FetchSettings(timeout_s=5, retries=0, backoff_base_s=0.0, max_concurrency=4, workers=0)

# A WeChat-style account: every article opens with the account's call to follow it and ends with
# its footer block; the stories are short and all about one model (the account's subject).
HEADER = "点击上方蓝字「AI视频研究所」关注我们，每天一篇AI视频生成干货！"
FOOTER = ("END\n"
          "关注我们，获取AI视频生成最新资讯，第一时间了解可灵、即梦、Sora等模型的更新动态。\n"
          "往期推荐：可灵2.0全面评测｜AI短剧制作全流程｜十个提示词技巧让画面更稳定\n"
          "免责声明：本文部分素材来源于网络，仅供学习交流使用，如有侵权请联系我们删除。\n"
          "商务合作与投稿请添加微信：aivideo2025，备注公司和来意，我们会在三个工作日内回复。\n"
          "觉得有用就点个赞和在看吧，你的支持是我们持续更新的最大动力！")
WECHAT = (
    ("可灵2.1开放1080p高清生成", "快手今天宣布可灵2.1向所有用户开放1080p高清视频生成，单段视频最长十秒，"
     "会员价格保持不变。官方表示新版本在人物面部和手部细节上明显改善，运动幅度大的镜头也更稳定。"),
    ("可灵上线对口型功能，配音一键同步", "可灵本周上线了对口型功能，用户上传一段配音后，画面中人物的嘴型会自动与声音"
     "同步，支持中文和英文。我们用新闻播报和歌曲片段各试了一次，普通话的效果最好。"),
    ("可灵国际版付费用户突破百万", "快手财报电话会上透露，可灵海外版的付费用户已经超过一百万，主要来自美国、日本和"
     "巴西的广告与短视频创作者，公司计划年内推出面向企业的接口套餐。"),
    ("实测：可灵做一分钟AI短剧要多少钱", "我们用可灵做了一部一分钟的古风短剧，一共生成了四十多个镜头，其中能用的"
     "不到一半，算下来花掉了大约三百积分，最费时间的是让同一个角色在不同镜头里保持一致。"),
)
# An English newsletter whose feed gives each issue's opening: the same welcome paragraph first.
INTRO = ("Welcome back to Frame by Frame, the weekly newsletter where we track every AI video "
         "model launch, pricing change and creator experiment so you don't have to. Grab a "
         "coffee, here is what happened this week.")
NEWSLETTER = (
    ("Sora opens its app to Android users", "OpenAI brought the Sora app to Android in the US and "
     "Canada, with the same cameo feature and a waitlist for other countries."),
    ("Sora 2 clips get longer for Pro users", "Pro subscribers can now generate Sora 2 clips of "
     "up to twenty-five seconds, and storyboards let them plan a clip shot by shot."),
    ("Hollywood agencies push back on Sora", "Talent agencies told clients to opt out of Sora "
     "cameos after videos using actors' likenesses spread on social media."),
)


def _entry(n: int, site: str, title: str, text: str, hour: int) -> str:
    return rss.entry(f"{site}-{n}", f"https://{site}/p/{n}", title, rss.cdata(text), rss.june_10(hour))


_feed = rss.feed


def _html(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in "\n".join(paragraphs).split("\n"))


ACCOUNT = _feed(*(_entry(n, "mp.example", t, _html(HEADER, body, FOOTER), 8 + n)
                  for n, (t, body) in enumerate(WECHAT)))
LETTER = _feed(*(_entry(n, "letter.example", t, _html(INTRO, body), 8 + n)
                 for n, (t, body) in enumerate(NEWSLETTER)))
# Another outlet's edited copy of the account's first story (no header, no footer, a lead-in):
# the same story, which must still join it.
PORTAL = _feed(_entry(1, "portal.example", "可灵2.1高清版来了：1080p、最长十秒",
                      _html("据AI视频研究所报道，" + WECHAT[0][1]), 15))


def _sources(srv) -> list[Source]:
    return [Source(id=i, name=i, kind="rss", url=srv.url(f"/{i}.xml"), lang=lang, topical=True)
            for i, lang in (("account", "zh"), ("letter", "en"), ("portal", "zh"))]


def test_a_sources_boilerplate_makes_none_of_its_stories_one_and_copies_still_join(db_url):
    sf = dbe.session_factory(dbe.ensure_schema(db_url))
    with scripted_server() as srv:
        for name, body in (("account", ACCOUNT), ("letter", LETTER), ("portal", PORTAL)):
            srv.route(f"/{name}.xml", Reply(200, body=body, content_type="application/rss+xml"))
        summary = run_ingest(sf, _sources(srv), settings=FAST)
    assert {r.source_id: r.new for r in summary.results} == {"account": 4, "letter": 3, "portal": 1}
    with sf() as s:
        rows = s.execute(select(m.Item.source_id, m.Item.guid, m.Item.id, m.Item.cluster_id,
                                m.Item.reach)).all()
    by = {r.guid: r for r in rows}
    # every story of the account and of the newsletter is a story of its own ...
    for guid in [f"mp.example-{n}" for n in range(1, 4)] + [f"letter.example-{n}" for n in range(3)]:
        assert by[guid].cluster_id is None, (guid, sorted((r.guid, r.id, r.cluster_id) for r in rows))
    # ... and the other outlet's copy joins the account's story (reach 2)
    head = by["mp.example-0"]
    assert (head.cluster_id, head.reach) == (None, 2)
    assert by["portal.example-1"].cluster_id == head.id



def _stories(sf) -> dict[str, tuple[str | None, int | None]]:
    """guid -> (its story's canonical guid or None, reach)."""
    with sf() as s:
        rows = s.execute(select(m.Item.id, m.Item.guid, m.Item.cluster_id, m.Item.reach)).all()
    guid = {r.id: r.guid for r in rows}
    return {r.guid: (guid.get(r.cluster_id), r.reach) for r in rows}


def test_a_backfill_files_stored_items_into_the_stories_ingest_gives(db_url):
    """`aigcwatch retag` files the items stored before story clusters existed (db.clusters.backfill):
    signed as ingest signs them, without their source's boilerplate, they make the same stories,
    the account's four stories apart and the other outlet's copy in the first one's."""
    sf = dbe.session_factory(dbe.ensure_schema(db_url))
    with scripted_server() as srv:
        for name, body in (("account", ACCOUNT), ("letter", LETTER), ("portal", PORTAL)):
            srv.route(f"/{name}.xml", Reply(200, body=body, content_type="application/rss+xml"))
        run_ingest(sf, _sources(srv), settings=FAST)
    ingested = _stories(sf)
    assert ingested["portal.example-1"] == ("mp.example-0", None)
    assert sum(story is None for story, _ in ingested.values()) == 7
    with sf() as s:     # as stored before story clusters: no index, every item a story of its own
        s.execute(delete(m.ItemBand))
        s.execute(delete(m.ItemSignature))
        s.execute(update(m.Item).values(cluster_id=None, reach=1))
        s.commit()
        assert clusters.backfill(s) == 1
        s.commit()
    assert _stories(sf) == ingested


def test_boilerplate_is_what_entries_of_three_links_under_unrelated_titles_share():
    items = [make_item(n, title=t, text="\n".join((HEADER, body, FOOTER)), lang="zh",
                       url=f"https://mp.example/p/{n}")
             for n, (t, body) in enumerate(WECHAT)]
    found = boilerplate.of(items)
    kept = boilerplate.strip(items[0].text, found)
    assert all(sentence in kept for sentence in WECHAT[0][1].split("。"))   # the story stays
    assert "关注我们" not in kept and "免责声明" not in kept and "点击上方" not in kept
    # two entries are not enough to tell boilerplate from a story and its follow-up
    assert boilerplate.of(items[:2]) == frozenset()
    # nor are three re-serves of one story under related headlines (its text is its own)
    same = [make_item(n, title=f"可灵2.1开放1080p高清生成（更新{n}）", text=items[0].text,
                      url=f"https://mp.example/live/{n}") for n in range(3)]
    assert boilerplate.of(same) == frozenset()
    # one entry served twice under one link counts once
    assert boilerplate.of([items[0], items[1], items[1]]) == frozenset()
    # a text without boilerplate is signed as it is
    assert boilerplate.strip(items[0].text, frozenset()) is items[0].text


CORPUS = Path(os.environ.get("AIGCWATCH_CORPUS", "/work/shared/corpus/feeds"))


@pytest.mark.skipif(not (CORPUS / "zh-smzdm-2016.xml").is_file(), reason="../shared/corpus/feeds absent")
def test_a_real_deals_feed_with_a_shared_disclaimer_gives_no_story_of_two_deals():
    """什么值得买 (2016 capture): every deal ends with the site's disclaimer and many share a
    template sentence; two deals (a vacuum-flask brush, dog treats) were one story by them."""
    src = make_source("smzdm", lang="zh", topical=True)
    body = (CORPUS / "zh-smzdm-2016.xml").read_bytes()
    norm = normalise_feed(src, parse_feed(src.id, body, base_url=src.url), T0)
    prep = finish(src, norm, lambda items: [make_tags(models=()) for _ in items])
    sigs = {i.item.title: i.signature for i in prep.intents}
    a = sigs["凑单品：THERMOS 膳魔师 APA-800 保温杯清洁器 109元"]
    b = sigs["凑单品：Cadet 宠物零食 整只鸡胸肉170g 8.9元"]
    j = a.similarity(b)
    assert not cluster.same_story(j, a.size, b.size)
