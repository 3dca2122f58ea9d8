"""db.trends (through db.queries): counts by dimension and bucket, the sentiment index, period KPIs,
spikes with their lead language, the zh/en gap, rising terms and evidence phrases, against numbers
worked out by hand. Every test runs on SQLite and PostgreSQL, counting the items directly and
again with the rollups built (db.rollups answers what it can)."""
from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from db import queries, rollups, stats, store
from db.filters import ItemFilter, day_window

from readside_data import Corpus, module_db, utc

PATHS = ["items", "rollup"]
PARAMS = [pytest.param(("sqlite", p), id=f"sqlite-{p}") for p in PATHS] + [
    pytest.param(("postgresql", p), marks=pytest.mark.postgres, id=f"postgresql-{p}") for p in PATHS]


def finish(session, path):
    if path == "rollup":
        store.refresh_rollups(session, ("UTC", "Asia/Shanghai"))
        session.commit()


# --- a small corpus worked out by hand ---------------------------------------------------------
#  n  UTC time      source     lang   models      themes         sentiment  note
#  1  03-10 09:00   en-news    en     sora, veo   launch_access  positive   2 syndicated copies
#  2  03-10 11:00   en-social  en     sora        copyright      negative
#  3  03-10 12:00   zh-news    zh     kling       launch_access  positive
#  4  03-11 08:00   zh-social  zh     kling, sora jobs           neutral
#  5  03-11 10:00   en-news    en     runway      markets        negative
#  6  03-12 10:00   zh-news    zh     kling       launch_access  positive   spam
#  7  03-12 11:00   en-news    en     sora        -              neutral    off-topic
#  8  03-12 13:00   zh-news    zh     -           -              untagged
#  9  03-12 14:00   en-social  other  veo         jobs           neutral
# 10  03-12 23:30   zh-social  zh     kling       tech           positive   (03-13 in Shanghai)

def build_small(session) -> Corpus:
    c = Corpus()
    c.add(utc(2025, 3, 10, 9), "en-news", models=("sora", "veo"), themes=("launch_access",),
          sentiment="positive", evidence={"sora": ("Sora",), "veo": ("Veo 2",),
                                          "launch_access": ("rolls out",)},
          copies=("zh-social", "en-social"))
    c.add(utc(2025, 3, 10, 11), "en-social", models=("sora",), themes=("copyright",),
          sentiment="negative", evidence={"sora": ("Sora", "OpenAI's Sora"), "copyright": ("lawsuit",)})
    c.add(utc(2025, 3, 10, 12), "zh-news", models=("kling",), themes=("launch_access",),
          sentiment="positive", evidence={"kling": ("可灵",), "launch_access": ("上线",)})
    c.add(utc(2025, 3, 11, 8), "zh-social", models=("kling", "sora"), themes=("jobs",),
          sentiment="neutral", evidence={"kling": ("可灵", "Kling"), "sora": ("Sora",), "jobs": ("失业",)})
    c.add(utc(2025, 3, 11, 10), "en-news", models=("runway",), themes=("markets",), sentiment="negative")
    c.add(utc(2025, 3, 12, 10), "zh-news", models=("kling",), themes=("launch_access",),
          sentiment="positive", spam=True, evidence={"kling": ("可灵",), "launch_access": ("上线",)})
    c.add(utc(2025, 3, 12, 11), "en-news", models=("sora",), sentiment="neutral", relevant=False)
    c.add(utc(2025, 3, 12, 13), "zh-news", tagged=False)
    c.add(utc(2025, 3, 12, 14), "en-social", lang="other", models=("veo",), themes=("jobs",),
          sentiment="neutral")
    c.add(utc(2025, 3, 12, 23, 30), "zh-social", models=("kling",), themes=("tech",),
          sentiment="positive", evidence={"kling": ("可灵",), "tech": ("模型",)})
    c.save(session)
    return c


@pytest.fixture(scope="module", params=PARAMS)
def small(request, tmp_path_factory):
    backend, path = request.param
    with module_db(request, tmp_path_factory, backend) as session:
        corpus = build_small(session)
        finish(session, path)
        yield session, corpus, path


