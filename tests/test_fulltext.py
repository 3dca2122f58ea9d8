"""Full text: charset detection on Chinese pages, the extraction rule, and `full_text = true`
sources end to end (pages fetched once ever, summary kept when a page fails, tags from the body)."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from aigcwatch.apiserver import ApiPost, SocialApi, serve_social
from db import engine as dbe
from db import models as m
from ingest.fetch import FetchSettings
from ingest.fulltext import about_item, choose_text, decode_html, page_text
from ingest.pipeline import run_ingest
from ingest.types import Source
from tests.support.scripted_server import Reply, scripted_server

FAST = FetchSettings(timeout_s=5, retries=0, backoff_base_s=0.0, max_concurrency=2, page_interval_s=0)
BODY = ("快手旗下的可灵AI今天发布新一代视频生成模型，单段视频的最长时长提高到两分钟，分辨率支持1080p。"
        "新模型改进了长镜头中人物和场景的一致性，同一角色在不同镜头之间的服装和五官不再频繁变化。"
        "業內人士認為，視頻時長的突破將讓短劇和廣告片的製作流程進一步縮短。")

@contextmanager
def hn_post_of(post_id: str, title: str, link: str):
    """A loopback HN search API serving one post that links to `link`, as a full-text source."""
    api = SocialApi([ApiPost(platform="hn", id=post_id, author="alice", points=12,
                             created=datetime(2025, 10, 20, 12, tzinfo=timezone.utc),
                             title=title, text="", link=link)])
    with serve_social(api) as base:
        yield Source(id="hn", name="hn", kind="hn", category="social", topical=True, full_text=True,
                     url=base + "/hn/api/v1/search_by_date?query=kling&tags=story", min_interval_s=0)



def page(charset_meta: str | None, text: str = BODY, title: str = "新一代视频生成模型发布") -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    paras = "".join(f"<p>{s}。</p>" for s in text.split("。") if s)
    return (f"<!doctype html><html><head>{meta}<title>{title}</title></head><body>"
            f"<nav>首页 | 科技 | 财经</nav><article><h1>{title}</h1>{paras}</article>"
            f"<footer>版权所有 演示</footer></body></html>")


def test_gbk_page_declared_only_in_a_meta_tag_is_read_as_chinese():
    text, codec = decode_html(page("gbk").encode("gbk"), "text/html")
    assert codec == "gb18030" and "可灵" in text


def test_gb18030_bytes_declared_as_utf8_or_not_at_all_are_detected():
    raw = page(None, BODY + "𠀀字不在GBK里。").encode("gb18030")
    text, codec = decode_html(raw, "text/html; charset=utf-8")     # the header is wrong
    assert codec == "gb18030" and "𠀀" in text
    assert decode_html(page(None).encode("gb18030"), None)[1] == "gb18030"


def test_a_declared_gbk_page_that_is_really_utf8_is_read_as_utf8():
    text, codec = decode_html(page("gbk").encode("utf-8"), "text/html")
    assert codec == "utf-8" and "可灵" in text


def test_big5_pages_and_plain_utf8_pages():
    big5 = page("big5", "業內人士認為視頻時長的突破將讓短劇的製作流程進一步縮短", title="新模型發佈")
    assert "視頻" in decode_html(big5.encode("big5", "xmlcharrefreplace"))[0]
    assert decode_html(page("utf-8").encode("utf-8"), "text/html; charset=UTF-8")[1] == "utf-8"


def test_extraction_keeps_the_article_and_drops_the_navigation():
    got = page_text("http://x/a", page("gbk").encode("gbk"), "text/html")
    assert got.text and "两分钟" in got.text and "首页 | 科技" not in got.text
    empty = page_text("http://x/b", b"<html><body><nav>menu</nav></body></html>", "text/html")
    assert empty.text is None and empty.error_class == "extract"


def test_the_summary_stays_unless_the_page_gives_a_longer_real_body():
    assert choose_text("短摘要", BODY) == BODY
    assert choose_text(BODY, "太短") is None
    assert choose_text(BODY + BODY, BODY) is None           # shorter than the feed's own text
    assert choose_text("x", None) is None


def _rss(base: str, items: list[tuple[str, str, str]]) -> str:
    rows = "".join(f"<item><title>{t}</title><link>{base}{link}</link><guid>{link}</guid>"
                   f"<pubDate>Mon, 20 Oct 2025 08:00:00 +0000</pubDate><description>{d}</description></item>"
                   for t, link, d in items)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{rows}</channel></rss>'


@pytest.mark.parametrize("workers", [0, 1], ids=["one-process", "worker"])
def test_full_text_sources_fetch_each_new_page_once_and_tag_the_body(tmp_path, workers):
    settings = replace(FAST, workers=workers)
    url = f"sqlite:///{tmp_path / 'a.db'}"
    sf = dbe.session_factory(dbe.ensure_schema(url))
    with scripted_server() as srv:
        feed = _rss(srv.base_url, [("新模型发布", "/a/1.html", "今天有新模型发布。"),
                                   ("另一条快讯", "/a/2.html", "一条只有摘要的快讯。")])
        srv.route("/feed.xml", Reply(200, body=feed, content_type="application/rss+xml"))
        srv.route("/a/1.html", Reply(200, body=page("gbk").encode("gbk"), content_type="text/html"))
        srv.route("/a/2.html", Reply(404, body="gone", content_type="text/plain"))
        wire = Source(id="wire", name="wire", kind="rss", url=srv.url("/feed.xml"), lang="zh",
                      timezone="Asia/Shanghai", topical=True, full_text=True)
        [r] = run_ingest(sf, [wire], settings=settings).results
        assert r.new == 2 and r.pages == 3 and "kept their summary" in r.error
        # the same pages shared by a post of another source: never fetched again, text reused
        with hn_post_of("41000001", "Kling's two-minute clips", srv.url("/a/1.html")) as hn:
            run_ingest(sf, [wire, hn], settings=settings, force=True)
        assert len(srv.requests("/a/1.html")) == 1 and len(srv.requests("/a/2.html")) == 1
    with sf() as s:
        by_url = {i.url: i for i in s.scalars(select(m.Item))}
        full = by_url[srv.url("/a/1.html")]
        assert full.full_text and "两分钟" in full.text
        assert {x.model for x in s.scalars(select(m.ItemModel).where(m.ItemModel.item_id == full.id))} \
            == {"kling"}                                    # named only in the page's body
        kept = by_url[srv.url("/a/2.html")]
        assert not kept.full_text and kept.text == "一条只有摘要的快讯。"
        post = next(i for i in by_url.values() if i.source_id == "hn")
        assert post.full_text and "两分钟" in post.text and post.shared_url == srv.url("/a/1.html")
        pages = {p.url: p for p in s.scalars(select(m.Page))}
        assert pages[srv.url("/a/2.html")].error_class == "http_status" and pages[srv.url("/a/2.html")].text is None
        assert pages[srv.url("/a/1.html")].text


CONSENT = ("<!doctype html><html><head><meta charset='utf-8'><title>Before you continue</title></head>"
           "<body><main><h1>Before you continue to our site</h1><p>We use cookies and data to deliver "
           "and maintain our services, track outages and protect against spam, fraud and abuse, and "
           "measure audience engagement and site statistics to understand how our services are used.</p>"
           "<p>If you choose to accept all, we will also use cookies and data to develop and improve new "
           "services, deliver and measure the effectiveness of ads, and show personalised content "
           "depending on your settings. Select more options to see additional information.</p>"
           "<button>Reject all</button><button>Accept all</button></main></body></html>")
LOGIN = ("微博登录\n请输入手机号或邮箱和密码。忘记密码？还没有微博账号？立即注册。使用其他方式登录：扫码登录，"
         "短信验证码登录。登录即表示同意微博服务使用协议和个人信息保护政策。")


def test_a_page_that_is_not_about_the_item_does_not_replace_its_summary():
    en = ("Google's Veo 3.1 brings longer clips and audio to its AI video generator",
          "Google released Veo 3.1, its AI video generation model ...")
    zh = ("可灵2.5 Turbo发布：视频生成价格下降三成", "快手旗下可灵AI发布新一代视频生成模型……")
    consent = page_text("http://x/c", CONSENT.encode(), "text/html").text
    assert consent and not about_item(consent, *en) and choose_text(en[1], consent, en[0]) is None
    assert not about_item(LOGIN, *zh) and choose_text(zh[1], LOGIN, zh[0]) is None
    # the article itself is taken, and so is a page in another script (nothing to judge it by)
    assert about_item(BODY, *zh) and choose_text(zh[1], BODY, zh[0]) == BODY
    assert about_item(BODY, "Kling's two-minute clips", "")


def test_items_redirected_to_one_consent_page_stay_apart_with_their_summaries(tmp_path):
    """Three stories whose links all redirect to a cookie-consent page: the page's text is no
    one's body, so each keeps its summary and none becomes a copy of another."""
    sf = dbe.session_factory(dbe.ensure_schema(f"sqlite:///{tmp_path / 'c.db'}"))
    with scripted_server() as srv:
        feed = _rss(srv.base_url, [
            ("OpenAI's Sora 2 app tops the App Store with AI video cameos", "/r/1",
             "OpenAI's Sora 2 video app climbed to the top of the App Store ..."),
            ("Google's Veo 3.1 brings longer clips to its AI video generator", "/r/2",
             "Google released Veo 3.1, its AI video generation model ..."),
            ("Runway raises new funding to build world models for AI video", "/r/3",
             "Runway, the AI video startup, raised a new round ...")])
        srv.route("/feed.xml", Reply(200, body=feed, content_type="application/rss+xml"))
        for n in (1, 2, 3):
            srv.route(f"/r/{n}", Reply(302, headers={"Location": "/consent"}))
        srv.route("/consent", Reply(200, body=CONSENT, content_type="text/html; charset=utf-8"))
        wire = Source(id="wire", name="wire", kind="rss", url=srv.url("/feed.xml"), lang="en",
                      topical=True, full_text=True)
        [r] = run_ingest(sf, [wire], settings=FAST).results
    assert (r.new, r.duplicate) == (3, 0)
    assert "3 items kept their summary (the page is not about the item" in r.error
    with sf() as s:
        items = s.scalars(select(m.Item)).all()
        assert not any(i.full_text or "cookies" in i.text for i in items)
        assert s.scalars(select(m.ItemCopy)).all() == []


