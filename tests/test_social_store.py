"""The store's social side on SQLite and PostgreSQL: posts keep their handle, links and counts;
a post seen again brings its latest counts; pages fetched for full text are remembered; the
migration turns existing items into standalone stories."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select, text

from db import models as m
from db import social, store
from db.engine import make_engine, upgrade
from ingest.dedup import keys_for, url_key
from ingest.fulltext import PageText
from ingest.types import Engagement, ItemIntent
from tests.factories import T0, make_item, make_source


def post_intent(n: int, source: str = "hn", **eng) -> ItemIntent:
    item = make_item(n, source_id=source, kind="post", author_handle=f"user{n}",
                     url=f"https://news.ycombinator.com/item?id={n}", guid=str(n),
                     shared_url="https://news.example/a", engagement=Engagement(**eng) if eng else None)
    return ItemIntent(item=item, keys=keys_for(item))


def test_posts_are_stored_with_their_handle_links_and_engagement(session):
    store.sync_sources(session, [make_source("hn")])
    store.store_intents(session, None, "hn", [post_intent(1, points=10, comments=2)], T0)
    session.commit()
    [row] = session.scalars(select(m.Item)).all()
    assert (row.kind, row.author_handle, row.points, row.num_comments, row.likes) == \
        ("post", "user1", 10, 2, None)
    assert row.shared_url == "https://news.example/a" and row.engagement_at == T0
    assert (row.reach, row.first_seen_at, row.cluster_id) == (1, row.published_at, None)


def test_a_post_seen_again_gets_its_latest_counts_and_keeps_the_ones_no_longer_given(session):
    store.sync_sources(session, [make_source("hn"), make_source("hn2")])
    store.store_intents(session, None, "hn", [post_intent(1, points=10, comments=2)], T0)
    later = T0 + timedelta(hours=3)
    counts = store.store_intents(session, None, "hn", [post_intent(1, points=55)], later)
    assert (counts.new, counts.duplicate, counts.refreshed) == (0, 1, 1)
    # the same post found by another source (same URL) refreshes it too
    counts = store.store_intents(session, None, "hn2", [post_intent(1, source="hn2", points=60)], later)
    assert counts.refreshed == 1
    session.commit()
    [row] = session.scalars(select(m.Item)).all()
    assert (row.points, row.num_comments, row.engagement_at) == (60, 2, later)


def test_a_post_repeated_within_one_batch_is_stored_with_its_latest_counts(session):
    store.sync_sources(session, [make_source("hn")])
    counts = store.store_intents(session, None, "hn", [post_intent(1, points=1), post_intent(1, points=7)], T0)
    assert (counts.new, counts.duplicate) == (1, 1)
    session.commit()
    assert session.scalar(select(m.Item.points)) == 7


def test_a_copy_of_another_outlet_never_touches_the_originals_counts(session):
    store.sync_sources(session, [make_source("a"), make_source("b")])
    original = post_intent(1, source="a", points=5)
    store.store_intents(session, None, "a", [original], T0)
    copy = replace(original.item, source_id="b", url="https://elsewhere.example/1", guid="x",
                   engagement=Engagement(points=999))
    counts = store.store_intents(session, None, "b", [ItemIntent(item=copy, keys=keys_for(copy))], T0)
    assert counts.copies == 1 and counts.refreshed == 0
    session.commit()
    assert session.scalar(select(m.Item.points)) == 5


def test_pages_are_remembered_once_whatever_their_outcome(session):
    pages = [PageText("https://a.example/1", "正文", 200),
             PageText("https://a.example/2", None, 404, "http_status", "HTTP 404 Not Found")]
    assert social.record_pages(session, pages, T0) == 2
    assert social.record_pages(session, pages, T0) == 0
    session.commit()
    got = social.fetched_pages(session, ["https://a.example/1", "https://a.example/2", "https://a.example/3"])
    assert got["https://a.example/1"].text == "正文" and got["https://a.example/2"].error_class == "http_status"
    assert "https://a.example/3" not in got


def test_known_keys_cover_stored_items_and_recorded_copies(session):
    store.sync_sources(session, [make_source("hn")])
    store.store_intents(session, None, "hn", [post_intent(1)], T0)
    session.commit()
    key = url_key("https://news.ycombinator.com/item?id=1")
    assert set(social.known_keys(session, [key, url_key("https://x.example/")], [])) == {key}


def test_the_migration_makes_existing_items_standalone_stories_with_reach(empty_db_url):
    engine = make_engine(empty_db_url)
    try:
        upgrade(engine, "0004")
        with engine.begin() as c:
            for sid, cat in (("news1", "news"), ("social1", "social"), ("other", "news")):
                c.execute(text("INSERT INTO sources (id, name, kind, url, lang, category, topical, timezone, "
                               "enabled, stale_days, consecutive_failures, created_at) VALUES "
                               "(:id, :id, 'rss', 'http://x', 'en', :cat, false, 'UTC', true, 14, 0, :t)"),
                          {"id": sid, "cat": cat, "t": T0.replace(tzinfo=None)})
            for n, sid in ((1, "news1"), (2, "social1")):
                c.execute(text("INSERT INTO items (id, source_id, title, text, lang, published_at, "
                               "date_is_fallback, fetched_at, spam, keywords) VALUES "
                               "(:n, :sid, 't', 'x', 'en', :t, false, :t, false, '[]')"),
                          {"n": n, "sid": sid, "t": T0.replace(tzinfo=None)})
            c.execute(text("INSERT INTO item_copies (item_id, source_id, url_key, title, reason, seen_at) "
                           "VALUES (1, 'other', 'k', 't', 'url', :t)"), {"t": T0.replace(tzinfo=None)})
        upgrade(engine)
        with engine.connect() as c:
            got = c.execute(text("SELECT id, kind, reach, cluster_id, first_seen_at IS NOT NULL "
                                 "FROM items ORDER BY id")).all()
        assert [tuple(r) for r in got] == [(1, "article", 2, None, True), (2, "post", 1, None, True)]
    finally:
        engine.dispose()