def table(rows, *keys):
    out = {tuple(r[k] for k in keys): r["count"] for r in rows}
    assert len(out) == len(rows)            # one row per cell
    assert all(r["count"] > 0 for r in rows)  # zero cells are not returned
    return out


def D(day: int, month: int = 3) -> date:
    return date(2025, month, day)


def test_the_rollup_variant_really_reads_the_rollup(small):
    session, _, path = small
    answered = rollups.try_counts(session, ItemFilter(), ("model",), "day", "UTC")
    assert (answered is not None) == (path == "rollup")


def test_counts_by_each_dimension(small):
    session, _, _ = small
    c = queries.counts
    assert table(c(session), ) == {(): 8}
    assert table(c(session, by=("lang",)), "lang") == {("en",): 3, ("zh",): 4, ("other",): 1}
    assert table(c(session, by=("model",)), "model") == {
        ("sora",): 3, ("veo",): 2, ("kling",): 3, ("runway",): 1}
    assert table(c(session, by=("theme",)), "theme") == {
        ("launch_access",): 2, ("copyright",): 1, ("jobs",): 2, ("markets",): 1, ("tech",): 1}
    assert table(c(session, by=("sentiment",)), "sentiment") == {
        ("positive",): 3, ("negative",): 2, ("neutral",): 2, (None,): 1}
    assert table(c(session, by=("category",)), "category") == {("news",): 4, ("social",): 4}
    assert table(c(session, by=("source",)), "source") == {
        ("en-news",): 2, ("en-social",): 2, ("zh-news",): 2, ("zh-social",): 2}
    assert table(c(session, ItemFilter(include_spam=True), by=("spam",)), "spam") == {
        (False,): 8, (True,): 1}


def test_counts_by_bucket_in_utc_and_in_shanghai(small):
    session, _, _ = small
    assert table(queries.counts(session, bucket="day"), "bucket") == {
        (D(10),): 3, (D(11),): 2, (D(12),): 3}
    assert table(queries.counts(session, bucket="day", tz="Asia/Shanghai"), "bucket") == {
        (D(10),): 3, (D(11),): 2, (D(12),): 2, (D(13),): 1}
    assert table(queries.counts(session, bucket="week"), "bucket") == {(D(10),): 8}
    assert table(queries.counts(session, bucket="month"), "bucket") == {(D(1),): 8}
    rows = queries.counts(session, by=("lang",), bucket="day")
    assert [(r["bucket"], r["lang"]) for r in rows] == sorted((r["bucket"], r["lang"]) for r in rows)


def test_a_story_with_two_models_counts_once_per_model_but_once_in_totals(small):
    session, _, _ = small
    per_model = table(queries.counts(session, by=("model",), bucket="day"), "bucket", "model")
    assert per_model == {(D(10), "sora"): 2, (D(10), "veo"): 1, (D(10), "kling"): 1,
                         (D(11), "kling"): 1, (D(11), "sora"): 1, (D(11), "runway"): 1,
                         (D(12), "veo"): 1, (D(12), "kling"): 1}
    totals = table(queries.counts(session, bucket="day"), "bucket")
    assert sum(v for (d, _), v in per_model.items() if d == D(10)) == 4 > totals[(D(10),)] == 3
    # a model filter counts the story once, grouping by model once per matching model
    flt = ItemFilter(model=("sora", "veo"))
    assert table(queries.counts(session, flt), ) == {(): 4}          # stories 1, 2, 4, 9
    assert table(queries.counts(session, flt, by=("model",)), "model") == {("sora",): 3, ("veo",): 2}


def test_counts_by_two_dimensions(small):
    session, _, _ = small
    assert table(queries.counts(session, by=("model", "theme")), "model", "theme") == {
        ("sora", "launch_access"): 1, ("veo", "launch_access"): 1, ("sora", "copyright"): 1,
        ("kling", "launch_access"): 1, ("kling", "jobs"): 1, ("sora", "jobs"): 1,
        ("runway", "markets"): 1, ("veo", "jobs"): 1, ("kling", "tech"): 1}
    assert table(queries.counts(session, by=("category", "lang")), "category", "lang") == {
        ("news", "en"): 2, ("news", "zh"): 2, ("social", "en"): 1, ("social", "zh"): 2,
        ("social", "other"): 1}


