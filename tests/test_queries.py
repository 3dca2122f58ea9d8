"""db.queries: story lists (newest first, keyset streaming), story detail with evidence and copies,
facets, source statistics over recent runs, and the digest/export helpers."""
from __future__ import annotations

import pytest

from db import queries, store
from db.filters import ItemFilter, day_window
from ingest.types import SourceResult

from readside_data import BACKENDS, SOURCES, Corpus, module_db, random_corpus, utc, visible

TIE = utc(2025, 3, 20, 12)


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory):
    """The random corpus plus five stories published at the very same instant and one story
    carried by two other outlets."""
    with module_db(request, tmp_path_factory) as session:
        corpus = random_corpus()
        for k in range(5):
            corpus.add(TIE, SOURCES[k % 4].id, models=("sora",),
                       title=f"Tied story {k} at noon on the twentieth")
        corpus.add(utc(2025, 3, 21, 8), "zh-news", lang="zh", title="可灵新版本发布，支持十秒视频生成",
                   text="快手可灵发布新版本，支持十秒视频生成，画面稳定性明显提升，创作者纷纷试用。" * 2,
                   models=("kling", "sora"), themes=("launch_access",), sentiment="positive",
                   evidence={"kling": ("可灵",), "sora": ("对标Sora",), "launch_access": ("发布",)},
                   copies=("en-social", "zh-social"))
        corpus.save(session)
        yield session, corpus


def order_key(row):
    return (row["published_at"], row["id"])


# --- lists -------------------------------------------------------------------------------------

def test_items_are_newest_first_with_ties_broken_by_id(db):
    session, corpus = db
    rows = queries.items(session, limit=1000)
    assert len(rows) == sum(visible(s) for s in corpus.stories)
    assert [order_key(r) for r in rows] == sorted((order_key(r) for r in rows), reverse=True)
    tied = [r["id"] for r in rows if r["published_at"] == TIE]
    assert len(tied) == 5 and tied == sorted(tied, reverse=True)


def test_items_pages_by_limit_and_offset_add_up_to_the_whole_list(db):
    session, _ = db
    whole = queries.items(session, limit=1000)
    pages = []
    for offset in range(0, len(whole), 7):
        pages += queries.items(session, limit=7, offset=offset)
    assert [r["id"] for r in pages] == [r["id"] for r in whole]


@pytest.mark.parametrize("flt", [
    ItemFilter(),
    ItemFilter(include_spam=True, include_irrelevant=True),
    ItemFilter(lang="zh", model=("sora", "kling")),
    ItemFilter(since=utc(2025, 3, 10), until=utc(2025, 10, 30), category="social"),
    ItemFilter(q="no story says this"),
], ids=["default", "everything", "zh-models", "window-social", "nothing"])
def test_iter_items_in_batches_of_three_streams_exactly_the_items_list(db, flt):
    session, _ = db
    expected = queries.items(session, flt, limit=10_000)
    streamed = list(queries.iter_items(session, flt, batch=3))
    assert streamed == expected
    assert len({r["id"] for r in streamed}) == len(streamed)


def test_item_rows_carry_source_tags_and_copy_count(db):
    session, corpus = db
    story = corpus.stories[-1]
    (row,) = [r for r in queries.items(session, ItemFilter(q="十秒视频"), limit=10)]
    assert row["id"] == corpus.ids[story.n]
    assert (row["source_id"], row["source_name"], row["category"]) == ("zh-news", "科技日报", "news")
    assert (row["models"], row["themes"], row["copies"]) == (["kling", "sora"], ["launch_access"], 2)
    assert row["published_at"] == utc(2025, 3, 21, 8) and row["published_at"].tzinfo is not None
    assert row["sentiment"] == "positive" and row["tagger_version"] == "readside-1"


def test_item_detail_has_evidence_per_model_and_theme_and_its_copies(db):
    session, corpus = db
    story = corpus.stories[-1]
    detail = queries.item_detail(session, corpus.ids[story.n])
    assert detail["title"] == story.title and detail["source_url"] == "https://zh-news.example.com/feed"
    assert detail["models"] == [{"model": "kling", "evidence": ["可灵"]},
                                {"model": "sora", "evidence": ["对标Sora"]}]
    assert detail["themes"] == [{"theme": "launch_access", "evidence": ["发布"]}]
    copies = detail["copies"]
    assert [(c["source_id"], c["source_name"], c["reason"]) for c in copies] == [
        ("en-social", "Forum EN", "content"), ("zh-social", "微博热搜", "content")]
    assert copies[0]["url"] == f"https://en-social.example.com/s/{story.guid}-copy-en-social"
    assert copies[0]["title"] == f"{story.title} (en-social)"
    assert copies[0]["seen_at"].tzinfo is not None