def test_pages_stop_for_the_run_after_three_in_a_row_time_out(tmp_path):
    """A hanging article host costs three timed-out pages, not one per item: the other items
    keep their summaries, and the run says why."""
    sf = dbe.session_factory(dbe.ensure_schema(f"sqlite:///{tmp_path / 's.db'}"))
    settings = replace(FAST, timeout_s=0.3)
    with scripted_server() as srv:
        feed = _rss(srv.base_url, [(f"可灵新模型发布快讯第{n}条", f"/slow/{n}", f"快讯摘要第{n}条。")
                                   for n in range(1, 7)])
        srv.route("/feed.xml", Reply(200, body=feed, content_type="application/rss+xml"))
        for n in range(1, 7):
            srv.route(f"/slow/{n}", Reply(200, body=page("utf-8"), content_type="text/html",
                                          delay_s=1.0))
        wire = Source(id="wire", name="wire", kind="rss", url=srv.url("/feed.xml"), lang="zh",
                      timezone="Asia/Shanghai", topical=True, full_text=True)
        [r] = run_ingest(sf, [wire], settings=settings).results
        asked = sum(len(srv.requests(f"/slow/{n}")) for n in range(1, 7))
    assert r.new == 6 and asked == 3 and r.pages == 4
    assert "3 pages not fetched (the 3 before them timed out" in r.error