def test_syndicated_copies_never_add_stories(small):
    session, corpus, _ = small
    first = corpus.ids[1]
    assert {r["id"]: r["copies"] for r in queries.items(session)}[first] == 2
    assert queries.count_items(session) == 8
    assert table(queries.counts(session, by=("source",)), "source")[("zh-social",)] == 2


def test_spam_and_off_topic_are_left_out_unless_asked_for(small):
    session, _, _ = small
    assert table(queries.counts(session, ItemFilter(include_spam=True, include_irrelevant=True)),
                 ) == {(): 10}
    sora = table(queries.counts(session, ItemFilter(include_irrelevant=True), by=("model",)), "model")
    assert sora[("sora",)] == 4
    kling = table(queries.counts(session, ItemFilter(include_spam=True), by=("model",)), "model")
    assert kling[("kling",)] == 4


def test_counts_refuses_unknown_dimensions_by_name(small):
    session, _, _ = small
    with pytest.raises(ValueError, match="cannot count by 'author'"):
        queries.counts(session, by=("author",))


# --- sentiment index ---------------------------------------------------------------------------

def test_sentiment_index_per_day_is_net_of_positive_and_negative_over_stories(small):
    session, _, _ = small
    rows = queries.sentiment_index(session, bucket="day")
    assert rows == [
        {"bucket": D(10), "positive": 2, "neutral": 0, "negative": 1, "stories": 3, "net": 0.3333},
        {"bucket": D(11), "positive": 0, "neutral": 1, "negative": 1, "stories": 2, "net": -0.5},
        {"bucket": D(12), "positive": 1, "neutral": 1, "negative": 0, "stories": 3, "net": 0.3333},
    ]   # day 12: the untagged story counts among the stories only


def test_sentiment_index_by_language_without_buckets(small):
    session, _, _ = small
    rows = {r["key"]: r for r in queries.sentiment_index(session, bucket=None, by="lang")}
    assert {k: (r["stories"], r["net"]) for k, r in rows.items()} == {
        "en": (3, -0.3333), "other": (1, 0.0), "zh": (4, 0.5)}
    assert all("bucket" not in r and -1 <= r["net"] <= 1 for r in rows.values())


# --- period KPIs -------------------------------------------------------------------------------

def test_period_kpis_against_the_previous_window(small):
    session, _, _ = small
    flt = ItemFilter(since=utc(2025, 3, 11), until=utc(2025, 3, 13))
    k = queries.period_kpis(session, flt)
    assert (k["prev_since"], k["prev_until"]) == (utc(2025, 3, 9), utc(2025, 3, 11))
    assert k["stories"] == {"current": 5, "previous": 3}
    assert k["share"]["zh"] == {"current": 0.6, "previous": pytest.approx(1 / 3)}
    assert k["share"]["en"] == {"current": 0.2, "previous": pytest.approx(2 / 3)}
    assert k["net_sentiment"] == {"current": 0.0, "previous": 0.3333}
    assert k["rising_theme"] == {"key": "jobs", "current": 2, "previous": 0, "change": 2}
    # kling and runway both rose by one: the larger current count wins
    assert k["rising_model"] == {"key": "kling", "current": 2, "previous": 1, "change": 1}


def test_a_period_not_over_is_held_against_the_same_stretch_of_the_previous_one(small):
    # Before: at noon, today's stories were held against the whole of yesterday, so every
    # morning the KPIs showed a fall that was only the hours still to come.
    session, _, _ = small
    flt = ItemFilter(since=utc(2025, 3, 11), until=utc(2025, 3, 12))
    k = queries.period_kpis(session, flt, now=utc(2025, 3, 11, 12))
    assert k["partial"] and (k["prev_since"], k["prev_until"]) == (utc(2025, 3, 10), utc(2025, 3, 10, 12))
    assert k["stories"] == {"current": 2, "previous": 2}         # not 2 against 3
    over = queries.period_kpis(session, flt, now=utc(2025, 3, 12))
    assert not over["partial"] and over["prev_until"] == utc(2025, 3, 11)
    assert over["stories"] == {"current": 2, "previous": 3}