def test_item_detail_of_an_unknown_id_is_none(db):
    session, _ = db
    assert queries.item_detail(session, 10**9) is None


def test_an_untagged_story_has_no_models_themes_or_evidence(db):
    session, corpus = db
    story = next(s for s in corpus.stories if s.tags is None)
    detail = queries.item_detail(session, corpus.ids[story.n])
    assert (detail["models"], detail["themes"], detail["relevant"], detail["sentiment"]) == (
        [], [], None, None)


# --- digest and export helpers -----------------------------------------------------------------

def test_top_stories_lead_with_the_most_copied(db):
    session, corpus = db
    top = queries.top_stories(session, limit=3)
    assert top[0]["id"] == corpus.ids[corpus.stories[-1].n] and top[0]["copies"] == 2
    assert [r["copies"] for r in top] == sorted((r["copies"] for r in top), reverse=True)
    outlets = queries.outlet_counts(session, [r["id"] for r in top])
    assert outlets[top[0]["id"]] == 3          # its own source and two others


def test_tagger_versions_count_untagged_stories_as_none(db):
    session, corpus = db
    versions = {r["version"]: r["count"] for r in queries.tagger_versions(session)}
    shown = [s for s in corpus.stories if visible(s)]
    assert versions == {"readside-1": sum(s.tags is not None for s in shown),
                        None: sum(s.tags is None for s in shown)}


# --- facets ------------------------------------------------------------------------------------

def test_facets_list_what_the_filters_can_offer(db):
    session, corpus = db
    f = queries.facets(session)
    assert [s["id"] for s in f["sources"]] == sorted(s.id for s in SOURCES)
    assert {"id", "name", "lang", "category"} <= set(f["sources"][0])
    assert f["models"] == sorted({k for s in corpus.stories for k in s.models})
    assert f["themes"] == sorted({k for s in corpus.stories for k in s.themes})
    assert f["langs"] == ["en", "other", "zh"]
    assert f["items"] == len(corpus.stories)          # spam and off-topic are stored items too
    assert f["first"] == min(s.at for s in corpus.stories)
    assert f["last"] == max(s.at for s in corpus.stories)


def test_facets_first_and_last_ignore_fallback_dates(session):
    corpus = Corpus()
    corpus.add(utc(2025, 3, 1, 6))
    corpus.add(utc(2025, 3, 5, 18))
    corpus.add(utc(2025, 6, 1, 9), fallback_date=True)     # no date in the feed: the fetch time
    corpus.add(utc(2024, 1, 1, 9), fallback_date=True)
    corpus.save(session)
    f = queries.facets(session)
    assert (f["first"], f["last"], f["items"]) == (utc(2025, 3, 1, 6), utc(2025, 3, 5, 18), 4)


def test_facets_use_fallback_dates_when_no_story_has_a_real_one(session):
    corpus = Corpus()
    corpus.add(utc(2025, 6, 1, 9), fallback_date=True)
    corpus.add(utc(2025, 6, 2, 9), fallback_date=True)
    corpus.save(session)
    f = queries.facets(session)
    assert (f["first"], f["last"]) == (utc(2025, 6, 1, 9), utc(2025, 6, 2, 9))


def test_facets_of_an_empty_database(session):
    f = queries.facets(session)
    assert (f["models"], f["themes"], f["langs"], f["first"], f["last"], f["items"]) == (
        [], [], [], None, None, 0)


# --- source statistics -------------------------------------------------------------------------

RUNS = [   # per run: source -> status (zh-social is skipped, then missing)
    {"en-news": "ok", "en-social": "failed", "zh-news": "not_modified", "zh-social": "skipped"},
    {"en-news": "not_modified", "en-social": "failed", "zh-news": "not_modified", "zh-social": "skipped"},
    {"en-news": "not_modified", "en-social": "ok", "zh-news": "ok", "zh-social": "skipped"},
    {"en-news": "failed", "en-social": "ok", "zh-news": "not_modified"},
]


@pytest.fixture
def with_runs(session):
    corpus = Corpus()
    for day in (10, 11, 13):
        corpus.add(utc(2025, 3, day, 9), "en-news")
    corpus.add(utc(2025, 3, 12, 9), "en-news", spam=True)
    corpus.add(utc(2025, 3, 20, 9), "en-news")
    corpus.add(utc(2025, 3, 11, 9), "zh-news", relevant=False)
    corpus.add(utc(2025, 3, 12, 23), "zh-social")          # 13 March in Shanghai
    corpus.save(session)
    for statuses in RUNS:
        run_id = store.start_run(session, "t1")
        for sid, status in statuses.items():
            store.record_source_result(session, run_id, SourceResult(sid, status))
        store.finish_run(session, run_id, "partial")
    session.commit()
    return corpus


