"""ingest.normalize and ingest.textclean: dates, URLs, text cleaning, RawEntry -> Item."""
from __future__ import annotations

import io
import os
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ingest.normalize import (
    TRACKING_PARAMS, Rejected, canonical_url, normalize_entry, parse_date,
)
from ingest.parse import FeedParseError, parse_feed
from ingest.textclean import clean_title, first_sentence, html_to_text
from ingest.types import Item, RawEntry, Source

UTC = timezone.utc
NOW = datetime(2024, 7, 2, tzinfo=UTC)
CORPUS = Path(os.environ.get("AIGCWATCH_CORPUS", "/work/shared/corpus/feeds"))
CORPUS_FILES = sorted(CORPUS.glob("*.xml")) if CORPUS.is_dir() else []


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- parse_date ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, tz, expected", [
    ("Tue, 02 Apr 2024 09:30:00 GMT", "UTC", _utc(2024, 4, 2, 9, 30)),
    ("Wed, 26 Oct 2016 16:53:42 +0800", "UTC", _utc(2016, 10, 26, 8, 53, 42)),
    ("2016-10-26 16:53:42", "Asia/Shanghai", _utc(2016, 10, 26, 8, 53, 42)),
    ("2016/6/29 15:07:41", "Asia/Shanghai", _utc(2016, 6, 29, 7, 7, 41)),
    ("Wed, 26 Oct 2016 21:53:13", "Asia/Shanghai", _utc(2016, 10, 26, 13, 53, 13)),
    ("  Wed, 26 Oct 2016\n 21:53:13 ", "Asia/Shanghai", _utc(2016, 10, 26, 13, 53, 13)),
    ("2016年10月26日 16:53", "Asia/Shanghai", _utc(2016, 10, 26, 8, 53)),
    ("2016年10月26日 下午3:05", "Asia/Shanghai", _utc(2016, 10, 26, 7, 5)),
    ("2016年10月26日", "Asia/Shanghai", _utc(2016, 10, 25, 16, 0)),
    ("1477472022", "Asia/Shanghai", _utc(2016, 10, 26, 8, 53, 42)),
    ("1477472022000", "UTC", _utc(2016, 10, 26, 8, 53, 42)),
    ("2024-04-03T08:15:00Z", "Asia/Shanghai", _utc(2024, 4, 3, 8, 15)),
    ("2023-01-25T19:03:02+01:00", "UTC", _utc(2023, 1, 25, 18, 3, 2)),
    ("2024-06-01T12:00:00.123456", "America/New_York", _utc(2024, 6, 1, 16, 0, 0, 123456)),
    ("Sat, Dec 16 2023 02:02:33 PM", "America/New_York", _utc(2023, 12, 16, 19, 2, 33)),
    ("Tue, 25 Oct 2016 09:02:41 CST", "Asia/Shanghai", _utc(2016, 10, 25, 1, 2, 41)),
    ("Tue, 25 Oct 2016 09:02:41 CST", "America/Chicago", _utc(2016, 10, 25, 15, 2, 41)),
    ("2024-01-15 10:00:00", "No/Such_Zone", _utc(2024, 1, 15, 10)),
])
def test_parse_date_reads_common_feed_formats_in_the_source_zone(raw, tz, expected):
    assert parse_date(raw, tz) == expected


@pytest.mark.parametrize("raw", [
    None, "", "   ", "明天", "garbage 12", "N/A", "Thu, 01 Jan 1970 08:00:00 +0800", "1990-05-01",
    "2016-13-45 10:00:00", "0",
])
def test_parse_date_gives_none_for_missing_garbage_or_pre_1995_dates(raw):
    assert parse_date(raw, "Asia/Shanghai") is None


def test_parse_date_rejects_dates_more_than_two_days_after_now():
    assert parse_date("2024-07-03 23:00:00", "UTC", now=NOW) is not None
    assert parse_date("2024-07-04 01:00:00", "UTC", now=NOW) is None


def test_parse_date_results_are_utc_aware():
    dt = parse_date("2016-10-26 16:53:42", "Asia/Shanghai")
    assert dt.tzinfo is UTC


# --- canonical_url ---------------------------------------------------------------------------