@pytest.mark.parametrize("day, before, noon_utc, in_utc, out_utc", [
    # spring forward (02:00 -> 03:00): today's noon is 11 hours in; yesterday 11:30 counts
    (date(2025, 3, 9), date(2025, 3, 8), utc(2025, 3, 9, 16), utc(2025, 3, 8, 16, 30), utc(2025, 3, 8, 17, 30)),
    # fall back (02:00 -> 01:00): today's noon is 13 hours in; yesterday 12:30 does not count
    (date(2025, 11, 2), date(2025, 11, 1), utc(2025, 11, 2, 17), utc(2025, 11, 1, 15, 30), utc(2025, 11, 1, 16, 30)),
], ids=["spring-forward", "fall-back"])
def test_a_day_not_over_is_held_against_yesterday_until_the_same_hour_across_dst(
        session, day, before, noon_utc, in_utc, out_utc):
    # Before: yesterday's stretch was the hours elapsed today, so on a DST day it ended at 11:00
    # or 13:00 local instead of noon.
    tz = "America/New_York"
    c = Corpus()
    c.add(in_utc, "en-news", models=("sora",))      # 11:30 local yesterday
    c.add(out_utc, "en-news", models=("sora",))     # 12:30 local yesterday
    c.save(session)
    since, until = day_window(day, day, tz)
    k = queries.period_kpis(session, ItemFilter(since=since, until=until), tz=tz, now=noon_utc)
    assert k["partial"] and k["prev_until"] == day_window(before, before, tz)[0] + timedelta(hours=12)
    assert k["stories"]["previous"] == 1


def test_period_kpis_of_an_empty_window(small):
    session, _, _ = small
    k = queries.period_kpis(session, ItemFilter(since=utc(2025, 3, 13), until=utc(2025, 3, 14)))
    assert k["stories"] == {"current": 0, "previous": 3}
    assert k["share"]["zh"]["current"] is None and k["net_sentiment"]["current"] is None
    assert k["rising_theme"] is None and k["rising_model"] is None


def test_period_kpis_need_a_closed_window(small):
    session, _, _ = small
    with pytest.raises(ValueError, match="needs a filter with since and until"):
        queries.period_kpis(session, ItemFilter(since=utc(2025, 3, 11)))


def test_previous_period_of_a_local_dst_day_is_the_local_day_before(small):
    session, _, _ = small
    since, until = day_window(D(9), D(9), "America/New_York")     # 23 hours long
    k = queries.period_kpis(session, ItemFilter(since=since, until=until), tz="America/New_York")
    assert (k["prev_since"], k["prev_until"]) == day_window(D(8), D(8), "America/New_York")


# --- zh/en gap ---------------------------------------------------------------------------------

def test_language_gap_shares_are_of_each_languages_own_total(small):
    session, _, _ = small
    rows = queries.language_gap(session, dim="theme")
    assert [r["key"] for r in rows] == ["copyright", "markets", "jobs", "tech", "launch_access"]
    by = {r["key"]: r for r in rows}
    assert by["copyright"] == {"key": "copyright", "zh": 0, "en": 1, "zh_share": 0.0,
                               "en_share": pytest.approx(1 / 3), "diff_pp": -33.33, "log_ratio": -2.0}
    assert (by["jobs"]["zh"], by["jobs"]["en"], by["jobs"]["diff_pp"]) == (1, 0, 25.0)   # 9 is "other"
    assert by["jobs"]["log_ratio"] == round(math.log2((1.5 / 4) / (0.5 / 3)), 3)
    assert by["launch_access"]["diff_pp"] == round((1 / 4 - 1 / 3) * 100, 2)