def test_pages_a_run_left_out_are_fetched_by_the_next_run(tmp_path):
    """The items a stalled host (or the per-run cap) left with their summary get their pages
    when the host answers again: the timed-out ones retried, the others fetched for the first
    time, each item updated with its page's text."""
    sf = dbe.session_factory(dbe.ensure_schema(f"sqlite:///{tmp_path / 's.db'}"))
    with scripted_server() as srv:
        feed = _rss(srv.base_url, [(f"可灵新模型发布快讯第{n}条", f"/slow/{n}", f"快讯摘要第{n}条。")
                                   for n in range(1, 7)])
        srv.route("/feed.xml", Reply(200, body=feed, content_type="application/rss+xml"))
        for n in range(1, 7):
            srv.route(f"/slow/{n}", Reply(200, body=page("utf-8"), content_type="text/html", delay_s=1.0),
                      Reply(200, body=page("utf-8"), content_type="text/html"))
        [first] = run_ingest(sf, [_wire(srv)], settings=replace(FAST, timeout_s=0.3)).results
        [second] = run_ingest(sf, [_wire(srv)], settings=FAST, force=True).results
        asked = [len(srv.requests(f"/slow/{n}")) for n in range(1, 7)]
    assert (first.new, second.updated, second.new) == (6, 6, 0)
    assert asked == [2, 2, 2, 1, 1, 1]
    with sf() as s:
        assert all(i.full_text and "两分钟" in i.text for i in s.scalars(select(m.Item)))


