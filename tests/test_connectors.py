"""JSON API pages -> RawEntry objects: the four connectors on documents shaped like each API's
documented answers, their failure classes, and what normalisation makes of posts and comments."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from aigcwatch.errors import SourceError
from ingest import dedup
from ingest.connectors import bluesky, hn, mastodon, reddit
from ingest.connectors.base import ApiError, Mark, param
from ingest.normalize import Rejected, normalize_entry
from ingest.parse import FeedParseError
from ingest.types import FailureClass, Source

NOW = datetime(2025, 11, 2, tzinfo=timezone.utc)
HN_URL = "https://hn.algolia.com/api/v1/search_by_date?query=sora&tags=story"


def body(doc) -> bytes:
    return json.dumps(doc).encode()


def src(kind: str = "hn") -> Source:
    return Source(id="s", name="s", kind=kind, url="https://x.example/", category="social")


HN_PAGE = {
    "hits": [
        {"objectID": "45000002", "created_at": "2025-11-01T10:00:00.000Z", "created_at_i": 1761991200,
         "author": "alice", "title": "Sora 2 ships with sound", "url": "https://news.example/sora-2?utm_source=hn",
         "points": 120, "num_comments": 33, "story_text": None, "_tags": ["story", "author_alice"]},
        {"objectID": "45000001", "created_at": "2025-11-01T09:00:00.000Z", "created_at_i": 1761987600,
         "author": "bob", "comment_text": "<p>The physics still breaks when a cup is poured.</p>",
         "parent_id": 45000000, "story_id": 45000000, "story_title": "Veo 3 adds audio",
         "points": None, "_tags": ["comment", "author_bob"]},
        {"objectID": "45000000", "created_at": "2025-11-01T08:00:00.000Z", "created_at_i": 1761984000,
         "author": None, "comment_text": None, "parent_id": 44999999, "story_id": 44999999,
         "_tags": ["comment"]},
    ],
    "nbHits": 7, "page": 0, "nbPages": 3, "hitsPerPage": 3,
}


def test_hn_stories_and_comments_become_posts_with_engagement_and_comments_with_parents():
    page = hn.parse_page("s", body(HN_PAGE), HN_URL)
    story, comment, gone = page.entries
    assert (story.kind, story.author_handle, story.engagement.points, story.engagement.comments) == \
        ("post", "alice", 120, 33)
    assert story.link == "https://news.ycombinator.com/item?id=45000002"
    assert story.shared_link == "https://news.example/sora-2?utm_source=hn"
    assert comment.kind == "comment" and comment.title == "Re: Veo 3 adds audio"
    assert comment.parent_link == "https://news.ycombinator.com/item?id=45000000"
    assert gone.deleted and page.deleted == 1
    assert page.marks[0] == Mark(1761991200.0, "45000002")
    assert param(page.next_url, "page") == "1" and param(page.next_url, "tags") == "story"


def test_hn_last_page_has_no_next_and_resume_bounds_the_time():
    last = dict(HN_PAGE, page=2)
    assert hn.parse_page("s", body(last), HN_URL).next_url is None
    url = hn.resume_url(HN_URL + "&numericFilters=points%3E5", Mark(1761984000.5, "x"))
    assert param(url, "numericFilters") == "points>5,created_at_i<=1761984000"
    assert param(url, "page") is None and param(url, "hitsPerPage") == str(hn.PAGE_SIZE)


def test_normalised_posts_and_comments_keep_handles_links_and_engagement():
    story, comment, gone = hn.parse_page("s", body(HN_PAGE), HN_URL).entries
    item = normalize_entry(story, src(), NOW)
    assert (item.kind, item.author_handle, item.engagement.points) == ("post", "alice", 120)
    assert item.shared_url == "https://news.example/sora-2"          # tracking parameter gone
    reply = normalize_entry(comment, src(), NOW)
    assert reply.kind == "comment" and reply.parent_url.endswith("id=45000000")
    assert reply.text == "The physics still breaks when a cup is poured."
    assert dedup.keys_for(reply).title_key is None      # every reply shares its "Re:" line
    assert normalize_entry(gone, src(), NOW) == Rejected("deleted")


@pytest.mark.parametrize("module, url", [
    (hn, HN_URL), (reddit, "https://www.reddit.com/r/aivideo/new.json"),
    (mastodon, "https://m.example/api/v1/timelines/tag/ai"),
    (bluesky, "https://api.example/xrpc/app.bsky.feed.searchPosts?q=sora"),
])
def test_malformed_json_is_a_parse_failure_naming_the_position(module, url):
    with pytest.raises(FeedParseError) as info:
        module.parse_page("s", b'{"hits": [', url)
    assert info.value.error_class is FailureClass.PARSE and "malformed JSON" in str(info.value)
    with pytest.raises(FeedParseError):
        module.parse_page("s", b"<html>captcha</html>", url)


@pytest.mark.parametrize("module, url, doc, words", [
    (hn, HN_URL, {"message": "invalid numericFilters", "status": 400}, "invalid numericFilters"),
    (reddit, "https://www.reddit.com/r/x/new.json", {"message": "Forbidden", "error": 403}, "Forbidden"),
    (mastodon, "https://m.example/api/v1/timelines/tag/ai", {"error": "Record not found"}, "Record not found"),
    (bluesky, "https://api.example/xrpc/app.bsky.feed.searchPosts?q=x",
     {"error": "InvalidRequest", "message": "q is too long"}, "InvalidRequest: q is too long"),
])
def test_an_api_error_object_is_an_http_status_failure_with_its_message(module, url, doc, words):
    with pytest.raises(ApiError) as info:
        module.parse_page("s", body(doc), url)
    assert isinstance(info.value, SourceError) and info.value.error_class is FailureClass.HTTP_STATUS
    assert words in str(info.value)


REDDIT_PAGE = {"kind": "Listing", "data": {"after": "t3_b2", "children": [
    {"kind": "t3", "data": {"id": "b3", "name": "t3_b3", "title": "Made a short film with Kling",
                            "selftext": "Took two evenings.", "url": "https://www.reddit.com/r/aivideo/comments/b3/made/",
                            "permalink": "/r/aivideo/comments/b3/made/", "author": "carol", "is_self": True,
                            "created_utc": 1761990000.0, "score": 57, "num_comments": 12,
                            "removed_by_category": None}},
    {"kind": "t3", "data": {"id": "b2", "name": "t3_b2", "title": "Veo link post", "selftext": "",
                            "url": "https://news.example/veo", "permalink": "/r/aivideo/comments/b2/veo/",
                            "author": "dan", "is_self": False, "created_utc": 1761980000.0, "score": 3,
                            "num_comments": 0, "removed_by_category": "moderator"}},
    {"kind": "t1", "data": {"id": "c9", "name": "t1_c9", "body": "[deleted]", "author": "[deleted]",
                            "parent_id": "t3_b3", "link_id": "t3_b3", "permalink": "/r/aivideo/comments/b3/made/c9/",
                            "created_utc": 1761990500.0, "score": -2}},
    {"kind": "t1", "data": {"id": "c8", "name": "t1_c8", "body": "Which prompt did you use?", "author": "erin",
                            "parent_id": "t1_c7", "link_id": "t3_b3", "link_title": "Made a short film with Kling",
                            "permalink": "/r/aivideo/comments/b3/made/c8/", "created_utc": 1761990400.0,
                            "score": -2}},
    {"kind": "more", "data": {"count": 4, "children": ["c1", "c2"]}},
]}}


def test_reddit_listing_posts_comments_removed_and_deleted_and_the_next_page():
    url = reddit.first_url("https://www.reddit.com/r/aivideo/new.json")
    assert param(url, "raw_json") == "1" and param(url, "limit") == str(reddit.PAGE_SIZE)
    page = reddit.parse_page("s", body(REDDIT_PAGE), url)
    post, removed, deleted, reply = page.entries         # the "more" stub is no post at all
    assert post.link == "https://www.reddit.com/r/aivideo/comments/b3/made/" and post.shared_link is None
    assert (post.engagement.points, post.engagement.comments) == (57, 12)
    assert removed.deleted and removed.shared_link == "https://news.example/veo"
    assert deleted.deleted and page.deleted == 2
    assert reply.kind == "comment" and reply.engagement.points == -2
    assert reply.parent_link == "https://www.reddit.com/r/aivideo/comments/b3/made/c7/"
    assert param(page.next_url, "after") == "t3_b2"
    assert param(reddit.resume_url(url, Mark(1.0, "t3_b2")), "after") == "t3_b2"


def _status(sid: str, **kw) -> dict:
    status = {"id": sid, "created_at": "2025-11-01T10:00:00.000Z", "in_reply_to_id": None,
              "in_reply_to_account_id": None, "spoiler_text": "", "uri": f"https://m.example/users/a/statuses/{sid}",
              "url": f"https://m.example/@a/{sid}", "replies_count": 2, "reblogs_count": 5,
              "favourites_count": 40, "content": "<p>Trying #Sora today</p>", "reblog": None,
              "account": {"id": "1", "username": "a", "acct": "a", "display_name": "A",
                          "url": "https://m.example/@a"}, "media_attachments": [], "card": None}
    status.update(kw)
    return status


def test_mastodon_timeline_boosts_replies_and_the_link_header():
    boosted = _status("115000000000000003", content="", reblog=_status(
        "115000000000000001", account={"id": "9", "username": "z", "acct": "z@other.example",
                                       "display_name": "Zed", "url": "https://other.example/@z"}))
    reply = _status("115000000000000002", in_reply_to_id="115000000000000000",
                    in_reply_to_account_id="1")
    link = ('<https://m.example/api/v1/timelines/tag/ai?max_id=115000000000000002>; rel="next", '
            '<https://m.example/api/v1/timelines/tag/ai?min_id=115000000000000003>; rel="prev"')
    page = mastodon.parse_page("s", body([boosted, reply]), "https://m.example/api/v1/timelines/tag/ai", link)
    b, r = page.entries
    assert b.author_handle == "z@other.example" and b.link == "https://m.example/@a/115000000000000001"
    assert (b.engagement.likes, b.engagement.reposts, b.engagement.comments) == (40, 5, 2)
    assert r.kind == "comment" and r.parent_link == "https://m.example/@a/115000000000000000"
    assert r.author_handle == "a@m.example"
    assert page.next_url.endswith("max_id=115000000000000002")
    # without a Link header the next page is asked for by the last id
    page = mastodon.parse_page("s", body([reply]), "https://m.example/api/v1/timelines/tag/ai")
    assert param(page.next_url, "max_id") == "115000000000000002"
    with pytest.raises(FeedParseError, match="expected a JSON array"):
        mastodon.parse_page("s", body({"statuses": []}), "https://m.example/api/v1/timelines/tag/ai")


def test_bluesky_posts_web_links_replies_embeds_and_cursor():
    post = {"uri": "at://did:plc:abc/app.bsky.feed.post/3kxyz", "cid": "bafy1",
            "author": {"did": "did:plc:abc", "handle": "ann.bsky.social", "displayName": "Ann"},
            "record": {"$type": "app.bsky.feed.post", "text": "Veo 3 made this <clip> & I love it\nsecond line",
                       "createdAt": "2025-11-01T10:00:00.000Z",
                       "reply": {"root": {"uri": "at://did:plc:def/app.bsky.feed.post/3kaaa"},
                                 "parent": {"uri": "at://did:plc:def/app.bsky.feed.post/3kbbb"}},
                       "embed": {"$type": "app.bsky.embed.external", "external": {"uri": "https://news.example/v"}}},
            "replyCount": 1, "repostCount": 4, "likeCount": 30, "indexedAt": "2025-11-01T10:00:02.000Z"}
    url = "https://api.example/xrpc/app.bsky.feed.searchPosts?q=veo"
    page = bluesky.parse_page("s", body({"posts": [post], "cursor": "25"}), url)
    [e] = page.entries
    assert e.link == "https://bsky.app/profile/ann.bsky.social/post/3kxyz"
    assert e.parent_link == "https://bsky.app/profile/did:plc:def/post/3kbbb" and e.kind == "comment"
    assert e.shared_link == "https://news.example/v" and e.engagement.likes == 30
    item = normalize_entry(e, src("bluesky"), NOW)
    assert item.text == "Veo 3 made this <clip> & I love it\nsecond line"
    assert item.title_derived and dedup.keys_for(item).title_key is None
    assert param(page.next_url, "cursor") == "25"
    assert bluesky.parse_page("s", body({"posts": []}), url).next_url is None
    until = param(bluesky.resume_url(url, Mark(1761991200.0, "x")), "until")
    assert until == "2025-11-01T10:00:00.001Z"


@pytest.mark.parametrize("kind, url, problem", [
    ("hn", "https://hn.algolia.com/api/v1/items/1", "Algolia search address"),
    ("reddit", "https://www.reddit.com/r/aivideo/new/", "JSON address"),
    ("mastodon", "https://m.example/tags/ai", "hashtag timeline"),
    ("bluesky", "https://api.example/xrpc/app.bsky.feed.searchPosts", "q= parameter"),
])
def test_a_kind_given_the_wrong_address_says_what_it_needs(kind, url, problem):
    from ingest.connectors import connector

    assert problem in connector(kind).url_problem(url)
