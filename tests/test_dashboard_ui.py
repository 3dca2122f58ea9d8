"""Feed text on the page: escaped Markdown, http(s)-only links, evidence marks inside escaped HTML,
and CSV that opens in a spreadsheet without running formulas; every UI string in both languages."""
from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from dashboard import i18n, ui
from dashboard.ui import csv_bytes, highlight_html, link_md, md_escape, quoted, safe_url
from ingest.types import FailureClass


def test_markdown_escape_leaves_nothing_to_interpret():
    out = md_escape("<script>alert(1)</script> [x](javascript:alert(1)) **b** :red[c] $x$\nnext")
    assert "<" not in out.replace("\\<", "")
    assert "](" not in out.replace("\\]\\(", "")
    assert "\n" not in out
    assert out.replace("\\", "") == "<script>alert(1)</script> [x](javascript:alert(1)) **b** :red[c] $x$ next"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "/relative",
                                 "http://exa mple.com", "http://\nexample.com", "ftp://example.com/x", "https://", None,
                                 "https://x<!here>.example/", "http://example.com:port/"])
def test_only_http_links_pass(url):
    assert safe_url(url) is None
    assert "](" not in link_md("title", url, "en")


def test_evidence_lists_quotes_apart_from_the_taggers_reasons():
    # Before: a spike story's "3 models" was shown in 「」 as if the text held it.
    assert quoted(["可灵", "3 models", "*x*"], "en") == \
        "「可灵」 · 「\\*x\\*」 · *the tagger\\'s reasons, not quotes\\: 3 models*"
    assert quoted([], "zh") == "—"


# one entry for each kind of reason the tagger writes (ingest.tag.reasons)
REASONS = ("3 models", "title/body mismatch", "pinyin after characters", "website-building keyword list",
           "source line naming a spam site (bet365)", "casino bonus offer line", "garbled latin (础滨 for AI)",
           "keyword in search-query form (sora下载)")


@pytest.mark.parametrize("reason", REASONS)
def test_the_taggers_reasons_read_in_the_interface_language(reason):
    # Before: the Chinese interface showed the tagger's reasons in English ("title/body mismatch").
    from ingest.tag import reasons

    assert reasons.is_reason(reason)
    zh = i18n.reason_name(reason, "zh")
    assert i18n.reason_name(reason, "en") == reason
    assert zh != reason and re.search(r"[\u4e00-\u9fff]", zh.replace("础滨", "")), zh
    shown = quoted(["可灵", reason], "zh")
    assert reason not in shown and shown.endswith(f"{ui.md_escape(zh)}*")
    assert i18n.reason_name("sora 2", "zh") == "sora 2"      # a quote is never renamed


def test_http_links_become_links_with_escaped_labels():
    assert safe_url("HTTPS://example.com/a?b=1") == "HTTPS://example.com/a?b=1"
    out = link_md("a [b] (c)", "https://example.com/x_(y)", "zh")
    assert out == "[a \\[b\\] \\(c\\)](https://example.com/x_%28y%29)"


def test_refused_link_is_shown_as_text():
    out = link_md("原文", "javascript:alert(1)", "zh")
    assert "原文链接不可用" in out and "javascript\\:alert\\(1\\)" in out


def test_evidence_is_marked_inside_escaped_text():
    out = highlight_html("Kling <b>2.1</b> & kling again", ["kling", "<b>"])
    assert out == "<mark>Kling</mark> <mark>&lt;b&gt;</mark>2.1&lt;/b&gt; &amp; <mark>kling</mark> again"
    assert highlight_html("<img src=x onerror=alert(1)>", []) == "&lt;img src=x onerror=alert(1)&gt;"


def test_csv_has_a_bom_keeps_chinese_and_defuses_formulas():
    data = csv_bytes(pd.DataFrame({"title": ["=HYPERLINK(\"x\")", "可灵", "-cmd", "ok"], "n": [1, -2, 3, 4]}))
    assert data.startswith("\ufeff".encode("utf-8"))
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "可灵" in text and "'-cmd" in text and ",-2" in text


def test_csv_writes_booleans_and_line_ends_as_the_exports_do():
    # Before: a chart's CSV wrote True/False and LF while `aigcwatch export` writes true/false, CRLF.
    df = pd.DataFrame({"bucket": ["2025-08-04", "2025-08-11"], "partial": [True, False],
                       "spam": pd.Series([True, None], dtype=object)})
    text = csv_bytes(df).decode("utf-8-sig")
    assert text == "bucket,partial,spam\r\n2025-08-04,true,true\r\n2025-08-11,false,\r\n"


def test_every_ui_string_exists_in_both_languages():
    for key in i18n._STRINGS:
        assert i18n.t(key, "zh").strip() and i18n.t(key, "en").strip()
    with pytest.raises(KeyError):
        i18n.t("no_such_key", "en")
    assert i18n.model_name("kling", "zh") == "可灵 Kling" and i18n.theme_name("jobs", "en") == "Jobs"
    assert i18n.model_name("brand_new_model", "en") == "brand_new_model"