@pytest.mark.parametrize("link, base, expected", [
    ("https://example.com/a", None, "https://example.com/a"),
    ("  /posts/1  ", "https://example.com/feed/", "https://example.com/posts/1"),
    ("posts/1", "https://example.com/feed/", "https://example.com/feed/posts/1"),
    ("//cdn.example.com/x", "http://example.com/", "http://cdn.example.com/x"),
    ("//cdn.example.com/x", None, "https://cdn.example.com/x"),
    ("HTTPS://WWW.Example.COM:443/Path?q=1", None, "https://www.example.com/Path?q=1"),
    ("http://example.com:80", None, "http://example.com/"),
    ("http://example.com:8080/a", None, "http://example.com:8080/a"),
    ("https://example.com/a#section-2", None, "https://example.com/a"),
    ("https://example.com/a?utm_source=rss&id=7&utm_campaign=x&spm=a1.b2", None,
     "https://example.com/a?id=7"),
    ("https://example.com/a?b=2&a=1&fbclid=XYZ&gclid=1", None, "https://example.com/a?b=2&a=1"),
    ("https://example.com/a?source=rss", None, "https://example.com/a"),
    ("https://example.com/a?source=github", None, "https://example.com/a?source=github"),
    ("http://36kr.com/p/5055230.html?ktm_source=feed", None, "http://36kr.com/p/5055230.html"),
    ("https://mp.example.cn/s?__biz=MzA&mid=1&from=timeline&isappinstalled=0", None,
     "https://mp.example.cn/s?__biz=MzA&mid=1"),
    ("https://user:secret@example.com/a", None, "https://example.com/a"),
    ("https://例子.中国/新闻?q=可灵", None,
     "https://xn--fsqu00a.xn--fiqs8s/%E6%96%B0%E9%97%BB?q=%E5%8F%AF%E7%81%B5"),
    ("https://example.com/a%20b", None, "https://example.com/a%20b"),
    ("https://example.com/a b\n/c", None, "https://example.com/a%20b/c"),
    ("https://example.com/?", None, "https://example.com/"),
])
def test_canonical_url_normalises_web_links(link, base, expected):
    assert canonical_url(link, base) == expected


@pytest.mark.parametrize("link, base", [
    ("javascript:alert(1)", "https://example.com/"),
    ("mailto:a@example.com", None),
    ("data:text/html,hi", None),
    ("file:///etc/passwd", None),
    ("ftp://example.com/a", None),
    ("relative/only", None),
    ("", "https://example.com/"),
    ("   ", None),
    (None, None),
    ("http://", None),
    ("http://example.com:99999/", None),
])
def test_canonical_url_refuses_non_web_links(link, base):
    assert canonical_url(link, base) is None


def test_canonical_url_is_idempotent():
    once = canonical_url("HTTP://Example.com:80/新闻 a?utm_medium=x&k=v#f", None)
    assert canonical_url(once, None) == once


def test_tracking_params_are_lowercase_names():
    assert all(p == p.lower() for p in TRACKING_PARAMS)


# --- text cleaning ---------------------------------------------------------------------------

@pytest.mark.parametrize("fragment, expected", [
    ("<p>One</p><p>Two</p>", "One\n\nTwo"),
    ("a<br>b<br/>c", "a\nb\nc"),
    ("<ul><li>x</li><li>y</li></ul>", "x\ny"),
    ("<script>var a = '<p>no</p>';</script>kept<style>.x{}</style>", "kept"),
    ("<noscript>enable js</noscript><iframe src='x'>frame</iframe>ok", "ok"),
    ("before<!-- hidden <b>comment</b> -->after", "beforeafter"),
    ("2016 &#8211; 2024 &mdash; &#x4e2d;&#25991;", "2016 – 2024 — 中文"),
    ("&amp;lt;video&amp;gt; tag", "<video> tag"),
    ("&lt;p&gt;escaped &lt;b&gt;html&lt;/b&gt;&lt;/p&gt;", "escaped html"),
    ("AT&amp;T &amp; friends", "AT&T & friends"),
    ("a < b and c > d", "a < b and c > d"),
    ("zero\u200bwidth\ufeff soft\u00adhyphen", "zerowidth softhyphen"),
    ("\u3000\u3000首行缩进的段落。\u00a0\u00a0 多个   空格", "首行缩进的段落。 多个 空格"),
    ("<p>a</p>\n\n\n\n<p>b</p>", "a\n\nb"),
    ("e\u0301", "\u00e9"),   # NFC
    ("<![CDATA[inside]]>", "inside"),
    ("", ""),
    (None, ""),
])
def test_html_to_text(fragment, expected):
    assert html_to_text(fragment) == expected


@pytest.mark.parametrize("title, expected", [
    ("⭐⭐⭐ Munder Difflin：开源工具", "Munder Difflin：开源工具"),
    ("⭐ 迈阿密大学的飓风数据", "迈阿密大学的飓风数据"),
    ("🔥| Sora 新版本", "Sora 新版本"),
    ("  Multi\n   line <b>title</b> ", "Multi line title"),
    ("C++ &amp; Rust", "C++ & Rust"),
    ("5 ⭐ reviews", "5 ⭐ reviews"),
])
def test_clean_title_is_one_line_without_leading_decoration(title, expected):
    assert clean_title(title) == expected


