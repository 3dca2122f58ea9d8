"""report.digest and report.render: the numbers are the read side's, the biggest change is chosen
as documented, feed text can never become markup or a non-http(s) link, and `--dry-run` writes a
digest a reader can act on."""
from __future__ import annotations

import re

from datetime import date, datetime, time, timedelta, timezone
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from aigcwatch.cli import main
from db import queries as q
from db.filters import ItemFilter, day_window
from report.digest import Change, Digest, build_digest, headline
from report.render import name, render, safe_link, short_lines, subject
from tests.support.browser import pages_at
from tests.support.stories import DAY, FORMULA_TITLE, HOSTILE_TITLE, SYNDICATED_TITLE, TZ, build

ALLOWED_TAGS = {"html", "head", "meta", "title", "body", "table", "tr", "td", "div", "span", "a", "b",
                "p", "br"}


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs += attrs


def window(start, end):
    since, until = day_window(start, end, TZ)
    return ItemFilter(since=since, until=until)


def test_the_digest_numbers_are_the_read_sides(session):
    build(session)
    d = build_digest(session, DAY, tz=TZ)
    flt, prev = window(DAY, DAY), window(DAY - timedelta(days=1), DAY - timedelta(days=1))
    week_before = window(DAY - timedelta(days=7), DAY - timedelta(days=1))
    assert d.stories == Change(q.count_items(session, flt), q.count_items(session, prev),
                               q.count_items(session, week_before) / 7)
    assert (d.stories.current, d.stories.previous) == (15, 4)
    by_lang = {s.lang: s.stories.current for s in d.sections}
    assert by_lang == {"zh": q.count_items(session, flt.replace(lang=("zh",))),
                       "en": q.count_items(session, flt.replace(lang=("en",)))} == {"zh": 8, "en": 7}
    kpis = q.period_kpis(session, flt, tz=TZ)
    assert d.net == (kpis["net_sentiment"]["current"], kpis["net_sentiment"]["previous"])
    top = d.spikes[0]
    assert (top["dim"], top["key"], top["count"], top["leader"]) == ("model", "kling", 14, "zh")
    # The stories behind the spike: the most widely carried first.
    assert top["stories"][0]["title"] == SYNDICATED_TITLE and top["stories"][0]["outlets"] == 3
    assert d.daily[-1] == {"day": DAY, "zh": 8, "en": 7, "partial": False} and len(d.daily) == 14
    assert d.rising_models[0] == {"key": "kling", "current": 14, "previous": 3, "change": 11}
    zh = next(s for s in d.sections if s.lang == "zh")
    assert [t.theme for t in zh.themes][:2] == ["competition", "launch_access"]
    assert any(t["term"] == "国产" for t in zh.terms)


def test_a_spike_is_shown_by_its_widest_carried_stories_not_its_newest(session):
    # Before: the candidates were the day's newest 20 (the alerts' newest 13), sorted by outlets
    # only after: the Sora 2 spike of the demo (41 stories) led with three stories of one outlet
    # each, its story of three outlets being the 38th newest. With one candidate, that was the
    # newest story; now it is the widest carried.
    from report.digest import ranked_spike_stories

    build(session)
    sp = build_digest(session, DAY, tz=TZ).spikes[0]
    flt = window(DAY, DAY)
    newest = q.spike_stories(session, flt, dim=sp["dim"], key=sp["key"], day=DAY, tz=TZ, limit=1)
    assert newest[0]["title"] != SYNDICATED_TITLE            # the case: the widest is not the newest
    for langs in (("zh", "en"), ("zh",)):
        ranked = ranked_spike_stories(session, flt, sp, TZ, limit=1, langs=langs)
        assert ranked[0]["title"] == SYNDICATED_TITLE and ranked[0]["outlets"] == 3


def test_a_week_digest_covers_the_seven_days_ending_on_the_date(session):
    build(session)
    d = build_digest(session, DAY, period="week", tz=TZ)
    assert (d.first_day, d.day) == (DAY - timedelta(days=6), DAY)
    assert d.stories.current == q.count_items(session, window(DAY - timedelta(days=6), DAY))
    assert d.stories.previous == q.count_items(session, window(DAY - timedelta(days=13), DAY - timedelta(days=7)))
    assert d.stories.average == q.count_items(session, window(DAY - timedelta(days=34), DAY - timedelta(days=7))) / 4
    assert subject(d).startswith("aigcwatch weekly 2025-03-04 – 2025-03-10: ")


def _digest(**kw) -> Digest:
    base = dict(day=DAY, period="day", tz="UTC", langs=("zh", "en"), first_day=DAY, since=None, until=None,
                filters=ItemFilter(), stories=Change(10, 4, 5.0), share={}, net=(0.1, 0.0))
    base.update(kw)
    return Digest(**base)


@pytest.mark.parametrize("kw, expected", [
    ({"stories": Change(0, 7, 3.0)}, ("empty", None)),
    ({"spikes": [{"dim": "theme", "key": "jobs", "count": 9, "baseline": 1.0, "leader": "en"}],
      "rising_models": [{"key": "sora", "current": 30, "previous": 1, "change": 29}]}, ("spike", "theme:jobs")),
    ({"rising_models": [{"key": "sora", "current": 5, "previous": 1, "change": 4}],
      "rising_themes": [{"key": "jobs", "current": 7, "previous": 1, "change": 6}]}, ("rising_theme", "jobs")),
    ({"rising_models": [{"key": "sora", "current": 5, "previous": 1, "change": 4}],
      "rising_themes": [{"key": "jobs", "current": 7, "previous": 3, "change": 4}]}, ("rising_model", "sora")),
    ({"rising_models": [{"key": "sora", "current": 2, "previous": 1, "change": 1}]}, ("stories", None)),
])
def test_the_biggest_change_is_a_spike_then_the_largest_rise_then_the_story_count(kw, expected):
    h = headline(_digest(**kw))
    assert (h.kind, h.key) == expected


@pytest.mark.parametrize("url, ok", [
    ("https://example.com/a?b=1", True), ("HTTP://Example.com/", True),
    ("javascript:alert(1)", False), ("JavaScript:alert(1)", False), ("data:text/html,<b>x</b>", False),
    ("//example.com/x", False), ("http://", False), ("https://exa mple.com/", False),
    ("https://example.com/\u202eevil", False), ("vbscript:x", False), ("", False), (None, False),
])
def test_only_absolute_http_links_are_rendered(url, ok):
    assert (safe_link(url) is not None) == ok


def test_feed_text_never_becomes_markup_in_the_html(session):
    build(session)
    r = render(build_digest(session, DAY, tz=TZ))
    parser = Tags()
    parser.feed(r.html)
    assert parser.tags <= ALLOWED_TAGS
    assert not [a for a, _ in parser.attrs if a.startswith("on")]
    assert all(v.startswith(("http://", "https://")) for a, v in parser.attrs if a == "href")
    assert HOSTILE_TITLE not in r.html and "&lt;script&gt;" in r.html
    assert "javascript:" not in r.html and "javascript:" not in r.text
    # The plain-text part keeps the title as written (it is text there) and has no link for it.
    assert HOSTILE_TITLE in r.text and FORMULA_TITLE in r.text


