"""db.store and db.queries on SQLite and a real PostgreSQL server."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from db import models as m
from db import queries, store
from ingest.types import FailureClass, FetchState, SourceResult

from factories import T0, edited, make_intent, make_item, make_source, make_tags


@pytest.fixture
def sources(session):
    store.sync_sources(session, [make_source("s1"), make_source("s2", lang="zh")])
    session.commit()


@pytest.fixture
def run_id(session, sources):
    rid = store.start_run(session, "t1")
    session.commit()
    return rid


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def copies(session) -> list[m.ItemCopy]:
    return list(session.scalars(select(m.ItemCopy).order_by(m.ItemCopy.id)))


# --- sources and fetch state -------------------------------------------------------------------

def test_sync_sources_updates_config_and_keeps_fetch_state(session, sources):
    state = FetchState(etag='"abc"', last_modified="Sat, 01 Mar 2025 08:00:00 GMT",
                       consecutive_failures=2, next_attempt_at=T0 + timedelta(hours=1))
    store.save_fetch_state(session, "s1", state, fetched_at=T0, ok=False,
                           error_class=FailureClass.RATE_LIMITED, error="429 Too Many Requests")
    store.sync_sources(session, [make_source("s1", name="Renamed", enabled=False)])
    session.commit()
    session.expire_all()

    row = session.get(m.Source, "s1")
    assert (row.name, row.enabled) == ("Renamed", False)
    assert store.load_fetch_state(session, "s1") == state
    assert (row.last_error_class, row.last_error) == ("rate_limited", "429 Too Many Requests")
    assert row.last_ok_at is None


def test_successful_fetch_clears_the_error_and_notes_new_items(session, sources):
    store.save_fetch_state(session, "s1", FetchState(), fetched_at=T0, ok=False,
                           error_class="network", error="timeout")
    later = T0 + timedelta(hours=2)
    store.save_fetch_state(session, "s1", FetchState(etag="e2"), fetched_at=later, ok=True,
                           new_items=3)
    session.commit()
    (health,) = [h for h in queries.source_health(session) if h["id"] == "s1"]
    assert health["last_error"] is None and health["last_error_class"] is None
    assert health["last_ok_at"] == later and health["last_new_item_at"] == later
    assert health["last_ok_at"].tzinfo is not None


def test_unknown_source_has_default_fetch_state(session):
    assert store.load_fetch_state(session, "nope") == FetchState()


# --- runs --------------------------------------------------------------------------------------

def test_run_totals_add_up_source_results(session, run_id):
    store.record_source_result(session, run_id, SourceResult("s1", "ok", fetched=10, new=4,
                                                             duplicate=5, irrelevant=1))
    store.record_source_result(session, run_id, SourceResult(
        "s2", "failed", error_class=FailureClass.BLOCKED, error="403", http_status=403))
    store.finish_run(session, run_id, "partial")
    session.commit()

    (run,) = queries.latest_runs(session, 1)
    assert (run["status"], run["sources"], run["fetched"], run["new"], run["failed"]) == \
        ("partial", 2, 10, 4, 1)
    assert run["finished_at"] is not None
    summary = queries.run_summary(session, run_id)
    assert [(r["source_id"], r["status"], r["failed"], r["error_class"]) for r in summary] == \
        [("s1", "ok", 0, None), ("s2", "failed", 1, "blocked")]


def test_the_same_source_cannot_be_recorded_twice_in_one_run(session, run_id):
    store.record_source_result(session, run_id, SourceResult("s1", "ok"))
    with pytest.raises(IntegrityError):
        store.record_source_result(session, run_id, SourceResult("s1", "ok"))
        session.flush()


def test_runs_left_running_become_interrupted(session, run_id):
    done = store.start_run(session, None)
    store.finish_run(session, done, "ok")
    assert store.mark_interrupted_runs(session) == 1
    session.commit()
    statuses = {r["id"]: r["status"] for r in queries.latest_runs(session, 5)}
    assert statuses == {run_id: "interrupted", done: "ok"}


# --- store_intents: dedup ----------------------------------------------------------------------

def test_new_items_are_stored_once(session, run_id):
    batch = [make_intent(make_item(n)) for n in range(1, 4)]
    counts = store.store_intents(session, run_id, "s1", batch, T0)
    session.commit()
    assert (counts.new, counts.duplicate) == (3, 0)
    assert count(session, m.Item) == 3
    first_runs = set(session.scalars(select(m.Item.first_run_id)))
    assert first_runs == {run_id}


def test_storing_the_same_batch_twice_adds_nothing(session, run_id):
    batch = [make_intent(make_item(n)) for n in range(1, 4)]
    store.store_intents(session, run_id, "s1", batch, T0)
    counts = store.store_intents(session, run_id, "s1", batch, T0)
    session.commit()
    assert (counts.new, counts.duplicate, counts.copies) == (0, 3, 0)
    assert count(session, m.Item) == 3 and count(session, m.ItemCopy) == 0


def test_duplicates_within_one_batch_are_caught(session, run_id):
    item = make_item(1)
    counts = store.store_intents(session, run_id, "s1", [make_intent(item)] * 3, T0)
    assert (counts.new, counts.duplicate) == (1, 2)
    assert count(session, m.Item) == 1


def test_same_url_with_another_guid_is_a_plain_duplicate(session, run_id):
    item = make_item(1)
    store.store_intents(session, run_id, "s1", [make_intent(item)], T0)
    counts = store.store_intents(session, run_id, "s1",
                                 [make_intent(edited(item, guid="a-new-guid"))], T0)
    assert (counts.new, counts.duplicate, counts.copies) == (0, 1, 0)
    assert count(session, m.Item) == 1


def test_same_guid_with_an_edited_title_and_text_updates_the_item_in_place(session, run_id):
    item = make_item(1)
    store.store_intents(session, run_id, "s1", [make_intent(item, tags=make_tags())], T0)
    session.commit()
    first = session.scalars(select(m.Item)).one()
    first_id, first_url, first_published = first.id, first.url, first.published_at
    changed = edited(item, title="Completely rewritten headline about Kling and Veo",
                     url="https://news.example.com/story/1?updated", text=item.text + " Update.",
                     published_at=T0 + timedelta(hours=5))
    later = T0 + timedelta(days=1)
    tags = make_tags(models=("kling", "veo"), evidence={"kling": ("Kling",), "veo": ("Veo",)})
    counts = store.store_intents(session, run_id, "s1", [make_intent(changed, tags=tags)], later)
    session.commit()
    assert (counts.new, counts.updated, counts.duplicate) == (0, 1, 0)
    session.expire_all()
    row = session.scalars(select(m.Item)).one()
    assert (row.id, row.url, row.published_at) == (first_id, first_url, first_published)
    assert (row.title, row.text, row.tagged_at) == (changed.title, changed.text, later)
    assert row.content_key == make_intent(changed).keys.content_key
    assert {(r.model, tuple(r.evidence)) for r in session.scalars(select(m.ItemModel))} == \
        {("kling", ("Kling",)), ("veo", ("Veo",))}

    again = store.store_intents(session, run_id, "s1", [make_intent(changed, tags=tags)], T0)
    session.commit()
    assert (again.new, again.updated, again.duplicate) == (0, 0, 1)
    assert session.scalar(select(m.Item.tagged_at)) == later      # unchanged: not written


def test_same_content_from_another_source_is_one_recorded_copy(session, run_id):
    original = make_item(1)
    copy = make_item(1, source_id="s2", guid="wire-77", url="https://portal.example.cn/a/77",
                     title=original.title + " - Portal")
    store.store_intents(session, run_id, "s1", [make_intent(original)], T0)
    counts = store.store_intents(session, run_id, "s2", [make_intent(copy)], T0)
    session.commit()
    assert (counts.new, counts.duplicate, counts.copies) == (0, 1, 1)
    (cp,) = copies(session)
    original_id = session.scalar(select(m.Item.id))
    assert (cp.item_id, cp.source_id, cp.url, cp.reason) == \
        (original_id, "s2", "https://portal.example.cn/a/77", "content")

    rerun = store.store_intents(session, run_id, "s2", [make_intent(copy)], T0)
    session.commit()
    assert (rerun.new, rerun.duplicate, rerun.copies) == (0, 1, 0)
    assert len(copies(session)) == 1


def test_a_spam_copy_stored_first_never_captures_the_real_story(session, run_id):
    real = make_item(1)
    spam = make_item(1, source_id="s2", guid="farm-9", url="https://farm.example/9.html",
                     title="鑫发体育手机版网页登录-官网入口")
    store.store_intents(session, run_id, "s2", [make_intent(spam, tags=make_tags(spam=True))], T0)
    counts = store.store_intents(session, run_id, "s1", [make_intent(real, tags=make_tags())], T0)
    session.commit()
    assert (counts.new, counts.duplicate) == (1, 0)
    # ...while a spam copy arriving after the real story is only its copy.
    later = make_item(1, source_id="s2", guid="farm-10", url="https://farm2.example/10.html",
                      title="乐盈官方网站-乐盈体育app下载")
    counts = store.store_intents(session, run_id, "s2", [make_intent(later, tags=make_tags(spam=True))], T0)
    session.commit()
    assert (counts.new, counts.duplicate, counts.copies) == (0, 1, 1)


def test_same_url_from_another_source_is_recorded_once_even_without_a_url_key(session, run_id):
    original = make_item(1)
    store.store_intents(session, run_id, "s1", [make_intent(original)], T0)
    linked = make_item(1, source_id="s2", guid="agg-1")   # an aggregator linking the same URL
    no_url = make_item(1, source_id="s2", guid=None, url=None)
    for _ in range(2):
        store.store_intents(session, run_id, "s2", [make_intent(linked), make_intent(no_url)], T0)
    session.commit()
    assert sorted((c.reason, c.url_key == "") for c in copies(session)) == \
        [("content", True), ("url", False)]


def test_title_match_counts_only_within_three_days(session, run_id):
    base = make_item(1)
    near = make_item(2, source_id="s2", title=base.title,
                     published_at=T0 + timedelta(days=2, hours=23))
    far = make_item(3, source_id="s2", title=base.title,
                    published_at=T0 + timedelta(days=3, hours=1))
    store.store_intents(session, run_id, "s1", [make_intent(base)], T0)
    counts = store.store_intents(session, run_id, "s2", [make_intent(near), make_intent(far)], T0)
    session.commit()
    assert (counts.new, counts.duplicate) == (1, 1)
    assert [c.reason for c in copies(session)] == ["title"]
    stored = session.scalars(select(m.Item.published_at).order_by(m.Item.id)).all()
    assert stored == [base.published_at, far.published_at]


def test_a_large_batch_is_deduplicated_in_bulk(session, run_id):
    batch = [make_intent(make_item(n)) for n in range(1, 1201)]   # > one IN (...) chunk
    assert store.store_intents(session, run_id, "s1", batch, T0).new == 1200
    again = store.store_intents(session, run_id, "s1", batch[::-1], T0)
    assert (again.new, again.duplicate) == (0, 1200)


def test_a_rolled_back_source_leaves_nothing_half_written(session, run_id):
    store.store_intents(session, run_id, "s1", [make_intent(make_item(1), tags=make_tags())], T0)
    store.record_source_result(session, run_id, SourceResult("s1", "ok", fetched=1, new=1))
    store.save_fetch_state(session, "s1", FetchState(etag="x"), fetched_at=T0, ok=True,
                           new_items=1)
    session.rollback()
    for model in (m.Item, m.ItemModel, m.ItemTheme, m.RunSource):
        assert count(session, model) == 0
    assert store.load_fetch_state(session, "s1").etag is None
    assert queries.latest_runs(session, 1)[0]["sources"] == 0


# --- tags and reads ----------------------------------------------------------------------------

def test_tags_are_stored_and_queryable(session, run_id):
    sora = make_intent(make_item(1), tags=make_tags())
    kling = make_intent(make_item(2, lang="zh"), tags=make_tags(
        models=("kling",), themes=("pricing",), sentiment="negative", sentiment_score=-0.4,
        evidence={"kling": ("可灵",)}))
    untagged = make_intent(make_item(3))
    spam = make_intent(make_item(4), tags=make_tags(spam=True))
    store.store_intents(session, run_id, "s1", [sora, kling, untagged, spam], T0)
    session.commit()

    assert [r["title"] for r in queries.items(session, model="sora")] == [sora.item.title]
    assert [r["title"] for r in queries.items(session, theme="pricing")] == [kling.item.title]
    (row,) = queries.items(session, sentiment="negative")
    assert (row["models"], row["themes"], row["lang"]) == (["kling"], ["pricing"], "zh")
    assert row["keywords"] == ["sora", "video"] and row["source_name"] == "Source s1"
    assert queries.count_items(session) == 3
    assert queries.count_items(session, include_spam=True) == 4
    assert queries.count_items(session, lang="zh", model="kling") == 1
    evidence = session.scalar(select(m.ItemModel.evidence).where(m.ItemModel.model == "kling"))
    assert evidence == ["可灵"]


def test_update_tags_replaces_the_old_ones(session, run_id):
    store.store_intents(session, run_id, "s1", [make_intent(make_item(1), tags=make_tags())], T0)
    item_id = session.scalar(select(m.Item.id))
    later = T0 + timedelta(days=1)
    store.update_tags(session, item_id, make_tags(models=("veo", "runway"), themes=(),
                                                  sentiment="neutral", version="t2"), later)
    session.commit()
    (row,) = queries.items(session)
    assert (row["models"], row["themes"], row["sentiment"], row["tagger_version"]) == \
        (["runway", "veo"], [], "neutral", "t2")
    assert queries.count_items(session, model="sora") == 0
    assert session.get(m.Item, item_id).tagged_at == later


def test_retag_batches_cover_every_item_since_a_date(session, run_id):
    batch = [make_intent(make_item(n, published_at=T0 + timedelta(days=n))) for n in range(1, 8)]
    store.store_intents(session, run_id, "s1", batch, T0)
    batches = list(store.iter_items_for_retag(session, since=T0 + timedelta(days=3), batch=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert [row[1] for b in batches for row in b] == [i.item.title for i in batch[2:]]


def test_daily_counts_bucket_by_utc_day(session, run_id):
    late = datetime(2025, 3, 1, 23, 30, tzinfo=timezone.utc)
    # 07:30 on 2 March in Beijing is still 1 March in UTC.
    beijing = datetime(2025, 3, 2, 7, 30, tzinfo=timezone(timedelta(hours=8)))
    next_day = datetime(2025, 3, 2, 0, 30, tzinfo=timezone.utc)
    batch = [
        make_intent(make_item(1, published_at=late), tags=make_tags()),
        make_intent(make_item(2, published_at=beijing, lang="zh"), tags=make_tags()),
        make_intent(make_item(3, published_at=next_day), tags=make_tags(models=("sora", "veo"))),
    ]
    store.store_intents(session, run_id, "s1", batch, T0)
    session.commit()
    assert queries.daily_counts(session, by="lang") == [
        {"day": date(2025, 3, 1), "key": "en", "count": 1},
        {"day": date(2025, 3, 1), "key": "zh", "count": 1},
        {"day": date(2025, 3, 2), "key": "en", "count": 1},
    ]
    assert queries.daily_counts(session, by="model", since=next_day) == [
        {"day": date(2025, 3, 2), "key": "sora", "count": 1},
        {"day": date(2025, 3, 2), "key": "veo", "count": 1},
    ]
    assert queries.daily_counts(session, by="sentiment", lang="zh") == [
        {"day": date(2025, 3, 1), "key": "positive", "count": 1}]


def test_datetimes_come_back_as_aware_utc(session, run_id):
    beijing = datetime(2025, 3, 2, 7, 30, tzinfo=timezone(timedelta(hours=8)))
    store.store_intents(session, run_id, "s1", [make_intent(make_item(1, published_at=beijing))], T0)
    session.commit()
    (row,) = queries.items(session)
    assert row["published_at"] == beijing
    assert row["published_at"].utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(session, run_id):
    naive = make_item(1, published_at=datetime(2025, 3, 1, 8, 0))
    with pytest.raises(Exception, match="naive datetime"):
        store.store_intents(session, run_id, "s1", [make_intent(naive)], T0)


def test_each_new_item_gets_its_own_tags_even_without_dedup_keys(session, run_id):
    keyless = make_item(99, guid=None, url=None, title="Sora!", text="Short.")
    assert make_intent(keyless).keys == type(make_intent(keyless).keys)(None, None, None, None)
    batch = [make_intent(make_item(n), tags=make_tags(models=(f"model-{n}",)))
             for n in range(1, 40)]
    batch.insert(17, make_intent(keyless, tags=make_tags(models=("keyless",))))
    store.store_intents(session, run_id, "s1", batch, T0)
    session.commit()
    got = {r["title"]: r["models"] for r in queries.items(session, limit=1000)}
    assert got == {i.item.title: list(i.tags.models) for i in batch}


def test_last_new_item_at_follows_fetches_that_brought_items(session, sources):
    assert store.last_new_item_at(session, "s1") is None
    store.save_fetch_state(session, "s1", FetchState(), fetched_at=T0, ok=True, new_items=2)
    store.save_fetch_state(session, "s1", FetchState(), fetched_at=T0 + timedelta(days=1), ok=True)
    assert store.last_new_item_at(session, "s1") == T0
    assert store.last_new_item_at(session, "unknown") is None


def test_update_tags_many_names_an_item_that_is_not_stored_and_writes_nothing(session, run_id):
    store.store_intents(session, run_id, "s1", [make_intent(make_item(1), tags=make_tags())], T0)
    session.commit()
    item_id = session.scalar(select(m.Item.id))
    with pytest.raises(LookupError, match=str(item_id + 99)):
        store.update_tags_many(session, [(item_id, make_tags(models=("veo",))),
                                         (item_id + 99, make_tags())], T0)
    session.rollback()
    (row,) = queries.items(session)
    assert row["models"] == ["sora"]


BOILERPLATE = ("本视频由AI生成，素材来源网络，如有侵权请联系删除。欢迎关注我，每天分享AI视频生成教程和最新模型测评，"
               "一起学习AI视频制作！合作请私信，商务邮箱见主页。本频道所有视频仅供学习交流，转载请注明出处。")
VIDEOS = ("用可灵2.5做了一个猫咪跳舞的AI视频，效果太离谱了", "Sora 2生成的赛博朋克城市，十秒镜头一次成片",
          "即梦3.0对比海螺02：同一提示词谁更强？", "Veo 3.1能不能拍短剧？我试了一整天")


def _video(n: int, source_id: str = "s1"):
    from ingest.prepare import signature_of

    item = make_item(n, source_id=source_id, title=VIDEOS[n - 1], text=BOILERPLATE, lang="zh",
                     kind="post", url=f"https://www.bilibili.com/video/BV{n}{source_id}",
                     guid=f"BV{n}{source_id}", published_at=T0 + timedelta(hours=n))
    return replace(make_intent(item), signature=signature_of(item))


def test_one_uploaders_boilerplate_under_unrelated_titles_is_no_copy(session, run_id):
    """Videos of one source that all carry the uploader's standard description are separate
    stories, in one batch and in a later one; another source's item with that text is still
    recorded as a copy (syndication across sources is unchanged)."""
    counts = store.store_intents(session, run_id, "s1", [_video(n) for n in (1, 2, 3)], T0)
    assert (counts.new, counts.duplicate, counts.clustered) == (3, 0, 0)
    counts = store.store_intents(session, run_id, "s1", [_video(1), _video(4)], T0)
    assert (counts.new, counts.duplicate) == (1, 1)
    counts = store.store_intents(session, run_id, "s2", [_video(2, "s2")], T0)
    session.commit()
    assert (counts.new, counts.copies) == (0, 1)
    assert count(session, m.Item) == 4 and len(copies(session)) == 1
    assert session.scalars(select(m.Item.cluster_id).where(m.Item.cluster_id.is_not(None))).all() == []


# --- the tagger's evidence for relevance, tone and spam (migration 0006) --------------------------

NEGATIVE = ("Sora clips are a disaster", "OpenAI's Sora video model keeps failing: melting hands, broken "
            "physics, and users call the output garbage and a waste of money.", "en")
SPAM = ("最新体育app下载-官方入口-手机版登录", "可灵AI视频生成模型发布新版本，画面更稳定，创作者纷纷试用，影视行业开始尝试。", "zh")
DECISIONS = {"relevance": "relevance_evidence", "sentiment": "sentiment_evidence", "spam": "spam_evidence"}


def _evidence(row) -> dict[str, list[str] | None]:
    return {key: row[col] if isinstance(row, dict) else getattr(row, col) for key, col in DECISIONS.items()}


def _expected(tags) -> dict[str, list[str]]:
    return {key: list(tags.evidence.get(key, ())) for key in DECISIONS}


def test_the_evidence_for_relevance_tone_and_spam_is_stored_with_each_item(session, run_id):
    # Before: Tags.evidence["relevance" | "sentiment" | "spam"] was dropped at store; only model and
    # theme evidence reached the database, so nothing could say why an item is negative or spam.
    from ingest.tag import engine

    negative, spam = engine.tag(*NEGATIVE), engine.tag(*SPAM)
    assert negative.sentiment == "negative" and spam.spam          # the cases are what they claim
    assert negative.evidence["sentiment"] and spam.evidence["spam"] and negative.evidence["relevance"]
    intents = [make_intent(make_item(1, title=NEGATIVE[0], text=NEGATIVE[1]), tags=negative),
               make_intent(make_item(2, title=SPAM[0], text=SPAM[1], lang="zh"), tags=spam),
               make_intent(make_item(3))]                          # stored untagged (--no-tag)
    store.store_intents(session, run_id, "s1", intents, T0)
    session.commit()
    session.expire_all()
    rows = {r.guid: r for r in session.scalars(select(m.Item))}
    assert _evidence(rows["guid-1"]) == _expected(negative)
    assert _evidence(rows["guid-1"])["spam"] == []                 # tagged, and no spam evidence
    assert _evidence(rows["guid-2"]) == _expected(spam)
    assert "title/body mismatch" in rows["guid-2"].spam_evidence
    assert _evidence(rows["guid-3"]) == {"relevance": None, "sentiment": None, "spam": None}
    # the one read side hands them on: the story view and the item lists
    assert _evidence(queries.item_detail(session, rows["guid-2"].id)) == _expected(spam)
    (listed,) = queries.items(session, sentiment="negative")
    assert _evidence(listed) == _expected(negative)


def test_update_tags_replaces_the_decision_evidence(session, run_id):
    from ingest.tag import engine

    spam = engine.tag(*SPAM)
    store.store_intents(session, run_id, "s1", [make_intent(make_item(1), tags=spam)], T0)
    item_id = session.scalar(select(m.Item.id))
    later = make_tags(evidence={"sora": ("Sora",), "relevance": ("sora",), "sentiment": ("great",)})
    store.update_tags(session, item_id, later, T0 + timedelta(days=1))
    session.commit()
    session.expire_all()
    assert _evidence(session.get(m.Item, item_id)) == {"relevance": ["sora"], "sentiment": ["great"],
                                                       "spam": []}


def test_items_stored_before_migration_0006_have_no_evidence_until_retag_fills_it(empty_db_url):
    from click.testing import CliRunner
    from sqlalchemy import text as sql

    from aigcwatch.cli import main
    from db.engine import make_engine, upgrade
    from ingest.tag import engine as tagger

    eng = make_engine(empty_db_url)
    try:
        upgrade(eng, "0005")
        t = T0.replace(tzinfo=None)
        with eng.begin() as c:
            c.execute(sql("INSERT INTO sources (id, name, kind, url, lang, category, topical, timezone, "
                          "enabled, stale_days, consecutive_failures, created_at) VALUES "
                          "('s1', 'S1', 'rss', 'http://x', 'en', 'news', false, 'UTC', true, 14, 0, :t)"),
                      {"t": t})
            for n, (title, body, lang) in enumerate((NEGATIVE, SPAM), start=1):
                c.execute(sql("INSERT INTO items (id, source_id, title, text, lang, published_at, "
                              "date_is_fallback, fetched_at, spam, relevant, sentiment, keywords, "
                              "tagger_version) VALUES (:n, 's1', :title, :body, :lang, :t, false, :t, "
                              ":spam, true, 'negative', '[]', 'old')"),
                          {"n": n, "title": title, "body": body, "lang": lang, "t": t, "spam": n == 2})
            c.execute(sql("INSERT INTO item_models (item_id, model, evidence) VALUES "
                          "(1, 'sora', '[\"sora\"]')"))
        upgrade(eng)
        with eng.connect() as c:
            got = c.execute(sql("SELECT id, title, sentiment, tagger_version, relevance_evidence IS NULL, "
                                "sentiment_evidence IS NULL, spam_evidence IS NULL FROM items ORDER BY id")).all()
            assert [tuple(r) for r in got] == [(1, NEGATIVE[0], "negative", "old", True, True, True),
                                               (2, SPAM[0], "negative", "old", True, True, True)]
            assert c.execute(sql("SELECT model FROM item_models")).scalars().all() == ["sora"]
    finally:
        eng.dispose()
    result = CliRunner().invoke(main, ["retag", "--workers", "0", "--database-url", empty_db_url])
    assert result.exit_code == 0, result.output + str(result.exception)
    eng = make_engine(empty_db_url)
    try:
        with eng.connect() as c:
            rows = {r.id: r for r in c.execute(select(m.Item.id, *(getattr(m.Item, col)
                                                                   for col in DECISIONS.values())))}
    finally:
        eng.dispose()
    for n, case in ((1, NEGATIVE), (2, SPAM)):
        expected = _expected(tagger.tag(*case))
        assert _evidence(rows[n]) == expected
        assert expected["sentiment"] and expected["relevance"]
    assert rows[2].spam_evidence and "title/body mismatch" in rows[2].spam_evidence