def test_first_sentence_stops_at_sentence_end_and_cuts_long_text():
    assert first_sentence("可灵发布新版。其他内容") == "可灵发布新版。"
    assert first_sentence("Veo arrives. More text.") == "Veo arrives."
    long = "word " * 40
    cut = first_sentence(long, max_chars=30)
    assert len(cut) <= 31 and cut.endswith("…")


# --- normalize_entry -------------------------------------------------------------------------

SHANGHAI = Source(id="cn", name="cn", kind="rss", url="http://cn.example.cn/feed",
                  timezone="Asia/Shanghai")


def _entry(**kw) -> RawEntry:
    fields = dict(source_id="cn", guid=None, title="标题", link="http://cn.example.cn/a/1",
                  summary=None, content=None, author=None, published=None, updated=None)
    fields.update(kw)
    return RawEntry(**fields)


def test_entry_becomes_an_item_with_utc_date_from_naive_source_time():
    item = normalize_entry(_entry(title="可灵&nbsp;发布新版", published="2024-06-06 16:53:42",
                                  summary="<p>快手的可灵发布了新版本。</p>"), SHANGHAI, NOW)
    assert isinstance(item, Item)
    assert item.title == "可灵 发布新版" and item.text == "快手的可灵发布了新版本。"
    assert item.published_at == _utc(2024, 6, 6, 8, 53, 42) and not item.date_is_fallback
    assert item.lang == "zh" and item.fetched_at == NOW


def test_missing_or_implausible_date_falls_back_to_fetch_time():
    for raw in (None, "not a date", "2031-01-01 00:00:00", "Thu, 01 Jan 1970 08:00:00 +0800"):
        item = normalize_entry(_entry(published=raw), SHANGHAI, NOW)
        assert item.published_at == NOW and item.date_is_fallback, raw


def test_updated_is_used_when_published_is_missing():
    item = normalize_entry(_entry(updated="2024-06-01T00:00:00Z"), SHANGHAI, NOW)
    assert item.published_at == _utc(2024, 6, 1) and not item.date_is_fallback


def test_naive_fetch_time_is_taken_as_utc():
    item = normalize_entry(_entry(), SHANGHAI, datetime(2024, 7, 2))
    assert item.fetched_at == NOW and item.published_at.tzinfo is not None


def test_longer_content_wins_over_summary():
    item = normalize_entry(_entry(summary="短摘要", content="<p>完整的正文内容，比摘要长得多。</p>"),
                           SHANGHAI, NOW)
    assert item.text == "完整的正文内容，比摘要长得多。"


def test_title_is_derived_from_text_when_missing_but_link_still_required():
    item = normalize_entry(_entry(title=None, summary="即梦上线图生视频。更多细节见正文。"), SHANGHAI, NOW)
    assert item.title == "即梦上线图生视频。"
    assert normalize_entry(_entry(title="", summary="有正文", link=None), SHANGHAI, NOW) == \
        Rejected("no_link")


@pytest.mark.parametrize("entry, reason", [
    (_entry(title=None, summary=None), "no_title"),
    (_entry(title="<img src='x.png'>", summary="<p>&nbsp;</p>"), "no_title"),
    (_entry(link=None), "no_link"),
    (_entry(link="   "), "no_link"),
    (_entry(link="javascript:void(0)"), "bad_link"),
    (_entry(link="mailto:x@example.com"), "bad_link"),
])
def test_entries_without_title_or_web_link_are_rejected_with_a_reason(entry, reason):
    assert normalize_entry(entry, SHANGHAI, NOW) == Rejected(reason)


def test_traditional_text_keeps_its_script_and_gets_simplified_fields():
    item = normalize_entry(_entry(title="影片生成模型發佈", summary="廣告業者關注這項技術。"), SHANGHAI, NOW)
    assert item.title == "影片生成模型發佈" and item.lang == "zh"
    assert item.title_simplified == "影片生成模型发布"
    assert item.text_simplified == "广告业者关注这项技术。"


def test_english_item_simplified_fields_equal_the_originals():
    item = normalize_entry(_entry(title="Runway ships Gen-4", summary="It is out today."), SHANGHAI, NOW)
    assert item.lang == "en"
    assert (item.title_simplified, item.text_simplified) == (item.title, item.text)