def test_language_gap_by_model_and_js_divergence(small):
    session, _, _ = small
    rows = queries.language_gap(session, dim="model")
    by = {r["key"]: (r["zh"], r["en"]) for r in rows}
    assert by == {"sora": (1, 2), "veo": (0, 1), "kling": (3, 0), "runway": (0, 1)}
    d = queries.js_divergence(rows)
    assert d == stats.js_divergence([r["zh"] for r in rows], [r["en"] for r in rows])
    assert 0 < d < 1
    assert queries.js_divergence([{"zh": 2, "en": 4}, {"zh": 1, "en": 2}]) == 0.0


def test_language_gap_with_one_language_has_no_difference(small):
    session, _, _ = small
    rows = queries.language_gap(session, ItemFilter(lang="zh"), dim="theme")
    assert all(r["en_share"] is None and r["diff_pp"] is None and r["log_ratio"] is None for r in rows)
    with pytest.raises(ValueError, match="language gap by 'lang'"):
        queries.language_gap(session, dim="lang")


# --- evidence phrases --------------------------------------------------------------------------

def test_evidence_top_ranks_phrases_per_key(small):
    session, _, _ = small
    rows = queries.evidence_top(session, ItemFilter(model=("sora", "kling")), dim="model")
    assert [(r["key"], r["phrase"], r["count"]) for r in rows] == [
        ("kling", "可灵", 3), ("kling", "Kling", 1), ("sora", "Sora", 3), ("sora", "OpenAI's Sora", 1)]
    top = queries.evidence_top(session, dim="model", per_key=1)
    assert [(r["key"], r["phrase"], r["count"]) for r in top] == [
        ("kling", "可灵", 3), ("runway", "runway phrase", 1), ("sora", "Sora", 3), ("veo", "Veo 2", 1)]
    with_spam = queries.evidence_top(session, ItemFilter(include_spam=True, model="kling"),
                                     dim="model", per_key=1)
    assert [(r["phrase"], r["count"]) for r in with_spam] == [("可灵", 4)]
    themes = queries.evidence_top(session, ItemFilter(theme="launch_access"), dim="theme")
    assert {(r["phrase"], r["count"]) for r in themes} == {("rolls out", 1), ("上线", 1)}


def test_evidence_top_leaves_out_the_taggers_reasons(session):
    c = Corpus()
    for n in range(3):
        c.add(utc(2025, 3, 10, 9 + n), "en-news", models=("sora", "veo", "kling"), themes=("competition",),
              sentiment="neutral", evidence={"competition": ("3 models", "versus") if n else ("3 models",)})
    c.save(session)
    rows = queries.evidence_top(session, dim="theme")
    assert [(r["key"], r["phrase"], r["count"]) for r in rows] == [("competition", "versus", 2)]


def test_spike_stories_of_a_local_day_carry_their_evidence(small):
    session, corpus, _ = small
    rows = queries.spike_stories(session, ItemFilter(), dim="model", key="kling", day=D(11), tz="UTC")
    assert [(r["id"], r["evidence"]) for r in rows] == [(corpus.ids[4], ["可灵", "Kling"])]
    rows = queries.spike_stories(session, ItemFilter(), dim="model", key="kling", day=D(13),
                                 tz="Asia/Shanghai")
    assert [(r["id"], r["evidence"]) for r in rows] == [(corpus.ids[10], ["可灵"])]


# --- a burst for spikes and rising terms -------------------------------------------------------
# Hailuo: one story a day (zh and en in turn) from day -40 to -3; then zh 3, 4, 6, 2 stories on
# days -2..+1 and en 0, 0, 5, 4: Chinese reacts two days before English. Burst stories have the
# theme launch_access (new) and the keyword "minimax" (en, new) or "海螺" (zh). Sora: two English
# stories every day, flat.
DAY = date(2025, 6, 20)
BURST_ZH = {-2: 3, -1: 4, 0: 6, 1: 2}
BURST_EN = {0: 5, 1: 4}


def at(offset: int, hour: int = 12, minute: int = 0):
    d = DAY + timedelta(days=offset)
    return utc(d.year, d.month, d.day, hour, minute)