def test_a_redirected_page_is_remembered_under_the_link_items_carry(tmp_path):
    """A link that redirects (a short link, an old address) is fetched once ever too: a later
    post sharing the same link reuses its text without asking again."""
    sf = dbe.session_factory(dbe.ensure_schema(f"sqlite:///{tmp_path / 'r.db'}"))
    with scripted_server() as srv:
        srv.route("/short/k1", Reply(301, headers={"Location": "/a/1.html"}))
        srv.route("/a/1.html", Reply(200, body=page("utf-8").encode(), content_type="text/html"))
        feed = _rss(srv.base_url, [("可灵新一代视频生成模型发布", "/short/k1", "今天有新模型发布。")])
        srv.route("/feed.xml", Reply(200, body=feed, content_type="application/rss+xml"))
        wire = Source(id="wire", name="wire", kind="rss", url=srv.url("/feed.xml"), lang="zh",
                      timezone="Asia/Shanghai", topical=True, full_text=True)
        run_ingest(sf, [wire], settings=FAST)
        with hn_post_of("41000002", "可灵发布新一代视频生成模型", srv.url("/short/k1")) as hn:
            run_ingest(sf, [hn], settings=FAST)
        assert len(srv.requests("/short/k1")) == 1 and len(srv.requests("/a/1.html")) == 1
    with sf() as s:
        post = s.scalars(select(m.Item).where(m.Item.source_id == "hn")).one()
        assert post.full_text and "两分钟" in post.text
        assert [p.url for p in s.scalars(select(m.Page))] == [srv.url("/short/k1")]


def test_the_same_article_on_many_portals_is_extracted_every_time():
    """A wire story carried word for word by many portals gives its text on each page, however
    many the process has read before (trafilatura's cross-call deduplication would drop it)."""
    html = page("utf-8")
    texts = [page_text(f"http://portal{n}.example/a/1.html", html.encode(), "text/html").text
             for n in range(6)]
    assert all(t and "两分钟" in t for t in texts) and len(set(texts)) == 1


def _wire(srv, full_text: bool = True) -> Source:
    return Source(id="wire", name="wire", kind="rss", url=srv.url("/feed.xml"), lang="zh",
                  timezone="Asia/Shanghai", topical=True, full_text=full_text)


def test_a_corrected_headline_updates_a_full_text_item_and_keeps_its_page_text(db_url):
    """The feed's summary is no edit of the page's text, but its corrected headline is: the
    stored title (and the tags) take it; the text stays the page's; the page is not asked again."""
    sf = dbe.session_factory(dbe.ensure_schema(db_url))
    title, fixed = "可灵发布新一代视频生成模型", "可灵与Veo 3同日发布新一代视频生成模型"
    with scripted_server() as srv:
        srv.route("/a/1.html", Reply(200, body=page("utf-8").encode(), content_type="text/html"))
        srv.route("/feed.xml", Reply(200, body=_rss(srv.base_url, [(title, "/a/1.html", "今天有新模型发布。")]),
                                     content_type="application/rss+xml"))
        [first] = run_ingest(sf, [_wire(srv)], settings=FAST).results
        srv.route("/feed.xml", Reply(200, body=_rss(srv.base_url, [(fixed, "/a/1.html", "今天有新模型发布。")]),
                                     content_type="application/rss+xml"))
        [second] = run_ingest(sf, [_wire(srv)], settings=FAST, force=True).results
        [third] = run_ingest(sf, [_wire(srv)], settings=FAST, force=True).results
        assert len(srv.requests("/a/1.html")) == 1
    assert (first.new, second.updated, second.new, third.updated) == (1, 1, 0, 0)
    with sf() as s:
        item = s.scalars(select(m.Item)).one()
        assert (item.title, item.full_text) == (fixed, True) and "两分钟" in item.text
        assert {x.model for x in s.scalars(select(m.ItemModel).where(m.ItemModel.item_id == item.id))} \
            == {"kling", "veo"}