def _kpis() -> None:
    import streamlit as st

    from dashboard import ui as page_ui

    for label, delta in (("flat", "+0.00"), ("flat share", "-0.0 pp"), ("flat count", "+0%"),
                         ("up", "+0.05"), ("down", "-2.4 pp")):
        page_ui.kpi(st, label, "1", delta)


def test_a_change_that_rounds_to_nothing_is_shown_flat_not_as_a_rise_or_fall():
    # Before: a net sentiment unchanged to two decimals read "+0.00" with a green up arrow
    # (Streamlit reads the sign of the text); "-0.0 pp" came with a red fall.
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_kpis, default_timeout=60).run()
    shown = {m.label: (m.delta, m.proto.direction, m.proto.color) for m in at.metric}
    none, gray = type(at.metric[0].proto).MetricDirection.Value("NONE"), \
        type(at.metric[0].proto).MetricColor.Value("GRAY")
    assert shown["flat"] == ("±0.00", none, gray)
    assert shown["flat share"] == ("±0.0 pp", none, gray) and shown["flat count"] == ("±0%", none, gray)
    assert shown["up"][1] != none and shown["down"][1] != none


def test_the_partial_note_names_each_cut_bucket_and_shortens_a_run_into_the_future():
    from datetime import date

    from db.queries import partial_buckets

    cut = partial_buckets(date(2025, 10, 1), date(2025, 10, 14), "week", date(2026, 1, 1))
    assert ui.partial_note(cut, "week", "en") == (
        "Shaded week: partial (the week of 2025-09-29 holds only 2025-10-01 – 2025-10-05; the week of "
        "2025-10-13 holds only 2025-10-13 – 2025-10-14): the range holds only part of it, or it is not "
        "over yet, so its figure rests on fewer days than a whole week's.")
    # a bare "2025-09-29: 2025-10-01 – 2025-10-05" did not say which was the week and which its days
    assert "2025-09-29 起的周仅含 2025-10-01 – 2025-10-05" in ui.partial_note(cut, "week", "zh")
    future = partial_buckets(date(2031, 1, 1), date(2031, 3, 31), "day", date(2026, 1, 1))
    assert "2031-01-01；2031-01-02；… (87)；2031-03-31" in ui.partial_note(future, "day", "zh")
    assert ui.partial_note({}, "week", "en") is None


@pytest.mark.parametrize("code", [c.value for c in FailureClass] + ["extract"])
def test_every_failure_class_reads_in_the_interface_language_and_keeps_its_code(code):
    # Before: the Sources page's "last error class" showed raw codes (blocked, http_status) on the
    # Chinese page.
    zh, en = i18n.error_class_name(code, "zh"), i18n.error_class_name(code, "en")
    assert re.search(r"[\u4e00-\u9fff]", zh) and zh.endswith(f"({code})"), zh
    assert code in en and not re.search(r"[\u4e00-\u9fff]", en)
    assert i18n.error_class_name(None, "zh") == "" and i18n.error_class_name("new_code", "zh") == "new_code"


@pytest.mark.parametrize("tz, hhmm", [("Asia/Shanghai", "20:07"), ("America/New_York", "08:07"),
                                      ("Asia/Kolkata", "17:37")])
def test_a_days_as_of_reads_as_the_same_local_time_on_every_spike_line_table_and_csv(tz, hhmm):
    # One rule for "until HH:MM": the Overview's spike line formatted it, the gap page cut it out
    # of the CSV cell's text ([11:16]); both now call ui.as_of_time, the CSV cell holds its day too.
    from datetime import datetime, timezone

    at = datetime(2025, 3, 10, 12, 7, 42, tzinfo=timezone.utc)
    assert ui.as_of_time(at, tz) == hhmm
    assert ui.as_of_cell(at, tz) == f"2025-03-10 {hhmm}"
    assert ui.as_of_cell(None, tz) is None


@pytest.mark.parametrize("every, first, note", [
    ("day", date(2025, 3, 10), "2025-03-10, not over: until 20:07"),
    ("week", date(2025, 3, 10), "the week of 2025-03-10 holds only 2025-03-10, not over: until 20:07"),
])
def test_a_cut_names_until_when_its_bucket_not_over_is_counted(every, first, note):
    # Before: the note said "or it is not over yet" without the time, the CSV had no "as_of".
    from datetime import datetime, timezone

    from db.queries import partial_buckets

    at = datetime(2025, 3, 10, 12, 7, 42, tzinfo=timezone.utc)          # 20:07 in Shanghai
    cut = ui.Cut(partial_buckets(date(2025, 3, 1), date(2025, 3, 16), every, date(2025, 3, 10)), every,
                 "Asia/Shanghai", at)
    assert cut.as_of_cell(first) == "2025-03-10 20:07"
    if every == "day":      # days to come: counted until then too (they hold nothing yet)
        assert cut.as_of_cell(date(2025, 3, 16)) == "2025-03-10 20:07"
    assert cut.as_of_cell(date(2025, 3, 3) if every == "week" else date(2025, 3, 9)) is None
    assert note in ui.partial_note(cut.buckets, every, "en", until=cut.until)
    zh = ui.partial_note(cut.buckets, every, "zh", until=cut.until)
    assert "尚未结束，截至 20:07" in zh and zh.count("截至") == 1          # once, at the bucket holding today
    over = ui.Cut(cut.buckets, every, "Asia/Shanghai", None)             # a window over: no "as_of"
    assert over.as_of_cell(first) is None and "until" not in ui.partial_note(over.buckets, every, "en",
                                                                            until=over.until)