def build_burst(session) -> Corpus:
    c = Corpus()
    for off in range(-40, 2):
        for k in range(2):
            c.add(at(off, 8, k), "en-news", models=("sora",), themes=("tech",),
                  keywords=("sora", "model"))
        if off <= -3:
            zh = off % 2 == 0
            c.add(at(off, 10), "zh-news" if zh else "en-news", models=("hailuo",), themes=("tech",),
                  keywords=("视频",) if zh else ("video", "model"),
                  evidence={"hailuo": ("海螺",) if zh else ("Hailuo",)})
    for off in range(-2, 2):
        for k in range(BURST_ZH.get(off, 0)):
            c.add(at(off, 12, k), "zh-social", models=("hailuo",), themes=("launch_access",),
                  keywords=("海螺", "视频"), evidence={"hailuo": ("海螺",), "launch_access": ("上线",)})
        for k in range(BURST_EN.get(off, 0)):
            c.add(at(off, 14, k), "en-social", models=("hailuo",), themes=("launch_access",),
                  keywords=("minimax", "video"), evidence={"hailuo": ("Hailuo",)})
    c.save(session)
    return c


@pytest.fixture(scope="module", params=PARAMS)
def burst(request, tmp_path_factory):
    backend, path = request.param
    with module_db(request, tmp_path_factory, backend) as session:
        corpus = build_burst(session)
        finish(session, path)
        yield session, corpus


def window(first: int, last: int) -> ItemFilter:
    since, until = day_window(DAY + timedelta(days=first), DAY + timedelta(days=last), "UTC")
    return ItemFilter(since=since, until=until)


def test_spikes_find_the_burst_and_zh_leading_by_two_days(burst):
    session, _ = burst
    rows = queries.spikes(session, window(-3, 1), dims=("model",))
    assert len(rows) == 1
    (row,) = rows
    assert {k: row[k] for k in ("dim", "key", "day", "count", "baseline", "score", "days")} == {
        "dim": "model", "key": "hailuo", "day": DAY, "count": 11, "baseline": 1, "score": 10.0,
        "days": 2}
    assert row["by_lang"] == {"zh": 6, "en": 5}
    assert row["onset"] == {"zh": DAY - timedelta(days=2), "en": DAY}
    assert (row["leader"], row["lag_days"]) == ("zh", 2)


def test_spikes_are_sorted_by_score_and_quiet_keys_never_alert(burst):
    session, _ = burst
    rows = queries.spikes(session, window(-3, 1))
    assert [(r["dim"], r["key"], r["day"]) for r in rows] == [
        ("theme", "launch_access", DAY), ("model", "hailuo", DAY)]
    assert rows[0]["score"] == 11.0 and rows[0]["baseline"] == 0
    assert queries.spikes(session, window(-3, 1), min_count=12) == []
    assert queries.spikes(session, window(-20, -5)) == []          # before the burst: nothing


def test_spikes_in_english_only_see_english_reacting(burst):
    session, _ = burst
    (row,) = queries.spikes(session, window(-3, 1).replace(lang="en"), dims=("model",))
    assert (row["day"], row["count"], row["by_lang"]) == (DAY, 5, {"zh": 0, "en": 5})
    assert (row["leader"], row["lag_days"]) == ("en", None)


def test_spike_stories_are_that_days_stories_with_their_evidence(burst):
    session, _ = burst
    rows = queries.spike_stories(session, window(-3, 1), dim="model", key="hailuo", day=DAY, limit=20)
    assert len(rows) == 11
    assert sorted(r["evidence"][0] for r in rows) == ["Hailuo"] * 5 + ["海螺"] * 6
    assert all(r["published_at"].date() == DAY and "hailuo" in r["models"] for r in rows)
    assert [r["published_at"] for r in rows] == sorted((r["published_at"] for r in rows), reverse=True)
    assert len(queries.spike_stories(session, window(-3, 1), dim="model", key="hailuo", day=DAY)) == 10