def test_dry_run_writes_both_parts_and_sends_nothing(db_url, session, tmp_path, monkeypatch):
    build(session)
    monkeypatch.setenv("AIGCWATCH_DIGEST_TO", "nobody@example.org")   # would fail: no SMTP host
    monkeypatch.delenv("AIGCWATCH_SMTP_HOST", raising=False)
    out = tmp_path / "digest.html"
    res = CliRunner().invoke(main, ["digest", "--date", str(DAY), "--tz", TZ, "--database-url", db_url,
                                    "--dry-run", str(out)])
    assert res.exit_code == 0, res.output
    assert "subject: aigcwatch daily 2025-03-10: Kling spike: 14 stories (usual 1)" in res.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "中文报道" in html and "English coverage" in html
    assert (tmp_path / "digest.txt").read_text(encoding="utf-8").startswith("AIGCWATCH")
    from db import models as m
    assert session.query(m.Delivery).count() == 0     # nothing sent, nothing logged


def test_a_dry_run_into_a_txt_file_keeps_both_parts(db_url, session, tmp_path):
    build(session)
    out = tmp_path / "digest.txt"
    res = CliRunner().invoke(main, ["digest", "--date", str(DAY), "--tz", TZ, "--database-url", db_url,
                                    "--dry-run", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "digest.txt.txt").read_text(encoding="utf-8").startswith("AIGCWATCH")
    assert f"wrote {out} (HTML) and {tmp_path / 'digest.txt.txt'} (text)" in res.output.replace("\n", "")


def test_a_dry_run_to_dash_prints_the_text_as_the_alerts_do(db_url, session, tmp_path, monkeypatch):
    # Before: `digest --dry-run -` wrote files named "-" and "-.txt" in the current folder, where
    # `alerts --dry-run -` prints the alerts' text on stdout.
    build(session)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["digest", "--date", str(DAY), "--tz", TZ, "--database-url", db_url,
                                    "--dry-run", "-"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("AIGCWATCH") and "English coverage" in res.stdout
    assert "<!DOCTYPE html>" not in res.stdout
    assert not (tmp_path / "-").exists() and not (tmp_path / "-.txt").exists()
    helped = " ".join(CliRunner().invoke(main, ["digest", "--help"]).output.split())
    assert "its text to stdout with '-'" in helped


def test_a_bad_digest_language_setting_is_one_line_naming_it(tmp_path, monkeypatch):
    # Before, AIGCWATCH_DIGEST_LANG=fr (or a typo) was read as both, silently.
    monkeypatch.setenv("AIGCWATCH_DIGEST_LANG", "fr")
    res = CliRunner().invoke(main, ["digest", "--database-url", f"sqlite:///{tmp_path / 'd.db'}",
                                    "--dry-run", str(tmp_path / "digest.html")])
    assert res.exit_code == 2, res.output
    assert res.output.strip() == "error: AIGCWATCH_DIGEST_LANG: 'fr' is not zh, en or both"
    assert not (tmp_path / "digest.html").exists()


def test_a_digest_of_a_day_not_begun_is_refused_and_sends_nothing(db_url, session, monkeypatch):
    # Before: `digest --date 2027-05-01` (a mistyped year) mailed "No stories were collected for
    # 2027-05-01", logged it as sent and exited 0; `alerts --date` already refused such a day.
    build(session)
    monkeypatch.setenv("AIGCWATCH_DIGEST_TO", "nobody@example.org")
    later = (datetime.now(timezone.utc) + timedelta(days=400)).date()
    res = CliRunner().invoke(main, ["digest", "--date", str(later), "--tz", TZ, "--database-url", db_url])
    assert res.exit_code == 2, res.output
    assert res.output.strip().startswith(f"error: --date: {later} has not begun in {TZ} (today is ")
    from db import models as m
    assert session.query(m.Delivery).count() == 0


def test_a_dry_run_into_a_missing_folder_is_one_line_before_any_work(tmp_path):
    res = CliRunner().invoke(main, ["digest", "--database-url", f"sqlite:///{tmp_path / 'd.db'}",
                                    "--dry-run", str(tmp_path / "no" / "digest.html")])
    assert res.exit_code == 2, res.output
    assert res.output.strip() == f"error: --dry-run {tmp_path / 'no' / 'digest.html'}: folder " \
                                 f"{tmp_path / 'no'} does not exist"
    assert not (tmp_path / "d.db").exists()


def test_one_language_gives_one_section_written_in_it(session):
    build(session)
    d = build_digest(session, DAY, tz=TZ, langs=("zh",))
    r = render(d)
    assert r.subject == "aigcwatch 日报 2025-03-10: 可灵 Kling 报道激增：14 条（常态 1）"
    assert "中文报道" in r.html and "English coverage" not in r.html
    assert short_lines(d)[1][0].startswith("报道 15 (+11 较前一日; 7 日均值")


def test_the_chat_form_links_two_top_stories_with_or_without_a_spike(session):
    build(session)
    quiet = build_digest(session, DAY - timedelta(days=1), tz=TZ)
    assert not quiet.spikes and quiet.stories.current > 2
    widest = q.top_stories(session, window(DAY - timedelta(days=1), DAY - timedelta(days=1)), limit=2)
    assert [link for _, link in short_lines(quiet) if link] == [r["url"] for r in widest]
    surge = build_digest(session, DAY, tz=TZ)
    assert [link for _, link in short_lines(surge) if link] == [r["url"] for r in surge.spikes[0]["stories"][:2]]


def test_a_day_without_stories_says_so_and_when_data_last_came(session):
    build(session)
    d = build_digest(session, date(2025, 6, 1), tz=TZ)
    r = render(d)
    assert d.empty and r.subject == "aigcwatch daily 2025-06-01: no data"
    assert "No stories were collected for 2025-06-01 (Asia/Shanghai)." in r.html
    assert "The latest stored story was published 2025-03-10" in r.text
    assert "Last ingest run:" in r.text and "status ok" in r.text
    lines = [line for line, _ in short_lines(d)]       # a part in each language, Chinese first
    assert lines[1] == "2025-06-01（Asia/Shanghai）没有采集到任何报道。"
    assert lines[3] == "No stories were collected for 2025-06-01 (Asia/Shanghai)."


def test_the_language_gap_is_not_read_into_a_handful_of_stories(session):
    from report.render import gap_line

    build(session)
    d = build_digest(session, DAY - timedelta(days=1), tz=TZ)
    assert [s.stories.current for s in d.sections] == [3, 1]
    assert gap_line(d, "en") == "Too few Chinese stories (3, fewer than 5) to compare the languages."
    assert gap_line(build_digest(session, DAY, tz=TZ), "en").startswith("Chinese coverage leans to")


def test_a_gap_that_only_one_language_leans_in_renders_its_one_line(session):
    # Before: a day on which only Chinese leant to a theme by 5 points or more (English by none)
    # stopped `aigcwatch digest` with "TypeError: label() got multiple values for argument
    # 'key'" (the demo's 2025-10-01 with --lang en): the line's placeholder was named like the
    # label's own parameter.
    from dataclasses import replace

    from report.render import gap_line, render

    build(session)
    d = build_digest(session, DAY, tz=TZ)
    one_sided = replace(d, gap=[r for r in d.gap if r["diff_pp"] is None or r["diff_pp"] > -5])
    assert any(r["diff_pp"] is not None and r["diff_pp"] >= 5 for r in one_sided.gap)
    line = gap_line(one_sided, "en")
    assert re.fullmatch(r"Chinese coverage leans to .+ \(\+\d+ pp\)\.", line), line
    assert re.fullmatch(r"中文报道更关注「.+」（\+\d+ 个百分点）。", gap_line(one_sided, "zh"))
    assert line in render(one_sided).text


def test_the_stories_of_a_spike_show_the_evidence_phrases_escaped(session):
    # Before: the spike's stories were loaded with the phrases that tied them to the spike's model
    # or theme (as the dashboard's spike alerts show them), but neither the HTML nor the text
    # part showed them: a reader saw a title with no reason it counts for "Kling".
    build(session)
    d = build_digest(session, DAY, tz=TZ)
    top = d.spikes[0]["stories"][0]
    assert top["evidence"] == ["kling"]
    top["evidence"] = ['可灵 <img src=x onerror=alert(1)>', "Kling 2.1", "kling", "not shown: a fourth"]
    r = render(d)
    named = name("model", "kling", top["lang"])     # in the story's own language
    assert f"{named}: 「可灵 &lt;img src=x onerror=alert(1)&gt;」「Kling 2.1」「kling」</div>" in r.html
    assert "<img src=x" not in r.html and "a fourth" not in r.html
    assert f'\n    {named}: "可灵 <img src=x onerror=alert(1)>" "Kling 2.1" "kling"\n' in r.text


def _story_block(text: str, title: str) -> str:
    """The text part's lines of the first story with `title`, up to the next story or heading."""
    start = text.index(f"- {title}\n")
    ends = [i for i in (text.find("\n- ", start + 1), text.find("\n* ", start + 1),
                        text.find("\n\n\n", start + 1)) if i != -1]
    return text[start:min(ends)]


def test_a_spikes_evidence_stays_with_its_story_and_reasons_are_not_quoted(session):
    # Before: in the text part the spike's evidence line came after the story's link and a blank
    # line, reading as the next story's; and the tagger's reasons ("3 models", a count of models
    # in one sentence) were quoted as if they were in the text.
    build(session)
    d = build_digest(session, DAY, tz=TZ)
    sp = d.spikes[0]
    at = next(i for i, st in enumerate(sp["stories"]) if st["lang"] == "en")    # an English story's
    first, second = sp["stories"][at], sp["stories"][at + 1 if at + 1 < len(sp["stories"]) else at - 1]
    first["evidence"] = ["same prompt", "3 models"]
    r = render(d)
    block = _story_block(r.text, first["title"])
    assert '    Kling: "same prompt" [tagger\'s reasons: 3 models]\n' in block + "\n"
    assert second["title"] not in block
    assert '「same prompt」 <span style="font-style:italic;">(tagger&#39;s reasons: 3 models)</span>' in r.html
    assert "「3 models」" not in r.html and '"3 models"' not in r.text
    parser = Tags()
    parser.feed(r.html)
    assert parser.tags <= ALLOWED_TAGS           # the reasons' italics are a styled span


def test_each_story_says_why_it_is_relevant_and_negative_escaped_in_both_parts(session):
    # Before: the digest showed only the spike's model or theme evidence; the relevance and tone
    # evidence the tagger stores (migration 0006) never reached a reader of the email.
    ids = build(session).ids
    d = build_digest(session, DAY, tz=TZ)
    shown = [st for sp in d.spikes for st in sp["stories"]] + [
        st for sec in d.sections for t in sec.themes for st in t.stories]
    assert ids["hostile"] in [st["id"] for st in shown]
    r = render(d)
    assert ("relevant: 「&lt;img src=x onerror=alert(2)&gt; kling glitch」 · negative (lexicon score -0.30): 「glitch」"
            in r.html)
    assert "<img src=x" not in r.html
    block = _story_block(r.text, HOSTILE_TITLE)
    assert '\n    relevant: "<img src=x onerror=alert(2)> kling glitch"\n' in block
    assert '\n    negative (lexicon score -0.30): "glitch"' in block
    from report.render import why

    hostile = next(st for st in shown if st["id"] == ids["hostile"])
    assert [w.label for w in why(hostile, "zh")] == ["相关", "负面（词典得分 -0.30）"]     # the labels in Chinese
    zh = render(build_digest(session, DAY, tz=TZ, langs=("zh",)))     # (whose spikes show Chinese stories)
    assert "相关: 「" in zh.html and "relevant:" not in zh.html


@pytest.mark.parametrize("st, lines", [
    # a positive label beside words that scored the story negative (the label is the learned
    # layer's, the evidence explains the lexicon score): no tone quotes
    ({"relevant": True, "relevance_evidence": ["sora 2"], "sentiment": "positive",
      "sentiment_score": -0.11, "sentiment_evidence": ["穿模", "扭曲"]}, [("relevant", ["sora 2"], [])]),
    ({"relevant": True, "relevance_evidence": ["a", "b", "c", "d"], "sentiment": "neutral",
      "sentiment_score": 0.0, "sentiment_evidence": ["fine"]}, [("relevant", ["a", "b", "c"], [])]),
    # tagged before the evidence was stored (NULL), or untagged: nothing to say
    ({"relevant": True, "relevance_evidence": None, "sentiment": "negative", "sentiment_score": -0.5,
      "sentiment_evidence": None, "spam": False, "spam_evidence": None}, []),
    ({"relevant": None, "relevance_evidence": None, "sentiment": None}, []),
    # spam (a digest over --include-spam stories): phrases apart from the tagger's reasons
    ({"relevant": False, "relevance_evidence": [], "sentiment": "neutral", "sentiment_score": 0.0,
      "spam": True, "spam_evidence": ["app下载", "title/body mismatch"]},
     [("spam", ["app下载"], ["title/body mismatch"])]),
    ({"relevant": True, "relevance_evidence": ["x" * 100], "sentiment": "negative", "sentiment_score": -0.4,
      "sentiment_evidence": ["bad\u202e\nline"]},
     [("relevant", ["x" * 59 + "…"], []), ("negative (lexicon score -0.40)", ["bad line"], [])]),
])
def test_why_a_story_was_tagged_quotes_a_few_cleaned_phrases(st, lines):
    from report.render import why

    assert [(w.label, w.quotes, w.reasons) for w in why(st, "en")] == lines


@pytest.mark.slow
def test_a_long_unbroken_title_does_not_widen_the_email_in_chromium(session, tmp_path):
    # Before: a 300-character title without a space (a URL as the title, a spam run of letters)
    # stretched the 680 px card to 2,547 px: every line of the digest needed sideways scrolling.
    build(session)
    d = build_digest(session, DAY, tz=TZ)
    st = d.spikes[0]["stories"][0]
    st["title"] = "https://example.com/" + "a" * 280
    st["source_name"] = "S" * 80
    st["relevance_evidence"] = ["x" * 200]
    d.sections[0].terms = [{"term": "t" * 40, "current": 3, "previous": 0}]
    page = tmp_path / "digest.html"
    page.write_text(render(d).html, encoding="utf-8")
    with pages_at(page, (760, 380)) as pages:
        for width, pg in pages:
            assert pg.evaluate("document.documentElement.scrollWidth") <= width
            assert pg.get_by_text("aaaaaaaa", exact=False).first.is_visible()


def test_a_digest_of_a_day_not_over_marks_it_partial_in_the_chart(session):
    # Before: a digest asked for today drew today's first hours as a whole day (a false drop).
    build(session)
    noon = datetime.combine(DAY, time(12), ZoneInfo(TZ))
    d = build_digest(session, DAY, tz=TZ, now=noon)
    assert [r["day"] for r in d.daily if r["partial"]] == [DAY]
    r = render(d)
    assert "当天未结束，数量不完整 · day not over: partial count" in r.text
    assert "day not over: partial count" in r.html
    # every "vs previous" of the digest is against yesterday until noon, as the KPIs are
    since = day_window(DAY, DAY, TZ)[0]
    before = ItemFilter(since=since - timedelta(days=1), until=noon - timedelta(days=1))
    assert d.stories.previous == q.count_items(session, before)
    assert {s.lang: s.stories.previous for s in d.sections} == {
        lang: q.count_items(session, before.replace(lang=(lang,))) for lang in ("zh", "en")}
    whole = build_digest(session, DAY, tz=TZ, now=noon + timedelta(days=1))
    assert not [r for r in whole.daily if r["partial"]]
    assert "day not over" not in render(whole).text


def test_a_digest_of_a_day_not_over_averages_the_same_stretch_of_the_days_before(session):
    # Before: today's first hours were set against the mean of 7 whole days, so a digest run at
    # noon always looked below average (the 20:00 stories of the day before counted in full).
    build(session)
    noon = datetime.combine(DAY, time(12), ZoneInfo(TZ))
    d = build_digest(session, DAY, tz=TZ, now=noon)

    def mornings(lang=None):
        flt = ItemFilter(lang=(lang,) if lang else ())
        return sum(q.count_items(session, flt.replace(
            since=datetime.combine(DAY - timedelta(days=k), time(0), ZoneInfo(TZ)),
            until=noon - timedelta(days=k))) for k in range(1, 8)) / 7

    whole_days = q.count_items(session, window(DAY - timedelta(days=7), DAY - timedelta(days=1))) / 7
    assert mornings() != whole_days          # the fixture tells them apart (20:00 stories)
    assert d.stories.average == mornings()
    assert {s.lang: s.stories.average for s in d.sections} == {"zh": mornings("zh"), "en": mornings("en")}
    # its rising terms are this morning's (none dated later) against yesterday's morning too
    flt = window(DAY, DAY)
    assert {s.lang: s.terms for s in d.sections} == {
        lang: q.rising_terms(session, flt.replace(lang=(lang,), as_of=noon), lang=lang, top=8, now=noon)
        for lang in ("zh", "en")}
    assert [s.terms for s in d.sections] != [
        q.rising_terms(session, flt.replace(lang=(lang,)), lang=lang, top=8, now=noon + timedelta(days=1))
        for lang in ("zh", "en")]
    # a day that is over keeps the average of the whole days before
    assert build_digest(session, DAY, tz=TZ, now=noon + timedelta(days=1)).stories.average == whole_days


def test_a_digest_of_a_day_not_over_counts_its_spike_until_now_as_the_dashboard_does(session):
    # Before: a digest run at noon scored the day's Kling stories (all 14, the afternoon's too when
    # stored ahead of time) against 28 whole days, while every other number ran to noon.
    build(session)
    noon = datetime.combine(DAY, time(12), ZoneInfo(TZ))
    d = build_digest(session, DAY, tz=TZ, now=noon)
    sp = d.spikes[0]
    (same,) = [r for r in q.spikes(session, window(DAY, DAY), tz=TZ, now=noon)
               if (r["dim"], r["key"]) == (sp["dim"], sp["key"])]
    assert (sp["key"], sp["count"], sp["as_of"]) == ("kling", same["count"], noon)
    assert sp["count"] == q.count_items(session, ItemFilter(model=("kling",), since=window(DAY, DAY).since,
                                                            until=noon)) == 7
    assert sp["stories"] and all(st["published_at"] < noon for st in sp["stories"])
    whole = build_digest(session, DAY, tz=TZ, now=noon + timedelta(days=1)).spikes[0]
    assert (whole["key"], whole["count"], whole["as_of"]) == ("kling", 14, None)
    # the generic push says so too
    from report.send import facts

    assert facts(d, "s")["as_of"] == facts(d, "s")["spikes"][0]["as_of"] == noon.isoformat()
    over = facts(build_digest(session, DAY, tz=TZ, now=noon + timedelta(days=1)), "s")
    assert over["as_of"] is None and over["spikes"][0]["as_of"] is None


def test_a_digest_of_a_day_not_over_counts_no_story_dated_after_now(session):
    # Before: a digest run at noon counted the whole local day in its totals, chart, per-model and
    # per-theme counts and top stories: the afternoon's stories (stored ahead of time: feeds date
    # entries ahead) were in them, though its comparisons and spikes ran to noon.
    build(session)
    noon = datetime.combine(DAY, time(12), ZoneInfo(TZ))
    day = window(DAY, DAY)
    so_far = ItemFilter(since=day.since, until=noon)
    assert q.count_items(session, day) > q.count_items(session, so_far)     # the fixture has later ones
    d = build_digest(session, DAY, tz=TZ, now=noon)
    assert d.stories.current == q.count_items(session, so_far)
    (today,) = [r for r in d.daily if r["day"] == DAY]
    assert (today["zh"], today["en"], today["partial"]) == (
        q.count_items(session, so_far.replace(lang=("zh",))), q.count_items(session, so_far.replace(lang=("en",))),
        True)
    by_model = {r["model"]: r["count"] for r in q.counts(session, so_far, by=("model",))}
    assert all(r["current"] == by_model[r["key"]] for r in d.rising_models) and d.rising_models
    for sec in d.sections:
        mine = so_far.replace(lang=(sec.lang,))
        assert sec.stories.current == q.count_items(session, mine)
        themes = {r["theme"]: r["count"] for r in q.counts(session, mine, by=("theme",))}
        assert all(n == themes[t] and all(st["published_at"] < noon for st in top)
                   for t, n, top, _ in sec.themes)
    assert d.top_stories and all(st["published_at"] < noon for st in d.top_stories)
    # the same day digested once it is over counts all of it
    assert build_digest(session, DAY, tz=TZ, now=noon + timedelta(days=1)).stories.current == q.count_items(session, day)


def test_a_digest_of_a_day_not_over_says_its_comparisons_run_to_the_same_hour(session):
    # Before: "+3 vs previous day; 7-day average 4.1" read as whole days; only the chart said the
    # day was not over.
    build(session)
    noon = datetime.combine(DAY, time(12), ZoneInfo(TZ))
    r = render(build_digest(session, DAY, tz=TZ, now=noon))
    note = "period not over: every comparison runs to the same time of its period (03-10 12:00)"
    assert note in r.text and note in r.html
    assert any(note in line for line, _ in short_lines(build_digest(session, DAY, tz=TZ, now=noon)))
    whole = render(build_digest(session, DAY, tz=TZ, now=noon + timedelta(days=1)))
    assert "period not over" not in whole.text and "period not over" not in whole.html


def test_a_weekly_digest_names_the_day_of_each_spike(session):
    # Before: a weekly digest's spike read "Kling spike: 14 stories (usual 1)" beside the week's
    # story total, as if the 14 were the week's: it is one local day's count, and the day was not
    # named (subject, HTML, text, chat). A daily digest's spike is that day's, as its date says.
    build(session)
    d = build_digest(session, DAY, period="week", tz=TZ)
    sp = d.spikes[0]
    assert (sp["key"], sp["count"], sp["day"]) == ("kling", 14, DAY)        # a Monday, local day in TZ
    r = render(d)
    assert subject(d).endswith(": Kling spike on Mon 03-10: 14 stories (usual 1)")
    assert "Kling spike on Mon 03-10: 14 stories (usual 1)" in r.text
    assert "Kling</b> — Mon 03-10: 14 " in r.html and "  Kling, Mon 03-10: 14 (" in r.text
    assert any(line.startswith("Spikes: Kling, Mon 03-10: 14 (usual 1)") for line, _ in short_lines(d))
    zh = build_digest(session, DAY, period="week", tz=TZ, langs=("zh",))
    assert subject(zh).endswith("报道激增（3月10日 周一）：14 条（常态 1）")
    assert any(line.startswith("异常升温: 可灵 Kling, 3月10日 周一: 14") for line, _ in short_lines(zh))
    daily = build_digest(session, DAY, tz=TZ)
    assert subject(daily).endswith(": Kling spike: 14 stories (usual 1)")


def test_a_dry_run_into_a_folder_is_one_line_naming_it(tmp_path):
    # Before: click's three-line usage error ("Invalid value for '--dry-run': ... is a directory").
    res = CliRunner().invoke(main, ["digest", "--database-url", f"sqlite:///{tmp_path / 'd.db'}",
                                    "--dry-run", str(tmp_path)])
    assert res.exit_code == 2, res.output
    assert res.output.strip() == f"error: --dry-run {tmp_path}: is a folder, not a file"


def test_the_subject_of_a_digest_of_a_day_not_over_says_until_when(session):
    # A digest of today serves its targets only until the day ends, then the whole day's goes out
    # (report.delivery.served): the two must not arrive under the same subject.
    build(session)
    ten = datetime.combine(DAY, time(10), ZoneInfo(TZ))
    partial = render(build_digest(session, DAY, tz=TZ, now=ten)).subject
    assert partial.startswith("aigcwatch daily 2025-03-10 (until 10:00): "), partial
    zh = render(build_digest(session, DAY, tz=TZ, langs=("zh",), now=ten)).subject
    assert zh.startswith("aigcwatch 日报 2025-03-10（截至 10:00）: "), zh
    whole = render(build_digest(session, DAY, tz=TZ, now=ten + timedelta(days=1))).subject
    assert whole.startswith("aigcwatch daily 2025-03-10: "), whole


def test_the_text_chart_puts_each_day_on_its_own_two_lines(session):
    # Before: the English line of each day ran on into the next day's date ("3 ====  09-23  6 ###"),
    # the newline eaten by the template, so the plain-text chart read as one garbled column.
    import re

    build(session)
    d = build_digest(session, DAY, tz=TZ)
    text = render(d).text
    chart = text.split("Stories per day, last 14 days (Chinese / English)\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(chart) == 2 * len(d.daily), chart
    for k, r in enumerate(d.daily):
        zh, en = chart[2 * k], chart[2 * k + 1]
        assert re.fullmatch(rf"  {r['day']:%m-%d} +{r['zh']}( #+)?", zh), zh
        assert re.fullmatch(rf" +{r['en']}( =+)?", en), en


def test_the_text_part_says_which_language_led_a_spike_as_the_html_does(session):
    # Before: the HTML said "English first, 2 day(s) later" and "same day"; the text part dropped
    # the lag and said nothing when both languages reacted the same day.
    build(session)
    d = build_digest(session, DAY, tz=TZ)
    first = d.spikes[0]
    d.spikes = [{**first, "leader": "en", "lag_days": 2, "lead": "en_first"},
                {**first, "key": "sora", "leader": "same", "lag_days": 0, "lead": "same_day"}]
    one = render(d.__class__(**{**d.__dict__, "spikes": [{**first, "leader": "zh", "lag_days": 1, "lead": "zh_first"}]}))
    assert "Chinese first, English 1 day later)" in one.text and "day(s)" not in one.html
    r = render(d)
    for part in (r.text, r.html):
        assert "English first, Chinese 2 days later)" in part
        assert "; same day)" in part


@pytest.mark.slow
def test_the_chart_keeps_every_bar_to_scale_on_a_phone_in_chromium(session, tmp_path):
    # Before: at 375 px the note of a day not over ("当天未结束，数量不完整 · day not over: partial
    # count", kept on one line) squeezed that day's bars to nothing and pushed the card to 410 px;
    # three-digit counts beside full-length bars squeezed them too, so the chart misdrew.
    build(session)
    d = build_digest(session, DAY, tz=TZ, now=datetime.combine(DAY, time(12), ZoneInfo(TZ)))
    assert d.daily[-1]["partial"]
    d.daily[-1].update(zh=1488, en=1512)   # a busy day not over: four-digit counts and its mark, full bars
    page = tmp_path / "digest.html"
    page.write_text(render(d).html, encoding="utf-8")
    bars = """Array.from(document.querySelectorAll('td[height="9"]'))
              .map(td => [Number(td.getAttribute('width')), td.getBoundingClientRect().width])"""
    with pages_at(page, (375, 1000)) as pages:
        for width, pg in pages:
            assert pg.evaluate("document.documentElement.scrollWidth") <= width
            drawn = pg.evaluate(bars)
            assert drawn and [w for w, _ in drawn] == [round(w) for _, w in drawn], (width, drawn)
            assert pg.get_by_text("day not over: partial count", exact=False).first.is_visible()


def test_a_day_without_stories_reads_as_sentences_and_its_chat_push_says_when_data_last_came(session):
    # Before: the HTML glued two English sentences ("...published 2025-03-10 20:00.Last ingest
    # run: ..."), and the chat push said only "No stories were collected", not whether ingest
    # still runs: the first thing a reader of an empty push needs to know.
    import re

    build(session)
    d = build_digest(session, date(2025, 6, 1), tz=TZ)
    r = render(d)

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts: list[str] = []

        def handle_data(self, data):
            self.parts.append(data)

    page = Text()
    page.feed(r.html)
    shown = " ".join("".join(page.parts).split())
    assert re.search(r"The latest stored story was published 2025-03-10 \d\d:\d\d\. Last ingest run: ", shown), shown
    lines = [line for line, _ in short_lines(d)]
    assert lines[3] == "No stories were collected for 2025-06-01 (Asia/Shanghai)."
    assert re.fullmatch(r"The latest stored story was published 2025-03-10 \d\d:\d\d\. "
                        r"Last ingest run: \d{4}-\d\d-\d\d \d\d:\d\d, status ok\.", lines[4]), lines
    zh = [line for line, _ in short_lines(build_digest(session, date(2025, 6, 1), tz=TZ, langs=("zh",)))]
    assert re.fullmatch(r"最近一条报道发布于 2025-03-10 \d\d:\d\d。最近一次采集：.+，状态 ok。", zh[2]), zh


def test_the_taggers_reasons_are_in_the_language_of_the_digest(session):
    # Before: a Chinese digest read "（标注器的理由: 3 models）" and "title/body mismatch": the
    # reasons are stored in English, and only the dashboard put them in the reader's language.
    from report.render import why

    build(session)
    d = build_digest(session, DAY, tz=TZ, langs=("zh",))
    first = d.spikes[0]["stories"][0]
    first["evidence"] = ["same prompt", "3 models"]
    r = render(d)
    assert "「same prompt」 <span style=\"font-style:italic;\">(标注器的理由: 一句中并列 3 个模型)</span>" in r.html
    assert '"same prompt" [标注器的理由: 一句中并列 3 个模型]' in r.text
    assert "3 models" not in r.html and "3 models" not in r.text
    spam = {"relevant": False, "relevance_evidence": [], "spam": True, "spam_evidence": ["app下载", "title/body mismatch"]}
    assert [(w.label, w.reasons) for w in why(spam, "zh")] == [("垃圾", ["标题与正文不符"])]
    assert [(w.label, w.reasons) for w in why(spam, "en")] == [("spam", ["title/body mismatch"])]


def test_the_text_part_names_each_storys_tone_as_the_html_does(session):
    # Before: the HTML's line under a story read "source · time · 3 outlets · neutral"; the text
    # part dropped the tone, so a neutral story (or one whose tone words are not quoted) had none.
    build(session)
    d = build_digest(session, DAY, tz=TZ)
    r = render(d)
    from report.render import label, local_time, sentiment_name

    stories = d.spikes[0]["stories"]
    assert {st["lang"] for st in stories} == {"zh", "en"}      # each in its own language
    for st in stories:
        assert st["sentiment"]
        lang = st["lang"]
        outlets = label("outlets", lang, n=st["outlets"]) if st["outlets"] > 1 else label("one_outlet", lang)
        meta = f"{st['source_name']} · {local_time(st['published_at'], TZ)} · {outlets} · " \
               f"{sentiment_name(st['sentiment'], lang)}"
        assert meta in r.html
        assert f"\n    {meta}\n" in _story_block(r.text, st["title"]) + "\n"


def test_a_spikes_split_by_language_is_in_the_digests_language(session):
    # Before: a Chinese digest's spike read "（常态 1; zh 9 / en 5; 中文 先起）" in the HTML and the
    # text, and the chat push gave no split at all; the text chart's header said "(zh / en)".
    build(session)
    d = build_digest(session, DAY, tz=TZ, langs=("zh",))
    by = d.spikes[0]["by_lang"]
    split = f"中文 {by['zh']} / 英文 {by['en']}"
    r = render(d)
    for part in (r.html, r.text):
        assert split in part and f"zh {by['zh']} / en" not in part
    assert "近 14 日每日报道数（中文 / 英文）\n" in r.text and "(zh / en)" not in r.text
    assert any(line.startswith("异常升温: 可灵 Kling 14 (常态 1) · " + split) for line, _ in short_lines(d))
    en = build_digest(session, DAY, tz=TZ, langs=("en",))
    split_en = f"Chinese {by['zh']} / English {by['en']}"
    assert split_en in render(en).html and split_en in render(en).text
    assert any(line.startswith("Spikes: Kling 14 (usual 1) · " + split_en) for line, _ in short_lines(en))


def test_a_spike_line_is_written_in_one_language(session):
    # Before: a digest of both languages read "Kling — 14 报道 · Stories (常态 · usual 1; ...;
    # Chinese first)" (bilingual labels glued inside an English line), a Chinese one "14 报道" (no
    # measure word) and "中文 先起" (a space inside a Chinese phrase), in HTML, text and chat.
    build(session)
    both = render(build_digest(session, DAY, tz=TZ))
    assert "<b>Kling</b> — 14 stories <span style=\"color:#6b6b6b;\">(usual 1; Chinese 8 / English 6; Chinese first" \
        in both.html
    assert "\n  Kling: 14 (usual 1; Chinese 8 / English 6; Chinese first" in both.text   # under its zh line
    assert "· Stories (" not in both.html and "常态 · usual" not in both.html + both.text
    zh_d = build_digest(session, DAY, tz=TZ, langs=("zh",))
    zh = render(zh_d)
    assert "<b>可灵 Kling</b> — 14 条报道 <span style=\"color:#6b6b6b;\">(常态 1; 中文 8 / 英文 6; 中文先起" in zh.html
    assert "* 可灵 Kling: 14 (常态 1; 中文 8 / 英文 6; 中文先起" in zh.text
    assert "14 报道" not in zh.html and "中文 先起" not in zh.html + zh.text
    assert any(line.endswith("· 中文先起") for line, _ in short_lines(zh_d))


def test_the_text_part_keeps_each_storys_lines_together(session):
    # Before: a blank line split every story of the text part after its source line, so the
    # evidence and the link below read as the start of the next story:
    #   "    中文科技 · 03-10 09:00 · 3 outlets · neutral\n\n    Kling: ..."
    import re

    build(session)
    d = build_digest(session, DAY, tz=TZ)
    text = render(d).text
    blocks = re.findall(r"^- .+\n(?:    .+\n)+", text, flags=re.M)
    stories = [st for sp in d.spikes for st in sp["stories"]] + \
              [st for sec in d.sections for t in sec.themes for st in t.stories]
    assert len(blocks) == len(stories), blocks
    for block, st in zip(blocks, stories):
        lines = block.splitlines()
        assert lines[0] == f"- {st['title']}" and len(lines) >= 3, block
        link = safe_link(st["url"])                                  # evidence and link stay with it
        assert (lines[-1] == f"    {link}") if link else "javascript:" not in block, block
    assert "\n\n\n\n" not in text


@pytest.mark.slow
def test_each_themes_bar_sits_under_its_name_at_phone_and_desktop_width_in_chromium(session, tmp_path):
    # Before: a theme's bar sat in a 230 px cell beside its name: at 375 px the name was squeezed
    # ("发布与开放" over its count "17"), and the bars of one section started wherever each name
    # ended; at 1000 px they floated at the card's right edge, far from the names they measure.
    from report.render import name

    build(session)
    d = build_digest(session, DAY, tz=TZ)
    themes = [(name("theme", t.theme, sec.lang), t.count) for sec in d.sections for t in sec.themes]
    assert len(themes) >= 4
    page = tmp_path / "digest.html"
    page.write_text(render(d).html, encoding="utf-8")
    measure = """names => names.map(([label, n]) => {
        const b = Array.from(document.querySelectorAll('b')).find(el => el.textContent === label
            && el.nextElementSibling && el.nextElementSibling.textContent === String(n));
        const bar = b.closest('table').querySelector('td[height="9"]');
        const [r, c, s] = [b.getBoundingClientRect(), b.nextElementSibling.getBoundingClientRect(),
                           bar.getBoundingClientRect()];
        return {label, name_left: r.left, name_top: r.top, count_top: c.top, bar_left: s.left, bar_top: s.top};
    })"""
    with pages_at(page, (375, 1000)) as pages:
        for width, pg in pages:
            for m in pg.evaluate(measure, [list(t) for t in themes]):
                assert abs(m["count_top"] - m["name_top"]) < 2, (width, m)      # name and count on one line
                assert abs(m["bar_left"] - m["name_left"]) < 1, (width, m)      # the bar starts under the name
                assert 0 < m["bar_top"] - m["name_top"] < 30, (width, m)


def _one_sided_spikes(session) -> None:
    """28 quiet days (one English Sora story a day), then on DAY an English-only Pika surge (no
    Chinese story at all) and a Chinese Hailuo surge with one English story that never rose."""
    from db import store
    from tests.support.stories import _Writer, local

    w = _Writer(session)
    for back in range(28, 0, -1):
        w.add("en-news", local(DAY - timedelta(days=back), 9), f"Sora note {back}", lang="en", models=("sora",),
              keywords=("sora", f"note{back % 3}"))
    for k in range(5):
        w.add("en-news", local(DAY, 10, k), f"Pika 2.2 lands, take {k}", lang="en", models=("pika",),
              keywords=("pika", "launch"))
        w.add("cn-news", local(DAY, 11, k), f"海螺新模型上线 第{k}篇", lang="zh", models=("hailuo",),
              keywords=("海螺", "上线"))
    w.add("en-news", local(DAY, 12), "Hailuo gets a new model", lang="en", models=("hailuo",))
    store.finish_run(session, w.run_id, "ok")
    session.commit()


def test_a_spike_only_one_language_picked_up_is_not_said_to_have_led(session):
    # Before: a Pika surge with "中文 0" read "英文先起" / "English first", as if Chinese coverage
    # had followed; it never did. And a Hailuo surge whose single English story never rose above
    # its baseline read "中文先起".
    _one_sided_spikes(session)
    for lang, pika, hailuo, first in (
            ("zh", "中文 0 / 英文 5; 仅英文)", "中文 5 / 英文 1; 仅中文升温)", "先起"),
            ("en", "Chinese 0 / English 5; only English)", "Chinese 5 / English 1; only Chinese rose)", "English first")):
        d = build_digest(session, DAY, tz=TZ, langs=(lang,))
        assert {(s["key"], s["leader"], s["lag_days"]) for s in d.spikes} == {("pika", "en", None),
                                                                              ("hailuo", "zh", None)}
        r = render(d)
        for part in (r.html, r.text):
            assert pika in part and hailuo in part, part
            assert first not in part
        chat = "\n".join(line for line, _ in short_lines(d))
        assert pika.replace("; ", " · ")[:-1] in chat and hailuo.replace("; ", " · ")[:-1] in chat, chat


def test_rising_terms_read_as_ordered_by_their_rise_not_their_count(session):
    # Before: "升温词: ai视频 2 · 会员 2 · … · veo 3 · 可灵 2": the list is in the order of the
    # log-odds z-score (how far each term rose against the day before), but showed only today's
    # count, so it read as a ranking by count that was out of order.
    build(session)
    d = build_digest(session, DAY, tz=TZ)
    r = render(d)
    for sec in d.sections:
        assert len(sec.terms) >= 2 and [t["z"] for t in sec.terms] == sorted((t["z"] for t in sec.terms), reverse=True)
        shown_html = " · ".join(f"{t['term']} <span style=\"color:#6b6b6b;\">({t['previous']} → {t['current']})</span>"
                                for t in sec.terms)
        shown_text = ", ".join(f"{t['term']} ({t['previous']} -> {t['current']})" for t in sec.terms)
        order = {"zh": "（升幅由强到弱：此前 → 本期）", "en": " (strongest rise first: before → now)"}[sec.lang]
        head = {"zh": "升温词", "en": "Rising terms"}[sec.lang]
        assert f"<b>{head}</b><span style=\"color:#6b6b6b;\">{order}</span><b>:</b> {shown_html}</div>" in r.html
        assert f"\n{head}{order.replace('→', '->')}: {shown_text}\n" in r.text


def test_a_story_is_listed_once_under_a_spike_or_a_theme_the_next_one_taking_its_next_story(session):
    # Before: the Chinese section's "top stories by theme" listed the same Kling launch stories
    # under 竞争 and again under 发布与开放 (the demo: one 海螺 story under three themes); and the
    # stories listed under a spike came again under the next spike and under the themes below.
    import re

    build(session)
    d = build_digest(session, DAY, tz=TZ)
    r = render(d)
    shown = [st["id"] for sp in d.spikes for st in sp["stories"]] + \
        [st["id"] for sec in d.sections for t in sec.themes for st in t.stories]
    assert len(shown) == len(set(shown)) and len(d.spikes) == 3
    kling, launch, competition = d.spikes
    assert (kling["key"], launch["key"], competition["key"]) == ("kling", "launch_access", "competition")
    # the launch spike's best story is the Kling spike's: it takes its next three instead (the
    # best Chinese and the best English one first, in a digest of both)
    assert launch["above"] == ["spike:model:kling"] and len(launch["stories"]) == 3
    assert [st["lang"] for st in launch["stories"]][:2] == ["zh", "en"]
    zh = next(s for s in d.sections if s.lang == "zh")
    first, second = zh.themes[:2]
    assert (first.theme, second.theme) == ("competition", "launch_access")
    spiked = {st["id"] for sp in d.spikes for st in sp["stories"]}
    best = q.top_stories(session, d.filters.replace(lang=("zh",), theme=("competition",)), limit=20)
    assert [st["id"] for st in first.stories] == [st["id"] for st in best if st["id"] not in spiked][:2]
    assert first.above == ["spike:theme:launch_access"] + ["spike:theme:competition"] * 3
    # 发布与开放's best are listed above: under the two spikes, then under 竞争
    assert second.above == ["spike:theme:launch_access"] + ["spike:theme:competition"] * 3 + ["competition"] * 2
    zh_html = r.html.split("中文报道")[-1].split("英文报道")[0]
    zh_text = r.text.split("\n中文报道\n")[-1].split("\n英文报道\n")[0]
    for st in (st for t in zh.themes for st in t.stories):
        assert zh_html.count(f">{st['title']}</a>") == 1 and len(re.findall(rf"^- {re.escape(st['title'])}$", zh_text, re.M)) == 1
    assert "另有 6 条已列于上方「发布与开放 激增」「竞争 激增」「竞争」下" in zh_html
    assert "  (另有 4 条已列于上方「发布与开放 激增」「竞争 激增」下)\n" in zh_text
    assert " · 1 more listed above under the Kling spike)" in r.text
    assert "1 more listed above under the Kling spike</div>" in r.html


@pytest.mark.parametrize("ranked, listed, stories, above", [
    ([1, 2, 3], {}, [1, 2], []),
    ([1, 2, 3], {1: "jobs"}, [2, 3], ["jobs"]),
    ([1, 2, 3, 4], {2: "jobs", 3: "flaws"}, [1, 4], ["jobs", "flaws"]),
    ([1, 2], {1: "jobs", 2: "jobs"}, [], ["jobs", "jobs"]),
    ([1, 2, 3], {3: "jobs"}, [1, 2], []),          # listed elsewhere but below its own top two
])
def test_each_theme_skips_the_stories_an_earlier_theme_lists(ranked, listed, stories, above):
    from report.digest import once_per_story

    seen = dict(listed)
    t = once_per_story("tech", 9, [{"id": i} for i in ranked], seen)
    assert ([st["id"] for st in t.stories], t.above) == (stories, above)
    assert all(seen[i] == "tech" for i in stories)


def test_a_one_language_digest_accounts_for_every_story_of_its_total(session):
    # Before: a Chinese digest showed "Σ 15" above a single row "中文 8": the 7 English stories in
    # its total were explained nowhere (nor a story of no detected language), in HTML, text, chat
    # and the generic push.
    from report.send import facts
    from tests.support.stories import add_story, local

    build(session)
    add_story(session, "en-news", local(DAY, 18), "Kling!!! 🎬🎬", lang="und", models=("kling",))
    for lang, own, other, rest, note in (
            ("zh", "中文", "英文", "其他语言", "* 英文报道 7 条未在本简报中展开（本简报只含中文部分）。"),
            ("en", "English", "Chinese", "Other languages",
             "* The 8 Chinese stories are not covered below (this digest has the English section only).")):
        d = build_digest(session, DAY, tz=TZ, langs=(lang,))
        counts = {"zh": 8, "en": 7, "other": 1}
        assert d.stories.current == 16 and {k: c.current for k, c in d.by_lang.items()} == counts
        r = render(d)
        cell = '</td><td align="right" style="padding:3px 8px;font-weight:700;">{}</td>'
        mine, theirs = ("zh", "en") if lang == "zh" else ("en", "zh")
        assert f">{own}{cell.format(counts[mine])}" in r.html
        assert f">{other}&nbsp;*{cell.format(counts[theirs])}" in r.html and f">{rest}{cell.format(1)}" in r.html
        assert f">{note}</div>" in r.html and f"\n{note}\n" in r.text
        assert f"\n  {own}: {counts[mine]} (" in r.text and f"\n  {other} *: {counts[theirs]} (" in r.text \
            and f"\n  {rest}: 1 (" in r.text
        zh_en = ("中文 8 · 英文 7 · 其他语言 1" if lang == "zh" else "Chinese 8 · English 7 · Other languages 1")
        assert short_lines(d)[1][0].endswith(" · " + zh_en), short_lines(d)[1]
        assert facts(d, "s")["by_lang"] == {k: {"current": n, "previous": d.by_lang[k].previous}
                                           for k, n in counts.items()}
    both = render(build_digest(session, DAY, tz=TZ))
    assert " *" not in both.text.split("Net sentiment")[0] and "not covered below" not in both.html


def test_the_previous_periods_net_sentiment_is_named_as_such_in_every_form(session):
    build(session)
    day = build_digest(session, DAY, tz=TZ)
    week = build_digest(session, DAY, tz=TZ, period="week")
    for d, en, zh in ((day, "previous day", "前一日"), (week, "previous week", "前一周")):
        prev = f"{d.net[1]:+.2f}" if d.net[1] is not None else "–"
        r = render(d)
        # the whole digest's, in each of its languages
        assert f"({zh} {prev} · {en} {prev})" in r.text and f"({zh} {prev} · {en} {prev};" in r.html
        for part in (r.text, r.html):                                           # each section's
            assert f"({en} " in part and f"({zh} " in part
        lines = [t for t, _ in short_lines(d)]
        assert any(t.startswith("Net sentiment ") and f"({en} {prev})" in t for t in lines), lines
        assert not re.search(r"Net sentiment:? [-+–][\d.]* \([-+–]", r.text + r.html + "\n".join(lines))


def test_stories_without_a_theme_are_listed_in_their_section(session):
    # Before: a section listed stories only under its top themes, so a story with no theme was
    # counted and never shown (a focused digest of a few such stories listed none of them)
    from tests.support.stories import add_story, local

    build(session)
    add_story(session, "en-news", local(DAY, 18), "Veo 3 clip goes viral overnight", lang="en", models=("veo",))
    r = render(build_digest(session, DAY, tz=TZ))
    for part in (r.text, r.html):
        assert "Top stories with no theme" in part
        assert part.index("Top stories with no theme") < part.index("Veo 3 clip goes viral overnight")
    focused = render(build_digest(session, DAY, tz=TZ, base=ItemFilter(q="viral")))
    assert "Veo 3 clip goes viral overnight" in focused.text


def test_the_previous_share_is_named_as_such(session):
    # Before: "share 48% (64%)" said nowhere that 64% was the previous day's share
    build(session)
    r = render(build_digest(session, DAY, tz=TZ))
    assert re.search(r"share \d+% \(前一日 \d+% · previous day \d+%\)", r.text), r.text
    assert "share (previous day)" in r.html


def test_a_bilingual_digest_says_each_spike_in_both_languages(session):
    # Before: the default digest (Chinese and English) gave every spike's line in English only
    build(session)
    r = render(build_digest(session, DAY, tz=TZ))
    for part in (r.text, r.html):
        assert "中文先起, 英文晚 1 天" in part and "Chinese first, English 1 day later" in part
        assert part.index("常态") < part.index("usual 1")
    zh_only = render(build_digest(session, DAY, tz=TZ, langs=("zh",)))
    assert "Chinese first" not in zh_only.text and "中文先起" in zh_only.text


def _spike_block(text: str) -> str:
    return text[text.index("异常升温 · Spikes"):text.index("近 14 日")]


def test_a_bilingual_digest_annotates_each_overview_story_in_its_own_language(session):
    # Before: under the spikes of the default digest a Chinese story read "1 outlet · positive",
    # "relevant: …", and the rising models and themes and the previous day's net were English only
    build(session)
    r = render(build_digest(session, DAY, tz=TZ))
    spikes = _spike_block(r.text)
    zh_story = spikes[spikes.index("可灵2.1发布"):]
    zh_story = zh_story[:zh_story.index("\n\n")]
    assert "家媒体" in zh_story and "正面" in zh_story and "outlet" not in zh_story
    assert "positive" not in zh_story and "relevant" not in zh_story
    en_story = spikes[spikes.index("Kling 2.1 launches"):]
    en_story = en_story[:en_story.index("\n\n")]
    assert "outlet" in en_story and "家媒体" not in en_story
    for part in (r.text, r.html):
        assert "升温的模型:" in part and "Rising models:" in part
        assert "升温的议题:" in part and "Rising themes:" in part
        assert re.search(r"情感净值 · Net sentiment:.*\(前一日 [+-]\d\.\d\d · previous day [+-]\d\.\d\d", part, re.S)
    assert "近 14 日每日报道数（中文 / 英文） · Stories per day, last 14 days (Chinese / English)" in r.text
    en_only = render(build_digest(session, DAY, tz=TZ, langs=("en",)))
    assert "家媒体" not in en_only.text and "升温的模型" not in en_only.text and "前一日" not in en_only.text


def test_spikes_past_those_expanded_are_named_with_their_counts(session, monkeypatch):
    # Before: the digest expanded its 3 strongest spikes and said nothing of the rest, so a reader
    # took a Deepfakes spike the alerts had mailed for one that never happened
    import report.digest as digest

    build(session)
    every = build_digest(session, DAY, tz=TZ).spikes + build_digest(session, DAY, tz=TZ).more_spikes
    assert len(every) >= 2
    monkeypatch.setattr(digest, "SPIKES_SHOWN", 1)
    d = build_digest(session, DAY, tz=TZ)
    assert len(d.spikes) == 1 and [s["key"] for s in d.more_spikes] == [s["key"] for s in every[1:]]
    r = render(d)
    rest = every[1]
    for part in (r.text, r.html):
        assert f"{len(every) - 1} more spikes, not expanded: {name(rest['dim'], rest['key'], 'en')} {rest['count']}" in part
        assert f"另有 {len(every) - 1} 项异常升温未展开：{name(rest['dim'], rest['key'], 'zh')} {rest['count']}" in part
    monkeypatch.setattr(digest, "SPIKES_SHOWN", len(every))
    assert "more spikes" not in render(build_digest(session, DAY, tz=TZ)).text


def test_a_one_language_digest_shows_each_spike_by_stories_in_its_language(session):
    # Before: an English digest's Kling spike (Chinese and English stories) was shown by the most
    # widely carried stories whatever their language: Chinese titles for an English reader
    build(session)
    for langs in (("en",), ("zh",)):
        d = build_digest(session, DAY, tz=TZ, langs=langs)
        for sp in d.spikes:
            if sp["by_lang"].get(langs[0]):
                assert sp["stories"][0]["lang"] == langs[0], (langs, sp["key"], sp["stories"])
    both = build_digest(session, DAY, tz=TZ)
    kling = next(sp for sp in both.spikes if sp["key"] == "kling")
    assert {st["lang"] for st in kling["stories"][:2]} == {"zh", "en"}      # one of each first


def test_reader_first_keeps_the_rank_within_each_language():
    from report.digest import reader_first

    ranked = [{"id": i, "lang": lang} for i, lang in enumerate(["zh", "zh", "en", "ja", "en", "zh"])]
    assert [st["id"] for st in reader_first(ranked, ("en",))] == [2, 4, 0, 1, 3, 5]
    assert [st["id"] for st in reader_first(ranked, ("zh", "en"))] == [0, 2, 1, 4, 5, 3]
    assert [st["id"] for st in reader_first(ranked, ("zh",))] == [0, 1, 5, 2, 3, 4]
    assert reader_first([], ("en",)) == []


def test_a_story_dated_by_its_fetch_time_says_so_and_the_digest_counts_them(session):
    # Before: a feed's undated backlog, dated when fetched, read as that day's news everywhere
    # (the digest's stories, the export) with nothing to tell it from a dated story
    from tests.support.stories import add_story, local

    build(session)
    add_story(session, "en-news", local(DAY, 18), "Veo 3 archive piece with no date", lang="en",
              models=("veo",), undated=True)
    d = build_digest(session, DAY, tz=TZ)
    assert d.undated == 1
    r = render(d)
    for part in (r.text, r.html):
        assert "* 1 of these stories carry no date from their feed and are counted when fetched." in part
        assert "* 其中 1 条报道的源未给日期，按抓取时间计入当期。" in part
    block = _story_block(r.text, "Veo 3 archive piece with no date")
    assert "18:00 (no date in the feed: fetch time) · 1 outlet" in block
    dated = render(build_digest(session, DAY - timedelta(days=1), tz=TZ))
    assert "no date in the feed" not in dated.text and "counted when fetched" not in dated.text