def test_a_headline_rewritten_away_from_its_page_still_updates_the_full_text_item(db_url):
    """The headline (and summary) rewritten until the page's text no longer counts as about them:
    the source now says the new headline, so the item takes it over the page's text it keeps
    (the page was judged its article when it was first taken)."""
    sf = dbe.session_factory(dbe.ensure_schema(db_url))
    title, rewritten = "可灵发布新一代视频生成模型", "快手AI工具迎来重大升级"
    with scripted_server() as srv:
        srv.route("/a/1.html", Reply(200, body=page("utf-8").encode(), content_type="text/html"))
        runs = []
        for head, summary in ((title, "今天有新模型发布。"), (rewritten, "升级详情见正文。")):
            srv.route("/feed.xml", Reply(200, body=_rss(srv.base_url, [(head, "/a/1.html", summary)]),
                                         content_type="application/rss+xml"))
            runs += run_ingest(sf, [_wire(srv)], settings=FAST, force=True).results
        assert len(srv.requests("/a/1.html")) == 1
    assert [(r.new, r.updated) for r in runs] == [(1, 0), (0, 1)]
    with sf() as s:
        item = s.scalars(select(m.Item)).one()
    assert (item.title, item.full_text) == (rewritten, True) and "两分钟" in item.text


def test_a_page_that_failed_for_a_passing_reason_is_fetched_again_by_later_runs(tmp_path):
    """A 503 or a timeout is retried by the next runs while the item is in the feed (the item
    then takes the page's text, as an edit), at most MAX_PAGE_ATTEMPTS times in all; a 404 is
    not retried."""
    from ingest.collect import MAX_PAGE_ATTEMPTS

    sf = dbe.session_factory(dbe.ensure_schema(f"sqlite:///{tmp_path / 'r.db'}"))
    with scripted_server() as srv:
        srv.route("/feed.xml", Reply(200, body=_rss(srv.base_url, [
            ("可灵发布新一代视频生成模型", "/a/1.html", "今天有新模型发布。"),
            ("可灵新模型上线快讯", "/a/2.html", "一条只有摘要的快讯。"),
            ("可灵新模型评测", "/a/3.html", "评测摘要。")]), content_type="application/rss+xml"))
        srv.route("/a/1.html", Reply(503), Reply(200, body=page("utf-8").encode(), content_type="text/html"))
        srv.route("/a/2.html", Reply(503))
        srv.route("/a/3.html", Reply(404))
        runs = [run_ingest(sf, [_wire(srv)], settings=FAST, force=True).results[0] for _ in range(5)]
        asked = [len(srv.requests(f"/a/{n}.html")) for n in (1, 2, 3)]
    assert [(r.new, r.updated) for r in runs] == [(3, 0), (0, 1), (0, 0), (0, 0), (0, 0)]
    assert asked == [2, MAX_PAGE_ATTEMPTS, 1]
    with sf() as s:
        by_url = {i.url: i for i in s.scalars(select(m.Item))}
        done = by_url[srv.url("/a/1.html")]
        assert done.full_text and "两分钟" in done.text
        assert not by_url[srv.url("/a/2.html")].full_text
        pages = {p.url: p for p in s.scalars(select(m.Page))}
        assert pages[srv.url("/a/1.html")].text and pages[srv.url("/a/1.html")].error_class is None
        assert (pages[srv.url("/a/2.html")].attempts, pages[srv.url("/a/2.html")].http_status) == \
            (MAX_PAGE_ATTEMPTS, 503)


@pytest.mark.parametrize("ref", ["&#12;", "&#x8;", "&#31;", "&#xFFFE;"])
def test_a_control_character_reference_does_not_cost_the_page_its_text(ref):
    # One "&#12;" (a form feed pasted from a word processor) made the extractor's XML tree refuse
    # the page: "no main text", recorded for good, and the item kept its summary.
    got = page_text("http://x/a", page("utf-8", BODY.replace("，", f"{ref}，", 1)).encode(), "text/html")
    assert got.text and "两分钟" in got.text and got.error_class is None


OTHER_BODY = ("字节跳动旗下的即梦今天上线了新的图生视频功能，用户上传一张照片即可生成十秒的动态短片。"
              "新功能支持多种镜头运动方式，并加入了口型同步，配音可以直接从文字生成。"
              "即梦表示，会员用户每天可以免费生成二十段视频，企业用户可以通过接口批量调用。")