def test_rising_terms_put_a_new_term_first(burst):
    session, _ = burst
    rows = queries.rising_terms(session, window(-2, 1), lang="en")
    assert rows[0]["term"] == "minimax"
    assert (rows[0]["current"], rows[0]["previous"]) == (9, 0)
    assert all(r["z"] > 0 for r in rows)
    assert [r["z"] for r in rows] == sorted((r["z"] for r in rows), reverse=True)
    assert "model" not in {r["term"] for r in rows}      # fell: baseline Hailuo stories stopped
    assert [r["term"] for r in queries.rising_terms(session, window(-2, 1), lang="en", top=1)] == [
        "minimax"]
    zh = queries.rising_terms(session, window(-2, 1), lang="zh")
    assert zh[0]["term"] == "海螺" and zh[0]["current"] == 15 and zh[0]["previous"] == 0


def test_rising_terms_of_a_day_not_over_compare_with_yesterday_until_the_same_hour(session):
    # Before: today's morning was held against the whole of yesterday (the KPIs and the digest's
    # other "previous" numbers take yesterday's morning), so yesterday evening's terms sank
    # everything else and a term as common as yesterday morning's "rose".
    c = Corpus()
    for day in (10, 11):
        for n in range(3):
            c.add(utc(2025, 3, day, 8, n), "en-news", keywords=("kling", "launch"))
            c.add(utc(2025, 3, day, 9, n), "en-news", keywords=("sora", "physics"))
    for n in range(10):
        c.add(utc(2025, 3, 10, 20, n), "en-news", keywords=("sora", "evening"))
    c.save(session)
    today = ItemFilter(since=utc(2025, 3, 11), until=utc(2025, 3, 12))
    assert queries.rising_terms(session, today, lang="en", now=utc(2025, 3, 11, 12)) == []
    over = queries.rising_terms(session, today, lang="en", now=utc(2025, 3, 12))
    assert {r["term"] for r in over} >= {"kling", "launch"}     # a whole day: the evening counts


def test_rising_terms_drop_terms_seen_once(burst):
    session, _ = burst
    # day 0 alone against day -1: only the en burst stories are new; min_count keeps one-offs out
    rows = queries.rising_terms(session, window(0, 0), lang="en", min_count=6)
    assert rows == []
    assert queries.rising_terms(session, window(0, 0), lang="en", min_count=5)[0]["term"] == "minimax"


def test_spikes_over_an_open_window_use_the_datas_days(burst):
    session, _ = burst
    rows = queries.spikes(session, ItemFilter(), dims=("model",))
    assert [(r["key"], r["day"], r["leader"], r["lag_days"]) for r in rows] == [("hailuo", DAY, "zh", 2)]


def test_spikes_of_an_empty_database_are_none(session):
    assert queries.spikes(session, ItemFilter()) == []
    assert queries.spikes(session, window(-3, 1)) == []