@pytest.mark.parametrize("raw, expected", [
    ("editor@example.com (Dana Kim)", "Dana Kim"),
    ("editor@example.com", None),
    ("  <b>张三</b> ", "张三"),
    ("", None),
])
def test_author_is_cleaned(raw, expected):
    assert normalize_entry(_entry(author=raw), SHANGHAI, NOW).author == expected


def test_relative_link_is_resolved_against_the_entry_base():
    item = normalize_entry(_entry(link="../b/2?utm_source=x", base_url="http://cn.example.cn/a/1"),
                           SHANGHAI, NOW)
    assert item.url == "http://cn.example.cn/b/2"


# --- real corpus -----------------------------------------------------------------------------

def _zone(name: str) -> str:
    return "Asia/Shanghai" if name.startswith(("zh-", "mixed-")) else "UTC"


def _normalised(path: Path) -> list:
    try:
        feed = parse_feed(path.stem, path.read_bytes())
    except FeedParseError:
        return []
    source = Source(id=path.stem, name=path.stem, kind="rss", url="", timezone=_zone(path.name))
    fetched = datetime(2026, 9, 1, tzinfo=UTC)
    return [(e, normalize_entry(e, source, fetched)) for e in feed.entries]


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_every_corpus_entry_with_title_and_link_becomes_an_item_with_a_web_url(path: Path):
    for entry, result in _normalised(path):
        if entry.title and entry.title.strip() and entry.link:
            assert isinstance(result, Item), (entry.title, entry.link, result)
            assert result.url.startswith(("http://", "https://"))
            assert "utm_" not in result.url and "#" not in result.url
            assert result.title and "\n" not in result.title
            assert result.published_at.tzinfo is not None


def _corpus_items(name: str) -> list[Item]:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{name} not in corpus")
    return [r for _, r in _normalised(path) if isinstance(r, Item)]


def test_smzdm_naive_cdata_dates_are_read_as_beijing_time():
    items = _corpus_items("zh-smzdm-2016.xml")
    assert len(items) == 30 and not any(i.date_is_fallback for i in items)
    assert items[0].published_at == _utc(2016, 10, 26, 13, 53, 13)   # 21:53:13 +08:00


def test_36kr_dates_are_beijing_time_converted_to_utc():
    assert parse_date("2016-10-26 16:53:42", "Asia/Shanghai") == _utc(2016, 10, 26, 8, 53, 42)
    items = _corpus_items("zh-36kr-2016.xml")
    assert len(items) == 100 and not any(i.date_is_fallback for i in items)
    assert items[0].published_at == _utc(2016, 10, 26, 8, 53, 42)
    assert all(i.lang == "zh" for i in items)


def test_niles_star_decoration_is_stripped_from_titles():
    items = _corpus_items("zh-cnbeta-niles-aggregated.xml")
    assert items and not any(i.title.startswith(("⭐", "★")) for i in items)


def test_corpus_languages_match_the_feeds():
    assert {i.lang for i in _corpus_items("en-reddit-atom-mediarss.xml")} == {"en"}
    assert {i.lang for i in _corpus_items("zh-coolshell-2016.xml")} == {"zh"}
    assert {i.lang for i in _corpus_items("de-spiegel.xml")} == {"other"}


def test_html_to_text_handles_a_thousand_36kr_entries_quickly():
    path = CORPUS / "zh-36kr-2016.xml"
    if not path.exists():
        pytest.skip("36kr capture not in corpus")
    docs = [e.content or e.summary or "" for e in parse_feed("k", path.read_bytes()).entries] * 10
    start = time.perf_counter()
    texts = [html_to_text(d) for d in docs]
    elapsed = time.perf_counter() - start
    assert len(texts) == 1000 and all("<" not in t[:200] or "< " in t for t in texts)
    assert elapsed < 3.0, f"{elapsed:.2f}s for 1000 entries"


BENCH_FILES = ("zh-36kr-2016.xml", "zh-infoq-niles-aggregated.xml", "en-reddit-atom-mediarss.xml",
               "zh-songshuhui-2016-DERIVED-gbk-bytes-utf8-declared.xml", "zh-smzdm-2016.xml")


@pytest.mark.slow
def test_parse_and_normalise_is_at_least_half_as_fast_as_bare_feedparser():
    import feedparser

    paths = [CORPUS / name for name in BENCH_FILES if (CORPUS / name).exists()]
    if not paths:
        pytest.skip("corpus not found")
    bodies = [p.read_bytes() for p in paths]

    def bare():
        for body in bodies:
            feedparser.parse(io.BytesIO(body))

    def ours():
        for p in paths:
            _normalised(p)

    def best(fn):
        times = []
        for _ in range(2):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    ours()   # warm caches (OpenCC, zoneinfo)
    assert best(ours) <= 2 * best(bare)
