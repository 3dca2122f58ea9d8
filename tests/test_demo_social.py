"""The offline demo's social side: its fixtures speak each API's shapes, and `aigcwatch demo`
stores posts with engagement beside articles, clusters copies with a reach, and its second run
reads only what is new."""
from __future__ import annotations

import json
import urllib.request
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from aigcwatch.apiserver import serve_social
from aigcwatch.cli import main
from aigcwatch.config import load_sources
from aigcwatch.demo_social import DemoSocial, social_sources_toml, write_social_files
from db import models as m
from ingest.connectors import CONNECTORS
from ingest.fulltext import decode_html


def test_fixtures_parse_with_the_connectors_and_pages_are_gbk(tmp_path):
    types = write_social_files(tmp_path)
    raw = (tmp_path / "pages" / "zh-1.html").read_bytes()
    assert types["pages/zh-1.html"] == "text/html" and b'charset="gbk"' in raw
    assert "可灵" in decode_html(raw, types["pages/zh-1.html"])[0]
    demo = DemoSocial("http://127.0.0.1:1")
    with serve_social(demo.api) as base:
        toml = tmp_path / "s.toml"
        toml.write_text(social_sources_toml(base, "http://127.0.0.1:1"), encoding="utf-8")
        for source in load_sources(toml):
            if source.kind not in CONNECTORS:
                continue
            conn = CONNECTORS[source.kind]
            with urllib.request.urlopen(conn.first_url(source.url), timeout=5) as r:
                page = conn.parse_page(source.id, r.read(), source.url, r.headers.get("Link"))
            assert page.entries and all(mk is not None for mk in page.marks), source.id
            if source.id != "demo-hn-comments":         # Algolia gives comments no counts
                assert any(e.engagement and e.engagement.any() for e in page.entries), source.id
    assert any(p.deleted for p in demo.api.posts)


def test_the_api_server_rejects_a_search_without_a_query_like_the_real_one():
    demo = DemoSocial("http://127.0.0.1:1")
    with serve_social(demo.api) as base:
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(base + "/bsky/xrpc/app.bsky.feed.searchPosts?q=", timeout=5)
        assert info.value.code == 400 and json.loads(info.value.read())["error"] == "InvalidRequest"
        with urllib.request.urlopen(base + "/bsky/xrpc/app.bsky.feed.searchPosts?q=" + quote("ai video")
                                    + "&limit=5", timeout=5) as r:
            doc = json.loads(r.read())
        assert len(doc["posts"]) == 5 and doc["cursor"] == "5"


@pytest.mark.slow
def test_demo_shows_posts_with_engagement_clusters_with_reach_and_a_second_run_of_only_new(tmp_path,
                                                                                           monkeypatch):
    # The analyst's own database (AIGCWATCH_DATABASE_URL) never gets the generated demo stories:
    # the demo writes a fresh demo.db in the data directory unless --database-url names another.
    archive = tmp_path / "archive.db"
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{archive}")
    monkeypatch.setenv("AIGCWATCH_HOME", str(tmp_path / "home"))
    url = f"sqlite:///{tmp_path / 'home' / 'demo.db'}"
    result = CliRunner().invoke(main, ["demo", "--no-dashboard"])
    assert result.exit_code == 0, result.output
    assert not archive.exists()
    out = result.output
    assert f"demo: database {url}" in out
    assert "second run" in out and "most engaged post of each social source" in out
    assert "stories carried by several outlets" in out and "edited cop" in out
    second = out.split("second run", 1)[1]
    for sid in ("demo-hn-stories", "demo-reddit-aivideo", "demo-mastodon-aivideo", "demo-bluesky-search"):
        line = next(ln for ln in second.splitlines() if ln.startswith(f"✓ {sid}:"))
        assert "requests" not in line and "engagement refreshed" in line, line   # one page each
    assert "= demo-wire-zh: not modified (304)" in second
    engine = create_engine(url)
    with Session(engine) as s:
        it = m.Item
        posts = s.scalar(select(func.count()).select_from(it).where(it.kind == "post", it.engagement_at.is_not(None)))
        comments = s.scalar(select(func.count()).select_from(it).where(it.kind == "comment", it.parent_url.is_not(None)))
        articles = s.scalar(select(func.count()).select_from(it).where(it.kind == "article"))
        assert posts >= 40 and comments >= 10 and articles > 1000
        wire = s.scalars(select(it).where(it.source_id == "demo-wire-zh")).all()
        assert wire and all(i.full_text for i in wire)               # text from the GBK pages
        canon = s.scalars(select(it).where(it.source_id == "demo-wire-zh", it.cluster_id.is_(None))).all()
        assert max(i.reach for i in canon) >= 3
        members = s.scalars(select(it.source_id).where(it.cluster_id.in_([i.id for i in canon]))).all()
        assert {"demo-portal-zh", "demo-digest-zh"} <= set(members)
    engine.dispose()