def _rss_guid(base: str, guid: str, title: str, link: str, summary: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            f"<item><title>{title}</title><link>{base}{link}</link><guid>{guid}</guid>"
            "<pubDate>Mon, 20 Oct 2025 08:00:00 +0000</pubDate>"
            f"<description>{summary}</description></item></channel></rss>")


def test_a_reused_guid_with_a_related_title_but_another_text_gets_its_page_at_once(db_url):
    """A daily column under one fixed GUID and headline, with a new link and another text, is a
    new story (db.store): its page is fetched by the run that first sees it, not one run later
    (the full-text stage took it for the old entry moved, because the titles share terms). The
    old entry moved under a new link with its own text is still not asked for."""
    sf = dbe.session_factory(dbe.ensure_schema(db_url))
    title = "AI视频日报：今天创作者都在用什么模型"
    with scripted_server() as srv:
        srv.route("/daily/1", Reply(200, body=page("utf-8").encode(), content_type="text/html"))
        srv.route("/daily/2", Reply(200, body=page("utf-8", OTHER_BODY, "即梦上线图生视频").encode(),
                                    content_type="text/html"))
        runs = []
        for link, summary in (("/daily/1", "今天有新模型发布。"),
                              ("/daily/2", OTHER_BODY.split("。")[0] + "。"),
                              ("/daily/1-moved", BODY.split("。")[0] + "。")):
            srv.route("/feed.xml", Reply(200, body=_rss_guid(srv.base_url, "daily", title, link, summary),
                                         content_type="application/rss+xml"))
            runs += run_ingest(sf, [_wire(srv)], settings=FAST, force=True).results
        asked = [len(srv.requests(p)) for p in ("/daily/1", "/daily/2", "/daily/1-moved")]
    assert [(r.new, r.updated) for r in runs] == [(1, 0), (1, 0), (0, 0)]
    assert asked == [1, 1, 0]
    with sf() as s:
        by_url = {i.url: i for i in s.scalars(select(m.Item))}
    second = by_url[srv.url("/daily/2")]
    assert second.full_text and "二十段视频" in second.text


def test_an_item_seen_again_as_stored_is_not_tagged_again(db_url):
    """A full-text item served again with its stored title and text (its page's text taken
    again) is a plain duplicate: only the feed's new entry is tagged, and the stored tags stay."""
    from db import store
    from ingest.collect import DbLookup, collect_all
    from ingest.prepare import finish
    from ingest.tag.engine import tag_batch
    from ingest.types import FetchState

    sf = dbe.session_factory(dbe.ensure_schema(db_url))
    seen, fresh = ("可灵发布新一代视频生成模型", "/a/1.html", "今天有新模型发布。"), \
        ("Veo 3新模型评测", "/a/2.html", "评测摘要。")
    asked: list[str] = []

    def tagger(docs):
        asked.extend(title for title, _, _ in docs)
        return tag_batch(docs)

    with scripted_server() as srv:
        srv.route("/a/1.html", Reply(200, body=page("utf-8").encode(), content_type="text/html"))
        srv.route("/a/2.html", Reply(404))
        srv.route("/feed.xml", Reply(200, body=_rss(srv.base_url, [seen]), content_type="application/rss+xml"))
        assert run_ingest(sf, [_wire(srv)], settings=FAST).results[0].new == 1
        srv.route("/feed.xml", Reply(200, body=_rss(srv.base_url, [seen, fresh]),
                                     content_type="application/rss+xml"))
        [got] = collect_all([(_wire(srv), FetchState())], replace(FAST, workers=0), lookup=DbLookup(sf))
        prep = finish(_wire(srv), got.norm, tagger)
    assert asked == [fresh[0]]
    assert [(i.item.title, i.tags is None) for i in prep.intents] == [(seen[0], True), (fresh[0], False)]
    with sf() as s:
        counts = store.store_intents(s, None, "wire", prep.intents, datetime.now(timezone.utc))
        s.commit()
        assert (counts.new, counts.duplicate, counts.updated) == (1, 1, 0)
        item = s.scalars(select(m.Item).where(m.Item.title == seen[0])).one()
        assert item.full_text and "两分钟" in item.text
        assert {x.model for x in s.scalars(select(m.ItemModel).where(m.ItemModel.item_id == item.id))} \
            == {"kling"}
