"""Social API sources end to end: loopback servers speaking each API's shapes, the real fetch /
walk / store path, a real database. Pagination and cursors, only-new second runs, engagement
refresh, deleted posts, 429 + Retry-After, timeouts, empty pages, malformed and error bodies."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from aigcwatch.apiserver import ApiPost, SocialApi, hn_hit, serve_social
from db import engine as dbe
from db import models as m
from ingest.fetch import FetchSettings
from ingest.pipeline import run_ingest
from ingest.types import FailureClass, Source
from tests.support.scripted_server import Reply, scripted_server

FAST = FetchSettings(timeout_s=5, retries=0, backoff_base_s=0.0, max_concurrency=4, page_interval_s=0)
T0 = datetime(2025, 10, 1, 8, tzinfo=timezone.utc)
PATHS = {"hn": "/hn/api/v1/search_by_date?query=veo&tags=story",
         "reddit": "/reddit/r/aivideo/new.json", "mastodon": "/mastodon/api/v1/timelines/tag/aivideo",
         "bluesky": "/bsky/xrpc/app.bsky.feed.searchPosts?q=veo"}


def api_source(id_: str, url: str, kind: str = "hn", **kw) -> Source:
    kw = {"max_pages": 5, "min_interval_s": 0.0, "topical": True, **kw}
    return Source(id=id_, name=id_, kind=kind, url=url, category="social", **kw)


def post(kind: str, i: int, **kw) -> ApiPost:
    ids = {"hn": str(40_000_000 + i), "reddit": f"p{i:04d}",
           "mastodon": str((int((T0 + timedelta(hours=i)).timestamp() * 1000) << 16) + i),
           "bluesky": f"3k{i:05d}"}
    fields = dict(platform=kind, id=ids[kind], created=T0 + timedelta(hours=i), author=f"user{i}",
                  title=f"Veo 3 clip number {i} shows a dancer" if kind in ("hn", "reddit") else None,
                  text=f"Post {i}: Veo 3 made a clip of a dancer on a beach, take {i}.",
                  community="aivideo", points=i if kind in ("hn", "reddit") else None,
                  comments=i % 4, likes=None if kind in ("hn", "reddit") else 10 * i,
                  reposts=None if kind in ("hn", "reddit") else i)
    fields.update(kw)
    return ApiPost(**fields)


def factory(url: str):
    return dbe.session_factory(dbe.ensure_schema(url))


def items(sf, **where):
    with sf() as s:
        stmt = select(m.Item).order_by(m.Item.published_at)
        for k, v in where.items():
            stmt = stmt.where(getattr(m.Item, k) == v)
        return s.scalars(stmt).all()


def test_stories_comments_handles_parents_engagement_and_deleted_posts(db_url):
    sf = factory(db_url)
    api = SocialApi([post("hn", 1), post("hn", 2, link="https://news.example/veo-3"),
                     post("hn", 3, title=None, parent=post("hn", 1).id, story=post("hn", 1).id,
                          story_title="Veo 3 clip number 1 shows a dancer", text="Lovely motion."),
                     post("hn", 4, title=None, parent=post("hn", 1).id, story=post("hn", 1).id,
                          story_title="x", text="gone", deleted=True)])
    with serve_social(api) as base:
        sources = [api_source("stories", base + "/hn/api/v1/search_by_date?query=veo&tags=story"),
                   api_source("comments", base + "/hn/api/v1/search_by_date?query=veo&tags=comment")]
        summary = run_ingest(sf, sources, settings=FAST, tagging=False)
    by = {r.source_id: r for r in summary.results}
    assert (by["stories"].new, by["comments"].new, by["comments"].invalid) == (2, 1, 1)
    assert "1 deleted or removed post skipped" in by["comments"].error
    stories = items(sf, source_id="stories")
    assert [(i.kind, i.author_handle, i.points, i.num_comments) for i in stories] == \
        [("post", "user1", 1, 1), ("post", "user2", 2, 2)]
    assert stories[1].shared_url == "https://news.example/veo-3"
    assert stories[0].url == f"https://news.ycombinator.com/item?id={post('hn', 1).id}"
    [reply] = items(sf, source_id="comments")
    assert reply.kind == "comment" and reply.parent_url == stories[0].url
    assert reply.title == "Re: Veo 3 clip number 1 shows a dancer" and reply.text == "Lovely motion."


@pytest.mark.parametrize("kind", ["hn", "reddit", "mastodon", "bluesky"])
def test_second_run_reads_only_what_is_new_and_refreshes_engagement(tmp_path, kind):
    sf = factory(f"sqlite:///{tmp_path / 'a.db'}")
    api = SocialApi([post(kind, i) for i in range(1, 8)], page_size=3)
    with serve_social(api) as base:
        source = api_source("s", base + PATHS[kind], kind)
        first = run_ingest(sf, [source], settings=FAST, tagging=False).results[0]
        # Mastodon's Link header offers a next page until one comes back empty
        assert (first.status, first.new, first.pages) == ("ok", 7, 4 if kind == "mastodon" else 3)
        api.posts += [post(kind, 8), post(kind, 9)]
        newest_old = next(p for p in api.posts if p.id == post(kind, 7).id)
        newest_old.comments = 99                          # moves on between the runs
        api.log.clear()
        second = run_ingest(sf, [source], settings=FAST, tagging=False).results[0]
        assert second.new == 2 and second.pages == 1 and len(api.requests()) == 1
        assert second.refreshed == 1
        third = run_ingest(sf, [source], settings=FAST, tagging=False).results[0]
        assert (third.new, third.pages) == (0, 1)
    stored = items(sf)
    assert len(stored) == 9 and len({i.url for i in stored}) == 9
    refreshed = next(i for i in stored if i.guid and post(kind, 7).id in i.guid)
    assert refreshed.num_comments == 99 and refreshed.engagement_at is not None


def test_a_page_cap_leaves_a_gap_that_the_next_run_fills(tmp_path):
    sf = factory(f"sqlite:///{tmp_path / 'a.db'}")
    api = SocialApi([post("hn", 1)], page_size=2)
    with serve_social(api) as base:
        source = api_source("s", base + PATHS["hn"], max_pages=2)
        run_ingest(sf, [source], settings=FAST, tagging=False)
        api.posts += [post("hn", i) for i in range(2, 10)]      # 8 new: more than 2 pages of 2
        capped = run_ingest(sf, [source], settings=FAST, tagging=False).results[0]
        assert capped.new == 4 and "1 older range left to read in later runs" in capped.error
        api.log.clear()
        rest = run_ingest(sf, [source], settings=FAST, tagging=False).results[0]
        assert any("numericFilters=created_at_i" in r for r in api.requests())   # resumes below
        assert rest.new >= 1 and rest.pages == 2
        for _ in range(4):      # pages of two overlap by one post (the bound is inclusive)
            run_ingest(sf, [source], settings=FAST, tagging=False)
    assert len(items(sf)) == 9
    with sf() as s:
        assert json.loads(s.get(m.Source, "s").cursor)["gaps"] == []


def test_429_with_retry_after_is_waited_for_and_the_host_held_back(tmp_path):
    sf = factory(f"sqlite:///{tmp_path / 'a.db'}")
    api = SocialApi([post("reddit", i) for i in range(1, 4)])
    api.fail_next("/reddit/", 429, '{"message": "Too Many Requests", "error": 429}', {"Retry-After": "1"})
    with serve_social(api) as base:
        t0 = time.monotonic()
        [r] = run_ingest(sf, [api_source("r", base + PATHS["reddit"], "reddit")], settings=FAST,
                         tagging=False).results
        waited = time.monotonic() - t0
    assert r.status == "ok" and r.new == 3 and waited >= 1.0
    assert len(api.requests("/reddit/")) == 2


def test_a_long_retry_after_fails_the_source_until_then(tmp_path):
    sf = factory(f"sqlite:///{tmp_path / 'a.db'}")
    api = SocialApi([post("bluesky", 1)])
    api.fail_next("/bsky/", 429, '{"error": "RateLimitExceeded", "message": "slow down"}',
                  {"Retry-After": "3600"})
    with serve_social(api) as base:
        source = api_source("b", base + PATHS["bluesky"], "bluesky")
        t0 = datetime.now(timezone.utc)
        [r] = run_ingest(sf, [source], settings=FAST, tagging=False).results
        assert r.status == "failed" and r.error_class is FailureClass.RATE_LIMITED
        assert "RateLimitExceeded: slow down" in r.error and "retry after 3600s" in r.error
        [again] = run_ingest(sf, [source], settings=FAST, tagging=False).results
    assert again.status == "skipped" and len(api.requests("/bsky/")) == 1
    with sf() as s:
        assert s.get(m.Source, "b").next_attempt_at >= t0 + timedelta(seconds=3500)


def test_a_long_retry_after_holds_back_the_hosts_other_sources_in_that_run(tmp_path):
    """A 429 whose Retry-After is longer than a run waits: the host's other sources are not asked
    in that run (they fail rate limited at once), as a short one holds them back by waiting."""
    sf = factory(f"sqlite:///{tmp_path / 'a.db'}")
    api = SocialApi([post("bluesky", 1)])
    api.fail_next("/bsky/", 429, '{"error": "RateLimitExceeded", "message": "slow down"}',
                  {"Retry-After": "3600"})
    one = FetchSettings(timeout_s=5, retries=0, backoff_base_s=0.0, max_concurrency=1, page_interval_s=0)
    with serve_social(api) as base:
        first = api_source("b1", base + PATHS["bluesky"], "bluesky")
        second = api_source("b2", base + PATHS["bluesky"] + "+sora", "bluesky")
        r1, r2 = run_ingest(sf, [first, second], settings=one, tagging=False).results
    assert r1.status == r2.status == "failed"
    assert r1.error_class is r2.error_class is FailureClass.RATE_LIMITED
    assert "not asked" in r2.error and "retry after" in r2.error
    assert len(api.requests("/bsky/")) == 1          # the second source never asked


def _hn_page(posts: list[ApiPost], page: int, pages: int) -> str:
    return json.dumps({"hits": [hn_hit(p) for p in posts], "page": page, "nbPages": pages,
                       "hitsPerPage": len(posts)})


@pytest.mark.parametrize("second_page, error_class", [
    (Reply(429, body='{"message": "slow down"}', headers={"Retry-After": "900"}), FailureClass.RATE_LIMITED),
    (Reply(200, body="x", delay_s=1.5), FailureClass.NETWORK),              # a timeout
    (Reply(200, body='{"hits": [{"objectID": ', content_type="application/json"), FailureClass.PARSE),
])
def test_a_later_page_that_fails_keeps_the_pages_read(tmp_path, second_page, error_class):
    sf = factory(f"sqlite:///{tmp_path / 'a.db'}")
    first = [post("hn", 9), post("hn", 8)]
    with scripted_server() as srv:
        srv.route("/hn/api/v1/search_by_date",
                  Reply(200, body=_hn_page(first, 0, 3), content_type="application/json"), second_page)
        settings = FetchSettings(timeout_s=0.5, retries=0, max_concurrency=1, page_interval_s=0)
        [r] = run_ingest(sf, [api_source("s", srv.url(PATHS["hn"]))], settings=settings,
                         tagging=False).results
    assert r.status == "ok" and r.new == 2 and r.error_class is error_class
    assert r.error.startswith("page 2:")


@pytest.mark.parametrize("reply, error_class, words", [
    (Reply(200, body="{not json", content_type="application/json"), FailureClass.PARSE, "malformed JSON"),
    (Reply(200, body='{"error": "InvalidRequest", "message": "bad query"}', content_type="application/json"),
     FailureClass.HTTP_STATUS, "InvalidRequest: bad query"),
    (Reply(400, body='{"message": "invalid tags", "status": 400}', content_type="application/json"),
     FailureClass.HTTP_STATUS, "HTTP 400 Bad Request (invalid tags)"),
])
def test_malformed_json_and_api_error_bodies_fail_with_their_class(tmp_path, reply, error_class, words):
    sf = factory(f"sqlite:///{tmp_path / 'a.db'}")
    with scripted_server() as srv:
        srv.route("/hn/api/v1/search_by_date", reply)
        [r] = run_ingest(sf, [api_source("s", srv.url(PATHS["hn"]))], settings=FAST,
                         tagging=False).results
    assert r.status == "failed" and r.error_class is error_class and words in r.error
    with sf() as s:
        row = s.get(m.Source, "s")
        assert row.consecutive_failures == 1 and row.cursor is None


def test_empty_answers_are_not_failures(tmp_path):
    sf = factory(f"sqlite:///{tmp_path / 'a.db'}")
    with scripted_server() as srv:
        srv.route("/hn/api/v1/search_by_date",
                  Reply(200, body=_hn_page([post("hn", 5)], 0, 3), content_type="application/json"),
                  Reply(200, body=_hn_page([], 1, 3), content_type="application/json"))
        srv.route("/bsky/xrpc/app.bsky.feed.searchPosts",
                  Reply(200, body='{"posts": []}', content_type="application/json"))
        sources = [api_source("h", srv.url(PATHS["hn"])),
                   api_source("b", srv.url(PATHS["bluesky"]), "bluesky")]
        by = {r.source_id: r for r in run_ingest(sf, sources, settings=FAST, tagging=False).results}
        assert len(srv.requests("/hn/api/v1/search_by_date")) == 2     # the empty page ends it
    assert (by["h"].status, by["h"].new, by["h"].error_class) == ("ok", 1, None)
    assert (by["b"].status, by["b"].fetched, by["b"].error_class) == ("ok", 0, None)


def test_requests_to_one_host_are_spaced_by_the_source_interval(tmp_path):
    sf = factory(f"sqlite:///{tmp_path / 'a.db'}")
    with scripted_server() as srv:
        for name in ("a", "b", "c"):
            srv.route(f"/{name}/xrpc/app.bsky.feed.searchPosts",
                      Reply(200, body='{"posts": []}', content_type="application/json"))
        sources = [api_source(n, srv.url(f"/{n}/xrpc/app.bsky.feed.searchPosts?q=x"), "bluesky",
                              min_interval_s=0.5) for n in ("a", "b", "c")]
        run_ingest(sf, sources, settings=FAST, tagging=False)
        times = sorted(r.at for r in srv.all_requests())
    assert len(times) == 3
    # Times are taken where the server reads each request, so a loaded machine can delay one
    # reading by some tens of milliseconds and shorten the next gap: unspaced requests come within
    # a few milliseconds of each other, so 0.4 s of a 0.5 s interval still tells them apart.
    assert all(b - a >= 0.4 for a, b in zip(times, times[1:])), times


def test_posts_count_toward_the_run_and_items_table(db_url):
    sf = factory(db_url)
    api = SocialApi([post("mastodon", i) for i in range(1, 4)])
    with serve_social(api) as base:
        run_ingest(sf, [api_source("m", base + PATHS["mastodon"], "mastodon")], settings=FAST,
                   tagging=False)
    with sf() as s:
        assert s.scalar(select(func.count()).select_from(m.Item).where(m.Item.kind == "post")) == 3
        row = s.get(m.Source, "m")
        assert row.cursor and json.loads(row.cursor)["mark"][1] == post("mastodon", 3).id


def test_sources_check_reads_one_page_of_each_api_source(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from aigcwatch.cli import main

    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    api = SocialApi([post("hn", 1), post("hn", 2), post("mastodon", 1)])
    with serve_social(api) as base:
        p = tmp_path / "s.toml"
        p.write_text(f'[[source]]\nid = "h"\nkind = "hn"\nurl = "{base}{PATHS["hn"]}"\n\n'
                     f'[[source]]\nid = "m"\nkind = "mastodon"\nurl = "{base}{PATHS["mastodon"]}"\n\n'
                     f'[[source]]\nid = "b"\nkind = "bluesky"\nurl = "{base}/bsky/xrpc/app.bsky.feed.searchPosts?q=x"\n',
                     encoding="utf-8")
        result = CliRunner().invoke(main, ["sources", "check", "--sources-file", str(p)])
    assert result.exit_code == 0, result.output
    # the empty Bluesky search works (an empty search result is not a failure), and says it is empty
    assert "3 of 3 sources work" in result.output and "empty: the first page holds no posts" in result.output
    assert not (tmp_path / "never.db").exists()


@pytest.mark.parametrize("tagging", [False, True])
def test_a_post_cut_inside_an_emoji_is_stored_with_a_replacement_character(db_url, tagging):
    # JSON allows "\ud83d" alone (what a title cut between an emoji's two halves holds). Before,
    # it could not be encoded as UTF-8: the post was lost as invalid, or the source failed as
    # `network` ("unexpected error: UnicodeEncodeError").
    sf = factory(db_url)
    cut = post("hn", 1, title="Veo 3 clip number 1 shows a dancer \ud83d")
    whole = post("hn", 2, title="Veo 3 clip number 2 shows a dancer \U0001F600")
    with scripted_server() as srv:
        body = _hn_page([whole, cut], 0, 1)
        assert "\\ud83d" in body
        srv.route("/hn/api/v1/search_by_date", Reply(200, body=body, content_type="application/json"))
        [r] = run_ingest(sf, [api_source("s", srv.url(PATHS["hn"]))], settings=FAST,
                         tagging=tagging).results
    assert (r.status, r.new, r.invalid) == ("ok", 2, 0), r.error
    assert [i.title for i in items(sf, source_id="s")] == [
        "Veo 3 clip number 1 shows a dancer \ufffd", "Veo 3 clip number 2 shows a dancer \U0001F600"]