def test_term_statistics_read_every_kth_story_above_the_sample_cap(burst):
    from db import trends

    session, corpus = burst
    flt = window(0, 1).replace(lang="en")             # the 9 English burst stories + 4 Sora
    n = sum(r["count"] for r in queries.counts(session, flt))
    assert trends.sample_step(session, flt) == 1
    assert trends.sample_step(session, flt, cap=3) == -(-n // 3)
    every = trends.term_counts(session, flt, steps={"en": 1})["en"]
    assert every["minimax"] == 9 and every["sora"] == 4
    halves = trends.term_counts(session, flt, steps={"en": 2})["en"]
    ids = {corpus.ids[s.n] for s in corpus.stories if "minimax" in s.tags.keywords}
    assert halves["minimax"] == sum(1 for i in ids if i % 2 == 0)


def test_both_languages_terms_counted_together_are_each_languages_own(burst):
    """The Keywords page's two columns, counted together (on PostgreSQL in one pass over the window
    per period), are each language's own counts, each with its own sample step."""
    from db import trends

    session, _ = burst
    flt = ItemFilter()
    both = trends.term_counts(session, flt, steps={"zh": 3, "en": 2})
    assert both["zh"] and both["en"]
    assert both == {"zh": trends.term_counts(session, flt.replace(lang="zh"), steps={"zh": 3})["zh"],
                    "en": trends.term_counts(session, flt.replace(lang="en"), steps={"en": 2})["en"]}
    assert {lang: rows for lang, rows in trends.rising_terms_by_lang(session, window(0, 1)).items()} == {
        lang: trends.rising_terms(session, window(0, 1), lang=lang) for lang in ("zh", "en")}


def _mornings_corpus(session):
    """Kling in Shanghai: 2 English stories at 08:00 and 6 Chinese at 20:00 every day for 35 days,
    then on DAY by 10:00 four Chinese and two English stories (the usual morning tripled), one
    more English story at 15:00."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    def local(day, hour, minute=0):
        return datetime.combine(day, datetime.min.time(), ZoneInfo("Asia/Shanghai")).replace(
            hour=hour, minute=minute)

    c = Corpus()
    for back in range(1, 36):
        d = DAY - timedelta(days=back)
        for k in range(2):
            c.add(local(d, 8, k), "en-news", models=("kling",), themes=("tech",))
        for k in range(6):
            c.add(local(d, 20, k), "zh-news", models=("kling",), themes=("tech",))
    for k in range(4):
        c.add(local(DAY, 9, k), "zh-news", models=("kling",), themes=("tech",))
    for k in range(2):
        c.add(local(DAY, 9, 30 + k), "en-news", models=("kling",), themes=("tech",))
    c.add(local(DAY, 15), "en-news", models=("kling",), themes=("tech",))
    c.save(session)
    return local


def test_a_day_not_over_is_scored_against_the_same_hours_of_its_baseline_days(session):
    # Before: at 10:00 today's count was scored against 28 whole days (a median of 8), so a model
    # tripling its usual morning (6 by 10:00 against 2 each morning) was never flagged.
    local = _mornings_corpus(session)
    tz = "Asia/Shanghai"
    ten = local(DAY, 10)
    since, until = day_window(DAY - timedelta(days=6), DAY, tz)
    week = ItemFilter(since=since, until=until)
    (row,) = queries.spikes(session, week, tz=tz, dims=("model",), now=ten)
    assert {k: row[k] for k in ("key", "day", "count", "baseline", "score", "days", "as_of")} == {
        "key": "kling", "day": DAY, "count": 6, "baseline": 2, "score": 4.0, "days": 1, "as_of": ten}
    # the 15:00 story is not yet counted; Chinese (no story before 10:00 on other days) led
    assert row["by_lang"] == {"zh": 4, "en": 2}
    assert row["onset"] == {"zh": DAY, "en": None} and row["leader"] == "zh"
    stories = queries.spike_stories(session, week, dim="model", key="kling", day=DAY, tz=tz,
                                    as_of=row["as_of"], limit=20)
    assert len(stories) == row["count"]
    assert all(r["published_at"] < ten for r in stories)
    # once the day is over it is a whole day again: 7 against 8 a day is no spike
    assert queries.spikes(session, week, tz=tz, dims=("model",), now=local(DAY + timedelta(days=1), 0)) == []
    # whole days before it keep being scored as whole days (no as_of)
    assert queries.spikes(session, week.replace(until=since + timedelta(days=6)), tz=tz,
                          dims=("model",), now=ten) == []


def test_the_archives_first_days_are_not_spikes_against_days_before_it_began(session):
    # Before: the baseline of the archive's first days was the 28 days before its first story,
    # counted as days without stories, so a model's everyday volume on day 2 scored as a spike
    # (the demo archive listed "misinformation, 4 stories, baseline 0" on its second day).
    c = Corpus()
    first = DAY - timedelta(days=20)
    for off in range(21):
        for k in range(5):
            c.add(at(-20 + off, 9, k), "en-news", models=("sora",), themes=("tech",))
    for k in range(12):                                   # a real burst later on
        c.add(at(0, 15, k), "zh-news", models=("kling",), themes=("tech",))
    for off in range(-19, 0, 2):
        c.add(at(off, 11), "zh-news", models=("kling",))
    c.save(session)
    rows = queries.spikes(session, ItemFilter(), dims=("model", "theme"))
    assert [(r["key"], r["day"]) for r in rows if r["day"] < first + timedelta(days=7)] == []
    assert ("kling", DAY) in {(r["key"], r["day"]) for r in rows}
    assert all(r["day"] >= first + timedelta(days=7) for r in rows)