def test_every_run_and_delivery_status_has_a_name_in_both_languages():
    # Before: a run that asked no source ("skipped") showed its stored code in the Chinese runs table.
    from db import models

    for status in {*models.RUN_STATUSES, *models.RUN_SOURCE_STATUSES, *models.DELIVERY_STATUSES}:
        assert re.search(r"[\u4e00-\u9fff]", i18n.status_name(status, "zh")), status
        assert i18n.status_name(status, "en")


def test_search_terms_are_marked_apart_from_evidence_in_any_case_and_script():
    from dashboard.ui import SEARCH_MARK

    out = highlight_html("可靈AI 翻車 & Kling <b>", ["可灵ai"], ["翻车", "KLING", "<b>", "可灵ai"])
    assert out == (f"<mark>可靈AI</mark> {SEARCH_MARK}翻車</mark> &amp; {SEARCH_MARK}Kling</mark> "
                   f"{SEARCH_MARK}&lt;b&gt;</mark>")
    assert highlight_html("sora", [], []) == "sora"


def test_search_terms_are_marked_with_their_spacing_loose_as_the_search_matched_them():
    # Before: "可灵 AI" found a story with "可灵AI" (db.spacing) but marked nothing in it.
    from dashboard.ui import SEARCH_MARK

    out = highlight_html("可灵AI 与 SORA 2：world\n  model，worldmodel", [], ["可灵 ai", "sora2", "world model"])
    assert out == (f"{SEARCH_MARK}可灵AI</mark> 与 {SEARCH_MARK}SORA 2</mark>："
                   f"{SEARCH_MARK}world\n  model</mark>，worldmodel")


@pytest.mark.parametrize("query, zh, en", [
    ("可灵 翻车", "", ""),
    ("(sora OR 可灵) (翻车 OR 穿帮) -游戏", "检索式：（“sora” 或 “可灵”） 且 （“翻车” 或 “穿帮”）；排除 “游戏”",
     "Read as: (“sora” or “可灵”) and (“翻车” or “穿帮”); excluding “游戏”"),
    ("(a -b) OR c", "检索式：（“a” 且 非 “b”） 或 “c”", "Read as: (“a” and not “b”) or “c”"),
    ('-"kingdom hearts"', "检索式：全部报道；排除 “kingdom hearts”", "Read as: every story; excluding “kingdom hearts”"),
])
def test_a_search_with_syntax_is_glossed_in_the_interface_language(query, zh, en):
    from db.search_syntax import parse

    assert (i18n.search_reading(parse(query), "zh"), i18n.search_reading(parse(query), "en")) == (zh, en)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_explorer_csv_holds_every_matching_story_up_to_its_cap_and_says_how_many(lang):
    # Before: its button read "Download CSV" and its file held the 50 stories of the page shown.
    assert ui.stories_download(974, lang) == (974, i18n.t("download_stories", lang, n="974"))
    n, label = ui.stories_download(12_345, lang, cap=10_000)
    assert n == 10_000 and "10,000" in label and "12,345" in label and "aigcwatch export items" in label
    assert ui.stories_download(10_000, lang, cap=10_000)[1] == i18n.t("download_stories", lang, n="10,000")


def test_a_search_term_is_marked_where_the_search_finds_it():
    # whole words, as db.filters matches them: "wan" in "Wan 2.2" and "Wan2.1", not in "want";
    # `*` opens an edge; a tagger's evidence phrase is marked wherever it is
    out = ui.highlight_html("I want Wan 2.2 and Wan2.1; 可灵AI视频 models", [], ["wan", "ai", "model*"])
    assert out.count(ui.SEARCH_MARK) == 4
    assert "I want <mark" in out and f"{ui.SEARCH_MARK}AI</mark>视频" in out
    assert f"{ui.SEARCH_MARK}model</mark>s" in out
    assert ui.highlight_html("I want it", ["want"], ["wan"]) == "I <mark>want</mark> it"


def test_a_story_dated_by_its_fetch_time_says_so_in_its_line():
    # Before: a story whose feed gave no date showed its fetch time as if it were published then
    from datetime import datetime, timezone

    from dashboard import ui as dui

    row = {"source_name": "Feed", "published_at": datetime(2025, 3, 10, 4, 0, tzinfo=timezone.utc),
           "lang": "en", "sentiment": "neutral", "date_is_fallback": True}
    def meta(r, lang):
        return dui.story_meta(r, lang, "Asia/Shanghai").replace("\\", "")     # Markdown-escaped

    assert "12:00 (no date in the feed: fetch time)" in meta(row, "en")
    assert "12:00（源未给日期：抓取时间）" in meta(row, "zh")
    dated = meta(row | {"date_is_fallback": False}, "en")
    assert "12:00" in dated and "fetch time" not in dated
