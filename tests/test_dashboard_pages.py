"""Every dashboard page under streamlit.testing.v1.AppTest, on SQLite and PostgreSQL: it renders without
an exception, its numbers are those of db.queries, filters apply from the URL and from the sidebar,
feed text stays text, an empty database shows the onboarding and an unreachable one a single message.

The stories are written through the real write side (tests/support/stories.py, plus one item whose
summary holds an <img onerror> tag).
"""
from __future__ import annotations

import html
import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from db import queries as q
from db import store
from db.filters import ItemFilter, day_window
from ingest.dedup import keys_for
from ingest.types import FailureClass, FetchState, Item, ItemIntent, Tags
from report.delivery import Target, record
from tests.support.stories import DAY, HOSTILE_EVIDENCE, SPAM_EVIDENCE, TZ, build

DASH = Path(__file__).resolve().parent.parent / "dashboard"
PAGES = ("overview", "models", "themes", "gap", "keywords", "explorer", "sources")
TITLES = {"overview": "总览", "models": "模型", "themes": "议题", "gap": "中英差异", "keywords": "关键词",
          "explorer": "检索", "sources": "信源"}
IMG = "<img src=x onerror=alert(1)>"
EVENT_TITLE = "Kling 2.1 goes public (test event)"
START = DAY - timedelta(days=89)          # the default range: the last 90 days that have data


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def env(monkeypatch, tmp_path):
    events = tmp_path / "events.toml"
    events.write_text(f'[[event]]\ndate = {DAY.isoformat()}\nmodel = "kling"\nkind = "launch"\n'
                      f'title = "{EVENT_TITLE}"\nlink = "https://example.org/kling"\n', encoding="utf-8")
    monkeypatch.setenv("AIGCWATCH_TIMEZONE", TZ)
    monkeypatch.setenv("AIGCWATCH_EVENTS", str(events))
    return monkeypatch


def _add_img_item(session) -> int:
    when = day_window(DAY, DAY, TZ)[0] + timedelta(hours=18)
    item = Item(source_id="en-news", guid="img-1", url="https://wire.example.com/veo-gallery",
                title="Veo 3 prompt gallery opens", text=f"A gallery of Veo 3 clips. A comment said {IMG} here.",
                lang="en", published_at=when, date_is_fallback=False, fetched_at=when)
    tags = Tags(relevant=True, models=("veo",), themes=("launch_access",), sentiment="neutral",
                keywords=("veo", "gallery"), evidence={"veo": ("Veo 3",), "launch_access": ("opens",)},
                version="test-tagger-1")
    store.store_intents(session, None, "en-news", [ItemIntent(item=item, keys=keys_for(item), tags=tags)], when)
    session.commit()
    return q.items(session, ItemFilter(q="prompt gallery"), limit=1)[0]["id"]


@pytest.fixture
def site(db_url, session, env):
    ids = dict(build(session).ids)
    ids["img"] = _add_img_item(session)
    env.setenv("AIGCWATCH_DATABASE_URL", db_url)
    return ids