def test_source_stats_rates_over_recent_runs(session, with_runs):
    stats = {r["id"]: r for r in queries.source_stats(session)}
    got = {sid: (r["runs"], r["not_modified_rate"], r["failure_rate"], r["last_status"])
           for sid, r in stats.items()}
    assert got == {"en-news": (4, 0.5, 0.25, "failed"),
                   "en-social": (4, 0.0, 0.5, "ok"),
                   "zh-news": (4, 0.75, 0.0, "not_modified"),
                   "zh-social": (0, None, None, None)}      # skipped runs do not count


def test_source_stats_over_the_last_two_runs_only(session, with_runs):
    stats = {r["id"]: r for r in queries.source_stats(session, last_runs=2)}
    got = {sid: (r["runs"], r["not_modified_rate"], r["failure_rate"], r["last_status"])
           for sid, r in stats.items()}
    assert got == {"en-news": (2, 0.5, 0.5, "failed"), "en-social": (2, 0.0, 0.0, "ok"),
                   "zh-news": (2, 0.5, 0.0, "not_modified"), "zh-social": (0, None, None, None)}


def test_source_stats_stories_in_the_window_and_per_day(session, with_runs):
    since, until = day_window(utc(2025, 3, 10).date(), utc(2025, 3, 13).date(), "UTC")
    stats = {r["id"]: r for r in queries.source_stats(session, ItemFilter(since=since, until=until))}
    assert {sid: (r["items_in_range"], r["items_per_day"]) for sid, r in stats.items()} == {
        "en-news": (3, 0.75), "en-social": (0, 0.0), "zh-news": (0, 0.0), "zh-social": (1, 0.25)}
    # health is about everything stored: spam and off-topic included
    assert {sid: r["items"] for sid, r in stats.items()} == {
        "en-news": 5, "en-social": 0, "zh-news": 1, "zh-social": 1}
    assert stats["en-news"]["last_published_at"] == utc(2025, 3, 20, 9)
    assert stats["en-social"]["last_published_at"] is None


def test_source_stats_days_are_local_days_of_the_zone(session, with_runs):
    since, until = day_window(utc(2025, 3, 13).date(), utc(2025, 3, 13).date(), "Asia/Shanghai")
    stats = {r["id"]: r for r in queries.source_stats(session, ItemFilter(since=since, until=until),
                                                      tz="Asia/Shanghai")}
    # zh-social's story (12 March 23:00 UTC) is 13 March 07:00 in Shanghai; en-news has the one
    # of 13 March 09:00 UTC (17:00 there); its 12 March story is spam
    assert {sid: (r["items_in_range"], r["items_per_day"]) for sid, r in stats.items()} == {
        "en-news": (1, 1.0), "en-social": (0, 0.0), "zh-news": (0, 0.0), "zh-social": (1, 1.0)}


def test_source_stats_per_day_counts_no_day_still_to_come(session, with_runs):
    # Before: a range running past today divided by its days to come too (the dashboard's
    # "this week" on a Thursday showed the rate of 4 days' stories spread over 7).
    since, until = day_window(utc(2025, 3, 10).date(), utc(2025, 3, 16).date(), "UTC")
    flt = ItemFilter(since=since, until=until)
    stats = {r["id"]: r for r in queries.source_stats(session, flt, now=utc(2025, 3, 13, 12))}
    assert (stats["en-news"]["items_in_range"], stats["en-news"]["items_per_day"]) == (3, 0.75)
    over = {r["id"]: r for r in queries.source_stats(session, flt, now=utc(2025, 3, 17))}
    assert over["en-news"]["items_per_day"] == round(3 / 7, 2)
    # a range that has not begun has no rate yet
    ahead = {r["id"]: r for r in queries.source_stats(session, flt, now=utc(2025, 3, 9, 12))}
    assert ahead["en-news"]["items_per_day"] is None


def test_source_stats_per_day_over_an_open_window_spans_the_datas_days(session, with_runs):
    stats = {r["id"]: r for r in queries.source_stats(session)}
    # stories from 10 to 20 March (11 days); en-news has four that count (one more is spam)
    assert (stats["en-news"]["items_in_range"], stats["en-news"]["items_per_day"]) == (4, round(4 / 11, 2))
