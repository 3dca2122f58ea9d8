"""A daily briefing (AI早报, "AI daily", a newsletter) lists several news items: it is a story of
its own, never a copy of one of them (which would hide its other news and count it in that
story's reach), whichever comes first; an article is still a copy of a longer article that
wholly reprints it. Through the real pipeline (loopback feeds, SQLite and PostgreSQL), on a real
capture (雷锋网 2016: a 雷锋早报 quoting a MacBook article) and on written zh and en briefings;
`aigcwatch recluster` follows the same rule."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from db import engine as dbe
from db import models as m
from db import recluster
from ingest import cluster, roundup
from ingest.fetch import FetchSettings
from ingest.pipeline import run_ingest
from ingest.types import Source
from tests.support import rss
from tests.support.scripted_server import Reply, scripted_server

FAST = FetchSettings(timeout_s=5, retries=0, backoff_base_s=0.0, max_concurrency=4, workers=0)
CORPUS = Path(os.environ.get("AIGCWATCH_CORPUS", "/work/shared/corpus/feeds"))

ZH_NEWS = (
    ("可灵2.1向全部用户开放1080p高清生成",
     "快手今天宣布，可灵2.1版本即日起向全部用户开放1080p高清视频生成，单段视频最长可达十秒，会员价格保持不变。"
     "官方表示，新版本重新训练了运动模块，人物面部和手部细节明显改善，大幅度运镜时画面抖动减少了一半以上。"
     "免费用户每天可获得六十六灵感值，生成一段高清视频需要二十灵感值，高峰时段排队时间约为三分钟。"
     "快手还透露，可灵上线一年来已累计生成超过两亿段视频，海外创作者占比接近三成，广告和短剧是最主要的用途。"
     "业内人士认为，高清能力全面开放后，可灵与海外同类产品在画质上的差距进一步缩小。"),
    ("Sora安卓版正式上线，美国和加拿大用户可直接下载",
     "OpenAI周二宣布，视频生成应用Sora的安卓版本正式上线，美国、加拿大、日本和韩国的用户无需邀请码即可在谷歌商店下载。"
     "安卓版保留了客串功能，用户录制一段自己的视频和声音后，可以让自己出现在生成的画面里，并决定谁能使用自己的形象。"
     "此前苹果版上线五天下载量就突破一百万次，一度登上美国应用商店榜首。"
     "OpenAI表示，安卓版的生成速度与苹果版相同，每段视频最长十五秒，专业版订阅用户可以生成二十五秒的视频，"
     "并使用故事板功能逐个镜头规划画面。"),
    ("即梦上线动作模仿，一张照片就能跳舞",
     "字节跳动旗下的即梦本周上线动作模仿功能，用户上传一张人物照片和一段参考舞蹈视频，即可生成照片中人物跳同样舞蹈的视频。"
     "官方介绍，该功能基于自研的人体姿态模型，能够保持人物服装、发型和背景的一致，最长支持十二秒。"
     "我们用一张证件照和一段街舞视频做了测试，整体动作流畅，转身时手臂偶有变形，脸部细节保持得较好。"
     "即梦表示，动作模仿目前对会员免费开放，普通用户每天可以试用三次，后续还会加入多人同框和口型同步。"),
)
EN_NEWS = (
    ("OpenAI brings the Sora app to Android",
     "OpenAI released the Sora app for Android on Tuesday, letting users in the United States, Canada, "
     "Japan and South Korea download it from the Play Store without an invite code. The Android "
     "version keeps the cameo feature, which lets people record a short video of themselves and "
     "appear in generated scenes, and lets them decide who may use their likeness. The iPhone app "
     "passed one million downloads in under five days and briefly topped the App Store chart. "
     "OpenAI says clips on Android render as fast as on iPhone and run up to fifteen seconds, "
     "while Pro subscribers can make clips of twenty-five seconds and plan them shot by shot."),
    ("Google's Veo 3.1 adds audio to image-to-video clips",
     "Google updated its Veo video model to version 3.1, adding generated sound to clips made from "
     "a still image and giving creators more control over how a scene begins and ends. The model "
     "now accepts up to three reference images to keep a character consistent across shots, and "
     "its Flow editor can extend a clip by another minute while keeping the soundtrack in sync. "
     "Veo 3.1 is available to paying Gemini subscribers and to developers through the Gemini API, "
     "priced at forty cents a second for the standard model and fifteen cents for the fast one."),
    ("Kling 2.5 Turbo cuts the price of 1080p video",
     "Kuaishou launched Kling 2.5 Turbo, a faster version of its video model that the company says "
     "follows complex prompts better and keeps motion stable in action scenes. A five-second 1080p "
     "clip now costs twenty-five credits instead of thirty-five, which makes it one of the cheapest "
     "high-definition options for creators who publish every day. Early testers on social media "
     "praised its camera moves and physics, but noted that text on signs and screens still comes "
     "out garbled and that faces drift in clips longer than ten seconds."),
)


def _zh_brief() -> tuple[str, str]:
    title = "AI早报 | 可灵2.1开放1080p；Sora安卓版上线；即梦推出动作模仿"
    parts = ["早上好，以下是今天值得关注的AI视频新闻。"]
    for t, body in ZH_NEWS:
        parts += [t, body]
    return title, "\n".join(parts)


def _en_brief() -> tuple[str, str]:
    title = "This week in AI video: Sora on Android, Veo 3.1, cheaper Kling"
    parts = ["Good morning. Here is what happened in AI video this week."]
    for t, body in EN_NEWS:
        parts += [t, body]
    return title, "\n".join(parts)


def _entry(site: str, n: int, title: str, text: str, hour: int) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n"))
    return rss.entry(f"{site}-{n}", f"https://{site}/p/{n}", title, rss.cdata(paragraphs), rss.june_10(hour))


def _feed(*entries: str) -> bytes:
    return rss.feed(*entries).encode("utf-8")


def _feeds(news: tuple, brief: tuple[str, str], lead_in: str, tail: str,
           titles: tuple[str, str]) -> dict[str, bytes]:
    """An outlet's three stories (08:00-10:00), another outlet's edited copy of the first (a
    lead-in, 11:00), a third's longer article wholly reprinting the second with its own tail
    (12:00), and a briefing listing all three (13:00)."""
    return {
        "outlet": _feed(*(_entry("outlet.example", n, t, body, 8 + n) for n, (t, body) in enumerate(news))),
        "portal": _feed(_entry("portal.example", 1, titles[0], lead_in + news[0][1], 11)),
        "reprint": _feed(_entry("reprint.example", 1, titles[1], news[1][1] + "\n" + tail, 12)),
        "brief": _feed(_entry("brief.example", 1, brief[0], brief[1], 13)),
    }


ZH_TAIL = ("记者点评：安卓用户数量远多于苹果用户，这次上线意味着Sora的潜在用户规模将成倍扩大。"
           "不过客串功能带来的肖像权争议仍未平息，多家经纪公司已经提醒旗下艺人谨慎授权自己的形象。")
EN_TAIL = ("Our take: Android has far more users than iOS worldwide, so the launch could multiply "
           "Sora's audience. The cameo feature still worries talent agencies, several of which "
           "have told their clients not to lend their likeness to the app.")


def _ingest(db_url: str, feeds: dict[str, bytes], order: list[list[str]], lang: str):
    sf = dbe.session_factory(dbe.ensure_schema(db_url))
    with scripted_server() as srv:
        for name, body in feeds.items():
            srv.route(f"/{name}.xml", Reply(200, body=body, content_type="application/rss+xml"))
        for names in order:          # one run each: the order the feeds are first fetched in
            run_ingest(sf, [Source(id=n, name=n, kind="rss", url=srv.url(f"/{n}.xml"), lang=lang,
                                   topical=True) for n in names], settings=FAST)
    return sf


def _stories(sf) -> dict[str, tuple[str | None, int | None]]:
    """source:guid -> (its story's canonical source:guid or None, reach)."""
    with sf() as s:
        items = s.scalars(select(m.Item)).all()
        name = {i.id: i.guid for i in items}
        return {name[i.id]: (name.get(i.cluster_id), i.reach) for i in items}


def _roundups(sf) -> set[str]:
    with sf() as s:
        return set(s.scalars(select(m.Item.guid).join(m.ItemSignature, m.ItemSignature.item_id == m.Item.id)
                             .where(m.ItemSignature.roundup.is_(True))))


def _recluster(sf) -> None:
    """File every stored item again from scratch, as `aigcwatch recluster` does."""
    with sf() as s:
        recluster.run(s)
        s.commit()


EXPECTED = {
    "outlet.example-0": (None, 2), "portal.example-1": ("outlet.example-0", None),     # a copy joins
    "outlet.example-1": (None, 2), "reprint.example-1": ("outlet.example-1", None),   # a reprint too
    "outlet.example-2": (None, 1),
    "brief.example-1": (None, 1),                         # the briefing: a story of its own
}
ORDERS = {"briefing last": [["outlet"], ["portal", "reprint"], ["brief"]],
          "briefing first": [["brief"], ["outlet"], ["portal", "reprint"]],
          # the copy and the reprint first join the briefing's story; once it is known as a
          # roundup, each goes to the story it copies
          "briefing, copies, news": [["brief"], ["portal"], ["reprint"], ["outlet"]]}


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_briefing_is_a_story_of_its_own_and_copies_and_reprints_still_join(db_url, lang, order):
    if lang == "zh":
        feeds = _feeds(ZH_NEWS, _zh_brief(), "据36氪报道，", ZH_TAIL,
                       ("快手可灵高清版来了：1080p、最长十秒", "安卓用户也能玩Sora了，肖像权争议仍在"))
    else:
        feeds = _feeds(EN_NEWS, _en_brief(), "(Reuters) - ", EN_TAIL,
                       ("Sora lands on Android phones", "Sora on Android: a bigger audience, the same worries"))
    sf = _ingest(db_url, feeds, ORDERS[order], lang)
    assert _stories(sf) == EXPECTED
    assert _roundups(sf) == {"brief.example-1"}
    # filed again from scratch, in publication order: the same stories
    _recluster(sf)
    assert _stories(sf) == EXPECTED and _roundups(sf) == {"brief.example-1"}


def test_a_briefing_without_a_briefing_headline_is_told_by_the_two_stories_it_holds(db_url):
    """No marker in its headline ("What changed in AI video"), so only what it holds tells: filed
    before the news it lists, it first passes for a copy of the first item that comes (the only
    one known), and leaves that story when the second one, another story it holds, comes."""
    title = "What changed in AI video: Android, audio"
    text = "\n".join(body for _, body in EN_NEWS[:2])
    feeds = {"brief": _feed(_entry("brief.example", 1, title, text, 13)),
             "first": _feed(_entry("outlet.example", 0, *EN_NEWS[0], 8)),
             "second": _feed(_entry("outlet.example", 1, *EN_NEWS[1], 9))}
    assert not roundup.lists_stories(title, text)
    sf = _ingest(db_url, feeds, [["brief"], ["first"]], "en")
    assert _stories(sf)["brief.example-1"] == ("outlet.example-0", None)    # passes for a copy
    sf = _ingest(db_url, feeds, [["second"]], "en")
    assert _stories(sf) == {"outlet.example-0": (None, 1), "outlet.example-1": (None, 1),
                            "brief.example-1": (None, 1)}
    assert _roundups(sf) == {"brief.example-1"}
    _recluster(sf)
    assert _stories(sf) == {"outlet.example-0": (None, 1), "outlet.example-1": (None, 1),
                            "brief.example-1": (None, 1)}


@pytest.mark.skipif(not (CORPUS / "zh-leiphone-2016.xml").is_file(), reason="../shared/corpus/feeds absent")
def test_a_real_daily_briefing_is_not_a_copy_of_the_macbook_article_it_quotes(db_url):
    """雷锋网 (2016 capture): "…| 雷锋早报" quotes the MacBook keyboard article (and the iPhone
    results one) and was filed as the MacBook story's copy."""
    sf = _ingest(db_url, {"leiphone": (CORPUS / "zh-leiphone-2016.xml").read_bytes()}, [["leiphone"]], "zh")
    with sf() as s:
        rows = s.execute(select(m.Item.id, m.Item.title, m.Item.cluster_id, m.Item.reach)).all()
    brief = next(r for r in rows if r.title.endswith("雷锋早报"))
    macbook = next(r for r in rows if r.title.startswith("MacBook新键盘布局泄露"))
    assert (brief.cluster_id, brief.reach) == (None, 1)
    assert (macbook.cluster_id, macbook.reach) == (None, 1)
    assert not [r for r in rows if r.cluster_id is not None]       # twenty stories
    with sf() as s:
        recluster.run(s)
        s.commit()
        assert s.scalar(select(m.Item.cluster_id).where(m.Item.id == brief.id)) is None


def test_what_a_text_holds_tells_a_roundup_from_a_reprint():
    """Pure: a briefing holds two texts that share nothing; an article reprinted with a tail holds
    its original only; two cuts of one article share most of the shorter."""
    news = [cluster.signature(t, body) for t, body in EN_NEWS]
    brief = cluster.signature(*_en_brief())
    assert cluster.several_stories(brief, news[:2]) and not cluster.several_stories(brief, news[:1])
    # an article's summary (its opening) and a copy without the sentences it holds share next to
    # nothing, but overlap in the article: no roundup
    words = EN_NEWS[0][1].split()
    summary = cluster.signature("summary", " ".join(words[:40]) + "...")
    rest = cluster.signature("copy", " ".join(words[:8] + words[40:]))
    article = news[0]
    assert cluster.disjoint(summary.similarity(rest), summary.size, rest.size)
    assert not cluster.several_stories(article, [summary, rest])
    assert brief.roundup and not any(s.roundup for s in news)
    reprint = cluster.signature(EN_NEWS[1][0], EN_NEWS[1][1] + "\n" + EN_TAIL)
    j = reprint.similarity(news[1])
    assert cluster.same_story(j, reprint.size, news[1].size) and not reprint.roundup
    # a roundup is the same story only with a copy of the whole of it
    assert not cluster.whole_copy(brief.similarity(news[0]), brief.size, news[0].size)
    again = cluster.signature("AI video this week", _en_brief()[1])
    assert cluster.whole_copy(brief.similarity(again), brief.size, again.size)


@pytest.mark.parametrize("title, text, expected", [
    (*_zh_brief(), True),
    (*_en_brief(), True),
    ("销售疲软？苹果十五年来首次营收下滑 | 雷锋早报", "iPhone 7 疲软？苹果Q4财报十五年来首次营收下滑\n" + ZH_NEWS[0][1]
     + "\n微信升级群功能：群聊能收钱 群主可开启进群确认\n" + ZH_NEWS[1][1], True),
    # a headline naming a briefing over one story's text; headings under a story's own headline
    ("AI早报：可灵2.1开放1080p", ZH_NEWS[0][1], False),
    (ZH_NEWS[0][0], "画质\n" + ZH_NEWS[0][1] + "\n价格与排队\n" + ZH_NEWS[0][1], False),
    # "daily" counting users is no briefing, nor is "a week" in a headline, or a quick-news one
    ("Sora daily active users pass one million", "\n".join(f"{t}\n{b}" for t, b in EN_NEWS), False),
    ("可灵上线一周：我们测了两个场景", "\n".join(f"{t}\n{b}" for t, b in ZH_NEWS), False),
    ("快讯：可灵2.1开放1080p", "\n".join(f"{t}\n{b}" for t, b in ZH_NEWS), False),
    ("AI一周要闻：可灵、Sora", "\n".join(f"{t}\n{b}" for t, b in ZH_NEWS), True),
])
def test_a_roundup_by_its_form_is_a_briefing_headline_over_headed_items(title, text, expected):
    assert roundup.lists_stories(title, text) is expected


def test_a_copy_that_joined_a_briefing_goes_to_its_own_story_once_the_briefing_is_known(db_url):
    """Filed before the news it lists (no briefing headline): another outlet's copy of its second
    item joins it (the only one known), then its first item comes and tells it is a roundup; it
    leaves the story, and the copy, which only it held there, is filed again: with the second
    item when that comes."""
    title = "What changed in AI video: Android, audio"
    feeds = {"brief": _feed(_entry("brief.example", 1, title, "\n".join(b for _, b in EN_NEWS[:2]), 13)),
             "portal": _feed(_entry("portal.example", 1, "Veo gets sound for stills",
                                    "(Reuters) - " + EN_NEWS[1][1], 11)),
             "first": _feed(_entry("outlet.example", 0, *EN_NEWS[0], 8)),
             "second": _feed(_entry("outlet.example", 1, *EN_NEWS[1], 9))}
    sf = _ingest(db_url, feeds, [["brief"], ["portal"]], "en")
    assert _stories(sf)["brief.example-1"] == ("portal.example-1", None)     # passes for a copy
    sf = _ingest(db_url, feeds, [["first"]], "en")
    assert _stories(sf) == {"outlet.example-0": (None, 1), "portal.example-1": (None, 1),
                            "brief.example-1": (None, 1)}
    sf = _ingest(db_url, feeds, [["second"]], "en")
    expected = {"outlet.example-0": (None, 1), "outlet.example-1": (None, 2),
                "portal.example-1": ("outlet.example-1", None), "brief.example-1": (None, 1)}
    assert _stories(sf) == expected and _roundups(sf) == {"brief.example-1"}
    _recluster(sf)
    assert _stories(sf) == expected


EARLIEST = {"brief, first, second": [["brief"], ["first"], ["second"]],
            "news, brief": [["first", "second"], ["brief"]],
            "first, brief, second": [["first"], ["brief"], ["second"]]}


@pytest.mark.parametrize("order", EARLIEST)
def test_a_briefing_published_before_the_news_it_lists_is_a_story_of_its_own(db_url, order):
    """A briefing out at 07:00 quoting the wire texts of two stories that outlets publish at 08:00
    and 09:00 (no briefing headline: only what it holds tells) ranks first in any story it is in:
    it was the canonical item of both, one story of three, whatever the order they came in."""
    title = "What changed in AI video: Android, audio"
    feeds = {"brief": _feed(_entry("brief.example", 1, title, "\n".join(b for _, b in EN_NEWS[:2]), 7)),
             "first": _feed(_entry("outlet.example", 0, *EN_NEWS[0], 8)),
             "second": _feed(_entry("outlet.example", 1, *EN_NEWS[1], 9))}
    expected = {"outlet.example-0": (None, 1), "outlet.example-1": (None, 1), "brief.example-1": (None, 1)}
    sf = _ingest(db_url, feeds, EARLIEST[order], "en")
    assert _stories(sf) == expected and _roundups(sf) == {"brief.example-1"}
    _recluster(sf)
    assert _stories(sf) == expected and _roundups(sf) == {"brief.example-1"}


QUOTING = {"news, brief": [["first", "second"], ["brief"]],
           "first, brief, second": [["first"], ["brief"], ["second"]],
           "brief, news": [["brief"], ["first", "second"]]}


@pytest.mark.parametrize("order", QUOTING)
def test_a_briefing_that_meets_one_item_it_lists_through_the_index_finds_the_others_it_quotes(db_url, order):
    """A briefing without a briefing headline quoting three stories whole, two of them stored:
    the first shares none of its 32 bands with it, so the index brings it only the second, which
    it passed for a copy of. A paragraph of the briefing opens as the first story's text does
    (ingest.cluster.section_keys): found by that opening key, it tells."""
    text = "\n".join(["早上好，以下是今天值得关注的AI视频新闻。", *(body for _, body in ZH_NEWS)])
    brief, first = cluster.signature("今天AI视频圈发生了什么", text), cluster.signature(*ZH_NEWS[0])
    assert not brief.roundup and not set(brief.bands()) & set(first.bands())
    feeds = {"brief": _feed(_entry("brief.example", 1, "今天AI视频圈发生了什么", text, 13)),
             "first": _feed(_entry("outlet.example", 0, *ZH_NEWS[0], 8)),
             "second": _feed(_entry("outlet.example", 1, *ZH_NEWS[1], 9))}
    expected = {"outlet.example-0": (None, 1), "outlet.example-1": (None, 1), "brief.example-1": (None, 1)}
    sf = _ingest(db_url, feeds, QUOTING[order], "zh")
    assert _stories(sf) == expected and _roundups(sf) == {"brief.example-1"}
    _recluster(sf)
    assert _stories(sf) == expected and _roundups(sf) == {"brief.example-1"}


@pytest.mark.parametrize("order", [[["article"], ["flash", "portal"]], [["flash", "portal"], ["article"]],
                                   [["flash"], ["article"], ["portal"]]])
def test_an_article_over_subheadings_and_a_flash_of_its_first_part_stay_one_story(db_url, order):
    """"可灵上线一周：…" over two subheadings is one story, and so is a "快讯：…" quoting its first
    part from its start (a paragraph of the article opens as the flash does) and another outlet's
    copy of it: no briefing, whatever the order they come in."""
    body = ZH_NEWS[0][1]
    cut = body.index("免费用户")
    article = "画质与运动\n" + body[:cut] + "\n价格与排队时间\n" + body[cut:]
    feeds = {"article": _feed(_entry("outlet.example", 0, "可灵上线一周：我们测了两个场景", article, 8)),
             "flash": _feed(_entry("flash.example", 1, "快讯：可灵2.1开放1080p", body[:cut], 9)),
             "portal": _feed(_entry("portal.example", 1, "可灵2.1高清版来了", "据36氪报道，" + body, 10))}
    flash = cluster.signature("快讯：可灵2.1开放1080p", body[:cut])
    assert flash.opening in cluster.signature("可灵上线一周：我们测了两个场景", article).sections
    expected = {"outlet.example-0": (None, 3), "flash.example-1": ("outlet.example-0", None),
                "portal.example-1": ("outlet.example-0", None)}
    sf = _ingest(db_url, feeds, order, "zh")
    assert _stories(sf) == expected and _roundups(sf) == set()
    _recluster(sf)
    assert _stories(sf) == expected and _roundups(sf) == set()