def page(name: str, **params) -> AppTest:
    at = AppTest.from_file(str(DASH / "views" / f"{name}.py"), default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def window(start: date = START, end: date = DAY, **fields) -> ItemFilter:
    since, until = day_window(start, end, TZ)
    return ItemFilter(since=since, until=until, **fields)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [el.proto.body for el in at.get("html")]
    return "\n".join(parts)


def unescape_md(text: str) -> str:
    return text.replace("\\", "")


def results(at: AppTest) -> int:
    caption = next(c.value for c in at.caption if "篇匹配报道" in c.value)
    return int("".join(ch for ch in caption if ch.isdigit()))


# --- every page ---------------------------------------------------------------------------------

WEEK = {"from": (DAY - timedelta(days=6)).isoformat(), "to": DAY.isoformat()}


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_its_charts_without_exception(site, name):
    # Keywords compare with the previous period: a week whose previous week holds stories.
    at = ok(page(name, **(WEEK if name == "keywords" else {})))
    assert [t.value for t in at.title] == [TITLES[name]]
    assert at.get("plotly_chart"), "every page draws plotly charts"
    assert len(at.get("download_button")) >= len(at.get("plotly_chart")), "every chart offers CSV"
    for fig in specs(at):
        assert "Noto Sans CJK SC" in fig["layout"]["font"]["family"]
    # feed text never reaches the page as live HTML
    assert not [m for m in at.markdown if m.proto.allow_html]
    for el in at.get("html"):
        assert "<script" not in el.proto.body and "<img" not in el.proto.body


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("params", [{"q": "zzqxnothing"}, {"from": "2031-01-01", "to": "2031-01-07"}],
                         ids=["search-matches-nothing", "range-without-stories"])
def test_a_view_with_no_stories_renders_and_says_so(site, name, params):
    at = ok(page(name, **params))
    assert [t.value for t in at.title] == [TITLES[name]]
    if name in ("overview", "models", "themes", "gap"):
        assert any(i.value == "当前筛选条件下没有内容。" for i in at.info), "says that nothing matches"


def test_time_charts_name_the_zone_and_draw_events(site):
    at = ok(page("overview"))
    volume = specs(at)[0]
    assert volume["layout"]["xaxis"]["title"]["text"] == f"日 ({TZ})"
    assert any(EVENT_TITLE in str(tr.get("hovertext")) for tr in volume["data"])
    at = ok(page("overview", tz="UTC", every="week", ui="en"))
    assert specs(at)[0]["layout"]["xaxis"]["title"]["text"] == "week (UTC)"


def test_broken_events_file_warns_and_the_page_still_renders(site, env, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[event]]\ndate = "soon"\n', encoding="utf-8")
    env.setenv("AIGCWATCH_EVENTS", str(bad))
    at = ok(page("overview"))
    assert any("bad.toml" in w.value for w in at.warning)
    assert at.get("plotly_chart")


# --- numbers and filters ------------------------------------------------------------------------

def test_overview_kpis_are_the_read_side_numbers(site, session):
    at = ok(page("overview"))
    k = q.period_kpis(session, window(), tz=TZ)
    assert metric(at, "报道数") == f"{k['stories']['current']:,}"
    assert metric(at, "中文占比") == f"{k['share']['zh']['current'] * 100:.1f}%"
    assert metric(at, "净情感") == f"{k['net_sentiment']['current']:+.2f}"


@pytest.mark.parametrize("term", ["可灵", "kling"])
def test_overview_with_a_search_shows_the_numbers_counted_from_the_stories(site, session, monkeypatch, term):
    # The page counts a search's stories once (db.tally) for its KPIs, chart and spikes.
    from db import tally

    at = ok(page("overview", q=term))
    monkeypatch.setattr(tally, "answer", lambda *args, **kwargs: None)   # every count reads the stories
    k = q.period_kpis(session, window(q=term), tz=TZ)
    assert k["stories"]["current"] > 0
    assert metric(at, "报道数") == f"{k['stories']['current']:,}"
    assert metric(at, "中文占比") == f"{k['share']['zh']['current'] * 100:.1f}%"
    assert metric(at, "净情感") == f"{k['net_sentiment']['current']:+.2f}"
    spikes = q.spikes(session, window(q=term), tz=TZ)
    alerts = [e.label for e in at.expander if " · " in e.label]
    assert spikes and len(alerts) == len(spikes[:12])
    for top, label in zip(spikes, alerts):
        assert label.startswith(f"{top['day']} · ") and f" {top['count']} " in label


@pytest.mark.parametrize("name", ["overview", "models", "themes", "gap"])
@pytest.mark.parametrize("term", ["可灵", "kling", '可灵 OR kling -"launches"'])
def test_a_page_with_a_search_draws_what_counting_the_stories_draws(site, monkeypatch, name, term):
    # Overview, Models, Themes and zh / en gap match a search's stories once per view (db.tally).
    from db import tally

    fast = ok(page(name, q=term))
    drawn = (specs(fast), [(m.label, m.value) for m in fast.metric], [e.label for e in fast.expander])
    st.cache_data.clear()
    monkeypatch.setattr(tally, "answer", lambda *args, **kwargs: None)   # every count reads the stories
    slow = ok(page(name, q=term))
    assert drawn == (specs(slow), [(m.label, m.value) for m in slow.metric], [e.label for e in slow.expander])
    assert any(trace.get("x") or trace.get("y") for fig in drawn[0] for trace in fig["data"])


def test_query_params_filter_the_view(site, session):
    at = ok(page("overview", model="kling", lang="zh"))
    assert at.sidebar.multiselect(key="w_model").value == ["kling"]
    assert at.sidebar.multiselect(key="w_lang").value == ["zh"]
    k = q.period_kpis(session, window(model=("kling",), lang=("zh",)), tz=TZ)
    assert metric(at, "报道数") == f"{k['stories']['current']:,}"
    assert k["stories"]["current"] < q.count_items(session, window())


def test_sidebar_change_updates_numbers_and_url(site, session):
    at = ok(page("overview"))
    at.sidebar.multiselect(key="w_lang").set_value(["en"]).run()
    ok(at)
    assert at.query_params["lang"] == "en"
    k = q.period_kpis(session, window(lang=("en",)), tz=TZ)
    assert metric(at, "报道数") == f"{k['stories']['current']:,}"
    at.sidebar.date_input(key="w_dates").set_value((DAY - timedelta(days=6), DAY)).run()
    ok(at)
    assert at.query_params["from"] == (DAY - timedelta(days=6)).isoformat()
    k = q.period_kpis(session, window(DAY - timedelta(days=6), DAY, lang=("en",)), tz=TZ)
    assert metric(at, "报道数") == f"{k['stories']['current']:,}"


def test_reset_clears_the_filters_and_the_url(site):
    at = ok(page("overview", model="kling", lang="zh", ui="en"))
    at.sidebar.button(key="w_reset").click().run()
    ok(at)
    assert at.sidebar.multiselect(key="w_model").value == [] and at.sidebar.multiselect(key="w_lang").value == []
    assert dict(at.query_params) == {"ui": "en"}         # the interface language stays


def test_days_follow_the_chosen_time_zone(site, session):
    at = ok(page("explorer", day=DAY.isoformat(), tz="America/New_York"))
    since, until = day_window(DAY, DAY, "America/New_York")
    assert results(at) == q.count_items(session, ItemFilter(since=since, until=until))
    assert results(at) != q.count_items(session, window(DAY, DAY))


def test_bad_query_params_are_named_and_the_rest_applies(site, session):
    at = ok(page("explorer", model="kling,nosuch", to="31-12-2025", lang="zh"))
    warned = unescape_md(" ".join(w.value for w in at.warning))
    assert "model='nosuch'" in warned and "to='31-12-2025'" in warned
    assert results(at) == q.count_items(session, window(model=("kling",), lang=("zh",)))


def test_bad_query_params_are_shown_as_text_in_the_interface_language(site):
    link = "[Sign in again](https://evil.example/login)"
    pixel = "![x](https://evil.example/pixel.png)"
    at = ok(page("overview", theme=link, model=pixel, every="hour"))
    warned = [w.value for w in at.warning]
    assert len(warned) == 3
    assert not any(link in w or pixel in w for w in warned), "URL text never becomes a link or image"
    shown = unescape_md(" ".join(warned))
    assert link in shown and pixel in shown                   # ...it is shown as it was typed
    assert "未知的取值" in shown and "unknown value" not in shown  # the reason in the interface's language
    at = ok(page("overview", every="hour", ui="en"))
    assert "use day, week or month" in unescape_md(at.warning[0].value)


def test_a_misspelt_or_foreign_url_parameter_is_named_not_silently_ignored(site, session):
    # Before: a parameter name the page does not take (models=kling for model=, a kw= the Overview
    # has no use for) was dropped without a word: the page showed every model as if filtered.
    at = ok(page("overview", models="kling", kw="sora", lang="zh", ui="en"))
    warned = unescape_md(" ".join(w.value for w in at.warning))
    assert "models='kling' ignored: not a parameter of this page (model=?)" in warned
    assert "kw='sora' ignored: not a parameter of this page" in warned
    assert metric(at, "Stories") == str(q.count_items(session, window(lang=("zh",))))   # the rest applies
    zh = ok(page("overview", models="kling"))
    assert "不是本页的参数（model=？）" in unescape_md(" ".join(w.value for w in zh.warning))
    ex = ok(page("explorer", kw="sora", item=str(site["img"]), q="video", ui="en"))   # the Explorer's own
    assert not [w.value for w in ex.warning]


def test_a_day_out_of_range_in_the_url_is_named_not_a_crash(site):
    at = ok(page("overview", to="9999-12-31", ui="en"))
    assert any("to='9999-12-31'" in unescape_md(w.value) and "out of range" in unescape_md(w.value)
               for w in at.warning)


def test_a_bad_item_id_in_the_url_is_named(site, session):
    at = ok(page("explorer", item="12abc", ui="en"))
    assert any("item='12abc'" in unescape_md(w.value) for w in at.warning)


def test_explorer_opens_prefiltered_from_a_link(site, session):
    at = ok(page("explorer", model="kling", day=DAY.isoformat()))
    assert results(at) == q.count_items(session, window(DAY, DAY, model=("kling",)))
    assert at.query_params["from"] == DAY.isoformat() and "day" not in at.query_params
    assert at.query_params.get("to") in (None, DAY.isoformat())   # DAY is the default end


@pytest.mark.parametrize("term", ["可灵", "Kling launches", "可灵 OR kling -launches"])
def test_explorer_search_in_chinese_and_english(site, session, term):
    at = ok(page("explorer"))
    at.text_input(key="w_q").set_value(term).run()
    ok(at)
    n = q.count_items(session, window(q=term))
    assert n > 0 and results(at) == n
    assert at.query_params["q"] == term
    if " OR " in term:   # either term, less those excluded
        wider = q.count_items(session, window(q="可灵 OR kling"))
        assert q.count_items(session, window(q="可灵")) < wider and n < wider
    shown = at.dataframe[0].value
    assert len(shown) == min(n, 50)


def test_explorer_item_view_shows_tags_evidence_and_copies(site, session):
    at = ok(page("explorer", item=str(site["syndicated"])))
    assert "**可灵 Kling**" in texts(at)
    copies = [d.value for d in at.dataframe if len(d.value) == 2]
    assert copies and {"转载站", "微博搜索"} <= set(copies[0].iloc[:, 0]), "both syndicated copies listed"
    assert at.query_params["item"] == str(site["syndicated"])
    at = ok(page("explorer", item=str(site["img"])))
    assert "<mark>Veo 3</mark>" in texts(at), "the evidence is highlighted in the text"


def test_explorer_marks_evidence_in_the_title_in_either_script_and_cut_sentences(site, session):
    # Before: only the body was marked, and only where a phrase occurred as written: evidence in
    # the title (a fifth of the demo's phrases), a sentence cut with "…", the folded form of
    # Traditional text ("可灵ai" for "可靈AI") or a sentence across a line break stayed unmarked.
    from ingest.tag import engine
    from ingest.tag.doc import normalize

    title = "可靈AI發佈新版影片生成模型"
    text = ("快手的可靈今天發佈2.1版本，畫面更穩定，手部不再變形。好萊塢電影公司\n\n擔心這款影片生成模型"
            "會讓特效師失業，工會說這比去年任何一款 AI 影片工具都更快、更便宜，也更容易被片廠用來取代前期"
            "概念設計與分鏡繪製的人手，許多動畫工作室已經開始裁員，剪輯師、調色師和配音演員也擔心自己的"
            "飯碗，行業協會呼籲片廠在使用這類工具之前先與工會談判，保障從業者的收入與署名權利。")
    tags = engine.tag(title, text, "zh")
    item_id = _stored(session, title, text, "zh", tags, "https://tw.example.com/kling", hour=20)
    at = ok(page("explorer", item=str(item_id)))
    bodies = [el.proto.body for el in at.get("html")]
    assert re.search(r"<mark>[^<]*可靈AI[^<]*</mark>", next(b for b in bodies if b.startswith("<h4")))
    marked = [normalize(" ".join(x.split())) for x in re.findall(r"<mark>(.*?)</mark>", "".join(bodies), re.S)]
    phrases = [p for k in (*tags.models, *tags.themes) for p in tags.evidence[k]]
    assert any(p.endswith("…") for p in phrases), tags.evidence    # a long sentence, cut by the tagger
    for phrase in phrases:
        assert any(normalize(phrase).removesuffix("…") in x for x in marked), (phrase, marked)


def _stored(session, title: str, text: str, lang: str, tags, url: str, *, hour: int) -> int:
    """Store one tagged story of the page's day (source en-news, GUID = URL) and return its id."""
    when = day_window(DAY, DAY, TZ)[0] + timedelta(hours=hour)
    item = Item(source_id="en-news", guid=url, url=url, title=title, text=text, lang=lang,
                published_at=when, date_is_fallback=False, fetched_at=when)
    store.store_intents(session, None, "en-news", [ItemIntent(item=item, keys=keys_for(item), tags=tags)],
                        when)
    session.commit()
    return q.items(session, ItemFilter(q=title), limit=1)[0]["id"]


def test_explorer_item_view_says_why_a_story_is_relevant_negative_or_spam(site, session):
    # Before: only model and theme evidence was stored and shown; the view could not say why.
    at = ok(page("explorer", item=str(site["hostile"]), ui="en"))
    lines = [unescape_md(m.value) for m in at.markdown]
    assert f"**About AI video** — 「{HOSTILE_EVIDENCE}」" in lines
    assert "**Tone: negative (lexicon score -0.30)** — 「glitch」" in lines
    assert not any(line.startswith("**Spam**") for line in lines), "not spam: no spam line"
    assert not [m for m in at.markdown if m.proto.allow_html]          # the <img> phrase is text
    assert not any("<img" in el.proto.body for el in at.get("html"))
    at = ok(page("explorer", item=str(site["spam"]), ui="zh"))
    lines = [unescape_md(m.value) for m in at.markdown]
    # a reason is no quote: "title/body mismatch" is not searched for in the text (before: 「」)
    # and in the interface's language (before: "title/body mismatch" in English on the Chinese page)
    assert "**垃圾内容** — 「app下载」 · *标注器的理由（非原文）: 标题与正文不符*" in lines
    assert SPAM_EVIDENCE == ("app下载", "title/body mismatch")


def test_explorer_tells_the_competition_themes_model_count_from_quotes(site, session):
    # Before: the theme's "4 models" (a sentence lining up four models) was shown as 「4 models」
    # and marked in the text like a quote, though no such phrase is in it.
    from ingest.tag import engine

    title, text = "Sora, Veo, Kling and Runway compared", (
        "We put Sora, Veo, Kling, Runway and Pika side by side: Kling won on motion, Veo on sound. "
        "The race between the video models is tight, 4 models on the list.")
    tags = engine.tag(title, text, "en")
    counted = [p for p in tags.evidence["competition"] if p.endswith(" models")]
    assert counted, tags.evidence
    item_id = _stored(session, title, text, "en", tags, "https://wire.example.com/race", hour=21)
    at = ok(page("explorer", item=str(item_id), ui="en"))
    line = next(unescape_md(m.value) for m in at.markdown if m.value.startswith("**Competition"))
    assert all(f"「{p}」" not in line for p in counted)
    assert line.endswith(f"*the tagger's reasons, not quotes: {'; '.join(counted)}*"), line
    assert "<mark>4 models</mark>" not in "".join(el.proto.body for el in at.get("html"))


def test_explorer_item_view_says_when_the_evidence_was_not_recorded(site, session):
    from sqlalchemy import update

    from db import models as m

    session.execute(update(m.Item).where(m.Item.id == site["jobs"]).values(
        relevance_evidence=None, sentiment_evidence=None, spam_evidence=None))
    session.commit()
    at = ok(page("explorer", item=str(site["jobs"]), ui="en"))
    lines = [unescape_md(m.value) for m in at.markdown]
    assert [line for line in lines if "not recorded" in line and "aigcwatch retag" in line] == [
        line for line in lines if line.startswith(("**About AI video**", "**Tone: negative"))]
    assert len([line for line in lines if "not recorded" in line]) == 2


@pytest.mark.parametrize("ui, names", [("zh", {"正文相同", "链接相同", "标题与正文相同", "改写转载", "GUID 相同"}),
                                      ("en", {"same text", "same link", "same title and text",
                                              "edited republication", "same GUID"})])
def test_copies_say_why_they_are_copies_in_the_interface_language(site, ui, names):
    at = ok(page("explorer", item=str(site["syndicated"]), ui=ui))
    copies = next(d.value for d in at.dataframe if len(d.value) == 2)
    reasons = set(copies["判定依据" if ui == "zh" else "reason"])
    assert reasons and reasons <= names, reasons


def test_hostile_feed_text_is_only_text(site):
    at = ok(page("explorer", item=str(site["hostile"])))
    body = texts(at)
    assert "<script>" not in body
    assert (unescape_md('\\<script\\>alert\\("x"\\)\\</script\\>') in unescape_md(body)
            or html.escape('<script>alert("x")</script>') in body)     # the title: escaped HTML
    assert "](javascript" not in body.replace("\\", ""), "a javascript: URL never becomes a link"
    assert "javascript" in unescape_md(body)          # ...but is shown as text
    at = ok(page("explorer", item=str(site["img"])))
    html_bodies = [el.proto.body for el in at.get("html")]
    assert any("&lt;img src=x onerror=alert(1)&gt;" in b for b in html_bodies)
    assert not any("<img" in b for b in html_bodies)
    assert not [m for m in at.markdown if m.proto.allow_html]


def test_drill_down_lists_the_stories_of_a_slice(site, session):
    at = ok(page("overview"))
    at.selectbox(key="ov_volume_drill_bucket").set_value(DAY)
    at.selectbox(key="ov_volume_drill_lang").set_value("en").run()
    ok(at)
    expected = q.items(session, window(DAY, DAY, lang=("en",)), limit=10)
    body = unescape_md(texts(at))
    assert expected and all(" ".join(r["title"].split()) in body for r in expected)
    assert "./explorer?" in texts(at)


@pytest.mark.parametrize("ui", ["zh", "en"])
def test_gap_lead_lag_names_each_spikes_key_and_its_table_speaks_the_interface_language(site, session, ui):
    # Before: the dots took their key's colour under a legend of two entries ("model", "theme") in
    # other colours, so no dot could be told without hovering; the table showed "None" for a
    # language with no onset and its first columns (day, name, count, zh, en) in English.
    from dashboard import i18n

    at = ok(page("gap", ui=ui))
    spikes = q.spikes(session, window(), tz=TZ)
    fig = next(f for f in specs(at) if any(tr.get("legendgroup") in ("model", "theme") for tr in f["data"]))
    named = {tr["name"]: (tr["legendgroup"], tr["marker"]["color"], tr["marker"]["symbol"]) for tr in fig["data"]}
    shown = {(s["dim"], s["key"]) for s in spikes if s.get("leader") == "same" or s.get("lag_days") is not None}
    assert shown and set(named) == {i18n.key_name(d, k, ui) for d, k in shown}
    for dim, key in shown:
        group, color, symbol = named[i18n.key_name(dim, key, ui)]
        assert (group, symbol) == (dim, {"model": "circle", "theme": "diamond"}[dim])
        assert color == charts_color(dim, key)
    table = next(d.value for d in at.dataframe if i18n.t("leader", ui) in d.value.columns)
    assert len(table) == len(spikes)
    assert not table.isna().any().any() and "None" not in table.astype(str).values
    # who led, as the digest words it (db.stats.lead): a language that never rose did not follow,
    # so the other is "only", not "first", and the summary counts those apart (they are not drawn)
    assert sorted(table[i18n.t("leader", ui)]) == sorted(i18n.lead_name(s["lead"], ui) for s in spikes)
    kinds = [s["lead"] for s in spikes]
    assert any(k and "_only" in k for k in kinds) and any(k and k.endswith("_first") for k in kinds), kinds
    summary = i18n.t("lead_summary", ui, n=len(spikes), zh=kinds.count("zh_first"), en=kinds.count("en_first"),
                     same=kinds.count("same_day"), one=sum(1 for k in kinds if k and "_only" in k))
    assert summary in [c.value for c in at.caption]
    assert list(table.columns[:5]) == [i18n.t("every_day", ui), i18n.t("col_spike_key", ui), i18n.t("stories", ui),
                                       i18n.lang_name("zh", ui), i18n.lang_name("en", ui)]


def charts_color(dim: str, key: str) -> str:
    from dashboard import charts

    return charts.color_for(dim, key)


def test_a_7_day_index_reads_the_6_days_before_the_range_for_its_first_days(site, session):
    # Before: the first day of a range drew a 7-day index of that one day (a lone story: a line
    # from -1 or 100%); the trailing window now holds 7 days from the first day on.
    start = DAY - timedelta(days=2)
    days = {"from": start.isoformat(), "to": DAY.isoformat(), "ui": "en"}
    at = ok(page("overview", **days))
    net = next(f for f in specs(at) if f["layout"]["yaxis"].get("title", {}).get("text", "").startswith("net"))
    first = {tr["name"]: tr["y"][0] for tr in net["data"] if tr.get("x") and (tr["x"][0] or "").startswith(str(start))}
    week = q.sentiment_index(session, window(start - timedelta(days=6), start), bucket=None)[0]
    assert week["stories"] > q.sentiment_index(session, window(start, start), bucket=None)[0]["stories"]
    assert abs(first["all"] - (week["positive"] - week["negative"]) / week["stories"]) < 1e-9
    assert all(len(tr["x"]) == 3 for tr in net["data"] if tr["name"] in ("all", "Chinese", "English"))
    at = ok(page("themes", **days))
    share = specs(at)[0]
    theme = next(tr for tr in share["data"] if tr["name"] == "Jobs")
    jobs = q.count_items(session, window(start - timedelta(days=6), start, theme=("jobs",)))
    stories = q.count_items(session, window(start - timedelta(days=6), start))
    assert theme["x"][0].startswith(str(start)) and len(theme["x"]) == 3
    assert abs(theme["y"][0] - 100 * jobs / stories) < 1e-9


@pytest.mark.parametrize("ui, column, names", [("zh", "语言", {"中文", "英文"}), ("en", "lang", {"Chinese", "English"})])
def test_the_explorer_table_names_languages_as_the_other_pages_do(site, ui, column, names):
    # Before: its language column held the codes "zh" and "en" (the filter and every chart say 中文 / English).
    at = ok(page("explorer", ui=ui))
    shown = set(at.dataframe[0].value[column])
    assert shown and shown <= names | {"—"}, shown


# At a 1400 px window the Explorer's table is 940 px wide beside the sidebar (measured in Chromium);
# its row-select box and the time column ("2025-03-10 08:30", sized by streamlit) take ~160 px.
TABLE_PX, LEAD_PX = 940, 160


@pytest.mark.parametrize("ui", ["zh", "en"])
def test_the_explorer_table_keeps_its_key_columns_in_view_at_a_laptops_width(site, ui):
    # Before: the title column grew with the longest title and the source came next, so at 1400 px
    # the sentiment column (and the models after it) lay past the table's right edge.
    at = ok(page("explorer", ui=ui))
    table = at.dataframe[0].proto
    order, config = list(table.column_order), json.loads(table.columns)
    from dashboard import i18n

    key = [i18n.t(k, ui) for k in ("col_time", "col_title", "col_lang", "col_sentiment", "col_models")]
    assert order[:5] == key, order
    assert set(order) >= set(at.dataframe[0].value.columns) - {"id"}        # nothing else dropped
    widths = [config.get(c, {}).get("width") for c in key[1:]]
    assert all(isinstance(w, int) for w in widths), config
    assert LEAD_PX + sum(widths) <= TABLE_PX


def test_spike_alert_lists_stories_and_evidence(site, session):
    at = ok(page("overview"))
    spikes = q.spikes(session, window(), tz=TZ)
    top = spikes[0]
    label = next(e.label for e in at.expander if str(top["day"]) in e.label)
    assert f"{top['count']}" in label
    stories = q.spike_stories(session, window(), dim=top["dim"], key=top["key"], day=top["day"], tz=TZ)
    body = unescape_md(texts(at))
    assert all(" ".join(r["title"].split()) in body for r in stories)
    assert any(f"「{p}」" in body for r in stories for p in r["evidence"])


def test_the_spike_caption_names_the_window_and_threshold_the_rule_uses(site, monkeypatch):
    # Before: the caption wrote 28 and 3.5 itself, so a change of the rule's constants left it stale.
    from db import stats, trends

    monkeypatch.setattr(trends, "SPIKE_WINDOW", 21)
    monkeypatch.setattr(stats, "SPIKE_THRESHOLD", 4.5)
    at = ok(page("overview", ui="en"))
    assert any("trailing 21-day robust baseline" in c.value and "score >= 4.5" in unescape_md(c.value)
               for c in at.caption), [c.value for c in at.caption]


def _kling_mornings():
    """A zone where it is about midday now, its today, a local-time maker, and a corpus of 35 days
    before today with 2 Kling stories each morning (en) and 6 each evening (zh)."""
    from readside_data import Corpus, midday_zone

    now, tz, today = midday_zone()

    def local(day, hour, minute=0):
        return datetime.combine(day, datetime.min.time(), ZoneInfo(tz)).replace(hour=hour, minute=minute)

    c = Corpus()
    for back in range(1, 36):
        d = today - timedelta(days=back)
        for k in range(2):
            c.add(local(d, 8, k), "en-news", models=("kling",))
        for k in range(6):
            c.add(local(d, 20, k), "zh-news", models=("kling",))
    return tz, today, local, c


def _kling_this_morning(session, env, db_url, *, later_source: str):
    """`_kling_mornings`, with 6 Chinese Kling stories at 9:00 today and one of `later_source` at
    15:00 (ahead of now), stored and served in that zone: today, the morning's, the later one."""
    tz, today, local, c = _kling_mornings()
    morning = [c.add(local(today, 9, k), "zh-news", models=("kling",)) for k in range(6)]
    later = c.add(local(today, 15), later_source, models=("kling",))
    c.save(session)
    env.setenv("AIGCWATCH_TIMEZONE", tz)
    env.setenv("AIGCWATCH_DATABASE_URL", db_url)
    return today, morning, later


def test_a_spike_of_today_counts_its_stories_until_now_against_the_same_hours_before(db_url, session, env,
                                                                                    monkeypatch):
    # Before: at midday today's count was scored against 28 whole days, so a model tripling its
    # usual morning (6 by midday against 2 each morning, 8 a whole day) was never listed.
    today, morning, later = _kling_this_morning(session, env, db_url, later_source="en-news")
    frames = _csv_frames(monkeypatch)
    at = ok(page("overview", day=today.isoformat(), ui="en"))
    (label,) = [e.label for e in at.expander if str(today) in e.label]
    assert "Kling · 6 stories (baseline 2.0, score 4.0)" in unescape_md(label)
    until = re.search(r"day not over: until (1[23]:\d\d)", label)     # (an hour may turn meanwhile)
    assert until, label
    body = unescape_md(texts(at))
    assert all(s.title in body for s in morning) and later.title not in body
    # its CSV says until when it counted, as the gap page's does (before: "partial" only)
    csv = frames["spikes.csv"]
    mine = csv[csv["day"] == today]
    assert list(mine["partial"]) == [True] and mine["as_of"].iloc[0] == f"{today} {until.group(1)}"
    assert csv[csv["day"] != today]["as_of"].isna().all()


def test_a_drill_down_of_today_lists_its_stories_until_now_as_a_spike_does(db_url, session, env):
    # Before: today's drill-down read the whole local day, so a story dated this afternoon (ahead
    # of now) was listed and counted, though the spike line of the same day stops at now.
    today, morning, later = _kling_this_morning(session, env, db_url, later_source="zh-news")
    at = ok(page("overview", day=today.isoformat(), ui="en"))
    at.selectbox(key="ov_volume_drill_bucket").set_value(today)
    at.selectbox(key="ov_volume_drill_lang").set_value("zh").run()
    ok(at)
    body = unescape_md(texts(at))
    assert f"{today} · Chinese — 6 matching stories" in body
    assert all(s.title in body for s in morning) and later.title not in body


@pytest.mark.parametrize("path", ["items", "rollup", "search"])
def test_today_counts_until_now_in_the_chart_its_csv_the_kpis_and_the_explorer(db_url, session, env,
                                                                               monkeypatch, path):
    # Before: only drill-downs and spikes stopped at now. Today's point on the volume chart (and
    # its CSV), the KPIs and the Explorer (which a drill-down's link opens) counted the whole
    # local day: a story a feed dated this afternoon, ahead of now, was counted and listed.
    import os

    from db import rollups

    today, morning, later = _kling_this_morning(session, env, db_url, later_source="zh-news")
    if path == "rollup":      # counted from the day rollups (whole days), less the stories dated ahead
        rollups.refresh(session, os.environ["AIGCWATCH_TIMEZONE"])
        session.commit()
    view = {"day": today.isoformat(), "ui": "en", **({"q": "video models"} if path == "search" else {})}
    frames = _csv_frames(monkeypatch)
    at = ok(page("overview", **view))     # a search: counted from one tally of its stories
    vol = frames["volume_by_language.csv"]
    assert vol[(vol["bucket"] == today) & (vol["lang"] == "zh")]["stories"].tolist() == [6], vol
    assert bool(vol[vol["bucket"] == today]["partial"].all())      # still marked partial
    assert metric(at, "Stories") == "6"
    ex = ok(page("explorer", **view))
    (counted,) = [c.value for c in ex.caption if "matching stories" in c.value]
    assert re.fullmatch(r"6 matching stories \(until 1[23]:\d\d\)", counted), counted
    listed = " ".join(ex.dataframe[0].value["title"])
    assert all(s.title in listed for s in morning) and later.title not in listed
    matching = frames["matching_stories.csv"]
    assert matching[matching["bucket"] == today]["stories"].sum() == 6


@pytest.mark.parametrize("ui, until", [("en", r"\(until (1[23]:\d\d)\)"), ("zh", r"（截至 (1[23]:\d\d)）")])
def test_the_explorer_and_a_drill_down_of_a_view_not_over_say_until_when_they_count(db_url, session, env, ui, until):
    # Before: the Explorer of today said "6 matching stories" and nothing more, though it leaves out
    # the story a feed dated this afternoon (ahead of now): an analyst looking for it had no clue
    # why it was missing. The KPIs' caption named only the previous period's "until".
    today, morning, later = _kling_this_morning(session, env, db_url, later_source="zh-news")
    ex = ok(page("explorer", day=today.isoformat(), ui=ui))
    assert any(re.search(until, c.value) for c in ex.caption), [c.value for c in ex.caption]
    ov = ok(page("overview", day=today.isoformat(), ui=ui))
    ov.selectbox(key="ov_volume_drill_bucket").set_value(today)
    ov.selectbox(key="ov_volume_drill_lang").set_value("zh").run()
    assert re.search(r"6 .*" + until, unescape_md(texts(ok(ov)))), texts(ov)
    kpis = next(c.value for c in ov.caption if str(today) in c.value)
    assert re.search(f"{today} (1[23]:\\d\\d)", kpis), kpis       # the current period's end too
    past = today - timedelta(days=1)
    old = ok(page("explorer", day=past.isoformat(), ui=ui))
    assert not any(re.search(until, c.value) for c in old.caption)


def _csv_frames(monkeypatch) -> dict[str, pd.DataFrame]:
    """Every frame the page offers as a CSV download, by file name (ui.csv_bytes still writes it)."""
    from dashboard import ui

    frames, real, real_button = {}, ui.csv_bytes, st.download_button
    written = []

    def csv_bytes(df):
        written.append(df.copy())
        return real(df)

    def download_button(label, data=None, file_name=None, **kw):
        if written:
            frames[file_name] = written.pop()
        return real_button(label, data=data, file_name=file_name, **kw)

    monkeypatch.setattr(ui, "csv_bytes", csv_bytes)
    monkeypatch.setattr(st, "download_button", download_button)
    return frames


@pytest.mark.parametrize("ui, note", [("en", "so far, until"), ("zh", "当天未结束，截至")])
def test_the_gap_pages_spike_of_a_day_not_over_says_its_count_runs_until_now(db_url, session, env, monkeypatch,
                                                                              ui, note):
    # Before: the lead-lag table showed today's 6 stories by midday beside whole days, with no
    # "so far" (the Overview's spike line says "day not over: until HH:MM"), and its CSV likewise.
    tz, today, local, c = _kling_mornings()
    for k in range(6):     # both languages rise this morning: the spike is drawn (Chinese and English the same day)
        c.add(local(today, 9, k), "zh-news", models=("kling",))
        c.add(local(today, 9, 30 + k), "en-news", models=("kling",))
    c.save(session)
    env.setenv("AIGCWATCH_TIMEZONE", tz)
    env.setenv("AIGCWATCH_DATABASE_URL", db_url)
    frames = _csv_frames(monkeypatch)
    from dashboard import i18n

    at = ok(page("gap", day=today.isoformat(), ui=ui))
    table = next(d.value for d in at.dataframe if i18n.t("leader", ui) in d.value.columns)
    (cell,) = [v for v in table[i18n.t("every_day", ui)] if v.startswith(str(today))]
    assert re.fullmatch(rf"{today} \({note} 1[23]:\d\d\)", cell), cell     # (an hour may turn meanwhile)
    row = table[table[i18n.t("every_day", ui)] == cell].iloc[0]
    assert row[i18n.t("stories", ui)] == 12
    assert any(i18n.t("spike_so_far", ui, at=cell[-6:-1]) in unescape_md(c.value) for c in at.caption)
    csv = frames["spike_lead_lag.csv"]
    mine = csv[csv["day"] == today]
    assert list(mine["partial"]) == [True] and mine["as_of"].iloc[0] == f"{today} {cell[-6:-1]}"
    assert not csv[csv["day"] != today]["partial"].any() and csv[csv["day"] != today]["as_of"].isna().all()


TIME_CHART_PAGES = ("overview", "models", "themes", "gap", "explorer", "sources")


@pytest.mark.parametrize("name", TIME_CHART_PAGES)
@pytest.mark.parametrize("ui, note", [("en", "not over: until"), ("zh", "尚未结束，截至")])
def test_every_time_charts_csv_and_note_say_until_when_today_is_counted(db_url, session, env, monkeypatch,
                                                                       name, ui, note):
    # Before: a time chart's CSV marked today's bucket "partial" with no "as_of" (the spike CSVs
    # had one), and the note under it said "not over yet" without saying until when.
    tz, today, local, c = _kling_mornings()
    for k in range(6):        # a theme too, so that the Themes page draws today
        c.add(local(today, 9, k), "zh-news", models=("kling",), themes=("tech",))
    c.add(local(today, 15), "zh-news", models=("kling",), themes=("tech",))      # ahead of now
    c.save(session)
    env.setenv("AIGCWATCH_TIMEZONE", tz)
    env.setenv("AIGCWATCH_DATABASE_URL", db_url)
    frames = _csv_frames(monkeypatch)
    at = ok(page(name, ui=ui, **{"from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat()}))
    timed = {n: f for n, f in frames.items() if "bucket" in f.columns and "partial" in f.columns}
    assert timed, f"{name}: no time chart CSV among {sorted(frames)}"
    cells = set()
    for file, f in timed.items():
        assert "as_of" in f.columns, f"{file} has 'partial' but no 'as_of'"
        mine = f[f["bucket"].map(str) == str(today)]
        assert len(mine) and mine["partial"].all(), file
        cells |= set(mine["as_of"])
        assert f[f["bucket"].map(str) != str(today)]["as_of"].isna().all(), file
    (cell,) = cells                              # one "as_of" for every chart of the page
    assert re.fullmatch(rf"{today} 1[23]:\d\d", cell), cell
    notes = [c.value for c in at.caption if unescape_md(f"{note} {cell[-5:]}") in unescape_md(c.value)]
    assert len(notes) >= len(timed), [c.value for c in at.caption]


CHART_CSV_PAGES = ("overview", "models", "themes", "gap", "explorer", "sources")


@pytest.mark.parametrize("name", CHART_CSV_PAGES)
def test_a_charts_csv_names_its_count_of_stories_as_export_trends_does(site, session, monkeypatch, name):
    # Before: the volume chart's CSV said `count` where `aigcwatch export trends --group lang`
    # says `stories` for the same number (and the sentiment, heat-map, per-source CSVs likewise).
    from report import export

    frames = _csv_frames(monkeypatch)
    ok(page(name, **WEEK))
    charts = {n: f for n, f in frames.items() if n not in ("spikes.csv", "source_health.csv",
                                                            "ingest_runs.csv", "deliveries.csv", "stories.csv")}
    assert charts, f"{name}: no chart CSV among {sorted(frames)}"
    for file, f in charts.items():
        assert "count" not in f.columns, f"{file}: {list(f.columns)}"
    if name == "overview":
        vol = frames["volume_by_language.csv"]
        rng = export.Range(DAY - timedelta(days=6), DAY, TZ)
        rows = export.trend_rows(session, ItemFilter(), rng, bucket="day", group=("lang",))
        names = [c.name for c in export.trend_columns(("lang",))]
        assert list(vol.columns[:len(names)]) == names
        assert vol[names].to_dict("records") == [{k: r[k] for k in names} for r in rows
                                                 if r["lang"] in set(vol["lang"])]


def test_the_sources_bars_stack_in_one_order_whatever_the_view(site, session):
    # Before: each view stacked its sources biggest first: cn-news under en-news on DAY, above
    # it over the week before (Sora's daily English notes), so every segment moved.
    week = {"from": (DAY - timedelta(days=7)).isoformat(), "to": (DAY - timedelta(days=1)).isoformat()}
    orders = []
    for view in ({"day": DAY.isoformat()}, week):
        at = ok(page("sources", ui="en", **view))
        bars = next(f for f in specs(at) if f["layout"].get("barmode") == "stack")
        orders.append([tr["customdata"][0] for tr in bars["data"] if tr.get("type") == "bar"])
    assert all(o == sorted(o) and len(o) >= 2 for o in orders), orders
    week_rows = q.counts(session, window(DAY - timedelta(days=7), DAY - timedelta(days=1)), by=("source",))
    by_size = [r["source"] for r in sorted(week_rows, key=lambda r: -r["count"])]
    assert by_size != sorted(by_size)         # the week's sizes would have ordered it otherwise


@pytest.mark.parametrize("ui, every, title", [("en", "week", "Stories per source per week"),
                                               ("zh", "month", "各信源每月报道量"),
                                               ("en", "day", "Stories per source per day")])
def test_the_per_source_chart_is_titled_by_its_bucket(site, ui, every, title):
    # Before: "Items per day per source" over weekly and monthly bars (a week's count read as a day's).
    at = ok(page("sources", ui=ui, every=every))
    assert title in [h.value for h in at.subheader]


def test_models_page_zh_en_bars_match_counts(site, session):
    at = ok(page("models"))
    rows = q.counts(session, window(), by=("model", "lang"))
    want = next(r["count"] for r in rows if r["model"] == "kling" and r["lang"] == "zh")
    bars = next(f for f in specs(at) if f["layout"].get("barmode") == "group")
    zh = next(tr for tr in bars["data"] if tr["name"] == "中文")
    assert zh["x"][zh["y"].index("可灵 Kling")] == want


def test_models_drill_down_by_sentiment(site, session):
    at = ok(page("models"))
    at.selectbox(key="mo_sent_drill_model").set_value("kling")
    at.selectbox(key="mo_sent_drill_sentiment").set_value("negative").run()
    ok(at)
    expected = q.items(session, window(model=("kling",), sentiment=("negative",)), limit=10)
    body = unescape_md(texts(at))
    assert expected and all(" ".join(r["title"].split()) in body for r in expected)


def test_themes_heat_map_holds_every_theme_model_count(site, session):
    at = ok(page("themes"))
    rows = q.counts(session, window(), by=("theme", "model"))
    heat = next(f for f in specs(at) if f["data"] and f["data"][0]["type"] == "heatmap")
    assert sum(map(sum, heat["data"][0]["z"])) == sum(r["count"] for r in rows)


@pytest.mark.parametrize("ui, kpi, missing", [("en", "Theme JS divergence", "No English stories"),
                                               ("zh", "议题分布 JS 散度", "没有英文报道")])
def test_gap_page_of_one_language_says_there_is_nothing_to_compare(site, ui, kpi, missing):
    # Before: a view holding Chinese stories only (one Chinese source) showed JS divergence 0.000,
    # which the help reads as "same distribution", beside an empty divergence chart.
    at = ok(page("gap", src="cn-news", ui=ui))
    assert metric(at, kpi) == "—"
    assert any(missing in i.value for i in at.info), [i.value for i in at.info]


def test_gap_page_divergence_is_the_read_side_figure(site, session):
    at = ok(page("gap", lang="en"))      # the language filter does not narrow the comparison
    gap = q.language_gap(session, window(), dim="theme")
    assert metric(at, "议题分布 JS 散度") == f"{q.js_divergence(gap):.3f}"
    assert any("中文先" in c.value for c in at.caption)


def test_keywords_page_lists_rising_terms_per_language(site, session):
    at = ok(page("keywords", **WEEK))
    tables = [list(d.value.iloc[:, 0]) for d in at.dataframe]
    for lang in ("zh", "en"):
        terms = [r["term"] for r in q.rising_terms(session, window(DAY - timedelta(days=6), lang=(lang,)),
                                                   lang=lang, top=30)]
        assert terms and terms in tables


@pytest.mark.parametrize("ui", ["en", "zh"])
def test_keyword_counts_read_from_a_sample_say_they_are_estimates(site, session, monkeypatch, ui):
    # Before: a view over more stories than the term statistics read (every k-th story) drew its
    # z-scores and listed its scaled counts as plain "current" / "previous", saying so only in a
    # "sample_every" column of the table (the Themes page marks its evidence counts as estimated).
    from functools import partial

    from dashboard import i18n
    from db import trends

    frames = _csv_frames(monkeypatch)
    whole = ok(page("keywords", ui=ui, **WEEK))
    assert i18n.t("z_est", ui) not in json.dumps(specs(whole), ensure_ascii=False)
    assert all(i18n.t("current", ui) in d.value.columns for d in whole.dataframe)
    assert list(frames["rising_terms_en.csv"]["sample_every"].unique()) == [1]
    monkeypatch.setattr(trends, "sample_step", partial(trends.sample_step, cap=4))   # a small cap
    st.cache_data.clear()
    frames.clear()
    at = ok(page("keywords", ui=ui, **WEEK))
    week = window(DAY - timedelta(days=6), DAY)
    for lang in ("zh", "en"):
        mine = week.replace(lang=(lang,))
        k = trends.sample_step(session, mine)
        assert k > 1
        n = q.count_items(session, mine)
        assert i18n.t("terms_sampled", ui, n=f"{n:,}", k=k) in unescape_md(texts(at))
        csv = frames[f"rising_terms_{lang}.csv"]
        assert set(csv["sample_every"]) == {max(k, trends.sample_step(session, trends.comparable_window(
            mine, datetime.now(timezone.utc))))}
    bars = [f for f in specs(at) if f["data"]]
    assert len(bars) == 2 and all(f["layout"]["xaxis"]["title"]["text"] == i18n.t("z_est", ui) for f in bars)
    for d in at.dataframe:
        assert list(d.value.columns) == [i18n.t(c, ui) for c in ("term", "current_est", "previous_est", "z_est")]


def test_keywords_of_a_period_not_over_name_the_same_stretch_of_the_previous_one(db_url, session, env):
    # Before: a view ending today said "against <previous days>" whole, while its terms were held
    # against the same stretch of them (until now's hour), as the KPIs are and say.
    from readside_data import Corpus, midday_zone

    now, tz, today = midday_zone()
    c = Corpus()
    for back in range(4):
        day = today - timedelta(days=back)
        c.add(datetime.combine(day, datetime.min.time(), ZoneInfo(tz)).replace(hour=9), "en-news", models=("kling",))
    c.save(session)
    env.setenv("AIGCWATCH_TIMEZONE", tz)
    env.setenv("AIGCWATCH_DATABASE_URL", db_url)
    start = today - timedelta(days=1)
    at = ok(page("keywords", ui="en", **{"from": start.isoformat(), "to": today.isoformat()}))
    caption = next(c.value for c in at.caption if "against" in c.value)
    prev = today - timedelta(days=3)
    assert re.search(rf"against the same stretch of the previous period: {prev} to {prev + timedelta(days=1)} "
                     r"1[23]:\d\d", caption), caption     # (an hour may turn meanwhile)


@pytest.mark.parametrize("ui", ["en", "zh"])
def test_a_picked_term_lists_the_stories_the_table_counted_and_the_explorer_the_same(site, session, ui):
    # Before: picking a term ran a free-text search for it, which finds every story whose text
    # holds it ("kling" in a title the tagger keyed otherwise): more stories than the table's
    # count, and other ones; the Explorer link searched the same text.
    from urllib.parse import parse_qs, urlparse

    from dashboard import i18n

    when = day_window(DAY, DAY, TZ)[0] + timedelta(hours=9)     # names Kling, keyed otherwise
    item = Item(source_id="en-news", guid="kw-1", url="https://wire.example.com/runway-vs-kling",
                title="Runway answers Kling with a cheaper plan", text="Runway cut its prices after Kling.",
                lang="en", published_at=when, date_is_fallback=False, fetched_at=when)
    tags = Tags(relevant=True, models=("runway", "kling"), themes=("markets",), sentiment="neutral",
                keywords=("runway", "price"), version="test-tagger-1")
    store.store_intents(session, None, "en-news", [ItemIntent(item=item, keys=keys_for(item), tags=tags)], when)
    session.commit()
    at = ok(page("keywords", ui=ui, **WEEK))
    week = window(DAY - timedelta(days=6), DAY, lang=("en",))
    table = next(d.value for d in at.dataframe if "kling" in list(d.value.iloc[:, 0]))
    counted = int(table[table.iloc[:, 0] == "kling"].iloc[0, 1])
    keyed = q.items(session, week.replace(keyword="kling"), limit=50)
    searched = q.count_items(session, week.replace(q="kling"))
    assert counted == len(keyed) != searched          # the fixture tells them apart
    at.selectbox(key="kw_en_term").set_value("kling").run()
    ok(at)
    body = unescape_md(texts(at))
    assert i18n.t("keyword_results", ui, n=counted, term="kling") in body
    assert all(" ".join(r["title"].split()) in body for r in keyed)
    link = next(m.value for m in at.markdown if "explorer?" in m.value)
    query = {k: v[0] for k, v in parse_qs(urlparse(link[link.index("(") + 1:link.rindex(")")]).query).items()}
    assert query["kw"] == "kling" and "q" not in query
    ex = page("explorer", **query)
    ok(ex)
    assert i18n.t("results", ui, n=f"{counted:,}") in [c.value for c in ex.caption]
    assert sorted(ex.dataframe[0].value["id"]) == sorted(r["id"] for r in keyed)
    assert any(i18n.t("keyword_only", ui, term="kling") in unescape_md(c.value) for c in ex.caption)


def test_keywords_page_says_when_there_is_nothing_to_compare(site):
    at = ok(page("keywords"))      # the default 90 days: the 90 before hold no stories
    assert any("上一周期没有报道" in i.value for i in at.info)


def test_sources_page_health_and_runs(site, session):
    at = ok(page("sources"))
    health = at.dataframe[0].value
    assert set(health["id"]) == {s["id"] for s in q.facets(session)["sources"]}
    row = health[health["id"] == "cn-news"].iloc[0]
    assert row["范围内条数"] == q.count_items(session, window(source_id=("cn-news",)))
    assert len(at.dataframe[1].value) == len(q.latest_runs(session, 20))


@pytest.mark.parametrize("ui, word", [("en", "never ok"), ("zh", "从未成功")])
def test_the_sources_csvs_name_every_column_and_say_health_in_words(site, session, monkeypatch, ui, word):
    # Before: source_health.csv began with a column named "" holding the table's status dot (🟢),
    # read back as "Unnamed: 0"; the delivery log's CSV likewise (✅ beside its own status column).
    from dashboard import i18n

    record(session, date(2025, 10, 20), "day", Target("email", "desk@example.org"), ok=True, error=None,
           subject="digest", now=datetime(2025, 10, 21, tzinfo=timezone.utc))
    st.cache_data.clear()
    frames = _csv_frames(monkeypatch)
    at = ok(page("sources", ui=ui))
    table = at.dataframe[0].value
    assert table.columns[0] == i18n.t("col_health", ui)     # the table's dot before the same word
    for name in ("source_health.csv", "deliveries.csv"):
        assert all(str(c).strip() for c in frames[name].columns), (name, list(frames[name].columns))
    health = frames["source_health.csv"]
    assert health.columns[0] == i18n.t("col_health", ui)
    pairs = set(zip(table[table.columns[0]], health[health.columns[0]]))
    assert pairs == {(f"● {word}", word)}, pairs            # the built sources have not been fetched


@pytest.mark.parametrize("ui, headers, ok_word", [
    ("zh", ["批次", "开始", "结束", "状态", "标注器版本", "信源数", "抓取", "新增"], "成功"),
    ("en", ["run", "started", "finished", "status", "tagger version", "sources", "fetched", "new"], "ok")])
def test_sources_tables_speak_the_interface_language(site, session, ui, headers, ok_word):
    # Before: the runs table showed its database columns (started_at, tagger_version ...) and the
    # health table an "error" and a "runs" column in English on the Chinese page.
    at = ok(page("sources", ui=ui))
    health, runs = at.dataframe[0].value, at.dataframe[1].value
    assert list(runs.columns[:8]) == headers
    assert not [c for c in list(runs.columns) + list(health.columns) if "_" in c]
    if ui == "zh":
        assert not [c for c in health.columns if re.fullmatch(r"[a-z ]+", c) and c != "id"], list(health.columns)
    status = runs.columns[3]
    assert set(runs[status]) <= {i18n_status(s, ui) for s in ("ok", "partial", "failed", "running", "interrupted")}
    assert ok_word in set(runs[status]) | {i18n_status(r["status"], ui) for r in q.latest_runs(session, 20)}


def test_the_health_table_leads_with_the_sources_in_trouble(site, session):
    # Before: rows in id order: with the shipped 37 sources a failing one could sit below the ten
    # rows in view. Now failing, then warning, then never ok, then ok (each in id order).
    when = datetime(2025, 3, 10, 4, 0, tzinfo=timezone.utc)
    ids = sorted(s["id"] for s in q.facets(session)["sources"])
    failing, warning = ids[-1], ids[-2]
    store.save_fetch_state(session, failing, FetchState(consecutive_failures=2), fetched_at=when, ok=False,
                           error_class=FailureClass.BLOCKED, error="HTTP 403")
    store.save_fetch_state(session, warning, FetchState(), fetched_at=when, ok=True,
                           error_class=FailureClass.STALE, error="no new item for 14 days")
    session.commit()
    health = ok(page("sources", ui="en")).dataframe[0].value
    assert list(health["id"][:2]) == [failing, warning], list(health["id"])
    assert list(health["health"][:2]) == ["● failing", "● warning"]
    rank = {"● failing": 0, "● warning": 1, "● never ok": 2, "● ok": 3, "● paused": 4}
    shown = list(zip(health["health"], health["id"]))
    assert shown == sorted(shown, key=lambda r: (rank[r[0]], r[1]))


@pytest.mark.parametrize("ui, blocked, stale, header", [
    ("zh", "被拦截 (blocked)", "长期无新内容 (stale)", "类型"), ("en", "blocked", "no new items lately (stale)", "news / social")])
def test_sources_health_names_error_classes_in_the_interface_language(site, session, ui, blocked, stale, header):
    # Before: the Chinese page listed raw codes ("blocked", "stale") under 最近错误类型, and the
    # English table's headers were lower case but one: "News / social".
    when = datetime(2025, 3, 10, 4, 0, tzinfo=timezone.utc)
    store.save_fetch_state(session, "cn-news", FetchState(consecutive_failures=1), fetched_at=when, ok=False,
                           error_class=FailureClass.BLOCKED, error="HTTP 403")
    store.save_fetch_state(session, "en-news", FetchState(), fetched_at=when, ok=True,
                           error_class=FailureClass.STALE, error="no new item for 14 days")
    session.commit()
    at = ok(page("sources", ui=ui))
    health = at.dataframe[0].value
    column = "最近错误类型" if ui == "zh" else "last error class"
    shown = dict(zip(health["id"], health[column]))
    assert (shown["cn-news"], shown["en-news"], shown["cn-social"]) == (blocked, stale, "")
    assert json.loads(at.dataframe[0].proto.columns)[column]["width"] >= 150     # wide enough for them whole
    assert header in health.columns
    if ui == "en":
        assert not [c for c in health.columns if c[:1].isupper()], list(health.columns)


def i18n_status(value: str, ui: str) -> str:
    from dashboard import i18n

    return i18n.status_name(value, ui)


@pytest.mark.parametrize("ui, none", [("en", "(none)"), ("zh", "（未选择）")])
def test_a_box_that_opens_one_thing_says_nothing_is_open_not_all(site, ui, none):
    # Before: "Open a story" read "(all)" with one story open below it (and so did the Themes page's
    # phrase box and the Keywords page's term box, which list nothing until one is picked).
    at = ok(page("explorer", ui=ui, item=str(site["hostile"])))
    box = next(b for b in at.selectbox if b.key == "ex_box")
    assert box.options[0] == none
    at = ok(page("themes", ui=ui))
    assert next(b for b in at.selectbox if b.key == "th_ev_phrase").options[0] == none
    at = ok(page("keywords", ui=ui, **WEEK))
    boxes = [b for b in at.selectbox if b.key.startswith("kw_")]
    assert boxes and all(b.options[0] == none for b in boxes)


def test_sources_page_shows_the_digest_delivery_log_newest_first(site, session):
    at = ok(page("sources", ui="en"))
    assert any("Nothing sent yet" in i.value for i in at.info)
    first = datetime(2025, 10, 21, 0, 30, tzinfo=timezone.utc)
    record(session, date(2025, 10, 20), "day", Target("email", "desk@example.org"), ok=True, error=None,
           subject="digest", now=first)
    record(session, date(2025, 10, 21), "day", Target("webhook:feishu", "newsroom"), ok=False,
           error="feishu: HTTP 500 <script>x</script>", subject="digest", now=first + timedelta(days=1))
    st.cache_data.clear()
    at = ok(page("sources", ui="en"))
    log = at.dataframe[-1].value
    assert list(log["recipient"]) == ["newsroom", "desk@example.org"]      # newest attempt first
    assert list(log["status"]) == ["● failed", "● sent"] and "" not in log       # no emoji column
    assert log["error"].iloc[0] == "feishu: HTTP 500 <script>x</script>"   # shown as text
    assert log["last attempt"].iloc[1] == "2025-10-21 08:30"               # in the page's time zone
    assert [r["recipient"] for r in q.latest_deliveries(session)] == list(log["recipient"])
    # Before: the Chinese page showed the period as stored ("day"), in English
    zh = ok(page("sources", ui="zh")).dataframe[-1].value
    assert list(zh["周期"]) == ["日", "日"] and list(zh["状态"]) == ["● 失败", "● 已发送"]


def test_the_delivery_log_tells_a_focused_digest_from_the_market_wide_one(site, session):
    # Before: the log had no focus: a Kling digest and the market-wide one to one recipient were
    # one row, and the page could not tell which had gone out.
    at_ = datetime(2025, 10, 21, 0, 30, tzinfo=timezone.utc)
    target = Target("email", "desk@example.org")
    record(session, date(2025, 10, 20), "day", target, ok=True, error=None, subject="all", now=at_)
    record(session, date(2025, 10, 20), "day", target, ok=False, error="down", subject="kling",
           now=at_ + timedelta(minutes=1), focus="model=kling; q=<b>sora</b> OR 可灵")
    st.cache_data.clear()
    log = ok(page("sources", ui="en")).dataframe[-1].value
    # named as the subject names it (the log's key before), the search as text
    assert list(log["focus"]) == ["Kling, “<b>sora</b> OR 可灵”", "all coverage"]
    assert list(log["status"]) == ["● failed", "● sent"]
    assert [r["focus"] for r in q.latest_deliveries(session)] == ["model=kling; q=<b>sora</b> OR 可灵", ""]
    assert list(ok(page("sources", ui="zh")).dataframe[-1].value["范围"]) == [
        "可灵 Kling、“<b>sora</b> OR 可灵”", "全部"]


def test_the_delivery_log_shows_spike_alerts_beside_digests_and_their_level(site, session):
    # Before: the page read the digest's log only: an alert that failed was nowhere to be seen.
    from report.alert_log import AlertLog

    at_ = datetime(2025, 10, 21, 0, 30, tzinfo=timezone.utc)
    target = Target("email", "desk@example.org")
    record(session, date(2025, 10, 20), "day", target, ok=True, error=None, subject="all", now=at_)
    AlertLog(date(2025, 10, 21), "model", "kling", "", 14).record(
        session, target, ok=False, error="down <b>x</b>", subject="Kling spike today", now=at_ + timedelta(hours=2))
    AlertLog(date(2025, 10, 21), "model", "kling", "", 30, level=1).record(       # its follow-up (0012)
        session, target, ok=True, error=None, subject="Kling still rising", now=at_ + timedelta(hours=3))
    st.cache_data.clear()
    at = ok(page("sources", ui="en"))
    log = at.dataframe[-1].value
    # the table's heading says so (it read "Digest deliveries"), and its date is not a digest's
    assert at.subheader[-1].value == "Deliveries: digests and spike alerts" and "date" in log
    assert list(log["period"]) == ["alert: Kling, level 1", "alert: Kling", "day"]   # the column's help: "level n"
    assert list(log["status"]) == ["● sent", "● failed", "● sent"] and log["error"].iloc[1] == "down <b>x</b>"
    assert list(ok(page("sources", ui="zh")).dataframe[-1].value["周期"]) == [
        "预警：可灵 Kling（第 1 级）", "预警：可灵 Kling", "日"]


# --- language, navigation, failure modes ----------------------------------------------------------

def test_interface_language_switch(site):
    at = ok(page("overview"))
    at.sidebar.segmented_control(key="w_ui").set_value("en").run()
    ok(at)
    assert [t.value for t in at.title] == ["Overview"]
    assert at.query_params["ui"] == "en"
    assert "Stories" in [m.label for m in at.metric]


def test_filters_survive_page_switches_in_the_app(site):
    at = AppTest.from_file(str(DASH / "app.py"), default_timeout=30).run()
    ok(at)
    at.sidebar.multiselect(key="w_model").set_value(["kling"]).run()
    at.switch_page("views/explorer.py").run()
    ok(at)
    assert [t.value for t in at.title] == ["检索"]
    assert at.sidebar.multiselect(key="w_model").value == ["kling"]
    assert at.query_params["model"] == "kling"


@pytest.mark.parametrize("name", ["overview", "explorer"])
def test_empty_database_shows_onboarding(db_url, env, name):
    env.setenv("AIGCWATCH_DATABASE_URL", db_url)
    at = ok(page(name))
    assert "aigcwatch demo" in texts(at) and "aigcwatch ingest" in texts(at)
    assert not at.get("plotly_chart")


@pytest.mark.parametrize("url", ["postgresql://watcher:s3cret@127.0.0.1:9/nowhere",
                                 "sqlite:////nonexistent-dir/aigcwatch.db"])
def test_unreachable_database_shows_one_clear_message(env, url):
    env.setenv("AIGCWATCH_DATABASE_URL", url)
    at = page("overview")
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert "s3cret" not in message and ("127.0.0.1" in message or "nonexistent-dir" in message)


@pytest.mark.parametrize("ui, word, note", [("en", "partial", "Shaded week: partial"),
                                            ("zh", "不完整", "阴影处的周不完整")])
def test_a_week_the_range_cuts_is_shaded_and_named_partial_as_in_the_export(site, ui, word, note):
    # Before: a range starting on a Wednesday drew that week's five days under the Monday's label
    # like a whole week: a false dip, with nothing on the chart to say so.
    monday = DAY - timedelta(days=DAY.weekday())
    start, end = monday - timedelta(days=5), monday + timedelta(days=6)
    at = ok(page("overview", every="week", ui=ui, **{"from": start.isoformat(), "to": end.isoformat()}))
    volume = specs(at)[0]
    bands = [s for s in volume["layout"].get("shapes", []) if s.get("type") == "rect"]
    assert len(bands) == 1 and not bands[0].get("label", {}).get("text")   # named in the legend
    assert [tr["name"] for tr in volume["data"] if tr.get("legendgroup") == "partial"] == [word]
    first = monday - timedelta(days=7)
    assert bands[0]["x0"] < first.isoformat() < bands[0]["x1"]
    assert any(m == "circle-open" for tr in volume["data"]
               for m in (tr.get("marker", {}).get("symbol") or []) if isinstance(m, str))
    shown = unescape_md(texts(at))
    held = f"{start} – {first + timedelta(days=6)}"
    assert note in shown and (f"the week of {first} holds only {held}" if ui == "en"
                              else f"{first} 起的周仅含 {held}") in shown
    # and no band or note over a range of whole weeks
    at = ok(page("overview", every="week", ui=ui, **{"from": monday.isoformat(), "to": end.isoformat()}))
    assert not [s for s in specs(at)[0]["layout"].get("shapes", []) if s.get("type") == "rect"]
    assert note not in unescape_md(texts(at))


def test_kpis_of_a_day_not_over_are_held_against_the_same_hours_of_the_day_before(site):
    today = datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date()
    at = ok(page("overview", day=today.isoformat(), ui="en"))
    caption = unescape_md(texts(at))
    assert re.search(f"{today} to {today} (\\d\\d:\\d\\d) \\(not over yet\\), against the same stretch of the "
                     f"previous period: {today - timedelta(days=1)} to {today - timedelta(days=1)} \\1", caption), caption
    at = ok(page("overview", day=(today - timedelta(days=1)).isoformat(), ui="en"))
    assert "not over yet" not in unescape_md(texts(at))


def _rolling_share(session, start: date, by: str) -> dict[str, dict[date, float]]:
    """key -> day -> % of the trailing 7 days, from db.queries' day counts (what `export trends`
    gives): for models every model's stories summed (share of voice), for themes all stories."""
    flt = window(start - timedelta(days=6), DAY)
    rows = q.counts(session, flt, by=(by,), bucket="day", tz=TZ)
    if by == "model":
        totals = {}
        for r in rows:
            totals[r["bucket"]] = totals.get(r["bucket"], 0) + r["count"]
    else:
        totals = {r["bucket"]: r["count"] for r in q.counts(session, flt, bucket="day", tz=TZ)}
    days = [start + timedelta(days=i) for i in range((DAY - start).days + 1)]
    out = {}
    for key in {r[by] for r in rows}:
        mine = {r["bucket"]: r["count"] for r in rows if r[by] == key}
        for day in days:
            week = [day - timedelta(days=i) for i in range(7)]
            whole = sum(totals.get(d, 0) for d in week)
            out.setdefault(key, {})[day] = 100 * sum(mine.get(d, 0) for d in week) / whole if whole else 0.0
    return out


def test_models_share_of_voice_by_day_is_the_7_day_share_of_the_read_side_counts(site, session):
    # Before: a daily 100% stack (a saw-tooth between 0 and 100% at a few stories a day), its first
    # days reading one day; now each day's share of the trailing 7 days' summed counts.
    start = DAY - timedelta(days=13)
    at = ok(page("models", ui="en", **{"from": start.isoformat(), "to": DAY.isoformat()}))
    sov = specs(at)[0]
    assert sov["layout"]["yaxis"]["title"]["text"] == "share of voice (7-day rolling)"
    want = _rolling_share(session, start, "model")
    drawn = {tr["customdata"][0]: dict(zip((date.fromisoformat(x[:10]) for x in tr["x"]), tr["y"]))
             for tr in sov["data"] if tr.get("stackgroup")}
    assert set(drawn) == set(want) and len(want) >= 2
    for key, days in want.items():
        assert set(drawn[key]) == set(days)
        assert all(abs(drawn[key][d] - v) < 1e-9 for d, v in days.items()), key
    for day in want["kling"]:
        assert abs(sum(drawn[k][day] for k in drawn) - 100) < 1e-9 or all(drawn[k][day] == 0 for k in drawn)
    # the count view draws the read side's stories a day as they are, as stacked bars
    at.radio(key="w_sov").set_value("count").run()
    bars = specs(ok(at))[0]
    rows = q.counts(session, window(start, DAY), by=("model",), bucket="day", tz=TZ)
    kling = next(tr for tr in bars["data"] if tr.get("customdata", [""])[0] == "kling")
    assert kling["type"] == "bar"
    assert {date.fromisoformat(x[:10]): y for x, y in zip(kling["x"], kling["y"]) if y} == \
        {r["bucket"]: r["count"] for r in rows if r["model"] == "kling"}


def _more_themes(session) -> list[str]:
    """Stories with four more themes (the fixture has six): ten themes in the view."""
    extra = ("copyright", "markets", "regulation", "compute")
    for i, theme in enumerate(extra):
        tags = Tags(relevant=True, models=("sora",), themes=(theme,), sentiment="neutral",
                    evidence={"sora": ("Sora",), theme: (theme,)}, version="test-tagger-1")
        _stored(session, f"Sora note {theme}", f"Sora story about {theme} number {i}.", "en", tags,
                f"https://wire.example.com/extra-{theme}", hour=2 + i)
    return list(extra)


def test_themes_share_shows_the_top_six_and_lists_the_rest_in_the_legend(site, session):
    # Before: every theme's line at once (12 in the demo), spaghetti; now the view's six most
    # covered are drawn and the others are one legend click away, each in its fixed colour.
    _more_themes(session)
    start = DAY - timedelta(days=27)
    days = {"from": start.isoformat(), "to": DAY.isoformat()}
    at = ok(page("themes", ui="en", **days))
    share = specs(at)[0]
    lines = {tr["customdata"][0]: tr for tr in share["data"] if tr.get("customdata", [""])[0]}
    ranked = [r["theme"] for r in sorted(q.counts(session, window(start), by=("theme",)),
                                         key=lambda r: (-r["count"], r["theme"]))]
    assert len(ranked) == len(lines) == 10
    assert {k for k, tr in lines.items() if tr.get("visible") != "legendonly"} == set(ranked[:6])
    assert sorted(lines, key=lambda k: lines[k]["legendrank"]) == ranked      # the legend lists them so
    assert {k for k, tr in lines.items() if tr.get("visible") == "legendonly"} == set(ranked[6:])
    assert all(tr["line"]["color"] == charts_color("theme", k) for k, tr in lines.items())
    want = _rolling_share(session, start, "theme")
    for key, tr in lines.items():
        got = dict(zip((date.fromisoformat(x[:10]) for x in tr["x"]), tr["y"]))
        assert all(abs(got[d] - v) < 1e-9 for d, v in want[key].items()), key
    # themes picked in the sidebar are all drawn
    picked = ranked[-3:]
    at = ok(page("themes", ui="en", theme=",".join(picked), **days))
    lines = [tr for tr in specs(at)[0]["data"] if tr.get("customdata", [""])[0]]
    assert sorted(tr["customdata"][0] for tr in lines) == sorted(picked)
    assert not [tr for tr in lines if tr.get("visible") == "legendonly"]


def test_a_theme_picked_in_the_filter_keeps_its_share_of_all_stories(site, session):
    # Before: the denominator took the theme filter too (stories with a picked theme), so a theme
    # picked alone drew a flat 100%, whatever its share of the coverage.
    start = DAY - timedelta(days=13)
    at = ok(page("themes", ui="en", theme="jobs", **{"from": start.isoformat(), "to": DAY.isoformat()}))
    (jobs,) = [tr for tr in specs(at)[0]["data"] if tr.get("customdata", [""])[0]]
    got = dict(zip((date.fromisoformat(x[:10]) for x in jobs["x"]), jobs["y"]))
    want = _rolling_share(session, start, "theme")["jobs"]
    assert max(want.values()) < 100
    assert got.keys() == want.keys() and all(abs(got[d] - v) < 1e-9 for d, v in want.items())


def test_a_model_picked_in_the_filter_keeps_its_share_of_voice_among_all_models(site, session):
    # Before: the share was taken among the picked models only, so a model picked alone drew a
    # flat 100% share of voice.
    start = DAY - timedelta(days=13)
    at = ok(page("models", ui="en", model="kling", **{"from": start.isoformat(), "to": DAY.isoformat()}))
    drawn = [tr for tr in specs(at)[0]["data"] if tr.get("stackgroup")]
    assert [tr["customdata"][0] for tr in drawn] == ["kling"]
    got = dict(zip((date.fromisoformat(x[:10]) for x in drawn[0]["x"]), drawn[0]["y"]))
    want = _rolling_share(session, start, "model")["kling"]
    assert min(want.values()) < 100
    assert got.keys() == want.keys() and all(abs(got[d] - v) < 1e-9 for d, v in want.items())


def test_theme_evidence_counts_read_from_a_sample_say_they_are_estimates(site, session, monkeypatch):
    # Before: a view over more stories than the phrase statistics read (every k-th story) drew the
    # scaled counts as plain "stories", though the README says they are marked as sampled.
    from functools import partial

    from db import trends

    whole = ok(page("themes", ui="en"))
    assert "Estimated" not in texts(whole)
    monkeypatch.setattr(trends, "sample_step", partial(trends.sample_step, cap=4))   # a small cap
    st.cache_data.clear()
    at = ok(page("themes", ui="en"))
    bars = specs(at)[3]
    assert bars["layout"]["xaxis"]["title"]["text"] == "stories (estimated)"
    stories = q.count_items(session, window(START, DAY))
    k = trends.sample_step(session, window(START, DAY))
    assert k > 1
    assert f"Estimated: one in {k} of the view's {stories:,} stories was read" in unescape_md(texts(at))


def _net_points(spec: dict) -> tuple[dict, dict]:
    """(solid, open) points of a net-sentiment chart: key -> day -> y, from the key's line and
    from its open circles (traces holding a key, leaving out the events and legend swatches)."""
    solid, hollow = {}, {}
    for tr in spec["data"]:
        key = (tr.get("customdata") or [None])[0]
        if not key or tr.get("yaxis") == "y9":
            continue
        open_ = tr.get("marker", {}).get("symbol") == "circle-open"
        into = hollow if open_ else solid
        for x, y in zip(tr["x"], tr["y"]):
            if y is not None:
                into.setdefault(key, {})[date.fromisoformat(x[:10])] = y
    return solid, hollow


@pytest.mark.parametrize("name, key_of", [("models", "model"), ("overview", "lang")])
def test_net_sentiment_draws_the_7_day_sums_and_a_point_on_few_stories_open_and_flagged(site, session, name, key_of):
    # Before: a model covered by a story or two a week drew its line to +-1 and back like any
    # other move, and the chart's CSV held a daily net that was not drawn and no 7-day sums.
    from dashboard import charts

    start = DAY - timedelta(days=13)
    at = ok(page(name, ui="en", **{"from": start.isoformat(), "to": DAY.isoformat()}))
    spec = next(f for f in specs(at) if f["layout"].get("yaxis", {}).get("title", {}).get("text", "").startswith("net"))
    solid, hollow = _net_points(spec)
    flt = window(start - timedelta(days=6), DAY)
    rows = q.sentiment_index(session, flt, bucket="day", tz=TZ, by=key_of if name == "models" else None)
    if name == "overview":
        rows = [dict(r, key="all") for r in rows] + [r for r in q.sentiment_index(
            session, flt, bucket="day", tz=TZ, by="lang") if r["key"] in ("zh", "en")]
    days = [start + timedelta(days=i) for i in range(14)]
    checked = {True: 0, False: 0}
    for key in {r["key"] for r in rows}:
        cells = {r["bucket"]: r for r in rows if r["key"] == key}
        for day in days:
            week = [cells[d] for d in (day - timedelta(days=i) for i in range(7)) if d in cells]
            n = sum(c["stories"] for c in week)
            if not n:
                continue
            net = (sum(c["positive"] for c in week) - sum(c["negative"] for c in week)) / n
            few = n < charts.MIN_NET_STORIES
            got = (hollow if few else solid).get(key, {}).get(day)
            other = (solid if few else hollow).get(key, {}).get(day)
            assert got is not None and abs(got - net) < 1e-9 and other is None, (key, day, n)
            checked[few] += 1
    assert checked[True] and checked[False], checked     # the fixture has both kinds of point
    note = charts.MIN_NET_STORIES
    assert f"fewer than {note} stories" in texts(at)
    assert any(tr.get("name") == f"fewer than {note} stories (open circles)" for tr in spec["data"])
    # the CSV's frame (what the chart draws, ui.chart writes it): the 7-day sums beside each point
    frame, value = charts.smoothed_net(pd.DataFrame(rows).rename(columns={"key": key_of}), start, DAY, "day", key_of)
    assert value == "net_7d" and "net" not in frame
    assert list(frame.columns) == ["bucket", key_of, "positive", "neutral", "negative", "stories",
                                   "positive_7d", "neutral_7d", "negative_7d", "stories_7d", "net_7d",
                                   "few_stories"]
    for r in frame.itertuples():
        drawn = (hollow if r.few_stories else solid).get(getattr(r, key_of), {}).get(r.bucket)
        assert (drawn is None) if r.stories_7d == 0 else abs(drawn - r.net_7d) < 1e-9
        assert r.few_stories == (r.stories_7d < charts.MIN_NET_STORIES)


def test_the_share_of_voice_mode_is_kept_in_the_url_and_a_bad_one_is_named(site, session):
    # Before: share / count was a bare radio: a bookmark of the count view opened the share view.
    days = {"from": (DAY - timedelta(days=13)).isoformat(), "to": DAY.isoformat()}
    at = ok(page("models", ui="en", **days))
    assert at.radio(key="w_sov").value == "share" and "sov" not in at.query_params    # the default
    at.radio(key="w_sov").set_value("count").run()
    assert ok(at).query_params["sov"] == "count"
    assert specs(at)[0]["data"][0]["type"] == "bar"
    # the bookmark: a new session on that URL opens the count view
    again = ok(page("models", ui="en", sov="count", **days))
    assert again.radio(key="w_sov").value == "count" and specs(again)[0]["data"][0]["type"] == "bar"
    assert not again.warning
    at.radio(key="w_sov").set_value("share").run()
    assert "sov" not in ok(at).query_params
    bad = ok(page("models", ui="en", sov="pie", **days))
    assert any("sov='pie'" in unescape_md(w.value) and "use share or count" in unescape_md(w.value)
               for w in bad.warning)
    assert bad.radio(key="w_sov").value == "share" and specs(bad)[0]["data"][0].get("stackgroup")


def test_the_evidence_theme_is_kept_in_the_url_and_a_bad_one_is_named(site, session):
    # Before: the evidence-theme picker was a bare select box: a bookmark reopened the top theme.
    from dashboard import i18n

    rows = q.evidence_top(session, window(), dim="theme", per_key=10)
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["key"]] = totals.get(r["key"], 0) + r["count"]
    at = ok(page("themes", ui="en"))
    box = at.selectbox(key="w_ev_theme")
    first = box.value
    second = next(k for k in sorted(totals, key=lambda k: -totals[k]) if k != first)
    assert totals[first] == max(totals.values()) and "evtheme" not in at.query_params   # the default: the top theme
    box.set_value(second).run()
    assert ok(at).query_params["evtheme"] == second
    phrases = {r["phrase"] for r in rows if r["key"] == second}
    assert set(specs(at)[3]["data"][0]["y"]) <= phrases
    # the bookmark: a new session on that URL opens that theme's phrases
    again = ok(page("themes", ui="en", evtheme=second))
    assert again.selectbox(key="w_ev_theme").value == second and not again.warning
    bad = ok(page("themes", ui="en", evtheme="nosuch"))
    assert any("evtheme='nosuch'" in unescape_md(w.value) and "unknown value" in unescape_md(w.value)
               for w in bad.warning)
    assert bad.selectbox(key="w_ev_theme").value == first
    # a known theme without evidence in the view: its top theme, no crash
    absent = next(t for t in i18n.known_themes() if t not in totals)
    assert ok(page("themes", ui="en", evtheme=absent)).selectbox(key="w_ev_theme").value == first


def _add_theme_item(session, guid: str, title: str, text: str, evidence: tuple[str, ...]) -> None:
    when = day_window(DAY, DAY, TZ)[0] + timedelta(hours=19)
    item = Item(source_id="en-news", guid=guid, url=f"https://wire.example.com/{guid}", title=title,
                text=text, lang="en", published_at=when, date_is_fallback=False, fetched_at=when)
    tags = Tags(relevant=True, models=("sora",), themes=("agi_world_model",), sentiment="neutral",
                keywords=("world",), evidence={"sora": ("Sora",), "agi_world_model": evidence},
                version="test-tagger-1")
    store.store_intents(session, None, "en-news", [ItemIntent(item=item, keys=keys_for(item), tags=tags)], when)
    session.commit()


def test_a_themes_evidence_phrase_opens_the_stories_that_hold_the_phrase(site, session):
    # Before: the phrase was searched as separate words (the text may space a phrase otherwise
    # than the tagger's evidence), so "world model" also listed a story with "world" and "model"
    # apart; a phrase's spacing is loose now, and the phrase itself is searched.
    from urllib.parse import parse_qs, urlsplit

    _add_theme_item(session, "wm-1", "Labs bet on the next big idea",
                    "Sora is a world\nmodel, its makers say.",
                    ("world model", "Sora is a world model, its…", "Sora is a world model, its ma…"))
    _add_theme_item(session, "wm-2", "A tour of the world of Sora",
                    "Every model of it is a simulator.", ("simulator",))
    at = ok(page("themes", ui="en", evtheme="agi_world_model"))
    at.selectbox(key="th_ev_phrase").set_value("world model").run()
    shown = texts(ok(at))
    assert "Labs bet on the next big idea" in shown
    assert "A tour of the world of Sora" not in shown
    link = next(m.value for m in at.markdown if "./explorer?" in m.value)
    assert parse_qs(urlsplit(link[link.index("(./") + 1:link.rindex(")")]).query)["q"] == ['"world model"']
    # the best sentence, cut at its length ("…"), by the part it shows (before: "its…" was a word)
    at.selectbox(key="th_ev_phrase").set_value("Sora is a world model, its…").run()
    shown = texts(ok(at))
    assert "Labs bet on the next big idea" in shown and "A tour of the world of Sora" not in shown
    # cut inside a word: its last word is open (a search term is a whole word, "ma" not "makers")
    at.selectbox(key="th_ev_phrase").set_value("Sora is a world model, its ma…").run()
    shown = texts(ok(at))
    assert "Labs bet on the next big idea" in shown and "A tour of the world of Sora" not in shown


def test_the_explorers_own_drill_down_links_keep_its_keyword(site, session):
    # Before: opened with kw=TERM (the Keywords page's link), the Explorer listed the keyed
    # stories under a chart bar but its "open in the Explorer" link dropped kw=, so it opened
    # every story of that day.
    from urllib.parse import parse_qs, urlparse

    at = AppTest.from_file(str(DASH / "views" / "explorer.py"), default_timeout=30)
    for key, value in {**WEEK, "kw": "launch", "ui": "en"}.items():
        at.query_params[key] = value
    # A click on the chart's bar of DAY, en (what plotly_chart hands the page on a selection).
    from streamlit.util import AttributeDictionary

    at.session_state["ex_time"] = AttributeDictionary({"selection": AttributeDictionary({
        "points": [{"x": DAY.isoformat(), "customdata": ["en"]}], "point_indices": [0],
        "box": [], "lasso": []})})
    ok(at.run())
    links = [m.value for m in at.markdown if "explorer?" in m.value and "from=" in m.value]
    drill_links = [link for link in links if f"from={DAY}" in link]
    assert drill_links, links
    for link in drill_links:
        query = parse_qs(urlparse(link[link.index("(") + 1:link.rindex(")")]).query)
        assert query["kw"] == ["launch"] and query["lang"] == ["en"], query
    keyed = q.items(session, window(DAY, DAY, lang=("en",), keyword="launch"), limit=50)
    body = unescape_md(texts(at))
    assert keyed and all(" ".join(r["title"].split()) in body for r in keyed[:10])


def test_the_models_net_chart_names_the_models_it_leaves_out_and_draws_every_picked_one(db_url, session, env):
    # Before: only the view's 6 most covered models were drawn, and the page did not say so (Wan,
    # Pika, Luma and Vidu were silently missing); picking 8 models in the filter drew 6 of them.
    from readside_data import Corpus

    models = ("kling", "sora", "veo", "runway", "hailuo", "jimeng", "vidu", "pika")
    c = Corpus()
    for back in range(3):
        for i, model in enumerate(models):
            for k in range(len(models) - i):          # kling most covered, pika least
                c.add(datetime(2025, 3, 10 - back, 8 + i, k, tzinfo=timezone.utc), "en-news",
                      models=(model,), sentiment="positive")
    c.save(session)
    env.setenv("AIGCWATCH_DATABASE_URL", db_url)
    env.setenv("AIGCWATCH_TIMEZONE", "UTC")

    def drawn(at):
        spec = next(f for f in specs(at)
                    if f["layout"].get("yaxis", {}).get("title", {}).get("text", "").startswith("net"))
        keys = {tr["customdata"][0] for tr in spec["data"]
                if tr.get("x") and isinstance(tr.get("customdata"), list) and tr["customdata"]}
        return keys & set(models)

    view = {"ui": "en", "from": "2025-03-08", "to": "2025-03-10"}
    at = ok(page("models", **view))
    assert drawn(at) == set(models[:6])
    assert "Only the view's 6 most covered models are drawn; 2 more can be picked" in texts(at)
    at = ok(page("models", model=",".join(models), **view))
    assert drawn(at) == set(models)
    assert "most covered models are drawn" not in texts(at)


def test_explorer_says_how_it_read_a_search_with_or_phrases_or_exclusions(site, session):
    # A search with syntax is glossed beside its count, so a mistyped OR (or a lower-case one,
    # which is a word) shows at once; plain words need no gloss.
    from dashboard import ui

    query = '可灵 OR kling -"*zz* never"'
    at = ok(page("explorer", q=query, ui="en"))
    n = q.count_items(session, window(q=query))
    assert n == q.count_items(session, window(q="可灵 OR kling")) > q.count_items(session, window(q="kling"))
    line = next(c.value for c in at.caption if "matching stories" in c.value)
    assert line.startswith(f"{n:,} matching stories")
    assert line.endswith(" · " + ui.md_escape("Read as: (“可灵” or “kling”); excluding “*zz* never”")), line
    plain = ok(page("explorer", q="可灵 kling", ui="zh"))
    assert not any("检索式" in c.value for c in plain.caption)


def test_the_story_view_marks_the_search_terms_apart_from_the_evidence(site, session):
    import re

    from dashboard.ui import SEARCH_MARK

    d = q.item_detail(session, site["img"])
    word = next(w for w in re.findall(r"[A-Za-z]{5,}", d["text"]) if "veo" not in w.lower())
    at = ok(page("explorer", item=str(site["img"]), q=f"{word.upper()} OR zzqnever", ui="en"))
    bodies = "".join(el.proto.body for el in at.get("html"))
    assert f"{SEARCH_MARK}{word}</mark>" in bodies and "<mark>Veo 3</mark>" in bodies
    assert "Marked yellow: the tagger's evidence; blue: your search terms" in [c.value for c in at.caption]
    plain = ok(page("explorer", item=str(site["img"]), ui="en"))
    assert SEARCH_MARK not in "".join(el.proto.body for el in plain.get("html"))


def test_explorer_orders_its_table_by_reach_and_keeps_it_in_the_url(site, session):
    # Before: the table was newest first only; the story carried by three outlets could sit
    # pages down.
    at = ok(page("explorer", sort="reach", ui="en"))
    assert at.radio(key="w_sort").value == "reach" and at.query_params["sort"] == "reach"
    want = [r["id"] for r in q.items(session, window(), limit=50, order="reach")]
    assert want != [r["id"] for r in q.items(session, window(), limit=50)]
    assert want[0] == site["syndicated"] and list(at.dataframe[0].value["id"]) == want


@pytest.mark.parametrize("name", ["overview", "themes"])
def test_a_page_glosses_a_search_with_syntax_under_its_sidebar_box(site, name):
    # Before: only the Explorer said how it read "(可灵 OR kling) -price"; the other pages' sidebar
    # search box gave no sign that the brackets grouped and the dash excluded.
    from dashboard import ui

    at = ok(page(name, q="(可灵 OR kling) -price", ui="en"))
    assert ui.md_escape("Read as: (“可灵” or “kling”); excluding “price”") in [c.value for c in at.sidebar.caption]
    plain = ok(page(name, q="可灵", ui="en"))
    assert not any("Read as" in c.value for c in plain.sidebar.caption)


def test_overview_volume_draws_each_language_as_its_own_count(site, session):
    # Before: a stacked area, so the English line was drawn at Chinese + English with nothing
    # saying so; the chart compares the languages, so each line is that language's count
    at = ok(page("overview", ui="en"))
    (volume,) = [s for s in specs(at) if {t.get("name") for t in s["data"]} >= {"Chinese", "English"}
                 and not any(t.get("type") == "bar" for t in s["data"])][:1]
    lines = {t["name"]: t for t in volume["data"] if t.get("name") in ("Chinese", "English")}
    assert not any(t.get("stackgroup") for t in lines.values())
    counts = q.counts(session, window(lang=("en",)), by=("lang",), bucket="day", tz=TZ)
    assert max(lines["English"]["y"]) == max(r["count"] for r in counts)


def test_keywords_columns_share_one_scale(site, session):
    # Before: each language's rising terms had its own x-axis (0-8 beside 0-4), so the same z
    # was drawn twice as long in one column as in the other
    at = ok(page("keywords", ui="en", **WEEK))
    ranges = [s["layout"]["xaxis"].get("range") for s in specs(at)]
    assert len(ranges) == 2 and ranges[0] and ranges[0] == ranges[1], ranges
    top = max(max(t["x"]) for s in specs(at) for t in s["data"])
    assert ranges[0][1] >= top


@pytest.mark.parametrize("name", ["overview", "models", "themes", "gap"])
def test_a_page_matching_nothing_draws_no_empty_chart(site, session, name):
    # Before: "Nothing matches" and then empty charts with meaningless axes, CSV buttons and
    # drill-downs for nothing (the Explorer already showed none); Themes said so only at its end
    at = ok(page(name, ui="en", q="zzzqqq"))
    assert any("Nothing matches" in i.value for i in at.info)
    assert specs(at) == [] and not at.get("download_button")
    if name == "themes":
        assert "Nothing matches" in at.info[0].value


def test_keywords_tell_a_search_matching_nothing_from_an_empty_previous_period(site, session):
    # Before: a search matching nothing anywhere read "the previous period holds no stories:
    # pick a later date range", which sends the reader the wrong way
    infos = [i.value for i in ok(page("keywords", ui="en", q="zzzqqq")).info]
    assert any("in either period" in v for v in infos) and not any("later date range" in v for v in infos)


def test_swapped_dates_are_said_to_be_used_not_ignored(site):
    at = ok(page("overview", ui="en", **{"from": DAY.isoformat(), "to": START.isoformat()}))
    warned = [w.value for w in at.warning if "before from" in w.value]
    assert warned and all("used" in w and "ignored" not in w for w in warned), warned


def test_the_spikes_csv_writes_lag_days_as_whole_days(site, session, monkeypatch):
    # Before: a spike without a lag made pandas write every lag as 0.0, 1.0, ...
    frames = _csv_frames(monkeypatch)
    ok(page("overview", ui="en"))
    lag = frames["spikes.csv"]["lag_days"]
    assert str(lag.dtype) == "Int64" and lag.notna().any()
    assert not any(line.endswith(".0") for line in _csv_column(frames["spikes.csv"], "lag_days"))


def _csv_column(df, column):
    from io import StringIO

    from dashboard import ui

    return [str(v) for v in pd.read_csv(StringIO(ui.csv_bytes(df).decode("utf-8-sig")), dtype=str,
                                        keep_default_na=False)[column]]
